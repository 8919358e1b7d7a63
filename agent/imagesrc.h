/*
 * A local image file as each platform opens it for `cvmprep image`: positional reads, the
 * file's holes (SEEK_DATA/SEEK_HOLE where the platform has them), decompression for compressed
 * clusters, and libblkid on a byte range of the disk inside. linux/image_file.c and
 * windows/image_file.c implement it.
 */
#ifndef CVMPREP_IMAGESRC_H
#define CVMPREP_IMAGESRC_H

#include <stdint.h>

#include "imagefmt.h"

struct image_file {
	struct img_io io; /* io.arg is the platform's handle */
	char *path;
};

/* Open path read-only. 0, or -errno (-EISDIR for a directory). */
int image_file_open(const char *path, struct image_file **out);
void image_file_close(struct image_file *f);

/*
 * What filesystem (or volume signature) libblkid finds in [off, off + size) of the virtual
 * disk m; *type is NULL when nothing is recognised. When file is given, m reads it as raw data
 * (raw, fixed vhd, flat vmdk) and libblkid reads the file itself at base + off; otherwise the
 * first and last blocks of the range are read through m. 0, or -ENOTSUP where this platform
 * has no libblkid, or -errno.
 */
int image_probe_fs(struct image_file *file, uint64_t base, struct img_map *m, uint64_t off, uint64_t size,
		   char **type);

/* Whether the platform tells holes from data (the qcow2 estimate then skips them). */
extern const char image_file_hole_method[];

#endif
