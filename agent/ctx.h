/* The context of one command run: options, configuration, the target and its gathered facts. */
#ifndef CVMPREP_CTX_H
#define CVMPREP_CTX_H

#include <stdbool.h>

#include "config.h"
#include "facts.h"
#include "report.h"
#include "rootfs.h"
#include "util.h"

enum out_format { FMT_TEXT, FMT_JSON };

struct options {
	const char *root; /* --root, NULL for the live system */
	const char *config_path;
	bool config_explicit;
	enum out_format format;
	const char *output;
	bool quiet, verbose;
	enum color_mode color;
	struct strvec only, skip;
	/* fix */
	bool dry_run, yes, generalize, forced_import, install_packages;
	/* rollback */
	bool list, force;
	const char *run_id;
};

struct ctx {
	struct options opt;
	struct config cfg;
	struct rootfs *rfs;
	struct facts facts;
	struct report *report; /* for warnings probes want to surface about the run */
};

#endif
