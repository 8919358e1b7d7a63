/* Network configuration parsers of every stack, and the questions a check asks of them (see netcfg.h). */
#include "netcfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"
#include "banned.h"

/* A file with more definitions than this is not a configuration anyone wrote by hand. */
#define NC_MAX_IFACES 4096u

/* ---- results ---- */

static void iface_free(struct nc_iface *i)
{
	free(i->id);
	free(i->kind);
	free(i->family);
	strvec_clear(&i->names);
	free(i->mac_match);
	free(i->mac_set);
	free(i->set_name);
	free(i->method_text);
	free(i->address);
	free(i->names_file);
	free(i->mac_match_file);
	free(i->mac_set_file);
	free(i->set_name_file);
	free(i->method_file);
	free(i->address_file);
}

void nc_file_free(struct nc_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		iface_free(&f->v[i]);
	free(f->v);
	for (size_t i = 0; i < f->nsrc; i++)
		free(f->src[i].pattern);
	free(f->src);
	for (size_t i = 0; i < f->nauto; i++) {
		free(f->autos[i].name);
		free(f->autos[i].how);
	}
	free(f->autos);
	free(f->path);
	free(f->renderer);
	free(f->stop_reason);
	strvec_clear(&f->notes);
	memset(f, 0, sizeof(*f));
}

static void file_init(struct nc_file *f, enum nc_format format, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->format = format;
	f->path = xstrdup(path ? path : "");
}

static void note(struct nc_file *f, unsigned line, const char *fmt, ...) ATTR_PRINTF(3, 4);
static void note(struct nc_file *f, unsigned line, const char *fmt, ...)
{
	if (f->notes.n >= 200)
		return; /* enough to show what is wrong with a file of garbage */
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (line)
		strvec_pushf(&f->notes, "line %u: %s", line, msg);
	else
		strvec_push(&f->notes, msg);
	free(msg);
}

static void stop(struct nc_file *f, unsigned line, bool whole, const char *fmt, ...) ATTR_PRINTF(4, 5);
static void stop(struct nc_file *f, unsigned line, bool whole, const char *fmt, ...)
{
	if (f->stop_reason)
		return;
	va_list ap;
	va_start(ap, fmt);
	f->stop_reason = xvasprintf(fmt, ap);
	va_end(ap);
	f->stop_line = line;
	f->stop_whole_file = whole;
}

/* A new definition; NULL past NC_MAX_IFACES. The pointer is valid until the next call. */
static struct nc_iface *new_iface(struct nc_file *f, const char *id, unsigned line)
{
	if (f->n >= NC_MAX_IFACES) {
		if (f->n == NC_MAX_IFACES && f->notes.n < 200)
			note(f, line, "more than %u definitions: the rest is not read", NC_MAX_IFACES);
		return NULL;
	}
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 8;
		f->v = xreallocarray(f->v, f->alloc, sizeof(*f->v));
	}
	struct nc_iface *i = &f->v[f->n++];
	memset(i, 0, sizeof(*i));
	i->id = xstrdup(id ? id : "");
	i->line = line;
	i->autostart = -1;
	return i;
}

static void set_field(char **field, unsigned *line_field, const char *value, unsigned line)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
	if (line_field)
		*line_field = line;
}

static void set_method(struct nc_iface *i, enum nc_method m, const char *text, unsigned line)
{
	i->method = m;
	i->method_line = line;
	free(i->method_text);
	i->method_text = text ? xstrdup(text) : NULL;
}

static char *lower(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

static bool is_ipv4ish(const char *s)
{
	return s && strchr(s, '.') && !strchr(s, ':');
}

/* ---- MAC addresses and globs ---- */

static int hexdig(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *nc_mac_normalize(const char *s)
{
	unsigned char b[6];
	int n = 0;
	if (!s)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len && memchr(s, ';', len)) {
		/* NetworkManager's legacy keyfile form: decimal bytes separated by ';' */
		const char *p = s, *end = s + len;
		while (p < end && n < 6) {
			if (!isdigit((unsigned char)*p))
				return NULL;
			int v = 0;
			while (p < end && isdigit((unsigned char)*p) && v < 1000)
				v = v * 10 + (*p++ - '0');
			if (v > 255 || (p < end && *p != ';'))
				return NULL;
			b[n++] = (unsigned char)v;
			if (p < end)
				p++;
		}
		if (n != 6 || p != end)
			return NULL;
	} else if (len == 14 && s[4] == '.' && s[9] == '.') {
		/* aabb.ccdd.eeff */
		const char *p = s;
		for (int k = 0; k < 6; k++) {
			if (*p == '.')
				p++;
			int h = hexdig(p[0]), l = hexdig(p[1]);
			if (h < 0 || l < 0)
				return NULL;
			b[n++] = (unsigned char)(h * 16 + l);
			p += 2;
		}
	} else if (len == 17) {
		char sep = s[2];
		if (sep != ':' && sep != '-')
			return NULL;
		for (int k = 0; k < 6; k++) {
			const char *p = s + 3 * k;
			int h = hexdig(p[0]), l = hexdig(p[1]);
			if (h < 0 || l < 0 || (k < 5 && p[2] != sep))
				return NULL;
			b[n++] = (unsigned char)(h * 16 + l);
		}
	} else {
		return NULL;
	}
	return xasprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* One bracket expression at *pp (after '['): whether c is in it; *pp advanced past ']'. -1: not a bracket. */
static int bracket(const char **pp, char c)
{
	const char *p = *pp;
	bool neg = false, hit = false, first = true;
	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	while (*p && (*p != ']' || first)) {
		first = false;
		char lo = *p++;
		if (lo == '\\' && *p)
			lo = *p++;
		char hi = lo;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			hi = *p++;
			if (hi == '\\' && *p)
				hi = *p++;
		}
		if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
			hit = true;
	}
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return hit != neg;
}

/* Iterative with one backtrack point, so that no pattern costs more than |p| * |s|. */
bool nc_glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;
	while (*s) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return true;
			star_p = p;
			star_s = s;
			continue;
		}
		bool ok = false;
		const char *next = p + 1;
		if (*p == '?') {
			ok = true;
		} else if (*p == '[') {
			const char *q = p + 1;
			int r = bracket(&q, *s);
			if (r >= 0) {
				ok = r == 1;
				next = q;
			} else {
				ok = *s == '[';
			}
		} else if (*p == '\\' && p[1]) {
			ok = p[1] == *s;
			next = p + 2;
		} else if (*p) {
			ok = *p == *s;
		}
		if (ok) {
			p = next;
			s++;
		} else if (star_p) {
			p = star_p;
			s = ++star_s;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

bool nc_iface_applies(const struct nc_iface *i, const char *name, const char *mac)
{
	if (i->mac_match) {
		char *m = mac ? nc_mac_normalize(mac) : NULL;
		bool same = m && strcmp(m, i->mac_match) == 0;
		free(m);
		if (!same)
			return false;
	}
	bool any_positive = false, hit = false;
	for (size_t k = 0; k < i->names.n; k++) {
		const char *pat = i->names.v[k];
		if (pat[0] == '!') {
			if (nc_glob_match(pat + 1, name))
				return false;
			continue;
		}
		if (pat[0] == '~')
			pat++; /* NetworkManager: a pattern that must match */
		any_positive = true;
		if (nc_glob_match(pat, name))
			hit = true;
	}
	return !any_positive || hit;
}

bool nc_iface_pinned(const struct nc_iface *i)
{
	return i->mac_match || i->mac_set;
}

const char *nc_method_name(enum nc_method m)
{
	switch (m) {
	case NC_UNSET:
		return "unset";
	case NC_DHCP:
		return "dhcp";
	case NC_STATIC:
		return "static";
	case NC_NONE:
		return "none";
	case NC_OTHER:
		return "other";
	}
	return "unknown";
}

const char *nc_format_name(enum nc_format f)
{
	switch (f) {
	case NC_IFUPDOWN:
		return "ifupdown";
	case NC_IFCFG_RH:
		return "ifcfg";
	case NC_IFCFG_SUSE:
		return "wicked ifcfg";
	case NC_NM_KEYFILE:
		return "NetworkManager keyfile";
	case NC_NETPLAN:
		return "netplan";
	case NC_NETWORKD:
		return "systemd-networkd";
	case NC_NETWORKD_LINK:
		return "systemd .link";
	case NC_UDEV_RULES:
		return "udev rules";
	}
	return "unknown";
}

/* ---- physical lines ---- */

struct lines {
	const char *p, *end;
	unsigned lineno;
};

/* The next physical line without its '\n' (a NUL ends what the tools see of it, as fgets+strlen do). */
static bool next_line(struct lines *L, char **out)
{
	if (L->p >= L->end)
		return false;
	const char *nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
	const char *stop = nl ? nl : L->end;
	*out = xstrndup(L->p, (size_t)(stop - L->p));
	L->p = nl ? nl + 1 : L->end;
	L->lineno++;
	return true;
}

static char *rtrim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static const char *skip_space(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

/* ---- ifupdown ---- */

/*
 * ifupdown's get_line: leading blanks dropped, lines starting with '#' skipped, a final backslash
 * joins the next physical line as it is, trailing blanks dropped. *first: the first physical line.
 */
static bool ifupdown_line(struct lines *L, char **out, unsigned *first)
{
	char *raw;
	for (;;) {
		if (!next_line(L, &raw))
			return false;
		const char *t = skip_space(raw);
		if (*t != '#') {
			char *s = xstrdup(t);
			free(raw);
			raw = s;
			break;
		}
		free(raw);
	}
	*first = L->lineno;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, raw);
	free(raw);
	while (sb.len && sb.buf[sb.len - 1] == '\\') {
		sb.buf[--sb.len] = '\0';
		char *more;
		if (!next_line(L, &more))
			break;
		strbuf_addstr(&sb, more);
		free(more);
	}
	*out = rtrim(strbuf_detach(&sb));
	return true;
}

static const char *const inet_methods[] = { "loopback", "static", "manual", "dhcp", "bootp", "tunnel", "ppp",
					    "wvdial", "ipv4ll", NULL };
static const char *const inet6_methods[] = { "auto", "loopback", "static", "manual", "dhcp", "v4tunnel", "6to4", NULL };
static const char *const families[] = { "inet", "inet6", "link", "ipx", "can", "meta", NULL };

static bool in_list(const char *s, const char *const *l)
{
	for (; *l; l++)
		if (strcmp(s, *l) == 0)
			return true;
	return false;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static void ifupdown_method(struct nc_iface *i, const char *family, const char *method, unsigned line)
{
	char *text = xasprintf("%s %s", family, method);
	enum nc_method m = NC_UNSET;
	if (strcmp(family, "inet") == 0) {
		if (strcmp(method, "dhcp") == 0)
			m = NC_DHCP;
		else if (strcmp(method, "static") == 0)
			m = NC_STATIC;
		else if (strcmp(method, "manual") == 0 || strcmp(method, "ipv4ll") == 0)
			m = NC_NONE;
		else
			m = NC_OTHER;
	}
	/* an inet6 (or other family) stanza says nothing about IPv4 */
	set_method(i, m, text, line);
	free(text);
}

int nc_parse_ifupdown(const char *path, const char *data, size_t len, struct nc_file *f)
{
	enum { NONE, IFACE, MAPPING } state = NONE;
	struct lines L = { data, data + len, 0 };
	char *line;
	unsigned ln;
	size_t cur = 0; /* index of the current iface + 1 */
	char *dir = dir_of(path ? path : "");

	file_init(f, NC_IFUPDOWN, path);
	while (!f->stop_reason && ifupdown_line(&L, &line, &ln)) {
		struct strvec w = STRVEC_INIT;
		str_split(&w, line, " \t\n\r\v\f");
		const char *first = skip_space(line);
		const char *rest = first + strcspn(first, " \t\n\r\v\f");
		rest = skip_space(rest);
		if (!w.n) {
			/* blank */
		} else if (strcmp(w.v[0], "mapping") == 0) {
			state = MAPPING;
			cur = 0;
			note(f, ln, "a mapping stanza: the logical names it maps to are not followed");
		} else if (strcmp(w.v[0], "source") == 0 || strncmp(w.v[0], "source-dir", 10) == 0) {
			if (f->nsrc == f->src_alloc) {
				f->src_alloc = f->src_alloc ? f->src_alloc * 2 : 4;
				f->src = xreallocarray(f->src, f->src_alloc, sizeof(*f->src));
			}
			struct nc_source *s = &f->src[f->nsrc++];
			s->line = ln;
			s->directory = w.v[0][6] == '-';
			s->pattern = rest[0] == '/' ? xstrdup(rest) : xasprintf("%s/%s", dir, rest);
			if (strpbrk(rest, "$`~\"'"))
				note(f, ln, "shell expansion in a source line is not modelled");
			state = NONE;
			cur = 0;
		} else if (strcmp(w.v[0], "iface") == 0) {
			cur = 0;
			if (w.n < 2) {
				stop(f, ln, false, "too few parameters for iface line");
			} else if (w.n < 3 || (!in_list(w.v[2], families) && strcmp(w.v[2], "inherits") != 0)) {
				stop(f, ln, false, "unknown or no address type and no inherits keyword specified");
			} else if (in_list(w.v[2], families) &&
				   (w.n < 4 || (strcmp(w.v[3], "inherits") != 0 &&
						((strcmp(w.v[2], "inet") == 0 && !in_list(w.v[3], inet_methods)) ||
						 (strcmp(w.v[2], "inet6") == 0 && !in_list(w.v[3], inet6_methods)))))) {
				stop(f, ln, false, "unknown or no method and no inherits keyword specified");
			} else {
				struct nc_iface *i = new_iface(f, w.v[1], ln);
				if (i) {
					strvec_push(&i->names, w.v[1]);
					i->names_line = ln;
					const char *fam = in_list(w.v[2], families) ? w.v[2] : NULL;
					i->family = fam ? xstrdup(fam) : NULL;
					if (fam && strcmp(w.v[3], "inherits") != 0)
						ifupdown_method(i, fam, w.v[3], ln);
					size_t kw = fam ? 4 : 2;
					if (w.n > kw && strcmp(w.v[kw], "inherits") == 0)
						note(f, ln, "'inherits %s': the inherited settings are not followed",
						     w.n > kw + 1 ? w.v[kw + 1] : "");
					else if (w.n > kw)
						note(f, ln, "extra parameter for the iface line not understood and ignored: %s",
						     w.v[kw]);
					cur = f->n;
				}
				state = IFACE;
			}
		} else if (strcmp(w.v[0], "auto") == 0 || (strncmp(w.v[0], "allow-", 6) == 0 && w.v[0][6])) {
			for (size_t k = 1; k < w.n; k++) {
				if (f->nauto >= NC_MAX_IFACES)
					break;
				if (f->nauto == f->auto_alloc) {
					f->auto_alloc = f->auto_alloc ? f->auto_alloc * 2 : 8;
					f->autos = xreallocarray(f->autos, f->auto_alloc, sizeof(*f->autos));
				}
				struct nc_auto *a = &f->autos[f->nauto++];
				a->name = xstrdup(w.v[k]);
				a->how = xstrdup(w.v[0]);
				a->line = ln;
			}
			state = NONE;
			cur = 0;
		} else if (strcmp(w.v[0], "no-auto-down") == 0 || strcmp(w.v[0], "no-scripts") == 0) {
			state = NONE;
			cur = 0;
		} else if (state == IFACE) {
			if (!*rest) {
				stop(f, ln, false, "option with empty value");
			} else if (cur) {
				struct nc_iface *i = &f->v[cur - 1];
				if (strcmp(w.v[0], "address") == 0 && !i->address) {
					set_field(&i->address, &i->address_line, w.v[1], ln);
				} else if (strcmp(w.v[0], "hwaddress") == 0) {
					const char *v = w.n > 2 && strcmp(w.v[1], "ether") == 0 ? w.v[2] : w.v[1];
					char *mac = nc_mac_normalize(v);
					if (mac) {
						set_field(&i->mac_set, &i->mac_set_line, mac, ln);
					} else if (strcmp(v, "random") != 0) {
						note(f, ln, "hwaddress '%s' is not a MAC address", v);
					}
					free(mac);
				}
			}
		} else if (state == MAPPING) {
			if (strcmp(w.v[0], "script") != 0 && strcmp(w.v[0], "map") != 0)
				stop(f, ln, false, "misplaced option");
		} else {
			stop(f, ln, false, "misplaced option");
		}
		strvec_clear(&w);
		free(line);
	}
	if (f->stop_reason)
		note(f, f->stop_line,
		     "ifupdown stops reading this file here (%s); if it is /etc/network/interfaces itself, "
		     "ifup brings up no interface at all", f->stop_reason);
	for (size_t k = 0; k < f->n; k++)
		for (size_t a = 0; a < f->nauto; a++)
			if (strcmp(f->autos[a].name, f->v[k].id) == 0) {
				f->v[k].autostart = 1;
				f->v[k].autostart_line = f->autos[a].line;
				break;
			}
	free(dir);
	return 0;
}

/* Match a path against a glob the way glob(3) does: per "/" component, "*" never matching a leading ".". */
static bool path_glob(const char *pat, const char *path)
{
	struct strvec pp = STRVEC_INIT, sp = STRVEC_INIT;
	str_split(&pp, pat, "/");
	str_split(&sp, path, "/");
	bool ok = pp.n == sp.n && (pat[0] == '/') == (path[0] == '/');
	for (size_t k = 0; ok && k < pp.n; k++) {
		if (sp.v[k][0] == '.' && pp.v[k][0] != '.')
			ok = false;
		else
			ok = nc_glob_match(pp.v[k], sp.v[k]);
	}
	strvec_clear(&pp);
	strvec_clear(&sp);
	return ok;
}

static bool source_dir_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

unsigned nc_ifupdown_reads(const struct nc_file *f, const char *path)
{
	for (size_t k = 0; k < f->nsrc; k++) {
		const struct nc_source *s = &f->src[k];
		struct strvec words = STRVEC_INIT;
		str_split(&words, s->pattern, " \t");
		bool hit = false;
		for (size_t j = 0; j < words.n && !hit; j++) {
			if (s->directory) {
				char *d = dir_of(path);
				const char *base = strrchr(path, '/');
				base = base ? base + 1 : path;
				/* the directory as wordexp expands it, then names that pass ifupdown's filter */
				hit = path_glob(words.v[j], d) && source_dir_name_ok(base);
				free(d);
			} else {
				hit = path_glob(words.v[j], path);
			}
		}
		strvec_clear(&words);
		if (hit)
			return s->line;
	}
	return 0;
}

const struct nc_auto *nc_ifupdown_auto(const struct nc_file *files, size_t n, const char *name,
				       const struct nc_file **file)
{
	for (size_t k = 0; k < n; k++)
		for (size_t a = 0; a < files[k].nauto; a++)
			if (strcmp(files[k].autos[a].name, name) == 0) {
				if (file)
					*file = &files[k];
				return &files[k].autos[a];
			}
	if (file)
		*file = NULL;
	return NULL;
}

/* ---- ifcfg (shell variables) ---- */

struct kv {
	char *key, *val;
	unsigned line;
};

/* ifcfg files have a few dozen keys; past this many, later new keys are dropped. */
#define NC_MAX_KEYS 4096u
#define KV_SLOTS (2 * NC_MAX_KEYS)

/* Shell variables by name: a small hash table, so that a file of distinct junk keys stays linear. */
struct kvs {
	struct kv *v;
	size_t n, alloc;
	size_t *slot; /* KV_SLOTS entries: index + 1 into v, 0 free */
};

static size_t kv_hash(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h & (KV_SLOTS - 1);
}

static size_t *kvs_find(struct kvs *m, const char *key)
{
	if (!m->slot)
		m->slot = xcalloc(KV_SLOTS, sizeof(*m->slot));
	size_t h = kv_hash(key);
	while (m->slot[h] && strcmp(m->v[m->slot[h] - 1].key, key) != 0)
		h = (h + 1) & (KV_SLOTS - 1);
	return &m->slot[h];
}

static bool kvs_set(struct kvs *m, const char *key, const char *val, unsigned line)
{
	size_t *sl = kvs_find(m, key);
	if (*sl) {
		struct kv *e = &m->v[*sl - 1];
		free(e->val);
		e->val = xstrdup(val);
		e->line = line;
		return true;
	}
	if (m->n >= NC_MAX_KEYS)
		return false;
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 16;
		m->v = xreallocarray(m->v, m->alloc, sizeof(*m->v));
	}
	m->v[m->n].key = xstrdup(key);
	m->v[m->n].val = xstrdup(val);
	m->v[m->n].line = line;
	*sl = ++m->n;
	return true;
}

static const struct kv *kvs_get(struct kvs *m, const char *key)
{
	size_t *sl = kvs_find(m, key);
	return *sl ? &m->v[*sl - 1] : NULL;
}

static void kvs_free(struct kvs *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].val);
	}
	free(m->v);
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

static bool shell_name(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

static const char *const ifcfg_skip_suffixes[] = { "~", ".bak", ".orig", ".rej", ".rpmnew", ".rpmorig", ".rpmsave",
						   ".old", ".swp", ".tmp", ".dpkg-old", ".dpkg-dist", NULL };

bool nc_ifcfg_wanted(const char *name)
{
	if (!str_starts_with(name, "ifcfg-") || !name[6] || strcmp(name, "ifcfg-lo") == 0)
		return false;
	for (const char *const *s = ifcfg_skip_suffixes; *s; s++)
		if (str_ends_with(name, *s))
			return false;
	return true;
}

static const struct kv *first_address(struct kvs *m, bool suse)
{
	const struct kv *a = kvs_get(m, "IPADDR");
	if (a && *a->val)
		return a;
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->v[i].key;
		if (!*m->v[i].val || !str_starts_with(k, "IPADDR"))
			continue;
		/* RHEL: IPADDR0..IPADDRn; SUSE: IPADDR_<suffix> */
		if (suse ? k[6] == '_' : (k[6] >= '0' && k[6] <= '9'))
			return &m->v[i];
	}
	return NULL;
}

int nc_parse_ifcfg(const char *path, const char *data, size_t len, bool suse, struct nc_file *f)
{
	struct kvs m = { NULL, 0, 0, NULL };
	struct line_iter it;
	bool too_many = false;
	file_init(f, suse ? NC_IFCFG_SUSE : NC_IFCFG_RH, path);
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *l = str_trim(it.line);
		if (!*l || *l == '#')
			continue;
		if (str_starts_with(l, "export ") || str_starts_with(l, "export\t"))
			l = str_trim(l + 7);
		char *eq = strchr(l, '=');
		if (!eq || !shell_name(l, (size_t)(eq - l))) {
			note(f, it.lineno, "not a shell assignment: ignored");
			continue;
		}
		*eq = '\0';
		char *val = shell_unquote(eq + 1);
		if (!val) {
			note(f, it.lineno, "'%s': malformed shell value: ignored", l);
			continue;
		}
		if (!kvs_set(&m, l, val, it.lineno) && m.n == NC_MAX_KEYS && !too_many) {
			note(f, it.lineno, "more than %u variables: the rest is not read", NC_MAX_KEYS);
			too_many = true;
		}
		free(val);
	}
	line_iter_done(&it);

	const char *base = strrchr(f->path, '/');
	base = base ? base + 1 : f->path;
	const char *suffix = str_starts_with(base, "ifcfg-") ? base + 6 : base;
	const struct kv *dev = suse ? NULL : kvs_get(&m, "DEVICE");
	const char *name = dev && *dev->val ? dev->val : suffix;
	struct nc_iface *i = new_iface(f, name, 1);
	if (!i)
		goto out;
	strvec_push(&i->names, name);
	i->names_line = dev && *dev->val ? dev->line : 0;
	if (!suse && !(dev && *dev->val))
		note(f, 0, "no DEVICE=: the name comes from the file name");

	const struct kv *t = kvs_get(&m, "TYPE");
	if (t && *t->val)
		i->kind = lower(t->val);
	const struct kv *hw = suse ? NULL : kvs_get(&m, "HWADDR");
	if (hw && *hw->val) {
		char *mac = nc_mac_normalize(hw->val);
		if (mac)
			set_field(&i->mac_match, &i->mac_match_line, mac, hw->line);
		else
			note(f, hw->line, "HWADDR '%s' is not a MAC address", hw->val);
		free(mac);
	}
	const struct kv *ma = kvs_get(&m, suse ? "LLADDR" : "MACADDR");
	if (ma && *ma->val) {
		char *mac = nc_mac_normalize(ma->val);
		if (mac)
			set_field(&i->mac_set, &i->mac_set_line, mac, ma->line);
		else
			note(f, ma->line, "%s '%s' is not a MAC address", ma->key, ma->val);
		free(mac);
	}
	const struct kv *addr = first_address(&m, suse);
	if (addr)
		set_field(&i->address, &i->address_line, addr->val, addr->line);

	const struct kv *bp = kvs_get(&m, "BOOTPROTO");
	char *proto = bp ? lower(bp->val) : xstrdup(suse ? "static" : "none");
	char *text = bp ? xasprintf("BOOTPROTO=%s", bp->val) : xasprintf("no BOOTPROTO (%s)", proto);
	enum nc_method meth;
	if (strcmp(proto, "dhcp") == 0 || strcmp(proto, "bootp") == 0 || strcmp(proto, "dhcp4") == 0 ||
	    strcmp(proto, "dhcp+autoip") == 0)
		meth = NC_DHCP;
	else if (strcmp(proto, "none") == 0 || strcmp(proto, "static") == 0 || !*proto)
		meth = addr ? NC_STATIC : NC_NONE;
	else if (strcmp(proto, "dhcp6") == 0 || strcmp(proto, "autoip") == 0)
		meth = NC_NONE;
	else
		meth = NC_OTHER;
	set_method(i, meth, text, bp ? bp->line : 0);
	free(text);
	free(proto);

	if (suse) {
		const struct kv *sm = kvs_get(&m, "STARTMODE");
		if (sm) {
			static const char *const up[] = { "auto", "onboot", "on", "boot", "hotplug", "ifplugd", "nfsroot", NULL };
			char *v = lower(sm->val);
			i->autostart = in_list(v, up) ? 1 : 0;
			i->autostart_line = sm->line;
			free(v);
		}
	} else {
		const struct kv *ob = kvs_get(&m, "ONBOOT");
		if (ob) {
			char *v = lower(ob->val);
			i->autostart = strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ? 1 : 0;
			i->autostart_line = ob->line;
			free(v);
		}
		const struct kv *master = kvs_get(&m, "MASTER");
		const struct kv *bridge = kvs_get(&m, "BRIDGE");
		if ((master && *master->val) || (bridge && *bridge->val))
			note(f, (master && *master->val) ? master->line : bridge->line,
			     "a port of %s: its address is configured there",
			     (master && *master->val) ? master->val : bridge->val);
	}
out:
	kvs_free(&m);
	return 0;
}

/* ---- INI-like files: GLib keyfiles and systemd units ---- */

struct ini_entry {
	char *section, *key, *val;
	unsigned line;
};

struct ini {
	struct ini_entry *v;
	size_t n, alloc;
};

static void ini_add(struct ini *d, const char *section, const char *key, const char *val, unsigned line)
{
	if (d->n >= 10000)
		return; /* unit files and keyfiles have dozens of lines */
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 32;
		d->v = xreallocarray(d->v, d->alloc, sizeof(*d->v));
	}
	d->v[d->n].section = xstrdup(section);
	d->v[d->n].key = xstrdup(key);
	d->v[d->n].val = xstrdup(val);
	d->v[d->n].line = line;
	d->n++;
}

static void ini_free(struct ini *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].section);
		free(d->v[i].key);
		free(d->v[i].val);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* The last value of section.key (GLib and systemd: a later assignment wins). */
static const struct ini_entry *ini_last(const struct ini *d, const char *section, const char *key)
{
	for (size_t i = d->n; i-- > 0;)
		if (strcmp(d->v[i].section, section) == 0 && strcmp(d->v[i].key, key) == 0)
			return &d->v[i];
	return NULL;
}

/* GLib's keyfile escapes: \s \n \t \r \\. */
static char *glib_unescape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			switch (*s) {
			case 's':
				strbuf_addch(&sb, ' ');
				break;
			case 'n':
				strbuf_addch(&sb, '\n');
				break;
			case 't':
				strbuf_addch(&sb, '\t');
				break;
			case 'r':
				strbuf_addch(&sb, '\r');
				break;
			default:
				strbuf_addch(&sb, *s);
			}
		} else {
			strbuf_addch(&sb, *s);
		}
	}
	return strbuf_detach(&sb);
}

/* A GLib keyfile. A line that is no group, key or comment makes GLib refuse the whole file. */
static void keyfile_read(struct nc_file *f, const char *data, size_t len, struct ini *d)
{
	struct line_iter it;
	char *group = NULL;
	line_iter_init(&it, data, len);
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		it.p += 3;
	while (line_iter_next(&it)) {
		char *l = str_trim(it.line);
		if (!*l || *l == '#')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');
			if (!close || !str_is_blank(close + 1)) {
				stop(f, it.lineno, true, "not a group, key or comment: NetworkManager ignores the whole file");
				break;
			}
			free(group);
			group = xstrndup(l + 1, (size_t)(close - l - 1));
			continue;
		}
		char *eq = strchr(l, '=');
		if (!eq || eq == l) {
			stop(f, it.lineno, true, "not a group, key or comment: NetworkManager ignores the whole file");
			break;
		}
		if (!group) {
			stop(f, it.lineno, true, "a key before the first group: NetworkManager ignores the whole file");
			break;
		}
		*eq = '\0';
		char *key = str_trim(l);
		char *val = glib_unescape(str_trim(eq + 1));
		ini_add(d, group, key, val, it.lineno);
		free(val);
	}
	line_iter_done(&it);
	free(group);
}

bool nc_nm_keyfile_wanted(const char *name)
{
	if (!*name || name[0] == '.')
		return false;
	for (const char *const *s = ifcfg_skip_suffixes; *s; s++)
		if (str_ends_with(name, *s))
			return false;
	return true;
}

static bool glib_true(const char *v)
{
	return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

int nc_parse_nm_keyfile(const char *path, const char *data, size_t len, struct nc_file *f)
{
	struct ini d = { NULL, 0, 0 };
	file_init(f, NC_NM_KEYFILE, path);
	keyfile_read(f, data, len, &d);
	if (f->stop_reason) {
		note(f, f->stop_line, "%s", f->stop_reason);
		goto out;
	}
	const struct ini_entry *id = ini_last(&d, "connection", "id");
	const char *base = strrchr(f->path, '/');
	base = base ? base + 1 : f->path;
	struct nc_iface *i = new_iface(f, id ? id->val : base, 1);
	if (!i)
		goto out;
	const struct ini_entry *type = ini_last(&d, "connection", "type");
	if (type) {
		const char *t = type->val;
		i->kind = xstrdup(strcmp(t, "802-3-ethernet") == 0 ? "ethernet" : strcmp(t, "802-11-wireless") == 0 ? "wifi" : t);
	}
	const struct ini_entry *ifn = ini_last(&d, "connection", "interface-name");
	if (ifn && *ifn->val) {
		strvec_push(&i->names, ifn->val);
		i->names_line = ifn->line;
	}
	const struct ini_entry *mi = ini_last(&d, "match", "interface-name");
	if (mi && *mi->val) {
		str_split(&i->names, mi->val, ";");
		if (!i->names_line)
			i->names_line = mi->line;
	}
	const char *eth = ini_last(&d, "ethernet", "mac-address") ? "ethernet" : "802-3-ethernet";
	const struct ini_entry *mac = ini_last(&d, eth, "mac-address");
	if (mac && *mac->val) {
		char *m = nc_mac_normalize(mac->val);
		if (m)
			set_field(&i->mac_match, &i->mac_match_line, m, mac->line);
		else
			note(f, mac->line, "mac-address '%s' is not a MAC address", mac->val);
		free(m);
	}
	const struct ini_entry *cl = ini_last(&d, "ethernet", "cloned-mac-address");
	if (!cl)
		cl = ini_last(&d, "802-3-ethernet", "cloned-mac-address");
	if (cl && *cl->val) {
		char *m = nc_mac_normalize(cl->val);
		if (m)
			set_field(&i->mac_set, &i->mac_set_line, m, cl->line);
		free(m); /* "preserve", "permanent", "random", "stable": no fixed address */
	}
	const struct ini_entry *master = ini_last(&d, "connection", "master");
	if (!master)
		master = ini_last(&d, "connection", "controller");
	const struct ini_entry *meth = ini_last(&d, "ipv4", "method");
	if (master && *master->val) {
		char *text = xasprintf("port of %s", master->val);
		set_method(i, NC_NONE, text, master->line);
		free(text);
	} else if (meth) {
		const char *v = meth->val;
		enum nc_method m = strcmp(v, "auto") == 0 ? NC_DHCP
				   : strcmp(v, "manual") == 0 ? NC_STATIC
				   : (strcmp(v, "disabled") == 0 || strcmp(v, "link-local") == 0) ? NC_NONE
												 : NC_OTHER;
		char *text = xasprintf("method=%s", v);
		set_method(i, m, text, meth->line);
		free(text);
	} else if (!type || strcmp(type->val, "ethernet") == 0 || strcmp(type->val, "802-3-ethernet") == 0) {
		set_method(i, NC_DHCP, "no [ipv4] method (auto)", 0);
	}
	/* the lowest numbered addressN= (or the older addresses=) of [ipv4] */
	const struct ini_entry *best = NULL;
	long best_n = 0;
	for (size_t k = 0; k < d.n; k++) {
		const struct ini_entry *a = &d.v[k];
		if (strcmp(a->section, "ipv4") != 0 || !*a->val)
			continue;
		long num;
		if (strcmp(a->key, "addresses") == 0 || strcmp(a->key, "address") == 0) {
			num = 0;
		} else if (str_starts_with(a->key, "address") && a->key[7] >= '1' && a->key[7] <= '9' &&
			   strspn(a->key + 7, "0123456789") == strlen(a->key + 7) && strlen(a->key + 7) < 6) {
			num = strtol(a->key + 7, NULL, 10);
		} else {
			continue;
		}
		if (!best || num < best_n || (num == best_n && a->line > best->line)) {
			best = a;
			best_n = num;
		}
	}
	if (best) {
		char *v = xstrndup(best->val, strcspn(best->val, ",;"));
		set_field(&i->address, &i->address_line, v, best->line);
		free(v);
	}
	const struct ini_entry *ac = ini_last(&d, "connection", "autoconnect");
	i->autostart = ac ? glib_true(ac->val) : 1;
	i->autostart_line = ac ? ac->line : 0;
out:
	ini_free(&d);
	return 0;
}

/*
 * A systemd unit-style file (systemd.syntax): '#' and ';' comments, a final backslash joins the
 * next line (comment lines within are dropped), a bad section header makes systemd refuse the
 * file, a line without '=' or outside a section is ignored with a warning.
 */
static void unit_read(struct nc_file *f, const char *data, size_t len, struct ini *d)
{
	struct lines L = { data, data + len, 0 };
	char *raw;
	char *section = NULL;
	struct strbuf cont = STRBUF_INIT; /* a line continued by a final backslash */
	unsigned cont_line = 0;
	while (next_line(&L, &raw)) {
		size_t n = strlen(raw);
		if (n && raw[n - 1] == '\r')
			raw[--n] = '\0';
		const char *s = skip_space(raw);
		if (!*s || *s == '#' || *s == ';') {
			/* comment lines inside a continuation are dropped, the continuation goes on */
			free(raw);
			continue;
		}
		if (!cont.len)
			cont_line = L.lineno;
		strbuf_addstr(&cont, s);
		free(raw);
		bool escaped = false;
		for (const char *e = cont.buf; *e; e++)
			escaped = !escaped && *e == '\\';
		if (escaped && L.p < L.end) {
			cont.buf[cont.len - 1] = ' ';
			continue;
		}
		unsigned ln = cont_line;
		char *l = str_trim(cont.buf);
		if (*l == '[') {
			size_t k = strlen(l);
			if (l[k - 1] != ']') {
				stop(f, ln, true, "invalid section header: systemd ignores the whole file");
				break;
			}
			free(section);
			section = xstrndup(l + 1, k - 2);
		} else if (!section) {
			note(f, ln, "assignment outside of a section: ignored");
		} else {
			char *eq = strchr(l, '=');
			if (!eq) {
				note(f, ln, "missing '=': ignored");
			} else {
				*eq = '\0';
				ini_add(d, section, str_trim(l), str_trim(eq + 1), ln);
			}
		}
		strbuf_reset(&cont);
	}
	strbuf_release(&cont);
	free(section);
}

/* systemd's parse_boolean. */
static int sd_bool(const char *v)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on", NULL };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off", NULL };
	char *l = lower(v);
	int r = in_list(l, yes) ? 1 : in_list(l, no) ? 0 : -1;
	free(l);
	return r;
}

/* A list setting that accumulates over lines (an empty assignment clears it): Name=, MACAddress=. */
static unsigned sd_list(const struct ini *d, const char *section, const char *key, struct strvec *out)
{
	unsigned line = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->v[i].section, section) != 0 || strcmp(d->v[i].key, key) != 0)
			continue;
		if (!*d->v[i].val) {
			strvec_clear(out);
			line = 0;
			continue;
		}
		str_split(out, d->v[i].val, " \t");
		if (!line)
			line = d->v[i].line;
	}
	return line;
}

static void sd_macs(struct nc_file *f, const struct ini *d, const char *section, const char *key, char **field,
		    unsigned *line_field)
{
	struct strvec macs = STRVEC_INIT;
	unsigned line = sd_list(d, section, key, &macs);
	if (macs.n) {
		char *m = nc_mac_normalize(macs.v[0]);
		if (m)
			set_field(field, line_field, m, line);
		else
			note(f, line, "%s '%s' is not a MAC address", key, macs.v[0]);
		free(m);
		if (macs.n > 1)
			note(f, line, "%s lists %zu addresses; the first is reported", key, macs.n);
	}
	strvec_clear(&macs);
}

int nc_parse_networkd(const char *path, const char *data, size_t len, struct nc_file *f)
{
	struct ini d = { NULL, 0, 0 };
	bool link = path && str_ends_with(path, ".link");
	file_init(f, link ? NC_NETWORKD_LINK : NC_NETWORKD, path);
	unit_read(f, data, len, &d);
	if (f->stop_reason) {
		note(f, f->stop_line, "%s", f->stop_reason);
		goto out;
	}
	const char *base = strrchr(f->path, '/');
	base = base ? base + 1 : f->path;
	struct nc_iface *i = new_iface(f, base, 1);
	if (!i)
		goto out;
	i->names_line = sd_list(&d, "Match", link ? "OriginalName" : "Name", &i->names);
	sd_macs(f, &d, "Match", "MACAddress", &i->mac_match, &i->mac_match_line);
	if (!i->mac_match)
		sd_macs(f, &d, "Match", "PermanentMACAddress", &i->mac_match, &i->mac_match_line);
	sd_macs(f, &d, "Link", "MACAddress", &i->mac_set, &i->mac_set_line);
	const struct ini_entry *type = ini_last(&d, "Match", "Type");
	if (type)
		i->kind = xstrdup(strcmp(type->val, "ether") == 0 ? "ethernet" : type->val);
	static const char *const other_matches[] = { "Driver", "Path", "Host", "Virtualization", "KernelCommandLine",
						     "Architecture", "Property", NULL };
	for (const char *const *k = other_matches; *k; k++) {
		const struct ini_entry *e = ini_last(&d, "Match", *k);
		if (e)
			note(f, e->line, "[Match] %s=%s also decides where it applies: not modelled", *k, e->val);
	}
	if (!i->names.n && !i->mac_match && !type && !ini_last(&d, "Match", "Driver") && !ini_last(&d, "Match", "Path"))
		note(f, 0, "no [Match] conditions: it applies to every interface");
	if (link) {
		const struct ini_entry *name = ini_last(&d, "Link", "Name");
		if (name && *name->val)
			set_field(&i->set_name, &i->set_name_line, name->val, name->line);
		const struct ini_entry *np = ini_last(&d, "Link", "NamePolicy");
		if (np)
			note(f, np->line, "NamePolicy=%s", np->val);
		goto out;
	}
	/* .network: DHCP= and addresses decide IPv4 */
	const struct ini_entry *dhcp = ini_last(&d, "Network", "DHCP");
	bool v4 = false;
	if (dhcp) {
		char *v = lower(dhcp->val);
		int b = sd_bool(v);
		v4 = b == 1 || strcmp(v, "ipv4") == 0 || strcmp(v, "both") == 0 || strcmp(v, "v4") == 0;
		if (b < 0 && !v4 && strcmp(v, "ipv6") != 0 && strcmp(v, "v6") != 0)
			note(f, dhcp->line, "DHCP=%s is not a valid value: ignored", dhcp->val);
		free(v);
	}
	for (size_t k = 0; k < d.n && !i->address; k++)
		if (strcmp(d.v[k].key, "Address") == 0 &&
		    (strcmp(d.v[k].section, "Network") == 0 || strcmp(d.v[k].section, "Address") == 0) &&
		    is_ipv4ish(d.v[k].val))
			set_field(&i->address, &i->address_line, d.v[k].val, d.v[k].line);
	if (v4) {
		char *text = xasprintf("DHCP=%s", dhcp->val);
		set_method(i, NC_DHCP, text, dhcp->line);
		free(text);
	} else if (i->address) {
		set_method(i, NC_STATIC, "Address=", i->address_line);
	} else {
		char *text = dhcp ? xasprintf("DHCP=%s", dhcp->val) : xstrdup("no DHCP= and no address");
		set_method(i, NC_NONE, text, dhcp ? dhcp->line : 0);
		free(text);
	}
	const struct ini_entry *un = ini_last(&d, "Link", "Unmanaged");
	if (un && sd_bool(un->val) == 1) {
		set_method(i, NC_NONE, "Unmanaged=yes", un->line);
		note(f, un->line, "Unmanaged=yes: networkd leaves the interface alone");
	}
out:
	ini_free(&d);
	return 0;
}

/* ---- udev rules ---- */

struct udev_tok {
	char *key, *op, *val;
};

/* One rule line into key-op-value tokens; false (and a note) when udev would reject the line. */
static bool udev_tokens(const char *s, struct udev_tok **out, size_t *n)
{
	size_t alloc = 0;
	*out = NULL;
	*n = 0;
	for (;;) {
		while (*s && (isspace((unsigned char)*s) || *s == ','))
			s++;
		if (!*s)
			return true;
		const char *k = s;
		int depth = 0;
		while (*s && (depth || !strchr("=!+-:", *s)) && !isspace((unsigned char)*s)) {
			if (*s == '{')
				depth++;
			else if (*s == '}' && depth)
				depth--;
			s++;
		}
		size_t klen = (size_t)(s - k);
		while (*s && isspace((unsigned char)*s))
			s++;
		const char *op;
		if (strncmp(s, "==", 2) == 0 || strncmp(s, "!=", 2) == 0 || strncmp(s, "+=", 2) == 0 ||
		    strncmp(s, "-=", 2) == 0 || strncmp(s, ":=", 2) == 0)
			op = s, s += 2;
		else if (*s == '=')
			op = s, s += 1;
		else
			return false;
		size_t oplen = (size_t)(s - op);
		while (*s && isspace((unsigned char)*s))
			s++;
		if ((*s == 'e' || *s == 'r') && s[1] == '"')
			s++; /* udev 250's e"..." and r"..." strings */
		if (!klen || *s != '"')
			return false;
		s++;
		struct strbuf v = STRBUF_INIT;
		while (*s && *s != '"') {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			strbuf_addch(&v, *s++);
		}
		if (*s != '"') {
			strbuf_release(&v);
			return false;
		}
		s++;
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			*out = xreallocarray(*out, alloc, sizeof(**out));
		}
		(*out)[*n].key = xstrndup(k, klen);
		(*out)[*n].op = xstrndup(op, oplen);
		(*out)[*n].val = strbuf_detach(&v);
		(*n)++;
		if (*n > 256)
			return false;
	}
}

int nc_parse_udev_rules(const char *path, const char *data, size_t len, struct nc_file *f)
{
	struct lines L = { data, data + len, 0 };
	char *raw;
	file_init(f, NC_UDEV_RULES, path);
	while (next_line(&L, &raw)) {
		unsigned ln = L.lineno;
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, skip_space(rtrim(raw)));
		free(raw);
		while (sb.len && sb.buf[sb.len - 1] == '\\') {
			sb.buf[--sb.len] = '\0';
			char *more;
			if (!next_line(&L, &more))
				break;
			strbuf_addstr(&sb, skip_space(rtrim(more)));
			free(more);
		}
		const char *l = strbuf_str(&sb);
		if (!*l || *l == '#') {
			strbuf_release(&sb);
			continue;
		}
		struct udev_tok *t;
		size_t n;
		if (!udev_tokens(l, &t, &n)) {
			note(f, ln, "invalid rule: udev ignores this line");
		} else {
			const char *name = NULL, *addr = NULL, *kernel = NULL;
			for (size_t k = 0; k < n; k++) {
				if (strcmp(t[k].key, "NAME") == 0 && (strcmp(t[k].op, "=") == 0 || strcmp(t[k].op, ":=") == 0))
					name = t[k].val;
				else if ((strcmp(t[k].key, "ATTR{address}") == 0 || strcmp(t[k].key, "ATTRS{address}") == 0) &&
					 strcmp(t[k].op, "==") == 0)
					addr = t[k].val;
				else if (strcmp(t[k].key, "KERNEL") == 0 && strcmp(t[k].op, "==") == 0)
					kernel = t[k].val;
			}
			struct nc_iface *i = name && *name ? new_iface(f, name, ln) : NULL;
			if (i) {
				set_field(&i->set_name, &i->set_name_line, name, ln);
				if (kernel) {
					str_split(&i->names, kernel, "|");
					i->names_line = ln;
				}
				if (addr) {
					char *m = nc_mac_normalize(addr);
					if (m)
						set_field(&i->mac_match, &i->mac_match_line, m, ln);
					else
						note(f, ln, "ATTR{address}==\"%s\" is a pattern, not one address", addr);
					free(m);
				}
			}
		}
		for (size_t k = 0; k < n; k++) {
			free(t[k].key);
			free(t[k].op);
			free(t[k].val);
		}
		free(t);
		strbuf_release(&sb);
	}
	return 0;
}

/* ---- netplan ---- */

static const char *scalar(const struct ydoc *d, size_t id)
{
	const struct ynode *n = ydoc_node(d, id);
	return n && n->kind == YNODE_SCALAR ? n->str : NULL;
}

static unsigned node_line(const struct ydoc *d, size_t id)
{
	const struct ynode *n = ydoc_node(d, id);
	return n ? n->line : 0;
}

/* netplan's boolean: true/on/yes/y or false/off/no/n, any case. */
static int netplan_bool(const char *v)
{
	if (!v)
		return -1;
	char *l = lower(v);
	static const char *const yes[] = { "true", "on", "yes", "y", NULL };
	static const char *const no[] = { "false", "off", "no", "n", NULL };
	int r = in_list(l, yes) ? 1 : in_list(l, no) ? 0 : -1;
	free(l);
	return r;
}

/* netplan's MAC: six (Ethernet) or twenty (InfiniBand) hex pairs with colons. */
static void netplan_mac(struct nc_file *f, const struct ydoc *d, size_t id, char **field, unsigned *line_field,
			const char *what)
{
	const char *v = scalar(d, id);
	size_t n = v ? strlen(v) : 0;
	bool ok = n == 17 || n == 59;
	for (size_t k = 0; ok && k < n; k++)
		ok = k % 3 == 2 ? v[k] == ':' : hexdig(v[k]) >= 0;
	if (ok) {
		char *m = lower(v);
		set_field(field, line_field, m, node_line(d, id));
		free(m);
	} else {
		stop(f, node_line(d, id), true, "%s: invalid MAC address '%s', must be XX:XX:XX:XX:XX:XX", what, v ? v : "");
	}
}

static void netplan_netdef(struct nc_file *f, const struct ydoc *d, const char *kind, size_t idkey, size_t def)
{
	const struct ynode *dn = ydoc_node(d, def);
	const char *id = scalar(d, idkey);
	if (!id)
		return;
	struct nc_iface *i = new_iface(f, id, node_line(d, idkey));
	if (!i)
		return;
	size_t idx = f->n - 1;
	i->kind = xstrdup(kind);
	if (!dn || dn->kind != YNODE_MAP) {
		stop(f, node_line(d, def), true, "%s: expected mapping (check indentation)", id);
		return;
	}
	bool has_match = false;
	int dhcp4 = -1;
	for (size_t k = 0; k < dn->n && !f->stop_reason; k++) {
		i = &f->v[idx];
		size_t kid = dn->kids[2 * k], vid = dn->kids[2 * k + 1];
		const char *key = scalar(d, kid);
		const struct ynode *v = ydoc_node(d, vid);
		if (!key)
			continue;
		if (strcmp(key, "match") == 0) {
			has_match = true;
			strvec_clear(&i->names);
			free(i->mac_match);
			i->mac_match = NULL;
			if (!v || v->kind != YNODE_MAP) {
				stop(f, node_line(d, vid), true, "%s: match: expected mapping (check indentation)", id);
				break;
			}
			for (size_t j = 0; j < v->n; j++) {
				const char *mk = scalar(d, v->kids[2 * j]);
				size_t mv = v->kids[2 * j + 1];
				if (!mk)
					continue;
				if (strcmp(mk, "macaddress") == 0) {
					netplan_mac(f, d, mv, &i->mac_match, &i->mac_match_line, id);
				} else if (strcmp(mk, "name") == 0 && scalar(d, mv)) {
					strvec_clear(&i->names);
					strvec_push(&i->names, scalar(d, mv));
					i->names_line = node_line(d, mv);
				} else if (strcmp(mk, "driver") == 0) {
					note(f, node_line(d, mv), "%s: match: driver also decides where it applies: not modelled", id);
				}
			}
		} else if (strcmp(key, "set-name") == 0 && scalar(d, vid)) {
			set_field(&i->set_name, &i->set_name_line, scalar(d, vid), node_line(d, vid));
		} else if (strcmp(key, "macaddress") == 0) {
			netplan_mac(f, d, vid, &i->mac_set, &i->mac_set_line, id);
		} else if (strcmp(key, "dhcp4") == 0) {
			dhcp4 = netplan_bool(scalar(d, vid));
			if (dhcp4 < 0)
				stop(f, node_line(d, vid), true, "%s: invalid boolean value '%s'", id,
				     scalar(d, vid) ? scalar(d, vid) : "");
			char *text = xasprintf("dhcp4: %s", scalar(d, vid) ? scalar(d, vid) : "");
			set_method(i, dhcp4 == 1 ? NC_DHCP : NC_NONE, text, node_line(d, vid));
			free(text);
		} else if (strcmp(key, "addresses") == 0 && (!v || v->kind != YNODE_SEQ)) {
			stop(f, node_line(d, vid), true, "%s: addresses: expected sequence", id);
		} else if (strcmp(key, "addresses") == 0) {
			for (size_t j = 0; j < v->n && !i->address; j++) {
				const struct ynode *a = ydoc_node(d, v->kids[j]);
				const char *s = NULL;
				if (a && a->kind == YNODE_SCALAR)
					s = a->str;
				else if (a && a->kind == YNODE_MAP && a->n) /* "- 10.0.0.5/24: { lifetime: 0 }" */
					s = scalar(d, a->kids[0]);
				if (is_ipv4ish(s))
					set_field(&i->address, &i->address_line, s, a->line);
			}
		} else if (strcmp(key, "renderer") == 0) {
			const char *r = scalar(d, vid);
			if (!r || (strcmp(r, "networkd") != 0 && strcmp(r, "NetworkManager") != 0 && strcmp(r, "sriov") != 0))
				stop(f, node_line(d, vid), true, "%s: unknown renderer '%s'", id, r ? r : "");
			else
				note(f, node_line(d, vid), "%s: renderer %s", id, r);
		} else if (strcmp(key, "optional") == 0) {
			if (netplan_bool(scalar(d, vid)) < 0)
				stop(f, node_line(d, vid), true, "%s: invalid boolean value", id);
		} else if (strcmp(key, "<<") == 0) {
			stop(f, node_line(d, kid), true, "%s: unknown key '<<' (netplan has no merge keys)", id);
		}
	}
	i = &f->v[idx];
	if (!has_match) {
		strvec_push(&i->names, id);
		i->names_line = i->line;
		if (i->set_name && !f->stop_reason)
			stop(f, i->set_name_line, true, "%s: 'set-name:' requires 'match:' properties", id);
	}
	/* dhcp4 true wins; otherwise a static address; dhcp4: false alone means no address */
	if (dhcp4 != 1 && i->address)
		set_method(i, NC_STATIC, "addresses", i->address_line);
}

int nc_netplan_from_doc(const char *path, const struct ydoc *doc, const struct yerr *err, struct nc_file *f)
{
	static const char *const kinds[][2] = {
		{ "ethernets", "ethernet" }, { "bonds", "bond" }, { "bridges", "bridge" }, { "vlans", "vlan" },
		{ "wifis", "wifi" }, { "tunnels", "tunnel" }, { "vrfs", "vrf" }, { "modems", "modem" },
		{ "nm-devices", "nm-device" }, { "dummy-devices", "dummy" }, { "virtual-ethernets", "veth" },
	};
	file_init(f, NC_NETPLAN, path);
	if (err && err->msg) {
		stop(f, err->line, true, "%s", err->msg);
		goto out;
	}
	const struct ynode *root = ydoc_node(doc, doc ? doc->root : 0);
	if (!root || ynode_is_null(root))
		goto out; /* empty: nothing to add */
	if (root->kind != YNODE_MAP) {
		stop(f, root->line, true, "expected mapping (check indentation)");
		goto out;
	}
	for (size_t k = 0; k < root->n && !f->stop_reason; k++) {
		const char *key = scalar(doc, root->kids[2 * k]);
		size_t vid = root->kids[2 * k + 1];
		const struct ynode *net = ydoc_node(doc, vid);
		if (!key || strcmp(key, "network") != 0) {
			stop(f, node_line(doc, root->kids[2 * k]), true, "unknown key '%s'", key ? key : "");
			break;
		}
		if (!net || net->kind != YNODE_MAP) {
			stop(f, node_line(doc, vid), true, "network: expected mapping (check indentation)");
			continue;
		}
		for (size_t j = 0; j < net->n && !f->stop_reason; j++) {
			const char *nk = scalar(doc, net->kids[2 * j]);
			size_t nv = net->kids[2 * j + 1];
			const struct ynode *sec = ydoc_node(doc, nv);
			const char *kind = NULL;
			for (size_t t = 0; t < ARRAY_SIZE(kinds) && nk; t++)
				if (strcmp(nk, kinds[t][0]) == 0)
					kind = kinds[t][1];
			if (!nk) {
				continue;
			} else if (strcmp(nk, "version") == 0) {
				if (!str_eq(scalar(doc, nv), "2"))
					stop(f, node_line(doc, nv), true, "only version 2 is supported");
			} else if (strcmp(nk, "renderer") == 0) {
				const char *r = scalar(doc, nv);
				if (!r || (strcmp(r, "networkd") != 0 && strcmp(r, "NetworkManager") != 0)) {
					stop(f, node_line(doc, nv), true, "unknown renderer '%s'", r ? r : "");
				} else {
					free(f->renderer);
					f->renderer = xstrdup(r);
				}
			} else if (kind) {
				if (!sec || sec->kind != YNODE_MAP) {
					stop(f, node_line(doc, nv), true, "%s: expected mapping (check indentation)", nk);
					continue;
				}
				for (size_t e = 0; e < sec->n && !f->stop_reason; e++)
					netplan_netdef(f, doc, kind, sec->kids[2 * e], sec->kids[2 * e + 1]);
			} else {
				stop(f, node_line(doc, net->kids[2 * j]), true, "unknown key '%s'", nk);
			}
		}
	}
out:
	if (f->stop_reason)
		note(f, f->stop_line, "netplan refuses this file (%s): netplan generate fails and applies no file at all",
		     f->stop_reason);
	return 0;
}

static void merge_field(char **dst, unsigned *dline, char **dfile, const char *src, unsigned sline, const char *file)
{
	if (!src)
		return;
	set_field(dst, dline, src, sline);
	free(*dfile);
	*dfile = xstrdup(file);
}

/* A netdef without match: gets its id as its only name. */
static bool implicit_names(const struct nc_iface *s)
{
	return s->names.n == 1 && s->names_line == s->line && strcmp(s->names.v[0], s->id) == 0 && !s->mac_match;
}

void nc_netplan_merge(const struct nc_file *files, size_t n, struct nc_file *out)
{
	bool *matched = NULL; /* per merged netdef: some file gave it a match: block */
	size_t matched_alloc = 0;
	file_init(out, NC_NETPLAN, "netplan");
	for (size_t k = 0; k < n; k++) {
		const struct nc_file *f = &files[k];
		if (f->stop_reason && !out->stop_reason) {
			stop(out, f->stop_line, true, "%s: %s", f->path, f->stop_reason);
			note(out, 0, "%s: netplan refuses it, so netplan generate applies nothing", f->path);
		}
		if (f->renderer) {
			free(out->renderer);
			out->renderer = xstrdup(f->renderer);
		}
		for (size_t j = 0; j < f->n; j++) {
			const struct nc_iface *s = &f->v[j];
			size_t m;
			for (m = 0; m < out->n; m++)
				if (strcmp(out->v[m].id, s->id) == 0)
					break;
			if (m == out->n) {
				struct nc_iface *nd = new_iface(out, s->id, s->line);
				if (!nd)
					goto out;
				nd->kind = s->kind ? xstrdup(s->kind) : NULL;
				nd->names_file = xstrdup(f->path); /* where the id is defined, for an implicit name */
				if (out->n > matched_alloc) {
					matched_alloc = out->alloc;
					matched = xreallocarray(matched, matched_alloc, sizeof(*matched));
				}
				matched[m] = false;
			}
			struct nc_iface *d = &out->v[m];
			if (s->names.n && !implicit_names(s)) {
				strvec_clear(&d->names);
				for (size_t q = 0; q < s->names.n; q++)
					strvec_push(&d->names, s->names.v[q]);
				d->names_line = s->names_line;
				free(d->names_file);
				d->names_file = xstrdup(f->path);
			}
			if ((s->names.n && !implicit_names(s)) || s->mac_match)
				matched[m] = true;
			merge_field(&d->mac_match, &d->mac_match_line, &d->mac_match_file, s->mac_match, s->mac_match_line, f->path);
			merge_field(&d->mac_set, &d->mac_set_line, &d->mac_set_file, s->mac_set, s->mac_set_line, f->path);
			merge_field(&d->set_name, &d->set_name_line, &d->set_name_file, s->set_name, s->set_name_line, f->path);
			merge_field(&d->address, &d->address_line, &d->address_file, s->address, s->address_line, f->path);
			if (s->method != NC_UNSET) {
				set_method(d, s->method, s->method_text, s->method_line);
				free(d->method_file);
				d->method_file = xstrdup(f->path);
			}
		}
	}
out:
	/* a netdef that no file gave a match: block is the interface of its name */
	for (size_t m = 0; m < out->n; m++)
		if (!matched[m] && !out->v[m].names.n) {
			strvec_push(&out->v[m].names, out->v[m].id);
			out->v[m].names_line = out->v[m].line;
		}
	free(matched);
}

/* ---- kernel command line ---- */

/* systemd compares command line keys with '-' and '_' as the same character. */
static bool key_eq(const char *a, size_t n, const char *key)
{
	if (strlen(key) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = key[i] == '-' ? '_' : key[i];
		if (x != y)
			return false;
	}
	return true;
}

void nc_cmdline_parse(const char *cmdline, struct nc_cmdline *out)
{
	out->net_ifnames = -1;
	out->biosdevname = -1;
	if (!cmdline)
		return;
	struct strvec w = STRVEC_INIT;
	cmdline_split(cmdline, &w);
	for (size_t i = 0; i < w.n; i++) {
		const char *t = w.v[i];
		if (strcmp(t, "--") == 0)
			break;
		const char *eq = strchr(t, '=');
		size_t kl = eq ? (size_t)(eq - t) : strlen(t);
		if (key_eq(t, kl, "net.ifnames")) {
			/* a bare key is true; a value systemd cannot parse leaves the setting alone */
			int b = eq ? sd_bool(eq + 1) : 1;
			if (b >= 0)
				out->net_ifnames = b;
		} else if (kl == 11 && strncmp(t, "biosdevname", 11) == 0) {
			out->biosdevname = !eq || strcmp(eq + 1, "1") == 0 ? 1 : 0;
		}
	}
	strvec_clear(&w);
}
