/* The write side of the path layer (Linux): where a target path really lives, and mkdir -p. */
#ifndef CVMPREP_ROOTFS_WRITE_H
#define CVMPREP_ROOTFS_WRITE_H

#include <stdbool.h>

#include "rootfs.h"

/*
 * The directory that holds path (as an O_RDONLY|O_DIRECTORY descriptor) and the name in it,
 * both resolved inside the root. With follow_last, a final symlink is followed (inside the root)
 * so that replacing the file replaces what the link points to, not the link.
 */
int rootfs_parent(const struct rootfs *rfs, const char *path, bool follow_last, int *dfd, char **base);
/* mkdir -p inside the root. */
int rootfs_mkdirs(const struct rootfs *rfs, const char *path, unsigned mode);

#endif
