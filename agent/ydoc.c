/* The portable half of the YAML node graph (see ydoc.h): typing scalars as PyYAML does, bounded lookups. */
#include "ydoc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

void ydoc_free(struct ydoc *d)
{
	if (!d)
		return;
	for (size_t i = 1; i < d->n; i++) {
		free(d->v[i].tag);
		free(d->v[i].str);
		free(d->v[i].kids);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void yerr_free(struct yerr *e)
{
	if (!e)
		return;
	free(e->msg);
	memset(e, 0, sizeof(*e));
}

void ydoc_move(struct ydoc *dst, struct ydoc *src)
{
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

const struct ynode *ydoc_node(const struct ydoc *d, size_t id)
{
	if (!d || id == 0 || id >= d->n)
		return NULL;
	return &d->v[id];
}

/* The short name of a standard tag ("str" for tag:yaml.org,2002:str), or NULL. */
static const char *std_tag(const char *tag)
{
	if (tag && str_starts_with(tag, TAG_PREFIX))
		return tag + strlen(TAG_PREFIX);
	return NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL };
static const char *const false_words[] = { "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL };

/* Digits (and '_') of one base, at least one character. */
static bool all_of(const char *s, const char *chars)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(chars, *s))
			return false;
	return true;
}

/* ":[0-5]?[0-9]" groups of a sexagesimal number, at least one; *s advanced past them. */
static bool sexagesimal_tail(const char **sp)
{
	const char *s = *sp;
	int groups = 0;
	while (*s == ':') {
		s++;
		if (is_digit(s[0]) && is_digit(s[1]) && s[0] <= '5')
			s += 2;
		else if (is_digit(s[0]))
			s += 1;
		else
			return false;
		groups++;
	}
	*sp = s;
	return groups > 0;
}

/* PyYAML's YAML 1.1 int: binary, octal, decimal, hex, sexagesimal; '_' allowed as separator. */
static bool looks_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (str_starts_with(s, "0b"))
		return all_of(s + 2, "01_");
	if (str_starts_with(s, "0x"))
		return all_of(s + 2, "0123456789abcdefABCDEF_");
	if (strcmp(s, "0") == 0)
		return true;
	if (s[0] == '0')
		return all_of(s + 1, "01234567_");
	if (s[0] < '1' || s[0] > '9')
		return false;
	const char *p = s + 1;
	while (is_digit(*p) || *p == '_')
		p++;
	if (!*p)
		return true;
	return sexagesimal_tail(&p) && !*p;
}

static bool exponent_ok(const char *p)
{
	if (!*p)
		return true;
	if ((*p != 'e' && *p != 'E') || (p[1] != '-' && p[1] != '+'))
		return false;
	return all_of(p + 2, "0123456789");
}

/* PyYAML's YAML 1.1 float (note "1e3" without a dot is a string there). */
static bool looks_float(const char *s)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0)
		return true;
	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
		return true;
	if (*p == '.') {
		/* ".5", only unsigned */
		if (p != s || !is_digit(p[1]))
			return false;
		p++;
		while (is_digit(*p) || *p == '_')
			p++;
		return exponent_ok(p);
	}
	if (!is_digit(*p))
		return false;
	while (is_digit(*p) || *p == '_')
		p++;
	if (*p == ':') {
		if (!sexagesimal_tail(&p) || *p != '.')
			return false;
		p++;
		while (is_digit(*p) || *p == '_')
			p++;
		return !*p;
	}
	if (*p != '.')
		return false;
	p++;
	while (is_digit(*p) || *p == '_')
		p++;
	return exponent_ok(p);
}

/* n digits at *sp (advanced); "optional" allows the last one to be missing. */
static bool digits(const char **sp, int n, bool last_optional)
{
	for (int i = 0; i < n; i++) {
		if (!is_digit(**sp))
			return last_optional && i == n - 1;
		(*sp)++;
	}
	return true;
}

/* PyYAML's timestamp: yyyy-mm-dd, or yyyy-m-d followed by a time of day. */
static bool looks_timestamp(const char *s)
{
	const char *p = s;
	if (!digits(&p, 4, false) || *p++ != '-')
		return false;
	if (strlen(s) == 10 && is_digit(s[5]) && is_digit(s[6]) && s[7] == '-' && is_digit(s[8]) && is_digit(s[9]))
		return true;
	if (!digits(&p, 2, true) || *p++ != '-' || !digits(&p, 2, true))
		return false;
	if (*p == 'T' || *p == 't') {
		p++;
	} else if (*p == ' ' || *p == '\t') {
		while (*p == ' ' || *p == '\t')
			p++;
	} else {
		return false;
	}
	/* the hour, minutes and seconds; what may follow (fraction, zone) is not checked further */
	return digits(&p, 2, true) && *p++ == ':' && digits(&p, 2, false) && *p++ == ':' && digits(&p, 2, false);
}

enum yscalar_type ynode_scalar_type(const struct ynode *n)
{
	if (!n || n->kind != YNODE_SCALAR)
		return YS_OTHER;
	const char *t = std_tag(n->tag);
	if (n->tag) {
		if (!t)
			return YS_OTHER;
		if (strcmp(t, "str") == 0)
			return YS_STR;
		if (strcmp(t, "null") == 0)
			return YS_NULL;
		if (strcmp(t, "bool") == 0)
			return YS_BOOL;
		if (strcmp(t, "int") == 0)
			return YS_INT;
		if (strcmp(t, "float") == 0)
			return YS_FLOAT;
		return YS_OTHER;
	}
	if (!n->plain)
		return YS_STR;
	const char *s = n->str;
	if (in_set(s, null_words))
		return YS_NULL;
	if (in_set(s, true_words) || in_set(s, false_words))
		return YS_BOOL;
	if (looks_int(s))
		return YS_INT;
	if (looks_float(s))
		return YS_FLOAT;
	if (looks_timestamp(s) || strcmp(s, "<<") == 0 || strcmp(s, "=") == 0)
		return YS_OTHER;
	return YS_STR;
}

int ynode_bool11(const struct ynode *n)
{
	if (ynode_scalar_type(n) != YS_BOOL)
		return -1;
	if (in_set(n->str, true_words))
		return 1;
	if (in_set(n->str, false_words))
		return 0;
	/* "!!bool" on something else: PyYAML fails to construct it; callers see "not a boolean". */
	return -1;
}

bool ynode_is_null(const struct ynode *n)
{
	return ynode_scalar_type(n) == YS_NULL;
}

bool ynode_is_str(const struct ynode *n, const char *s)
{
	return n && n->kind == YNODE_SCALAR && ynode_scalar_type(n) == YS_STR && strcmp(n->str, s) == 0;
}

static bool is_merge_key(const struct ynode *k)
{
	if (!k || k->kind != YNODE_SCALAR)
		return false;
	if (k->tag)
		return str_eq(std_tag(k->tag), "merge");
	return k->plain && strcmp(k->str, "<<") == 0;
}

struct walk {
	const struct ydoc *d;
	unsigned steps;
};

static bool walk_step(struct walk *w, unsigned depth)
{
	return depth <= YDOC_MAX_DEPTH && ++w->steps <= YDOC_MAX_STEPS;
}

static int lookup_rec(struct walk *w, size_t map, const char *key, unsigned depth, size_t *kid, size_t *vid)
{
	if (!walk_step(w, depth))
		return -E2BIG;
	const struct ynode *m = ydoc_node(w->d, map);
	if (!m || m->kind != YNODE_MAP)
		return 0;
	for (size_t i = m->n; i-- > 0;) {
		const struct ynode *k = ydoc_node(w->d, m->kids[2 * i]);
		if (!walk_step(w, depth))
			return -E2BIG;
		if (!is_merge_key(k) && ynode_is_str(k, key)) {
			*kid = m->kids[2 * i];
			*vid = m->kids[2 * i + 1];
			return 1;
		}
	}
	for (size_t i = m->n; i-- > 0;) {
		if (!is_merge_key(ydoc_node(w->d, m->kids[2 * i])))
			continue;
		size_t val = m->kids[2 * i + 1];
		const struct ynode *v = ydoc_node(w->d, val);
		int r = 0;
		if (v && v->kind == YNODE_MAP) {
			r = lookup_rec(w, val, key, depth + 1, kid, vid);
		} else if (v && v->kind == YNODE_SEQ) {
			for (size_t j = 0; j < v->n && r == 0; j++)
				r = lookup_rec(w, v->kids[j], key, depth + 1, kid, vid);
		}
		if (r != 0)
			return r;
	}
	return 0;
}

int ymap_lookup(const struct ydoc *d, size_t map, const char *key, size_t *key_id, size_t *val_id)
{
	struct walk w = { d, 0 };
	size_t k = 0, v = 0;
	int r = lookup_rec(&w, map, key, 0, &k, &v);
	if (key_id)
		*key_id = r == 1 ? k : 0;
	if (val_id)
		*val_id = r == 1 ? v : 0;
	return r;
}

struct pairs {
	struct ypair *v;
	size_t n, alloc;
};

/* PyYAML's flatten_mapping: the pairs of "<<" merges (in order; a list's maps last to first), then the explicit ones. */
static int flatten(struct walk *w, size_t map, unsigned depth, struct pairs *p)
{
	if (!walk_step(w, depth))
		return -E2BIG;
	const struct ynode *m = ydoc_node(w->d, map);
	if (!m || m->kind != YNODE_MAP)
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < m->n; i++) {
			bool merge = is_merge_key(ydoc_node(w->d, m->kids[2 * i]));
			if (pass == 0 && merge) {
				size_t val = m->kids[2 * i + 1];
				const struct ynode *v = ydoc_node(w->d, val);
				int r = 0;
				if (v && v->kind == YNODE_MAP) {
					r = flatten(w, val, depth + 1, p);
				} else if (v && v->kind == YNODE_SEQ) {
					for (size_t j = v->n; j-- > 0 && r == 0;)
						r = flatten(w, v->kids[j], depth + 1, p);
				}
				if (r < 0)
					return r;
			} else if (pass == 1 && !merge) {
				if (!walk_step(w, depth))
					return -E2BIG;
				if (p->n == p->alloc) {
					p->alloc = p->alloc ? p->alloc * 2 : 16;
					p->v = xreallocarray(p->v, p->alloc, sizeof(*p->v));
				}
				p->v[p->n].key = m->kids[2 * i];
				p->v[p->n].val = m->kids[2 * i + 1];
				p->n++;
			}
		}
	}
	return 0;
}

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int ymap_pairs(const struct ydoc *d, size_t map, struct ypair **out, size_t *n)
{
	struct walk w = { d, 0 };
	struct pairs flat = { NULL, 0, 0 };
	*out = NULL;
	*n = 0;
	int r = flatten(&w, map, 0, &flat);
	if (r < 0) {
		free(flat.v);
		return r;
	}
	/* a dict built from the flat pairs: a key keeps its first position and its last value */
	size_t cap = 16;
	while (cap < flat.n * 2)
		cap *= 2;
	size_t *slot = xcalloc(cap, sizeof(*slot)); /* index + 1 into res */
	struct ypair *res = xcalloc(flat.n ? flat.n : 1, sizeof(*res));
	size_t nres = 0;
	for (size_t i = 0; i < flat.n; i++) {
		const struct ynode *k = ydoc_node(d, flat.v[i].key);
		if (!k || k->kind != YNODE_SCALAR || ynode_scalar_type(k) != YS_STR)
			continue;
		size_t h = (size_t)hash_text(k->str) & (cap - 1);
		while (slot[h] && strcmp(ydoc_node(d, res[slot[h] - 1].key)->str, k->str) != 0)
			h = (h + 1) & (cap - 1);
		if (slot[h]) {
			res[slot[h] - 1].val = flat.v[i].val;
		} else {
			res[nres] = flat.v[i];
			slot[h] = ++nres;
		}
	}
	free(slot);
	free(flat.v);
	*out = res;
	*n = nres;
	return 0;
}

static void set_err(struct yerr *err, const struct ynode *n, char *msg)
{
	free(err->msg);
	err->msg = msg;
	err->line = n ? n->line : 0;
	err->col = n ? n->col : 0;
}

/* Whether a scalar's text fits the explicit standard tag it carries, as PyYAML constructs it. */
static bool tagged_scalar_ok(const char *t, const struct ynode *n)
{
	const char *s = n->str;
	if (strcmp(t, "null") == 0)
		return true; /* PyYAML's null constructor ignores the text */
	if (strcmp(t, "bool") == 0) {
		/* construct_yaml_bool looks the lowercased text up in its table */
		static const char *const words[] = { "yes", "no", "true", "false", "on", "off", NULL };
		char *low = xstrdup(s);
		for (char *c = low; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		bool ok = in_set(low, words);
		free(low);
		return ok;
	}
	if (strcmp(t, "int") == 0)
		return looks_int(s);
	if (strcmp(t, "float") == 0)
		return looks_float(s) || looks_int(s);
	return true;
}

int ydoc_check_safe_load(const struct ydoc *d, struct yerr *err)
{
	static const char *const scalar_tags[] = { "str", "null", "bool", "int", "float", "binary", "timestamp", NULL };
	static const char *const seq_tags[] = { "seq", "omap", "pairs", NULL };
	static const char *const map_tags[] = { "map", "set", NULL };
	int ret = 0;
	memset(err, 0, sizeof(*err));
	/* "<<" and "=" mean something as keys only; elsewhere PyYAML cannot construct them */
	bool *is_key = xcalloc(d->n ? d->n : 1, sizeof(*is_key));
	for (size_t id = 1; id < d->n; id++)
		if (d->v[id].kind == YNODE_MAP)
			for (size_t i = 0; i < d->v[id].n; i++)
				if (d->v[id].kids[2 * i] < d->n)
					is_key[d->v[id].kids[2 * i]] = true;
	for (size_t id = 1; id < d->n && !ret; id++) {
		const struct ynode *n = &d->v[id];
		if (n->kind == YNODE_SCALAR && !is_key[id]) {
			const char *special = NULL;
			if (n->tag ? str_eq(std_tag(n->tag), "merge") : (n->plain && strcmp(n->str, "<<") == 0))
				special = TAG_PREFIX "merge";
			else if (n->tag ? str_eq(std_tag(n->tag), "value") : (n->plain && strcmp(n->str, "=") == 0))
				special = TAG_PREFIX "value";
			if (special) {
				set_err(err, n, xasprintf("could not determine a constructor for the tag '%s'", special));
				ret = -EINVAL;
				break;
			}
		}
		if (n->tag) {
			const char *t = std_tag(n->tag);
			const char *const *ok = n->kind == YNODE_SCALAR ? scalar_tags : n->kind == YNODE_SEQ ? seq_tags : map_tags;
			bool key_tag = n->kind == YNODE_SCALAR && is_key[id] && (str_eq(t, "merge") || str_eq(t, "value"));
			if (!key_tag && (!t || !in_set(t, ok))) {
				char *p = str_printable(n->tag, 80);
				set_err(err, n, xasprintf("could not determine a constructor for the tag '%s'", p));
				free(p);
				ret = -EINVAL;
				break;
			}
			if (t && !key_tag && n->kind == YNODE_SCALAR && !tagged_scalar_ok(t, n)) {
				char *p = str_printable(n->str, 80);
				set_err(err, n, xasprintf("'%s' is not a valid !!%s", p, t));
				free(p);
				ret = -EINVAL;
				break;
			}
		}
		if (n->kind != YNODE_MAP)
			continue;
		for (size_t i = 0; i < n->n; i++) {
			const struct ynode *k = ydoc_node(d, n->kids[2 * i]);
			const struct ynode *v = ydoc_node(d, n->kids[2 * i + 1]);
			if (k && k->kind != YNODE_SCALAR) {
				set_err(err, k, xstrdup("found unhashable key"));
				ret = -EINVAL;
				break;
			}
			if (!is_merge_key(k))
				continue;
			bool ok = v && (v->kind == YNODE_MAP || v->kind == YNODE_SEQ);
			for (size_t j = 0; ok && v->kind == YNODE_SEQ && j < v->n; j++) {
				const struct ynode *e = ydoc_node(d, v->kids[j]);
				ok = e && e->kind == YNODE_MAP;
			}
			if (!ok) {
				set_err(err, v ? v : k, xstrdup("expected a mapping or list of mappings for merging"));
				ret = -EINVAL;
				break;
			}
		}
	}
	free(is_key);
	return ret;
}
