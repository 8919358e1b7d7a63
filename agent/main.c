/* The command line: one table of commands, each parsing its own options (after kmod's tools/kmod.c). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "ctx.h"
#include "imagecheck.h"
#include "platform.h"
#include "report.h"
#include "version.h"
#include "banned.h"

#ifdef _WIN32
#define JOURNAL_PLACE "%ProgramData%\\cvmprep\\runs"
#define ADMIN "administrator rights"
#else
#define JOURNAL_PLACE "/var/lib/cvmprep/runs"
#define ADMIN "root"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
	const char *help;
};

static int cmd_check(int argc, char **argv);
static int cmd_fix(int argc, char **argv);
static int cmd_rollback(int argc, char **argv);
static int cmd_explain(int argc, char **argv);

static const struct command commands[] = {
	{ "check", cmd_check, "[--root DIR] [--only IDS] [--skip IDS] [--format text|json] [--output FILE]",
	  "inspect the system and predict every import error (changes nothing)" },
	{ "fix", cmd_fix,
	  "[--root DIR] [--dry-run] [--yes] [--only IDS] [--skip IDS] [--forced-import] [--generalize]\n"
	  "                    [--install-packages]",
	  "repair what check found, journaled and reversible" },
	{ "rollback", cmd_rollback, "[--root DIR] [--list] [--run RUN_ID] [--force]",
	  "undo the last (or the named) fix run" },
	{ "url-check", cmd_url_check, "URL [--region REGION] [--timeout SECONDS]",
	  "check a COS image URL: host, signature, region, public-read, format and size" },
	{ "image", cmd_image, "FILE", "check a disk image file: format, virtual size, size as qcow2, partitions" },
	{ "explain", cmd_explain, "CHECK_ID | --list",
	  "what a check looks at, why it matters for the import, and how to fix it by hand" },
};

static void print_usage(FILE *out)
{
	fprintf(out, "usage: %s COMMAND [OPTIONS]\n\n", progname);
	fputs("Prepare a VM for import into Tencent Cloud CVM: find what would make the import fail\n"
	      "or the instance not boot, and fix it before the disk is exported.\n\ncommands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs("\nusage of each command:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %s %s %s\n", progname, commands[i].name, commands[i].synopsis);
	fputs("\noptions:\n"
	      "  -h, --help       show this help, or a command's help after the command\n"
	      "  -V, --version    show the version\n\n",
	      out);
	fprintf(out, "'%s COMMAND --help' shows the options of a command.\n", progname);
	fputs("exit status: 0 ready, 1 ready with warnings, 2 not ready, 3 fix/rollback incomplete,\n"
	      "             64 usage error, 69 service unavailable, 70 internal error, 77 permission denied\n",
	      out);
}

/* ---- options: one table, each command takes a subset ---- */

enum {
	OPT_CONFIG = 0x100,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_COLOR,
	OPT_ONLY,
	OPT_SKIP,
	OPT_ROOT,
	OPT_DRY_RUN,
	OPT_YES,
	OPT_GENERALIZE,
	OPT_FORCED_IMPORT,
	OPT_INSTALL_PACKAGES,
	OPT_LIST,
	OPT_RUN,
	OPT_FORCE,
};

enum { F_CHECK = 1, F_FIX = 2, F_ROLLBACK = 4, F_ALL = 7 };

struct optdef {
	struct option opt;
	unsigned cmds;
	const char *arg, *help;
};

static const struct optdef optdefs[] = {
	{ { "root", required_argument, NULL, OPT_ROOT }, F_ALL, "DIR",
	  "work on the system tree at DIR (a mounted image, a chroot), not the running system" },
	{ { "only", required_argument, NULL, OPT_ONLY }, F_CHECK | F_FIX, "IDS",
	  "only these checks (comma-separated IDs or prefixes such as net.)" },
	{ { "skip", required_argument, NULL, OPT_SKIP }, F_CHECK | F_FIX, "IDS", "not these checks (IDs or prefixes)" },
	{ { "dry-run", no_argument, NULL, OPT_DRY_RUN }, F_FIX, NULL,
	  "show the plan (diffs and commands) and change nothing" },
	{ { "yes", no_argument, NULL, 'y' }, F_FIX, NULL, "apply without asking (required when not on a terminal)" },
	{ { "generalize", no_argument, NULL, OPT_GENERALIZE }, F_FIX, NULL,
	  "also reset machine-id, SSH host keys, DHCP leases and shell history" },
	{ { "forced-import", no_argument, NULL, OPT_FORCED_IMPORT }, F_FIX, NULL,
	  "install the config-drive boot script for images without cloud-init" },
	{ { "install-packages", no_argument, NULL, OPT_INSTALL_PACKAGES }, F_FIX, NULL,
	  "let fix install cloud-init and remove old guest tools with the package manager" },
	{ { "list", no_argument, NULL, OPT_LIST }, F_ROLLBACK, NULL, "list the recorded fix runs" },
	{ { "run", required_argument, NULL, OPT_RUN }, F_ROLLBACK, "RUN_ID", "roll back this run, not the last one" },
	{ { "force", no_argument, NULL, OPT_FORCE }, F_ROLLBACK, NULL,
	  "restore even files that changed after the fix wrote them" },
	{ { "config", required_argument, NULL, OPT_CONFIG }, F_ALL, "FILE", NULL },
	{ { "format", required_argument, NULL, OPT_FORMAT }, F_ALL, "FMT", "text (default) or json" },
	{ { "output", required_argument, NULL, OPT_OUTPUT }, F_ALL, "FILE",
	  "write the report to FILE instead of standard output" },
	{ { "color", required_argument, NULL, OPT_COLOR }, F_ALL, "WHEN", "auto (default: on a terminal), always, never" },
	{ { "colour", required_argument, NULL, OPT_COLOR }, F_ALL, "WHEN", NULL },
	{ { "quiet", no_argument, NULL, 'q' }, F_ALL, NULL, "print only blockers, warnings, errors and the verdict" },
	{ { "verbose", no_argument, NULL, 'v' }, F_ALL, NULL, "print each finding's subject and evidence" },
	{ { "help", no_argument, NULL, 'h' }, F_ALL, NULL, "show this help" },
};

static void command_help(const struct command *c, unsigned mask, const char *description)
{
	printf("usage: %s %s %s\n\n%s\n\noptions:\n", progname, c->name, c->synopsis, description);
	for (size_t i = 0; i < ARRAY_SIZE(optdefs); i++) {
		const struct optdef *d = &optdefs[i];
		if (!(d->cmds & mask) || (d->opt.val == OPT_ROOT && !platform_has_root))
			continue;
		if (d->opt.val == OPT_CONFIG) {
			printf("      --config FILE          configuration file (default %s)\n", config_default_path());
			continue;
		}
		if (!d->help)
			continue;
		char lhs[64];
		char shortopt = d->opt.val == 'q' || d->opt.val == 'v' || d->opt.val == 'h' || d->opt.val == 'y'
					? (char)d->opt.val
					: 0;
		snprintf(lhs, sizeof(lhs), "%s%c%s--%s%s%s", shortopt ? "-" : "  ", shortopt ? shortopt : ' ',
			 shortopt ? ", " : "  ", d->opt.name, d->arg ? " " : "", d->arg ? d->arg : "");
		printf("  %-26s %s\n", lhs, d->help);
	}
	printf("\nexit status: 0 ready, 1 ready with warnings, 2 not ready, 3 fix/rollback incomplete,\n"
	       "             64 usage error, 69 tool unavailable, 70 internal error, 77 permission denied.\n"
	       "'%s explain --list' lists the check IDs.\n",
	       progname);
}

/* Parse argv for command c; returns -1 to go on, or an exit code (help printed, usage error). */
static int parse_options(int argc, char **argv, const struct command *c, unsigned mask, const char *description,
			 struct ctx *ctx)
{
	struct option longopts[ARRAY_SIZE(optdefs) + 1];
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(optdefs); i++)
		if (optdefs[i].cmds & mask)
			longopts[n++] = optdefs[i].opt;
	memset(&longopts[n], 0, sizeof(longopts[n]));
	const char *shortopts = mask == F_FIX ? "qvhy" : "qvh";
	struct options *o = &ctx->opt;
	int opt;
	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_ROOT:
			if (!platform_has_root) {
				usage_error("--root is not available on %s", platform_name);
				return EXIT_USAGE;
			}
			o->root = optarg;
			break;
		case OPT_ONLY:
			str_split(&o->only, optarg, ", ");
			break;
		case OPT_SKIP:
			str_split(&o->skip, optarg, ", ");
			break;
		case OPT_CONFIG:
			o->config_path = optarg;
			o->config_explicit = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o->format = FMT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = FMT_JSON;
			else {
				usage_error("--format must be text or json, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_OUTPUT:
			o->output = optarg;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = COLOR_AUTO;
			else if (strcmp(optarg, "always") == 0)
				o->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->color = COLOR_NEVER;
			else {
				usage_error("--color must be auto, always or never, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case 'y':
			o->yes = true;
			break;
		case OPT_GENERALIZE:
			o->generalize = true;
			break;
		case OPT_FORCED_IMPORT:
			o->forced_import = true;
			break;
		case OPT_INSTALL_PACKAGES:
			o->install_packages = true;
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case OPT_RUN:
			o->run_id = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			command_help(c, mask, description);
			return EXIT_READY;
		default:
			fprintf(stderr, "Try '%s %s --help' for more information.\n", progname, c->name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage_error("%s: unexpected argument '%s'", c->name, argv[optind]);
		return EXIT_USAGE;
	}
	const char *bad = check_unknown_pattern(&o->only);
	if (!bad)
		bad = check_unknown_pattern(&o->skip);
	if (bad) {
		usage_error("no check ID or prefix matches '%s' (see '%s explain --list')", bad, progname);
		return EXIT_USAGE;
	}
	return -1;
}

static void ctx_init(struct ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	config_init(&ctx->cfg);
	ctx->opt.config_path = config_default_path();
}

/* ---- commands ---- */

static int cmd_check(int argc, char **argv)
{
	struct ctx ctx;
	struct report r;
	ctx_init(&ctx);
	memset(&r, 0, sizeof(r));
	int ret = parse_options(argc, argv, &commands[0], F_CHECK,
				"Inspect the system (or an offline tree with --root) and report every reason the\n"
				"import into Tencent Cloud CVM would fail or the instance would not boot or be\n"
				"reachable. Changes nothing.",
				&ctx);
	if (ret >= 0)
		goto out;
	ret = cli_prepare(&ctx, &r, "check");
	if (ret)
		goto out;
	cli_run_checks(&ctx, &r);
	ret = cli_output(&ctx, &r);
	if (ret == 0) {
		struct summary s;
		report_summarise(&r, &s);
		ret = report_exit_code(&s);
	}
out:
	report_free(&r);
	cli_release(&ctx);
	return ret;
}

static int cmd_fix(int argc, char **argv)
{
	struct ctx ctx;
	ctx_init(&ctx);
	int ret = parse_options(argc, argv, &commands[1], F_FIX,
				"Plan the repairs of what check finds (each file change as a unified diff, each\n"
				"command), ask for confirmation on a terminal unless --yes, apply them through a\n"
				"journal under " JOURNAL_PLACE " (every change reversible with\n"
				"'cvmprep rollback'), then check again and print the new report. Needs " ADMIN ".",
				&ctx);
	if (ret < 0)
		ret = platform_fix(&ctx);
	cli_release(&ctx);
	return ret;
}

static int cmd_rollback(int argc, char **argv)
{
	struct ctx ctx;
	ctx_init(&ctx);
	int ret = parse_options(argc, argv, &commands[2], F_ROLLBACK,
				"Undo the last fix run (or the one named with --run): restore every file it changed\n"
				"byte for byte with its mode, owner and timestamps, move back what it moved aside,\n"
				"and remove what it created. Refuses, naming the file, when a file changed after\n"
				"the fix wrote it, unless --force. Needs " ADMIN ".",
				&ctx);
	if (ret < 0)
		ret = platform_rollback(&ctx);
	cli_release(&ctx);
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
		for (size_t i = 0; command_checks[i]; i++) /* run by url-check and image, not by check */
			printf("%-26s %s\n", command_checks[i]->id, command_checks[i]->title);
		return EXIT_READY;
	}
	if (optind + 1 != argc) {
		usage_error(optind < argc ? "explain takes one check ID" : "explain needs a check ID (or --list)");
		return EXIT_USAGE;
	}
	const struct check *c = check_find(argv[optind]);
	if (!c)
		c = command_check_find(argv[optind]);
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
