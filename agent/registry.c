/* Looking up checks and matching the --only/--skip patterns against their IDs. */
#include <string.h>

#include "check.h"
#include "cli.h"
#include "facts.h"
#include "banned.h"

/* The name messages start with (cli.h); here so that every binary, tests included, has it. */
const char *progname = "cvmprep";

const struct check *check_find(const char *id)
{
	for (size_t i = 0; platform_checks[i]; i++)
		if (strcmp(platform_checks[i]->id, id) == 0)
			return platform_checks[i];
	return NULL;
}

size_t check_count(void)
{
	size_t n = 0;
	while (platform_checks[n])
		n++;
	return n;
}

/* "net", "net." and "net.*" are prefixes of "net.ifnames"; a full ID matches itself. */
static bool pattern_matches(const char *pat, const char *id)
{
	size_t n = strlen(pat);
	if (n == 0)
		return false;
	if (strcmp(pat, id) == 0)
		return true;
	if (n >= 2 && pat[n - 2] == '.' && pat[n - 1] == '*')
		n--;
	if (pat[n - 1] == '.')
		return strncmp(pat, id, n) == 0;
	return strncmp(pat, id, n) == 0 && id[n] == '.';
}

bool check_matches(const struct check *c, const struct strvec *patterns)
{
	for (size_t i = 0; i < patterns->n; i++)
		if (pattern_matches(patterns->v[i], c->id))
			return true;
	return false;
}

const char *check_unknown_pattern(const struct strvec *patterns)
{
	for (size_t i = 0; i < patterns->n; i++) {
		bool any = false;
		for (size_t k = 0; platform_checks[k] && !any; k++)
			any = pattern_matches(patterns->v[i], platform_checks[k]->id);
		if (!any)
			return patterns->v[i];
	}
	return NULL;
}

bool check_fixable(const struct check *c)
{
	return c->fix != FIX_NONE && c->plan != NULL;
}

bool rule_section_unusable(const struct section *s, const struct check *c, struct report *r, const char *subject)
{
	switch (s->state) {
	case FS_ERROR: {
		struct finding *f = report_add(r, c, ST_ERROR, subject ? subject : s->path, "%s",
					       s->reason ? s->reason : "could not be read");
		if (s->path)
			finding_evidence(f, "while reading %s", s->path);
		return true;
	}
	case FS_SKIP:
	case FS_UNPROBED:
		report_add(r, c, ST_SKIP, subject ? subject : s->path, "%s",
			   s->reason ? s->reason : "not checked");
		return true;
	case FS_OK:
	case FS_ABSENT:
		break;
	}
	return false;
}
