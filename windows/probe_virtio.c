/*
 * Probe of the virtio checks: viostor, vioscsi and netkvm in the driver store
 * (System32\DriverStore\FileRepository, and DriverDatabase on 2012 and later), their service
 * keys and driver files, and the bindings to the virtio PCI IDs that make the storage driver
 * start when a virtio disk appears (CriticalDeviceDatabase before 2012, DriverDatabase after).
 */
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "ctx.h"
#include "reg.h"
#include "winchecks.h"
#include "winfacts.h"
#include "winsys.h"
#include "banned.h"

static const struct {
	const char *name;
	const char *ids[WIN_MAX_IDS];
} drivers[WDRV_COUNT] = {
	{ "viostor", { "VEN_1AF4&DEV_1001", "VEN_1AF4&DEV_1042" } },
	{ "vioscsi", { "VEN_1AF4&DEV_1004", "VEN_1AF4&DEV_1048" } },
	{ "netkvm", { NULL, NULL } },
};

static bool prefix_ci(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strlen(s) >= n && _strnicmp(s, prefix, n) == 0;
}

static bool file_exists(const char *path)
{
	wchar_t *w = win_widen(path);
	DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
	free(w);
	return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

static bool dir_exists(const char *path)
{
	wchar_t *w = win_widen(path);
	DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
	free(w);
	return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

/* The published name (oemN.inf) DriverDatabase gives a package, or NULL. */
static char *published_of(const char *package)
{
	struct strvec infs = STRVEC_INIT;
	char *found = NULL;
	if (reg_subkeys(WREG_DRIVERDB "\\DriverInfFiles", &infs) < 0)
		return NULL;
	for (size_t i = 0; i < infs.n && !found; i++) {
		char *key = xasprintf(WREG_DRIVERDB "\\DriverInfFiles\\%s", infs.v[i]);
		struct strvec pkgs = STRVEC_INIT;
		if (reg_get_multi(key, "", &pkgs) == 0)
			for (size_t k = 0; k < pkgs.n && !found; k++)
				if (_stricmp(pkgs.v[k], package) == 0)
					found = xstrdup(infs.v[i]);
		strvec_clear(&pkgs);
		free(key);
	}
	strvec_clear(&infs);
	return found;
}

/* Whether the INF a DeviceIds value names belongs to a package of this driver. */
static bool inf_is_driver(const char *inf, const char *name)
{
	char *key = xasprintf(WREG_DRIVERDB "\\DriverInfFiles\\%s", inf);
	struct strvec pkgs = STRVEC_INIT;
	char *prefix = xasprintf("%s.inf_", name);
	bool yes = false;
	if (reg_get_multi(key, "", &pkgs) == 0)
		for (size_t k = 0; k < pkgs.n && !yes; k++)
			yes = prefix_ci(pkgs.v[k], prefix);
	strvec_clear(&pkgs);
	free(prefix);
	free(key);
	return yes;
}

static void probe_bindings(struct win_virtio *v, struct win_driver *d)
{
	if (!d->ids[0])
		return;
	struct strvec keys = STRVEC_INIT;
	const char *base = v->driver_database ? WREG_DRIVERDB "\\DeviceIds\\PCI" : WREG_CDDB;
	reg_subkeys(base, &keys);
	for (size_t k = 0; k < WIN_MAX_IDS && d->ids[k]; k++) {
		char *want = v->driver_database ? xstrdup(d->ids[k]) : xasprintf("pci#%s", d->ids[k]);
		for (size_t i = 0; i < keys.n && !d->bound[k]; i++) {
			if (!prefix_ci(keys.v[i], want))
				continue;
			char *key = xasprintf("%s\\%s", base, keys.v[i]);
			if (v->driver_database) {
				struct strvec vals = STRVEC_INIT;
				reg_values(key, &vals);
				for (size_t j = 0; j < vals.n && !d->bound[k]; j++) {
					if (!str_ends_with(vals.v[j], ".inf") && !str_ends_with(vals.v[j], ".INF"))
						continue;
					if (inf_is_driver(vals.v[j], d->name) ||
					    (d->published && _stricmp(vals.v[j], d->published) == 0)) {
						d->bound[k] = true;
						strvec_pushf(&d->bind_evidence, "%s: %s (a %s package)", key, vals.v[j], d->name);
					}
				}
				strvec_clear(&vals);
			} else {
				char *svc = reg_get_string(key, "Service");
				if (svc && _stricmp(svc, d->name) == 0) {
					d->bound[k] = true;
					strvec_pushf(&d->bind_evidence, "%s: Service = %s", key, svc);
				} else if (svc) {
					strvec_pushf(&d->bind_evidence, "%s: Service = %s, not %s", key, svc, d->name);
				}
				free(svc);
			}
			free(key);
		}
		if (!d->bound[k])
			strvec_pushf(&d->bind_evidence, "no %s entry binds PCI\\%s to %s",
				     v->driver_database ? "DriverDatabase\\DeviceIds" : "CriticalDeviceDatabase", d->ids[k],
				     d->name);
		free(want);
	}
	strvec_clear(&keys);
}

void probe_win_virtio(struct ctx *ctx, struct facts *f)
{
	probe_winver(ctx, f);
	struct win_facts *w = win_facts(f);
	struct win_virtio *v = &w->virtio;
	if (v->s.state != FS_UNPROBED)
		return;
	const struct winver_facts *ver = &f->winver;
	v->driver_database = ver->s.state == FS_OK && (ver->major > 6 || (ver->major == 6 && ver->minor >= 2));
	char *sys32 = win_system32();
	char *store = win_path_join(sys32, "DriverStore");
	v->store_root = win_path_join(store, "FileRepository");
	free(store);
	struct strvec dirs = STRVEC_INIT;
	if (dir_exists(v->store_root)) {
		WIN32_FIND_DATAW fd;
		char *pat = win_path_join(v->store_root, "*");
		wchar_t *wp = win_widen(pat);
		free(pat);
		HANDLE h = wp ? FindFirstFileW(wp, &fd) : INVALID_HANDLE_VALUE;
		free(wp);
		if (h != INVALID_HANDLE_VALUE) {
			do {
				if ((fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) && fd.cFileName[0] != L'.')
					strvec_push_nodup(&dirs, win_narrow(fd.cFileName, (size_t)-1));
			} while (FindNextFileW(h, &fd) && dirs.n < 100000);
			FindClose(h);
		}
		strvec_sort(&dirs);
	}
	for (size_t i = 0; i < WDRV_COUNT; i++) {
		struct win_driver *d = &v->drv[i];
		d->name = drivers[i].name;
		d->ids[0] = drivers[i].ids[0];
		d->ids[1] = drivers[i].ids[1];
		char *prefix = xasprintf("%s.inf_", d->name);
		/* The newest folder of the driver (folder names sort by hash, so take the last found). */
		for (size_t k = 0; k < dirs.n; k++) {
			if (!prefix_ci(dirs.v[k], prefix))
				continue;
			free(d->package);
			free(d->store_dir);
			d->package = xstrdup(dirs.v[k]);
			d->store_dir = win_path_join(v->store_root, dirs.v[k]);
		}
		free(prefix);
		if (d->store_dir) {
			char *inf = xasprintf("%s\\%s.inf", d->store_dir, d->name);
			char *sys = xasprintf("%s\\%s.sys", d->store_dir, d->name);
			d->in_store = file_exists(inf);
			d->store_sys = file_exists(sys);
			strvec_pushf(&d->store_evidence, "%s%s%s", inf, d->in_store ? "" : " is missing",
				     d->store_sys ? "" : " (no .sys file beside it)");
			free(inf);
			free(sys);
		}
		if (v->driver_database && d->package) {
			d->published = published_of(d->package);
			char *pk = xasprintf(WREG_DRIVERDB "\\DriverPackages\\%s", d->package);
			if (reg_key_exists(pk))
				strvec_pushf(&d->store_evidence, "%s%s%s", pk, d->published ? " published as " : "",
					     d->published ? d->published : "");
			free(pk);
		}
		char *svc = xasprintf(WREG_SERVICES "\\%s", d->name);
		d->service = reg_key_exists(svc);
		if (d->service) {
			reg_get(svc, "Start", &d->start);
			reg_get(svc, "Type", &d->type);
			reg_get(svc, "ErrorControl", &d->errorcontrol);
			reg_get(svc, "Group", &d->group);
			reg_get(svc, "ImagePath", &d->imagepath);
		}
		free(svc);
		char *drv = win_path_join(sys32, "drivers");
		char *file = xasprintf("%s.sys", d->name);
		d->sys_path = win_path_join(drv, file);
		d->sys_installed = file_exists(d->sys_path);
		free(file);
		free(drv);
		probe_bindings(v, d);
	}
	strvec_clear(&dirs);
	free(sys32);
	section_set(&v->s, FS_OK, NULL, NULL);
}
