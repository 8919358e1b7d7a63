/* Local image files on Linux: pread, SEEK_DATA/SEEK_HOLE, zlib for compressed clusters, libblkid on ranges. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid.h>
#include <zlib.h>

#include "imagesrc.h"
#include "banned.h"

const char image_file_hole_method[] = "SEEK_DATA/SEEK_HOLE";

struct lfile {
	int fd;
	uint64_t size;
	bool no_seek_data; /* the filesystem does not report holes: all of it is data */
};

static int64_t lf_pread(void *arg, uint64_t off, void *buf, size_t len)
{
	struct lfile *lf = arg;
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(lf->fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (int64_t)got;
}

static int lf_next_data(void *arg, uint64_t off, uint64_t *start, uint64_t *end)
{
	struct lfile *lf = arg;
	if (off >= lf->size)
		return -ENXIO;
	if (lf->no_seek_data) {
		*start = off;
		*end = lf->size;
		return 0;
	}
	off_t d = lseek(lf->fd, (off_t)off, SEEK_DATA);
	if (d < 0) {
		if (errno == ENXIO)
			return -ENXIO;
		if (errno == EINVAL || errno == EOPNOTSUPP) {
			lf->no_seek_data = true;
			return lf_next_data(arg, off, start, end);
		}
		return -errno;
	}
	off_t h = lseek(lf->fd, d, SEEK_HOLE);
	if (h < 0)
		return -errno;
	*start = (uint64_t)d;
	*end = (uint64_t)h;
	return 0;
}

static int lf_inflate(const void *in, size_t in_len, bool zlib_header, void *out, size_t out_len)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* qcow2 writes raw deflate (a 4 KiB window, which a 32 KiB window reads too); vmdk a zlib stream. */
	if (inflateInit2(&z, zlib_header ? 15 : -15) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)in_len;
	z.next_out = out;
	z.avail_out = (uInt)out_len;
	int rc = inflate(&z, Z_FINISH);
	size_t got = out_len - z.avail_out;
	inflateEnd(&z);
	if (rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && got == out_len) && !(rc == Z_OK && got == out_len))
		return -EIO;
	if (got < out_len)
		memset((char *)out + got, 0, out_len - got);
	return 0;
}

int image_file_open(const char *path, struct image_file **out)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	struct lfile *lf = xcalloc(1, sizeof(*lf));
	lf->fd = fd;
	lf->size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);
		lf->size = end > 0 ? (uint64_t)end : 0;
		lf->no_seek_data = true;
	}
	struct image_file *f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->io.pread = lf_pread;
	f->io.next_data = lf_next_data;
	f->io.inflate = lf_inflate;
	f->io.arg = lf;
	f->io.size = lf->size;
	*out = f;
	return 0;
}

void image_file_close(struct image_file *f)
{
	if (!f)
		return;
	struct lfile *lf = f->io.arg;
	if (lf) {
		close(lf->fd);
		free(lf);
	}
	free(f->path);
	free(f);
}

static int probe_fd(int fd, uint64_t off, uint64_t size, char **type)
{
	*type = NULL;
	blkid_probe pr = blkid_new_probe();
	if (!pr)
		return -ENOMEM;
	int ret = 0;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) != 0) {
		ret = -EIO;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	blkid_probe_enable_partitions(pr, 0);
	int rc = blkid_do_safeprobe(pr);
	const char *v = NULL;
	if (rc == 0 && blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0 && v)
		*type = xstrdup(v);
	else if (rc == -2)
		*type = xstrdup("ambiguous");
out:
	blkid_free_probe(pr);
	return ret;
}

/* Copy [off, off + len) of the virtual disk into the same place of fd. */
static int copy_range(struct img_map *m, int fd, uint64_t base, uint64_t off, uint64_t len)
{
	uint8_t *buf = xmalloc(64 * 1024);
	int ret = 0;
	while (len) {
		size_t n = len < 64 * 1024 ? (size_t)len : 64 * 1024;
		ret = imgmap_read(m, base + off, buf, n);
		if (ret < 0)
			break;
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) {
			ret = -errno;
			break;
		}
		off += n;
		len -= n;
	}
	free(buf);
	return ret;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * libblkid reads a device, not a callback: give it a sparse in-memory file of the range's size
 * holding the blocks superblock probes look at (the first MiB, the last 128 KiB, and for NTFS
 * the first MFT record, which its prober checks).
 */
static int probe_mapped(struct img_map *m, uint64_t off, uint64_t size, char **type)
{
	int fd = memfd_create("cvmprep-probe", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int ret = ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
	uint64_t head = size < (1u << 20) ? size : (1u << 20);
	if (ret == 0)
		ret = copy_range(m, fd, off, 0, head);
	if (ret == 0 && size > head) {
		uint64_t tail = size - head < (128u << 10) ? size - head : (128u << 10);
		ret = copy_range(m, fd, off, size - tail, tail);
	}
	uint8_t bs[512];
	if (ret == 0 && size >= 512 && pread(fd, bs, sizeof(bs), 0) == (ssize_t)sizeof(bs) &&
	    memcmp(bs + 3, "NTFS    ", 8) == 0) {
		uint64_t sector = (uint64_t)(bs[11] | bs[12] << 8), spc = bs[13];
		uint64_t mft = le64(bs + 48) * sector * spc;
		if (sector && spc && mft < size && size - mft >= 4096)
			ret = copy_range(m, fd, off, mft, 4096);
	}
	if (ret == 0)
		ret = probe_fd(fd, 0, size, type);
	close(fd);
	return ret;
}

int image_probe_fs(struct image_file *file, uint64_t base, struct img_map *m, uint64_t off, uint64_t size,
		   char **type)
{
	*type = NULL;
	if (size == 0)
		return 0;
	if (file) {
		struct lfile *lf = file->io.arg;
		if (base + off >= lf->size)
			return 0;
		if (size > lf->size - (base + off))
			size = lf->size - (base + off);
		return probe_fd(lf->fd, base + off, size, type);
	}
	return probe_mapped(m, off, size, type);
}
