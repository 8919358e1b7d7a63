/* Findings and the report that collects them: the data behind the text and JSON output. */
#ifndef CVMPREP_REPORT_H
#define CVMPREP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

enum status { ST_PASS, ST_FAIL, ST_SKIP, ST_FIXED, ST_ERROR };
enum severity { SEV_NONE, SEV_INFO, SEV_WARNING, SEV_BLOCKER };

/* Exit codes: the spec's table. */
enum {
	EXIT_READY = 0,
	EXIT_WARNINGS = 1,
	EXIT_NOT_READY = 2,
	EXIT_FIX_FAILED = 3,
	EXIT_USAGE = 64,
	EXIT_UNAVAILABLE = 69,
	EXIT_INTERNAL = 70,
	EXIT_NOPERM = 77,
};

struct check;

/* What a fix or rollback did, for the report's "changes". */
struct change {
	char *action; /* "write", "create", "move-aside", "symlink", "command", "restore", "remove", ... */
	char *path;   /* a target path, or a command line */
	char *detail; /* or NULL */
	int status;   /* 0, a command's exit status, or -errno */
};

struct changes {
	struct change *v;
	size_t n;
};
void changes_add(struct changes *c, const char *action, const char *path, int status, const char *fmt, ...)
	ATTR_PRINTF(5, 6);
void changes_free(struct changes *c);

struct finding {
	const struct check *check;
	char *subject; /* may be NULL */
	enum status status;
	enum severity severity; /* meaningful when status is fail (and error) */
	const char *error_code; /* static string or NULL */
	char *summary;
	struct strvec evidence;
	bool fix_available;
	const char *fix_opt_in; /* flag that enables the fix, or NULL */
	const char *fix_description;
};

struct os_identity {
	char *id, *version_id, *pretty_name, *arch;
};

struct report {
	const char *command;
	char *root;
	const char *platform;
	struct os_identity os;
	struct finding **findings;
	size_t n, alloc;
	struct strvec warnings; /* messages about the run itself (config file warnings, ...) */
	const struct changes *changes; /* fix and rollback: what was done (not owned) */
};

struct summary {
	size_t blockers, warnings, info, passed, skipped, errors, fixed;
};

void report_init(struct report *r, const char *command, const char *root, const char *platform);
void report_free(struct report *r);

/* Add a finding for check c. Its severity, error code and fix fields start from the check's defaults. */
struct finding *report_add(struct report *r, const struct check *c, enum status st, const char *subject,
			   const char *fmt, ...) ATTR_PRINTF(5, 6);
void finding_evidence(struct finding *f, const char *fmt, ...) ATTR_PRINTF(2, 3);
void finding_set_summary(struct finding *f, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Stable ordering for output: blockers, warnings, info, errors, skips, passes; then by ID, subject. */
void report_sort(struct report *r);
void report_summarise(const struct report *r, struct summary *s);
const char *report_verdict(const struct summary *s);
int report_exit_code(const struct summary *s);

const char *status_name(enum status s);
const char *severity_name(enum severity s);

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct output_opts {
	bool verbose;
	bool quiet;
	bool color;
	const char *tool_version;
};

void report_write_text(const struct report *r, FILE *out, const struct output_opts *o);
void report_write_json(const struct report *r, FILE *out, const struct output_opts *o);

#endif
