/* os-release, the legacy release files that predate it, and the list of supported systems. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "banned.h"

void line_iter_init(struct line_iter *it, const char *data, size_t len)
{
	it->p = data;
	it->end = data + len;
	it->lineno = 0;
	it->line = NULL;
}

bool line_iter_next(struct line_iter *it)
{
	free(it->line);
	it->line = NULL;
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	const char *stop = nl ? nl : it->end;
	size_t n = (size_t)(stop - it->p);
	if (n && stop[-1] == '\r')
		n--;
	it->line = xstrndup(it->p, n);
	it->p = nl ? nl + 1 : it->end;
	it->lineno++;
	return true;
}

void line_iter_done(struct line_iter *it)
{
	free(it->line);
	it->line = NULL;
}

/* A shell word as os-release(5) and /etc/default/grub use them: quotes and backslash escapes. */
char *shell_unquote(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	while (*s) {
		if (*s == '"') {
			s++;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1] && strchr("\"\\$`\n", s[1]))
					s++;
				strbuf_addch(&sb, *s++);
			}
			if (*s != '"')
				goto bad;
			s++;
		} else if (*s == '\'') {
			s++;
			while (*s && *s != '\'')
				strbuf_addch(&sb, *s++);
			if (*s != '\'')
				goto bad;
			s++;
		} else if (*s == '\\') {
			if (!s[1])
				goto bad;
			strbuf_addch(&sb, s[1]);
			s += 2;
		} else if (isspace((unsigned char)*s)) {
			/* Unquoted whitespace ends the word; anything after it that is not a comment is junk. */
			while (isspace((unsigned char)*s))
				s++;
			if (*s && *s != '#')
				goto bad;
			break;
		} else {
			strbuf_addch(&sb, *s++);
		}
	}
	return strbuf_detach(&sb);
bad:
	strbuf_release(&sb);
	return NULL;
}

static void set(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

int osrelease_parse(const char *data, size_t len, struct os_facts *o)
{
	struct line_iter it;
	int known = 0;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *l = str_trim(it.line);
		if (!*l || *l == '#')
			continue;
		char *eq = strchr(l, '=');
		if (!eq || eq == l)
			continue;
		*eq = '\0';
		char *val = shell_unquote(eq + 1);
		if (!val)
			continue;
		char **dst = NULL;
		if (strcmp(l, "ID") == 0)
			dst = &o->id;
		else if (strcmp(l, "ID_LIKE") == 0)
			dst = &o->id_like;
		else if (strcmp(l, "VERSION_ID") == 0)
			dst = &o->version_id;
		else if (strcmp(l, "PRETTY_NAME") == 0)
			dst = &o->pretty_name;
		else if (strcmp(l, "NAME") == 0)
			dst = &o->name;
		else if (strcmp(l, "VARIANT_ID") == 0)
			dst = &o->variant_id;
		if (dst) {
			set(dst, val);
			known++;
		}
		free(val);
	}
	line_iter_done(&it);
	if (o->id)
		for (char *c = o->id; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	return known;
}

/* The first run of digits and dots in s ("release 7.9.2009 (Core)" -> "7.9.2009"). */
static char *first_version(const char *s)
{
	while (*s && !isdigit((unsigned char)*s))
		s++;
	size_t n = 0;
	while (isdigit((unsigned char)s[n]) || (s[n] == '.' && isdigit((unsigned char)s[n + 1])))
		n++;
	return n ? xstrndup(s, n) : NULL;
}

struct legacy_name {
	const char *needle, *id;
};

/* Names in the first line of redhat-release-style files, most specific first. */
static const struct legacy_name legacy_names[] = {
	{ "CentOS Stream", "centos" },
	{ "CentOS", "centos" },
	{ "Red Hat Enterprise Linux", "rhel" },
	{ "Rocky Linux", "rocky" },
	{ "AlmaLinux", "almalinux" },
	{ "Fedora", "fedora" },
	{ "Oracle Linux", "ol" },
	{ "Scientific Linux", "scientific" },
	{ "TencentOS", "tencentos" },
	{ "Tencent tlinux", "tencentos" },
	{ "openSUSE", "opensuse" },
	{ "SUSE Linux Enterprise Server", "sles" },
	{ "SUSE", "sles" },
	{ "Kylin", "kylin" },
	{ "UnionTech", "uos" },
};

int legacy_release_parse(const char *file, const char *data, size_t len, struct os_facts *o)
{
	struct line_iter it;
	line_iter_init(&it, data, len);
	if (!line_iter_next(&it)) {
		line_iter_done(&it);
		return 0;
	}
	char *first = xstrdup(str_trim(it.line));
	int ret = 0;

	if (str_ends_with(file, "/lsb-release")) {
		/* DISTRIB_ID=Ubuntu, DISTRIB_RELEASE=22.04, DISTRIB_DESCRIPTION="..." */
		do {
			char *l = str_trim(it.line);
			char *eq = strchr(l, '=');
			if (!eq)
				continue;
			*eq = '\0';
			char *v = shell_unquote(eq + 1);
			if (!v)
				continue;
			if (strcmp(l, "DISTRIB_ID") == 0) {
				set(&o->id, v);
				for (char *c = o->id; *c; c++)
					*c = (char)tolower((unsigned char)*c);
				ret++;
			} else if (strcmp(l, "DISTRIB_RELEASE") == 0) {
				set(&o->version_id, v);
				ret++;
			} else if (strcmp(l, "DISTRIB_DESCRIPTION") == 0) {
				set(&o->pretty_name, v);
				ret++;
			}
			free(v);
		} while (line_iter_next(&it));
	} else if (str_ends_with(file, "/debian_version")) {
		set(&o->id, "debian");
		char *v = first_version(first);
		/* "11.7" -> "11"; testing says "bookworm/sid" and has no number. */
		if (v) {
			char *dot = strchr(v, '.');
			if (dot && atol(v) >= 7)
				*dot = '\0';
			set(&o->version_id, v);
		}
		char *pn = xasprintf("Debian GNU/Linux %s", first);
		free(o->pretty_name);
		o->pretty_name = pn;
		free(v);
		ret = 1;
	} else if (*first) {
		for (size_t i = 0; i < ARRAY_SIZE(legacy_names); i++) {
			if (strstr(first, legacy_names[i].needle)) {
				set(&o->id, legacy_names[i].id);
				break;
			}
		}
		char *v = first_version(first);
		if (v) {
			free(o->version_id);
			o->version_id = v;
		}
		/* SuSE-release: "VERSION = 11" and "PATCHLEVEL = 4" on later lines. */
		while (line_iter_next(&it)) {
			char *l = str_trim(it.line);
			if (str_starts_with(l, "VERSION") && strchr(l, '=') && !o->version_id) {
				char *vv = first_version(strchr(l, '='));
				if (vv)
					o->version_id = vv;
			}
		}
		set(&o->pretty_name, first);
		ret = o->id ? 1 : 0;
	}
	free(first);
	line_iter_done(&it);
	return ret;
}

/* Tencent's import documentation names these (os-release IDs). */
static const char *const supported_ids[] = {
	"centos", "ubuntu", "debian", "coreos", "fedora-coreos", "flatcar", "opensuse", "opensuse-leap",
	"opensuse-tumbleweed", "sles", "sled", "suse", "almalinux", "rocky", "fedora", "kylin", "uos",
	"uniontech", "tencentos", "tlinux", "opencloudos",
};

bool os_id_supported(const char *id)
{
	if (!id)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(supported_ids); i++)
		if (strcmp(id, supported_ids[i]) == 0)
			return true;
	return false;
}

bool arch_supported(const char *arch)
{
	static const char *const ok[] = { "x86_64", "i386", "i486", "i586", "i686", "aarch64" };
	if (!arch)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (strcmp(arch, ok[i]) == 0)
			return true;
	return false;
}

const char *elf_arch(const unsigned char *h, size_t n)
{
	if (n < 20 || memcmp(h, "\177ELF", 4) != 0)
		return NULL;
	unsigned machine = h[5] == 2 ? (unsigned)(h[18] << 8 | h[19]) : (unsigned)(h[19] << 8 | h[18]);
	switch (machine) {
	case 3:
		return "i686";
	case 62:
		return "x86_64";
	case 183:
		return "aarch64";
	case 40:
		return "arm";
	case 8:
		return "mips";
	case 20:
		return "ppc";
	case 21:
		return "ppc64";
	case 22:
		return "s390x";
	case 243:
		return "riscv64";
	case 258:
		return "loongarch64";
	}
	return "unknown";
}
