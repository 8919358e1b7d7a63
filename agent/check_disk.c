/* disk.*: an MBR partition table, system mounts on the system disk, image size limits, free space. */
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "rules.h"
#include "sizes.h"
#include "banned.h"

static void rule_disk_partition_table(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct disk_facts *d = &facts->disk;
	if (rule_section_unusable(&d->s, c, r, d->disk) || rule_section_unusable(&d->table, c, r, d->disk))
		return;
	struct finding *f;
	if (d->pttype && strcmp(d->pttype, "dos") == 0) {
		f = report_add(r, c, ST_PASS, d->disk, "%s has an MBR (msdos) partition table", d->disk);
	} else if (d->pttype && strcmp(d->pttype, "gpt") == 0) {
		f = report_add(r, c, ST_FAIL, d->disk,
			       "%s has a GPT partition table; the import needs MBR (its protective MBR does not count)",
			       d->disk);
	} else if (d->whole_fs) {
		f = report_add(r, c, ST_FAIL, d->disk,
			       "%s is a whole-disk %s filesystem with no partition table", d->disk, d->whole_fs);
	} else if (d->pttype) {
		f = report_add(r, c, ST_FAIL, d->disk, "%s has a %s partition table; the import needs MBR", d->disk,
			       d->pttype);
	} else {
		f = report_add(r, c, ST_FAIL, d->disk, "no partition table was found on %s", d->disk);
	}
	for (size_t i = 0; i < d->evidence.n; i++)
		finding_evidence(f, "%s", d->evidence.v[i]);
}

static const char *loc_name(enum disk_loc l)
{
	switch (l) {
	case LOC_SYSTEM:
		return "on the system disk";
	case LOC_OTHER:
		return "on another disk";
	case LOC_NONE:
		return "not on a disk";
	case LOC_UNKNOWN:
		break;
	}
	return "location unknown";
}

static void rule_disk_layout(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct disk_facts *d = &facts->disk;
	if (d->s.state == FS_ERROR && !d->nmounts) {
		rule_section_unusable(&d->s, c, r, NULL);
		return;
	}
	size_t other = 0, unknown = 0, onsys = 0;
	for (size_t i = 0; i < d->nmounts; i++) {
		const struct mount_loc *m = &d->mounts[i];
		if (m->loc == LOC_OTHER) {
			struct finding *f = report_add(r, c, ST_FAIL, m->mountpoint,
						       "%s (%s) is not on the system disk%s%s: it will be missing after import",
						       m->mountpoint, m->source, d->disk ? " " : "", d->disk ? d->disk : "");
			if (m->evidence)
				finding_evidence(f, "%s", m->evidence);
			other++;
		} else if (m->loc == LOC_UNKNOWN) {
			unknown++;
		} else if (m->loc == LOC_SYSTEM) {
			onsys++;
		}
	}
	if (other)
		return;
	struct finding *f;
	if (!d->nmounts) {
		report_add(r, c, ST_SKIP, NULL, "%s", d->s.reason ? d->s.reason : "no system mounts were found");
		return;
	}
	if (unknown)
		f = report_add(r, c, ST_SKIP, NULL, "could not tell which disk holds %zu of the %zu system mounts%s%s",
			       unknown, d->nmounts, d->s.state != FS_OK && d->s.reason ? ": " : "",
			       d->s.state != FS_OK && d->s.reason ? d->s.reason : "");
	else
		f = report_add(r, c, ST_PASS, d->disk, "all %zu system mounts are on the system disk%s%s", onsys,
			       d->disk ? " " : "", d->disk ? d->disk : "");
	for (size_t i = 0; i < d->nmounts; i++)
		finding_evidence(f, "%s: %s, %s%s%s", d->mounts[i].mountpoint, d->mounts[i].source,
				 loc_name(d->mounts[i].loc), d->mounts[i].evidence ? "; " : "",
				 d->mounts[i].evidence ? d->mounts[i].evidence : "");
}

static void rule_disk_size(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct disk_facts *d = &facts->disk;
	if (rule_section_unusable(&d->s, c, r, d->disk))
		return;
	rule_disk_size_limits(c, r, d->disk, d->size, d->used_known, d->used, &d->used_evidence,
			      "blocks of deleted files that were never zeroed also count in the qcow2 "
			      "size: zero free space before export");
}

#define MIN_FREE_BYTES (512ull << 20)

static void rule_disk_free_space(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct fsusage_facts *u = &facts->fsusage;
	if (rule_section_unusable(&u->s, c, r, u->mountpoint))
		return;
	char *avail = fmt_bytes_iec(u->avail), *total = fmt_bytes_iec(u->total);
	double pct = u->total ? 100.0 * (double)u->avail / (double)u->total : 0.0;
	double ipct = u->files ? 100.0 * (double)u->ffree / (double)u->files : 100.0;
	bool low_space = u->avail < MIN_FREE_BYTES || pct < 5.0;
	bool low_inodes = u->files && ipct < 1.0;
	struct finding *f;
	if (low_space)
		f = report_add(r, c, ST_FAIL, u->mountpoint,
			       "only %s (%.1f %%) of %s is available on the root filesystem; first boot needs room",
			       avail, pct, total);
	else if (low_inodes)
		f = report_add(r, c, ST_FAIL, u->mountpoint, "only %.2f %% of the root filesystem's inodes are free",
			       ipct);
	else
		f = report_add(r, c, ST_PASS, u->mountpoint, "%s (%.0f %%) of %s available on the root filesystem",
			       avail, pct, total);
	if (u->files)
		finding_evidence(f, "inodes: %llu of %llu free (%.1f %%)", (unsigned long long)u->ffree,
				 (unsigned long long)u->files, ipct);
	finding_evidence(f, "thresholds: 5 %% and 512 MiB of space, 1 %% of inodes");
	free(avail);
	free(total);
}

const struct check check_disk_partition_table = {
	.id = "disk.partition-table",
	.title = "the system disk has an MBR partition table",
	.severity = SEV_BLOCKER,
	.error_code = "PartitionNotPresent",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the disk that holds the root filesystem (through dm/LVM to its physical\n"
		"volumes), read with libblkid: its partition table type, or a filesystem written to the\n"
		"whole disk. Reading the disk needs root. Offline, --root must be the mount point of the\n"
		"image's root filesystem (losetup -P, mount) so that the disk behind it can be found.\n\n"
		"Why: Tencent's Linux import needs an MBR (msdos) partition table. A GPT disk (even with\n"
		"its protective MBR), or a filesystem on the bare disk, fails with PartitionNotPresent.\n\n"
		"By hand: GPT to MBR with gdisk (r, then g) when there are at most four partitions and the\n"
		"disk is under 2 TiB, then reinstall GRUB for BIOS. A whole-disk filesystem must be copied\n"
		"onto a partitioned disk: create an MBR table with one partition, rsync -aHAX the system\n"
		"onto it, install GRUB, and update fstab and the bootloader with the new UUID.",
	.probes = { probe_disk },
	.rule = rule_disk_partition_table,
};

const struct check check_disk_layout = {
	.id = "disk.layout",
	.title = "/, /boot, /usr, /var and other system mounts are on the system disk",
	.severity = SEV_BLOCKER,
	.error_code = "RootPartitionNotFound",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the mounted filesystems (live) or fstab (offline) for /, /boot, /usr, /var,\n"
		"/opt, /usr/local and /var/log, and the disk each lives on (for LVM: the disks of all\n"
		"its physical volumes). Offline without the image mounted, only kernel device names can\n"
		"be judged (sdb is not the first disk).\n\n"
		"Why: only the system disk is exported and imported. A system directory on a second\n"
		"disk is missing on the instance: it does not boot, or boots without /usr or /var.\n"
		"An image that holds no root filesystem at all fails with RootPartitionNotFound.\n\n"
		"By hand: move the directory onto the system disk before export (rsync it to the root\n"
		"filesystem, remove its fstab line), or extend the volume group only with the system\n"
		"disk's physical volumes (pvmove off the other disks, then vgreduce).",
	.probes = { probe_fstab, probe_disk },
	.rule = rule_disk_layout,
};

const struct check check_disk_size = {
	.id = "disk.size",
	.title = "the disk is at most 500 GB and the qcow2 image will be at most 50 GB",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidFormatSize",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the size of the system disk, and the space in use on the filesystems on it\n"
		"(statfs), which is about the smallest the qcow2 image can be.\n\n"
		"Why: the import accepts a virtual size of at most 500 GB and an image of at most 50 GB\n"
		"after conversion to qcow2; larger ones fail with InvalidFormatSize. Tencent does not\n"
		"say whether GB is 10^9 or 2^30 bytes: over 50 GiB (500 GiB) is a blocker, between the\n"
		"two values a warning. Blocks of deleted files that were never zeroed are copied into\n"
		"the image too, so it can be larger than the space in use.\n\n"
		"By hand: delete what the image does not need, then zero the free space before export\n"
		"(fstrim -av on a thin disk, or dd if=/dev/zero of=/zero bs=1M; rm /zero), and convert\n"
		"with qemu-img convert -O qcow2 to measure. A disk over 500 GB must be shrunk (resize2fs\n"
		"or a copy onto a smaller disk) before export.",
	.probes = { probe_disk },
	.rule = rule_disk_size,
};

const struct check check_disk_free_space = {
	.id = "disk.free-space",
	.title = "the root filesystem has free space and inodes for the first boot",
	.severity = SEV_WARNING,
	.fix = FIX_NONE,
	.explain =
		"Looks at: statfs of the root filesystem: the space available to users (as df shows)\n"
		"and the free inodes. Offline, --root must be a mount point.\n\n"
		"Why: at first boot cloud-init, the package manager and the journal write to the root\n"
		"filesystem; with less than 5 % or 512 MiB of space or 1 % of inodes free, setting the\n"
		"password or the network can fail and the instance is unreachable.\n\n"
		"By hand: remove old kernels, package caches (apt-get clean, yum clean all) and logs, or\n"
		"grow the filesystem before export.",
	.probes = { probe_fsusage },
	.rule = rule_disk_free_space,
};
