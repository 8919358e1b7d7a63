/* The parts of fix and rollback that are the same on every platform (fixcmd.h). */
#include "fixcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "banned.h"

bool fix_has_failure(const struct report *r, const struct check *c)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->findings[i]->check == c && r->findings[i]->status == ST_FAIL)
			return true;
	return false;
}

bool fix_confirm(size_t n)
{
	fprintf(stderr, "\nApply these %zu change%s? [y/N] ", n, n == 1 ? "" : "s");
	fflush(stderr);
	char line[32];
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

void fix_mark_fixed(const struct report *before, const struct report *mid, struct report *after)
{
	for (size_t i = 0; i < after->n; i++) {
		struct finding *f = after->findings[i];
		if (f->status != ST_PASS ||
		    !(fix_has_failure(before, f->check) || (mid && fix_has_failure(mid, f->check))))
			continue;
		bool still = false;
		for (size_t k = 0; k < after->n; k++)
			still = still || (after->findings[k]->check == f->check && after->findings[k]->status == ST_FAIL);
		if (!still)
			f->status = ST_FIXED;
	}
}

int fix_output_verdict(struct ctx *ctx, struct report *r)
{
	int ret = cli_output(ctx, r);
	if (ret == 0) {
		struct summary s;
		report_summarise(r, &s);
		ret = report_exit_code(&s);
	}
	return ret;
}

int fix_failed(struct ctx *ctx, struct journal *j, struct report *before, const char *err)
{
	/* Undo what this run did, so that the system is as it was. */
	journal_end(j, false, err);
	fprintf(stderr, "%s: %s\n%s: rolling back run %s\n", progname, err, progname, journal_run_id(j));
	char *conflict = NULL, *rerr = NULL;
	if (journal_rollback(ctx->rfs, journal_run_id(j), true, journal_changes(j), &conflict, &rerr) < 0)
		fprintf(stderr, "%s: rollback of run %s failed: %s\n", progname, journal_run_id(j), rerr ? rerr : "");
	free(conflict);
	free(rerr);
	before->changes = journal_changes(j);
	strvec_pushf(&before->warnings, "fix failed and was rolled back: %s", err);
	cli_output(ctx, before);
	return EXIT_FIX_FAILED;
}

void rollback_print_runs(const struct run_info *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%-28s %-9s %-12s %zu change%s  started %s\n", runs[i].id, runs[i].command ? runs[i].command : "?",
		       runs[i].state, runs[i].nchanges, runs[i].nchanges == 1 ? "" : "s",
		       runs[i].started ? runs[i].started : "?");
}

int rollback_report(struct ctx *ctx, struct report *r, struct changes *changes, int e, const char *err)
{
	int ret = 0;
	if (e < 0) {
		fprintf(stderr, "%s: %s\n", progname, err ? err : rootfs_strerror(e));
		ret = e == -ENOENT || e == -EALREADY ? EXIT_USAGE : EXIT_FIX_FAILED;
		if (changes->n)
			fprintf(stderr, "%s: %zu change%s were undone before it stopped\n", progname, changes->n,
				changes->n == 1 ? "" : "s");
	}
	if (e == 0) {
		/* The report after rollback: what the checks say now. */
		cli_run_checks(ctx, r);
		r->changes = changes;
		ret = cli_output(ctx, r);
	} else if (changes->n) {
		r->changes = changes;
		cli_output(ctx, r);
	}
	return ret;
}
