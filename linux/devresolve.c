/*
 * Which filesystem a kernel device name (or a by-id/by-path link) means, as a UUID: on the live
 * system by probing the device; in a mounted image by the partition number on the image's disk
 * (the old /dev/sda2 is partition 2 of the disk behind --root), or by what is mounted at --root.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <blkid.h>

#include "parse.h"
#include "probes.h"
#include "banned.h"

static char *probe_tag(const char *dev, const char *tag)
{
	blkid_probe pr = blkid_new_probe_from_filename(dev);
	if (!pr)
		return NULL;
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
	char *ret = NULL;
	const char *v = NULL;
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, tag, &v, NULL) == 0 && v && *v)
		ret = xstrdup(v);
	blkid_free_probe(pr);
	return ret;
}

/* The partition number at the end of a kernel name or a by-id/by-path link ("-part2"). */
static long partno_of(const char *spec)
{
	const char *p = strstr(spec, "-part");
	if (p && isdigit((unsigned char)p[5]))
		return strtol(p + 5, NULL, 10);
	size_t n = strlen(spec);
	size_t k = n;
	while (k && isdigit((unsigned char)spec[k - 1]))
		k--;
	if (k == n || k == 0)
		return -1;
	/* nvme0n1p2, mmcblk0p1: the number follows a 'p' after a digit; sda2: follows a letter. */
	if (spec[k - 1] == 'p' && k >= 2 && isdigit((unsigned char)spec[k - 2]))
		return strtol(spec + k, NULL, 10);
	if (isalpha((unsigned char)spec[k - 1]) && !str_starts_with(spec, "/dev/nvme") && !str_starts_with(spec, "/dev/mmcblk"))
		return strtol(spec + k, NULL, 10);
	return -1;
}

char *probe_uuid_for(struct ctx *ctx, const struct facts *f, const char *spec, const char *mountpoint,
		     enum disk_loc loc, char **why)
{
	const struct disk_facts *d = &f->disk;
	if (rootfs_is_live(ctx->rfs)) {
		char *real = realpath(spec, NULL);
		struct stat st;
		if (!real || stat(real, &st) < 0 || !S_ISBLK(st.st_mode)) {
			*why = xasprintf("%s is not a block device on this system", spec);
			free(real);
			return NULL;
		}
		char *u = probe_tag(real, "UUID");
		if (!u)
			*why = xasprintf("%s (%s) has no filesystem UUID", spec, real);
		free(real);
		return u;
	}
	if (d->s.state != FS_OK) {
		*why = xasprintf("%s cannot be mapped to a filesystem offline without the image's disk (%s)", spec,
				 d->s.reason ? d->s.reason : "not a mount point");
		return NULL;
	}
	if (mountpoint && strcmp(mountpoint, "/") == 0) {
		for (size_t i = 0; i < d->nmounts; i++)
			if (strcmp(d->mounts[i].mountpoint, "/") == 0) {
				char *u = probe_tag(d->mounts[i].source, "UUID");
				if (u)
					return u;
			}
	}
	if (loc != LOC_SYSTEM) {
		*why = xasprintf("%s is not on the image's disk (%s): its UUID cannot be read here", spec,
				 loc == LOC_OTHER ? "another disk" : "location unknown");
		return NULL;
	}
	long n = partno_of(spec);
	if (n <= 0) {
		*why = xasprintf("%s names no partition number", spec);
		return NULL;
	}
	for (size_t i = 0; i < d->nparts; i++)
		if (d->parts[i].partno == (unsigned)n) {
			if (d->parts[i].uuid)
				return xstrdup(d->parts[i].uuid);
			*why = xasprintf("partition %ld of %s (%s) has no filesystem UUID", n, d->disk, d->parts[i].node);
			return NULL;
		}
	*why = xasprintf("the image's disk %s has no partition %ld (for %s)", d->disk, n, spec);
	return NULL;
}
