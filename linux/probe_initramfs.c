/*
 * The initramfs each kernel's boot entry loads, and which of the virtio and CD-ROM modules it
 * holds, read with the streaming reader (agent/initramfs.h) through the path layer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initramfs.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

/* The storage path: these, and what libkmod says they depend on, when they are modules. */
static const char *const storage[] = { "virtio_blk", "virtio_pci" };
/* The config drive's CD-ROM stack (cloudinit.datasource) and what else the checks report on. */
static const char *const extra[] = { "virtio", "virtio_ring", "virtio_net", "sr_mod", "cdrom", "ata_piix", "ahci",
				     "libata", "scsi_mod" };

/* GRUB paths are relative to the filesystem GRUB reads: with a separate /boot, "/initrd.img-X".
 * kernel is the entry's kernel path: when neither place has the initramfs, it goes where the
 * kernel is, so that the report names the file the bootloader would look for. */
static char *resolve_initrd(struct ctx *ctx, const char *path, const char *kernel)
{
	if (!path || !*path)
		return NULL;
	/* "(hd0,msdos1)/boot/initrd..." */
	if (path[0] == '(' && strchr(path, ')'))
		path = strchr(path, ')') + 1;
	char *p = path[0] == '/' ? xstrdup(path) : xasprintf("/%s", path);
	if (rootfs_is_file(ctx->rfs, p))
		return p;
	char *b = xasprintf("/boot%s", p);
	if (!str_starts_with(p, "/boot/") && rootfs_is_file(ctx->rfs, b)) {
		free(p);
		return b;
	}
	free(b);
	if (kernel && kernel[0] == '/' && !str_starts_with(p, "/boot/") && !rootfs_is_file(ctx->rfs, kernel)) {
		char *k = xasprintf("/boot%s", kernel);
		bool under_boot = rootfs_is_file(ctx->rfs, k);
		free(k);
		if (under_boot) {
			char *q = xasprintf("/boot%s", p);
			free(p);
			return q;
		}
	}
	return p; /* named by the entry but absent: the check says so */
}

static char *distro_initrd(struct ctx *ctx, const char *ver)
{
	static const char *const names[] = { "/boot/initrd.img-%s", "/boot/initramfs-%s.img", "/boot/initrd-%s",
					     "/boot/initrd-%s.img", "/boot/initramfs-%s" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *p = xasprintf(names[i], ver);
		if (rootfs_is_file(ctx->rfs, p))
			return p;
		free(p);
	}
	return NULL;
}

static void find_initrd(struct ctx *ctx, const struct facts *f, struct kernel_info *k)
{
	const struct boot_entry *best = NULL;
	for (size_t b = 0; b < f->boot.n; b++) {
		const struct boot_entry *e = &f->boot.v[b];
		if (!e->kernel || !e->initrd)
			continue;
		const char *base = strrchr(e->kernel, '/');
		base = base ? base + 1 : e->kernel;
		const char *dash = strchr(base, '-');
		/* By version, or by the image's own name (Arch's /boot/vmlinuz-linux). */
		const char *img = k->image ? strrchr(k->image, '/') : NULL;
		img = img ? img + 1 : k->image;
		if ((!dash || strcmp(dash + 1, k->version) != 0) && !(img && strcmp(base, img) == 0))
			continue;
		/* The default entry decides; otherwise the first that boots this kernel normally. */
		if (!best || (e->is_default && !best->is_default) ||
		    (!best->is_default && e->cmdline && best->cmdline && strstr(best->cmdline, "single") &&
		     !strstr(e->cmdline, "single")))
			best = e;
	}
	if (best) {
		k->initrd = resolve_initrd(ctx, best->initrd, best->kernel);
		k->initrd_source = xasprintf("%s:%u", best->source, best->line);
		return;
	}
	k->initrd = distro_initrd(ctx, k->version);
	/* mkinitcpio names the initramfs like the image: vmlinuz-linux, initramfs-linux.img. */
	const char *img = k->image ? strrchr(k->image, '/') : NULL;
	if (!k->initrd && img && str_starts_with(img, "/vmlinuz-") && strcmp(img + 9, k->version) != 0)
		k->initrd = distro_initrd(ctx, img + 9);
	if (k->initrd)
		k->initrd_source = xstrdup("the distribution's naming (no boot entry names it)");
}

static bool needs_initramfs(const struct kernel_info *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(storage); i++)
		if (kernel_mod_state(k, storage[i], NULL) == MOD_MODULE)
			return true;
	return false;
}

void probe_initramfs(struct ctx *ctx, struct facts *f)
{
	struct kernel_facts *kf = &f->kernels;
	probe_kernels(ctx, f);
	for (size_t i = 0; i < kf->n; i++) {
		struct kernel_info *k = &kf->v[i];
		if (k->irf.state != FS_UNPROBED)
			continue;
		/* What the storage path needs inside: the modules among virtio_blk, virtio_pci and their deps. */
		for (size_t s = 0; s < ARRAY_SIZE(storage); s++) {
			const struct kmod_fact *m = NULL;
			if (kernel_mod_state(k, storage[s], &m) != MOD_MODULE)
				continue;
			if (!strvec_contains(&k->irf_needed, storage[s]))
				strvec_push(&k->irf_needed, storage[s]);
			for (size_t d = 0; m && d < m->deps.n; d++)
				if (!strvec_contains(&k->irf_needed, m->deps.v[d]))
					strvec_push(&k->irf_needed, m->deps.v[d]);
		}
		find_initrd(ctx, f, k);
		if (!k->initrd) {
			section_set(&k->irf, needs_initramfs(k) ? FS_ABSENT : FS_SKIP, NULL,
				    "no initramfs was found for %s", k->version);
			continue;
		}
		struct strvec wanted = STRVEC_INIT;
		for (size_t n = 0; n < k->irf_needed.n; n++)
			strvec_push(&wanted, k->irf_needed.v[n]);
		for (size_t n = 0; n < ARRAY_SIZE(extra); n++)
			if (!strvec_contains(&wanted, extra[n]))
				strvec_push(&wanted, extra[n]);
		/* The CD-ROM stack's dependencies too (libata for ata_piix, ...). */
		for (size_t m = 0; m < k->nmods; m++)
			for (size_t d = 0; d < k->mods[m].deps.n; d++)
				if (!strvec_contains(&wanted, k->mods[m].deps.v[d]))
					strvec_push(&wanted, k->mods[m].deps.v[d]);
		int fd = rootfs_open_fd(ctx->rfs, k->initrd, O_RDONLY | O_NONBLOCK | O_NOCTTY, true);
		if (fd == -ENOENT) {
			section_set(&k->irf, FS_ABSENT, k->initrd, "%s does not exist", k->initrd);
			strvec_clear(&wanted);
			continue;
		}
		if (fd < 0) {
			section_set(&k->irf, FS_ERROR, k->initrd, "could not open %s: %s", k->initrd, rootfs_strerror(fd));
			strvec_clear(&wanted);
			continue;
		}
		/* Real initramfs images unpack to a few hundred MiB; a stream of zeros must not keep us reading. */
		struct initramfs_opts o = { .wanted = (const char *const *)wanted.v, .max_unpacked = 2ull << 30 };
		struct initramfs_result r;
		int e = initramfs_scan_fd(fd, &o, &r);
		close(fd);
		for (size_t m = 0; m < r.nmods; m++)
			if (r.mods[m].path)
				strvec_pushf(&k->irf_has, "%s\t%s", r.mods[m].name, r.mods[m].path);
		k->irf_layout = initramfs_describe(&r);
		if (e < 0)
			section_set(&k->irf, FS_ERROR, k->initrd, "%s: %s", k->initrd, r.error ? r.error : initramfs_strerror(e));
		else
			section_set(&k->irf, FS_OK, k->initrd, NULL);
		initramfs_result_release(&r);
		strvec_clear(&wanted);
	}
}

int probe_initramfs_lacks(struct ctx *ctx, const char *path, const struct strvec *names, struct strvec *missing,
			  char **err)
{
	int fd = rootfs_open_fd(ctx->rfs, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, true);
	if (fd < 0) {
		*err = xasprintf("could not open %s: %s", path, rootfs_strerror(fd));
		return fd;
	}
	struct initramfs_opts o = { .wanted = (const char *const *)names->v };
	struct initramfs_result r;
	int e = initramfs_scan_fd(fd, &o, &r);
	close(fd);
	if (e < 0)
		*err = xasprintf("%s: %s", path, r.error ? r.error : initramfs_strerror(e));
	else
		for (size_t m = 0; m < r.nmods; m++)
			if (!r.mods[m].path)
				strvec_push(missing, r.mods[m].name);
	initramfs_result_release(&r);
	return e;
}
