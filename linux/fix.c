/*
 * fix and rollback on Linux: plan with the checks' planners, show the plan, confirm, apply it
 * through the journal (commands chrooted into --root), check again; or undo a recorded run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "exec.h"
#include "fixcmd.h"
#include "journal.h"
#include "plan.h"
#include "platform.h"
#include "banned.h"

#define COMMAND_TIMEOUT 1800
#define COMMAND_OUTPUT (1u << 20)

static bool opt_in_enabled(const struct ctx *ctx, const struct check *c)
{
	if (c->fix != FIX_OPT_IN)
		return true;
	if (!c->opt_in)
		return false;
	/* opt_in names one flag, or several joined by " or ". */
	return (strstr(c->opt_in, "--install-packages") && ctx->opt.install_packages) ||
	       (strstr(c->opt_in, "--forced-import") && ctx->opt.forced_import) ||
	       (strstr(c->opt_in, "--generalize") && ctx->opt.generalize);
}

static char *join_argv(const struct strvec *argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < argv->n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", argv->v[i]);
	return strbuf_detach(&sb);
}

/* Run a plan command, in the target (chrooted, /proc /sys /dev bound in a private namespace). */
static int run_command(struct ctx *ctx, const struct plan_item *it, struct exec_result *res)
{
	const char **argv = xcalloc(it->argv.n + 1, sizeof(*argv));
	for (size_t i = 0; i < it->argv.n; i++)
		argv[i] = it->argv.v[i];
	int ret;
	if (it->in_target && !rootfs_is_live(ctx->rfs))
		ret = exec_run_in(argv, rootfs_root(ctx->rfs), true, COMMAND_TIMEOUT, COMMAND_OUTPUT, res);
	else
		ret = exec_run(argv, NULL, COMMAND_TIMEOUT, COMMAND_OUTPUT, res);
	free(argv);
	return ret;
}

static int apply_item(struct ctx *ctx, struct journal *j, const struct plan_item *it, char **err)
{
	int e = 0;
	switch (it->kind) {
	case PLAN_WRITE:
		e = journal_replace(j, it->path, it->new_data, it->new_len, it->mode);
		break;
	case PLAN_MOVE_ASIDE:
		e = journal_move_aside(j, it->path);
		break;
	case PLAN_SYMLINK:
		e = journal_symlink(j, it->path, it->target);
		break;
	case PLAN_CLEAR_FLAGS:
		e = journal_clear_flags(j, it->path, it->flags);
		break;
	case PLAN_COMMAND: {
		for (size_t i = 0; i < it->regenerates.n; i++) {
			if (!rootfs_exists(ctx->rfs, it->regenerates.v[i]))
				continue;
			e = journal_preserve(j, it->regenerates.v[i]);
			if (e < 0) {
				*err = xasprintf("could not keep '%s' before regenerating it: %s", it->regenerates.v[i],
						 rootfs_strerror(e));
				return e;
			}
		}
		char *cmdline = join_argv(&it->argv);
		fprintf(stderr, "%s: running %s\n", progname, cmdline);
		struct exec_result res;
		run_command(ctx, it, &res);
		journal_command(j, cmdline, res.status);
		if (res.status != 0) {
			*err = xasprintf("'%s' failed (%s%d)%s%s", cmdline, res.timed_out ? "timed out, status " : "exit status ",
					 res.status, res.out && *res.out ? ":\n" : "", res.out ? res.out : "");
			e = -EIO;
		}
		for (size_t i = 0; e == 0 && i < it->regenerates.n; i++) {
			char *why = NULL;
			if (it->verify && it->verify(ctx, it, it->regenerates.v[i], &why) < 0) {
				*err = xasprintf("'%s' ran, but %s", cmdline, why ? why : "the result is wrong");
				free(why);
				e = -EIO;
			}
		}
		if (e < 0) {
			/* Put back what the command replaced. */
			for (size_t i = 0; i < it->regenerates.n; i++)
				journal_restore_preserved(j, it->regenerates.v[i]);
		} else {
			for (size_t i = 0; i < it->regenerates.n; i++)
				journal_regenerated(j, it->regenerates.v[i]);
		}
		exec_result_free(&res);
		free(cmdline);
		return e;
	}
	}
	if (e < 0)
		*err = xasprintf("could not change '%s': %s", it->path, rootfs_strerror(e));
	return e;
}

int platform_fix(struct ctx *ctx)
{
	struct report before, after;
	struct plan plan = { 0 };
	struct journal *j = NULL;
	char *err = NULL;
	bool have_after = false;
	memset(&after, 0, sizeof(after));
	int ret = cli_prepare(ctx, &before, "fix");
	if (ret)
		goto out;
	if (!ctx->opt.dry_run && geteuid() != 0) {
		fprintf(stderr, "%s: fix changes system files and needs root (try --dry-run to see the plan)\n",
			progname);
		ret = EXIT_NOPERM;
		goto out;
	}
	cli_run_checks(ctx, &before);

	plan.rfs = ctx->rfs;
	for (size_t i = 0; platform_checks[i]; i++) {
		const struct check *c = platform_checks[i];
		if (!c->plan || !cli_selected(ctx, c) || !fix_has_failure(&before, c))
			continue;
		if (!opt_in_enabled(ctx, c)) {
			plan_note(&plan, "%s: repairing it needs %s", c->id, c->opt_in);
			continue;
		}
		c->plan(ctx, &ctx->facts, &plan);
	}
	size_t n = plan_count(&plan);
	FILE *pout = ctx->opt.format == FMT_JSON || ctx->opt.output ? stderr : stdout;
	bool color = cli_color(ctx, pout);
	if (n == 0) {
		fprintf(pout, "%s: nothing to change%s\n", progname,
			plan.notes.n ? " that this version can repair automatically" : "");
		plan_print(&plan, pout, color);
		ret = fix_output_verdict(ctx, &before);
		goto out;
	}
	fprintf(pout, "%s%s plan: %zu change%s to %s%s\n", color ? "\033[1m" : "", ctx->opt.dry_run ? "Dry run:" : "Fix",
		n, n == 1 ? "" : "s", rootfs_root(ctx->rfs), color ? "\033[0m" : "");
	plan_print(&plan, pout, color);
	fflush(pout);
	if (ctx->opt.dry_run) {
		fprintf(pout, "\n%s: --dry-run: nothing was changed\n", progname);
		ret = fix_output_verdict(ctx, &before);
		goto out;
	}
	if (!ctx->opt.yes) {
		if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
			fprintf(stderr, "%s: refusing to change the system without confirmation: not on a terminal; "
					"run with --yes to apply the plan\n",
				progname);
			ret = EXIT_USAGE;
			goto out;
		}
		if (!fix_confirm(n)) {
			fprintf(stderr, "%s: nothing was changed\n", progname);
			ret = EXIT_READY;
			goto out;
		}
	}

	journal_sweep(ctx->rfs);
	int e = journal_begin(ctx->rfs, "fix", &j);
	if (e < 0) {
		fprintf(stderr, "%s: could not start the journal under %s%s: %s\n", progname,
			rootfs_is_live(ctx->rfs) ? "" : rootfs_root(ctx->rfs), JOURNAL_STATE_DIR, rootfs_strerror(e));
		ret = e == -EACCES || e == -EPERM || e == -EROFS ? EXIT_NOPERM : EXIT_FIX_FAILED;
		goto out;
	}
	for (size_t i = 0; i < plan.n && !err; i++) {
		const struct plan_item *it = &plan.v[i];
		if (it->kind == PLAN_WRITE && (!it->checks.n || (it->existed && it->old_len == it->new_len &&
								   memcmp(it->old_data, it->new_data, it->old_len) == 0)))
			continue;
		apply_item(ctx, j, it, &err);
	}
	if (err) {
		ret = fix_failed(ctx, j, &before, err);
		goto out;
	}
	journal_end(j, true, NULL);
	fprintf(pout, "\n%s: applied %zu change%s (run %s; undo with 'cvmprep rollback%s%s')\n", progname, n,
		n == 1 ? "" : "s", journal_run_id(j), ctx->opt.root ? " --root " : "", ctx->opt.root ? ctx->opt.root : "");

	/* Check again, from fresh facts. */
	facts_free(&ctx->facts);
	report_init(&after, "fix", ctx->opt.root, platform_name);
	have_after = true;
	ctx->report = &after;
	platform_identify(ctx);
	cli_run_checks(ctx, &after);
	fix_mark_fixed(&before, NULL, &after);
	after.changes = journal_changes(j);
	for (size_t i = 0; i < plan.notes.n; i++)
		strvec_push(&after.warnings, plan.notes.v[i]);
	ret = fix_output_verdict(ctx, &after);
out:
	free(err);
	journal_free(j);
	plan_free(&plan);
	if (have_after)
		report_free(&after);
	report_free(&before);
	return ret;
}

int platform_rollback(struct ctx *ctx)
{
	struct report r;
	struct changes changes = { 0 };
	int ret = cli_prepare(ctx, &r, "rollback");
	if (ret)
		goto out;
	if (ctx->opt.list) {
		struct run_info *runs;
		size_t n;
		int e = journal_list(ctx->rfs, &runs, &n);
		if (e < 0) {
			fprintf(stderr, "%s: could not read the journal: %s\n", progname, rootfs_strerror(e));
			ret = EXIT_INTERNAL;
			goto out;
		}
		if (!n)
			printf("no fix runs recorded under %s%s/runs\n", ctx->opt.root ? ctx->opt.root : "",
			       JOURNAL_STATE_DIR);
		rollback_print_runs(runs, n);
		run_info_free(runs, n);
		ret = EXIT_READY;
		goto out;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "%s: rollback changes system files and needs root\n", progname);
		ret = EXIT_NOPERM;
		goto out;
	}
	char *conflict = NULL, *err = NULL;
	int e = journal_rollback(ctx->rfs, ctx->opt.run_id, ctx->opt.force, &changes, &conflict, &err);
	ret = rollback_report(ctx, &r, &changes, e, err);
	free(conflict);
	free(err);
out:
	changes_free(&changes);
	report_free(&r);
	return ret;
}
