/* The path layer on Windows: the live system only (--root is Linux-only); UTF-8 paths, bounded reads. */
#include "rootfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "winsys.h"
#include "banned.h"

struct rootfs {
	char *root;
};

int rootfs_open(const char *root, struct rootfs **out)
{
	if (root)
		return -EINVAL;
	struct rootfs *rfs = xcalloc(1, sizeof(*rfs));
	rfs->root = xstrdup("/");
	*out = rfs;
	return 0;
}

void rootfs_close(struct rootfs *rfs)
{
	if (!rfs)
		return;
	free(rfs->root);
	free(rfs);
}

bool rootfs_is_live(const struct rootfs *rfs)
{
	(void)rfs;
	return true;
}

const char *rootfs_root(const struct rootfs *rfs)
{
	return rfs->root;
}

char *rootfs_display(const struct rootfs *rfs, const char *path)
{
	(void)rfs;
	return xstrdup(path);
}

static HANDLE open_regular(const char *path, uint64_t *size, int *err)
{
	wchar_t *w = win_widen(path);
	if (!w) {
		*err = -EINVAL;
		return INVALID_HANDLE_VALUE;
	}
	HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			       OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		*err = win_errno(GetLastError());
		return h;
	}
	LARGE_INTEGER li;
	if (GetFileType(h) != FILE_TYPE_DISK || !GetFileSizeEx(h, &li)) {
		CloseHandle(h);
		*err = -ROOTFS_ENOTREG;
		return INVALID_HANDLE_VALUE;
	}
	*size = (uint64_t)li.QuadPart;
	return h;
}

int rootfs_read(const struct rootfs *rfs, const char *path, size_t max, char **data, size_t *len)
{
	(void)rfs;
	int err = 0;
	uint64_t size = 0;
	HANDLE h = open_regular(path, &size, &err);
	if (h == INVALID_HANDLE_VALUE)
		return err;
	if (size > max) {
		CloseHandle(h);
		return -ROOTFS_ETOOBIG;
	}
	char *buf = xmalloc((size_t)size + 1);
	size_t have = 0;
	while (have < size) {
		DWORD got = 0;
		if (!ReadFile(h, buf + have, (DWORD)(size - have), &got, NULL)) {
			CloseHandle(h);
			free(buf);
			return -EIO;
		}
		if (got == 0)
			break;
		have += got;
	}
	CloseHandle(h);
	buf[have] = '\0';
	*data = buf;
	if (len)
		*len = have;
	return 0;
}

int rootfs_read_head(const struct rootfs *rfs, const char *path, void *buf, size_t n, size_t *got)
{
	(void)rfs;
	int err = 0;
	uint64_t size = 0;
	HANDLE h = open_regular(path, &size, &err);
	if (h == INVALID_HANDLE_VALUE)
		return err;
	DWORD r = 0;
	BOOL ok = ReadFile(h, buf, (DWORD)n, &r, NULL);
	CloseHandle(h);
	*got = r;
	return ok ? 0 : -EIO;
}

int rootfs_stat(const struct rootfs *rfs, const char *path, bool follow, struct rootfs_stat *st)
{
	(void)rfs;
	(void)follow;
	wchar_t *w = win_widen(path);
	if (!w)
		return -EINVAL;
	WIN32_FILE_ATTRIBUTE_DATA a;
	BOOL ok = GetFileAttributesExW(w, GetFileExInfoStandard, &a);
	free(w);
	if (!ok)
		return win_errno(GetLastError());
	memset(st, 0, sizeof(*st));
	st->type = (a.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? RFT_DIR : RFT_REG;
	st->size = ((uint64_t)a.nFileSizeHigh << 32) | a.nFileSizeLow;
	return 0;
}

int rootfs_list(const struct rootfs *rfs, const char *dir, struct strvec *names)
{
	(void)rfs;
	char *pat = xasprintf("%s\\*", dir);
	wchar_t *w = win_widen(pat);
	free(pat);
	if (!w)
		return -EINVAL;
	WIN32_FIND_DATAW fd;
	HANDLE h = FindFirstFileW(w, &fd);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return win_errno(GetLastError());
	int ret = 0;
	do {
		if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
			continue;
		if (names->n >= ROOTFS_MAX_DIRENTS) {
			ret = -ROOTFS_ETOOMANY;
			break;
		}
		char buf[MAX_PATH * 4];
		if (WideCharToMultiByte(CP_UTF8, 0, fd.cFileName, -1, buf, sizeof(buf), NULL, NULL) > 0)
			strvec_push(names, buf);
	} while (FindNextFileW(h, &fd));
	FindClose(h);
	strvec_sort(names);
	return ret;
}

int rootfs_readlink(const struct rootfs *rfs, const char *path, char **target)
{
	(void)rfs;
	(void)path;
	(void)target;
	return -EINVAL;
}
