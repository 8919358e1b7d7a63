/* Common options and report output of the url-check and image commands. */
#include "cmdreport.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
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

int cmdreport_emit(const struct report *r, const struct options *o)
{
	int e = cli_write_report(r, o);
	if (e)
		return e;
	struct summary s;
	report_summarise(r, &s);
	return report_exit_code(&s);
}
