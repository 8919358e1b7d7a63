/* The parts of the path layer (rootfs.h) that are the same on every platform: error texts and stat questions. */
#include "rootfs.h"

#include <string.h>

#include "banned.h"

const char *rootfs_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case ROOTFS_ENOTREG:
		return "not a regular file";
	case ROOTFS_ETOOBIG:
		return "file is larger than the limit cvmprep reads";
	case ROOTFS_ETOOMANY:
		return "directory has too many entries";
	default:
		return strerror(err);
	}
}

bool rootfs_exists(const struct rootfs *rfs, const char *path)
{
	struct rootfs_stat st;
	return rootfs_stat(rfs, path, false, &st) == 0;
}

bool rootfs_is_dir(const struct rootfs *rfs, const char *path)
{
	struct rootfs_stat st;
	return rootfs_stat(rfs, path, true, &st) == 0 && st.type == RFT_DIR;
}

bool rootfs_is_file(const struct rootfs *rfs, const char *path)
{
	struct rootfs_stat st;
	return rootfs_stat(rfs, path, true, &st) == 0 && st.type == RFT_REG;
}
