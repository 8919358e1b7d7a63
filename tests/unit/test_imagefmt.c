/* Unit tests: image formats from header bytes, truncated and corrupt ones, the block maps, the qcow2 size. */
#include <errno.h>
#include <stdlib.h>

#include "unit.h"

#include "imagefmt.h"
#include "banned.h"

static void be32put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static void be64put(uint8_t *p, uint64_t v)
{
	be32put(p, (uint32_t)(v >> 32));
	be32put(p + 4, (uint32_t)v);
}
static void le32put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void le64put(uint8_t *p, uint64_t v)
{
	le32put(p, (uint32_t)v);
	le32put(p + 4, (uint32_t)(v >> 32));
}

#define HEAD 65536

/* A qcow2 v3 header: 64 KiB clusters, the given size, an L1 table big enough. */
static void qcow2_header(uint8_t *h, uint32_t version, uint64_t size)
{
	memcpy(h, "QFI\xfb", 4);
	be32put(h + 4, version);
	be32put(h + 20, 16);
	be64put(h + 24, size);
	uint64_t per = 65536ull * 8192;
	be32put(h + 36, (uint32_t)(size / per + (size % per != 0)));
	be64put(h + 40, 3 * 65536);
	if (version == 3)
		be32put(h + 100, 104);
}

static void vhd_footer(uint8_t *f, uint32_t type, uint64_t size, const char *creator, uint16_t cyl, uint8_t heads,
		       uint8_t spt)
{
	memcpy(f, "conectix", 8);
	be64put(f + 16, type == 2 ? UINT64_MAX : 512);
	memcpy(f + 28, creator, 4);
	be64put(f + 40, size);
	be64put(f + 48, size);
	f[56] = (uint8_t)(cyl >> 8);
	f[57] = (uint8_t)cyl;
	f[58] = heads;
	f[59] = spt;
	be32put(f + 60, type);
	uint32_t sum = 0;
	for (int i = 0; i < 512; i++)
		if (i < 64 || i >= 68)
			sum += f[i];
	be32put(f + 64, ~sum);
}

static void vmdk_header(uint8_t *h, uint64_t capacity, const char *desc)
{
	memcpy(h, "KDMV", 4);
	le32put(h + 4, 1);
	le32put(h + 8, 3);
	le64put(h + 12, capacity);
	le64put(h + 20, 128);
	le64put(h + 28, 1);
	le64put(h + 36, 20);
	le32put(h + 44, 512);
	le64put(h + 56, 21);
	if (desc)
		memcpy(h + 512, desc, strlen(desc));
}

struct row {
	const char *what;
	enum img_format fmt;
	const char *variant;
	long long vsize;   /* -1: unknown */
	const char *problem; /* substring, or NULL for none */
	bool delta, split;
};

static void check(size_t i, const struct row *r, const struct img_info *in)
{
	EXPECT_STR(i, r->what, imagefmt_name(in->format), imagefmt_name(r->fmt));
	if (r->variant)
		EXPECT_STR(i, r->what, in->variant, r->variant);
	EXPECT_INT(i, r->what, in->virtual_size_known ? (long long)in->virtual_size : -1, r->vsize);
	if (r->problem) {
		if (!in->problem || !strstr(in->problem, r->problem))
			fail_msg("row %zu (%s): problem '%s', want '%s'", i, r->what, in->problem ? in->problem : "(none)",
				 r->problem);
	} else if (in->problem) {
		fail_msg("row %zu (%s): unexpected problem '%s'", i, r->what, in->problem);
	}
	EXPECT_INT(i, r->what, in->delta, r->delta);
	EXPECT_INT(i, r->what, in->split, r->split);
}

static const char sparse_desc[] = "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
				  "createType=\"monolithicSparse\"\n\n# Extent description\nRW 2097152 SPARSE \"d.vmdk\"\n";
static const char delta_desc[] = "# Disk DescriptorFile\nversion=1\nCID=aaaaaaaa\nparentCID=12345678\n"
				 "createType=\"monolithicSparse\"\nparentFileNameHint=\"base.vmdk\"\n"
				 "RW 2097152 SPARSE \"d-000001.vmdk\"\n";
static const char flat_desc[] = "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
				"createType=\"monolithicFlat\"\nRW 4194304 FLAT \"d-flat.vmdk\" 0\n";
static const char esx_delta_desc[] = "# Disk DescriptorFile\nCID=1\nparentCID=ffffffff\ncreateType=\"vmfsSparse\"\n"
				     "RW 2048 VMFSSPARSE \"d-delta.vmdk\"\n";

static void t_identify(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "qcow2 v3", IMG_QCOW2, "v3", 1ll << 30, NULL, false, false },
		{ "qcow2 v2", IMG_QCOW2, "v2", 1ll << 30, NULL, false, false },
		{ "qcow2 with a backing file", IMG_QCOW2, "v3", 1ll << 30, NULL, true, false },
		{ "qcow2 cut at 50 bytes", IMG_QCOW2, NULL, -1, "truncated: 50 of 72", false, false },
		{ "qcow2 v3 cut at 90 bytes", IMG_QCOW2, NULL, 1ll << 30, "truncated: 90 of 104", false, false },
		{ "qcow2 version 4", IMG_QCOW2, "v4", -1, "version 4", false, false },
		{ "qcow2 cluster bits 8", IMG_QCOW2, "v3", -1, "cluster size", false, false },
		{ "qcow2 backing name of 2000 bytes", IMG_QCOW2, "v3", 1ll << 30, "backing file name", true, false },
		{ "qcow2 L1 table too small", IMG_QCOW2, "v3", 1ll << 40, "L1 table", false, false },
		{ "qcow2 marked corrupt", IMG_QCOW2, "v3", 1ll << 30, "corrupt", false, false },
		{ "qcow2 external data file", IMG_QCOW2, "v3", 1ll << 30, NULL, false, true },
		{ "vhd dynamic (qemu, CHS size)", IMG_VHD, "dynamic", 1024ll * 16 * 63 * 512, NULL, false, false },
		{ "vhd fixed, footer at the end", IMG_VHD, "fixed", 1024ll * 16 * 63 * 512, NULL, false, false },
		{ "vhd fixed by Hyper-V (current size)", IMG_VHD, "fixed", 1ll << 30, NULL, false, false },
		{ "vhd differencing", IMG_VHD, "differencing", 1024ll * 16 * 63 * 512, NULL, true, false },
		{ "vhd disk type 7", IMG_VHD, NULL, -1, "disk type 7", false, false },
		{ "vhd dynamic without cxsparse", IMG_VHD, "dynamic", 1024ll * 16 * 63 * 512, "cxsparse", false, false },
		{ "vhd footer copy cut at 300 bytes", IMG_VHD, NULL, -1, "truncated", false, false },
		{ "vmdk monolithicSparse", IMG_VMDK, "monolithicSparse", 1ll << 30, NULL, false, false },
		{ "vmdk sparse delta (parentCID)", IMG_VMDK, "monolithicSparse", 1ll << 30, NULL, true, false },
		{ "vmdk sparse header cut at 60 bytes", IMG_VMDK, NULL, -1, "truncated", false, false },
		{ "vmdk grain size 3", IMG_VMDK, NULL, -1, "grain size", false, false },
		{ "vmdk descriptor, monolithicFlat", IMG_VMDK, "monolithicFlat", 2ll << 30, NULL, false, true },
		{ "vmdk descriptor, ESXi vmfsSparse delta", IMG_VMDK, "vmfsSparse", 2048ll * 512, NULL, true, true },
		{ "vmdk descriptor without extents", IMG_VMDK, NULL, -1, "no extent", false, false },
		{ "vhdx", IMG_VHDX, NULL, -1, NULL, false, false },
		{ "qed", IMG_QED, NULL, -1, NULL, false, false },
		{ "vdi", IMG_VDI, NULL, -1, NULL, false, false },
		{ "gzip", IMG_GZIP, NULL, -1, NULL, false, false },
		{ "xz", IMG_XZ, NULL, -1, NULL, false, false },
		{ "bzip2", IMG_BZIP2, NULL, -1, NULL, false, false },
		{ "zstd", IMG_ZSTD, NULL, -1, NULL, false, false },
		{ "zip", IMG_ZIP, NULL, -1, NULL, false, false },
		{ "7z", IMG_7Z, NULL, -1, NULL, false, false },
		{ "ova (tar with an .ovf first)", IMG_TAR, "ova", -1, NULL, false, false },
		{ "ISO 9660", IMG_ISO, NULL, -1, NULL, false, false },
		{ "raw with an MBR", IMG_RAW, NULL, 10ll << 20, NULL, false, false },
		{ "raw of 1000 bytes (a partial sector counts)", IMG_RAW, NULL, 1024, NULL, false, false },
		{ "nothing at all", IMG_RAW, NULL, -1, NULL, false, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint8_t *h = xcalloc(1, HEAD), tail[512] = { 0 };
		size_t len = HEAD, tl = 0;
		uint64_t total = 10 << 20;
		const char *w = rows[i].what;
		if (strcmp(w, "qcow2 v3") == 0) {
			qcow2_header(h, 3, 1ull << 30);
		} else if (strcmp(w, "qcow2 v2") == 0) {
			qcow2_header(h, 2, 1ull << 30);
		} else if (strcmp(w, "qcow2 with a backing file") == 0) {
			qcow2_header(h, 3, 1ull << 30);
			be64put(h + 8, 512);
			be32put(h + 16, 10);
			memcpy(h + 512, "base.qcow2", 10);
		} else if (strcmp(w, "qcow2 cut at 50 bytes") == 0) {
			qcow2_header(h, 3, 1ull << 30);
			len = 50;
		} else if (strcmp(w, "qcow2 v3 cut at 90 bytes") == 0) {
			qcow2_header(h, 3, 1ull << 30);
			len = 90;
		} else if (strcmp(w, "qcow2 version 4") == 0) {
			qcow2_header(h, 4, 1ull << 30);
		} else if (strcmp(w, "qcow2 cluster bits 8") == 0) {
			qcow2_header(h, 3, 1ull << 30);
			be32put(h + 20, 8);
		} else if (strcmp(w, "qcow2 backing name of 2000 bytes") == 0) {
			qcow2_header(h, 3, 1ull << 30);
			be64put(h + 8, 512);
			be32put(h + 16, 2000);
		} else if (strcmp(w, "qcow2 L1 table too small") == 0) {
			qcow2_header(h, 3, 1ull << 40);
			be32put(h + 36, 1);
		} else if (strcmp(w, "qcow2 marked corrupt") == 0) {
			qcow2_header(h, 3, 1ull << 30);
			be64put(h + 72, 2);
		} else if (strcmp(w, "qcow2 external data file") == 0) {
			qcow2_header(h, 3, 1ull << 30);
			be64put(h + 72, 4);
		} else if (strstr(w, "vhd dynamic") || strcmp(w, "vhd differencing") == 0 || strstr(w, "disk type 7")) {
			uint32_t type = strstr(w, "differencing") ? 4 : strstr(w, "type 7") ? 7 : 3;
			vhd_footer(h, type, 1ull << 30, "qemu", 1024, 16, 63);
			memcpy(tail, h, 512);
			tl = 512;
			if (!strstr(w, "without cxsparse"))
				memcpy(h + 512, "cxsparse", 8);
			be64put(h + 512 + 16, 1536);
			be32put(h + 512 + 28, 512);
			be32put(h + 512 + 32, 2 << 20);
			if (type == 4) {
				h[512 + 64 + 1] = 'b';
				h[512 + 64 + 3] = '.';
				h[512 + 64 + 5] = 'v';
			}
		} else if (strcmp(w, "vhd fixed, footer at the end") == 0) {
			h[510] = 0x55;
			h[511] = 0xaa;
			vhd_footer(tail, 2, 1ull << 30, "qemu", 1024, 16, 63);
			tl = 512;
			total = (1ull << 30) + 512;
		} else if (strcmp(w, "vhd fixed by Hyper-V (current size)") == 0) {
			vhd_footer(tail, 2, 1ull << 30, "win ", 1024, 16, 63);
			tl = 512;
			total = (1ull << 30) + 512;
		} else if (strcmp(w, "vhd footer copy cut at 300 bytes") == 0) {
			vhd_footer(h, 3, 1ull << 30, "qemu", 1024, 16, 63);
			len = 300;
		} else if (strcmp(w, "vmdk monolithicSparse") == 0) {
			vmdk_header(h, 2097152, sparse_desc);
		} else if (strcmp(w, "vmdk sparse delta (parentCID)") == 0) {
			vmdk_header(h, 2097152, delta_desc);
		} else if (strcmp(w, "vmdk sparse header cut at 60 bytes") == 0) {
			vmdk_header(h, 2097152, NULL);
			len = 60;
		} else if (strcmp(w, "vmdk grain size 3") == 0) {
			vmdk_header(h, 2097152, NULL);
			le64put(h + 20, 3);
		} else if (strcmp(w, "vmdk descriptor, monolithicFlat") == 0) {
			memcpy(h, flat_desc, sizeof(flat_desc) - 1);
			len = sizeof(flat_desc) - 1;
			total = len;
		} else if (strcmp(w, "vmdk descriptor, ESXi vmfsSparse delta") == 0) {
			memcpy(h, esx_delta_desc, sizeof(esx_delta_desc) - 1);
			len = sizeof(esx_delta_desc) - 1;
		} else if (strcmp(w, "vmdk descriptor without extents") == 0) {
			memcpy(h, "# Disk DescriptorFile\nversion=1\n", 32);
			len = 32;
		} else if (strcmp(w, "vhdx") == 0) {
			memcpy(h, "vhdxfile", 8);
		} else if (strcmp(w, "qed") == 0) {
			memcpy(h, "QED\0", 4);
		} else if (strcmp(w, "vdi") == 0) {
			memcpy(h, "<<< Oracle VM VirtualBox Disk Image >>>\n", 40);
			le32put(h + 64, 0xbeda107f);
		} else if (strcmp(w, "gzip") == 0) {
			memcpy(h, "\x1f\x8b\x08", 3);
		} else if (strcmp(w, "xz") == 0) {
			memcpy(h, "\xfd" "7zXZ\0", 6);
		} else if (strcmp(w, "bzip2") == 0) {
			memcpy(h, "BZh91AY&SY", 10);
		} else if (strcmp(w, "zstd") == 0) {
			memcpy(h, "\x28\xb5\x2f\xfd", 4);
		} else if (strcmp(w, "zip") == 0) {
			memcpy(h, "PK\x03\x04", 4);
		} else if (strcmp(w, "7z") == 0) {
			memcpy(h, "7z\xbc\xaf\x27\x1c", 6);
		} else if (strstr(w, "ova")) {
			memcpy(h, "appliance.ovf", 13);
			memcpy(h + 257, "ustar\0" "00", 8);
			memset(h + 148, ' ', 8);
			unsigned sum = 0;
			for (int k = 0; k < 512; k++)
				sum += h[k];
			snprintf((char *)h + 148, 8, "%06o", sum);
		} else if (strcmp(w, "ISO 9660") == 0) {
			h[32768] = 1;
			memcpy(h + 32769, "CD001", 5);
		} else if (strcmp(w, "raw with an MBR") == 0) {
			h[446 + 4] = 0x83;
			h[446 + 8] = 1;
			h[510] = 0x55;
			h[511] = 0xaa;
		} else if (strstr(w, "1000 bytes")) {
			len = 1000;
			total = 1000;
		} else if (strcmp(w, "nothing at all") == 0) {
			len = 0;
			total = 0;
		}
		struct img_info in;
		img_info_init(&in);
		imagefmt_identify(h, len, tl ? tail : NULL, tl, total, &in);
		check(i, &rows[i], &in);
		if (strcmp(w, "qcow2 with a backing file") == 0)
			EXPECT_STR(i, w, in.parent, "base.qcow2");
		if (strcmp(w, "vmdk sparse delta (parentCID)") == 0)
			EXPECT_STR(i, w, in.parent, "base.vmdk");
		if (strcmp(w, "vhd differencing") == 0)
			EXPECT_STR(i, w, in.parent, "b.v");
		if (strcmp(w, "vmdk descriptor, monolithicFlat") == 0) {
			EXPECT_INT(i, w, in.vmdk.n_extents, 1);
			EXPECT_STR(i, w, in.vmdk.extents[0].file, "d-flat.vmdk");
			EXPECT_INT(i, w, in.vmdk.extents[0].type, VMDK_EXT_FLAT);
		}
		img_info_free(&in);
		free(h);
	}
}

/* Every prefix of every header: a sentence or a result, never a read past the buffer (ASan). */
static void t_truncated_everywhere(void **state)
{
	(void)state;
	uint8_t *h = xcalloc(1, HEAD);
	for (int kind = 0; kind < 4; kind++) {
		memset(h, 0, HEAD);
		if (kind == 0) {
			qcow2_header(h, 3, 1ull << 30);
			be64put(h + 8, 200);
			be32put(h + 16, 9);
			memcpy(h + 200, "base.img", 9);
		} else if (kind == 1) {
			vhd_footer(h, 3, 1ull << 30, "qemu", 1024, 16, 63);
			memcpy(h + 512, "cxsparse", 8);
			be32put(h + 512 + 32, 2 << 20);
		} else if (kind == 2) {
			vmdk_header(h, 2097152, sparse_desc);
		} else {
			memcpy(h, delta_desc, sizeof(delta_desc) - 1);
		}
		for (size_t len = 0; len <= 4096; len++) {
			/* A heap copy of exactly len bytes, so that ASan catches one byte too many. */
			uint8_t *cut = xmalloc(len ? len : 1);
			memcpy(cut, h, len);
			struct img_info in;
			img_info_init(&in);
			imagefmt_identify(cut, len, NULL, 0, 0, &in);
			img_info_free(&in);
			free(cut);
		}
	}
	free(h);
}

/* ---- the block maps, on images held in memory ---- */

struct mem {
	uint8_t *p;
	size_t n;
};

static int64_t mem_pread(void *arg, uint64_t off, void *buf, size_t len)
{
	struct mem *m = arg;
	if (off >= m->n)
		return 0;
	size_t k = m->n - off < len ? (size_t)(m->n - off) : len;
	memcpy(buf, m->p + off, k);
	return (int64_t)k;
}

static void t_qcow2_map(void **state)
{
	(void)state;
	/* Header, L1 at cluster 3, L2 at 4, one data cluster at 5 mapped to guest cluster 2. */
	struct mem m = { xcalloc(6, 65536), 6 * 65536 };
	qcow2_header(m.p, 3, 4 << 20);
	be64put(m.p + 3 * 65536, (4ull * 65536) | (1ull << 63));
	be64put(m.p + 4 * 65536 + 2 * 8, (5ull * 65536) | (1ull << 63));
	be64put(m.p + 4 * 65536 + 3 * 8, 1); /* guest cluster 3: all zeros */
	memset(m.p + 5 * 65536, 0xa5, 65536);
	struct img_info in;
	img_info_init(&in);
	imagefmt_identify(m.p, HEAD, NULL, 0, m.n, &in);
	assert_null(in.problem);
	struct img_io io = { .pread = mem_pread, .arg = &m, .size = m.n };
	struct img_map *map;
	char *err = NULL;
	assert_int_equal(imgmap_open(&in, &io, 0, &map, &err), 0);
	uint8_t buf[8];
	assert_int_equal(imgmap_read(map, 2 * 65536 + 100, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], 0xa5);
	assert_int_equal(imgmap_read(map, 65536 - 4, buf, sizeof(buf)), 0);
	assert_int_equal(buf[7], 0);
	uint64_t len;
	bool data;
	assert_int_equal(imgmap_extent(map, 0, &len, &data), 0);
	assert_false(data);
	assert_int_equal(imgmap_extent(map, 2 * 65536, &len, &data), 0);
	assert_true(data);
	assert_int_equal(len, 65536);
	struct img_count c;
	assert_int_equal(imgmap_count_nonzero(map, &c), 0);
	assert_int_equal(c.nonzero_clusters, 1);
	assert_int_equal(c.l2_tables, 1);
	assert_int_equal(imgmap_read(map, (4 << 20) - 4, buf, sizeof(buf)), -EINVAL);
	imgmap_close(map);

	/* The L2 table points past the end of the file: a clear error, no crash. */
	be64put(m.p + 3 * 65536, (400ull * 65536) | (1ull << 63));
	assert_int_equal(imgmap_open(&in, &io, 0, &map, &err), 0);
	assert_int_equal(imgmap_read(map, 2 * 65536, buf, sizeof(buf)), -EIO);
	assert_non_null(strstr(imgmap_error(map), "L2 table"));
	imgmap_close(map);

	/* The L1 table lies past the end. */
	be64put(m.p + 40, 1000ull * 65536);
	img_info_free(&in);
	img_info_init(&in);
	imagefmt_identify(m.p, HEAD, NULL, 0, m.n, &in);
	assert_int_equal(imgmap_open(&in, &io, 0, &map, &err), -EINVAL);
	assert_non_null(strstr(err, "L1 table"));
	free(err);
	img_info_free(&in);
	free(m.p);
}

static void t_vmdk_map(void **state)
{
	(void)state;
	/* Header; descriptor at sector 1; GD at sector 21 (one entry: GT at 22); grain 1 at sector 128. */
	struct mem m = { xcalloc(256, 512), 256 * 512 };
	vmdk_header(m.p, 2097152, sparse_desc);
	le32put(m.p + 21 * 512, 22);
	le32put(m.p + 22 * 512 + 4, 128);
	le32put(m.p + 22 * 512 + 8, 1); /* a zero grain */
	memset(m.p + 128 * 512, 0x5a, 65536);
	struct img_info in;
	img_info_init(&in);
	imagefmt_identify(m.p, m.n, NULL, 0, m.n, &in);
	struct img_io io = { .pread = mem_pread, .arg = &m, .size = m.n };
	struct img_map *map;
	char *err = NULL;
	assert_int_equal(imgmap_open(&in, &io, 0, &map, &err), 0);
	uint8_t buf[4];
	assert_int_equal(imgmap_read(map, 65536 + 10, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], 0x5a);
	assert_int_equal(imgmap_read(map, 2 * 65536, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], 0);
	struct img_count c;
	assert_int_equal(imgmap_count_nonzero(map, &c), 0);
	assert_int_equal(c.nonzero_clusters, 1);
	imgmap_close(map);
	img_info_free(&in);
	free(m.p);
}

static void t_vhd_size(void **state)
{
	(void)state;
	struct img_info in;
	img_info_init(&in);
	in.vhd.current_size = 3ull << 40;
	in.vhd.cylinders = 65535;
	in.vhd.heads = 16;
	in.vhd.sectors_per_track = 255;
	memcpy(in.vhd.creator, "qemu", 5);
	assert_int_equal(imagefmt_vhd_size(&in), 3ull << 40); /* maximal geometry: the size field */
	in.vhd.cylinders = 100;
	assert_int_equal(imagefmt_vhd_size(&in), 100ull * 16 * 255 * 512);
	memcpy(in.vhd.creator, "tap", 4);
	assert_int_equal(imagefmt_vhd_size(&in), 3ull << 40);
}

/* Sizes of `qemu-img convert -O qcow2` measured by tests/image on real images. */
static void t_qcow2_estimate(void **state)
{
	(void)state;
	static const struct {
		uint64_t vsize, nonzero, l2, want;
	} rows[] = {
		{ 67108864, 0, 0, 196616 },          /* none.raw: header, refcounts, 8 bytes of L1 */
		{ 209715200, 332, 1, 22085632 },     /* 200 MiB disk with 332 non-zero clusters */
		{ 268435456, 822, 1, 54198272 },     /* mbr.raw of tests/image */
		{ 67108864, 40, 1, 2949120 },        /* ntfs.raw */
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		EXPECT_INT(i, "estimate", qcow2_size_estimate(rows[i].vsize, rows[i].nonzero, rows[i].l2), rows[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_identify),   cmocka_unit_test(t_truncated_everywhere), cmocka_unit_test(t_qcow2_map),
		cmocka_unit_test(t_vmdk_map),   cmocka_unit_test(t_vhd_size),            cmocka_unit_test(t_qcow2_estimate),
	};
	return cmocka_run_group_tests_name("imagefmt", tests, NULL, NULL);
}
