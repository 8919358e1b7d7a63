/* The journal's portable part: line format, reading runs back, run states and undo rules (journal_core.h). */
#include "journal_core.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"
#include "banned.h"

/* Every platform's struct journal begins with its struct journal_common. */
static struct journal_common *common(struct journal *j)
{
	return (struct journal_common *)(void *)j;
}

static const struct journal_common *common_c(const struct journal *j)
{
	return (const struct journal_common *)(const void *)j;
}

const char *journal_run_id(const struct journal *j)
{
	return common_c(j)->id;
}

const char *journal_dir(const struct journal *j)
{
	return common_c(j)->dir;
}

struct changes *journal_changes(struct journal *j)
{
	return &common(j)->changes;
}

void journal_common_free(struct journal_common *c)
{
	changes_free(&c->changes);
	free(c->id);
	free(c->dir);
}

/* ---- lines ---- */

static char *esc(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '%' || *p < 0x20 || *p == 0x7f)
			strbuf_addf(&sb, "%%%02X", *p);
		else
			strbuf_addch(&sb, (char)*p);
	}
	if (!sb.len)
		strbuf_addstr(&sb, "%00"); /* an empty field stays a field */
	return strbuf_detach(&sb);
}

static char *unesc(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (; *s; s++) {
		if (*s == '%' && s[1] && s[2]) {
			char hex[3] = { s[1], s[2], 0 };
			char c = (char)strtol(hex, NULL, 16);
			if (c)
				strbuf_addch(&sb, c);
			s += 2;
		} else {
			strbuf_addch(&sb, *s);
		}
	}
	return strbuf_detach(&sb);
}

char *journal_num(unsigned long long v)
{
	return xasprintf("%llu", v);
}

int journal_line(struct journal *j, const char *kind, int nf, ...)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, kind);
	va_list ap;
	va_start(ap, nf);
	for (int i = 0; i < nf; i++) {
		char *e = esc(va_arg(ap, const char *));
		strbuf_addch(&sb, '\t');
		strbuf_addstr(&sb, e);
		free(e);
	}
	va_end(ap);
	strbuf_addch(&sb, '\n');
	int ret = journal_append(j, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

void journal_new_id(char *buf, size_t size, struct tm *tm, unsigned long pid)
{
	time_t now = time(NULL);
#ifdef _WIN32
	gmtime_s(tm, &now);
#else
	gmtime_r(&now, tm);
#endif
	snprintf(buf, size, "%04d%02d%02dT%02d%02d%02dZ-%lu", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
		 tm->tm_hour, tm->tm_min, tm->tm_sec, pid);
}

int journal_log_begin(struct journal *j, const char *command, const struct tm *tm)
{
	char *when = xasprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
			       tm->tm_hour, tm->tm_min, tm->tm_sec);
	int ret = journal_line(j, "begin", 4, common(j)->id, command, CVMPREP_VERSION, when);
	free(when);
	return ret;
}

int journal_log_change(struct journal *j, const char *kind, const char *subject, unsigned *n)
{
	*n = ++common(j)->next;
	char *a = journal_num(*n);
	int ret = journal_line(j, kind, 2, a, subject);
	free(a);
	return ret;
}

int journal_log_wrote(struct journal *j, unsigned n, const char *path, unsigned long long size,
		      unsigned long long crc)
{
	char *a = journal_num(n), *sz = journal_num(size), *cr = journal_num(crc);
	int ret = journal_line(j, "wrote", 4, a, path, sz, cr);
	free(a);
	free(sz);
	free(cr);
	return ret;
}

int journal_end(struct journal *j, bool ok, const char *reason)
{
	return ok ? journal_line(j, "end", 1, "ok") : journal_line(j, "end", 2, "failed", reason ? reason : "");
}

void journal_command(struct journal *j, const char *cmdline, int status)
{
	char *s = xasprintf("%d", status);
	journal_line(j, "cmd", 2, s, cmdline);
	free(s);
	changes_add(&common(j)->changes, "command", cmdline, status, "exit status %d", status);
}

int journal_create_missing(struct journal *j, const struct strvec *prefixes, const char *kind,
			   bool (*exists)(void *ctx, const char *p), int (*create)(void *ctx, const char *p), void *ctx,
			   const char *change, const char *note)
{
	int ret = 0;
	for (size_t i = 0; i < prefixes->n && ret == 0; i++) {
		const char *p = prefixes->v[i];
		if (exists(ctx, p))
			continue;
		ret = journal_line(j, kind, 2, "0", p);
		if (ret == 0)
			ret = create(ctx, p);
		if (ret == 0 && note)
			changes_add(&common(j)->changes, change, p, 0, "%s", note);
		else if (ret == 0)
			changes_add(&common(j)->changes, change, p, 0, NULL);
	}
	return ret;
}

/* ---- reading back ---- */

void jentries_parse(const char *data, size_t len, struct jentry **out, size_t *n)
{
	struct jentry *v = NULL;
	size_t cnt = 0;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break; /* a torn last line (crash while writing it) is ignored */
		char *line = xstrndup(p, (size_t)(nl - p));
		struct strvec raw = STRVEC_INIT;
		str_split(&raw, line, "\t");
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		memset(&v[cnt], 0, sizeof(v[cnt]));
		for (size_t i = 0; i < raw.n; i++)
			strvec_push_nodup(&v[cnt].f, unesc(raw.v[i]));
		cnt++;
		strvec_clear(&raw);
		free(line);
		p = nl + 1;
	}
	*out = v;
	*n = cnt;
}

void jentries_free(struct jentry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strvec_clear(&v[i].f);
	free(v);
}

const char *jfield(const struct jentry *e, size_t i)
{
	return i < e->f.n ? e->f.v[i] : "";
}

bool jkind_is(const struct jentry *e, const char *kind)
{
	return strcmp(jfield(e, 0), kind) == 0;
}

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

void run_info_free(struct run_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].command);
		free(v[i].started);
		free(v[i].state);
	}
	free(v);
}

void journal_describe(struct run_info *ri, const struct jentry *e, size_t n, const char *const *change_kinds)
{
	ri->state = xstrdup("incomplete");
	for (size_t i = 0; i < n; i++) {
		const char *k = jfield(&e[i], 0);
		if (strcmp(k, "begin") == 0) {
			free(ri->command);
			ri->command = xstrdup(jfield(&e[i], 2));
			free(ri->started);
			ri->started = xstrdup(jfield(&e[i], 4));
		} else if (strcmp(k, "end") == 0) {
			free(ri->state);
			ri->state = xstrdup(strcmp(jfield(&e[i], 1), "ok") == 0 ? "complete" : "failed");
		} else if (strcmp(k, "rolledback") == 0) {
			free(ri->state);
			ri->state = xstrdup("rolled-back");
		} else if (one_of(k, change_kinds)) {
			ri->nchanges++;
		}
	}
}

void journal_sweep(struct rootfs *rfs)
{
	struct run_info *runs;
	size_t n;
	if (journal_list(rfs, &runs, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct jentry *e;
		size_t ne;
		if (journal_read_run(rfs, runs[i].id, &e, &ne) == 0) {
			journal_sweep_entries(rfs, e, ne);
			jentries_free(e, ne);
		}
	}
	run_info_free(runs, n);
}

int journal_pick_run(const struct run_info *runs, size_t n, const char *run_id, bool force, const char *where,
		     const struct run_info **pick, char **err)
{
	*pick = NULL;
	for (size_t i = n; i-- > 0 && !*pick;) {
		/* A run whose journal lost its "begin" line has no command: it is not a fix run. */
		if (run_id ? strcmp(runs[i].id, run_id) == 0
			   : strcmp(runs[i].state, "rolled-back") != 0 && runs[i].command &&
				     strcmp(runs[i].command, "fix") == 0)
			*pick = &runs[i];
	}
	if (!*pick) {
		*err = run_id ? xasprintf("no run '%s' under %s", run_id, where)
			      : xasprintf("no fix run to roll back under %s", where);
		return -ENOENT;
	}
	if (strcmp((*pick)->state, "rolled-back") == 0 && !force) {
		*err = xasprintf("run '%s' was already rolled back", (*pick)->id);
		return -EALREADY;
	}
	return 0;
}

/* ---- planning an undo ---- */

size_t journal_first_touches(const struct jentry *e, size_t n, journal_opener_fn opener, size_t **out)
{
	struct strvec seen = STRVEC_INIT;
	struct strbuf key = STRBUF_INIT;
	size_t *first = xcalloc(n ? n : 1, sizeof(*first));
	size_t cnt = 0;
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&key);
		if (!opener(&e[i], &key))
			continue;
		if (key.len) {
			if (strvec_contains(&seen, key.buf))
				continue;
			strvec_push(&seen, key.buf);
		}
		first[cnt++] = i;
	}
	strbuf_release(&key);
	strvec_clear(&seen);
	*out = first;
	return cnt;
}

const struct jentry *journal_last_of(const struct jentry *e, size_t n, size_t i, size_t nsubject,
				     const char *const *kinds)
{
	const struct jentry *last = NULL;
	for (size_t k = i + 1; k < n; k++) {
		bool same = one_of(jfield(&e[k], 0), kinds);
		for (size_t f = 2; same && f < 2 + nsubject; f++)
			same = strcmp(jfield(&e[k], f), jfield(&e[i], f)) == 0;
		if (same)
			last = &e[k];
	}
	return last;
}

enum journal_undo journal_undo_decide(bool is_orig, bool is_ours, bool logged, bool force)
{
	if (is_orig)
		return JOURNAL_KEEP;
	if (is_ours || force || !logged)
		return JOURNAL_UNDO;
	return JOURNAL_CONFLICT;
}

bool journal_sum_is(unsigned long long crc, unsigned long long size, const char *want_size, const char *want_crc)
{
	return strtoull(want_size, NULL, 10) == size && strtoull(want_crc, NULL, 10) == crc;
}

enum journal_undo journal_file_undo(int cur, unsigned long long crc, unsigned long long size, const char *orig_size,
				    const char *orig_crc, const struct jentry *wrote, bool force)
{
	bool is_orig = orig_size ? cur == 0 && journal_sum_is(crc, size, orig_size, orig_crc) : cur == -ENOENT;
	bool is_ours = wrote && cur == 0 && journal_sum_is(crc, size, jfield(wrote, 3), jfield(wrote, 4));
	return journal_undo_decide(is_orig, is_ours, wrote != NULL, force);
}
