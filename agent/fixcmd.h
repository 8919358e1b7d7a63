/*
 * What the fix and rollback commands do alike on every platform (linux/fix.c,
 * windows/fix_win.c): confirming, marking what a fix repaired, backing out of a failed fix,
 * and reporting a rollback.
 */
#ifndef CVMPREP_FIXCMD_H
#define CVMPREP_FIXCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"
#include "journal.h"
#include "report.h"

/* Whether check c has a failing finding in r. */
bool fix_has_failure(const struct report *r, const struct check *c);
/* Ask on the terminal whether to apply n changes; false when the user says no. */
bool fix_confirm(size_t n);
/* A check that failed in before (or in mid, when not NULL) and passes in after reports "fixed". */
void fix_mark_fixed(const struct report *before, const struct report *mid, struct report *after);
/* Print r (cli_output); the exit code its verdict gives, or the one for a failed write. */
int fix_output_verdict(struct ctx *ctx, struct report *r);
/*
 * A fix failed with err after journal run j began: end the run as failed, roll back what it
 * did and print before (the report the fix started from) with those changes. EXIT_FIX_FAILED.
 */
int fix_failed(struct ctx *ctx, struct journal *j, struct report *before, const char *err);

/* rollback --list: one line a run. */
void rollback_print_runs(const struct run_info *runs, size_t n);
/*
 * After journal_rollback returned e (err: its message): say why it failed, then print the
 * checks' report (after a rollback) or what was undone before it stopped. The exit code.
 */
int rollback_report(struct ctx *ctx, struct report *r, struct changes *changes, int e, const char *err);

#endif
