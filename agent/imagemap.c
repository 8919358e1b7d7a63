/* Reading the virtual disk inside an image: qcow2, sparse vmdk and dynamic vhd mappings, raw passthrough. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "imagefmt.h"
#include "banned.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Bounds on what an untrusted header can make us allocate. */
#define MAX_L1_BYTES (32u << 20)
#define MAX_COMPRESSED (4u << 20)

enum map_kind { MAP_RAW, MAP_QCOW2, MAP_VMDK, MAP_VHD };

struct img_map {
	enum map_kind kind;
	struct img_io io;
	uint64_t base, vsize;
	char *error;
	uint8_t *scratch; /* one cluster/grain, for compressed data */
	/* qcow2 */
	uint32_t cluster_bits;
	uint64_t *l1;
	uint32_t l1_size;
	uint64_t *l2;     /* the cached L2 table */
	uint64_t l2_off;  /* its file offset, 0 when none */
	/* vmdk */
	uint64_t grain, gt_cover, gd_off;
	uint32_t gtes;
	uint32_t *gt;
	uint64_t gt_off;
	bool compressed;
	/* vhd */
	uint64_t bat_off;
	uint32_t bat_entries, block_size, bitmap_bytes;
};

static int read_exact(const struct img_io *io, uint64_t off, void *buf, size_t len)
{
	if (off > io->size || len > io->size - off)
		return -EIO; /* a table pointing past the end of the file */
	int64_t n = io->pread(io->arg, off, buf, len);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static void map_fail(struct img_map *m, const char *fmt, ...) ATTR_PRINTF(2, 3);
static void map_fail(struct img_map *m, const char *fmt, ...)
{
	if (m->error)
		return;
	va_list ap;
	va_start(ap, fmt);
	m->error = xvasprintf(fmt, ap);
	va_end(ap);
}

const char *imgmap_error(const struct img_map *m)
{
	return m->error;
}

uint64_t imgmap_size(const struct img_map *m)
{
	return m->vsize;
}

void imgmap_close(struct img_map *m)
{
	if (!m)
		return;
	free(m->error);
	free(m->scratch);
	free(m->l1);
	free(m->l2);
	free(m->gt);
	free(m);
}

static int open_qcow2(struct img_map *m, const struct img_info *info, char **err)
{
	if (info->qcow2.incompatible & (1ull << 4)) {
		*err = xstrdup("qcow2 extended L2 entries (subclusters) are not supported");
		return -ENOTSUP;
	}
	if (info->split || info->encrypted) {
		*err = xstrdup(info->encrypted ? "the image is encrypted" : "the guest data is in an external file");
		return -ENOTSUP;
	}
	m->kind = MAP_QCOW2;
	m->cluster_bits = info->qcow2.cluster_bits;
	m->l1_size = info->qcow2.l1_size;
	size_t bytes = (size_t)m->l1_size * 8;
	if (bytes > MAX_L1_BYTES) {
		*err = xasprintf("the qcow2 L1 table (%u entries) is implausibly large", (unsigned)m->l1_size);
		return -EINVAL;
	}
	uint8_t *raw = xmalloc(bytes ? bytes : 1);
	int ret = read_exact(&m->io, info->qcow2.l1_offset, raw, bytes);
	if (ret < 0) {
		free(raw);
		*err = xasprintf("the qcow2 L1 table at offset %llu cannot be read", (unsigned long long)info->qcow2.l1_offset);
		return -EINVAL;
	}
	m->l1 = xreallocarray(NULL, m->l1_size ? m->l1_size : 1, sizeof(uint64_t));
	for (uint32_t i = 0; i < m->l1_size; i++)
		m->l1[i] = be64(raw + 8 * (size_t)i);
	free(raw);
	m->l2 = xmalloc((size_t)1 << m->cluster_bits);
	m->scratch = xmalloc((size_t)1 << m->cluster_bits);
	return 0;
}

static int vmdk_stream_footer(struct img_map *m, uint64_t *gd_off)
{
	/* streamOptimized: footer marker, footer header, end-of-stream marker in the last 1536 bytes. */
	uint8_t f[1536];
	if (m->io.size < 1536 + 512 || read_exact(&m->io, m->io.size - 1536, f, sizeof(f)) < 0)
		return -EINVAL;
	if (le32(f + 12) != 3 || memcmp(f + 512, "KDMV", 4) != 0 || le64(f + 1024) != 0 || le32(f + 1036) != 0)
		return -EINVAL;
	*gd_off = le64(f + 512 + 56);
	return 0;
}

static int open_vmdk(struct img_map *m, const struct img_info *info, char **err)
{
	if (info->split || !info->vmdk.sparse_header) {
		*err = xstrdup("the vmdk's data is in separate extent files");
		return -ENOTSUP;
	}
	m->kind = MAP_VMDK;
	m->grain = info->vmdk.grain_size * 512;
	m->gtes = info->vmdk.num_gtes_per_gt;
	m->gt_cover = m->grain * m->gtes;
	m->compressed = (info->vmdk.flags & 0x10000) != 0;
	uint64_t gd = info->vmdk.gd_offset;
	if (gd == UINT64_MAX && vmdk_stream_footer(m, &gd) < 0) {
		*err = xstrdup("the streamOptimized vmdk has no valid footer (the upload or copy may be incomplete)");
		return -EINVAL;
	}
	/* The redundant directory is a fallback for a broken primary one; use it when only it is there. */
	if (gd == 0 || gd == UINT64_MAX)
		gd = info->vmdk.rgd_offset;
	if (gd == 0 || gd > UINT64_MAX / 512) {
		*err = xstrdup("the vmdk grain directory offset is invalid");
		return -EINVAL;
	}
	m->gd_off = gd * 512;
	m->gt = xmalloc((size_t)m->gtes * 4);
	m->scratch = xmalloc((size_t)m->grain);
	return 0;
}

static int open_vhd(struct img_map *m, const struct img_info *info, char **err)
{
	if (info->vhd.type == VHD_FIXED) {
		m->kind = MAP_RAW;
		return 0;
	}
	if (info->vhd.type != VHD_DYNAMIC && info->vhd.type != VHD_DIFFERENCING) {
		*err = xstrdup("the vhd disk type is invalid");
		return -EINVAL;
	}
	if (!info->vhd.block_size || !info->vhd.table_offset) {
		*err = xstrdup("the dynamic vhd header was not read");
		return -EINVAL;
	}
	m->kind = MAP_VHD;
	m->bat_off = info->vhd.table_offset;
	m->bat_entries = info->vhd.max_entries;
	m->block_size = info->vhd.block_size;
	uint32_t sectors = m->block_size / 512;
	m->bitmap_bytes = ((sectors + 7) / 8 + 511) / 512 * 512;
	return 0;
}

int imgmap_open(const struct img_info *info, const struct img_io *io, uint64_t base_offset, struct img_map **out,
		char **err)
{
	*out = NULL;
	*err = NULL;
	if (info->problem) {
		*err = xstrdup(info->problem);
		return -EINVAL;
	}
	if (!info->virtual_size_known) {
		*err = xstrdup("the virtual size is unknown");
		return -EINVAL;
	}
	struct img_map *m = xcalloc(1, sizeof(*m));
	m->io = *io;
	m->base = base_offset;
	m->vsize = info->virtual_size;
	int ret = 0;
	switch (info->format) {
	case IMG_RAW:
		m->kind = MAP_RAW;
		break;
	case IMG_QCOW2:
		ret = open_qcow2(m, info, err);
		break;
	case IMG_VMDK:
		ret = info->vmdk.sparse_header ? open_vmdk(m, info, err) : (m->kind = MAP_RAW, 0);
		break;
	case IMG_VHD:
		ret = open_vhd(m, info, err);
		break;
	default:
		*err = xasprintf("%s images hold no disk that can be read", imagefmt_name(info->format));
		ret = -ENOTSUP;
	}
	if (ret < 0) {
		imgmap_close(m);
		return ret;
	}
	*out = m;
	return 0;
}

/*
 * Where one piece of the virtual disk lives: *host (file offset) and how many bytes stay
 * contiguous from there (*run, at most the end of the cluster/grain/block); *host 0 for
 * unallocated or zero; *compressed when the cluster must be decompressed (then *host is the
 * compressed data and *clen its length, and *run counts from the cluster start's offset *cofs).
 */
struct loc {
	uint64_t host, run, clen, cofs;
	bool compressed;
	bool present; /* host is valid: data in the file (offset 0 is a valid raw offset) */
	bool l1_hole; /* the whole table range is unallocated (qcow2 L1, vmdk GD entry 0) */
	uint64_t hole_run;
};

static int qcow2_locate(struct img_map *m, uint64_t off, struct loc *l)
{
	uint32_t cb = m->cluster_bits;
	uint64_t cs = 1ull << cb, l2n = cs / 8;
	uint64_t l1i = off >> (cb + cb - 3), l2i = (off >> cb) & (l2n - 1);
	uint64_t in = off & (cs - 1);
	memset(l, 0, sizeof(*l));
	l->run = cs - in;
	if (l1i >= m->l1_size) {
		l->l1_hole = true;
		l->hole_run = m->vsize - off;
		return 0;
	}
	uint64_t l2off = m->l1[l1i] & 0x00fffffffffffe00ull;
	if (!l2off) {
		l->l1_hole = true;
		l->hole_run = (l2n - l2i) * cs - in;
		return 0;
	}
	if (l2off != m->l2_off) {
		uint8_t *raw = (uint8_t *)m->l2;
		if (read_exact(&m->io, l2off, raw, cs) < 0) {
			m->l2_off = 0;
			map_fail(m, "the qcow2 L2 table at offset %llu cannot be read", (unsigned long long)l2off);
			return -EIO;
		}
		for (uint64_t i = 0; i < l2n; i++)
			m->l2[i] = be64(raw + 8 * i);
		m->l2_off = l2off;
	}
	uint64_t e = m->l2[l2i];
	if (e & (1ull << 62)) {
		unsigned x = 62 - (cb - 8);
		uint64_t host = e & ((1ull << x) - 1);
		uint64_t nsec = ((e >> x) & ((1ull << (cb - 8)) - 1)) + 1;
		l->compressed = true;
		l->host = host;
		l->clen = nsec * 512 - (host & 511);
		l->cofs = in;
		return 0;
	}
	if (e & 1)
		return 0; /* reads as zeros */
	uint64_t host = e & 0x00fffffffffffe00ull;
	l->host = host ? host + in : 0;
	l->present = host != 0;
	return 0;
}

static int vmdk_locate(struct img_map *m, uint64_t off, struct loc *l)
{
	uint64_t gdi = off / m->gt_cover, gti = (off % m->gt_cover) / m->grain, in = off % m->grain;
	memset(l, 0, sizeof(*l));
	l->run = m->grain - in;
	uint8_t b[4];
	if (read_exact(&m->io, m->gd_off + gdi * 4, b, 4) < 0) {
		map_fail(m, "the vmdk grain directory entry %llu cannot be read", (unsigned long long)gdi);
		return -EIO;
	}
	uint64_t gt = (uint64_t)le32(b) * 512;
	if (!gt) {
		l->l1_hole = true;
		l->hole_run = m->gt_cover - off % m->gt_cover;
		return 0;
	}
	if (gt != m->gt_off) {
		uint8_t *raw = (uint8_t *)m->gt;
		if (read_exact(&m->io, gt, raw, (size_t)m->gtes * 4) < 0) {
			m->gt_off = 0;
			map_fail(m, "the vmdk grain table at offset %llu cannot be read", (unsigned long long)gt);
			return -EIO;
		}
		for (uint32_t i = 0; i < m->gtes; i++)
			m->gt[i] = le32(raw + 4 * (size_t)i);
		m->gt_off = gt;
	}
	uint64_t g = m->gt[gti];
	if (g <= 1)
		return 0; /* 0 unallocated, 1 a zeroed grain */
	if (m->compressed) {
		/* A grain marker: the LBA (8 bytes) and the compressed size (4), then the data. */
		uint8_t hdr[12];
		if (read_exact(&m->io, g * 512, hdr, sizeof(hdr)) < 0) {
			map_fail(m, "the compressed vmdk grain at sector %llu cannot be read", (unsigned long long)g);
			return -EIO;
		}
		l->compressed = true;
		l->host = g * 512 + 12;
		l->clen = le32(hdr + 8);
		l->cofs = in;
		return 0;
	}
	l->host = g * 512 + in;
	l->present = true;
	return 0;
}

static int vhd_locate(struct img_map *m, uint64_t off, struct loc *l)
{
	uint64_t bi = off / m->block_size, in = off % m->block_size;
	memset(l, 0, sizeof(*l));
	l->run = m->block_size - in;
	if (bi >= m->bat_entries)
		return 0;
	uint8_t b[4];
	if (read_exact(&m->io, m->bat_off + bi * 4, b, 4) < 0) {
		map_fail(m, "the vhd block allocation table entry %llu cannot be read", (unsigned long long)bi);
		return -EIO;
	}
	uint32_t s = be32(b);
	if (s == 0xffffffffu)
		return 0;
	l->host = (uint64_t)s * 512 + m->bitmap_bytes + in;
	l->present = true;
	return 0;
}

static int locate(struct img_map *m, uint64_t off, struct loc *l)
{
	switch (m->kind) {
	case MAP_QCOW2:
		return qcow2_locate(m, off, l);
	case MAP_VMDK:
		return vmdk_locate(m, off, l);
	case MAP_VHD:
		return vhd_locate(m, off, l);
	case MAP_RAW:
		break;
	}
	memset(l, 0, sizeof(*l));
	l->host = m->base + off;
	l->present = true;
	l->run = m->vsize - off;
	return 0;
}

static int read_compressed(struct img_map *m, const struct loc *l, uint64_t unit, uint8_t *out, size_t len)
{
	if (!m->io.inflate) {
		map_fail(m, "compressed clusters cannot be read by this build");
		return -ENOTSUP;
	}
	if (l->clen == 0 || l->clen > MAX_COMPRESSED) {
		map_fail(m, "a compressed cluster has an invalid size (%llu bytes)", (unsigned long long)l->clen);
		return -EIO;
	}
	uint8_t *in = xmalloc((size_t)l->clen);
	uint64_t clen = l->clen;
	if (l->host > m->io.size) {
		free(in);
		return -EIO;
	}
	/* qcow2 rounds the compressed size up to sectors, which may run past the end of the file. */
	if (clen > m->io.size - l->host)
		clen = m->io.size - l->host;
	int ret = read_exact(&m->io, l->host, in, (size_t)clen);
	if (ret == 0)
		ret = m->io.inflate(in, (size_t)clen, m->kind == MAP_VMDK, m->scratch, (size_t)unit);
	free(in);
	if (ret < 0) {
		map_fail(m, "a compressed cluster at offset %llu does not decompress", (unsigned long long)l->host);
		return ret;
	}
	memcpy(out, m->scratch + l->cofs, len);
	return 0;
}

int imgmap_read(struct img_map *m, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;
	if (off > m->vsize || len > m->vsize - off)
		return -EINVAL;
	while (len) {
		struct loc l;
		int ret = locate(m, off, &l);
		if (ret < 0)
			return ret;
		uint64_t run = l.l1_hole ? l.hole_run : l.run;
		size_t n = run < len ? (size_t)run : len;
		if (l.compressed) {
			uint64_t unit = m->kind == MAP_QCOW2 ? 1ull << m->cluster_bits : m->grain;
			ret = read_compressed(m, &l, unit, p, n);
		} else if (l.present) {
			int64_t got = m->io.pread(m->io.arg, l.host, p, n);
			if (got < 0)
				return (int)got;
			/* Past the end of a raw file (a truncated image) reads as zeros, as qemu does. */
			if ((size_t)got < n)
				memset(p + got, 0, n - (size_t)got);
			ret = 0;
		} else {
			memset(p, 0, n);
			ret = 0;
		}
		if (ret < 0)
			return ret;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int imgmap_extent(struct img_map *m, uint64_t off, uint64_t *len, bool *data)
{
	*len = 0;
	*data = false;
	if (off >= m->vsize)
		return 0;
	uint64_t left = m->vsize - off;
	if (m->kind == MAP_RAW) {
		if (!m->io.next_data) {
			*len = left;
			*data = true;
			return 0;
		}
		uint64_t s, e;
		int ret = m->io.next_data(m->io.arg, m->base + off, &s, &e);
		if (ret == -ENXIO) {
			*len = left;
			return 0;
		}
		if (ret < 0)
			return ret;
		if (s > m->base + off) {
			*len = s - (m->base + off);
		} else {
			*len = e - (m->base + off);
			*data = true;
		}
		if (*len > left || *len == 0)
			*len = left;
		return 0;
	}
	struct loc l;
	int ret = locate(m, off, &l);
	if (ret < 0)
		return ret;
	*len = l.l1_hole ? l.hole_run : l.run;
	*data = !l.l1_hole && (l.present || l.compressed);
	if (*len > left)
		*len = left;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int imgmap_count_nonzero(struct img_map *m, struct img_count *out)
{
	memset(out, 0, sizeof(*out));
	uint8_t *buf = xmalloc(QCOW2_CLUSTER);
	const uint64_t l2_cover = (uint64_t)QCOW2_CLUSTER * (QCOW2_CLUSTER / 8);
	uint64_t off = 0, last_checked = UINT64_MAX, last_l2 = UINT64_MAX;
	int ret = 0;
	while (off < m->vsize) {
		uint64_t len;
		bool data;
		ret = imgmap_extent(m, off, &len, &data);
		if (ret < 0)
			goto out;
		if (len == 0)
			break;
		uint64_t end = off + len;
		if (data) {
			/* Whole 64 KiB clusters of the virtual disk, each read and judged once. */
			for (uint64_t c = off / QCOW2_CLUSTER; c * QCOW2_CLUSTER < end; c++) {
				if (c == last_checked)
					continue;
				uint64_t coff = c * QCOW2_CLUSTER;
				size_t n = m->vsize - coff < QCOW2_CLUSTER ? (size_t)(m->vsize - coff) : QCOW2_CLUSTER;
				ret = imgmap_read(m, coff, buf, n);
				if (ret < 0)
					goto out;
				out->data_read += n;
				last_checked = c;
				if (!all_zero(buf, n)) {
					out->nonzero_clusters++;
					if (coff / l2_cover != last_l2) {
						last_l2 = coff / l2_cover;
						out->l2_tables++;
					}
				}
			}
		}
		off = end;
	}
out:
	free(buf);
	return ret;
}

uint64_t qcow2_size_estimate(uint64_t vsize, uint64_t nonzero, uint64_t l2_tables)
{
	const uint64_t cs = QCOW2_CLUSTER;
	uint64_t l1_entries = vsize / (cs * (cs / 8)) + (vsize % (cs * (cs / 8)) != 0);
	uint64_t l1_clusters = (l1_entries * 8 + cs - 1) / cs;
	if (!l1_clusters)
		l1_clusters = 1;
	/* Header, L1, L2 tables and data, then refcount blocks (16-bit: 32768 clusters each) and their table. */
	uint64_t clusters = 1 + l1_clusters + l2_tables + nonzero;
	uint64_t rb = 0, rt = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t total = clusters + rb + rt;
		uint64_t nrb = (total + 32767) / 32768;
		uint64_t nrt = (nrb * 8 + cs - 1) / cs;
		if (nrb == rb && nrt == rt)
			break;
		rb = nrb;
		rt = nrt;
	}
	/*
	 * qemu lays out header, refcount table, refcount block, then L1; with no data cluster
	 * after it, the file ends where the L1 table's used bytes end.
	 */
	if (!nonzero && !l2_tables)
		return (1 + rt + rb) * cs + l1_entries * 8;
	return (clusters + rb + rt) * cs;
}
