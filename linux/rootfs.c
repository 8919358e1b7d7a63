/* The path layer on Linux: paths resolved inside the target root with openat2(RESOLVE_IN_ROOT) or a safe walk. */
#define _GNU_SOURCE
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif

#include "banned.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RESOLVE_IN_ROOT
struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT 0x10
#endif

#define MAX_SYMLINKS 40

struct rootfs {
	int dirfd;
	char *root;
	bool live;
	bool walk_only; /* openat2 unavailable, or forced off */
};

int rootfs_open(const char *root, struct rootfs **out)
{
	const char *r = root ? root : "/";
	int fd = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct rootfs *rfs = xcalloc(1, sizeof(*rfs));
	rfs->dirfd = fd;
	rfs->root = xstrdup(r);
	rfs->live = root == NULL;
	*out = rfs;
	return 0;
}

void rootfs_close(struct rootfs *rfs)
{
	if (!rfs)
		return;
	close(rfs->dirfd);
	free(rfs->root);
	free(rfs);
}

bool rootfs_is_live(const struct rootfs *rfs)
{
	return rfs->live;
}

const char *rootfs_root(const struct rootfs *rfs)
{
	return rfs->root;
}

int rootfs_dirfd(const struct rootfs *rfs)
{
	return rfs->dirfd;
}

void rootfs_force_walk(struct rootfs *rfs, bool on)
{
	rfs->walk_only = on;
}

char *rootfs_display(const struct rootfs *rfs, const char *path)
{
	if (rfs->live)
		return xstrdup(path);
	size_t n = strlen(rfs->root);
	while (n > 1 && rfs->root[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s%s", (int)n, rfs->root, path[0] == '/' ? "" : "/", path);
}

/* The stack of directories a walk has entered; fds[0] is the root and is not ours to close. */
struct walk {
	int *fds;
	size_t n, alloc;
};

static void walk_push(struct walk *w, int fd)
{
	if (w->n == w->alloc) {
		w->alloc = w->alloc ? w->alloc * 2 : 16;
		w->fds = xreallocarray(w->fds, w->alloc, sizeof(int));
	}
	w->fds[w->n++] = fd;
}

static void walk_pop_to(struct walk *w, size_t n)
{
	while (w->n > n)
		close(w->fds[--w->n]);
}

/* Take the next non-empty component off the front of *rest into comp (NUL-terminated copy). */
static bool next_component(const char **rest, char *comp, size_t compsz, int *err)
{
	const char *p = *rest;
	while (*p == '/')
		p++;
	if (!*p) {
		*rest = p;
		return false;
	}
	size_t len = strcspn(p, "/");
	if (len >= compsz) {
		*err = -ENAMETOOLONG;
		*rest = p + len;
		return false;
	}
	memcpy(comp, p, len);
	comp[len] = '\0';
	*rest = p + len;
	return true;
}

static bool only_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return *s == '\0';
}

/*
 * Resolve path inside rootfd the way RESOLVE_IN_ROOT does: ".." never climbs above the root,
 * and symlinks (absolute ones relative to the root) are followed by hand, each component opened
 * with O_NOFOLLOW relative to the directory descriptor of its parent.
 */
static int walk_open(int rootfd, const char *path, int flags, bool follow_last)
{
	struct walk w = { 0 };
	struct strbuf rest = STRBUF_INIT, tmp = STRBUF_INIT;
	char comp[NAME_MAX + 1];
	char target[PATH_MAX];
	int links = 0, ret = 0;

	walk_push(&w, rootfd);
	strbuf_addstr(&rest, path);
	size_t pos = 0;

	for (;;) {
		const char *p = rest.buf + pos;
		int err = 0;
		if (!next_component(&p, comp, sizeof(comp), &err)) {
			if (err) {
				ret = err;
				goto out;
			}
			/* The path names a directory we already hold. */
			ret = openat(w.fds[w.n - 1], ".", flags | O_CLOEXEC);
			if (ret < 0)
				ret = -errno;
			goto out;
		}
		pos = (size_t)(p - rest.buf);
		bool last = only_slashes(p);
		bool trailing_slash = last && *p == '/';

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (w.n > 1)
				walk_pop_to(&w, w.n - 1);
			continue;
		}

		int top = w.fds[w.n - 1];
		int fd = openat(top, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			goto out;
		}
		struct stat st;
		if (fstatat(fd, "", &st, AT_EMPTY_PATH) < 0) {
			ret = -errno;
			close(fd);
			goto out;
		}
		if (S_ISLNK(st.st_mode) && (!last || follow_last || trailing_slash)) {
			if (++links > MAX_SYMLINKS) {
				close(fd);
				ret = -ELOOP;
				goto out;
			}
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			if (n < 0) {
				ret = -errno;
				goto out;
			}
			if (n == 0) {
				ret = -ENOENT; /* an empty target names nothing, as the kernel says */
				goto out;
			}
			target[n] = '\0';
			if (target[0] == '/')
				walk_pop_to(&w, 1);
			/*
			 * The target, then what followed the link ("" or "/rest"): a '/' in between
			 * only when something follows, or "link -> file" would become "file/", which
			 * is not a directory.
			 */
			strbuf_reset(&tmp);
			strbuf_addstr(&tmp, target);
			strbuf_addstr(&tmp, p);
			strbuf_reset(&rest);
			strbuf_addstr(&rest, strbuf_str(&tmp));
			pos = 0;
			continue;
		}
		if (last && !trailing_slash) {
			close(fd);
			/* O_NOFOLLOW: if the entry was swapped for a symlink meanwhile, fail rather than follow. */
			ret = openat(top, comp, flags | O_NOFOLLOW | O_CLOEXEC);
			if (ret < 0)
				ret = -errno;
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			ret = -ENOTDIR;
			goto out;
		}
		walk_push(&w, fd);
	}
out:
	walk_pop_to(&w, 1);
	free(w.fds);
	strbuf_release(&rest);
	strbuf_release(&tmp);
	return ret;
}

int rootfs_open_fd(const struct rootfs *rfs, const char *path, int flags, bool follow)
{
	const char *rel = path;
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	if (!follow)
		flags |= O_NOFOLLOW;

	if (!rfs->walk_only) {
		struct open_how how;
		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(flags | O_CLOEXEC);
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		long fd;
		/* EAGAIN: a rename raced with a ".." in the path; the kernel asks callers to retry. */
		int tries = 0;
		do
			fd = syscall(SYS_openat2, rfs->dirfd, rel, &how, sizeof(how));
		while (fd < 0 && errno == EAGAIN && ++tries < 16);
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS && errno != EPERM && errno != E2BIG)
			return -errno;
		/* No openat2 here (old kernel or a seccomp filter): remember and walk. */
		((struct rootfs *)rfs)->walk_only = true;
	}
	return walk_open(rfs->dirfd, rel, flags & ~O_NOFOLLOW, follow);
}

static enum rootfs_type mode_type(mode_t m)
{
	if (S_ISREG(m))
		return RFT_REG;
	if (S_ISDIR(m))
		return RFT_DIR;
	if (S_ISLNK(m))
		return RFT_LNK;
	if (S_ISCHR(m))
		return RFT_CHR;
	if (S_ISBLK(m))
		return RFT_BLK;
	if (S_ISFIFO(m))
		return RFT_FIFO;
	if (S_ISSOCK(m))
		return RFT_SOCK;
	return RFT_OTHER;
}

int rootfs_stat(const struct rootfs *rfs, const char *path, bool follow, struct rootfs_stat *out)
{
	int fd = rootfs_open_fd(rfs, path, O_PATH, follow);
	if (fd < 0)
		return fd;
	struct stat st;
	int ret = fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 ? -errno : 0;
	close(fd);
	if (ret == 0) {
		out->type = mode_type(st.st_mode);
		out->size = (uint64_t)st.st_size;
		out->mode = st.st_mode & 07777;
		out->uid = st.st_uid;
		out->gid = st.st_gid;
		out->dev = st.st_dev;
		out->ino = st.st_ino;
	}
	return ret;
}

/* Open a regular file for reading without ever opening a device or FIFO node. */
static int open_regular(const struct rootfs *rfs, const char *path, struct stat *st)
{
	int pfd = rootfs_open_fd(rfs, path, O_PATH, true);
	if (pfd < 0)
		return pfd;
	struct stat pst;
	if (fstatat(pfd, "", &pst, AT_EMPTY_PATH) < 0) {
		int e = -errno;
		close(pfd);
		return e;
	}
	close(pfd);
	if (!S_ISREG(pst.st_mode))
		return -ROOTFS_ENOTREG;
	int fd = rootfs_open_fd(rfs, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, true);
	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_ino != pst.st_ino || st->st_dev != pst.st_dev) {
		close(fd);
		return -ROOTFS_ENOTREG; /* replaced between the two opens */
	}
	return fd;
}

int rootfs_read(const struct rootfs *rfs, const char *path, size_t max, char **data, size_t *len)
{
	struct stat st;
	int fd = open_regular(rfs, path, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return -ROOTFS_ETOOBIG;
	}
	size_t alloc = (size_t)st.st_size + 1 < 4096 ? 4096 : (size_t)st.st_size + 1;
	if (alloc > max + 1)
		alloc = max + 1;
	char *buf = xmalloc(alloc + 1);
	size_t n = 0;
	int ret = 0;
	for (;;) {
		if (n == alloc) {
			if (alloc > max) { /* the file grew past the limit while we read */
				ret = -ROOTFS_ETOOBIG;
				break;
			}
			alloc = alloc * 2 > max + 1 ? max + 1 : alloc * 2;
			buf = xrealloc(buf, alloc + 1);
		}
		ssize_t r = read(fd, buf + n, alloc - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (ret == 0 && n > max)
		ret = -ROOTFS_ETOOBIG;
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*data = buf;
	if (len)
		*len = n;
	return 0;
}

int rootfs_read_head(const struct rootfs *rfs, const char *path, void *buf, size_t n, size_t *got)
{
	struct stat st;
	int fd = open_regular(rfs, path, &st);
	if (fd < 0)
		return fd;
	size_t have = 0;
	int ret = 0;
	while (have < n) {
		ssize_t r = read(fd, (char *)buf + have, n - have);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	close(fd);
	*got = have;
	return ret;
}

int rootfs_list(const struct rootfs *rfs, const char *dir, struct strvec *names)
{
	int fd = rootfs_open_fd(rfs, dir, O_RDONLY | O_DIRECTORY, true);
	if (fd < 0)
		return fd;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = -errno;
		close(fd);
		return e;
	}
	int ret = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (names->n >= ROOTFS_MAX_DIRENTS) {
			ret = -ROOTFS_ETOOMANY;
			break;
		}
		strvec_push(names, de->d_name);
	}
	if (!ret && errno)
		ret = -errno;
	closedir(d);
	strvec_sort(names);
	return ret;
}

int rootfs_readlink(const struct rootfs *rfs, const char *path, char **target)
{
	int fd = rootfs_open_fd(rfs, path, O_PATH, false);
	if (fd < 0)
		return fd;
	char buf[PATH_MAX];
	ssize_t n = readlinkat(fd, "", buf, sizeof(buf) - 1);
	int e = n < 0 ? -errno : 0;
	close(fd);
	if (e)
		return e;
	buf[n] = '\0';
	*target = xstrdup(buf);
	return 0;
}
