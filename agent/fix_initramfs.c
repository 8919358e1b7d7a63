/*
 * Repair of initramfs.virtio (and the CD-ROM part of cloudinit.datasource): the modules go into
 * the initramfs generator's persistent configuration, so that future kernel updates keep them,
 * then the distribution's own tool rebuilds each affected initramfs, which our reader verifies.
 */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

enum generator { GEN_NONE, GEN_INITRAMFS_TOOLS, GEN_DRACUT, GEN_MKINITRD };

static const char *find_tool(struct ctx *ctx, const char *name)
{
	static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
	static char found[64];
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *p = xasprintf("%s/%s", dirs[i], name);
		bool ok = rootfs_is_file(ctx->rfs, p);
		free(p);
		if (ok) {
			snprintf(found, sizeof(found), "%s", name);
			return found;
		}
	}
	return NULL;
}

/*
 * The generator, and whether its program is in the target (*tool). Without the program (a tree
 * being assembled, a fixture) the configuration directory still tells which generator the
 * distribution uses: its configuration is written, and the rebuild is left to the user.
 */
static enum generator detect(struct ctx *ctx, bool *tool)
{
	*tool = true;
	/* Debian and Ubuntu: initramfs-tools, unless dracut replaced it. */
	if (find_tool(ctx, "update-initramfs") && rootfs_is_dir(ctx->rfs, "/etc/initramfs-tools"))
		return GEN_INITRAMFS_TOOLS;
	if (find_tool(ctx, "dracut"))
		return GEN_DRACUT;
	if (find_tool(ctx, "mkinitrd"))
		return GEN_MKINITRD;
	*tool = false;
	if (rootfs_is_dir(ctx->rfs, "/etc/dracut.conf.d"))
		return GEN_DRACUT;
	if (rootfs_is_dir(ctx->rfs, "/etc/initramfs-tools"))
		return GEN_INITRAMFS_TOOLS;
	return GEN_NONE;
}

static int verify_initramfs(struct ctx *ctx, const struct plan_item *it, const char *path, char **why)
{
	struct strvec missing = STRVEC_INIT;
	char *err = NULL;
	int e = probe_initramfs_lacks(ctx, path, &it->verify_names, &missing, &err);
	int ret = 0;
	if (e < 0) {
		*why = xasprintf("the new initramfs cannot be read: %s", err ? err : "?");
		ret = -1;
	} else if (missing.n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < missing.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", missing.v[i]);
		*why = xasprintf("the new %s still lacks %s", path, strbuf_str(&sb));
		strbuf_release(&sb);
		ret = -1;
	}
	free(err);
	strvec_clear(&missing);
	return ret;
}

#define TOOLS_MODULES "/etc/initramfs-tools/modules"
#define DRACUT_CONF "/etc/dracut.conf.d/90-cvmprep-tencentcloud.conf"

/* Append the modules /etc/initramfs-tools/modules does not list yet. */
static void plan_tools_modules(struct plan *p, const struct check *c, const char *const *mods)
{
	const char *data = "";
	size_t len = 0;
	if (plan_content(p, TOOLS_MODULES, &data, &len) < 0) {
		data = "";
		len = 0;
	}
	struct strvec have = STRVEC_INIT;
	struct line_iter it;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *l = str_trim(it.line);
		if (*l && *l != '#') {
			size_t n = strcspn(l, " \t");
			l[n] = '\0';
			strvec_push(&have, l);
		}
	}
	line_iter_done(&it);
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, data, len);
	bool header = strstr(data, "# cvmprep:") != NULL;
	for (size_t i = 0; mods[i]; i++) {
		if (strvec_contains(&have, mods[i]))
			continue;
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			strbuf_addch(&sb, '\n');
		if (!header) {
			strbuf_addstr(&sb, "# cvmprep: drivers Tencent Cloud CVM needs at boot (virtio disk, config drive)\n");
			header = true;
		}
		strbuf_addf(&sb, "%s\n", mods[i]);
		strvec_push(&have, mods[i]);
	}
	plan_write(p, c, TOOLS_MODULES, strbuf_str(&sb), sb.len, 0644, "load them from the initramfs");
	strbuf_release(&sb);
	strvec_clear(&have);
}

/* One dracut.conf.d file of ours with every module the fixes need. */
static void plan_dracut_conf(struct plan *p, const struct check *c, const char *const *mods)
{
	const char *data = "";
	size_t len = 0;
	struct strvec names = STRVEC_INIT;
	if (plan_content(p, DRACUT_CONF, &data, &len) == 0) {
		const char *q = strstr(data, "add_drivers+=\"");
		if (q) {
			q += 14;
			const char *e = strchr(q, '"');
			char *list = xstrndup(q, e ? (size_t)(e - q) : strlen(q));
			str_split(&names, list, " \t");
			free(list);
		}
	}
	for (size_t i = 0; mods[i]; i++)
		if (!strvec_contains(&names, mods[i]))
			strvec_push(&names, mods[i]);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "# Written by cvmprep: drivers Tencent Cloud CVM needs at boot (virtio disk, config drive).\n"
			   "# Kept for future kernels; remove with 'cvmprep rollback'.\nadd_drivers+=\" ");
	for (size_t i = 0; i < names.n; i++)
		strbuf_addf(&sb, "%s ", names.v[i]);
	strbuf_addstr(&sb, "\"\n");
	plan_write(p, c, DRACUT_CONF, strbuf_str(&sb), sb.len, 0644, "dracut adds them in host-only mode too");
	strbuf_release(&sb);
	strvec_clear(&names);
}

/*
 * What the instance needs from the initramfs on CVM: the virtio disk and NIC, and the config
 * drive's IDE CD-ROM. A rebuild on another machine (dracut's host-only mode, initramfs-tools'
 * MODULES=dep) keeps only that machine's drivers, so every rebuild asks for all of them, not
 * only for those the old image lacked.
 */
static const char *const cvm_boot_set[] = { "virtio_blk", "virtio_pci", "virtio_net", "sr_mod", "cdrom", "ata_piix" };

static int plan_mods(struct ctx *ctx, struct plan *p, const struct check *c, const struct kernel_info *k,
		     const char *const *mods)
{
	bool tool;
	enum generator g = detect(ctx, &tool);
	if (!k->initrd) {
		plan_note(p, "%s: kernel %s has no initramfs to rebuild", c->id, k->version);
		return 0;
	}
	struct plan_item *it = NULL;
	switch (g) {
	case GEN_INITRAMFS_TOOLS: {
		plan_tools_modules(p, c, mods);
		const char *argv[] = { "update-initramfs", "-u", "-k", k->version, NULL };
		if (!tool) {
			plan_note(p, "%s: no update-initramfs in the target: the drivers are listed in " TOOLS_MODULES
				     "; rebuild %s with 'update-initramfs -u -k %s' before the export",
				  c->id, k->initrd, k->version);
			return 0;
		}
		it = plan_command(p, c, argv, true, "rebuild the initramfs with initramfs-tools");
		break;
	}
	case GEN_DRACUT: {
		plan_dracut_conf(p, c, mods);
		const char *argv[] = { "dracut", "--force", k->initrd, k->version, NULL };
		if (!tool) {
			plan_note(p, "%s: no dracut in the target: the drivers are configured in " DRACUT_CONF
				     "; rebuild %s with 'dracut --force %s %s' before the export",
				  c->id, k->initrd, k->initrd, k->version);
			return 0;
		}
		it = plan_command(p, c, argv, true, "rebuild the initramfs with dracut");
		break;
	}
	case GEN_MKINITRD: {
		struct strvec argv = STRVEC_INIT;
		strvec_push(&argv, "mkinitrd");
		strvec_push(&argv, "-f");
		for (size_t i = 0; mods[i]; i++)
			strvec_pushf(&argv, "--with=%s", mods[i]);
		strvec_push(&argv, k->initrd);
		strvec_push(&argv, k->version);
		it = plan_command(p, c, (const char *const *)argv.v, true, "rebuild the initramfs with mkinitrd");
		strvec_clear(&argv);
		plan_note(p, "%s: mkinitrd keeps no configuration here: a future kernel update needs --with= again",
			  c->id);
		break;
	}
	case GEN_NONE:
		plan_note(p, "%s: no dracut, update-initramfs or mkinitrd in the target to rebuild %s", c->id, k->initrd);
		return 0;
	}
	if (!strvec_contains(&it->regenerates, k->initrd))
		strvec_push(&it->regenerates, k->initrd);
	for (size_t i = 0; mods[i]; i++)
		if (!strvec_contains(&it->verify_names, mods[i]))
			strvec_push(&it->verify_names, mods[i]);
	it->verify = verify_initramfs;
	return 0;
}

int plan_initramfs_add(struct ctx *ctx, const struct facts *f, struct plan *p, const struct check *c,
		       const struct kernel_info *k, const char *const *asked)
{
	(void)f;
	struct strvec all = STRVEC_INIT;
	for (size_t i = 0; asked[i]; i++)
		strvec_push(&all, asked[i]);
	for (size_t i = 0; i < ARRAY_SIZE(cvm_boot_set); i++)
		if (kernel_mod_state(k, cvm_boot_set[i], NULL) == MOD_MODULE && !strvec_contains(&all, cvm_boot_set[i]))
			strvec_push(&all, cvm_boot_set[i]);
	int ret = plan_mods(ctx, p, c, k, (const char *const *)all.v);
	strvec_clear(&all);
	return ret;
}

int plan_initramfs_virtio(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	for (size_t i = 0; i < f->kernels.n; i++) {
		const struct kernel_info *k = &f->kernels.v[i];
		if (!k->irf_needed.n || k->irf.state != FS_OK)
			continue;
		struct strvec mods = STRVEC_INIT;
		for (size_t n = 0; n < k->irf_needed.n; n++)
			if (!kernel_irf_has(k, k->irf_needed.v[n]))
				strvec_push(&mods, k->irf_needed.v[n]);
		/* virtio_net too: the network of the instance, loaded early or late, costs nothing here. */
		if (mods.n && kernel_mod_state(k, "virtio_net", NULL) == MOD_MODULE && !kernel_irf_has(k, "virtio_net"))
			strvec_push(&mods, "virtio_net");
		if (mods.n)
			plan_initramfs_add(ctx, f, p, &check_initramfs_virtio, k, (const char *const *)mods.v);
		strvec_clear(&mods);
	}
	return 0;
}
