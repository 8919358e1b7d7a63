/* boot.*: legacy BIOS boot, a BIOS bootloader on the MBR, and stable root=/resume= device names. */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

static void rule_boot_firmware(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct firmware_facts *fw = &facts->firmware;
	if (rule_section_unusable(&fw->s, c, r, NULL))
		return;
	struct finding *f;
	if (fw->uefi_running)
		f = report_add(r, c, ST_FAIL, "/sys/firmware/efi",
			       "the system booted by UEFI; imported instances boot by legacy BIOS only");
	else if (fw->efi_loader && !fw->bios_loader)
		f = report_add(r, c, ST_FAIL, NULL,
			       "only an EFI bootloader is installed; imported instances boot by legacy BIOS only");
	else if (fw->efi_loader)
		f = report_add(r, c, ST_PASS, NULL, "a BIOS bootloader is installed (an EFI one too)");
	else
		f = report_add(r, c, ST_PASS, NULL, "%s", fw->s.reason ? fw->s.reason : "boots by legacy BIOS");
	for (size_t i = 0; i < fw->evidence.n; i++)
		finding_evidence(f, "%s", fw->evidence.v[i]);
}

static const char *loader_name(enum loader_kind k)
{
	switch (k) {
	case LOADER_GRUB2:
		return "GRUB 2";
	case LOADER_GRUB_LEGACY:
		return "GRUB legacy";
	case LOADER_EXTLINUX:
		return "extlinux/syslinux";
	case LOADER_NONE:
		break;
	}
	return "none";
}

static void rule_boot_loader(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct boot_facts *b = &facts->boot;
	const struct disk_facts *d = &facts->disk;
	if (rule_section_unusable(&b->s, c, r, NULL))
		return;
	struct finding *f;
	if (b->kind == LOADER_NONE) {
		f = report_add(r, c, ST_FAIL, NULL,
			       "no BIOS bootloader configuration found (GRUB 2, GRUB legacy or extlinux)");
		finding_evidence(f, "looked for /boot/grub/grub.cfg, /boot/grub2/grub.cfg, /boot/grub/menu.lst, "
				    "/boot/grub/grub.conf, extlinux.conf and syslinux.cfg");
		if (d->s.state == FS_OK && d->whole_fs)
			finding_evidence(f, "%s holds a %s filesystem directly: there is no MBR to boot from", d->disk,
					 d->whole_fs);
		return;
	}
	size_t kernels = 0;
	for (size_t i = 0; i < b->n; i++)
		kernels += b->v[i].kernel != NULL;
	if (kernels == 0) {
		/*
		 * GRUB stops at its prompt (extlinux at "boot:"), or offers only entries that start no
		 * Linux kernel (firmware setup, memtest, a chainloader): the instance never boots.
		 */
		f = report_add(r, c, ST_FAIL, b->config, "%s configuration %s has no boot entry that starts a kernel",
			       loader_name(b->kind), b->config);
		if (b->n)
			finding_evidence(f, "%zu entr%s, none with a linux or kernel line", b->n, b->n == 1 ? "y" : "ies");
		else
			finding_evidence(f, "the bootloader would stop at its prompt instead of starting a kernel");
		for (size_t i = 0; i < b->notes.n; i++)
			finding_evidence(f, "%s", b->notes.v[i]);
		return;
	}
	/* The configuration exists; now the boot sector of the system disk. */
	if (d->s.state == FS_OK && d->whole_fs) {
		f = report_add(r, c, ST_FAIL, d->disk,
			       "%s configuration exists, but %s has no partition table and no boot sector",
			       loader_name(b->kind), d->disk);
	} else if (d->mbr.state != FS_OK) {
		f = report_add(r, c, ST_SKIP, b->config, "%s configuration found; the boot sector was not read: %s",
			       loader_name(b->kind), d->mbr.reason ? d->mbr.reason : d->s.reason ? d->s.reason : "unknown");
	} else if (!d->mbr_signature || !d->mbr_code) {
		f = report_add(r, c, ST_FAIL, d->disk, "the MBR of %s has no boot code: no bootloader is installed on it",
			       d->disk);
	} else {
		f = report_add(r, c, ST_PASS, d->disk, "%s is installed on the MBR of %s",
			       d->bootcode ? d->bootcode : "a bootloader", d->disk);
		if (!d->bootcode)
			finding_evidence(f, "the MBR holds boot code that cvmprep does not recognise");
	}
	finding_evidence(f, "%s configuration: %s", loader_name(b->kind), b->config);
	for (size_t i = 0; i < b->notes.n; i++)
		finding_evidence(f, "%s", b->notes.v[i]);
}

/* Check one root=/resume= value; add a failing finding when it names a device by an unstable name. */
static bool bad_devname(const char *cmdline, const char *key, char **val_out)
{
	char *v = cmdline_get(cmdline, key);
	if (!v)
		return false;
	enum devname_kind k = devname_classify(v, NULL);
	if (k == DEV_KERNEL || k == DEV_BY_PATH || k == DEV_BY_ID) {
		*val_out = v;
		return true;
	}
	free(v);
	return false;
}

static void rule_boot_root_device(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct boot_facts *b = &facts->boot;
	if (rule_section_unusable(&b->s, c, r, NULL))
		return;
	size_t bad = 0, checked = 0;
	static const char *const keys[] = { "root", "resume" };
	for (size_t i = 0; i < b->n; i++) {
		const struct boot_entry *e = &b->v[i];
		if (!e->cmdline)
			continue;
		checked++;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			char *v = NULL;
			if (!bad_devname(e->cmdline, keys[k], &v))
				continue;
			char *subject = xasprintf("%s:%u", e->source, e->line);
			struct finding *f = report_add(r, c, ST_FAIL, subject,
						       "%s=%s in boot entry '%s' is a %s; the disk is named differently on CVM",
						       keys[k], v, e->title ? e->title : "?",
						       devname_kind_name(devname_classify(v, NULL)));
			finding_evidence(f, "%s:%u: %s", e->source, e->line, e->cmdline);
			free(subject);
			free(v);
			bad++;
		}
	}
	/* What grub-mkconfig will write next time. */
	const char *dk[] = { b->cmdline_linux, b->cmdline_default };
	const unsigned dl[] = { b->cmdline_linux_line, b->cmdline_default_line };
	for (size_t i = 0; i < 2; i++) {
		if (!dk[i])
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			char *v = NULL;
			if (!bad_devname(dk[i], keys[k], &v))
				continue;
			char *subject = xasprintf("%s:%u", b->defaults_path, dl[i]);
			struct finding *f = report_add(r, c, ST_FAIL, subject, "%s=%s in %s is a %s", keys[k], v,
						       i == 0 ? "GRUB_CMDLINE_LINUX" : "GRUB_CMDLINE_LINUX_DEFAULT",
						       devname_kind_name(devname_classify(v, NULL)));
			finding_evidence(f, "grub-mkconfig copies it onto every boot entry it writes");
			free(subject);
			free(v);
			bad++;
		}
	}
	if (b->disable_uuid) {
		char *subject = xasprintf("%s:%u", b->defaults_path, b->disable_uuid_line);
		struct finding *f = report_add(r, c, ST_FAIL, subject,
					       "GRUB_DISABLE_LINUX_UUID=true makes grub-mkconfig write root=/dev/... "
					       "kernel device names");
		finding_evidence(f, "remove the line (or set it to false) so that root=UUID=... is written");
		free(subject);
		bad++;
	}
	if (bad)
		return;
	if (b->kind == LOADER_NONE || checked == 0) {
		report_add(r, c, ST_SKIP, NULL, "no boot entry with a kernel command line was found");
		return;
	}
	struct finding *f = report_add(r, c, ST_PASS, b->config,
				       "root= and resume= name filesystems by UUID, label or LVM in %zu boot entr%s",
				       checked, checked == 1 ? "y" : "ies");
	for (size_t i = 0; i < b->n; i++) {
		if (!b->v[i].cmdline)
			continue;
		char *root = cmdline_get(b->v[i].cmdline, "root");
		finding_evidence(f, "%s:%u '%s': root=%s", b->v[i].source, b->v[i].line,
				 b->v[i].title ? b->v[i].title : "?", root ? root : "(none: taken from the initramfs)");
		free(root);
	}
}

const struct check check_boot_firmware = {
	.id = "boot.firmware",
	.title = "the system boots by legacy BIOS, not UEFI",
	.severity = SEV_BLOCKER,
	.fix = FIX_NONE,
	.explain =
		"Looks at: on the running system, whether /sys/firmware/efi exists (the kernel was started\n"
		"by UEFI firmware). Offline (--root), whether only an EFI bootloader is installed\n"
		"(/boot/efi/EFI/*/grubx64.efi or shimx64.efi, an ESP in fstab) and no BIOS one\n"
		"(/boot/grub/i386-pc, /boot/grub2/i386-pc, menu.lst, extlinux).\n\n"
		"Why: Tencent Cloud starts imported Linux images with legacy BIOS firmware. A UEFI-only\n"
		"system is never found by the firmware: the instance does not boot.\n\n"
		"By hand: convert the disk to BIOS boot before export. With an MBR disk, install GRUB for\n"
		"BIOS (grub-install --target=i386-pc /dev/sdX, or grub2-install) and regenerate its\n"
		"configuration; on a GPT disk either convert the table to MBR (gdisk's r, g options) or\n"
		"add a 1 MiB BIOS boot partition (type ef02) for GRUB. Test the result by booting the VM\n"
		"with BIOS firmware before export.",
	.probes = { probe_firmware },
	.rule = rule_boot_firmware,
};

const struct check check_boot_loader = {
	.id = "boot.loader",
	.title = "a BIOS bootloader is installed on the system disk's MBR and configured",
	.severity = SEV_BLOCKER,
	.error_code = "PartitionNotPresent",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the bootloader configuration (/boot/grub/grub.cfg, /boot/grub2/grub.cfg,\n"
		"/boot/grub/menu.lst or grub.conf, extlinux.conf, syslinux.cfg) and its boot entries (for\n"
		"GRUB 2 with blscfg, those in /boot/loader/entries), and the first sector of the system\n"
		"disk: the 0x55AA signature and boot code (GRUB is recognised by its signature).\n"
		"Reading the boot sector needs root; offline it needs --root to be the mounted image.\n\n"
		"Why: the imported disk is started by BIOS from its MBR. Without boot code there, or\n"
		"without a configuration with a boot entry that starts a kernel, the instance never boots;\n"
		"an image without a partition table is rejected with PartitionNotPresent.\n\n"
		"By hand: grub-install /dev/sdX (grub2-install on RHEL-like systems), then update-grub or\n"
		"grub2-mkconfig -o /boot/grub2/grub.cfg. A whole-disk filesystem has no MBR: copy the\n"
		"system to a partitioned disk first.",
	.probes = { probe_boot, probe_disk },
	.rule = rule_boot_loader,
};

const struct check check_boot_root_device = {
	.id = "boot.root-device",
	.title = "root= and resume= on the kernel command line do not use kernel device names",
	.severity = SEV_BLOCKER,
	.fix = FIX_AUTO,
	.fix_description = "replace the device names with UUID= and regenerate the bootloader configuration",
	.explain =
		"Looks at: every boot entry's kernel command line (grub.cfg linux lines, BLS entries in\n"
		"/boot/loader/entries with $kernelopts from grubenv, menu.lst kernel lines, extlinux\n"
		"APPEND lines), and GRUB_CMDLINE_LINUX, GRUB_CMDLINE_LINUX_DEFAULT and\n"
		"GRUB_DISABLE_LINUX_UUID in /etc/default/grub, for root= and resume= values.\n\n"
		"Why: on CVM the system disk is a virtio disk, /dev/vda. A command line that says\n"
		"root=/dev/sda1 (or a /dev/disk/by-path or by-id link, which name the old controller and\n"
		"disk) waits for a device that never appears and drops to an emergency shell.\n\n"
		"By hand: find the UUID with blkid, change root= to root=UUID=..., remove\n"
		"GRUB_DISABLE_LINUX_UUID=true, then regenerate: update-grub, grub2-mkconfig -o <the\n"
		"grub.cfg in use>, or grubby --update-kernel=ALL --args=root=UUID=... on BLS systems.",
	.probes = { probe_boot, probe_disk },
	.rule = rule_boot_root_device,
	.plan = plan_boot_root_device,
};
