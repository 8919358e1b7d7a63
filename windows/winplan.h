/*
 * A Windows fix plan: the portable plan (file contents, composed and shown as diffs exactly as
 * on Linux) plus the steps only Windows has: registry values, driver packages staged into the
 * driver store, installers and commands. Planners get the portable struct plan (check.h's
 * plan_fn) and reach the rest through winplan_of(). Steps that install software change what
 * later checks see: fix runs them first, checks again, and plans the rest from fresh facts.
 */
#ifndef CVMPREP_WINPLAN_H
#define CVMPREP_WINPLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "check.h"
#include "plan.h"
#include "reg.h"
#include "util.h"

enum wstep_kind {
	WS_FILE,    /* a file's new content (in base) */
	WS_REG,     /* a registry value set (or created) */
	WS_DRIVER,  /* stage an INF into the driver store */
	WS_MSI,     /* msiexec /i ... /qn /norestart (undone with msiexec /x) */
	WS_EXE,     /* an installer run silently (not undone) */
	WS_COMMAND, /* a command run after the changes (powercfg) */
};

struct wstep {
	enum wstep_kind kind;
	struct strvec checks;
	char *why;
	char *path;        /* WS_FILE: the file; WS_DRIVER: the INF; WS_MSI, WS_EXE: the installer */
	char *key, *name;  /* WS_REG */
	struct reg_value old, want;
	struct strvec argv; /* WS_MSI, WS_EXE, WS_COMMAND */
	bool installer;    /* the checks are planned again after it */
	bool optional;     /* WS_COMMAND: its failure does not fail the fix */
};

struct winplan {
	struct plan base; /* first member: winplan_of() finds the rest from it */
	struct wstep *v;
	size_t n;
};

struct winplan *winplan_of(struct plan *p);
void winplan_free(struct winplan *wp);

void winplan_file(struct winplan *wp, const struct check *c, const char *path, const char *data, size_t len,
		  const char *why);
/* Plan a value (nothing when it already is so). */
void winplan_reg(struct winplan *wp, const struct check *c, const char *key, const char *name,
		 const struct reg_value *want, const char *why);
void winplan_reg_dword(struct winplan *wp, const struct check *c, const char *key, const char *name, uint32_t v,
		       const char *why);
void winplan_reg_sz(struct winplan *wp, const struct check *c, const char *key, const char *name, uint32_t type,
		    const char *s, const char *why);
struct wstep *winplan_step(struct winplan *wp, enum wstep_kind k, const struct check *c, const char *path,
			   const char *why);
/* Steps that change something; and whether any of them installs software. */
size_t winplan_count(const struct winplan *wp);
bool winplan_has_installer(const struct winplan *wp);
void winplan_print(const struct winplan *wp, FILE *out, bool color);

#endif
