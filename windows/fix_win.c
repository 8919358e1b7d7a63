/*
 * fix and rollback on Windows: plan with the checks' planners (files, registry values, driver
 * packages, installers), show the plan, confirm, apply it through the journal
 * (windows/journal_win.c), check again; or undo a recorded run. Installers change what the
 * other checks see (the driver's service key, cloudbase-init's files), so they run first, the
 * checks run again, and the rest is planned from what is there now, in the same journal run.
 */
#include <errno.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "drvinst.h"
#include "fake.h"
#include "fixcmd.h"
#include "platform.h"
#include "winfacts.h"
#include "winplan.h"
#include "winsys.h"
#include "wjournal.h"
#include "banned.h"

#define INSTALLER_TIMEOUT 3600
#define COMMAND_TIMEOUT 600

static bool opt_in_enabled(const struct ctx *ctx, const struct check *c)
{
	if (c->fix != FIX_OPT_IN)
		return true;
	return c->opt_in && strstr(c->opt_in, "--install-packages") && ctx->opt.install_packages;
}

/* Ask every planner whose check failed in r. */
static void plan_all(struct ctx *ctx, const struct report *r, struct winplan *wp)
{
	wp->base.rfs = ctx->rfs;
	for (size_t i = 0; platform_checks[i]; i++) {
		const struct check *c = platform_checks[i];
		if (!c->plan || !cli_selected(ctx, c) || !fix_has_failure(r, c))
			continue;
		if (!opt_in_enabled(ctx, c)) {
			plan_note(&wp->base, "%s: repairing it needs %s", c->id, c->opt_in);
			continue;
		}
		c->plan(ctx, &ctx->facts, &wp->base);
	}
}

/* Gather the facts again and run the checks into r. */
static void recheck(struct ctx *ctx, struct report *r, const char *command)
{
	facts_free(&ctx->facts); /* the Windows facts too */
	report_init(r, command, NULL, platform_name);
	ctx->report = r;
	platform_identify(ctx);
	cli_run_checks(ctx, r);
}

static char *join_argv(const struct strvec *argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < argv->n; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		win_quote_arg(&sb, argv->v[i]);
	}
	return strbuf_detach(&sb);
}

static int run_step_command(struct journal *j, const struct wstep *s, bool msi, char **err)
{
	const char **argv = xcalloc(s->argv.n + 1, sizeof(*argv));
	for (size_t i = 0; i < s->argv.n; i++)
		argv[i] = s->argv.v[i];
	char *cmdline = join_argv(&s->argv), *out = NULL, *rerr = NULL;
	fprintf(stderr, "%s: running %s\n", progname, cmdline);
	int status = -1;
	int e = win_run(argv, s->kind == WS_COMMAND ? COMMAND_TIMEOUT : INSTALLER_TIMEOUT, &status, &out, &rerr);
	journal_command(j, cmdline, e < 0 ? e : status);
	/* msiexec: 3010 and 1641 mean success with a restart to come. */
	bool ok = e == 0 && (status == 0 || (msi && (status == 3010 || status == 1641)));
	if (!ok) {
		if (e < 0)
			*err = xasprintf("%s", rerr ? rerr : "the command could not be run");
		else
			*err = xasprintf("'%s' failed (exit status %d)%s%s", cmdline, status, out && *out ? ":\n" : "",
					 out ? out : "");
	}
	free(argv);
	free(cmdline);
	free(out);
	free(rerr);
	return ok ? 0 : -EIO;
}

static const struct plan_item *file_item(const struct winplan *wp, const char *path)
{
	for (size_t i = 0; i < wp->base.n; i++)
		if (wp->base.v[i].kind == PLAN_WRITE && strcmp(wp->base.v[i].path, path) == 0)
			return &wp->base.v[i];
	return NULL;
}

static int apply_step(struct ctx *ctx, struct journal *j, const struct winplan *wp, const struct wstep *s, char **err)
{
	int e = 0;
	switch (s->kind) {
	case WS_FILE: {
		const struct plan_item *it = file_item(wp, s->path);
		if (!it || (it->existed && it->old_len == it->new_len && memcmp(it->old_data, it->new_data, it->old_len) == 0))
			return 0;
		e = journal_replace(j, s->path, it->new_data, it->new_len, 0644);
		if (e < 0)
			*err = xasprintf("could not write '%s': %s", s->path, rootfs_strerror(e));
		return e;
	}
	case WS_REG:
		e = journal_reg_set(j, s->key, s->name, &s->want);
		if (e < 0)
			*err = xasprintf("could not set '%s\\%s': %s", s->key, s->name, strerror(-e));
		return e;
	case WS_DRIVER: {
		char *note = NULL, *published = NULL, *package = NULL, *derr = NULL;
		e = drv_trust_signer(j, s->path, &note, &derr);
		if (note)
			fprintf(stderr, "%s: %s\n", progname, note);
		if (e == 0)
			e = journal_driver_begin(j, s->path);
		if (e == 0) {
			e = drv_stage(ctx->facts.win ? ctx->facts.win->fake : NULL, &ctx->facts.winver, s->path, &published,
				      &package, &derr);
			if (e == 0)
				e = journal_driver_staged(j, s->path, published, package);
		}
		if (e < 0)
			*err = derr ? derr : xasprintf("could not stage '%s': %s", s->path, strerror(-e));
		else
			free(derr);
		free(note);
		free(published);
		free(package);
		return e;
	}
	case WS_MSI:
		e = journal_msi(j, s->path);
		if (e < 0) {
			*err = xasprintf("could not write the journal: %s", strerror(-e));
			return e;
		}
		return run_step_command(j, s, true, err);
	case WS_EXE:
		return run_step_command(j, s, false, err);
	case WS_COMMAND: {
		char *cerr = NULL;
		e = run_step_command(j, s, false, &cerr);
		if (e < 0 && s->optional) {
			fprintf(stderr, "%s: warning: %s\n", progname, cerr);
			free(cerr);
			return 0;
		}
		*err = cerr;
		return e;
	}
	}
	return 0;
}

/* Apply the plan's installers (installers true) or the other steps; stops at the first error. */
static int apply_steps(struct ctx *ctx, struct journal *j, const struct winplan *wp, bool installers, char **err)
{
	/* Files and registry first, commands (powercfg) last: they act on what was just set. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < wp->n; i++) {
			const struct wstep *s = &wp->v[i];
			if (s->installer != installers || (s->kind == WS_COMMAND) != (pass == 1))
				continue;
			if (apply_step(ctx, j, wp, s, err) < 0)
				return -1;
		}
	return 0;
}

int platform_fix(struct ctx *ctx)
{
	struct report before, mid, after;
	struct winplan wp, wp2;
	struct journal *j = NULL;
	char *err = NULL;
	bool have_mid = false, have_after = false;
	memset(&wp, 0, sizeof(wp));
	memset(&wp2, 0, sizeof(wp2));
	memset(&mid, 0, sizeof(mid));
	memset(&after, 0, sizeof(after));
	int ret = cli_prepare(ctx, &before, "fix");
	if (ret)
		goto out;
	if (!ctx->opt.dry_run && !win_is_admin()) {
		fprintf(stderr, "%s: fix changes system settings and needs administrator rights (run it from an elevated "
				"prompt; try --dry-run to see the plan)\n",
			progname);
		ret = EXIT_NOPERM;
		goto out;
	}
	cli_run_checks(ctx, &before);
	plan_all(ctx, &before, &wp);
	size_t n = winplan_count(&wp);
	bool staged = winplan_has_installer(&wp);
	FILE *pout = ctx->opt.format == FMT_JSON || ctx->opt.output ? stderr : stdout;
	bool color = cli_color(ctx, pout);
	if (n == 0) {
		fprintf(pout, "%s: nothing to change%s\n", progname,
			wp.base.notes.n ? " that this version can repair automatically" : "");
		winplan_print(&wp, pout, color);
		ret = fix_output_verdict(ctx, &before);
		goto out;
	}
	char *state = journal_state_dir_win();
	fprintf(pout, "%s%s plan: %zu change%s%s\n", color ? "\033[1m" : "", ctx->opt.dry_run ? "Dry run:" : "Fix", n,
		n == 1 ? "" : "s", color ? "\033[0m" : "");
	winplan_print(&wp, pout, color);
	if (staged)
		fprintf(pout, "\nAfter the installers, cvmprep checks again and plans what depends on them (service "
			      "values, driver bindings, configuration files).\n");
	fflush(pout);
	if (ctx->opt.dry_run) {
		fprintf(pout, "\n%s: --dry-run: nothing was changed\n", progname);
		free(state);
		ret = fix_output_verdict(ctx, &before);
		goto out;
	}
	if (!ctx->opt.yes) {
		if (!_isatty(_fileno(stdin)) || !_isatty(_fileno(stderr))) {
			fprintf(stderr, "%s: refusing to change the system without confirmation: not on a terminal; run "
					"with --yes to apply the plan\n",
				progname);
			free(state);
			ret = EXIT_USAGE;
			goto out;
		}
		if (!fix_confirm(n)) {
			fprintf(stderr, "%s: nothing was changed\n", progname);
			free(state);
			ret = EXIT_READY;
			goto out;
		}
	}
	journal_sweep(ctx->rfs);
	int e = journal_begin(ctx->rfs, "fix", &j);
	if (e < 0) {
		fprintf(stderr, "%s: could not start the journal under %s\\runs: %s\n", progname, state, strerror(-e));
		free(state);
		ret = e == -EACCES ? EXIT_NOPERM : EXIT_FIX_FAILED;
		goto out;
	}
	free(state);
	const struct winplan *rest = &wp;
	if (staged) {
		if (apply_steps(ctx, j, &wp, true, &err) == 0) {
			/* What the installers did must show: their checks pass now. */
			recheck(ctx, &mid, "fix");
			have_mid = true;
			for (size_t i = 0; i < wp.n && !err; i++) {
				if (!wp.v[i].installer)
					continue;
				for (size_t k = 0; k < wp.v[i].checks.n && !err; k++) {
					const struct check *c = check_find(wp.v[i].checks.v[k]);
					if (c && fix_has_failure(&mid, c))
						err = xasprintf("%s still fails after '%s' was installed", c->id, wp.v[i].path);
				}
			}
			if (!err) {
				plan_all(ctx, &mid, &wp2);
				size_t n2 = winplan_count(&wp2);
				if (winplan_has_installer(&wp2))
					err = xstrdup("the installers left something to install; not going on");
				else if (n2) {
					fprintf(pout, "\n%sThen: %zu change%s%s\n", color ? "\033[1m" : "", n2, n2 == 1 ? "" : "s",
						color ? "\033[0m" : "");
					winplan_print(&wp2, pout, color);
					fflush(pout);
					if (!ctx->opt.yes && !fix_confirm(n2))
						err = xstrdup("the second part of the plan was declined");
				}
				rest = &wp2;
			}
		}
	}
	if (!err)
		apply_steps(ctx, j, rest, false, &err);
	if (err) {
		ret = fix_failed(ctx, j, &before, err);
		goto out;
	}
	journal_end(j, true, NULL);
	size_t total = n + (staged ? winplan_count(&wp2) : 0);
	fprintf(pout, "\n%s: applied %zu change%s (run %s; undo with 'cvmprep rollback')\n", progname, total,
		total == 1 ? "" : "s", journal_run_id(j));
	recheck(ctx, &after, "fix");
	have_after = true;
	fix_mark_fixed(&before, have_mid ? &mid : NULL, &after);
	after.changes = journal_changes(j);
	/* After installers the second plan's notes are the ones still true. */
	const struct winplan *last = staged ? &wp2 : &wp;
	for (size_t i = 0; i < last->base.notes.n; i++)
		strvec_push(&after.warnings, last->base.notes.v[i]);
	ret = fix_output_verdict(ctx, &after);
out:
	free(err);
	journal_free(j);
	winplan_free(&wp);
	winplan_free(&wp2);
	if (have_after)
		report_free(&after);
	if (have_mid)
		report_free(&mid);
	report_free(&before);
	win_facts_free(ctx->facts.win);
	ctx->facts.win = NULL;
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
		journal_list(ctx->rfs, &runs, &n);
		if (!n) {
			char *state = journal_state_dir_win();
			printf("no fix runs recorded under %s\\runs\n", state);
			free(state);
		}
		rollback_print_runs(runs, n);
		run_info_free(runs, n);
		ret = EXIT_READY;
		goto out;
	}
	if (!win_is_admin()) {
		fprintf(stderr, "%s: rollback changes system settings and needs administrator rights\n", progname);
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
	win_facts_free(ctx->facts.win);
	ctx->facts.win = NULL;
	return ret;
}
