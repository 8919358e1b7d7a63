/*
 * A strict JSON validator for the tests (RFC 8259, UTF-8 checked): what a consumer of our output
 * would accept. Numbers: integers only, which is all cvmprep writes.
 */
#ifndef CVMPREP_TEST_JSON_CHECK_H
#define CVMPREP_TEST_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct jcheck {
	const unsigned char *p, *end;
	int depth;
};

static inline void jc_ws(struct jcheck *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline bool jc_hex(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* One UTF-8 character inside a string: valid, shortest form, no surrogates, at most U+10FFFF. */
static inline bool jc_utf8(struct jcheck *c)
{
	const unsigned char *s = c->p;
	size_t left = (size_t)(c->end - s), n;
	unsigned cp;
	if (s[0] < 0x80)
		return false; /* handled by the caller */
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return false;
	}
	if (left < n)
		return false;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	c->p += n;
	return true;
}

static inline bool jc_string(struct jcheck *c)
{
	if (c->p >= c->end || *c->p != '"')
		return false;
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = *c->p;
		if (ch < 0x20)
			return false;
		if (ch == '\\') {
			c->p++;
			if (c->p >= c->end)
				return false;
			if (*c->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (c->p + i >= c->end || !jc_hex(c->p[i]))
						return false;
				c->p += 5;
			} else if (*c->p && strchr("\"\\/bfnrt", *c->p)) {
				c->p++;
			} else {
				return false;
			}
		} else if (ch >= 0x80) {
			if (!jc_utf8(c))
				return false;
		} else {
			c->p++;
		}
	}
	if (c->p >= c->end)
		return false;
	c->p++;
	return true;
}

static inline bool jc_value(struct jcheck *c);

static inline bool jc_number(struct jcheck *c)
{
	const unsigned char *start = c->p;
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p >= c->end || !(*c->p >= '0' && *c->p <= '9'))
		return false;
	if (*c->p == '0')
		c->p++;
	else
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	return c->p > start;
}

static inline bool jc_lit(struct jcheck *c, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

static inline bool jc_value(struct jcheck *c)
{
	jc_ws(c);
	if (c->p >= c->end)
		return false;
	if (++c->depth > 200)
		return false;
	bool ok = false;
	switch (*c->p) {
	case '{':
	case '[': {
		char close = *c->p == '{' ? '}' : ']';
		bool obj = close == '}';
		c->p++;
		jc_ws(c);
		if (c->p < c->end && *c->p == close) {
			c->p++;
			ok = true;
			break;
		}
		for (;;) {
			if (obj) {
				jc_ws(c);
				if (!jc_string(c))
					goto out;
				jc_ws(c);
				if (c->p >= c->end || *c->p != ':')
					goto out;
				c->p++;
			}
			if (!jc_value(c))
				goto out;
			jc_ws(c);
			if (c->p < c->end && *c->p == ',') {
				c->p++;
				continue;
			}
			if (c->p < c->end && *c->p == close) {
				c->p++;
				ok = true;
			}
			goto out;
		}
	}
	case '"':
		ok = jc_string(c);
		break;
	case 't':
		ok = jc_lit(c, "true");
		break;
	case 'f':
		ok = jc_lit(c, "false");
		break;
	case 'n':
		ok = jc_lit(c, "null");
		break;
	default:
		ok = jc_number(c);
	}
out:
	c->depth--;
	return ok;
}

/* Whether buf[0..n) is exactly one JSON value (surrounding whitespace allowed). */
static inline bool json_valid(const char *buf, size_t n)
{
	struct jcheck c = { (const unsigned char *)buf, (const unsigned char *)buf + n, 0 };
	if (!jc_value(&c))
		return false;
	jc_ws(&c);
	return c.p == c.end;
}

#endif
