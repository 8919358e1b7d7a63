/* The command line: one table of commands, each parsing its own options (after kmod's tools/kmod.c). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "ctx.h"
#include "platform.h"
#include "report.h"
#include "version.h"
#include "banned.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

static int cmd_check(int argc, char **argv);
static int cmd_explain(int argc, char **argv);

static const struct command commands[] = {
	{ "check", cmd_check, "[--root DIR] [--only IDS] [--skip IDS] [--format text|json] [--output FILE]",
	  "inspect the system and predict every import error (changes nothing)" },
	{ "explain", cmd_explain, "CHECK_ID | --list",
	  "what a check looks at, why it matters for the import, and how to fix it by hand" },
};

static const char *progname = "cvmprep";

static void print_usage(FILE *out)
{
	fprintf(out, "usage: %s COMMAND [OPTIONS]\n\n", progname);
	fputs("Prepare a VM for import into Tencent Cloud CVM: find what would make the import fail\n"
	      "or the instance not boot, before the disk is exported.\n\ncommands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs("\noptions:\n"
	      "  -h, --help       show this help, or a command's help after the command\n"
	      "  -V, --version    show the version\n\n",
	      out);
	fprintf(out, "'%s COMMAND --help' shows the options of a command.\n", progname);
	fputs("exit status: 0 ready, 1 ready with warnings, 2 not ready, 3 fix/rollback incomplete,\n"
	      "             64 usage error, 69 service unavailable, 70 internal error, 77 permission denied\n",
	      out);
}

static void usage_error(const char *fmt, ...) ATTR_PRINTF(1, 2);
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Options every reporting command takes. */
enum {
	OPT_CONFIG = 0x100,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_COLOR,
	OPT_ONLY,
	OPT_SKIP,
	OPT_ROOT,
};

static const struct option check_options[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "colour", required_argument, NULL, OPT_COLOR },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void check_help(FILE *out)
{
	fprintf(out,
		"usage: %s check [OPTIONS]\n\n"
		"Inspect the system (or an offline tree with --root) and report every reason the\n"
		"import into Tencent Cloud CVM would fail or the instance would not boot or be\n"
		"reachable. Changes nothing.\n\n"
		"options:\n"
		"%s"
		"      --only IDS        run only these checks (comma-separated IDs or prefixes: net.)\n"
		"      --skip IDS        do not run these checks (IDs or prefixes)\n"
		"      --config FILE     configuration file (default %s)\n"
		"      --format FMT      text (default) or json\n"
		"      --output FILE     write the report to FILE instead of standard output\n"
		"      --color WHEN      auto (default: on a terminal), always, never\n"
		"  -q, --quiet           print only blockers, warnings, errors and the verdict\n"
		"  -v, --verbose         print each finding's subject and evidence\n"
		"  -h, --help            show this help\n\n"
		"exit status: 0 ready, 1 ready with warnings, 2 not ready, 64 usage error,\n"
		"             70 internal error. 'cvmprep explain --list' lists the check IDs.\n",
		progname,
		platform_has_root ? "      --root DIR        inspect the system tree at DIR (a mounted image, a chroot)\n"
				    "                        instead of the running system\n"
				  : "",
		config_default_path());
}

static int parse_format(const char *v, enum out_format *f)
{
	if (strcmp(v, "text") == 0)
		*f = FMT_TEXT;
	else if (strcmp(v, "json") == 0)
		*f = FMT_JSON;
	else
		return -1;
	return 0;
}

static int parse_color(const char *v, enum color_mode *c)
{
	if (strcmp(v, "auto") == 0)
		*c = COLOR_AUTO;
	else if (strcmp(v, "always") == 0)
		*c = COLOR_ALWAYS;
	else if (strcmp(v, "never") == 0)
		*c = COLOR_NEVER;
	else
		return -1;
	return 0;
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

static void run_checks(struct ctx *ctx, struct report *r)
{
	for (size_t i = 0; platform_checks[i]; i++) {
		const struct check *c = platform_checks[i];
		if (ctx->opt.only.n && !check_matches(c, &ctx->opt.only))
			continue;
		if (check_matches(c, &ctx->opt.skip))
			continue;
		/* The config file's skip list yields to an explicit --only. */
		if (!ctx->opt.only.n && check_matches(c, &ctx->cfg.skip))
			continue;
		for (size_t p = 0; p < CHECK_MAX_PROBES && c->probes[p]; p++)
			c->probes[p](ctx, &ctx->facts);
		c->rule(&ctx->facts, c, r);
	}
}

static int cmd_check(int argc, char **argv)
{
	struct ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	config_init(&ctx.cfg);
	ctx.opt.config_path = config_default_path();
	int ret = EXIT_USAGE, opt;
	char *err = NULL;
	struct report r;
	bool have_report = false;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "qvh", check_options, NULL)) != -1) {
		switch (opt) {
		case OPT_ROOT:
			if (!platform_has_root) {
				usage_error("--root is not available on %s", platform_name);
				goto out;
			}
			ctx.opt.root = optarg;
			break;
		case OPT_ONLY:
			str_split(&ctx.opt.only, optarg, ", ");
			break;
		case OPT_SKIP:
			str_split(&ctx.opt.skip, optarg, ", ");
			break;
		case OPT_CONFIG:
			ctx.opt.config_path = optarg;
			ctx.opt.config_explicit = true;
			break;
		case OPT_FORMAT:
			if (parse_format(optarg, &ctx.opt.format) < 0) {
				usage_error("--format must be text or json, not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_OUTPUT:
			ctx.opt.output = optarg;
			break;
		case OPT_COLOR:
			if (parse_color(optarg, &ctx.opt.color) < 0) {
				usage_error("--color must be auto, always or never, not '%s'", optarg);
				goto out;
			}
			break;
		case 'q':
			ctx.opt.quiet = true;
			break;
		case 'v':
			ctx.opt.verbose = true;
			break;
		case 'h':
			check_help(stdout);
			ret = EXIT_READY;
			goto out;
		default:
			fprintf(stderr, "Try '%s check --help' for more information.\n", progname);
			goto out;
		}
	}
	if (optind < argc) {
		usage_error("check: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	const char *bad = check_unknown_pattern(&ctx.opt.only);
	if (!bad)
		bad = check_unknown_pattern(&ctx.opt.skip);
	if (bad) {
		usage_error("no check ID or prefix matches '%s' (see '%s explain --list')", bad, progname);
		goto out;
	}

	report_init(&r, "check", ctx.opt.root, platform_name);
	have_report = true;
	ctx.report = &r;
	if (config_load(&ctx.cfg, ctx.opt.config_path, ctx.opt.config_explicit, &r.warnings, &err) < 0) {
		usage_error("%s", err);
		goto out;
	}
	if (check_unknown_pattern(&ctx.cfg.skip))
		strvec_pushf(&r.warnings, "%s: [checks] skip names '%s', which matches no check", ctx.cfg.path,
			     check_unknown_pattern(&ctx.cfg.skip));
	for (size_t i = 0; i < r.warnings.n; i++)
		fprintf(stderr, "%s: warning: %s\n", progname, r.warnings.v[i]);

	int e = rootfs_open(ctx.opt.root, &ctx.rfs);
	if (e < 0) {
		usage_error("cannot use '%s' as the system root: %s", ctx.opt.root ? ctx.opt.root : "/",
			    rootfs_strerror(e));
		goto out;
	}
	if (ctx.opt.root && !rootfs_is_dir(ctx.rfs, "/")) {
		usage_error("--root '%s' is not a directory", ctx.opt.root);
		goto out;
	}

	platform_identify(&ctx);
	run_checks(&ctx, &r);
	report_sort(&r);

	struct render_arg ra = { .r = &r, .opt = &ctx.opt };
	ra.oo.verbose = ctx.opt.verbose;
	ra.oo.quiet = ctx.opt.quiet;
	ra.oo.tool_version = CVMPREP_VERSION;
	if (ctx.opt.output) {
		ra.oo.color = ctx.opt.color == COLOR_ALWAYS;
		e = platform_write_output(ctx.opt.output, render, &ra);
		if (e < 0) {
			fprintf(stderr, "%s: could not write '%s': %s\n", progname, ctx.opt.output, strerror(-e));
			ret = e == -EACCES || e == -EPERM ? EXIT_NOPERM : EXIT_INTERNAL;
			goto out;
		}
	} else {
		ra.oo.color = want_color(&ctx.opt, stdout);
		render(stdout, &ra);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "%s: could not write the report: %s\n", progname, strerror(errno));
			ret = EXIT_INTERNAL;
			goto out;
		}
	}
	struct summary s;
	report_summarise(&r, &s);
	ret = report_exit_code(&s);
out:
	free(err);
	if (have_report)
		report_free(&r);
	facts_free(&ctx.facts);
	rootfs_close(ctx.rfs);
	config_free(&ctx.cfg);
	strvec_clear(&ctx.opt.only);
	strvec_clear(&ctx.opt.skip);
	return ret;
}

static const char *fix_text(const struct check *c)
{
	if (c->fix == FIX_NONE)
		return "no automatic fix; see below";
	if (!check_fixable(c))
		return "not repaired by this version of cvmprep; see below";
	return c->fix == FIX_OPT_IN ? "cvmprep fix repairs it when asked to" : "cvmprep fix repairs it";
}

static int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool list = false;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "lh", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 'h':
			printf("usage: %s explain CHECK_ID\n       %s explain --list\n\n"
			       "Print what a check looks at, why it matters for the import, and how to fix\n"
			       "it by hand. --list prints every check ID of this build with its title.\n",
			       progname, progname);
			return EXIT_READY;
		default:
			fprintf(stderr, "Try '%s explain --help' for more information.\n", progname);
			return EXIT_USAGE;
		}
	}
	if (list) {
		if (optind < argc) {
			usage_error("explain --list takes no argument");
			return EXIT_USAGE;
		}
		for (size_t i = 0; platform_checks[i]; i++)
			printf("%-26s %s\n", platform_checks[i]->id, platform_checks[i]->title);
		return EXIT_READY;
	}
	if (optind + 1 != argc) {
		usage_error(optind < argc ? "explain takes one check ID" : "explain needs a check ID (or --list)");
		return EXIT_USAGE;
	}
	const struct check *c = check_find(argv[optind]);
	if (!c) {
		usage_error("no check named '%s' (see '%s explain --list')", argv[optind], progname);
		return EXIT_USAGE;
	}
	printf("%s: %s\n\n", c->id, c->title);
	printf("  fails as:    %s", severity_name(c->severity));
	if (c->error_code)
		printf(" (import error %s)", c->error_code);
	printf("\n  repair:      %s", fix_text(c));
	if (check_fixable(c) && c->fix == FIX_OPT_IN && c->opt_in)
		printf(" (%s)", c->opt_in);
	if (check_fixable(c) && c->fix_description)
		printf(": %s", c->fix_description);
	printf("\n\n%s\n", c->explain);
	return EXIT_READY;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
				if (strcmp(argv[2], commands[i].name) == 0) {
					char *av[] = { argv[2], (char *)"--help", NULL };
					return commands[i].fn(2, av);
				}
		}
		print_usage(stdout);
		return EXIT_READY;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
		printf("cvmprep %s\n", CVMPREP_VERSION);
		return EXIT_READY;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	usage_error("unknown command '%s'", cmd);
	fprintf(stderr, "Try '%s --help' for the list of commands.\n", progname);
	return EXIT_USAGE;
}
