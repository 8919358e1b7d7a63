/*
 * Reading the configuration file on Windows. Debian ships inih only for Linux, so the Windows
 * build reads the same INI syntax with the project's line-preserving INI reader (agent/ini.c),
 * feeding the same config_apply() and giving the same file:line messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "inidoc.h"
#include "rootfs.h"
#include "banned.h"

const char *config_default_path(void)
{
	static char path[1024];
	if (!path[0]) {
		const char *pd = getenv("ProgramData");
		snprintf(path, sizeof(path), "%s\\cvmprep\\cvmprep.conf", pd && *pd ? pd : "C:\\ProgramData");
	}
	return path;
}

int config_load(struct config *c, const char *path, bool required, struct strvec *warnings, char **err)
{
	struct rootfs *rfs = NULL;
	char *data = NULL;
	size_t len = 0;
	int e = rootfs_open(NULL, &rfs);
	if (e == 0)
		e = rootfs_read(rfs, path, 1u << 20, &data, &len);
	rootfs_close(rfs);
	if (e < 0) {
		if (!required && e == -ENOENT)
			return 0;
		*err = xasprintf("could not read config file '%s': %s", path, rootfs_strerror(e));
		return -1;
	}
	struct ini_doc d;
	ini_doc_parse(data, len, &d);
	free(data);
	int ret = 0;
	for (size_t i = 0; i < d.n && ret == 0; i++) {
		const struct ini_line *l = &d.v[i];
		if (l->kind == INI_JUNK) {
			*err = xasprintf("%s:%zu: malformed line (expected [section], key = value, or a comment)", path,
					 i + 1);
			ret = -1;
		} else if (l->kind == INI_KEY || l->kind == INI_CONT) {
			ret = config_apply(c, path, (unsigned)(i + 1), l->section, l->key, l->value, warnings, err);
		}
	}
	ini_doc_free(&d);
	if (ret == 0) {
		free(c->path);
		c->path = xstrdup(path);
	}
	return ret;
}
