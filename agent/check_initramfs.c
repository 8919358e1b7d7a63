/*
 * initramfs.virtio: the initramfs each kernel's boot entry loads holds virtio_blk, virtio_pci
 * and what they depend on (when they are modules), so that the root disk is found on CVM.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

bool kernel_irf_has(const struct kernel_info *k, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < k->irf_has.n; i++)
		if (strncmp(k->irf_has.v[i], name, n) == 0 && k->irf_has.v[i][n] == '\t')
			return true;
	return false;
}

/* Available at boot before the root filesystem: built in, or in the initramfs. */
bool kernel_early(const struct kernel_info *k, const char *name)
{
	enum mod_state st = kernel_mod_state(k, name, NULL);
	return st == MOD_BUILTIN || (st == MOD_MODULE && kernel_irf_has(k, name));
}

static void rule_initramfs_virtio(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct kernel_facts *kf = &facts->kernels;
	if (rule_section_unusable(&kf->s, c, r, NULL))
		return;
	if (kf->s.state == FS_ABSENT) {
		report_add(r, c, ST_SKIP, NULL, "no installed kernel was found (see kernel.virtio)");
		return;
	}
	for (size_t i = 0; i < kf->n; i++) {
		const struct kernel_info *k = &kf->v[i];
		const char *subject = k->initrd ? k->initrd : k->version;
		struct finding *f;
		bool lacks = kernel_mod_state(k, "virtio_blk", NULL) == MOD_MISSING ||
			     kernel_mod_state(k, "virtio_pci", NULL) == MOD_MISSING;
		if (lacks) {
			report_add(r, c, ST_SKIP, subject, "kernel %s has no virtio_blk or virtio_pci at all (see kernel.virtio)",
				   k->version);
			continue;
		}
		if (kernel_mod_state(k, "virtio_blk", NULL) == MOD_UNKNOWN ||
		    kernel_mod_state(k, "virtio_pci", NULL) == MOD_UNKNOWN) {
			/* Neither the module index nor the config says: "built in" would be a guess. */
			report_add(r, c, ST_SKIP, subject,
				   "kernel %s: whether virtio_blk and virtio_pci are built in or modules is unknown (see "
				   "kernel.virtio)",
				   k->version);
			continue;
		}
		if (!k->irf_needed.n) {
			f = report_add(r, c, ST_PASS, subject, "kernel %s has virtio_blk and virtio_pci built in: no initramfs needed for them",
				       k->version);
			continue;
		}
		if (k->irf.state == FS_ERROR || k->irf.state == FS_UNPROBED || k->irf.state == FS_SKIP) {
			rule_section_unusable(&k->irf, c, r, subject);
			continue;
		}
		if (k->irf.state == FS_ABSENT) {
			f = report_add(r, c, ST_FAIL, subject, "kernel %s has no initramfs (%s), but its virtio drivers are modules",
				       k->version, k->irf.reason ? k->irf.reason : "none found");
			if (k->initrd_source)
				finding_evidence(f, "named by %s", k->initrd_source);
		} else {
			struct strbuf missing = STRBUF_INIT;
			for (size_t n = 0; n < k->irf_needed.n; n++)
				if (!kernel_irf_has(k, k->irf_needed.v[n]))
					strbuf_addf(&missing, "%s%s", missing.len ? ", " : "", k->irf_needed.v[n]);
			if (missing.len)
				f = report_add(r, c, ST_FAIL, subject, "%s lacks %s: kernel %s will not find a virtio root disk",
					       k->initrd, strbuf_str(&missing), k->version);
			else
				f = report_add(r, c, ST_PASS, subject, "%s holds virtio_blk, virtio_pci and their dependencies",
					       k->initrd);
			strbuf_release(&missing);
			finding_evidence(f, "loaded by %s", k->initrd_source ? k->initrd_source : "?");
			if (k->irf_layout)
				finding_evidence(f, "%s", k->irf_layout);
		}
		struct strbuf needed = STRBUF_INIT;
		for (size_t n = 0; n < k->irf_needed.n; n++)
			strbuf_addf(&needed, "%s%s", n ? ", " : "", k->irf_needed.v[n]);
		finding_evidence(f, "needed as modules of %s: %s", k->version, strbuf_str(&needed));
		strbuf_release(&needed);
		for (size_t n = 0; n < k->irf_has.n; n++) {
			char *t = xstrdup(k->irf_has.v[n]);
			char *tab = strchr(t, '\t');
			if (tab) {
				*tab = '\0';
				finding_evidence(f, "found %s: %s", t, tab + 1);
			}
			free(t);
		}
		/* Only the default kernel decides the first boot; an older one fails only if chosen. */
		if (f->status == ST_FAIL && !k->is_default) {
			f->severity = SEV_WARNING;
			finding_evidence(f, "not the default boot entry's kernel: only choosing it from the menu would fail");
		}
	}
}

const struct check check_initramfs_virtio = {
	.id = "initramfs.virtio",
	.title = "the initramfs of each kernel holds virtio_blk, virtio_pci and their dependencies",
	.severity = SEV_BLOCKER,
	.error_code = "VirtioNotInstall",
	.fix = FIX_AUTO,
	.fix_description = "add the virtio drivers to the initramfs configuration (dracut.conf.d, "
			   "initramfs-tools/modules) and rebuild it with the distribution's tool",
	.explain =
		"Looks at: for each installed kernel whose virtio drivers are modules, the initramfs its\n"
		"boot entry loads (GRUB 2, BLS, GRUB legacy, extlinux; the distribution's naming when no\n"
		"entry names it), read in place without unpacking (concatenated cpio archives, stored\n"
		"or gzip/xz/lzma/zstd/lz4/bzip2 compressed, modules as .ko/.ko.xz/.ko.zst/.ko.gz), for\n"
		"virtio_blk, virtio_pci and every module libkmod says they depend on.\n\n"
		"Why: on CVM the root filesystem is on a virtio disk. If the initramfs cannot load the\n"
		"virtio driver, the kernel never sees the disk and the boot ends in the initramfs shell\n"
		"(VirtioNotInstall). dracut's host-only mode and initramfs-tools' MODULES=dep build an\n"
		"initramfs with only the old hypervisor's drivers.\n\n"
		"By hand: dracut: echo 'add_drivers+=\" virtio_blk virtio_pci \"' >\n"
		"/etc/dracut.conf.d/virtio.conf; dracut -f --kver VERSION. initramfs-tools: add\n"
		"virtio_pci and virtio_blk to /etc/initramfs-tools/modules; update-initramfs -u -k all.\n"
		"Check with lsinitrd or lsinitramfs | grep virtio.",
	.probes = { probe_kernels, probe_initramfs },
	.rule = rule_initramfs_virtio,
	.plan = plan_initramfs_virtio,
};
