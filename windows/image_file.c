/* Local image files on Windows: positional reads with ReadFile; no hole map, no libblkid, no zlib here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "imagesrc.h"
#include "banned.h"

const char image_file_hole_method[] = "a read of every cluster";

struct wfile {
	HANDLE h;
};

static int64_t wf_pread(void *arg, uint64_t off, void *buf, size_t len)
{
	struct wfile *wf = arg;
	size_t got = 0;
	while (got < len) {
		OVERLAPPED ov;
		memset(&ov, 0, sizeof(ov));
		uint64_t o = off + got;
		ov.Offset = (DWORD)o;
		ov.OffsetHigh = (DWORD)(o >> 32);
		DWORD want = len - got > (1u << 30) ? (1u << 30) : (DWORD)(len - got), n = 0;
		if (!ReadFile(wf->h, (char *)buf + got, want, &n, &ov)) {
			if (GetLastError() == ERROR_HANDLE_EOF)
				break;
			return -EIO;
		}
		if (n == 0)
			break;
		got += n;
	}
	return (int64_t)got;
}

int image_file_open(const char *path, struct image_file **out)
{
	*out = NULL;
	int n = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
	if (n <= 0)
		return -EINVAL;
	wchar_t *w = xmalloc((size_t)n * sizeof(wchar_t));
	MultiByteToWideChar(CP_UTF8, 0, path, -1, w, n);
	HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
			       FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? -ENOENT
		       : e == ERROR_ACCESS_DENIED ? -EACCES : -EIO;
	}
	LARGE_INTEGER sz;
	if (!GetFileSizeEx(h, &sz)) {
		CloseHandle(h);
		return -EIO;
	}
	struct wfile *wf = xcalloc(1, sizeof(*wf));
	wf->h = h;
	struct image_file *f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->io.pread = wf_pread;
	f->io.arg = wf;
	f->io.size = (uint64_t)sz.QuadPart;
	*out = f;
	return 0;
}

void image_file_close(struct image_file *f)
{
	if (!f)
		return;
	struct wfile *wf = f->io.arg;
	if (wf) {
		CloseHandle(wf->h);
		free(wf);
	}
	free(f->path);
	free(f);
}

int image_probe_fs(struct image_file *file, uint64_t base, struct img_map *m, uint64_t off, uint64_t size,
		   char **type)
{
	(void)file;
	(void)base;
	(void)m;
	(void)off;
	(void)size;
	*type = NULL;
	return -ENOTSUP;
}
