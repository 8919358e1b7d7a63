/* The Windows checks and their probes. */
#ifndef CVMPREP_WINCHECKS_H
#define CVMPREP_WINCHECKS_H

#include "check.h"
#include "ctx.h"
#include "facts.h"

extern const struct check check_win_os;
extern const struct check check_win_activation;

void probe_winver(struct ctx *ctx, struct facts *f);

#endif
