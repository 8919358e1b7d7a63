/* What each platform (linux/, windows/) provides to the portable core. */
#ifndef CVMPREP_PLATFORM_H
#define CVMPREP_PLATFORM_H

#include <stdbool.h>
#include <stdio.h>

struct ctx;

/* "linux" or "windows": the report's target.platform. */
extern const char platform_name[];
/* Whether --root is meaningful here. */
extern const bool platform_has_root;

/* Fill ctx->report->os from the target (called once before the checks run). */
void platform_identify(struct ctx *ctx);
/* Whether stdout-like stream is a terminal that understands colour escapes. */
bool platform_isatty(FILE *fp);
/* Write the --output file through a temporary file and a rename; returns 0 or -errno. */
int platform_write_output(const char *path, void (*write)(FILE *fp, void *arg), void *arg);

#endif
