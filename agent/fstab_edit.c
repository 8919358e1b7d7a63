/* Minimal edits of fstab: one field of one line changes, every other byte stays as it was. */
#include <stdlib.h>
#include <string.h>

#include "fstab_edit.h"
#include "banned.h"

/* Byte offsets [start, end) of field idx (0-based, whitespace-separated) of line lineno, or false. */
static bool find_field(const char *data, size_t len, unsigned lineno, int idx, size_t *line_start, size_t *line_end,
		       size_t *fs, size_t *fe)
{
	size_t pos = 0;
	unsigned ln = 1;
	while (ln < lineno && pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		if (!nl)
			return false;
		pos = (size_t)(nl - data) + 1;
		ln++;
	}
	if (ln != lineno || pos > len)
		return false;
	const char *nl = memchr(data + pos, '\n', len - pos);
	size_t end = nl ? (size_t)(nl - data) : len;
	*line_start = pos;
	*line_end = end;
	size_t p = pos;
	for (int f = 0;; f++) {
		while (p < end && (data[p] == ' ' || data[p] == '\t' || data[p] == '\r'))
			p++;
		if (p >= end || data[p] == '#')
			return false;
		size_t s = p;
		while (p < end && data[p] != ' ' && data[p] != '\t' && data[p] != '\r')
			p++;
		if (f == idx) {
			*fs = s;
			*fe = p;
			return true;
		}
	}
}

static char *splice(const char *data, size_t len, size_t from, size_t to, const char *ins, size_t *outlen)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, data, from);
	strbuf_addstr(&sb, ins);
	strbuf_add(&sb, data + to, len - to);
	*outlen = sb.len;
	return strbuf_detach(&sb);
}

char *fstab_set_field(const char *data, size_t len, unsigned lineno, int idx, const char *text, size_t *outlen)
{
	size_t ls, le, fs, fe;
	if (!find_field(data, len, lineno, idx, &ls, &le, &fs, &fe))
		return NULL;
	return splice(data, len, fs, fe, text, outlen);
}

char *fstab_add_option(const char *data, size_t len, unsigned lineno, const char *opt, size_t *outlen)
{
	size_t ls, le, fs, fe;
	if (find_field(data, len, lineno, 3, &ls, &le, &fs, &fe)) {
		char *field = xstrndup(data + fs, fe - fs);
		bool has = false;
		struct strvec parts = STRVEC_INIT;
		str_split(&parts, field, ",");
		for (size_t i = 0; i < parts.n; i++)
			has = has || strcmp(parts.v[i], opt) == 0;
		strvec_clear(&parts);
		free(field);
		if (has) {
			*outlen = len;
			return xstrndup(data, len);
		}
		char *ins = xasprintf(",%s", opt);
		char *r = splice(data, len, fe, fe, ins, outlen);
		free(ins);
		return r;
	}
	/* Only "spec file type": add the options field after the type. */
	if (!find_field(data, len, lineno, 2, &ls, &le, &fs, &fe))
		return NULL;
	char *ins = xasprintf(" defaults,%s", opt);
	char *r = splice(data, len, fe, fe, ins, outlen);
	free(ins);
	return r;
}
