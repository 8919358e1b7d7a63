/* kernel.*: every installed kernel has the virtio drivers, and the default one is the distribution's. */
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "rules.h"
#include "banned.h"

static const char *const required[] = { "virtio", "virtio_ring", "virtio_pci", "virtio_blk", "virtio_net" };

/* The state of module name in kernel k, falling back to /boot/config when there is no index. */
enum mod_state kernel_mod_state(const struct kernel_info *k, const char *name, const struct kmod_fact **out)
{
	for (size_t i = 0; i < k->nmods; i++) {
		const struct kmod_fact *m = &k->mods[i];
		if (strcmp(m->name, name) != 0)
			continue;
		if (out)
			*out = m;
		if (m->state != MOD_UNKNOWN)
			return m->state;
		if (m->config && strstr(m->config, "=y"))
			return MOD_BUILTIN;
		if (m->config && strstr(m->config, "=m"))
			return MOD_MODULE;
		if (m->config && strstr(m->config, "is not set"))
			return MOD_MISSING;
		return MOD_UNKNOWN;
	}
	return MOD_UNKNOWN;
}

static void rule_kernel_virtio(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct kernel_facts *kf = &facts->kernels;
	if (rule_section_unusable(&kf->s, c, r, NULL))
		return;
	if (kf->s.state == FS_ABSENT) {
		report_add(r, c, ST_FAIL, NULL, "no installed kernel was found (/lib/modules, /boot/vmlinuz-*)");
		return;
	}
	for (size_t i = 0; i < kf->n; i++) {
		const struct kernel_info *k = &kf->v[i];
		struct strbuf missing = STRBUF_INIT, unknown = STRBUF_INIT;
		struct strvec ev = STRVEC_INIT;
		size_t nb = 0, nm = 0;
		for (size_t q = 0; q < ARRAY_SIZE(required); q++) {
			const struct kmod_fact *m = NULL;
			enum mod_state st = kernel_mod_state(k, required[q], &m);
			switch (st) {
			case MOD_BUILTIN:
				nb++;
				strvec_pushf(&ev, "%s: built in%s%s%s", required[q], m && m->config ? " (" : "",
					     m && m->config ? m->config : "", m && m->config ? ")" : "");
				break;
			case MOD_MODULE:
				nm++;
				strvec_pushf(&ev, "%s: module %s", required[q], m && m->path ? m->path : "(per the config)");
				break;
			case MOD_MISSING:
				strbuf_addf(&missing, "%s%s", missing.len ? ", " : "", required[q]);
				if (m && m->config)
					strvec_pushf(&ev, "%s: %s", required[q], m->config);
				break;
			case MOD_UNKNOWN:
				strbuf_addf(&unknown, "%s%s", unknown.len ? ", " : "", required[q]);
				break;
			}
			if (st == MOD_BUILTIN && m && m->config && strstr(m->config, "=m"))
				strvec_pushf(&ev, "note: %s", m->config);
		}
		struct finding *f;
		if (missing.len)
			f = report_add(r, c, ST_FAIL, k->version, "kernel %s lacks %s: it cannot boot from a virtio disk",
				       k->version, strbuf_str(&missing));
		else if (unknown.len)
			f = report_add(r, c, ST_ERROR, k->version, "kernel %s: could not tell whether it has %s%s%s",
				       k->version, strbuf_str(&unknown), k->s.reason ? ": " : "",
				       k->s.reason ? k->s.reason : "");
		else
			f = report_add(r, c, ST_PASS, k->version, "kernel %s has the virtio drivers (%zu built in, %zu modules)",
				       k->version, nb, nm);
		if (k->is_default && k->in_boot_menu)
			finding_evidence(f, "the default boot entry starts this kernel");
		else if (k->is_default)
			finding_evidence(f, "the newest kernel, taken as the default (no boot entry names a kernel)");
		if (k->moddir)
			finding_evidence(f, "module directory %s", k->moddir);
		for (size_t e = 0; e < ev.n; e++)
			finding_evidence(f, "%s", ev.v[e]);
		strvec_clear(&ev);
		strbuf_release(&missing);
		strbuf_release(&unknown);
	}
}

static void rule_kernel_native(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct kernel_facts *kf = &facts->kernels;
	if (rule_section_unusable(&kf->s, c, r, NULL))
		return;
	const struct kernel_info *k = NULL;
	for (size_t i = 0; i < kf->n && !k; i++)
		if (kf->v[i].is_default)
			k = &kf->v[i];
	if (!k) {
		report_add(r, c, ST_SKIP, NULL, "no installed kernel was found");
		return;
	}
	struct finding *f;
	bool suffix = false;
	for (size_t e = 0; e < k->package_evidence.n; e++)
		suffix = suffix || strstr(k->package_evidence.v[e], "version suffix") != NULL;
	if (k->package)
		f = report_add(r, c, ST_PASS, k->version, "the default kernel %s comes from the package %s", k->version,
			       k->package);
	else if (suffix)
		f = report_add(r, c, ST_PASS, k->version,
			       "the default kernel %s is named like a distribution build (its package was not verified)",
			       k->version);
	else
		f = report_add(r, c, ST_FAIL, k->version,
			       "the default kernel %s belongs to no distribution package: a custom kernel may fail the "
			       "import",
			       k->version);
	for (size_t e = 0; e < k->package_evidence.n; e++)
		finding_evidence(f, "%s", k->package_evidence.v[e]);
	for (size_t e = 0; e < kf->notes.n; e++)
		finding_evidence(f, "%s", kf->notes.v[e]);
	if (k->image)
		finding_evidence(f, "image %s", k->image);
}

const struct check check_kernel_native = {
	.id = "kernel.native",
	.title = "the default kernel belongs to a distribution package",
	.severity = SEV_WARNING,
	.fix = FIX_NONE,
	.explain =
		"Looks at: the kernel the default boot entry starts, and whether a package owns it:\n"
		"dpkg's file list of linux-image-VERSION, or rpm -qf (when rpm is available to read the\n"
		"rpm database); otherwise a distribution's version suffix (.el9, -amd64, -generic...)\n"
		"is taken as evidence.\n\n"
		"Why: Tencent's import prefers the native kernel; a self-built or modified kernel may\n"
		"lack drivers or options the platform needs, and fails the import or the first boot.\n\n"
		"By hand: install the distribution's kernel package (apt-get install linux-image-amd64,\n"
		"dnf install kernel) and make it the default entry.",
	.probes = { probe_kernels },
	.rule = rule_kernel_native,
};

const struct check check_kernel_virtio = {
	.id = "kernel.virtio",
	.title = "every installed kernel has the virtio drivers, built in or as modules",
	.severity = SEV_BLOCKER,
	.error_code = "VirtioNotInstall",
	.fix = FIX_NONE,
	.explain =
		"Looks at: every kernel under /lib/modules and /usr/lib/modules (and /boot/vmlinuz-*),\n"
		"through libkmod over the kernel's own module index (modules.dep.bin, modules.builtin):\n"
		"virtio, virtio_ring, virtio_pci, virtio_blk and virtio_net must be built in or modules.\n"
		"/boot/config-VERSION is supporting evidence, and decides when there is no index.\n\n"
		"Why: CVM gives the instance a virtio disk and a virtio NIC. A kernel without these\n"
		"drivers never finds its root disk: the import fails with VirtioNotInstall, or the\n"
		"instance does not boot.\n\n"
		"By hand: nothing in the image can add a driver the kernel lacks: install a distribution\n"
		"kernel (they all have virtio) or rebuild with CONFIG_VIRTIO_BLK, CONFIG_VIRTIO_NET and\n"
		"CONFIG_VIRTIO_PCI set to y or m. Modules must also be in the initramfs (initramfs.virtio).",
	.probes = { probe_kernels },
	.rule = rule_kernel_virtio,
};
