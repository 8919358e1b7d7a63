/* fix and rollback on Windows: not in this build yet (the Windows fixes come with the win.* checks). */
#include <stdio.h>

#include "cli.h"
#include "banned.h"

int platform_fix(struct ctx *ctx)
{
	(void)ctx;
	fprintf(stderr, "%s: fix is not available in the Windows build yet\n", progname);
	return EXIT_UNAVAILABLE;
}

int platform_rollback(struct ctx *ctx)
{
	(void)ctx;
	fprintf(stderr, "%s: rollback is not available in the Windows build yet\n", progname);
	return EXIT_UNAVAILABLE;
}
