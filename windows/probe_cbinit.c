/*
 * Probe of the cloudbase-init checks: the service (its key under Services, start type and
 * account), the configuration file its command line names with --config-file (or the
 * installer's default place), the unattend file beside it, and what cloudbase-init makes of both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "ctx.h"
#include "reg.h"
#include "rootfs.h"
#include "winchecks.h"
#include "winfacts.h"
#include "winsys.h"
#include "banned.h"

#define CB_SERVICE WREG_SERVICES "\\cloudbase-init"
#define CB_CONF_MAX (1u << 20)

/* %ProgramFiles% and friends in a REG_EXPAND_SZ path. */
static char *expand(const char *s)
{
	wchar_t *w = win_widen(s);
	if (!w)
		return xstrdup(s);
	DWORD n = ExpandEnvironmentStringsW(w, NULL, 0);
	char *ret = NULL;
	if (n > 0 && n < 32768) {
		wchar_t *buf = xmalloc((size_t)n * sizeof(wchar_t));
		if (ExpandEnvironmentStringsW(w, buf, n) > 0)
			ret = win_narrow(buf, (size_t)-1);
		free(buf);
	}
	free(w);
	return ret ? ret : xstrdup(s);
}

static void read_conf(struct ctx *ctx, struct win_cbconf *c)
{
	char *data = NULL;
	size_t len = 0;
	int e = rootfs_read(ctx->rfs, c->path, CB_CONF_MAX, &data, &len);
	if (e == -ENOENT) {
		section_set(&c->s, FS_ABSENT, c->path, "%s does not exist", c->path);
		return;
	}
	if (e < 0) {
		section_set(&c->s, FS_ERROR, c->path, "%s could not be read: %s", c->path, rootfs_strerror(e));
		return;
	}
	cb_eval(data, len, &c->ev);
	free(data);
	section_set(&c->s, FS_OK, c->path, NULL);
}

void probe_win_cbinit(struct ctx *ctx, struct facts *f)
{
	struct win_facts *w = win_facts(f);
	struct win_cbinit *c = &w->cbi;
	if (c->s.state != FS_UNPROBED)
		return;
	c->service_key = xstrdup(CB_SERVICE);
	c->installed = reg_key_exists(CB_SERVICE);
	if (!c->installed) {
		section_set(&c->s, FS_ABSENT, NULL, "the cloudbase-init service does not exist");
		return;
	}
	c->image_path = reg_get_string(CB_SERVICE, "ImagePath");
	uint32_t v;
	if (reg_get_dword(CB_SERVICE, "Start", &v) == 0) {
		c->start_known = true;
		c->start = v;
	}
	if (reg_get_dword(CB_SERVICE, "DelayedAutostart", &v) == 0)
		c->delayed = v != 0;
	c->object_name = reg_get_string(CB_SERVICE, "ObjectName");
	char *named = c->image_path ? cb_config_from_cmdline(c->image_path) : NULL;
	if (named) {
		c->conf[0].path = expand(named);
		c->conf_source = xstrdup("--config-file in the service's command line");
		free(named);
	} else {
		char *pf = win_program_files();
		c->conf[0].path = xasprintf("%s\\Cloudbase Solutions\\Cloudbase-Init\\conf\\cloudbase-init.conf", pf);
		c->conf_source = xstrdup("the installer's default place (the service's command line names no --config-file)");
		free(pf);
	}
	char *dir = win_dirname(c->conf[0].path);
	c->conf[1].path = win_path_join(dir, "cloudbase-init-unattend.conf");
	c->conf[1].unattend = true;
	free(dir);
	for (size_t i = 0; i < 2; i++)
		read_conf(ctx, &c->conf[i]);
	section_set(&c->s, FS_OK, NULL, NULL);
}
