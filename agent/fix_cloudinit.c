/*
 * Repairs of cloudinit.*: enabling (marker, masked and disabled units), the datasource drop-in
 * (with later overrides commented out and the CD-ROM drivers added to the initramfs), moving
 * stale instance state aside, and, opt-in, installing cloud-init or the forced-import script.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctx.h"
#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

#define DROPIN_DIR "/etc/cloud/cloud.cfg.d"
#define DROPIN DROPIN_DIR "/99-cvmprep-tencentcloud.cfg"
#define FORCED_SCRIPT "/usr/local/sbin/cvmprep-forced-import"
#define FORCED_UNIT "/etc/systemd/system/cvmprep-forced-import.service"

extern const char forced_import_sh[];

static const char forced_unit[] =
	"# Written by cvmprep (fix --forced-import): apply the Tencent Cloud config drive's\n"
	"# qcloud_action/os.conf at each boot, for images imported without cloud-init.\n"
	"[Unit]\n"
	"Description=Apply Tencent Cloud forced-import settings from the config drive\n"
	"After=local-fs.target systemd-udev-settle.service\n"
	"Wants=systemd-udev-settle.service\n"
	"Before=network-online.target\n"
	"ConditionPathExists=" FORCED_SCRIPT "\n"
	"\n"
	"[Service]\n"
	"Type=oneshot\n"
	"ExecStart=" FORCED_SCRIPT "\n"
	"RemainAfterExit=yes\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

static const char forced_initd[] =
	"#!/bin/sh\n"
	"### BEGIN INIT INFO\n"
	"# Provides:          cvmprep-forced-import\n"
	"# Required-Start:    $local_fs\n"
	"# Required-Stop:\n"
	"# Default-Start:     2 3 4 5\n"
	"# Default-Stop:\n"
	"# Short-Description: apply Tencent Cloud forced-import settings from the config drive\n"
	"### END INIT INFO\n"
	"# Written by cvmprep (fix --forced-import).\n"
	"case \"$1\" in\n"
	"start) exec " FORCED_SCRIPT " ;;\n"
	"stop|status|restart|force-reload) exit 0 ;;\n"
	"*) echo \"usage: $0 start\" >&2; exit 3 ;;\n"
	"esac\n";

static void plan_install_packages(struct ctx *ctx, struct plan *p, const struct check *c)
{
	if (rootfs_exists(ctx->rfs, "/var/lib/dpkg/status")) {
		const char *upd[] = { "apt-get", "update", NULL };
		const char *inst[] = { "apt-get", "install", "-y", "--no-install-recommends", "cloud-init", NULL };
		plan_command(p, c, upd, true, "refresh the package lists (needs the distribution's repositories)");
		plan_command(p, c, inst, true, "install cloud-init");
	} else if (rootfs_exists(ctx->rfs, "/usr/bin/dnf")) {
		const char *argv[] = { "dnf", "-y", "install", "cloud-init", NULL };
		plan_command(p, c, argv, true, "install cloud-init");
	} else if (rootfs_exists(ctx->rfs, "/usr/bin/zypper")) {
		const char *argv[] = { "zypper", "-n", "install", "cloud-init", NULL };
		plan_command(p, c, argv, true, "install cloud-init");
	} else if (rootfs_exists(ctx->rfs, "/usr/bin/yum")) {
		const char *argv[] = { "yum", "-y", "install", "cloud-init", NULL };
		plan_command(p, c, argv, true, "install cloud-init");
	} else {
		plan_note(p, "cloudinit.installed: no apt-get, dnf, zypper or yum in the target to install cloud-init");
		return;
	}
	plan_note(p, "cloudinit.installed: rollback does not uninstall the packages installed here; "
		     "remove cloud-init with the package manager to go back");
}

static void plan_forced_import(const struct facts *f, struct plan *p, const struct check *c)
{
	plan_write(p, c, FORCED_SCRIPT, forced_import_sh, strlen(forced_import_sh), 0755,
		   "reads qcloud_action/os.conf from the config drive at each boot");
	if (f->cloudinit.systemd) {
		plan_write(p, c, FORCED_UNIT, forced_unit, strlen(forced_unit), 0644, NULL);
		plan_symlink(p, c, "/etc/systemd/system/multi-user.target.wants/cvmprep-forced-import.service", FORCED_UNIT,
			     "enable it");
	} else {
		plan_write(p, c, "/etc/init.d/cvmprep-forced-import", forced_initd, strlen(forced_initd), 0755, NULL);
		static const char *const rc[] = { "2", "3", "4", "5" };
		for (size_t i = 0; i < ARRAY_SIZE(rc); i++) {
			char *link = xasprintf("/etc/rc%s.d/S99cvmprep-forced-import", rc[i]);
			plan_symlink(p, c, link, "../init.d/cvmprep-forced-import", "start it in this runlevel");
			free(link);
		}
	}
}

int plan_cloudinit_installed(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	const struct check *c = &check_cloudinit_installed;
	if (f->cloudinit.installed)
		return 0;
	if (ctx->opt.install_packages)
		plan_install_packages(ctx, p, c);
	else if (ctx->opt.forced_import && !f->cloudinit.forced_import)
		plan_forced_import(f, p, c);
	return 0;
}

int plan_cloudinit_enabled(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	const struct cloudinit_facts *ci = &f->cloudinit;
	const struct check *c = &check_cloudinit_enabled;
	if (ci->marker_disabled)
		plan_move_aside(p, c, "/etc/cloud/cloud-init.disabled", "the marker that turns cloud-init off");
	for (size_t i = 0; i < ci->nunits; i++) {
		const struct unit_fact *u = &ci->units[i];
		if (u->state == UNIT_MASKED) {
			char *mask = xasprintf("/etc/systemd/system/%s", u->name);
			plan_move_aside(p, c, mask, "unmask it");
			free(mask);
			/* Unmasked, it must also be enabled: "systemctl disable" may have gone before the mask. */
			for (size_t w = 0; u->file && w < u->wanted_by.n; w++) {
				char *link = xasprintf("/etc/systemd/system/%s.wants/%s", u->wanted_by.v[w], u->name);
				struct rootfs_stat st;
				if (rootfs_stat(ctx->rfs, link, false, &st) < 0)
					plan_symlink(p, c, link, u->file, "enable it");
				free(link);
			}
		} else if (u->state == UNIT_DISABLED && u->file) {
			/* What "systemctl enable" does: a link in each target's .wants directory. */
			for (size_t w = 0; w < u->wanted_by.n; w++) {
				char *link = xasprintf("/etc/systemd/system/%s.wants/%s", u->wanted_by.v[w], u->name);
				plan_symlink(p, c, link, u->file, "enable it");
				free(link);
			}
		}
	}
	if (ci->evaluated && ci->eval.cmdline_switch == CI_SWITCH_DISABLED)
		plan_note(p, "cloudinit.enabled: remove cloud-init=disabled from the kernel command line (%s) by hand",
			  ci->cmdline_source ? ci->cmdline_source : "the boot entry");
	return 0;
}

static char *yaml_list(const struct strvec *v, const char *const *defaults, bool quote)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "[ ");
	size_t n = v->n;
	for (size_t i = 0; n ? i < n : defaults[i] != NULL; i++) {
		const char *s = n ? v->v[i] : defaults[i];
		strbuf_addf(&sb, "%s%s%s%s", i ? ", " : "", quote ? "'" : "", s, quote ? "'" : "");
	}
	strbuf_addstr(&sb, " ]");
	return strbuf_detach(&sb);
}

/* Comment out the lines of a top-level key (from its line to the line before the next top-level key). */
static void comment_out_key(struct plan *p, const struct check *c, const struct ci_file *cf, size_t key_id)
{
	const struct ydoc *d = &cf->doc;
	const struct ynode *root = ydoc_node(d, d->root);
	const struct ynode *key = ydoc_node(d, key_id);
	if (!root || root->kind != YNODE_MAP || !key)
		return;
	unsigned first = key->line, next = 0;
	for (size_t i = 0; i < root->n; i++) {
		const struct ynode *k = ydoc_node(d, root->kids[2 * i]);
		if (k && k->line > first && (!next || k->line < next))
			next = k->line;
	}
	char *why = xasprintf("it would override %s", DROPIN);
	plan_comment_lines(p, c, cf->path, first, next ? next - 1 : 0, why);
	free(why);
}

/* A line ds-identify may take as datasource_list: the key (quoted or not) then ':', in any version. */
static bool dsidentify_line(const char *l, size_t n)
{
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i == n || l[i] == '#')
		return false;
	const char *k = "datasource_list";
	size_t kl = strlen(k);
	for (size_t j = i; j + kl <= n; j++) {
		if (memcmp(l + j, k, kl) != 0)
			continue;
		size_t q = j + kl;
		while (q < n && (l[q] == '"' || l[q] == '\'' || l[q] == ' ' || l[q] == '\t'))
			q++;
		if (q < n && l[q] == ':')
			return true;
	}
	return false;
}

/*
 * ds-identify reads datasource_list line by line, also from a file cloud-init cannot parse and
 * from nested keys; at the first boot the last line it finds wins over our drop-in. In a file
 * cloud-init ignores, commenting such a line changes nothing cloud-init reads; in one it reads,
 * a nested key is the user's to edit.
 */
static void dsidentify_lines(struct plan *p, const struct check *c, const struct ci_file *cf)
{
	const char *q = cf->data, *end = cf->data + cf->len;
	unsigned ln = 0;
	while (q && q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
		ln++;
		if (dsidentify_line(q, n)) {
			if (!cf->usable) {
				char *why = xasprintf("ds-identify would read it instead of %s (cloud-init ignores this file)",
						      DROPIN);
				plan_comment_lines(p, c, cf->path, ln, ln, why);
				free(why);
			} else {
				plan_note(p, "cloudinit.datasource: %s:%u: ds-identify reads this datasource_list after %s at the "
					     "first boot; remove it by hand",
					  cf->path, ln, DROPIN);
			}
		}
		q = nl ? nl + 1 : end;
	}
}

int plan_cloudinit_datasource(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	const struct cloudinit_facts *ci = &f->cloudinit;
	const struct check *c = &check_cloudinit_datasource;
	if (!ci->installed)
		return 0;
	static const char *const def_ds[] = { "ConfigDrive", "TencentCloud", NULL };
	static const char *const def_urls[] = { "http://169.254.0.23", "http://metadata.tencentyun.com", NULL };
	char *ds = yaml_list(&ctx->cfg.datasource_list, def_ds, false);
	char *urls = yaml_list(&ctx->cfg.metadata_urls, def_urls, true);
	char *content = xasprintf("# Written by cvmprep for Tencent Cloud CVM: the instance's settings come from the\n"
				  "# config drive (ConfigDrive); Tencent's build of cloud-init also knows TencentCloud.\n"
				  "# Remove with 'cvmprep rollback'.\n"
				  "datasource_list: %s\n"
				  "datasource:\n"
				  "  ConfigDrive:\n"
				  "    dsmode: local\n"
				  "  TencentCloud:\n"
				  "    metadata_urls: %s\n",
				  ds, urls);
	plan_write(p, c, DROPIN, content, strlen(content), 0644, "cloud-init reads it after the files before it");
	free(content);
	free(ds);
	free(urls);

	/* A drop-in sorting after ours that sets datasource_list (or its dict) wins: neutralise it. */
	for (size_t i = 0; i < ci->cfg.n; i++) {
		const struct ci_file *cf = &ci->cfg.files[i];
		if (strcmp(cf->path, DROPIN) <= 0 || !str_starts_with(cf->path, DROPIN_DIR "/"))
			continue;
		size_t key, val;
		if (cf->usable && ymap_lookup(&cf->doc, cf->doc.root, "datasource_list", &key, &val) == 1)
			comment_out_key(p, c, cf, key);
		else
			dsidentify_lines(p, c, cf);
	}

	/* The config drive must be visible when ds-identify runs: the CD-ROM stack into the initramfs. */
	if (!ci->cdrom_early) {
		for (size_t i = 0; i < f->kernels.n; i++) {
			const struct kernel_info *k = &f->kernels.v[i];
			if (k->irf.state != FS_OK)
				continue;
			struct strvec mods = STRVEC_INIT;
			static const char *const stack[] = { "sr_mod", "cdrom", "ata_piix" };
			for (size_t s = 0; s < ARRAY_SIZE(stack); s++)
				if (kernel_mod_state(k, stack[s], NULL) == MOD_MODULE && !kernel_irf_has(k, stack[s]))
					strvec_push(&mods, stack[s]);
			if (mods.n)
				plan_initramfs_add(ctx, f, p, c, k, (const char *const *)mods.v);
			strvec_clear(&mods);
		}
	}
	return 0;
}

int plan_cloudinit_state(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	(void)ctx;
	const struct cloudinit_facts *ci = &f->cloudinit;
	for (size_t i = 0; i < ci->state_paths.n; i++) {
		/* Inside a directory that is moved as a whole: nothing more to do for it. */
		bool covered = false;
		for (size_t k = 0; k < ci->state_paths.n; k++)
			covered = covered || (k != i && str_starts_with(ci->state_paths.v[i], ci->state_paths.v[k]) &&
					      ci->state_paths.v[i][strlen(ci->state_paths.v[k])] == '/');
		if (!covered)
			plan_move_aside(p, &check_cloudinit_state, ci->state_paths.v[i], "state of the source environment");
	}
	return 0;
}
