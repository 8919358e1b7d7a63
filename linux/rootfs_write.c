/* The write side of the path layer: parent directories resolved inside the root, and mkdir -p. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs_write.h"
#include "banned.h"

#define MAX_LINKS 40

static void split(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*dir = xstrdup("/");
		*base = xstrdup(path);
	} else {
		*dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
		*base = xstrdup(slash + 1);
	}
}

int rootfs_parent(const struct rootfs *rfs, const char *path, bool follow_last, int *dfd_out, char **base_out)
{
	char *cur = xstrdup(path);
	for (int links = 0;; links++) {
		char *dir, *base;
		split(cur, &dir, &base);
		if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
			free(dir);
			free(base);
			free(cur);
			return -EINVAL;
		}
		int dfd = rootfs_open_fd(rfs, dir, O_RDONLY | O_DIRECTORY, true);
		if (dfd < 0) {
			free(dir);
			free(base);
			free(cur);
			return dfd;
		}
		struct stat st;
		if (follow_last && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(dfd, base, target, sizeof(target) - 1);
			close(dfd);
			if (n < 0 || links >= MAX_LINKS) {
				int e = n < 0 ? -errno : -ELOOP;
				free(dir);
				free(base);
				free(cur);
				return e;
			}
			target[n] = '\0';
			char *next = target[0] == '/' ? xstrdup(target)
						      : xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, target);
			free(cur);
			cur = next;
			free(dir);
			free(base);
			continue;
		}
		free(dir);
		free(cur);
		*dfd_out = dfd;
		*base_out = base;
		return 0;
	}
}

int rootfs_mkdirs(const struct rootfs *rfs, const char *path, unsigned mode)
{
	struct strvec parts = STRVEC_INIT;
	str_split(&parts, path, "/");
	struct strbuf cur = STRBUF_INIT;
	int ret = 0;
	for (size_t i = 0; i < parts.n && ret == 0; i++) {
		if (strcmp(parts.v[i], ".") == 0 || strcmp(parts.v[i], "..") == 0) {
			ret = -EINVAL;
			break;
		}
		const char *parent = cur.len ? strbuf_str(&cur) : "/";
		int dfd = rootfs_open_fd(rfs, parent, O_RDONLY | O_DIRECTORY, true);
		if (dfd < 0) {
			ret = dfd;
			break;
		}
		if (mkdirat(dfd, parts.v[i], mode) < 0) {
			if (errno != EEXIST) {
				ret = -errno;
			} else {
				/* It exists: as a directory, or a symlink the next open resolves inside the root. */
				struct stat st;
				close(dfd);
				char *sub = xasprintf("%s/%s", cur.len ? strbuf_str(&cur) : "", parts.v[i]);
				dfd = rootfs_open_fd(rfs, sub, O_PATH | O_DIRECTORY, true);
				free(sub);
				if (dfd < 0 || fstat(dfd, &st) < 0 || !S_ISDIR(st.st_mode))
					ret = -ENOTDIR;
				if (dfd < 0) {
					dfd = -1;
				}
			}
		}
		if (dfd >= 0)
			close(dfd);
		strbuf_addch(&cur, '/');
		strbuf_addstr(&cur, parts.v[i]);
	}
	strbuf_release(&cur);
	strvec_clear(&parts);
	return ret;
}
