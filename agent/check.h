/*
 * The check registry. A check is an ID, the probes that gather the facts it needs (filled once
 * into struct facts and shared between checks), a pure rule that turns those facts into
 * findings, and, where cvmprep can repair it, a fix planner (added by the fix command).
 */
#ifndef CVMPREP_CHECK_H
#define CVMPREP_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

struct ctx;
struct facts;

enum fix_kind { FIX_NONE, FIX_AUTO, FIX_OPT_IN };

typedef void (*probe_fn)(struct ctx *ctx, struct facts *facts);
typedef void (*rule_fn)(const struct facts *facts, const struct check *self, struct report *r);
struct plan;
/* Adds the edits and commands that repair what the rule found to the plan (the fix command). */
typedef int (*plan_fn)(struct ctx *ctx, const struct facts *facts, struct plan *plan);

#define CHECK_MAX_PROBES 4

struct check {
	const char *id;
	const char *title; /* what it checks, one line */
	enum severity severity; /* default when it fails */
	const char *error_code; /* default predicted import error, or NULL */
	enum fix_kind fix;
	const char *opt_in; /* the flag enabling an opt-in fix */
	const char *fix_description;
	const char *explain; /* what it looks at, why it matters, how to fix by hand */
	probe_fn probes[CHECK_MAX_PROBES];
	rule_fn rule;
	plan_fn plan; /* NULL until this build can repair the check */
	const char *only_with; /* runs only when this fix option is given ("--generalize") */
};

/* Whether this build can repair c (the spec's fix column, and a planner to do it). */
bool check_fixable(const struct check *c);

/* The checks of this build, in report order; NULL-terminated. Each platform defines it. */
extern const struct check *const platform_checks[];

const struct check *check_find(const char *id);
size_t check_count(void);

/* --only/--skip: a list of IDs or prefixes ("net." or "net" match every net.* ID). */
bool check_matches(const struct check *c, const struct strvec *patterns);
/* Every pattern must name a known check or prefix; returns the first that does not, or NULL. */
const char *check_unknown_pattern(const struct strvec *patterns);

struct section;
/*
 * When a section could not be gathered, report that (error for ERROR, skip for SKIP) and return
 * true; the rule then stops. ABSENT is left to the rule, which knows what absence means.
 */
bool rule_section_unusable(const struct section *s, const struct check *c, struct report *r, const char *subject);

#endif
