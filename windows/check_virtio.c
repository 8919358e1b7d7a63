/*
 * win.virtio.installed and win.virtio.boot-critical: the virtio storage and network drivers in
 * the driver store, and the storage driver set to start at boot and bound to the virtio PCI IDs,
 * with their planners (stage the drivers from virtio_source; write the service values, the
 * driver file and the bindings).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "ctx.h"
#include "rootfs.h"
#include "virtio_src.h"
#include "winchecks.h"
#include "winfacts.h"
#include "winplan.h"
#include "winsys.h"
#include "banned.h"

#define SYS_MAX (64u << 20)

static const struct win_driver *storage_driver(const struct win_virtio *v)
{
	if (v->drv[WDRV_VIOSTOR].in_store)
		return &v->drv[WDRV_VIOSTOR];
	if (v->drv[WDRV_VIOSCSI].in_store)
		return &v->drv[WDRV_VIOSCSI];
	return NULL;
}

static bool unprobed(const struct facts *facts, const struct check *c, struct report *r)
{
	if (facts->win && facts->win->virtio.s.state != FS_UNPROBED)
		return rule_section_unusable(&facts->win->virtio.s, c, r, NULL);
	report_add(r, c, ST_SKIP, NULL, "not checked");
	return true;
}

static void rule_win_virtio_installed(const struct facts *facts, const struct check *c, struct report *r)
{
	if (unprobed(facts, c, r))
		return;
	const struct win_virtio *v = &facts->win->virtio;
	const struct win_driver *st = storage_driver(v), *net = &v->drv[WDRV_NETKVM];
	struct finding *f;
	if (st)
		f = report_add(r, c, ST_PASS, "storage", "the virtio storage driver %s is in the driver store", st->name);
	else
		f = report_add(r, c, ST_FAIL, "storage",
			       "no virtio storage driver (viostor or vioscsi) is in the driver store: the instance cannot "
			       "see its disk");
	for (size_t i = WDRV_VIOSTOR; i <= WDRV_VIOSCSI; i++)
		for (size_t k = 0; k < v->drv[i].store_evidence.n; k++)
			finding_evidence(f, "%s", v->drv[i].store_evidence.v[k]);
	if (!st)
		finding_evidence(f, "no viostor.inf_* or vioscsi.inf_* folder in %s", v->store_root);
	if (net->in_store)
		f = report_add(r, c, ST_PASS, "network", "the virtio network driver netkvm is in the driver store");
	else
		f = report_add(r, c, ST_FAIL, "network",
			       "the virtio network driver netkvm is not in the driver store: the instance has no network");
	for (size_t k = 0; k < net->store_evidence.n; k++)
		finding_evidence(f, "%s", net->store_evidence.v[k]);
	if (!net->in_store)
		finding_evidence(f, "no netkvm.inf_* folder in %s", v->store_root);
}

/* The service values that make a storage driver start at boot, each judged as the rule and the planner see it. */
static uint32_t dword_of(const struct reg_value *v, bool *ok)
{
	*ok = v->present && v->type == RT_DWORD && v->len == 4;
	return *ok ? (uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 | (uint32_t)v->data[2] << 16 |
			     (uint32_t)v->data[3] << 24
		   : 0;
}

static char *string_of(const struct reg_value *v)
{
	if (!v->present || (v->type != RT_SZ && v->type != RT_EXPAND_SZ))
		return NULL;
	size_t units = v->len / 2;
	char *s = xmalloc(units + 1);
	size_t n = 0;
	/* ASCII is all these values hold; anything else makes them not match. */
	for (size_t i = 0; i < units; i++) {
		unsigned c = v->data[2 * i] | v->data[2 * i + 1] << 8;
		if (!c)
			break;
		s[n++] = c < 0x80 ? (char)c : '?';
	}
	s[n] = '\0';
	return s;
}

static bool start_ok(const struct win_driver *d)
{
	bool ok;
	return dword_of(&d->start, &ok) == 0 && ok;
}

static bool type_ok(const struct win_driver *d)
{
	bool ok;
	return dword_of(&d->type, &ok) == 1 && ok;
}

static bool error_ok(const struct win_driver *d)
{
	bool ok;
	return dword_of(&d->errorcontrol, &ok) >= 1 && ok;
}

static bool group_ok(const struct win_driver *d)
{
	char *g = string_of(&d->group);
	bool ok = g && str_casecmp(g, "SCSI miniport") == 0;
	free(g);
	return ok;
}

/* Absent, the kernel loads System32\drivers\<service>.sys, which is where it must be. */
static bool image_ok(const struct win_driver *d)
{
	if (!d->imagepath.present)
		return true;
	char *p = string_of(&d->imagepath);
	char *a = xasprintf("system32\\drivers\\%s.sys", d->name), *b = xasprintf("\\SystemRoot\\%s", a);
	bool ok = p && (str_casecmp(p, a) == 0 || str_casecmp(p, b) == 0);
	free(p);
	free(a);
	free(b);
	return ok;
}

static void value_evidence(struct finding *f, const struct win_driver *d, const char *name, const struct reg_value *v,
			   const char *want)
{
	char *s = reg_value_show(v);
	finding_evidence(f, "%s\\%s\\%s = %s; wanted %s", WREG_SERVICES, d->name, name, s, want);
	free(s);
}

static void rule_win_virtio_boot_critical(const struct facts *facts, const struct check *c, struct report *r)
{
	if (unprobed(facts, c, r))
		return;
	const struct win_virtio *v = &facts->win->virtio;
	const struct win_driver *d = storage_driver(v);
	if (!d) {
		report_add(r, c, ST_FAIL, "storage",
			   "no virtio storage driver is installed, so none starts at boot (see win.virtio.installed)");
		return;
	}
	struct strvec wrong = STRVEC_INIT;
	if (!d->service)
		strvec_pushf(&wrong, "it has no service key");
	else if (!start_ok(d))
		strvec_push(&wrong, "it does not start at boot (Start is not 0)");
	if (d->service && (!type_ok(d) || !error_ok(d) || !group_ok(d) || !image_ok(d)))
		strvec_push(&wrong, "its service values are not a boot driver's");
	if (!d->sys_installed)
		strvec_pushf(&wrong, "%s is missing", d->sys_path);
	size_t unbound = 0;
	for (size_t k = 0; k < WIN_MAX_IDS && d->ids[k]; k++)
		unbound += !d->bound[k];
	if (unbound)
		strvec_pushf(&wrong, "it is not bound to the virtio PCI IDs through %s",
			     v->driver_database ? "DriverDatabase" : "CriticalDeviceDatabase");
	struct finding *f;
	if (wrong.n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < wrong.n; i++)
			strbuf_addf(&sb, "%s%s", i ? (i + 1 == wrong.n ? " and " : ", ") : "", wrong.v[i]);
		f = report_add(r, c, ST_FAIL, d->name, "%s is installed, but %s: the first boot stops with 0x7B "
						       "INACCESSIBLE_BOOT_DEVICE",
			       d->name, strbuf_str(&sb));
		strbuf_release(&sb);
	} else {
		f = report_add(r, c, ST_PASS, d->name, "%s starts at boot and is bound to the virtio PCI IDs (%s)", d->name,
			       v->driver_database ? "DriverDatabase" : "CriticalDeviceDatabase");
	}
	if (d->service) {
		if (!start_ok(d))
			value_evidence(f, d, "Start", &d->start, "REG_DWORD 0 (boot)");
		if (!type_ok(d))
			value_evidence(f, d, "Type", &d->type, "REG_DWORD 1 (kernel driver)");
		if (!error_ok(d))
			value_evidence(f, d, "ErrorControl", &d->errorcontrol, "REG_DWORD 1");
		if (!group_ok(d))
			value_evidence(f, d, "Group", &d->group, "\"SCSI miniport\"");
		if (!image_ok(d))
			value_evidence(f, d, "ImagePath", &d->imagepath, "system32\\drivers\\<driver>.sys");
	}
	for (size_t i = 0; i < d->bind_evidence.n; i++)
		finding_evidence(f, "%s", d->bind_evidence.v[i]);
	strvec_clear(&wrong);
}

/* ---- planners ---- */

static bool is_dir(const char *path)
{
	wchar_t *w = win_widen(path);
	DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
	free(w);
	return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

static bool is_file(const char *path)
{
	wchar_t *w = win_widen(path);
	DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
	free(w);
	return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

static bool ends_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && str_casecmp(s + a - b, suffix) == 0;
}

/* <source>\<driver>\<os>\<arch>\<driver>.inf for this Windows, or NULL with the folders tried in *tried. */
static char *find_inf(const char *src, const char *drv, const struct winver_facts *ver, struct strbuf *tried)
{
	const char *arch = virtio_arch_dir(ver->arch);
	const char *const *dirs = virtio_os_dirs(ver);
	for (size_t i = 0; arch && dirs[i]; i++) {
		char *inf = xasprintf("%s\\%s\\%s\\%s\\%s.inf", src, drv, dirs[i], arch, drv);
		if (is_file(inf))
			return inf;
		strbuf_addf(tried, "%s%s\\%s\\%s", tried->len ? ", " : "", drv, dirs[i], arch);
		free(inf);
	}
	if (!arch || !dirs[0])
		strbuf_addf(tried, "%s(virtio-win has no folder for %s %s)", tried->len ? ", " : "",
			    ver->edition ? ver->edition : "this Windows", ver->arch ? ver->arch : "");
	return NULL;
}

static int plan_win_virtio_installed(struct ctx *ctx, const struct facts *facts, struct plan *p)
{
	struct winplan *wp = winplan_of(p);
	const struct check *c = &check_win_virtio_installed;
	const struct win_virtio *v = &facts->win->virtio;
	const struct winver_facts *ver = &facts->winver;
	bool need_storage = !storage_driver(v), need_net = !v->drv[WDRV_NETKVM].in_store;
	if (!need_storage && !need_net)
		return 0;
	const char *src = ctx->cfg.virtio_source;
	if (!src || !*src) {
		plan_note(p, "%s: set virtio_source in the [windows] section of %s to the virtio-win ISO's folder, a "
			     "virtio-win MSI or Tencent's virtio_64_1.0.9.exe",
			  c->id, ctx->cfg.path ? ctx->cfg.path : "the configuration file");
		return 0;
	}
	if (is_dir(src)) {
		const char *want[2] = { need_storage ? "viostor" : NULL, need_net ? "netkvm" : NULL };
		for (size_t i = 0; i < 2; i++) {
			if (!want[i])
				continue;
			struct strbuf tried = STRBUF_INIT;
			char *inf = find_inf(src, want[i], ver, &tried);
			if (inf) {
				char *why = xasprintf("the %s driver for %s from %s", want[i],
						      ver->edition ? ver->edition : "this Windows", src);
				winplan_step(wp, WS_DRIVER, c, inf, why);
				free(why);
			} else {
				plan_note(p, "%s: %s has no %s.inf for this system (looked in %s)", c->id, src, want[i],
					  strbuf_str(&tried));
			}
			free(inf);
			strbuf_release(&tried);
		}
		return 0;
	}
	if (!is_file(src)) {
		plan_note(p, "%s: virtio_source '%s' does not exist", c->id, src);
		return 0;
	}
	char *sys32 = win_system32();
	if (ends_ci(src, ".msi")) {
		if (ver->major == 6 && ver->minor < 2) {
			plan_note(p, "%s: virtio-win's MSI installs on Windows 8 / Server 2012 and later only; on %s set "
				     "virtio_source to the INF folder of the virtio-win ISO",
				  c->id, ver->edition ? ver->edition : "this Windows");
		} else {
			struct wstep *s = winplan_step(wp, WS_MSI, c, src, "install the virtio drivers from the virtio-win MSI");
			strvec_push_nodup(&s->argv, win_path_join(sys32, "msiexec.exe"));
			strvec_push(&s->argv, "/i");
			strvec_push(&s->argv, src);
			strvec_push(&s->argv, "/qn");
			strvec_push(&s->argv, "/norestart");
		}
	} else if (ends_ci(src, ".exe")) {
		char *data = NULL;
		size_t len = 0;
		int e = rootfs_read(ctx->rfs, src, SYS_MAX * 4, &data, &len);
		const char *const *args = e == 0 ? installer_silent_args(installer_kind(data, len)) : NULL;
		if (!args) {
			plan_note(p, "%s: '%s' is not an installer cvmprep knows how to run silently (NSIS or Inno "
				     "Setup); run it by hand, or set virtio_source to the virtio-win ISO's folder",
				  c->id, src);
		} else {
			struct wstep *s = winplan_step(wp, WS_EXE, c, src, "install the virtio drivers with the installer");
			strvec_push(&s->argv, src);
			for (size_t i = 0; args[i]; i++)
				strvec_push(&s->argv, args[i]);
		}
		free(data);
	} else {
		plan_note(p, "%s: virtio_source '%s' is neither a folder, an .msi nor an .exe", c->id, src);
	}
	free(sys32);
	return 0;
}

static int plan_win_virtio_boot_critical(struct ctx *ctx, const struct facts *facts, struct plan *p)
{
	struct winplan *wp = winplan_of(p);
	const struct check *c = &check_win_virtio_boot_critical;
	const struct win_virtio *v = &facts->win->virtio;
	const struct win_driver *d = storage_driver(v);
	if (!d) {
		plan_note(p, "%s: planned after the virtio storage driver is installed (win.virtio.installed)", c->id);
		return 0;
	}
	char *key = xasprintf(WREG_SERVICES "\\%s", d->name);
	const char *why = "start the storage driver at boot, so that Windows finds its disk on the virtio controller";
	if (!type_ok(d))
		winplan_reg_dword(wp, c, key, "Type", 1, why);
	if (!start_ok(d))
		winplan_reg_dword(wp, c, key, "Start", 0, why);
	if (!error_ok(d))
		winplan_reg_dword(wp, c, key, "ErrorControl", 1, why);
	if (!group_ok(d))
		winplan_reg_sz(wp, c, key, "Group", RT_SZ, "SCSI miniport", why);
	if (!image_ok(d) || !d->service) {
		char *img = xasprintf("system32\\drivers\\%s.sys", d->name);
		winplan_reg_sz(wp, c, key, "ImagePath", RT_EXPAND_SZ, img, why);
		free(img);
	}
	free(key);
	if (!d->sys_installed) {
		char *from = xasprintf("%s\\%s.sys", d->store_dir, d->name), *data = NULL;
		size_t len = 0;
		int e = rootfs_read(ctx->rfs, from, SYS_MAX, &data, &len);
		if (e == 0) {
			char *w = xasprintf("the boot loader loads %s.sys from System32\\drivers (copied from the driver store)",
					    d->name);
			winplan_file(wp, c, d->sys_path, data, len, w);
			free(w);
		} else {
			plan_note(p, "%s: %s could not be read (%s), so %s cannot be put in place", c->id, from,
				  rootfs_strerror(e), d->sys_path);
		}
		free(data);
		free(from);
	}
	for (size_t k = 0; k < WIN_MAX_IDS && d->ids[k]; k++) {
		if (d->bound[k])
			continue;
		if (v->driver_database) {
			if (!d->published) {
				plan_note(p, "%s: DriverDatabase names no INF for the package %s, so PCI\\%s cannot be bound "
					     "to it; stage the driver again",
					  c->id, d->package ? d->package : d->name, d->ids[k]);
				continue;
			}
			char *idkey = xasprintf(WREG_DRIVERDB "\\DeviceIds\\PCI\\%s", d->ids[k]);
			static const unsigned char rank[4] = { 0x01, 0xff, 0x00, 0x00 };
			struct reg_value want;
			reg_value_binary(&want, rank, sizeof(rank));
			char *w = xasprintf("bind PCI\\%s to %s (%s) in the driver database", d->ids[k], d->name, d->published);
			winplan_reg(wp, c, idkey, d->published, &want, w);
			reg_value_free(&want);
			free(w);
			free(idkey);
		} else {
			char *lower = xstrdup(d->ids[k]);
			for (char *q = lower; *q; q++)
				*q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
			char *cdkey = xasprintf(WREG_CDDB "\\pci#%s", lower);
			char *w = xasprintf("bind PCI\\%s to %s in the CriticalDeviceDatabase", d->ids[k], d->name);
			winplan_reg_sz(wp, c, cdkey, "Service", RT_SZ, d->name, w);
			winplan_reg_sz(wp, c, cdkey, "ClassGUID", RT_SZ, WREG_SCSI_CLASS, w);
			free(w);
			free(cdkey);
			free(lower);
		}
	}
	return 0;
}

const struct check check_win_virtio_installed = {
	.id = "win.virtio.installed",
	.title = "the virtio storage (viostor or vioscsi) and network (netkvm) drivers are installed",
	.severity = SEV_BLOCKER,
	.error_code = "VirtioNotInstall",
	.fix = FIX_AUTO,
	.fix_description = "stage the drivers for this Windows from virtio_source (virtio-win ISO folder, MSI or "
			   "Tencent's installer)",
	.explain = "Looks at: the driver store (System32\\DriverStore\\FileRepository, and DriverDatabase on\n"
		   "2012 and later) for the viostor or vioscsi package and the netkvm package.\n\n"
		   "Why: CVM gives the instance a virtio disk and a virtio NIC; without their drivers Windows\n"
		   "cannot find its disk or network, and the import reports VirtioNotInstall.\n\n"
		   "By hand: install virtio-win (virtio-win-gt-x64.msi on 2012 and later; on 2008 and 2008 R2\n"
		   "'pnputil -a' the INF files from the ISO's viostor\\2k8R2\\amd64 and NetKVM\\2k8R2\\amd64).\n"
		   "cvmprep fix does it from virtio_source in the [windows] section of the configuration.",
	.probes = { probe_winver, probe_win_virtio },
	.rule = rule_win_virtio_installed,
	.plan = plan_win_virtio_installed,
};

const struct check check_win_virtio_boot_critical = {
	.id = "win.virtio.boot-critical",
	.title = "the virtio storage driver starts at boot and is bound to the virtio PCI IDs",
	.severity = SEV_BLOCKER,
	.fix = FIX_AUTO,
	.fix_description = "set the driver's service to start at boot, put its .sys in System32\\drivers and bind "
			   "it to the virtio PCI IDs",
	.explain = "Looks at: the storage driver's service key (Start 0, Type 1, ErrorControl 1, Group\n"
		   "\"SCSI miniport\", ImagePath system32\\drivers\\viostor.sys), the driver file, and the\n"
		   "bindings of PCI\\VEN_1AF4&DEV_1001 and DEV_1042 (vioscsi: DEV_1004, DEV_1048): in\n"
		   "Control\\CriticalDeviceDatabase before Windows 8 / Server 2012, in DriverDatabase\\DeviceIds\n"
		   "after.\n\n"
		   "Why: a driver installed where no virtio device exists is only staged; at the first boot\n"
		   "on CVM nothing loads it before the system disk is needed, and Windows stops with 0x7B\n"
		   "INACCESSIBLE_BOOT_DEVICE.\n\n"
		   "By hand: set those service values with regedit, copy viostor.sys from the driver store to\n"
		   "System32\\drivers, and add the CriticalDeviceDatabase keys (pci#ven_1af4&dev_1001:\n"
		   "Service = viostor, ClassGUID = {4D36E97B-E325-11CE-BFC1-08002BE10318}); or boot once\n"
		   "with a virtio disk attached.",
	.probes = { probe_winver, probe_win_virtio },
	.rule = rule_win_virtio_boot_critical,
	.plan = plan_win_virtio_boot_critical,
};
