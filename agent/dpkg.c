/* dpkg's status database: RFC 822-style stanzas separated by blank lines. */
#include "dpkg.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"
#include "banned.h"

static bool installed(const char *status)
{
	/* "install ok installed"; "deinstall ok config-files" and half-installed states do not count. */
	return status && str_ends_with(status, " installed") && !str_ends_with(status, "not-installed");
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
		if (kl == 7 && strncmp(l, "Package", 7) == 0) {
			free(pkg);
			pkg = xstrdup(val);
		} else if (kl == 7 && strncmp(l, "Version", 7) == 0) {
			free(ver);
			ver = xstrdup(val);
		} else if (kl == 6 && strncmp(l, "Status", 6) == 0) {
			free(status);
			status = xstrdup(val);
		}
	}
	line_iter_done(&it);
	return stanzas;
}
