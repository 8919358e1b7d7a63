/* A line-preserving INI document reader (see inidoc.h). */
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
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
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
	}
	free(d->v);
	free(d->eol);
	memset(d, 0, sizeof(*d));
}
