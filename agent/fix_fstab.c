/* Repairs of fstab.device-names (UUID= for kernel names) and fstab.other-disks (nofail). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fstab_edit.h"
#include "parse.h"
#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

int plan_fstab_device_names(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	const char *data;
	size_t len;
	int e = plan_content(p, "/etc/fstab", &data, &len);
	if (e < 0)
		return e;
	char *cur = xstrndup(data, len);
	size_t curlen = len;
	size_t changed = 0;
	struct strbuf why = STRBUF_INIT;
	for (size_t i = 0; i < f->fstab.n; i++) {
		const struct fstab_entry *en = &f->fstab.v[i];
		if (devname_stable(devname_classify(en->spec, en->type)))
			continue;
		char *reason = NULL;
		char *uuid = probe_uuid_for(ctx, f, en->spec, en->file, en->loc, &reason);
		if (!uuid) {
			plan_note(p, "fstab.device-names: /etc/fstab:%u: %s left as it is: %s", en->line, en->spec, reason);
			free(reason);
			continue;
		}
		char *field = xasprintf("UUID=%s", uuid);
		size_t nl;
		char *next = fstab_set_field(cur, curlen, en->line, 0, field, &nl);
		if (next) {
			free(cur);
			cur = next;
			curlen = nl;
			changed++;
			strbuf_addf(&why, "%s%s -> %s", why.len ? ", " : "", en->spec, field);
		}
		free(field);
		free(uuid);
	}
	if (changed)
		plan_write(p, &check_fstab_device_names, "/etc/fstab", cur, curlen, 0644, strbuf_str(&why));
	strbuf_release(&why);
	free(cur);
	return 0;
}

int plan_fstab_other_disks(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	(void)ctx;
	const char *data;
	size_t len;
	int e = plan_content(p, "/etc/fstab", &data, &len);
	if (e < 0)
		return e;
	char *cur = xstrndup(data, len);
	size_t curlen = len;
	size_t changed = 0;
	struct strbuf why = STRBUF_INIT;
	for (size_t i = 0; i < f->fstab.n; i++) {
		const struct fstab_entry *en = &f->fstab.v[i];
		if (en->loc != LOC_OTHER || fstab_has_option(en->opts, "nofail") || fstab_has_option(en->opts, "noauto"))
			continue;
		/* System mounts on another disk are disk.layout's blocker: nofail would hide a broken system. */
		static const char *const sys[] = { "/", "/boot", "/usr", "/var", "/opt", "/usr/local", "/var/log" };
		bool system = false;
		for (size_t s = 0; s < ARRAY_SIZE(sys); s++)
			system = system || strcmp(en->file, sys[s]) == 0;
		if (system)
			continue;
		size_t nl;
		char *next = fstab_add_option(cur, curlen, en->line, "nofail", &nl);
		if (next) {
			free(cur);
			cur = next;
			curlen = nl;
			changed++;
			strbuf_addf(&why, "%snofail on %s", why.len ? ", " : "", en->file);
		}
	}
	if (changed)
		plan_write(p, &check_fstab_other_disks, "/etc/fstab", cur, curlen, 0644, strbuf_str(&why));
	strbuf_release(&why);
	free(cur);
	return 0;
}
