/*
 * A fix plan: the edits and commands that repair what the checks found, decided before anything
 * is touched, shown to the user (unified diffs, command lines), then applied through the journal.
 *
 * Planners compose: when two checks edit the same file (fstab.device-names and
 * fstab.other-disks both edit /etc/fstab), the second sees the first one's planned content
 * through plan_content(), and the file is written once with both edits.
 */
#ifndef CVMPREP_PLAN_H
#define CVMPREP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "check.h"
#include "rootfs.h"
#include "util.h"

enum plan_kind {
	PLAN_WRITE,       /* replace (or create) a file's content */
	PLAN_MOVE_ASIDE,  /* move a file we do not own into the journal */
	PLAN_SYMLINK,     /* create a symlink */
	PLAN_CLEAR_FLAGS, /* clear inode flags (immutable, append-only) */
	PLAN_COMMAND,     /* run a command (chrooted into --root), regenerating files */
};

struct ctx;
struct plan_item;
/* Verify what a command produced; returns 0, or -1 with *why set. */
typedef int (*verify_fn)(struct ctx *ctx, const struct plan_item *it, const char *path, char **why);

struct plan_item {
	enum plan_kind kind;
	struct strvec checks; /* IDs of the checks this item repairs */
	char *path;
	char *why;            /* one line for the user */
	/* PLAN_WRITE */
	bool existed;
	int read_err; /* reading the current content failed (other than absent): never write it */
	char *old_data, *new_data;
	size_t old_len, new_len;
	unsigned mode;
	/* PLAN_SYMLINK */
	char *target;
	/* PLAN_CLEAR_FLAGS */
	unsigned flags;
	/* PLAN_COMMAND: argv, files it regenerates (kept in the journal, restored if it fails) */
	struct strvec argv;
	bool in_target; /* run chrooted into the target when --root is given */
	struct strvec regenerates;
	verify_fn verify;
	struct strvec verify_names; /* what verify looks for (module names for an initramfs) */
};

struct plan {
	struct rootfs *rfs; /* the target, set by the caller */
	struct plan_item *v;
	size_t n;
	struct strvec notes; /* what could not be planned, and why */
};

void plan_free(struct plan *p);

/*
 * The content a planner should edit: what an earlier planner planned for path, else the file as
 * it is in the target. Returns 0, -ENOENT, or another -errno. *data stays owned by the plan.
 */
int plan_content(struct plan *p, const char *path, const char **data, size_t *len);
/* Plan path's new content (merged with an earlier write of the same path). A no-op edit is dropped. */
void plan_write(struct plan *p, const struct check *c, const char *path, const char *data, size_t len, unsigned mode,
		const char *why);
void plan_move_aside(struct plan *p, const struct check *c, const char *path, const char *why);
void plan_symlink(struct plan *p, const struct check *c, const char *path, const char *target, const char *why);
void plan_clear_flags(struct plan *p, const struct check *c, const char *path, unsigned flags, const char *why);
/* A command, once per plan even if several checks ask for it (same argv). */
struct plan_item *plan_command(struct plan *p, const struct check *c, const char *const *argv, bool in_target,
			       const char *why);
void plan_note(struct plan *p, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Comment out lines [first, last] of path (last 0: to the end) with "# cvmprep: ", lines already
 * commented left alone. 0, or the error reading the file. */
int plan_comment_lines(struct plan *p, const struct check *c, const char *path, unsigned first, unsigned last,
		       const char *why);
/* Append text to path (a newline first if the file does not end with one). */
int plan_append(struct plan *p, const struct check *c, const char *path, const char *text, const char *why);
/* Items that change something (writes whose content differs count; others always). */
size_t plan_count(const struct plan *p);

/* Print the plan: each file change as a unified diff, each command line. */
void plan_print(const struct plan *p, FILE *out, bool color);

/* A unified diff of two texts (3 lines of context), labelled a/path and b/path. */
void diff_unified(FILE *out, const char *path, const char *a, size_t alen, const char *b, size_t blen, bool color);

#endif
