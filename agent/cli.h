/* What the commands share: option parsing, preparing the target, running checks, printing reports. */
#ifndef CVMPREP_CLI_H
#define CVMPREP_CLI_H

#include <stdbool.h>

#include "ctx.h"
#include "report.h"

extern const char *progname;

void usage_error(const char *fmt, ...) ATTR_PRINTF(1, 2);

/* Load the configuration, open the target (--root or live) and identify it. 0 or an exit code. */
int cli_prepare(struct ctx *ctx, struct report *r, const char *command);
/* Run the checks --only/--skip/config select (and the opt-in ones the options enable). */
void cli_run_checks(struct ctx *ctx, struct report *r);
/* Whether check c is selected by --only/--skip and the config file. */
bool cli_selected(const struct ctx *ctx, const struct check *c);
/* Sort and print the report (stdout or --output). 0 or an exit code. */
int cli_output(struct ctx *ctx, struct report *r);
/* Print a report as it is (text or JSON, to stdout or --output, coloured as opt says). 0 or an exit code. */
int cli_write_report(const struct report *r, const struct options *opt);
/* Release what cli_prepare and option parsing allocated. */
void cli_release(struct ctx *ctx);
/* Whether colour escapes go to fp under the current options. */
bool cli_color(const struct ctx *ctx, FILE *fp);

/* Platform commands (linux/fix.c; the Windows build says they are not available yet). */
int platform_fix(struct ctx *ctx);
int platform_rollback(struct ctx *ctx);

#endif
