/*
 * The journal and atomic file replacement: how cvmprep changes a user's files.
 *
 * Calling sequence for one `fix` run:
 *
 *   journal_begin()        creates <root>/var/lib/cvmprep/runs/RUN_ID/ and its "journal" file
 *                          (an append-only text log, fsync'ed after every line).
 *   then, for each change, one of:
 *     journal_replace()    replace a file's content: (1) the original's bytes are copied to
 *                          runs/RUN_ID/files/N with its mode, owner, timestamps and SELinux label
 *                          in a "save" line, synced; (2) the new content goes to a temporary file
 *                          in the same directory (its name logged first), fsync; (3) rename over
 *                          the file, fsync of the directory; (4) a "wrote" line with the new
 *                          content's size and CRC-32. A new file gets an "absent" line instead of (1).
 *     journal_move_aside() move a file we do not own out of the way, into runs/RUN_ID/files/N
 *                          (never deleted), after a "save" line.
 *     journal_symlink()    create a symlink (enabling a unit), after an "absent" line.
 *     journal_preserve()   keep a copy of a file that a command is about to regenerate
 *                          (an initramfs), so that it can be put back.
 *     journal_restore_preserved()  put such a copy back (the command or its verification failed).
 *     journal_command()    log a command that was run and its exit status.
 *   journal_end()          an "end" line: ok, or failed with the reason.
 *
 * journal_rollback() reads a run's journal backwards and undoes each change: files get their
 * original bytes and metadata back (atomically, the same way), files we created are removed,
 * files moved aside come back. A file whose current content is neither what the fix wrote nor
 * the original was changed by someone else since: rollback refuses, naming it, unless forced.
 *
 * Guarantees after a crash or SIGKILL at any instant: every file is either entirely old or
 * entirely new (rename is atomic, and the data was synced before it); the original of every
 * file that may have changed is already in the journal (written and synced before the file was
 * touched), so rollback can restore it; a temporary file left behind is named in the journal
 * and is removed by rollback or by the next fix. On SIGINT/SIGTERM/SIGHUP the temporary file
 * being written is removed before the process dies.
 *
 * All paths are target paths, resolved inside the root by the path layer; a symlinked file is
 * replaced at the place its link points to (inside the root), never by replacing the link.
 */
#ifndef CVMPREP_JOURNAL_H
#define CVMPREP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "rootfs.h"
#include "util.h"

#define JOURNAL_STATE_DIR "/var/lib/cvmprep"

struct journal;

int journal_begin(struct rootfs *rfs, const char *command, struct journal **out);
const char *journal_run_id(const struct journal *j);
/* The directory of this run, as a target path (/var/lib/cvmprep/runs/ID). */
const char *journal_dir(const struct journal *j);
struct changes *journal_changes(struct journal *j);

/* mode is used only when the file does not exist yet (then owner root, no label). */
int journal_replace(struct journal *j, const char *path, const void *data, size_t len, unsigned mode);
int journal_move_aside(struct journal *j, const char *path);
int journal_symlink(struct journal *j, const char *path, const char *target);
/* Clear inode flags (FS_IMMUTABLE_FL, FS_APPEND_FL) on path; the old flags are journaled. */
int journal_clear_flags(struct journal *j, const char *path, unsigned flags);
int journal_preserve(struct journal *j, const char *path);
int journal_restore_preserved(struct journal *j, const char *path);
/* A command regenerated a preserved file: log its new state (so rollback can tell later edits). */
int journal_regenerated(struct journal *j, const char *path);
void journal_command(struct journal *j, const char *cmdline, int status);
int journal_end(struct journal *j, bool ok, const char *reason);
void journal_free(struct journal *j);

struct run_info {
	char *id;
	char *command;
	char *started;
	char *state; /* "complete", "failed", "incomplete", "rolled-back" */
	size_t nchanges;
};

/* Runs recorded under the target's state directory, oldest first. */
int journal_list(struct rootfs *rfs, struct run_info **out, size_t *n);
void run_info_free(struct run_info *v, size_t n);

/*
 * Undo run_id (NULL: the newest run not rolled back yet). Refuses (-ESTALE) with *conflict set
 * to the path when a file changed after the fix wrote it, unless force. Records what it did in
 * changes. Leftover temporary files of any run are removed.
 */
int journal_rollback(struct rootfs *rfs, const char *run_id, bool force, struct changes *changes, char **conflict,
		     char **err);

/* Remove temporary files that killed runs left behind (called at the start of fix). */
void journal_sweep(struct rootfs *rfs);

#endif
