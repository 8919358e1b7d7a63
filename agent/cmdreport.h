/*
 * The options and output every reporting command besides `check` shares (url-check, image):
 * --config, --format, --output, --color, --quiet, --verbose, and writing the report.
 */
#ifndef CVMPREP_CMDREPORT_H
#define CVMPREP_CMDREPORT_H

#include <getopt.h>

#include "ctx.h"
#include "report.h"

enum {
	CMDOPT_CONFIG = 0x200,
	CMDOPT_FORMAT,
	CMDOPT_OUTPUT,
	CMDOPT_COLOR,
};

/* The common long options, to append to a command's own table (NULL-terminated, with --help). */
#define CMDREPORT_LONG_OPTIONS                                          \
	{ "config", required_argument, NULL, CMDOPT_CONFIG },           \
	{ "format", required_argument, NULL, CMDOPT_FORMAT },           \
	{ "output", required_argument, NULL, CMDOPT_OUTPUT },           \
	{ "color", required_argument, NULL, CMDOPT_COLOR },             \
	{ "colour", required_argument, NULL, CMDOPT_COLOR },            \
	{ "quiet", no_argument, NULL, 'q' },                            \
	{ "verbose", no_argument, NULL, 'v' },                          \
	{ "help", no_argument, NULL, 'h' }

/* The help lines of the common options. */
extern const char cmdreport_help[];

/*
 * Apply option opt (from getopt_long) if it is a common one. Returns 1 when handled, 0 when it
 * is not a common option, -1 after printing a usage error.
 */
int cmdreport_option(const char *cmd, int opt, const char *arg, struct options *o);

/* Print a usage error for cmd ("cvmprep: CMD: ...") and the --help hint. */
void cmdreport_usage(const char *cmd, const char *fmt, ...) ATTR_PRINTF(2, 3);

/*
 * Write the report as text or JSON to stdout or --output. Returns the exit status the report
 * gives (0/1/2), or EXIT_INTERNAL/EXIT_NOPERM when it could not be written.
 */
int cmdreport_emit(const struct report *r, const struct options *o);

#endif
