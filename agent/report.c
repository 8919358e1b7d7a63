/* Findings and the report that collects them: ordering, summary, verdict and exit code. */
#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "banned.h"

void changes_add(struct changes *c, const char *action, const char *path, int status, const char *fmt, ...)
{
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	struct change *ch = &c->v[c->n++];
	ch->action = xstrdup(action);
	ch->path = xstrdup(path);
	ch->status = status;
	ch->detail = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		ch->detail = xvasprintf(fmt, ap);
		va_end(ap);
	}
}

void changes_free(struct changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].action);
		free(c->v[i].path);
		free(c->v[i].detail);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

void report_init(struct report *r, const char *command, const char *root, const char *platform)
{
	memset(r, 0, sizeof(*r));
	r->command = command;
	r->root = xstrdup(root ? root : "/");
	r->platform = platform;
}

static void finding_free(struct finding *f)
{
	free(f->subject);
	free(f->summary);
	strvec_clear(&f->evidence);
	free(f);
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		finding_free(r->findings[i]);
	free(r->findings);
	free(r->root);
	free(r->os.id);
	free(r->os.version_id);
	free(r->os.pretty_name);
	free(r->os.arch);
	strvec_clear(&r->warnings);
	memset(r, 0, sizeof(*r));
}

struct finding *report_add(struct report *r, const struct check *c, enum status st, const char *subject,
			   const char *fmt, ...)
{
	struct finding *f = xcalloc(1, sizeof(*f));
	f->check = c;
	f->status = st;
	f->subject = subject ? xstrdup(subject) : NULL;
	f->severity = (st == ST_FAIL || st == ST_ERROR) ? c->severity : SEV_NONE;
	f->error_code = st == ST_FAIL ? c->error_code : NULL;
	f->fix_available = check_fixable(c);
	f->fix_opt_in = f->fix_available && c->fix == FIX_OPT_IN ? c->opt_in : NULL;
	f->fix_description = c->fix_description;
	va_list ap;
	va_start(ap, fmt);
	f->summary = xvasprintf(fmt, ap);
	va_end(ap);
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 32;
		r->findings = xreallocarray(r->findings, r->alloc, sizeof(*r->findings));
	}
	r->findings[r->n++] = f;
	return f;
}

void finding_evidence(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strvec_push_nodup(&f->evidence, xvasprintf(fmt, ap));
	va_end(ap);
}

void finding_set_summary(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	free(f->summary);
	f->summary = s;
}

static int rank(const struct finding *f)
{
	switch (f->status) {
	case ST_FAIL:
		return f->severity == SEV_BLOCKER ? 0 : f->severity == SEV_WARNING ? 1 : 2;
	case ST_ERROR:
		return 3;
	case ST_FIXED:
		return 4;
	case ST_SKIP:
		return 5;
	case ST_PASS:
		return 6;
	}
	return 7;
}

static size_t check_index(const struct check *c)
{
	for (size_t i = 0; platform_checks[i]; i++)
		if (platform_checks[i] == c)
			return i;
	return (size_t)-1;
}

void report_sort(struct report *r)
{
	/* A stable insertion sort (reports are small): findings of one check keep their file order. */
	if (r->n < 2)
		return; /* nothing to order (and no array at all when empty) */
	struct finding **tmp = xreallocarray(NULL, r->n, sizeof(*tmp));
	memcpy(tmp, r->findings, r->n * sizeof(*tmp));
	for (size_t i = 1; i < r->n; i++) {
		struct finding *f = tmp[i];
		size_t j = i;
		while (j > 0) {
			const struct finding *prev = tmp[j - 1];
			int d = rank(prev) - rank(f);
			if (d == 0) {
				size_t ip = check_index(prev->check), i_f = check_index(f->check);
				d = ip == i_f ? 0 : ip < i_f ? -1 : 1;
			}
			if (d <= 0)
				break;
			tmp[j] = tmp[j - 1];
			j--;
		}
		tmp[j] = f;
	}
	memcpy(r->findings, tmp, r->n * sizeof(*tmp));
	free(tmp);
}

void report_summarise(const struct report *r, struct summary *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = r->findings[i];
		switch (f->status) {
		case ST_PASS:
			s->passed++;
			break;
		case ST_SKIP:
			s->skipped++;
			break;
		case ST_FIXED:
			s->fixed++;
			break;
		case ST_ERROR:
			s->errors++;
			break;
		case ST_FAIL:
			if (f->severity == SEV_BLOCKER)
				s->blockers++;
			else if (f->severity == SEV_WARNING)
				s->warnings++;
			else
				s->info++;
			break;
		}
	}
}

/*
 * A check that could not be evaluated (status error) cannot vouch for the image: it counts as
 * a warning for the verdict, so that "ready" always means every check that ran found nothing.
 */
const char *report_verdict(const struct summary *s)
{
	if (s->blockers)
		return "not-ready";
	if (s->warnings || s->errors)
		return "ready-with-warnings";
	return "ready";
}

int report_exit_code(const struct summary *s)
{
	if (s->blockers)
		return EXIT_NOT_READY;
	if (s->warnings || s->errors)
		return EXIT_WARNINGS;
	return EXIT_READY;
}

const char *status_name(enum status s)
{
	switch (s) {
	case ST_PASS:
		return "pass";
	case ST_FAIL:
		return "fail";
	case ST_SKIP:
		return "skip";
	case ST_FIXED:
		return "fixed";
	case ST_ERROR:
		return "error";
	}
	return "error";
}

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_BLOCKER:
		return "blocker";
	case SEV_WARNING:
		return "warning";
	case SEV_INFO:
		return "info";
	case SEV_NONE:
		return NULL;
	}
	return NULL;
}
