/*
 * The part of the journal (agent/journal.h) that is the same on every platform: the line
 * format, reading a run's journal back, describing runs, choosing the run to roll back and the
 * rules that plan an undo. linux/journal.c and windows/journal_win.c do the file, registry and
 * process work and provide the functions declared under "per platform" below.
 *
 * The on-disk format (journals written by any earlier version must still roll back):
 * one line per step, "kind\tfield\tfield...\n"; in a field '%', control characters and DEL are
 * written as %XX and an empty field as "%00", so fields never contain a tab or a newline. Every
 * change gets a number N (field 1) that names its saved copy, files/N. A last line without its
 * '\n' (the process died while writing it) is ignored when reading.
 */
#ifndef CVMPREP_JOURNAL_CORE_H
#define CVMPREP_JOURNAL_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "journal.h"

/* The name part of temporary files; a "tmp" line names one, and sweeping removes only such. */
#define JOURNAL_TMP_TAG ".cvmprep-tmp-"

/* What every platform's struct journal starts with (its first member, so that the accessors
 * here can reach it from a struct journal pointer). */
struct journal_common {
	struct rootfs *rfs;
	char *id;
	char *dir;     /* journal_dir() */
	unsigned next; /* the last change number given out */
	struct changes changes;
};

/* Releases what journal_common holds (not the struct itself). */
void journal_common_free(struct journal_common *c);

/* One line of a journal read back. */
struct jentry {
	struct strvec f; /* unescaped fields; f.v[0] is the kind */
};

/* ---- per platform ---- */

/* Append one whole line to the run's journal and make it durable before returning. */
int journal_append(struct journal *j, const char *line, size_t len);
/* Read the journal of run id (under the state directory of rfs). */
int journal_read_run(struct rootfs *rfs, const char *id, struct jentry **out, size_t *n);
/* Remove the temporary files that the "tmp" lines of a run name, if still there. */
void journal_sweep_entries(struct rootfs *rfs, const struct jentry *e, size_t n);

/* ---- writing ---- */

/* A number as a field. */
char *journal_num(unsigned long long v);
/* Write the line "kind" followed by nf string fields (escaped here) and wait until it is durable. */
int journal_line(struct journal *j, const char *kind, int nf, ...);
/* The id of a run that process pid begins now, 20240131T120000Z-1234; tm gets now (UTC). */
void journal_new_id(char *buf, size_t size, struct tm *tm, unsigned long pid);
/* The "begin" line: run id, command, version and the time tm (UTC). */
int journal_log_begin(struct journal *j, const char *command, const struct tm *tm);
/* Give out the next change number (*n) and log the line "kind N subject". */
int journal_log_change(struct journal *j, const char *kind, const char *subject, unsigned *n);
/* Log what change n left at path: "wrote N path size crc" (rollback tells later edits by it). */
int journal_log_wrote(struct journal *j, unsigned n, const char *path, unsigned long long size,
		      unsigned long long crc);

/*
 * Create the missing ones of prefixes (outermost first; directories, registry keys): each is
 * logged as a kind line ("mkdir", "mkkey") before it is made, so that rollback removes it when
 * empty again, and recorded in the run's changes as change (with note, or none).
 */
int journal_create_missing(struct journal *j, const struct strvec *prefixes, const char *kind,
			   bool (*exists)(void *ctx, const char *p), int (*create)(void *ctx, const char *p), void *ctx,
			   const char *change, const char *note);

/* ---- reading back ---- */

/* Parse the first len bytes of a journal. */
void jentries_parse(const char *data, size_t len, struct jentry **out, size_t *n);
void jentries_free(struct jentry *v, size_t n);
/* Field i, or "" when the line has fewer fields. */
const char *jfield(const struct jentry *e, size_t i);
bool jkind_is(const struct jentry *e, const char *kind);

/*
 * Fill in ri (but its id) from a run's entries: the command and start time of its "begin" line,
 * its state, and how many changes it made (lines whose kind is one of change_kinds, NULL-ended).
 * No entries: "incomplete".
 */
void journal_describe(struct run_info *ri, const struct jentry *e, size_t n, const char *const *change_kinds);

/*
 * The run journal_rollback undoes: run_id, or else the newest fix run not rolled back. -ENOENT
 * (none), -EALREADY (rolled back already, and not force) with *err set; where names the runs
 * directory in messages.
 */
int journal_pick_run(const struct run_info *runs, size_t n, const char *run_id, bool force, const char *where,
		     const struct run_info **pick, char **err);

/* ---- planning an undo ---- */

/*
 * Whether an entry opens a change that rollback undoes. key gets what it changes (a file, a
 * registry value): a thing touched twice in a run goes back to what it was before the run, so
 * only its first entry counts. An opener left with an empty key is never merged with another.
 */
typedef bool (*journal_opener_fn)(const struct jentry *e, struct strbuf *key);

/* The indices of the entries that first touch each thing, in journal order (*out: free it). */
size_t journal_first_touches(const struct jentry *e, size_t n, journal_opener_fn opener, size_t **out);

/*
 * The last entry after e[i] whose kind is one of kinds (NULL-ended) and whose subject (fields
 * 2 .. 1 + nsubject: a path, or a registry key and value name) is e[i]'s; NULL when none.
 */
const struct jentry *journal_last_of(const struct jentry *e, size_t n, size_t i, size_t nsubject,
				     const char *const *kinds);

enum journal_undo {
	JOURNAL_KEEP,     /* it is the original again: nothing to undo */
	JOURNAL_UNDO,     /* put the original back */
	JOURNAL_CONFLICT, /* someone changed it after the fix did: refuse unless forced */
};

/*
 * The undo rule. is_orig: the thing is as it was before the run. is_ours: it is as the run's
 * last write left it (logged: there is such a write). A change whose write was not logged was
 * cut short by a crash between making it and logging it: what is there is ours.
 */
enum journal_undo journal_undo_decide(bool is_orig, bool is_ours, bool logged, bool force);

/* Size and CRC-32 equal the decimal fields want_size and want_crc. */
bool journal_sum_is(unsigned long long crc, unsigned long long size, const char *want_size, const char *want_crc);

/*
 * The undo rule for a file opened by "save" (orig_size and orig_crc from it) or "absent"
 * (orig_size NULL), given its current state: cur 0 with crc and size, or -ENOENT (or another
 * error); wrote is the run's last "wrote" line for it, or NULL.
 */
enum journal_undo journal_file_undo(int cur, unsigned long long crc, unsigned long long size, const char *orig_size,
				    const char *orig_crc, const struct jentry *wrote, bool force);

#endif
