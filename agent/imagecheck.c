/* image.* and the format/size rules url.* shares with them: what was read of an image, turned into findings. */
#include "imagecheck.h"

#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "banned.h"

void image_facts_free(struct image_facts *f)
{
	free(f->unread_reason);
	img_info_free(&f->info);
	free(f->pt_reason);
	if (f->part_fs)
		for (size_t i = 0; i < f->pt.n; i++)
			free(f->part_fs[i]);
	free(f->part_fs);
	ptable_free(&f->pt);
	free(f->whole_fs);
	free(f->estimate_how);
	free(f->estimate_reason);
	memset(f, 0, sizeof(*f));
}

/* What to do about a format the import does not take. */
static const char *format_advice(enum img_format fmt)
{
	switch (fmt) {
	case IMG_VHDX:
		return "convert it: qemu-img convert -O vpc -o subformat=fixed IN.vhdx OUT.vhd (or -O qcow2), or Hyper-V's Convert-VHD";
	case IMG_VDI:
	case IMG_QED:
		return "convert it: qemu-img convert -O qcow2 IN OUT.qcow2";
	case IMG_ISO:
		return "an ISO 9660 image is an installer or a CD, not a system disk: install the system in a VM and export that VM's disk";
	case IMG_TAR:
		return "an archive (an OVA is a tar): extract the disk image inside (tar xf FILE) and upload the .vmdk";
	case IMG_GZIP:
	case IMG_XZ:
	case IMG_BZIP2:
	case IMG_ZSTD:
	case IMG_ZIP:
	case IMG_7Z:
		return "a compressed archive: decompress it and upload the disk image inside";
	default:
		return "export the disk as qcow2, vhd, vmdk or raw";
	}
}

static void add_info_evidence(struct finding *fd, const struct image_facts *f)
{
	const struct img_info *in = &f->info;
	finding_evidence(fd, "format: %s%s%s", imagefmt_name(in->format), *in->variant ? " " : "", in->variant);
	if (in->virtual_size_known)
		finding_evidence(fd, "virtual size: %llu bytes", (unsigned long long)in->virtual_size);
	if (f->size_known)
		finding_evidence(fd, "%s size: %llu bytes", f->remote ? "object" : "file", (unsigned long long)f->size);
	if (in->format == IMG_VHD)
		finding_evidence(fd, "vhd footer: current size %llu bytes, geometry %u/%u/%u, creator '%s'",
				 (unsigned long long)in->vhd.current_size, in->vhd.cylinders, in->vhd.heads,
				 in->vhd.sectors_per_track, in->vhd.creator);
	if (in->format == IMG_VMDK && *in->vmdk.create_type)
		finding_evidence(fd, "createType: %s", in->vmdk.create_type);
	for (size_t i = 0; i < in->vmdk.n_extents && i < 8; i++) {
		const struct vmdk_extent *e = &in->vmdk.extents[i];
		finding_evidence(fd, "extent: %s %llu %s%s%s%s", e->access, (unsigned long long)e->sectors, e->type_name,
				 e->file ? " \"" : "", e->file ? e->file : "", e->file ? "\"" : "");
	}
	for (size_t i = 0; i < in->notes.n; i++)
		finding_evidence(fd, "%s", in->notes.v[i]);
}

static const char *describe(const struct img_info *in, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", imagefmt_name(in->format), *in->variant ? " " : "", in->variant);
	return buf;
}

void rule_image_format(const struct image_facts *f, const struct check *c, struct report *r, const char *subject)
{
	const struct img_info *in = &f->info;
	char d[96];
	struct finding *fd;
	if (!f->read) {
		report_add(r, c, ST_SKIP, subject, "%s", f->unread_reason ? f->unread_reason : "the image was not read");
		return;
	}
	if (in->format == IMG_UNKNOWN || (f->size_known && f->size == 0)) {
		fd = report_add(r, c, ST_FAIL, subject, "the %s is empty (0 bytes)", f->remote ? "object" : "file");
		return;
	}
	if (!imagefmt_accepted(in->format)) {
		fd = report_add(r, c, ST_FAIL, subject, "%s is not a disk image format the import accepts (qcow2, vhd, vmdk, raw)",
				describe(in, d, sizeof(d)));
		finding_evidence(fd, "%s", format_advice(in->format));
		add_info_evidence(fd, f);
		return;
	}
	if (in->problem) {
		fd = report_add(r, c, ST_FAIL, subject, "the %s header is damaged: %s", imagefmt_name(in->format), in->problem);
		finding_evidence(fd, "the import cannot read a damaged image: export or copy it again (qemu-img check tells more)");
		add_info_evidence(fd, f);
		return;
	}
	if (in->delta) {
		fd = report_add(r, c, ST_FAIL, subject, "%s is a snapshot delta%s%s%s: it holds only the changes to its parent",
				describe(in, d, sizeof(d)), in->parent ? " of '" : "", in->parent ? in->parent : "",
				in->parent ? "'" : "");
		finding_evidence(fd, "export the whole disk instead: consolidate the snapshots, or qemu-img convert -O qcow2 "
				     "the delta (it reads the parents) into a standalone image");
		add_info_evidence(fd, f);
		return;
	}
	if (in->split) {
		fd = report_add(r, c, ST_FAIL, subject,
				"%s keeps the disk's data in other files; the import takes a single file",
				describe(in, d, sizeof(d)));
		finding_evidence(fd, "convert it to one file: qemu-img convert -O qcow2 %s OUT.qcow2%s",
				 in->format == IMG_VMDK ? "DESCRIPTOR.vmdk" : "IN",
				 in->format == IMG_VMDK ? " (a single flat extent is itself a raw image and can be uploaded as is)" : "");
		add_info_evidence(fd, f);
		return;
	}
	if (in->encrypted) {
		fd = report_add(r, c, ST_FAIL, subject, "the %s image is encrypted; the import cannot read it",
				imagefmt_name(in->format));
		add_info_evidence(fd, f);
		return;
	}
	if (in->format == IMG_RAW && f->remote && f->pt_read && f->pt.kind == PT_NONE) {
		fd = report_add(r, c, ST_FAIL, subject,
				"nothing recognisable: no image header and no MBR or GPT partition table in sector 0/1");
		fd->severity = SEV_WARNING;
		fd->error_code = NULL;
		finding_evidence(fd, "the import treats it as a raw disk; a raw disk without a partition table fails with "
				     "PartitionNotPresent");
		add_info_evidence(fd, f);
		return;
	}
	if (in->format == IMG_RAW && f->pt_read)
		fd = report_add(r, c, ST_PASS, subject, "raw disk image with %s partition table",
				f->pt.kind == PT_MBR ? "an MBR" : f->pt.kind == PT_GPT ? "a GPT" : "no");
	else
		fd = report_add(r, c, ST_PASS, subject, "%s image", describe(in, d, sizeof(d)));
	add_info_evidence(fd, f);
}

/* One side of a GB-or-GiB limit: blocker above the binary value, warning between the two. */
static struct finding *over_limit(struct report *r, const struct check *c, const char *subject, uint64_t v,
				  uint64_t si, uint64_t iec, const char *what, const char *limit)
{
	char *a = fmt_bytes_iec(v), *b = fmt_bytes_si(v);
	struct finding *fd = NULL;
	if (v > iec) {
		fd = report_add(r, c, ST_FAIL, subject, "%s is %s (%s), over the %s limit", what, a, b, limit);
	} else if (v > si) {
		fd = report_add(r, c, ST_FAIL, subject, "%s is %s (%s): over %s counted in powers of ten, not in powers of two",
				what, a, b, limit);
		fd->severity = SEV_WARNING;
		finding_evidence(fd, "Tencent does not say whether GB means 10^9 or 2^30 bytes");
	}
	free(a);
	free(b);
	return fd;
}

/* The most a disk can take as qcow2: every cluster written. */
static uint64_t qcow2_upper_bound(uint64_t vsize)
{
	uint64_t clusters = vsize / QCOW2_CLUSTER + (vsize % QCOW2_CLUSTER != 0);
	uint64_t l2cover = (uint64_t)QCOW2_CLUSTER * (QCOW2_CLUSTER / 8);
	return qcow2_size_estimate(vsize, clusters, vsize / l2cover + (vsize % l2cover != 0));
}

void rule_image_size(const struct image_facts *f, const struct check *c, struct report *r, const char *subject)
{
	const struct img_info *in = &f->info;
	if (!f->read) {
		report_add(r, c, ST_SKIP, subject, "%s", f->unread_reason ? f->unread_reason : "the image was not read");
		return;
	}
	if (f->size_known && f->size == 0) {
		report_add(r, c, ST_SKIP, subject, "the %s is empty", f->remote ? "object" : "file");
		return;
	}
	if (!imagefmt_accepted(in->format) || !in->virtual_size_known || in->problem) {
		report_add(r, c, ST_SKIP, subject, "no virtual size: %s", !imagefmt_accepted(in->format) ?
			   "the format is not one the import reads" : "the header could not be read");
		return;
	}
	uint64_t vs = in->virtual_size;
	struct strvec ev = STRVEC_INIT;
	strvec_pushf(&ev, "virtual size: %llu bytes", (unsigned long long)vs);
	if (f->size_known)
		strvec_pushf(&ev, "%s size: %llu bytes", f->remote ? "object" : "file", (unsigned long long)f->size);

	/* The size as qcow2: the file itself for qcow2, else measured, else bounded from the headers. */
	bool known = false;
	uint64_t q = 0, ub = 0;
	const char *how = NULL;
	if (in->format == IMG_QCOW2 && f->size_known) {
		known = true;
		q = f->size;
		how = "the qcow2 file itself";
	} else if (f->estimate_known) {
		known = true;
		q = f->estimate;
		how = f->estimate_how;
	} else {
		ub = qcow2_upper_bound(vs);
		/* An uncompressed sparse image holds at most its allocated data. */
		bool sparse = (in->format == IMG_VMDK && in->vmdk.sparse_header && !(in->vmdk.flags & 0x10000)) ||
			      (in->format == IMG_VHD && in->vhd.type == VHD_DYNAMIC);
		if (sparse && f->size_known) {
			uint64_t b = qcow2_size_estimate(vs, f->size / QCOW2_CLUSTER + 1, vs / (512ull << 20) + 1);
			if (b < ub)
				ub = b;
		}
	}
	if (known)
		strvec_pushf(&ev, "size as qcow2: %llu bytes (%s)", (unsigned long long)q, how ? how : "measured");
	else if (f->estimate_reason)
		strvec_pushf(&ev, "size as qcow2 not measured: %s", f->estimate_reason);

	bool failed = false;
	struct finding *fd = over_limit(r, c, subject, vs, LIMIT_VIRTUAL_SI, LIMIT_VIRTUAL_IEC, "the virtual size",
					"500 GB");
	if (fd) {
		failed = true;
		finding_evidence(fd, "shrink the filesystems and the disk before export (resize2fs, then a smaller disk)");
		for (size_t i = 0; i < ev.n; i++)
			finding_evidence(fd, "%s", ev.v[i]);
	}
	if (known) {
		fd = over_limit(r, c, subject, q, LIMIT_QCOW2_SI, LIMIT_QCOW2_IEC, "the image as qcow2", "50 GB");
		if (fd) {
			failed = true;
			finding_evidence(fd, "delete what the image does not need and zero the free space before export "
					     "(fstrim, or dd if=/dev/zero of=/zero; rm /zero), then convert again");
			for (size_t i = 0; i < ev.n; i++)
				finding_evidence(fd, "%s", ev.v[i]);
		}
	} else if (ub > LIMIT_QCOW2_SI) {
		char *a = fmt_bytes_iec(ub);
		fd = report_add(r, c, ST_FAIL, subject,
				"the headers do not tell the size as qcow2: up to %s, over the 50 GB limit if the disk is full", a);
		fd->severity = SEV_WARNING;
		finding_evidence(fd, "measure it before upload: cvmprep image FILE, or qemu-img measure -O qcow2 FILE");
		for (size_t i = 0; i < ev.n; i++)
			finding_evidence(fd, "%s", ev.v[i]);
		free(a);
		failed = true;
	}
	if (!failed) {
		char *a = fmt_bytes_iec(vs);
		char *b = fmt_bytes_iec(known ? q : ub);
		fd = report_add(r, c, ST_PASS, subject, "virtual size %s; as qcow2 %s%s, within the 50 GB limit", a,
				known ? "" : "at most ", b);
		for (size_t i = 0; i < ev.n; i++)
			finding_evidence(fd, "%s", ev.v[i]);
		free(a);
		free(b);
	}
	strvec_clear(&ev);
}

static bool fs_is_linux(const char *t)
{
	static const char *const linux_fs[] = { "ext2", "ext3", "ext4", "xfs", "btrfs", "jfs", "reiserfs",
						 "LVM2_member", "linux_raid_member" };
	for (size_t i = 0; i < ARRAY_SIZE(linux_fs); i++)
		if (strcmp(t, linux_fs[i]) == 0)
			return true;
	return false;
}

static void part_evidence(struct finding *fd, const struct image_facts *f)
{
	char type[40];
	for (size_t i = 0; i < f->pt.n; i++) {
		const struct pt_part *p = &f->pt.parts[i];
		char *sz = fmt_bytes_iec(p->sectors * PT_SECTOR);
		const char *fs = f->part_fs ? f->part_fs[i] : NULL;
		finding_evidence(fd, "partition %u: start sector %llu, %s, type %s (%s)%s%s%s%s", p->number,
				 (unsigned long long)p->start, sz, ptable_type_string(p, f->pt.kind, type, sizeof(type)),
				 ptable_class_name(p->cls), p->bootable ? ", active" : "", fs ? ", " : "", fs ? fs : "",
				 !fs && f->fs_probed && p->cls != PC_EXTENDED ? ", no filesystem recognised" : "");
		free(sz);
	}
	for (size_t i = 0; i < f->pt.problems.n; i++)
		finding_evidence(fd, "%s", f->pt.problems.v[i]);
}

void rule_image_partition_table(const struct image_facts *f, const struct check *c, struct report *r,
				const char *subject)
{
	struct finding *fd;
	if (!f->read || !f->pt_read) {
		const char *why = !f->read ? f->unread_reason : f->pt_reason;
		/* A damaged or unaccepted image has its blocker under image.format already. */
		report_add(r, c, ST_SKIP, subject, "%s", why ? why : "the disk inside the image could not be read");
		return;
	}
	if (f->pt.kind == PT_NONE) {
		if (f->whole_fs) {
			fd = report_add(r, c, ST_FAIL, subject, "a %s filesystem on the whole disk, with no partition table",
					f->whole_fs);
			finding_evidence(fd, "the import needs an MBR partition table: copy the filesystem onto a partitioned "
					     "disk and install the bootloader there");
		} else {
			fd = report_add(r, c, ST_FAIL, subject, "no partition table (MBR or GPT) on the disk");
		}
		for (size_t i = 0; i < f->pt.problems.n; i++)
			finding_evidence(fd, "%s", f->pt.problems.v[i]);
		return;
	}
	bool protective_only = f->pt.n > 0;
	for (size_t i = 0; i < f->pt.n; i++)
		protective_only &= f->pt.parts[i].cls == PC_PROTECTIVE;
	if (f->pt.kind == PT_MBR && protective_only) {
		fd = report_add(r, c, ST_FAIL, subject, "a GPT protective MBR, but the GPT header is damaged");
		finding_evidence(fd, "the import needs an MBR (msdos) partition table");
		part_evidence(fd, f);
		return;
	}
	if (f->pt.kind == PT_GPT) {
		fd = report_add(r, c, ST_FAIL, subject, "a GPT partition table; the import needs MBR (msdos)%s",
				f->pt.hybrid ? " (the hybrid MBR does not count)" : "");
		finding_evidence(fd, "GPT to MBR: gdisk (r, then g) when there are at most four partitions under 2 TiB, "
				     "then reinstall GRUB for BIOS");
		part_evidence(fd, f);
		return;
	}
	size_t linux_n = 0, ntfs_n = 0;
	for (size_t i = 0; i < f->pt.n; i++) {
		const struct pt_part *p = &f->pt.parts[i];
		const char *fs = f->part_fs ? f->part_fs[i] : NULL;
		if (f->fs_probed) {
			if (fs && fs_is_linux(fs))
				linux_n++;
			else if (fs && strcmp(fs, "ntfs") == 0)
				ntfs_n++;
		} else if (p->cls == PC_LINUX || p->cls == PC_LINUX_LVM || p->cls == PC_LINUX_RAID) {
			linux_n++;
		} else if (p->cls == PC_NTFS) {
			ntfs_n++;
		}
	}
	if (!linux_n && !ntfs_n) {
		fd = report_add(r, c, ST_FAIL, subject, "an MBR partition table, but no Linux or NTFS partition%s",
				f->pt.n ? "" : " (it lists no partition at all)");
		fd->error_code = "RootPartitionNotFound";
		finding_evidence(fd, "a data disk, a boot-partition-only image or the wrong file fails with RootPartitionNotFound");
		part_evidence(fd, f);
		return;
	}
	if (linux_n && ntfs_n)
		fd = report_add(r, c, ST_PASS, subject, "an MBR partition table with Linux and NTFS partitions");
	else
		fd = report_add(r, c, ST_PASS, subject, "an MBR partition table with %s %s partition%s",
				(linux_n ? linux_n : ntfs_n) == 1 ? "a" : "several", linux_n ? "Linux" : "NTFS",
				(linux_n ? linux_n : ntfs_n) == 1 ? "" : "s");
	if (!f->fs_probed)
		finding_evidence(fd, "judged by the partition type codes (the filesystems were not probed)");
	part_evidence(fd, f);
}

const struct check check_image_format = {
	.id = "image.format",
	.title = "the image file is qcow2, vhd, vmdk or raw, whole and undamaged",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidFormatSize",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the first 64 KiB and the last 512 bytes of the file: the qcow2 header (version,\n"
		"virtual size, backing file), the vhd footer (fixed, dynamic or differencing; size), the\n"
		"vmdk sparse header and descriptor (createType, parentCID, extents), or an MBR/GPT for a\n"
		"raw disk. vhdx, vdi, qed, ISO 9660, tar/ova and compressed archives are named by magic.\n\n"
		"Why: the import accepts qcow2, vhd (fixed or dynamic) , vmdk and raw; anything else, a\n"
		"snapshot delta (a vmdk with a parentCID, a qcow2 with a backing file, a differencing vhd),\n"
		"an image whose data sits in other files, or a damaged header fails with InvalidFormatSize.\n\n"
		"By hand: qemu-img info FILE shows the same; qemu-img convert -O qcow2 IN OUT.qcow2 makes a\n"
		"standalone image of any format qemu reads (a delta is read together with its parents).",
};

const struct check check_image_size = {
	.id = "image.size",
	.title = "the virtual size is at most 500 GB and the image as qcow2 at most 50 GB",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidFormatSize",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the virtual size from the header, and the size the image will have as qcow2: a\n"
		"qcow2 file's own size; for raw, fixed vhd and flat vmdk the allocated 64 KiB clusters\n"
		"that hold a non-zero byte (SEEK_DATA/SEEK_HOLE skip the holes) plus the qcow2 tables;\n"
		"for sparse vmdk and dynamic vhd the same count through the image's own block map.\n\n"
		"Why: the import accepts at most 500 GB of virtual size and 50 GB after conversion to\n"
		"qcow2 (InvalidFormatSize). Tencent does not say whether GB is 10^9 or 2^30 bytes: above\n"
		"50 GiB (500 GiB) is a blocker, between the two values a warning.\n\n"
		"By hand: qemu-img measure -O qcow2 FILE. To shrink: delete what the image does not need,\n"
		"zero the free space inside the guest (fstrim -av on a thin disk, or dd if=/dev/zero\n"
		"of=/zero; rm /zero) and export again.",
};

const struct check check_image_partition_table = {
	.id = "image.partition-table",
	.title = "the disk in the image has an MBR partition table with a Linux or NTFS partition",
	.severity = SEV_BLOCKER,
	.error_code = "PartitionNotPresent",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the partition table of the disk inside the image (read through the qcow2, vmdk\n"
		"or vhd block map where there is one), and with libblkid what each partition holds.\n\n"
		"Why: the import needs an MBR (msdos) partition table (PartitionNotPresent for GPT, for a\n"
		"filesystem on the bare disk, or for no table at all), and a partition it can boot: a\n"
		"Linux filesystem (or LVM) or NTFS; a data disk or the wrong file fails with\n"
		"RootPartitionNotFound.\n\n"
		"By hand: fdisk -l or sfdisk -d on the raw disk (qemu-nbd to attach other formats).\n"
		"GPT to MBR: gdisk (r, then g), then reinstall GRUB for BIOS.",
};

const struct check *const image_checks[] = {
	&check_image_format,
	&check_image_size,
	&check_image_partition_table,
	NULL,
};

const struct check *const command_checks[] = {
	&check_url_cos,
	&check_url_signature,
	&check_url_region,
	&check_url_readable,
	&check_url_format,
	&check_url_size,
	&check_image_format,
	&check_image_size,
	&check_image_partition_table,
	NULL,
};

const struct check *command_check_find(const char *id)
{
	for (size_t i = 0; command_checks[i]; i++)
		if (strcmp(command_checks[i]->id, id) == 0)
			return command_checks[i];
	return NULL;
}
