/* Common options and report output of the url-check and image commands. */
#include "cmdreport.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "banned.h"

const char cmdreport_help[] =
	"      --config FILE     configuration file\n"
	"      --format FMT      text (default) or json\n"
	"      --output FILE     write the report to FILE instead of standard output\n"
	"      --color WHEN      auto (default: on a terminal), always, never\n"
	"  -q, --quiet           print only blockers, warnings, errors and the verdict\n"
	"  -v, --verbose         print each finding's subject and evidence\n"
	"  -h, --help            show this help\n";

void cmdreport_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "cvmprep: %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fprintf(stderr, "Try 'cvmprep %s --help' for more information.\n", cmd);
}

int cmdreport_option(const char *cmd, int opt, const char *arg, struct options *o)
{
	switch (opt) {
	case CMDOPT_CONFIG:
		o->config_path = arg;
		o->config_explicit = true;
		return 1;
	case CMDOPT_FORMAT:
		if (strcmp(arg, "text") == 0) {
			o->format = FMT_TEXT;
		} else if (strcmp(arg, "json") == 0) {
			o->format = FMT_JSON;
		} else {
			cmdreport_usage(cmd, "--format must be text or json, not '%s'", arg);
			return -1;
		}
		return 1;
	case CMDOPT_OUTPUT:
		o->output = arg;
		return 1;
	case CMDOPT_COLOR:
		if (strcmp(arg, "auto") == 0) {
			o->color = COLOR_AUTO;
		} else if (strcmp(arg, "always") == 0) {
			o->color = COLOR_ALWAYS;
		} else if (strcmp(arg, "never") == 0) {
			o->color = COLOR_NEVER;
		} else {
			cmdreport_usage(cmd, "--color must be auto, always or never, not '%s'", arg);
			return -1;
		}
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	case 'v':
		o->verbose = true;
		return 1;
	}
	return 0;
}

struct emit_arg {
	const struct report *r;
	const struct options *o;
	struct output_opts oo;
};

static void render(FILE *fp, void *arg)
{
	struct emit_arg *a = arg;
	if (a->o->format == FMT_JSON)
		report_write_json(a->r, fp, &a->oo);
	else
		report_write_text(a->r, fp, &a->oo);
}

static bool want_color(const struct options *o)
{
	if (o->color == COLOR_ALWAYS)
		return true;
	if (o->color == COLOR_NEVER || o->output || o->format == FMT_JSON)
		return false;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	const char *term = getenv("TERM");
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return platform_isatty(stdout);
}

int cmdreport_emit(const struct report *r, const struct options *o)
{
	struct emit_arg a = { .r = r, .o = o };
	a.oo.verbose = o->verbose;
	a.oo.quiet = o->quiet;
	a.oo.tool_version = CVMPREP_VERSION;
	if (o->output) {
		a.oo.color = o->color == COLOR_ALWAYS;
		int e = platform_write_output(o->output, render, &a);
		if (e < 0) {
			fprintf(stderr, "cvmprep: could not write '%s': %s\n", o->output, strerror(-e));
			return e == -EACCES || e == -EPERM ? EXIT_NOPERM : EXIT_INTERNAL;
		}
	} else {
		a.oo.color = want_color(o);
		render(stdout, &a);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "cvmprep: could not write the report: %s\n", strerror(errno));
			return EXIT_INTERNAL;
		}
	}
	struct summary s;
	report_summarise(r, &s);
	return report_exit_code(&s);
}
