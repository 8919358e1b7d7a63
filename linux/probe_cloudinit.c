/*
 * cloud-init in the target: installed (package or program), its version, the marker files and
 * the state of its systemd units, its configuration as cloud-init merges it (agent/cloudinit.h,
 * libyaml), the kernel command line of the default boot entry, ds-identify's prediction of the
 * first boot on CVM, and instance state left from the source environment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cloudinit.h"
#include "dpkg.h"
#include "parse.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

static const char *const unit_names[] = { "cloud-init-local.service", "cloud-init.service", "cloud-config.service",
					  "cloud-final.service" };
static const char *const unit_dirs[] = { "/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system" };

struct pkg_find {
	const char *want;
	char *version;
};

static bool on_pkg(const char *pkg, const char *ver, void *arg)
{
	struct pkg_find *pf = arg;
	if (strcmp(pkg, pf->want) == 0) {
		pf->version = xstrdup(ver);
		return false;
	}
	return true;
}

/*
 * Without a dpkg record (rpm, zypper, pip), the version is in the name of the package's metadata
 * beside it: SITE/cloud_init-22.1-py3.9.egg-info or SITE/cloud_init-23.4.dist-info.
 */
static void metadata_version(struct ctx *ctx, struct cloudinit_facts *c, const char *site)
{
	struct strvec names = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, site, &names) < 0)
		return;
	for (size_t i = 0; i < names.n && !c->version; i++) {
		const char *n = names.v[i];
		if (!str_starts_with(n, "cloud_init-") || !(str_ends_with(n, ".egg-info") || str_ends_with(n, ".dist-info")))
			continue;
		const char *v = n + strlen("cloud_init-");
		const char *end = strstr(v, "-py");
		if (!end)
			end = strrchr(v, '.');
		if (!end || end == v || !(*v >= '0' && *v <= '9'))
			continue;
		c->version = xstrndup(v, (size_t)(end - v));
		strvec_pushf(&c->install_evidence, "version %s from %s/%s", c->version, site, n);
	}
	strvec_clear(&names);
}

/*
 * Whether this cloud-init has a TencentCloud datasource: cloud-init imports a datasource named
 * N from the module DataSourceN in cloudinit/sources, and only Tencent's build ships one. A
 * stock cloud-init skips the name, so a list that reaches the config drive only through it
 * reaches nothing.
 */
static void datasource_modules(struct ctx *ctx, struct cloudinit_facts *c, const char *site)
{
	struct strvec names = STRVEC_INIT;
	char *dir = xasprintf("%s/cloudinit/sources", site);
	if (rootfs_list(ctx->rfs, dir, &names) == 0 && names.n) {
		c->ds_tencentcloud_known = true;
		for (size_t i = 0; i < names.n && !c->ds_tencentcloud; i++)
			c->ds_tencentcloud = str_starts_with(names.v[i], "DataSourceTencentCloud.");
	}
	free(dir);
	strvec_clear(&names);
}

static void probe_installed(struct ctx *ctx, struct cloudinit_facts *c)
{
	char *data;
	size_t len;
	if (rootfs_read(ctx->rfs, "/var/lib/dpkg/status", 64u << 20, &data, &len) == 0) {
		struct pkg_find pf = { .want = "cloud-init" };
		dpkg_status_parse(data, len, on_pkg, &pf);
		free(data);
		if (pf.version) {
			c->installed = true;
			c->version = pf.version;
			strvec_pushf(&c->install_evidence, "package cloud-init %s is installed (dpkg)", pf.version);
		}
	}
	static const char *const bins[] = { "/usr/bin/cloud-init", "/bin/cloud-init", "/usr/local/bin/cloud-init" };
	for (size_t i = 0; i < ARRAY_SIZE(bins); i++) {
		if (!rootfs_is_file(ctx->rfs, bins[i]))
			continue;
		/* The program is a Python script: the package it imports must be there too. */
		bool pkg = false;
		char *site = NULL;
		static const char *const libs[] = { "/usr/lib/python3/dist-packages", "/usr/lib/python3.6/site-packages",
						    "/usr/lib/python2.7/site-packages", "/usr/local/lib/python3/dist-packages" };
		for (size_t l = 0; l < ARRAY_SIZE(libs) && !pkg; l++) {
			char *p = xasprintf("%s/cloudinit", libs[l]);
			pkg = rootfs_is_dir(ctx->rfs, p);
			if (pkg)
				site = xstrdup(libs[l]);
			free(p);
		}
		if (!pkg) {
			struct strvec names = STRVEC_INIT;
			static const char *const roots[] = { "/usr/lib", "/usr/lib64", "/usr/local/lib" };
			for (size_t r = 0; r < ARRAY_SIZE(roots) && !pkg; r++) {
				strvec_clear(&names);
				if (rootfs_list(ctx->rfs, roots[r], &names) < 0)
					continue;
				for (size_t n = 0; n < names.n && !pkg; n++) {
					if (!str_starts_with(names.v[n], "python"))
						continue;
					char *a = xasprintf("%s/%s/site-packages/cloudinit", roots[r], names.v[n]);
					char *b = xasprintf("%s/%s/dist-packages/cloudinit", roots[r], names.v[n]);
					if (rootfs_is_dir(ctx->rfs, a) || rootfs_is_dir(ctx->rfs, b)) {
						pkg = true;
						char *hit = rootfs_is_dir(ctx->rfs, a) ? a : b;
						site = xstrndup(hit, strlen(hit) - strlen("/cloudinit"));
					}
					free(a);
					free(b);
				}
			}
			strvec_clear(&names);
		}
		if (pkg) {
			c->installed = true;
			strvec_pushf(&c->install_evidence, "%s and its Python package exist", bins[i]);
			if (!c->version)
				metadata_version(ctx, c, site);
			datasource_modules(ctx, c, site);
		} else {
			strvec_pushf(&c->install_evidence, "%s exists but its Python package (cloudinit) was not found", bins[i]);
		}
		free(site);
		break;
	}
	c->forced_import = rootfs_is_file(ctx->rfs, "/usr/local/sbin/cvmprep-forced-import");
}

/* [Install] WantedBy=/RequiredBy= of a unit file. */
static void unit_install(struct ctx *ctx, struct unit_fact *u)
{
	char *data;
	size_t len;
	if (!u->file || rootfs_read(ctx->rfs, u->file, ROOTFS_MAX_TEXT, &data, &len) < 0)
		return;
	struct line_iter it;
	bool install = false;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *l = str_trim(it.line);
		if (*l == '[') {
			install = strcmp(l, "[Install]") == 0;
			continue;
		}
		if (install && (str_starts_with(l, "WantedBy=") || str_starts_with(l, "RequiredBy=")))
			str_split(&u->wanted_by, strchr(l, '=') + 1, " \t");
	}
	line_iter_done(&it);
	free(data);
}

static bool is_link_to(struct ctx *ctx, const char *path, const char *target_suffix)
{
	char *t = NULL;
	bool ok = rootfs_readlink(ctx->rfs, path, &t) == 0 && (!target_suffix || str_ends_with(t, target_suffix));
	free(t);
	return ok;
}

/* enabled: a link named after it in some *.wants/ or *.requires/ directory of /etc or the vendor dirs. */
static void probe_unit(struct ctx *ctx, struct unit_fact *u)
{
	for (size_t d = 0; d < ARRAY_SIZE(unit_dirs) && !u->file; d++) {
		char *p = xasprintf("%s/%s", unit_dirs[d], u->name);
		struct rootfs_stat st;
		if (rootfs_stat(ctx->rfs, p, false, &st) == 0) {
			if (st.type == RFT_LNK && is_link_to(ctx, p, "/dev/null")) {
				u->state = UNIT_MASKED;
				u->evidence = xasprintf("%s -> /dev/null", p);
				free(p);
				/* The unit the mask hides, and where it installs itself: to enable it again. */
				for (size_t v = d + 1; v < ARRAY_SIZE(unit_dirs) && !u->file; v++) {
					char *q = xasprintf("%s/%s", unit_dirs[v], u->name);
					if (rootfs_is_file(ctx->rfs, q))
						u->file = q;
					else
						free(q);
				}
				unit_install(ctx, u);
				return;
			}
			if (d > 0 || st.type == RFT_REG)
				u->file = p;
			else
				free(p);
		} else {
			free(p);
		}
	}
	if (!u->file) {
		u->state = UNIT_MISSING;
		u->evidence = xasprintf("no unit file %s", u->name);
		return;
	}
	unit_install(ctx, u);
	for (size_t d = 0; d < ARRAY_SIZE(unit_dirs); d++) {
		struct strvec names = STRVEC_INIT;
		if (rootfs_list(ctx->rfs, unit_dirs[d], &names) == 0)
			for (size_t n = 0; n < names.n && u->state != UNIT_ENABLED; n++) {
				if (!str_ends_with(names.v[n], ".wants") && !str_ends_with(names.v[n], ".requires"))
					continue;
				char *p = xasprintf("%s/%s/%s", unit_dirs[d], names.v[n], u->name);
				if (rootfs_exists(ctx->rfs, p)) {
					u->state = UNIT_ENABLED;
					u->evidence = xasprintf("%s exists", p);
				}
				free(p);
			}
		strvec_clear(&names);
	}
	if (u->state != UNIT_ENABLED) {
		u->state = u->wanted_by.n ? UNIT_DISABLED : UNIT_STATIC;
		u->evidence = xasprintf("%s is not linked from any .wants directory", u->file);
	}
}

static void read_config(struct ctx *ctx, struct cloudinit_facts *c)
{
	char *data;
	size_t len;
	int e = rootfs_read(ctx->rfs, "/etc/cloud/cloud.cfg", ROOTFS_MAX_TEXT, &data, &len);
	if (e == 0) {
		ci_config_add_file(&c->cfg, "/etc/cloud/cloud.cfg", data, len);
		free(data);
	} else if (e != -ENOENT) {
		strvec_pushf(&c->notes, "could not read /etc/cloud/cloud.cfg: %s", rootfs_strerror(e));
	}
	char *dir = ci_conf_d(&c->cfg);
	struct strvec names = STRVEC_INIT;
	if (dir && rootfs_list(ctx->rfs, dir, &names) == 0) {
		for (size_t i = 0; i < names.n; i++) {
			if (!ci_confd_wanted(names.v[i]))
				continue;
			char *p = xasprintf("%s/%s", dir, names.v[i]);
			if (rootfs_is_file(ctx->rfs, p) && rootfs_read(ctx->rfs, p, ROOTFS_MAX_TEXT, &data, &len) == 0) {
				ci_config_add_file(&c->cfg, p, data, len);
				free(data);
			}
			free(p);
		}
	}
	strvec_clear(&names);
	free(dir);
	if (rootfs_read(ctx->rfs, "/etc/cloud/ds-identify.cfg", ROOTFS_MAX_TEXT, &data, &len) == 0) {
		ci_config_set_dsidentify(&c->cfg, "/etc/cloud/ds-identify.cfg", data, len);
		free(data);
	}
}

/* The command line the default entry boots with (grub.cfg), or what grub-mkconfig would write. */
static void default_cmdline(const struct facts *f, struct cloudinit_facts *c)
{
	for (size_t i = 0; i < f->boot.n; i++)
		if (f->boot.v[i].is_default && f->boot.v[i].cmdline) {
			c->cmdline = xstrdup(f->boot.v[i].cmdline);
			c->cmdline_source = xasprintf("%s:%u", f->boot.v[i].source, f->boot.v[i].line);
			return;
		}
	if (f->boot.cmdline_linux || f->boot.cmdline_default) {
		c->cmdline = xasprintf("%s %s", f->boot.cmdline_linux ? f->boot.cmdline_linux : "",
				       f->boot.cmdline_default ? f->boot.cmdline_default : "");
		c->cmdline_source = xstrdup(f->boot.defaults_path ? f->boot.defaults_path : "/etc/default/grub");
	}
}

void probe_cloudinit(struct ctx *ctx, struct facts *f)
{
	struct cloudinit_facts *c = &f->cloudinit;
	if (c->s.state != FS_UNPROBED)
		return;
	ci_config_init(&c->cfg);
	section_set(&c->s, FS_OK, NULL, NULL);
	probe_boot(ctx, f);
	probe_initramfs(ctx, f);
	probe_installed(ctx, c);
	if (c->version)
		ci_version_parse(c->version, &c->cfg.version);
	c->systemd = rootfs_exists(ctx->rfs, "/lib/systemd/systemd") || rootfs_exists(ctx->rfs, "/usr/lib/systemd/systemd");
	c->marker_disabled = rootfs_exists(ctx->rfs, "/etc/cloud/cloud-init.disabled");
	c->marker_enabled = rootfs_exists(ctx->rfs, "/etc/cloud/cloud-init.enabled");
	c->nunits = ARRAY_SIZE(unit_names);
	for (size_t i = 0; i < c->nunits; i++) {
		c->units[i].name = xstrdup(unit_names[i]);
		if (c->systemd)
			probe_unit(ctx, &c->units[i]);
	}
	/* cloud-init's setup.py installs it under usr/libexec on Red Hat's family, usr/lib elsewhere. */
	c->has_ds_identify = rootfs_is_file(ctx->rfs, "/usr/lib/cloud-init/ds-identify") ||
			     rootfs_is_file(ctx->rfs, "/lib/cloud-init/ds-identify") ||
			     rootfs_is_file(ctx->rfs, "/usr/libexec/cloud-init/ds-identify");
	read_config(ctx, c);
	default_cmdline(f, c);
	if (c->cmdline)
		ci_config_set_cmdline(&c->cfg, c->cmdline);
	ci_evaluate(&c->cfg, &c->eval);
	c->evaluated = true;

	/* Will /dev/sr0 exist when the generator runs ds-identify (before udev loads modules)? */
	const struct kernel_info *k = NULL;
	for (size_t i = 0; i < f->kernels.n && !k; i++)
		if (f->kernels.v[i].is_default)
			k = &f->kernels.v[i];
	if (k) {
		bool sr = kernel_early(k, "sr_mod"), cd = kernel_early(k, "cdrom");
		/* CVM attaches the config drive to the IDE controller (PIIX): ahci alone does not see it. */
		bool ctl = kernel_early(k, "ata_piix");
		c->cdrom_early = sr && cd && ctl;
		strvec_pushf(&c->cdrom_evidence, "kernel %s: sr_mod %s, cdrom %s, ata_piix %s, ahci %s", k->version,
			     sr ? "early" : "late", cd ? "early" : "late", kernel_early(k, "ata_piix") ? "early" : "late",
			     kernel_early(k, "ahci") ? "early" : "late");
		if (k->initrd)
			strvec_pushf(&c->cdrom_evidence, "early means built in or in %s", k->initrd);
	}
	struct ci_boot_env env = {
		.marker_enabled = c->marker_enabled,
		.marker_disabled = c->marker_disabled,
		.has_ds_identify = c->has_ds_identify,
		.config_drive_visible = c->cdrom_early,
		.seed_config_drive = rootfs_exists(ctx->rfs, "/var/lib/cloud/seed/config_drive"),
		.manual_clean = rootfs_exists(ctx->rfs, "/var/lib/cloud/instance/manual-clean"),
	};
	ci_boot_predict(&c->cfg, &c->eval, &env, &c->boot);
	c->predicted = true;

	/* State from the source environment. */
	struct strvec inst = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, "/var/lib/cloud/instances", &inst) == 0)
		for (size_t i = 0; i < inst.n; i++)
			strvec_pushf(&c->state_paths, "/var/lib/cloud/instances/%s", inst.v[i]);
	strvec_clear(&inst);
	static const char *const other[] = { "/var/lib/cloud/instance", "/var/lib/cloud/data/instance-id",
					     "/var/lib/cloud/sem" };
	for (size_t i = 0; i < ARRAY_SIZE(other); i++)
		if (rootfs_exists(ctx->rfs, other[i]))
			strvec_push(&c->state_paths, other[i]);
}
