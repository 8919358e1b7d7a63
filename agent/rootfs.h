/*
 * The path layer: every file a probe reads goes through here.
 *
 * A rootfs is either the live system or an offline tree given with --root. Paths passed in are
 * always absolute as seen from inside the target ("/etc/fstab"); they are resolved inside the
 * root, so that no symlink, absolute or full of "..", can lead outside it (Linux: openat2 with
 * RESOLVE_IN_ROOT, or a component-by-component walk with the same semantics where the kernel
 * lacks it). Reads are bounded and refuse anything but regular files, so that a symlink to
 * /dev/zero, a FIFO or a 2 GB file yields an error rather than a hang or an out-of-memory.
 *
 * Functions return 0 or a negative errno value; rootfs_strerror() names it for users.
 */
#ifndef CVMPREP_ROOTFS_H
#define CVMPREP_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Our own error numbers, outside the errno range. */
#define ROOTFS_ENOTREG 10001 /* not a regular file (device, FIFO, socket, directory) */
#define ROOTFS_ETOOBIG 10002 /* larger than the caller's limit */
#define ROOTFS_ETOOMANY 10003 /* a directory with more entries than we are willing to list */

/* Default bound for configuration-like text files. */
#define ROOTFS_MAX_TEXT (4u << 20)
#define ROOTFS_MAX_DIRENTS 100000u

struct rootfs;

enum rootfs_type { RFT_REG, RFT_DIR, RFT_LNK, RFT_CHR, RFT_BLK, RFT_FIFO, RFT_SOCK, RFT_OTHER };

struct rootfs_stat {
	enum rootfs_type type;
	uint64_t size;
	unsigned mode; /* permission bits */
	unsigned uid, gid;
	uint64_t dev, ino;
};

/* root == NULL opens the live system. */
int rootfs_open(const char *root, struct rootfs **out);
void rootfs_close(struct rootfs *rfs);
bool rootfs_is_live(const struct rootfs *rfs);
/* The root as the user gave it ("/" for the live system). */
const char *rootfs_root(const struct rootfs *rfs);
/* Host path of a target path, for messages only: never open the result. */
char *rootfs_display(const struct rootfs *rfs, const char *path);

/* Read a whole regular file of at most max bytes. *data is NUL-terminated (it may hold NULs). */
int rootfs_read(const struct rootfs *rfs, const char *path, size_t max, char **data, size_t *len);
/* Read up to n bytes from the start of a regular file; *got tells how many. */
int rootfs_read_head(const struct rootfs *rfs, const char *path, void *buf, size_t n, size_t *got);
int rootfs_stat(const struct rootfs *rfs, const char *path, bool follow, struct rootfs_stat *st);
bool rootfs_exists(const struct rootfs *rfs, const char *path);
bool rootfs_is_dir(const struct rootfs *rfs, const char *path);
bool rootfs_is_file(const struct rootfs *rfs, const char *path);
/* Names in a directory (without "." and ".."), sorted bytewise. */
int rootfs_list(const struct rootfs *rfs, const char *dir, struct strvec *names);
int rootfs_readlink(const struct rootfs *rfs, const char *path, char **target);
const char *rootfs_strerror(int err);

#ifndef _WIN32
/* A file descriptor for a path inside the root (flags as for open(2); O_CLOEXEC is added). */
int rootfs_open_fd(const struct rootfs *rfs, const char *path, int flags, bool follow);
/* The directory descriptor of the root itself. */
int rootfs_dirfd(const struct rootfs *rfs);
/* Force the portable walk even where openat2 exists (tests compare both). */
void rootfs_force_walk(struct rootfs *rfs, bool on);
#endif

#endif
