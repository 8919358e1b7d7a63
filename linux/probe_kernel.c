/*
 * The installed kernels: their module directories, images and configs, which one the default
 * boot entry starts, the state of the virtio drivers (and the CD-ROM stack the config drive
 * needs) through libkmod, and the package each kernel belongs to.
 *
 * libkmod opens its index files by path. To keep the promise that nothing outside --root is
 * opened, the index files are read through the path layer into a private temporary directory
 * and libkmod is pointed there, with no modprobe configuration at all.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libkmod.h>

#include "dpkg.h"
#include "exec.h"
#include "parse.h"
#include "probes.h"
#include "banned.h"

/* The modules the checks ask about: the virtio set, then the CD-ROM stack of the config drive. */
static const struct {
	const char *name, *config;
} wanted_mods[] = {
	{ "virtio", "CONFIG_VIRTIO" },
	{ "virtio_ring", "CONFIG_VIRTIO" },
	{ "virtio_pci", "CONFIG_VIRTIO_PCI" },
	{ "virtio_blk", "CONFIG_VIRTIO_BLK" },
	{ "virtio_net", "CONFIG_VIRTIO_NET" },
	{ "sr_mod", "CONFIG_BLK_DEV_SR" },
	{ "cdrom", "CONFIG_CDROM" },
	{ "ata_piix", "CONFIG_ATA_PIIX" },
	{ "ahci", "CONFIG_SATA_AHCI" },
	{ "isofs", "CONFIG_ISO9660_FS" },
};

static const char *const index_files[] = {
	"modules.dep.bin", "modules.dep", "modules.builtin.bin", "modules.builtin",
	"modules.builtin.modinfo", "modules.alias.bin", "modules.softdep", "modules.symbols.bin",
};

#define MAX_INDEX (64u << 20)

struct kmodtree {
	char *dir;
	struct kmod_ctx *ctx;
	struct strvec made; /* placeholder files and directories we created, in creation order */
	struct strvec builtin; /* module names from the text modules.builtin, for evidence */
	bool have_index;
};

static void kmodtree_close(struct kmodtree *kt)
{
	if (kt->ctx)
		kmod_unref(kt->ctx);
	if (kt->dir) {
		for (size_t i = kt->made.n; i-- > 0;) {
			char *p = xasprintf("%s/%s", kt->dir, kt->made.v[i]);
			if (unlink(p) < 0)
				rmdir(p);
			free(p);
		}
		strvec_clear(&kt->made);
		for (size_t i = 0; i < ARRAY_SIZE(index_files); i++) {
			char *p = xasprintf("%s/%s", kt->dir, index_files[i]);
			unlink(p);
			free(p);
		}
		rmdir(kt->dir);
		free(kt->dir);
	}
	strvec_clear(&kt->builtin);
	memset(kt, 0, sizeof(*kt));
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* "kernel/drivers/block/virtio_blk.ko" -> "virtio_blk" (also for .ko.xz/.zst/.gz). */
static char *modname_of_path(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strcspn(b, ".");
	char *m = xstrndup(b, n);
	for (char *c = m; *c; c++)
		if (*c == '-')
			*c = '_';
	return m;
}

/*
 * libkmod builds a dependency's module object from its path and stat()s that path. The module
 * files are never read, so empty placeholders (for the modules we ask about and what their
 * modules.dep lines list) stand in for them in the private directory.
 */
static void make_placeholders(struct kmodtree *kt, const char *dep, size_t len)
{
	struct line_iter it;
	line_iter_init(&it, dep, len);
	while (line_iter_next(&it)) {
		char *colon = strchr(it.line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *name = modname_of_path(it.line);
		bool wanted = false;
		for (size_t w = 0; w < ARRAY_SIZE(wanted_mods); w++)
			wanted = wanted || strcmp(wanted_mods[w].name, name) == 0;
		free(name);
		if (!wanted)
			continue;
		struct strvec paths = STRVEC_INIT;
		strvec_push(&paths, it.line);
		str_split(&paths, colon + 1, " \t");
		for (size_t i = 0; i < paths.n; i++) {
			const char *rel = paths.v[i];
			if (rel[0] == '/' || strstr(rel, "..") || strvec_contains(&kt->made, rel))
				continue;
			/* mkdir -p of its directory, then an empty file. */
			for (const char *sl = strchr(rel, '/'); sl; sl = strchr(sl + 1, '/')) {
				char *d = xstrndup(rel, (size_t)(sl - rel));
				char *full = xasprintf("%s/%s", kt->dir, d);
				if (mkdir(full, 0700) == 0)
					strvec_push(&kt->made, d);
				free(full);
				free(d);
			}
			char *full = xasprintf("%s/%s", kt->dir, rel);
			int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (fd >= 0) {
				close(fd);
				strvec_push(&kt->made, rel);
			}
			free(full);
		}
		strvec_clear(&paths);
	}
	line_iter_done(&it);
}

static int kmodtree_open(struct ctx *ctx, const char *moddir, struct kmodtree *kt, struct strvec *notes)
{
	memset(kt, 0, sizeof(*kt));
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/cvmprep-kmod.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		int e = -errno;
		free(tmpl);
		return e;
	}
	kt->dir = tmpl;
	for (size_t i = 0; i < ARRAY_SIZE(index_files); i++) {
		char *src = xasprintf("%s/%s", moddir, index_files[i]);
		char *data = NULL;
		size_t len = 0;
		int e = rootfs_read(ctx->rfs, src, MAX_INDEX, &data, &len);
		if (e == 0) {
			char *dst = xasprintf("%s/%s", kt->dir, index_files[i]);
			int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd >= 0) {
				write_all(fd, data, len);
				close(fd);
			}
			free(dst);
			if (strcmp(index_files[i], "modules.dep.bin") == 0)
				kt->have_index = true;
			if (strcmp(index_files[i], "modules.dep") == 0)
				make_placeholders(kt, data, len);
			if (strcmp(index_files[i], "modules.builtin") == 0) {
				struct line_iter it;
				line_iter_init(&it, data, len);
				while (line_iter_next(&it))
					if (*it.line)
						strvec_push_nodup(&kt->builtin, modname_of_path(it.line));
				line_iter_done(&it);
			}
		} else if (e != -ENOENT) {
			strvec_pushf(notes, "could not read %s: %s", src, rootfs_strerror(e));
		}
		free(data);
		free(src);
	}
	const char *null_config = NULL;
	kt->ctx = kmod_new(kt->dir, &null_config);
	if (!kt->ctx) {
		kmodtree_close(kt);
		return -ENOMEM;
	}
	kmod_set_log_priority(kt->ctx, 0);
	return 0;
}

/* Look a module up in the tree: built in, a module (with its path and dependencies), or missing. */
static void kmodtree_query(struct kmodtree *kt, struct kmod_fact *m)
{
	if (strvec_contains(&kt->builtin, m->name)) {
		m->state = MOD_BUILTIN;
		return;
	}
	if (!kt->have_index) {
		m->state = MOD_UNKNOWN;
		return;
	}
	struct kmod_module *mod = NULL;
	/* By name through modules.dep: never touches /sys (kmod_module_get_initstate would). */
	if (kmod_module_new_from_name(kt->ctx, m->name, &mod) < 0 || !mod) {
		m->state = MOD_MISSING;
		return;
	}
	const char *path = kmod_module_get_path(mod);
	if (!path) {
		m->state = MOD_MISSING;
		kmod_module_unref(mod);
		return;
	}
	m->state = MOD_MODULE;
	/* Paths come back absolute under our private directory: keep them relative to moddir. */
	size_t dl = strlen(kt->dir);
	m->path = xstrdup(strncmp(path, kt->dir, dl) == 0 && path[dl] == '/' ? path + dl + 1 : path);
	struct kmod_list *deps = kmod_module_get_dependencies(mod), *l;
	kmod_list_foreach(l, deps)
	{
		struct kmod_module *d = kmod_module_get_module(l);
		strvec_push(&m->deps, kmod_module_get_name(d));
		kmod_module_unref(d);
	}
	kmod_module_unref_list(deps);
	kmod_module_unref(mod);
}

static void read_config(struct ctx *ctx, struct kernel_info *k)
{
	char *data;
	size_t len;
	if (!k->config_path || rootfs_read(ctx->rfs, k->config_path, ROOTFS_MAX_TEXT, &data, &len) < 0)
		return;
	struct line_iter it;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		for (size_t i = 0; i < k->nmods; i++) {
			const char *sym = NULL;
			for (size_t w = 0; w < ARRAY_SIZE(wanted_mods); w++)
				if (strcmp(wanted_mods[w].name, k->mods[i].name) == 0)
					sym = wanted_mods[w].config;
			size_t sl = sym ? strlen(sym) : 0;
			if (sym && strncmp(it.line, sym, sl) == 0 && it.line[sl] == '=' && !k->mods[i].config)
				k->mods[i].config = xasprintf("%s in %s", it.line, k->config_path);
			else if (sym && str_starts_with(it.line, "# ") && strncmp(it.line + 2, sym, sl) == 0 &&
				 str_starts_with(it.line + 2 + sl, " is not set") && !k->mods[i].config)
				k->mods[i].config = xasprintf("%s is not set in %s", sym, k->config_path);
		}
	}
	line_iter_done(&it);
	free(data);
}

/* ---- package ownership ---- */

struct pkg_search {
	const char *want;
	char *version;
};

static bool find_pkg(const char *pkg, const char *ver, void *arg)
{
	struct pkg_search *s = arg;
	if (strcmp(pkg, s->want) == 0) {
		s->version = xstrdup(ver);
		return false;
	}
	return true;
}

static bool list_has_line(const char *data, size_t len, const char *line)
{
	struct line_iter it;
	bool found = false;
	line_iter_init(&it, data, len);
	while (!found && line_iter_next(&it))
		found = strcmp(it.line, line) == 0;
	line_iter_done(&it);
	return found;
}

static const char *const vendor_suffixes[] = {
	".el", ".fc", "-generic", "-amd64", "-arm64", "-686", "-default", "-azure", "-aws", "-cloud-amd64",
	"-lowlatency", ".tl", ".oc", ".an", ".ky", ".uel", "-rt-amd64", "-virtual", "-kvm", ".x86_64",
	"-riscv64", "-armmp", "-s390x", "-powerpc64le", "-arch",
};

static void find_package(struct ctx *ctx, struct kernel_info *k, const char *dpkg_status, size_t dpkg_len)
{
	/* dpkg: the file list of linux-image-VERSION (Debian, Ubuntu) names the image. */
	static const char *const dpkg_names[] = { "linux-image-%s", "linux-image-unsigned-%s" };
	for (size_t i = 0; i < ARRAY_SIZE(dpkg_names) && !k->package && k->image; i++) {
		char *name = xasprintf(dpkg_names[i], k->version);
		char *list = xasprintf("/var/lib/dpkg/info/%s.list", name);
		char *data;
		size_t len;
		if (rootfs_read(ctx->rfs, list, ROOTFS_MAX_TEXT, &data, &len) == 0) {
			if (list_has_line(data, len, k->image)) {
				struct pkg_search s = { .want = name };
				if (dpkg_status)
					dpkg_status_parse(dpkg_status, dpkg_len, find_pkg, &s);
				if (s.version) {
					k->package = xasprintf("%s %s", name, s.version);
					strvec_pushf(&k->package_evidence, "%s is listed in %s; dpkg status: installed",
						     k->image, list);
				} else {
					strvec_pushf(&k->package_evidence, "%s lists %s but the package is not installed",
						     list, k->image);
				}
				free(s.version);
			}
			free(data);
		}
		free(list);
		free(name);
	}
	if (k->package)
		return;
	/* rpm: the database is not ours to parse; ask rpm where it is installed. */
	bool rpmdb = rootfs_is_dir(ctx->rfs, "/var/lib/rpm") || rootfs_is_dir(ctx->rfs, "/usr/lib/sysimage/rpm");
	const char *file = k->image ? k->image : k->moddir;
	if (rpmdb && exec_have("rpm")) {
		const char *argv_live[] = { "rpm", "-qf", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}\\n", file, NULL };
		const char *argv_root[] = { "rpm", "--root", rootfs_root(ctx->rfs), "-qf", "--qf",
					    "%{NAME}-%{VERSION}-%{RELEASE}\\n", file, NULL };
		struct exec_result r;
		if (exec_run(rootfs_is_live(ctx->rfs) ? argv_live : argv_root, NULL, 30, 4096, &r) == 0) {
			char *out = str_trim(r.out);
			if (r.status == 0 && *out && !strchr(out, '\n')) {
				k->package = xstrdup(out);
				strvec_pushf(&k->package_evidence, "rpm -qf %s: %s", file, out);
			} else {
				strvec_pushf(&k->package_evidence, "rpm -qf %s: %s", file, *out ? out : "no owner");
			}
			exec_result_free(&r);
		}
		if (k->package)
			return;
	} else if (rpmdb) {
		strvec_pushf(&k->package_evidence, "an rpm database exists but rpm is not available to read it");
	}
	for (size_t i = 0; i < ARRAY_SIZE(vendor_suffixes); i++)
		if (strstr(k->version, vendor_suffixes[i])) {
			strvec_pushf(&k->package_evidence, "the version suffix '%s' is a distribution's build naming",
				     vendor_suffixes[i]);
			break;
		}
}

/* ---- enumeration ---- */

static struct kernel_info *kernel_get(struct kernel_facts *kf, const char *version)
{
	for (size_t i = 0; i < kf->n; i++)
		if (strcmp(kf->v[i].version, version) == 0)
			return &kf->v[i];
	kf->v = xreallocarray(kf->v, kf->n + 1, sizeof(*kf->v));
	struct kernel_info *k = &kf->v[kf->n++];
	memset(k, 0, sizeof(*k));
	k->version = xstrdup(version);
	return k;
}

/*
 * Kernel versions in the order rpm and dpkg give them where it matters: runs of digits compare
 * by value, letters by byte, and a number is newer than letters in the same place; separators
 * only separate. strverscmp put 3.10.0-1160.el7 after 3.10.0-1160.95.1.el7 ('e' > '9').
 */
static int kver_cmp(const char *a, const char *b)
{
	for (;;) {
		while (*a && !isalnum((unsigned char)*a))
			a++;
		while (*b && !isalnum((unsigned char)*b))
			b++;
		if (!*a || !*b)
			return (*a != '\0') - (*b != '\0');
		bool da = isdigit((unsigned char)*a), db = isdigit((unsigned char)*b);
		if (da != db)
			return da ? 1 : -1;
		if (da) {
			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
		}
		const char *ea = a, *eb = b;
		while (*ea && (da ? isdigit((unsigned char)*ea) : isalpha((unsigned char)*ea)))
			ea++;
		while (*eb && (db ? isdigit((unsigned char)*eb) : isalpha((unsigned char)*eb)))
			eb++;
		size_t la = (size_t)(ea - a), lb = (size_t)(eb - b);
		if (da && la != lb)
			return la > lb ? 1 : -1;
		int c = strncmp(a, b, la < lb ? la : lb);
		if (c)
			return c;
		if (la != lb)
			return la > lb ? 1 : -1;
		a = ea;
		b = eb;
	}
}

static int cmp_kernel(const void *a, const void *b)
{
	return kver_cmp(((const struct kernel_info *)b)->version, ((const struct kernel_info *)a)->version);
}

/* "/boot/vmlinuz-6.1.0-13-amd64" or "/vmlinuz-5.14.0-70.el9.x86_64" -> the version after "vmlinuz-". */
static char *version_of_image(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	if (!str_starts_with(b, "vmlinuz-") && !str_starts_with(b, "vmlinux-") && !str_starts_with(b, "bzImage-"))
		return NULL;
	return xstrdup(strchr(b, '-') + 1);
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* dracut's rescue image (/boot/vmlinuz-0-rescue-MACHINE_ID): a copy of some kernel, no module tree. */
static bool is_rescue_image(const char *path)
{
	return str_starts_with(base_name(path), "vmlinuz-0-rescue-");
}

/* Whether the boot entry's kernel path kp starts kernel k: by version, or by the image's name
 * (Arch's /boot/vmlinuz-linux carries the package name, not the version). */
static bool entry_boots(const char *kp, const struct kernel_info *k)
{
	char *ver = version_of_image(kp);
	bool same = ver && strcmp(ver, k->version) == 0;
	free(ver);
	return same || (k->image && strcmp(base_name(kp), base_name(k->image)) == 0);
}

static void kernel_drop(struct kernel_facts *kf, size_t i)
{
	free(kf->v[i].version);
	free(kf->v[i].image);
	free(kf->v[i].moddir);
	memmove(&kf->v[i], &kf->v[i + 1], (kf->n - i - 1) * sizeof(*kf->v));
	kf->n--;
}

/*
 * Arch Linux names the image after the package (/boot/vmlinuz-linux, -linux-lts) and keeps the
 * package's copy in the module directory (/usr/lib/modules/VERSION/vmlinuz, with the package
 * name in its pkgbase file). Such an image and its module directory are one kernel: pair them by
 * pkgbase, or, without pkgbase files, when there is one image without a module directory and one
 * module directory without an image in /boot.
 */
static void pair_named_images(struct ctx *ctx, struct kernel_facts *kf)
{
	size_t orphans = 0, bare = 0, orphan = 0, lone = 0;
	for (size_t i = 0; i < kf->n; i++) {
		if (kf->v[i].image && !kf->v[i].moddir) {
			orphans++;
			orphan = i;
		} else if (kf->v[i].moddir && !kf->v[i].image) {
			bare++;
			lone = i;
		}
	}
	bool paired_any = false;
	for (size_t i = 0; i < kf->n;) {
		struct kernel_info *o = &kf->v[i];
		size_t match = kf->n;
		if (o->image && !o->moddir)
			for (size_t m = 0; m < kf->n && match == kf->n; m++) {
				struct kernel_info *d = &kf->v[m];
				if (!d->moddir || d->image)
					continue;
				char *pb = xasprintf("%s/pkgbase", d->moddir), *data = NULL;
				size_t len;
				if (rootfs_read(ctx->rfs, pb, 4096, &data, &len) == 0 && strcmp(str_trim(data), o->version) == 0)
					match = m;
				free(data);
				free(pb);
			}
		if (match == kf->n) {
			i++;
			continue;
		}
		strvec_pushf(&kf->notes, "%s is the image of %s (pkgbase %s)", o->image, kf->v[match].moddir, o->version);
		kf->v[match].image = o->image;
		o->image = NULL;
		kernel_drop(kf, i);
		paired_any = true;
	}
	/* A name, not a version: a version-named image without modules is a kernel of its own. */
	if (!paired_any && orphans == 1 && bare == 1 && !(kf->v[orphan].version[0] >= '0' && kf->v[orphan].version[0] <= '9')) {
		strvec_pushf(&kf->notes, "%s is taken as the image of %s (the only kernel without an image in /boot)",
			     kf->v[orphan].image, kf->v[lone].moddir);
		kf->v[lone].image = kf->v[orphan].image;
		kf->v[orphan].image = NULL;
		kernel_drop(kf, orphan);
	}
}

void probe_kernels(struct ctx *ctx, struct facts *f)
{
	struct kernel_facts *kf = &f->kernels;
	if (kf->s.state != FS_UNPROBED)
		return;
	probe_boot(ctx, f);

	static const char *const moddirs[] = { "/lib/modules", "/usr/lib/modules" };
	struct rootfs_stat seen[2];
	size_t nseen = 0;
	for (size_t d = 0; d < ARRAY_SIZE(moddirs); d++) {
		struct rootfs_stat st;
		if (rootfs_stat(ctx->rfs, moddirs[d], true, &st) < 0 || st.type != RFT_DIR)
			continue;
		bool dup = false;
		for (size_t i = 0; i < nseen; i++)
			dup = dup || (seen[i].dev == st.dev && seen[i].ino == st.ino);
		if (dup)
			continue; /* /lib is a symlink to usr/lib on merged-/usr systems */
		seen[nseen++] = st;
		struct strvec names = STRVEC_INIT;
		int e = rootfs_list(ctx->rfs, moddirs[d], &names);
		if (e < 0)
			strvec_pushf(&kf->notes, "could not list %s: %s", moddirs[d], rootfs_strerror(e));
		for (size_t i = 0; i < names.n; i++) {
			char *dir = xasprintf("%s/%s", moddirs[d], names.v[i]);
			/* A kernel's directory has modules.dep, or at least a kernel/ tree. */
			char *dep = xasprintf("%s/modules.dep", dir), *ktree = xasprintf("%s/kernel", dir),
			     *depbin = xasprintf("%s/modules.dep.bin", dir);
			if (rootfs_is_file(ctx->rfs, dep) || rootfs_is_file(ctx->rfs, depbin) || rootfs_is_dir(ctx->rfs, ktree)) {
				struct kernel_info *k = kernel_get(kf, names.v[i]);
				if (!k->moddir)
					k->moddir = xstrdup(dir);
			}
			free(dep);
			free(depbin);
			free(ktree);
			free(dir);
		}
		strvec_clear(&names);
	}
	struct strvec boot = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, "/boot", &boot) == 0) {
		for (size_t i = 0; i < boot.n; i++) {
			char *p = xasprintf("/boot/%s", boot.v[i]);
			char *ver = version_of_image(p);
			if (ver && is_rescue_image(p) && rootfs_is_file(ctx->rfs, p)) {
				strvec_pushf(&kf->notes, "%s is dracut's rescue image (a copy of a kernel, booted only from "
							 "the menu): not checked as an installed kernel", p);
			} else if (ver && rootfs_is_file(ctx->rfs, p)) {
				struct kernel_info *k = kernel_get(kf, ver);
				if (!k->image)
					k->image = xstrdup(p);
			}
			free(ver);
			free(p);
		}
	}
	strvec_clear(&boot);
	pair_named_images(ctx, kf);

	char *dpkg = NULL;
	size_t dpkg_len = 0;
	if (rootfs_read(ctx->rfs, "/var/lib/dpkg/status", 64u << 20, &dpkg, &dpkg_len) < 0)
		dpkg = NULL;
	for (size_t i = 0; i < kf->n; i++) {
		struct kernel_info *k = &kf->v[i];
		if (!k->image && k->moddir) {
			char *p = xasprintf("%s/vmlinuz", k->moddir);
			if (rootfs_is_file(ctx->rfs, p))
				k->image = p;
			else
				free(p);
		}
		char *cfg = xasprintf("/boot/config-%s", k->version);
		if (rootfs_is_file(ctx->rfs, cfg)) {
			k->config_path = cfg;
		} else {
			free(cfg);
			if (k->moddir) {
				cfg = xasprintf("%s/config", k->moddir);
				if (rootfs_is_file(ctx->rfs, cfg))
					k->config_path = cfg;
				else
					free(cfg);
			}
		}
		/* Which boot entries start it. */
		for (size_t b = 0; b < f->boot.n; b++) {
			const char *kp = f->boot.v[b].kernel;
			if (kp && entry_boots(kp, k)) {
				k->in_boot_menu = true;
				k->is_default = k->is_default || f->boot.v[b].is_default;
			}
		}
		k->nmods = ARRAY_SIZE(wanted_mods);
		k->mods = xcalloc(k->nmods, sizeof(*k->mods));
		for (size_t m = 0; m < k->nmods; m++)
			k->mods[m].name = xstrdup(wanted_mods[m].name);
		if (k->moddir) {
			struct kmodtree kt;
			int e = kmodtree_open(ctx, k->moddir, &kt, &kf->notes);
			if (e < 0) {
				section_set(&k->s, FS_ERROR, k->moddir, "could not prepare the module index: %s",
					    strerror(-e));
			} else {
				if (!kt.have_index)
					section_set(&k->s, FS_ERROR, k->moddir,
						    "%s/modules.dep.bin is missing (depmod was not run)", k->moddir);
				else
					section_set(&k->s, FS_OK, k->moddir, NULL);
				for (size_t m = 0; m < k->nmods; m++)
					kmodtree_query(&kt, &k->mods[m]);
				kmodtree_close(&kt);
			}
		} else {
			section_set(&k->s, FS_ERROR, k->image, "no module directory for %s (/lib/modules/%s)", k->version,
				    k->version);
		}
		read_config(ctx, k);
		find_package(ctx, k, dpkg, dpkg_len);
	}
	free(dpkg);
	if (kf->n > 1)
		qsort(kf->v, kf->n, sizeof(*kf->v), cmp_kernel);
	/* No boot entry names a kernel: the newest is what the distribution's tools make default. */
	bool any_default = false;
	for (size_t i = 0; i < kf->n; i++)
		any_default = any_default || kf->v[i].is_default;
	if (!any_default && kf->n) {
		kf->v[0].is_default = true;
		strvec_pushf(&kf->notes, "no boot entry names a kernel; taking the newest, %s, as the default",
			     kf->v[0].version);
	}
	section_set(&kf->s, kf->n ? FS_OK : FS_ABSENT, NULL, kf->n ? NULL : "no kernel is installed");
}
