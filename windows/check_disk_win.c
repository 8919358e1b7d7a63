/* win.firmware, win.partition-table, win.dynamic-disk, win.filesystem, win.disk-size: the boot disk as the import sees it. */
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "sizes.h"
#include "winchecks.h"
#include "winfacts.h"
#include "banned.h"

static bool unprobed(const struct facts *facts, const struct check *c, struct report *r)
{
	if (facts->win)
		return false;
	report_add(r, c, ST_SKIP, NULL, "not checked");
	return true;
}

static void rule_win_firmware(const struct facts *facts, const struct check *c, struct report *r)
{
	if (unprobed(facts, c, r))
		return;
	const struct win_firmware *fw = &facts->win->fw;
	if (rule_section_unusable(&fw->s, c, r, NULL))
		return;
	struct finding *f;
	if (fw->type == WFW_UEFI)
		f = report_add(r, c, ST_FAIL, "firmware", "Windows boots by UEFI; imported images must boot by legacy BIOS");
	else
		f = report_add(r, c, ST_PASS, "firmware", "Windows boots by legacy BIOS");
	for (size_t i = 0; i < fw->evidence.n; i++)
		finding_evidence(f, "%s", fw->evidence.v[i]);
}

static void disk_evidence(struct finding *f, const struct win_disk *d)
{
	for (size_t i = 0; i < d->evidence.n; i++)
		finding_evidence(f, "%s", d->evidence.v[i]);
	if (d->layout_source)
		finding_evidence(f, "partition table read from %s", d->layout_source);
	for (size_t i = 0; i < d->pt.problems.n; i++)
		finding_evidence(f, "%s", d->pt.problems.v[i]);
}

/* The disk sections a rule needs; true when it reported why it cannot go on. */
static bool disk_unusable(const struct facts *facts, const struct check *c, struct report *r, bool layout)
{
	if (unprobed(facts, c, r))
		return true;
	const struct win_disk *d = &facts->win->disk;
	if (facts->win->fake_error) {
		report_add(r, c, ST_ERROR, d->device, "%s", facts->win->fake_error);
		return true;
	}
	if (rule_section_unusable(&d->s, c, r, d->device ? d->device : d->volume))
		return true;
	return layout && rule_section_unusable(&d->layout, c, r, d->device);
}

static bool has_protective(const struct ptable *pt)
{
	for (size_t i = 0; i < pt->n; i++)
		if (pt->parts[i].mbr_type == 0xee)
			return true;
	return false;
}

static void rule_win_partition_table(const struct facts *facts, const struct check *c, struct report *r)
{
	if (disk_unusable(facts, c, r, true))
		return;
	const struct win_disk *d = &facts->win->disk;
	bool gpt = d->pt.kind == PT_GPT || (d->pt.kind == PT_NONE && d->ioctl_gpt);
	bool mbr = d->pt.kind == PT_MBR && !has_protective(&d->pt);
	if (d->pt.kind == PT_NONE && d->ioctl_mbr)
		mbr = true;
	struct finding *f;
	if (gpt)
		f = report_add(r, c, ST_FAIL, d->device,
			       "the system disk has a GPT partition table%s; the import needs MBR (a GPT disk's protective "
			       "MBR does not count)",
			       d->pt.hybrid ? " (a hybrid MBR lists some partitions too)" : "");
	else if (d->pt.kind == PT_MBR && !mbr)
		f = report_add(r, c, ST_FAIL, d->device,
			       "the system disk's MBR is a GPT protective MBR without a valid GPT: not an MBR partition table");
	else if (mbr)
		f = report_add(r, c, ST_PASS, d->device, "the system disk has an MBR partition table (%zu partition%s)",
			       d->pt.n, d->pt.n == 1 ? "" : "s");
	else
		f = report_add(r, c, ST_FAIL, d->device, "the system disk has no partition table the import can read");
	disk_evidence(f, d);
}

static void rule_win_dynamic_disk(const struct facts *facts, const struct check *c, struct report *r)
{
	if (disk_unusable(facts, c, r, true))
		return;
	const struct win_disk *d = &facts->win->disk;
	struct strvec ldm = STRVEC_INIT;
	for (size_t i = 0; i < d->pt.n; i++) {
		if (d->pt.parts[i].cls != PC_LDM)
			continue;
		char t[64];
		strvec_pushf(&ldm, "partition %u: %s (%s)", d->pt.parts[i].number,
			     ptable_type_string(&d->pt.parts[i], d->pt.kind, t, sizeof(t)), ptable_class_name(PC_LDM));
	}
	struct finding *f;
	if (ldm.n || d->nextents > 1) {
		f = report_add(r, c, ST_FAIL, d->device,
			       "the system disk is a dynamic disk (LDM); the import needs a basic disk");
		for (size_t i = 0; i < ldm.n; i++)
			finding_evidence(f, "%s", ldm.v[i]);
		if (d->nextents > 1)
			finding_evidence(f, "the system volume spans %u extents (a spanned or striped dynamic volume)",
					 d->nextents);
	} else {
		f = report_add(r, c, ST_PASS, d->device, "the system disk is a basic disk");
	}
	disk_evidence(f, d);
	strvec_clear(&ldm);
}

static void rule_win_filesystem(const struct facts *facts, const struct check *c, struct report *r)
{
	if (unprobed(facts, c, r))
		return;
	const struct win_volume *v = &facts->win->vol;
	if (rule_section_unusable(&v->s, c, r, v->root))
		return;
	struct finding *f;
	if (str_casecmp(v->fstype, "NTFS") == 0)
		f = report_add(r, c, ST_PASS, v->root, "the system volume is NTFS");
	else
		f = report_add(r, c, ST_FAIL, v->root, "the system volume is %s; the import needs NTFS", v->fstype);
	finding_evidence(f, "GetVolumeInformation('%s'): %s", v->root, v->fstype);
}

static void rule_win_disk_size(const struct facts *facts, const struct check *c, struct report *r)
{
	if (disk_unusable(facts, c, r, false))
		return;
	const struct win_disk *d = &facts->win->disk;
	rule_disk_size_limits(c, r, d->device, d->size, d->used_known, d->used, &d->used_evidence,
			      "clusters of deleted files that were never zeroed also count in the qcow2 "
			      "size: zero free space before export (sdelete -z)");
}

const struct check check_win_firmware = {
	.id = "win.firmware",
	.title = "Windows boots by legacy BIOS",
	.severity = SEV_BLOCKER,
	.fix = FIX_NONE,
	.explain = "Looks at: GetFirmwareType (Windows 8 / Server 2012 and later); otherwise the boot\n"
		   "configuration (the loader of the default BCD entry: winload.efi or winload.exe), and as\n"
		   "a last resort whether firmware variables exist (GetFirmwareEnvironmentVariable).\n\n"
		   "Why: CVM starts imported images with a legacy BIOS; a system installed for UEFI has no\n"
		   "BIOS boot path and does not start.\n\n"
		   "By hand: on 2016 and later, mbr2gpt cannot go back; reinstall on BIOS or rebuild the\n"
		   "boot files for BIOS (bcdboot C:\\Windows /f BIOS on an MBR disk with an active partition).",
	.probes = { probe_win_firmware },
	.rule = rule_win_firmware,
};

const struct check check_win_partition_table = {
	.id = "win.partition-table",
	.title = "the system disk has an MBR partition table",
	.severity = SEV_BLOCKER,
	.error_code = "PartitionNotPresent",
	.fix = FIX_NONE,
	.explain = "Looks at: the disk that holds %SystemRoot% (IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS), its\n"
		   "first sectors read through the same MBR/GPT parser as 'cvmprep image', and what\n"
		   "IOCTL_DISK_GET_DRIVE_LAYOUT_EX says. Needs administrator rights.\n\n"
		   "Why: the import reads MBR partition tables only; a GPT disk (whose first sector is a\n"
		   "protective MBR with one 0xEE partition) fails with PartitionNotPresent.\n\n"
		   "By hand: convert the disk to MBR with a partition tool that keeps the data, or\n"
		   "reinstall on an MBR disk.",
	.probes = { probe_win_disk },
	.rule = rule_win_partition_table,
};

const struct check check_win_dynamic_disk = {
	.id = "win.dynamic-disk",
	.title = "the system disk is a basic disk (no LDM)",
	.severity = SEV_BLOCKER,
	.fix = FIX_NONE,
	.explain = "Looks at: the system disk's partitions: an MBR partition of type 0x42 or a GPT LDM\n"
		   "metadata/data partition makes it a dynamic disk; a system volume with several extents\n"
		   "is a spanned or striped dynamic volume.\n\n"
		   "Why: the import cannot read dynamic disks (the Windows counterpart of LVM).\n\n"
		   "By hand: convert the disk back to basic (third-party tools do it in place; Disk\n"
		   "Management needs the volumes deleted first).",
	.probes = { probe_win_disk },
	.rule = rule_win_dynamic_disk,
};

const struct check check_win_filesystem = {
	.id = "win.filesystem",
	.title = "the system volume is NTFS",
	.severity = SEV_BLOCKER,
	.fix = FIX_NONE,
	.explain = "Looks at: GetVolumeInformation of the volume that holds %SystemRoot%.\n\n"
		   "Why: the import handles NTFS system volumes only (not ReFS or FAT32).\n\n"
		   "By hand: nothing short of reinstalling on NTFS.",
	.probes = { probe_win_volume },
	.rule = rule_win_filesystem,
};

const struct check check_win_disk_size = {
	.id = "win.disk-size",
	.title = "disk within 500 GB virtual size and 50 GB as qcow2",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidFormatSize",
	.fix = FIX_NONE,
	.explain = "Looks at: the size of the system disk, and the space in use on the volumes on it (an\n"
		   "estimate of the qcow2 size, which counts every cluster ever written).\n\n"
		   "Why: images over 500 GB of virtual size or 50 GB as qcow2 are rejected with\n"
		   "InvalidFormatSize. Tencent does not say whether GB means 10^9 or 2^30 bytes: sizes in\n"
		   "between are warnings.\n\n"
		   "By hand: shrink the volume and the disk, delete what is not needed, and zero the free\n"
		   "space before export (sdelete -z C:) so that the qcow2 conversion skips it.",
	.probes = { probe_win_disk },
	.rule = rule_win_disk_size,
};
