/* A line-preserving INI document reader and editor (see inidoc.h). */
#include "inidoc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

/* Strip an inline comment: " ;" or " #" after the value (as inih and Python's configparser allow). */
static char *strip_inline_comment(char *v)
{
	for (char *p = v; *p; p++)
		if ((*p == ';' || *p == '#') && p > v && isspace((unsigned char)p[-1])) {
			*p = '\0';
			break;
		}
	return str_trim(v);
}

void ini_doc_parse(const char *data, size_t len, struct ini_doc *d)
{
	const char *p = data, *end = data + len;
	char *section = xstrdup("");
	char *last_key = NULL;
	size_t alloc = 0;
	memset(d, 0, sizeof(*d));
	d->eol = xstrdup("\n");
	/* A UTF-8 byte order mark (Windows editors write one) is not part of the first line. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		d->bom = true;
	}
	bool first = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		size_t n = (size_t)(stop - p);
		if (n && stop[-1] == '\r') {
			n--;
			if (first) {
				free(d->eol);
				d->eol = xstrdup("\r\n");
			}
		}
		first = false;
		if (d->n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			d->v = xreallocarray(d->v, alloc, sizeof(*d->v));
		}
		struct ini_line *l = &d->v[d->n++];
		memset(l, 0, sizeof(*l));
		l->raw = xstrndup(p, n);
		l->end = xstrndup(p + n, (size_t)((nl ? nl + 1 : end) - (p + n)));
		char *work = xstrdup(l->raw);
		char *t = str_trim(work);
		bool indented = n && isspace((unsigned char)p[0]);

		if (!*t) {
			l->kind = INI_BLANK;
		} else if (*t == ';' || *t == '#') {
			l->kind = INI_COMMENT;
		} else if (indented && last_key) {
			/* An indented line continues the previous value (configparser semantics). */
			l->kind = INI_CONT;
			l->key = xstrdup(last_key);
			l->value = xstrdup(t);
		} else if (*t == '[') {
			char *close = strchr(t, ']');
			if (close && str_is_blank(close + 1)) {
				*close = '\0';
				l->kind = INI_SECTION;
				free(section);
				section = xstrdup(str_trim(t + 1));
				free(last_key);
				last_key = NULL;
			} else {
				l->kind = INI_JUNK;
			}
		} else {
			size_t kl = strcspn(t, "=:");
			if (t[kl] && kl > 0) {
				char *val = t + kl + 1;
				t[kl] = '\0';
				l->kind = INI_KEY;
				l->key = xstrdup(str_trim(t));
				l->value = xstrdup(strip_inline_comment(val));
				free(last_key);
				last_key = xstrdup(l->key);
			} else {
				l->kind = INI_JUNK;
			}
		}
		if (l->kind == INI_JUNK || l->kind == INI_SECTION) {
			free(last_key);
			last_key = NULL;
		}
		l->section = xstrdup(section);
		free(work);
		p = nl ? nl + 1 : end;
	}
	free(section);
	free(last_key);
}

void ini_doc_free(struct ini_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].raw);
		free(d->v[i].section);
		free(d->v[i].key);
		free(d->v[i].value);
		free(d->v[i].end);
	}
	free(d->v);
	free(d->eol);
	memset(d, 0, sizeof(*d));
}

char *ini_doc_write(const struct ini_doc *d, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	if (d->bom)
		strbuf_add(&sb, "\xef\xbb\xbf", 3);
	for (size_t i = 0; i < d->n; i++) {
		strbuf_addstr(&sb, d->v[i].raw);
		strbuf_addstr(&sb, d->v[i].end ? d->v[i].end : d->eol);
	}
	if (len)
		*len = sb.len;
	return strbuf_detach(&sb);
}

/* Parse the edited lines again so that every line's kind, section and key are what a reader sees. */
static void reparse(struct ini_doc *d)
{
	size_t len;
	char *data = ini_doc_write(d, &len);
	char *eol = xstrdup(d->eol);
	ini_doc_free(d);
	ini_doc_parse(data, len, d);
	/* A document whose first line had no ending keeps the ending it was given. */
	free(d->eol);
	d->eol = eol;
	free(data);
}

void ini_doc_insert(struct ini_doc *d, size_t at, const char *raw)
{
	if (at > d->n)
		at = d->n;
	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	memmove(&d->v[at + 1], &d->v[at], (d->n - at) * sizeof(*d->v));
	struct ini_line *l = &d->v[at];
	memset(l, 0, sizeof(*l));
	l->raw = xstrdup(raw);
	l->end = xstrdup(d->eol);
	d->n++;
	/* Appended after a last line without a newline: that line gets one, the new last line does not. */
	if (at == d->n - 1 && at > 0 && d->v[at - 1].end[0] == '\0') {
		free(d->v[at - 1].end);
		d->v[at - 1].end = xstrdup(d->eol);
		l->end[0] = '\0';
	}
	reparse(d);
}

void ini_doc_replace(struct ini_doc *d, size_t i, const char *raw)
{
	if (i >= d->n)
		return;
	free(d->v[i].raw);
	d->v[i].raw = xstrdup(raw);
	reparse(d);
}

void ini_doc_remove(struct ini_doc *d, size_t i)
{
	if (i >= d->n)
		return;
	struct ini_line *l = &d->v[i];
	/* Removing the last line moves its (missing) ending to the line before. */
	if (i + 1 == d->n && i > 0) {
		free(d->v[i - 1].end);
		d->v[i - 1].end = xstrdup(l->end);
	}
	free(l->raw);
	free(l->section);
	free(l->key);
	free(l->value);
	free(l->end);
	memmove(&d->v[i], &d->v[i + 1], (d->n - i - 1) * sizeof(*d->v));
	d->n--;
	reparse(d);
}

void ini_doc_set_bom(struct ini_doc *d, bool bom)
{
	d->bom = bom;
}
