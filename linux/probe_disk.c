/*
 * The system disk: which disk holds the root filesystem (through dm/LVM to its physical volumes,
 * via sysfs), its partition table and filesystems (libblkid), its boot sector, where fstab's
 * entries and the system mounts live, and how much of it is in use.
 *
 * Live, this is the running system's root. Offline, it is the disk behind --root when --root is
 * the mount point of a block device (a loop-mounted image); otherwise these facts are skipped,
 * never taken from the host.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <blkid.h>

#include "parse.h"
#include "probes.h"
#include "banned.h"

#define SYSFS_BLOCK "/sys/class/block"

/* ---- /proc/self/mountinfo ---- */

struct mnt {
	unsigned major, minor;
	char *mountpoint, *fstype, *source;
};

struct mnts {
	struct mnt *v;
	size_t n;
};

static void mnts_free(struct mnts *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].mountpoint);
		free(m->v[i].fstype);
		free(m->v[i].source);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static int mnts_read(struct mnts *m)
{
	FILE *fp = fopen("/proc/self/mountinfo", "re");
	if (!fp)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		struct strvec w = STRVEC_INIT;
		str_split(&w, line, " \n");
		size_t dash = 0;
		for (size_t i = 6; i < w.n; i++)
			if (strcmp(w.v[i], "-") == 0) {
				dash = i;
				break;
			}
		unsigned ma, mi;
		if (dash && dash + 2 < w.n && sscanf(w.v[2], "%u:%u", &ma, &mi) == 2) {
			m->v = xreallocarray(m->v, m->n + 1, sizeof(*m->v));
			struct mnt *e = &m->v[m->n++];
			e->major = ma;
			e->minor = mi;
			e->mountpoint = fstab_unescape(w.v[4]);
			e->fstype = fstab_unescape(w.v[dash + 1]);
			e->source = fstab_unescape(w.v[dash + 2]);
		}
		strvec_clear(&w);
	}
	free(line);
	fclose(fp);
	return 0;
}

/* The last mount on a mount point is the visible one. */
static const struct mnt *mnts_find(const struct mnts *m, const char *mountpoint)
{
	for (size_t i = m->n; i-- > 0;)
		if (strcmp(m->v[i].mountpoint, mountpoint) == 0)
			return &m->v[i];
	return NULL;
}

/* ---- sysfs ---- */

/* Kernel name of a block device number ("vda1", "dm-0"), or NULL. */
static char *sysfs_name(unsigned major, unsigned minor)
{
	char p[64], buf[PATH_MAX];
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", major, minor);
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	const char *b = strrchr(buf, '/');
	return xstrdup(b ? b + 1 : buf);
}

static bool sysfs_exists(const char *name, const char *attr)
{
	char *p = xasprintf(SYSFS_BLOCK "/%s/%s", name, attr);
	bool ok = access(p, F_OK) == 0;
	free(p);
	return ok;
}

static bool sysfs_u64(const char *name, const char *attr, uint64_t *out)
{
	char *p = xasprintf(SYSFS_BLOCK "/%s/%s", name, attr);
	FILE *fp = fopen(p, "re");
	free(p);
	if (!fp)
		return false;
	unsigned long long v;
	bool ok = fscanf(fp, "%llu", &v) == 1;
	fclose(fp);
	if (ok)
		*out = v;
	return ok;
}

static char *sysfs_parent(const char *name)
{
	char *p = xasprintf(SYSFS_BLOCK "/%s", name);
	char *real = realpath(p, NULL);
	free(p);
	if (!real)
		return NULL;
	char *slash = strrchr(real, '/');
	char *ret = NULL;
	if (slash) {
		*slash = '\0';
		const char *b = strrchr(real, '/');
		ret = xstrdup(b ? b + 1 : real);
	}
	free(real);
	return ret;
}

static void sysfs_list(const char *dir, struct strvec *out)
{
	/* sysfs is the kernel's, not the target's: read directly. */
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strvec_push(out, de->d_name);
	closedir(d);
	strvec_sort(out);
}

/* The whole disks under a block device: itself, its parent disk, or (dm, md) those of its slaves. */
static void disks_of(const char *name, struct strvec *disks, int depth)
{
	if (depth > 16)
		return;
	if (sysfs_exists(name, "partition")) {
		char *parent = sysfs_parent(name);
		if (parent && !strvec_contains(disks, parent))
			strvec_push(disks, parent);
		free(parent);
		return;
	}
	struct strvec slaves = STRVEC_INIT;
	char *dir = xasprintf(SYSFS_BLOCK "/%s/slaves", name);
	sysfs_list(dir, &slaves);
	free(dir);
	if (slaves.n == 0) {
		if (!strvec_contains(disks, name))
			strvec_push(disks, name);
	} else {
		for (size_t i = 0; i < slaves.n; i++)
			disks_of(slaves.v[i], disks, depth + 1);
	}
	strvec_clear(&slaves);
}

/* "cciss!c0d0" in sysfs is /dev/cciss/c0d0. */
static char *dev_node(const char *name)
{
	char *n = xasprintf("/dev/%s", name);
	for (char *c = n; *c; c++)
		if (*c == '!')
			*c = '/';
	return n;
}

static char *devname_of_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
		return NULL;
	return sysfs_name(major(st.st_rdev), minor(st.st_rdev));
}

/* Block device name behind a mount: by its device number, or by its source for btrfs and the like. */
static char *mnt_devname(const struct mnt *m)
{
	if (m->major != 0)
		return sysfs_name(m->major, m->minor);
	if (str_starts_with(m->source, "/dev/"))
		return devname_of_path(m->source);
	return NULL;
}

/* ---- libblkid ---- */

/* udev's database records the partition table type; readable without privileges. */
static char *udev_pttype(const char *sysname)
{
	char *dev = xasprintf(SYSFS_BLOCK "/%s/dev", sysname);
	FILE *fp = fopen(dev, "re");
	free(dev);
	unsigned ma, mi;
	if (!fp)
		return NULL;
	bool ok = fscanf(fp, "%u:%u", &ma, &mi) == 2;
	fclose(fp);
	if (!ok)
		return NULL;
	char p[64];
	snprintf(p, sizeof(p), "/run/udev/data/b%u:%u", ma, mi);
	fp = fopen(p, "re");
	if (!fp)
		return NULL;
	char line[512];
	char *ret = NULL;
	while (!ret && fgets(line, sizeof(line), fp))
		if (str_starts_with(line, "E:ID_PART_TABLE_TYPE="))
			ret = xstrdup(str_trim(line + 21));
	fclose(fp);
	return ret;
}

/*
 * Without the right to read the disk: a root filesystem mounted from the whole disk, with no
 * partitions known to the kernel, is a whole-disk filesystem; otherwise udev may know the type.
 */
static bool table_without_reading(struct disk_facts *d, const char *sysname, const char *rootname,
				  const struct mnt *rm)
{
	if (rm && strcmp(sysname, rootname) == 0 && d->nparts == 0) {
		d->whole_fs = xstrdup(rm->fstype);
		strvec_pushf(&d->evidence,
			     "the root filesystem (%s) is mounted from the whole disk %s, and the kernel found no "
			     "partitions on it",
			     rm->fstype, d->disk);
		section_set(&d->table, FS_OK, NULL, NULL);
		return true;
	}
	char *pt = udev_pttype(sysname);
	if (pt) {
		d->pttype = pt;
		strvec_pushf(&d->evidence, "udev's database: partition table type %s on %s", pt, d->disk);
		section_set(&d->table, FS_OK, NULL, NULL);
		return true;
	}
	return false;
}

static int probe_table(struct disk_facts *d, const char *sysname, const char *rootname, const struct mnt *rm)
{
	errno = 0;
	blkid_probe pr = blkid_new_probe_from_filename(d->disk);
	if (!pr) {
		int e = errno ? errno : EIO;
		strvec_pushf(&d->evidence, "could not open %s: %s", d->disk, strerror(e));
		if (table_without_reading(d, sysname, rootname, rm))
			return 0;
		if (e == EACCES || e == EPERM)
			section_set(&d->table, FS_SKIP, NULL, "reading %s needs root", d->disk);
		else
			section_set(&d->table, FS_ERROR, NULL, "could not open %s: %s", d->disk, strerror(e));
		return -e;
	}
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	int rc = blkid_do_safeprobe(pr);
	const char *pt = NULL;
	if (rc == 0 && blkid_probe_lookup_value(pr, "PTTYPE", &pt, NULL) == 0 && pt) {
		d->pttype = xstrdup(pt);
		strvec_pushf(&d->evidence, "libblkid: partition table type %s on %s", pt, d->disk);
		blkid_partlist pl = blkid_probe_get_partitions(pr);
		int n = pl ? blkid_partlist_numof_partitions(pl) : 0;
		for (int i = 0; i < n; i++) {
			blkid_partition p = blkid_partlist_get_partition(pl, i);
			if (!p)
				continue;
			int no = blkid_partition_get_partno(p);
			for (size_t k = 0; k < d->nparts; k++) {
				if (d->parts[k].partno != (unsigned)no)
					continue;
				const char *ts = blkid_partition_get_type_string(p);
				free(d->parts[k].type);
				d->parts[k].type = ts ? xstrdup(ts) : xasprintf("0x%x", blkid_partition_get_type(p));
			}
		}
	} else if (rc == -2) {
		strvec_pushf(&d->evidence, "libblkid: %s carries conflicting partition table signatures", d->disk);
	}
	blkid_free_probe(pr);

	if (!d->pttype) {
		/* No partition table: is there a filesystem on the whole disk? */
		pr = blkid_new_probe_from_filename(d->disk);
		if (pr) {
			blkid_probe_enable_partitions(pr, 0);
			blkid_probe_enable_superblocks(pr, 1);
			blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID);
			const char *t = NULL;
			if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &t, NULL) == 0 && t) {
				d->whole_fs = xstrdup(t);
				strvec_pushf(&d->evidence, "libblkid: %s filesystem on the whole disk %s, no partition table",
					     t, d->disk);
			}
			blkid_free_probe(pr);
		}
	}
	section_set(&d->table, FS_OK, NULL, NULL);
	return 0;
}

static void probe_fs(struct partition *p)
{
	blkid_probe pr = blkid_new_probe_from_filename(p->node);
	if (!pr)
		return;
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL);
	if (blkid_do_safeprobe(pr) == 0) {
		const char *v = NULL;
		if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0 && v)
			p->fstype = xstrdup(v);
		if (blkid_probe_lookup_value(pr, "UUID", &v, NULL) == 0 && v)
			p->uuid = xstrdup(v);
		if (blkid_probe_lookup_value(pr, "LABEL", &v, NULL) == 0 && v)
			p->label = xstrdup(v);
	}
	blkid_free_probe(pr);
}

static void list_partitions(struct disk_facts *d, const char *name)
{
	struct strvec kids = STRVEC_INIT;
	char *dir = xasprintf(SYSFS_BLOCK "/%s", name);
	sysfs_list(dir, &kids);
	free(dir);
	for (size_t i = 0; i < kids.n; i++) {
		char *attr = xasprintf("%s/partition", kids.v[i]);
		uint64_t no = 0, start = 0, size = 0;
		bool is_part = sysfs_u64(name, attr, &no);
		free(attr);
		if (!is_part)
			continue;
		char *sa = xasprintf("%s/start", kids.v[i]), *sz = xasprintf("%s/size", kids.v[i]);
		sysfs_u64(name, sa, &start);
		sysfs_u64(name, sz, &size);
		free(sa);
		free(sz);
		d->parts = xreallocarray(d->parts, d->nparts + 1, sizeof(*d->parts));
		struct partition *p = &d->parts[d->nparts++];
		memset(p, 0, sizeof(*p));
		p->node = dev_node(kids.v[i]);
		p->partno = (unsigned)no;
		p->start = start * 512;
		p->size = size * 512;
		probe_fs(p);
	}
	strvec_clear(&kids);
}

static void read_mbr(struct disk_facts *d)
{
	int fd = open(d->disk, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			section_set(&d->mbr, FS_SKIP, NULL, "reading the boot sector of %s needs root", d->disk);
		else
			section_set(&d->mbr, FS_ERROR, NULL, "could not open %s: %s", d->disk, strerror(errno));
		return;
	}
	unsigned char s[512];
	ssize_t n = pread(fd, s, sizeof(s), 0);
	int e = errno;
	close(fd);
	if (n != (ssize_t)sizeof(s)) {
		section_set(&d->mbr, FS_ERROR, NULL, "could not read the boot sector of %s: %s", d->disk,
			    n < 0 ? strerror(e) : "short read");
		return;
	}
	d->mbr_signature = s[510] == 0x55 && s[511] == 0xaa;
	for (size_t i = 0; i < 440 && !d->mbr_code; i++)
		d->mbr_code = s[i] != 0;
	if (d->mbr_code && memmem(s, 440, "GRUB", 4))
		d->bootcode = xstrdup("GRUB");
	else if (d->mbr_code && (memmem(s, 440, "SYSLINUX", 8) || memmem(s, 440, "Missing OS", 10)))
		d->bootcode = xstrdup("SYSLINUX");
	section_set(&d->mbr, FS_OK, NULL, NULL);
}

/* ---- where things live ---- */

static bool only_system_disk(const struct strvec *disks, const char *sysname)
{
	if (!disks->n)
		return false;
	for (size_t i = 0; i < disks->n; i++)
		if (strcmp(disks->v[i], sysname) != 0)
			return false;
	return true;
}

static enum disk_loc loc_of_devname(const char *dev, const char *sysname, char **evidence)
{
	struct strvec disks = STRVEC_INIT;
	disks_of(dev, &disks, 0);
	enum disk_loc l = only_system_disk(&disks, sysname) ? LOC_SYSTEM : LOC_OTHER;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < disks.n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", disks.v[i]);
	*evidence = xasprintf("%s is on disk %s", dev, strbuf_str(&sb));
	strbuf_release(&sb);
	strvec_clear(&disks);
	return l;
}

static const char *first_disk_names[] = { "sda", "vda", "xvda", "hda", "nvme0n1", "mmcblk0" };

/* Offline without block devices: judge kernel names against the disk of / (or /boot). */
static enum disk_loc loc_by_name(const struct fstab_facts *ft, const struct fstab_entry *e, char **evidence)
{
	char *disk = kernel_disk_of(e->spec);
	if (!disk)
		return LOC_UNKNOWN;
	char *ref = NULL;
	const char *refsrc = NULL;
	for (size_t i = 0; i < ft->n && !ref; i++)
		if (strcmp(ft->v[i].file, "/") == 0 && (ref = kernel_disk_of(ft->v[i].spec)))
			refsrc = "/";
	for (size_t i = 0; i < ft->n && !ref; i++)
		if (strcmp(ft->v[i].file, "/boot") == 0 && (ref = kernel_disk_of(ft->v[i].spec)))
			refsrc = "/boot";
	enum disk_loc l;
	if (ref) {
		l = strcmp(ref, disk) == 0 ? LOC_SYSTEM : LOC_OTHER;
		*evidence = xasprintf("judged by name: %s is %s the disk of %s (%s)", disk,
				      l == LOC_SYSTEM ? "" : "not", refsrc, ref);
	} else {
		l = LOC_OTHER;
		for (size_t i = 0; i < ARRAY_SIZE(first_disk_names); i++)
			if (strcmp(disk, first_disk_names[i]) == 0)
				l = LOC_SYSTEM;
		*evidence = xasprintf("judged by name: %s %s the first disk", disk, l == LOC_SYSTEM ? "is" : "is not");
	}
	free(ref);
	free(disk);
	return l;
}

/* Mounted image: match UUID=/LABEL=/PARTUUID= against the filesystems of the system disk. */
static enum disk_loc loc_in_image(const struct disk_facts *d, const struct fstab_facts *ft, const struct fstab_entry *e,
				  char **evidence)
{
	enum devname_kind k = devname_classify(e->spec, e->type);
	const char *val = strchr(e->spec, '=');
	val = val ? val + 1 : NULL;
	if (k == DEV_UUID || k == DEV_LABEL) {
		if (str_starts_with(e->spec, "/dev/disk/"))
			val = strrchr(e->spec, '/') + 1;
		for (size_t i = 0; i < d->nparts; i++) {
			const char *have = k == DEV_UUID ? d->parts[i].uuid : d->parts[i].label;
			if (have && val && strcmp(have, val) == 0) {
				*evidence = xasprintf("%s is %s on the system disk", e->spec, d->parts[i].node);
				return LOC_SYSTEM;
			}
		}
		bool lvm = false;
		for (size_t i = 0; i < d->nparts; i++)
			lvm = lvm || str_eq(d->parts[i].fstype, "LVM2_member");
		if (lvm) {
			*evidence = xasprintf("%s is not a partition of the system disk; it may be an LVM volume on it", e->spec);
			return LOC_UNKNOWN;
		}
		*evidence = xasprintf("no filesystem with %s on the system disk %s", e->spec, d->disk);
		return LOC_OTHER;
	}
	if (k == DEV_KERNEL)
		return loc_by_name(ft, e, evidence);
	return LOC_UNKNOWN;
}

static enum disk_loc loc_live(const struct disk_facts *d, const struct fstab_entry *e, const char *sysname,
			      blkid_cache *cache, char **evidence)
{
	enum devname_kind k = devname_classify(e->spec, e->type);
	if (k == DEV_NONE || k == DEV_NOTHING)
		return LOC_NONE;
	char *dev = NULL;
	if (str_starts_with(e->spec, "/dev/"))
		dev = xstrdup(e->spec);
	else {
		char *r = blkid_evaluate_tag(e->spec, NULL, cache);
		if (r) {
			dev = xstrdup(r);
			free(r);
		}
	}
	(void)d;
	if (!dev) {
		*evidence = xasprintf("%s matches no block device on this system", e->spec);
		return LOC_UNKNOWN;
	}
	char *name = devname_of_path(dev);
	if (!name) {
		*evidence = xasprintf("%s (%s) is not a block device on this system", e->spec, dev);
		free(dev);
		return LOC_UNKNOWN;
	}
	enum disk_loc l = loc_of_devname(name, sysname, evidence);
	free(name);
	free(dev);
	return l;
}

static const char *const system_mounts[] = { "/", "/boot", "/usr", "/var", "/opt", "/usr/local", "/var/log" };

static void add_mount(struct disk_facts *d, const char *mp, const char *src, enum disk_loc l, const char *ev)
{
	d->mounts = xreallocarray(d->mounts, d->nmounts + 1, sizeof(*d->mounts));
	struct mount_loc *m = &d->mounts[d->nmounts++];
	m->mountpoint = xstrdup(mp);
	m->source = xstrdup(src);
	m->loc = l;
	m->evidence = ev ? xstrdup(ev) : NULL;
}

/* Place each fstab entry, and the system mounts among them. */
static void locate_fstab(struct ctx *ctx, struct facts *f, const char *sysname, bool mounted_image)
{
	struct fstab_facts *ft = &f->fstab;
	struct disk_facts *d = &f->disk;
	blkid_cache cache = NULL;
	bool live = rootfs_is_live(ctx->rfs) && sysname;
	for (size_t i = 0; i < ft->n; i++) {
		struct fstab_entry *e = &ft->v[i];
		enum devname_kind k = devname_classify(e->spec, e->type);
		char *ev = NULL;
		if (k == DEV_NONE || k == DEV_NOTHING)
			e->loc = LOC_NONE;
		else if (live)
			e->loc = loc_live(d, e, sysname, &cache, &ev);
		else if (mounted_image)
			e->loc = loc_in_image(d, ft, e, &ev);
		else
			e->loc = k == DEV_KERNEL ? loc_by_name(ft, e, &ev) : LOC_UNKNOWN;
		free(e->loc_evidence);
		e->loc_evidence = ev;
	}
	if (cache)
		blkid_put_cache(cache);
}

static void mounts_from_fstab(struct disk_facts *d, const struct fstab_facts *ft, bool root_known)
{
	for (size_t s = 0; s < ARRAY_SIZE(system_mounts); s++) {
		if (root_known && strcmp(system_mounts[s], "/") == 0)
			continue;
		for (size_t i = 0; i < ft->n; i++) {
			const struct fstab_entry *e = &ft->v[i];
			if (strcmp(e->file, system_mounts[s]) != 0 || e->loc == LOC_NONE)
				continue;
			add_mount(d, e->file, e->spec, e->loc, e->loc_evidence);
			break;
		}
	}
}

static void measure_used(struct disk_facts *d, const struct mnts *m, const char *sysname)
{
	uint64_t total = 0;
	struct strvec seen = STRVEC_INIT;
	for (size_t i = 0; i < m->n; i++) {
		const struct mnt *e = &m->v[i];
		if (e->major == 0 && !str_starts_with(e->source, "/dev/"))
			continue;
		char *name = mnt_devname(e);
		if (!name)
			continue;
		struct strvec disks = STRVEC_INIT;
		disks_of(name, &disks, 0);
		bool ours = only_system_disk(&disks, sysname) && !strvec_contains(&seen, name);
		strvec_clear(&disks);
		if (!ours) {
			free(name);
			continue;
		}
		struct statvfs sv;
		if (statvfs(e->mountpoint, &sv) == 0) {
			uint64_t used = (uint64_t)(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
			total += used;
			char *u = fmt_bytes_iec(used);
			strvec_pushf(&d->used_evidence, "%s (%s, %s): %s in use", e->mountpoint, e->source, e->fstype, u);
			free(u);
			strvec_push(&seen, name);
		}
		free(name);
	}
	for (size_t i = 0; i < d->nparts; i++) {
		const char *b = strrchr(d->parts[i].node, '/') + 1;
		if (!strvec_contains(&seen, b) && d->parts[i].size)
			strvec_pushf(&d->used_evidence, "%s (%s) is not mounted and was not measured", d->parts[i].node,
				     d->parts[i].fstype ? d->parts[i].fstype : "unknown content");
	}
	if (seen.n) {
		d->used_known = true;
		d->used = total;
	}
	strvec_clear(&seen);
}

void probe_disk(struct ctx *ctx, struct facts *f)
{
	struct disk_facts *d = &f->disk;
	if (d->s.state != FS_UNPROBED)
		return;
	probe_fstab(ctx, f);
	bool live = rootfs_is_live(ctx->rfs);
	struct mnts m = { 0 };
	char *rootname = NULL, *sysname = NULL, *real = NULL;
	const struct mnt *rm = NULL;

	int e = mnts_read(&m);
	if (e < 0) {
		section_set(&d->s, FS_SKIP, NULL, "the mount table (/proc/self/mountinfo) is not readable: %s", strerror(-e));
		goto fallback;
	}
	real = realpath(rootfs_root(ctx->rfs), NULL);
	rm = real ? mnts_find(&m, real) : NULL;
	if (!rm) {
		section_set(&d->s, FS_SKIP, NULL,
			    "%s is not a mount point: mount the image's root filesystem and pass its mount point to --root",
			    rootfs_root(ctx->rfs));
		goto fallback;
	}
	rootname = mnt_devname(rm);
	if (!rootname) {
		section_set(&d->s, FS_SKIP, NULL, "the root filesystem (%s, %s) is not on a block device", rm->source,
			    rm->fstype);
		goto fallback;
	}

	struct strvec disks = STRVEC_INIT;
	disks_of(rootname, &disks, 0);
	if (!disks.n) {
		strvec_clear(&disks);
		section_set(&d->s, FS_ERROR, NULL, "could not find the disk under %s in sysfs", rootname);
		goto fallback;
	}
	sysname = xstrdup(disks.v[0]);
	d->disk = dev_node(sysname);
	if (disks.n > 1) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < disks.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", disks.v[i]);
		strvec_pushf(&d->evidence, "the root filesystem spans several disks: %s", strbuf_str(&sb));
		strbuf_release(&sb);
	}
	strvec_clear(&disks);
	strvec_pushf(&d->evidence, "the root filesystem is %s (%s) on disk %s", rm->source, rootname, d->disk);
	uint64_t sectors = 0;
	if (sysfs_u64(sysname, "size", &sectors))
		d->size = sectors * 512;
	list_partitions(d, sysname);
	section_set(&d->s, FS_OK, NULL, NULL);
	probe_table(d, sysname, rootname, rm);
	read_mbr(d);

	/* Where the fstab entries and system mounts are. */
	locate_fstab(ctx, f, sysname, !live);
	if (live) {
		for (size_t s = 0; s < ARRAY_SIZE(system_mounts); s++) {
			const struct mnt *sm = mnts_find(&m, system_mounts[s]);
			if (!sm)
				continue;
			char *name = mnt_devname(sm);
			if (!name) {
				if (!fstype_is_virtual(sm->fstype))
					add_mount(d, sm->mountpoint, sm->source, LOC_UNKNOWN, "not a block device");
				continue;
			}
			char *ev = NULL;
			enum disk_loc l = loc_of_devname(name, sysname, &ev);
			add_mount(d, sm->mountpoint, sm->source, l, ev);
			free(ev);
			free(name);
		}
	} else {
		char *ev = xasprintf("%s is mounted at %s", rm->source, rootfs_root(ctx->rfs));
		add_mount(d, "/", rm->source, LOC_SYSTEM, ev);
		free(ev);
		mounts_from_fstab(d, &f->fstab, true);
	}
	measure_used(d, &m, sysname);
	goto out;

fallback:
	/* No block device to look at: place fstab entries by their names only. */
	locate_fstab(ctx, f, NULL, false);
	mounts_from_fstab(d, &f->fstab, false);
out:
	free(real);
	free(rootname);
	free(sysname);
	mnts_free(&m);
}

void probe_fsusage(struct ctx *ctx, struct facts *f)
{
	struct fsusage_facts *u = &f->fsusage;
	if (u->s.state != FS_UNPROBED)
		return;
	struct statvfs sv;
	u->mountpoint = xstrdup(rootfs_root(ctx->rfs));
	if (!rootfs_is_live(ctx->rfs)) {
		/* The tree must be the root of its own filesystem, or statfs would describe the host's. */
		struct mnts m = { 0 };
		char *real = realpath(rootfs_root(ctx->rfs), NULL);
		bool mp = mnts_read(&m) == 0 && real && mnts_find(&m, real);
		mnts_free(&m);
		free(real);
		if (!mp) {
			section_set(&u->s, FS_SKIP, NULL, "%s is not a mount point, so its free space is the host's",
				    rootfs_root(ctx->rfs));
			return;
		}
	}
	if (fstatvfs(rootfs_dirfd(ctx->rfs), &sv) < 0) {
		section_set(&u->s, FS_ERROR, NULL, "statfs of %s: %s", rootfs_root(ctx->rfs), strerror(errno));
		return;
	}
	u->total = (uint64_t)sv.f_blocks * sv.f_frsize;
	u->avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	u->files = sv.f_files;
	u->ffree = sv.f_ffree;
	section_set(&u->s, FS_OK, NULL, NULL);
}
