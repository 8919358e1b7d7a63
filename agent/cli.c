/* What the commands share: preparing the target, running checks, printing reports (cli.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "ctx.h"
#include "platform.h"
#include "report.h"
#include "version.h"
#include "banned.h"

void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cli_prepare(struct ctx *ctx, struct report *r, const char *command)
{
	char *err = NULL;
	report_init(r, command, ctx->opt.root, platform_name);
	ctx->report = r;
	if (config_load(&ctx->cfg, ctx->opt.config_path, ctx->opt.config_explicit, &r->warnings, &err) < 0) {
		usage_error("%s", err);
		free(err);
		return EXIT_USAGE;
	}
	const char *unknown = check_unknown_pattern(&ctx->cfg.skip);
	if (unknown)
		strvec_pushf(&r->warnings, "%s: [checks] skip names '%s', which matches no check", ctx->cfg.path,
			     unknown);
	/* Config file switches for fix; the command line can only add to them. */
	ctx->opt.generalize = ctx->opt.generalize || ctx->cfg.generalize;
	ctx->opt.forced_import = ctx->opt.forced_import || ctx->cfg.forced_import;
	ctx->opt.install_packages = ctx->opt.install_packages || ctx->cfg.install_packages;
	for (size_t i = 0; i < r->warnings.n; i++)
		fprintf(stderr, "%s: warning: %s\n", progname, r->warnings.v[i]);

	int e = rootfs_open(ctx->opt.root, &ctx->rfs);
	if (e < 0) {
		usage_error("cannot use '%s' as the system root: %s", ctx->opt.root ? ctx->opt.root : "/",
			    rootfs_strerror(e));
		return EXIT_USAGE;
	}
	if (ctx->opt.root && !rootfs_is_dir(ctx->rfs, "/")) {
		usage_error("--root '%s' is not a directory", ctx->opt.root);
		return EXIT_USAGE;
	}
	platform_identify(ctx);
	return 0;
}

bool cli_selected(const struct ctx *ctx, const struct check *c)
{
	if (ctx->opt.only.n && !check_matches(c, &ctx->opt.only))
		return false;
	if (check_matches(c, &ctx->opt.skip))
		return false;
	/* The config file's skip list yields to an explicit --only. */
	if (!ctx->opt.only.n && check_matches(c, &ctx->cfg.skip))
		return false;
	return true;
}

void cli_run_checks(struct ctx *ctx, struct report *r)
{
	for (size_t i = 0; platform_checks[i]; i++) {
		const struct check *c = platform_checks[i];
		if (!cli_selected(ctx, c))
			continue;
		if (c->only_with && !(strcmp(c->only_with, "--generalize") == 0 && ctx->opt.generalize)) {
			/* Named explicitly: say why nothing was checked rather than report nothing. */
			if (ctx->opt.only.n)
				report_add(r, c, ST_SKIP, NULL, "runs only with 'cvmprep fix %s'", c->only_with);
			continue;
		}
		for (size_t p = 0; p < CHECK_MAX_PROBES && c->probes[p]; p++)
			c->probes[p](ctx, &ctx->facts);
		c->rule(&ctx->facts, c, r);
	}
	if (!r->n)
		strvec_push(&r->warnings, "no check ran: --only/--skip (or the config file's skip list) left none");
}

static bool want_color(const struct options *opt, FILE *fp)
{
	if (opt->color == COLOR_ALWAYS)
		return true;
	if (opt->color == COLOR_NEVER || opt->output || opt->format == FMT_JSON)
		return false;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	const char *term = getenv("TERM");
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return platform_isatty(fp);
}

bool cli_color(const struct ctx *ctx, FILE *fp)
{
	return want_color(&ctx->opt, fp);
}

struct render_arg {
	const struct report *r;
	const struct options *opt;
	struct output_opts oo;
};

static void render(FILE *fp, void *arg)
{
	struct render_arg *a = arg;
	if (a->opt->format == FMT_JSON)
		report_write_json(a->r, fp, &a->oo);
	else
		report_write_text(a->r, fp, &a->oo);
}

int cli_write_report(const struct report *r, const struct options *opt)
{
	struct render_arg ra = { .r = r, .opt = opt };
	ra.oo.verbose = opt->verbose;
	ra.oo.quiet = opt->quiet;
	ra.oo.tool_version = CVMPREP_VERSION;
	if (opt->output) {
		ra.oo.color = opt->color == COLOR_ALWAYS;
		int e = platform_write_output(opt->output, render, &ra);
		if (e < 0) {
			fprintf(stderr, "%s: could not write '%s': %s\n", progname, opt->output, strerror(-e));
			return e == -EACCES || e == -EPERM ? EXIT_NOPERM : EXIT_INTERNAL;
		}
		return 0;
	}
	ra.oo.color = want_color(opt, stdout);
	render(stdout, &ra);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: could not write the report: %s\n", progname, strerror(errno));
		return EXIT_INTERNAL;
	}
	return 0;
}

int cli_output(struct ctx *ctx, struct report *r)
{
	report_sort(r);
	return cli_write_report(r, &ctx->opt);
}

void cli_release(struct ctx *ctx)
{
	facts_free(&ctx->facts);
	rootfs_close(ctx->rfs);
	ctx->rfs = NULL;
	config_free(&ctx->cfg);
	strvec_clear(&ctx->opt.only);
	strvec_clear(&ctx->opt.skip);
}

