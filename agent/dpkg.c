/* dpkg's status database: RFC 822-style stanzas separated by blank lines. */
#include "dpkg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"
#include "banned.h"

static bool installed(const char *status)
{
	/*
	 * "install ok installed", and the states of an installed package whose triggers have not
	 * run yet; "deinstall ok config-files", unpacked and half-installed states do not count.
	 */
	return status && (str_ends_with(status, " installed") || str_ends_with(status, " triggers-pending") ||
			  str_ends_with(status, " triggers-awaited"));
}

/* deb822 field names are case-insensitive ("package:" is "Package:"), as dpkg reads them. */
static bool field_is(const char *l, size_t kl, const char *name)
{
	if (kl != strlen(name))
		return false;
	for (size_t i = 0; i < kl; i++)
		if (tolower((unsigned char)l[i]) != tolower((unsigned char)name[i]))
			return false;
	return true;
}

size_t dpkg_status_parse(const char *data, size_t len, dpkg_pkg_fn fn, void *arg)
{
	struct line_iter it;
	char *pkg = NULL, *ver = NULL, *status = NULL;
	size_t stanzas = 0;
	bool stop = false;
	line_iter_init(&it, data, len);
	for (;;) {
		bool more = line_iter_next(&it);
		const char *l = more ? it.line : "";
		if (!*l) {
			if (pkg) {
				stanzas++;
				if (installed(status) && !fn(pkg, ver ? ver : "", arg))
					stop = true;
			}
			free(pkg);
			free(ver);
			free(status);
			pkg = ver = status = NULL;
			if (!more || stop)
				break;
			continue;
		}
		if (l[0] == ' ' || l[0] == '\t')
			continue; /* continuation of a multi-line field */
		const char *colon = strchr(l, ':');
		if (!colon)
			continue;
		size_t kl = (size_t)(colon - l);
		char *val = str_trim((char *)colon + 1);
		if (field_is(l, kl, "Package")) {
			free(pkg);
			pkg = xstrdup(val);
		} else if (field_is(l, kl, "Version")) {
			free(ver);
			ver = xstrdup(val);
		} else if (field_is(l, kl, "Status")) {
			free(status);
			status = xstrdup(val);
		}
	}
	line_iter_done(&it);
	return stanzas;
}
