/* Unit tests: the initramfs reader over archives built here, in every compression, whole, cut short and hostile. */
#define _GNU_SOURCE
#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "unit.h"

/* The same choice of inflate as linux/initramfs.c makes, for the expected messages. */
#if defined(__has_include) && !defined(CVMPREP_NO_ISAL)
#if __has_include(<isa-l/igzip_lib.h>)
#define HAVE_ISAL 1
#endif
#endif
#ifndef HAVE_ISAL
#define HAVE_ISAL 0
#endif

#include "initramfs.h"
#include "banned.h"

/* ---- building archives ---- */

/* Append one newc (or crc) entry; the archive is assumed to start 4-aligned in sb. */
static void cpio_add_fmt(struct strbuf *sb, const char *magic, const char *name, unsigned mode, const void *data,
			 size_t len)
{
	size_t nsz = strlen(name) + 1;
	strbuf_addf(sb, "%s%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", magic, 1u, mode, 0u, 0u, 1u, 0u,
		    len, 0u, 0u, 0u, 0u, nsz, 0u);
	strbuf_add(sb, name, nsz);
	while (sb->len % 4)
		strbuf_addch(sb, '\0');
	if (len)
		strbuf_add(sb, data, len);
	while (sb->len % 4)
		strbuf_addch(sb, '\0');
}

static void cpio_add(struct strbuf *sb, const char *name, unsigned mode, const char *data)
{
	cpio_add_fmt(sb, "070701", name, mode, data, data ? strlen(data) : 0);
}

static void cpio_trailer(struct strbuf *sb)
{
	cpio_add(sb, "TRAILER!!!", 0, NULL);
}

static void pad_to(struct strbuf *sb, size_t align)
{
	while (sb->len % align)
		strbuf_addch(sb, '\0');
}

#define DIR 040755u
#define REG 0100644u
#define LNK 0120777u
#define KDIR "usr/lib/modules/6.1.0-9-amd64/kernel/drivers/"

/* Moderately compressible bytes, so that streams span several windows without being tiny. */
static char *filler(size_t n, unsigned seed)
{
	char *p = xmalloc(n + 1);
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = "abcdefgh\n"[(x >> 16) % 9];
	}
	p[n] = '\0';
	return p;
}

/* The main archive of the tests: modules in every suffix, a large file in between, a symlink. */
static void main_archive(struct strbuf *sb)
{
	char *big = filler(300000, 1);
	cpio_add(sb, ".", DIR, NULL);
	cpio_add(sb, "usr", DIR, NULL);
	cpio_add(sb, "lib", LNK, "usr/lib");
	cpio_add(sb, KDIR "block/virtio_blk.ko", REG, "ELF virtio_blk body, odd length");
	cpio_add(sb, "usr/bin/big", REG, big);
	cpio_add(sb, KDIR "virtio/virtio_pci.ko.xz", REG, "xz");
	cpio_add(sb, KDIR "virtio/virtio-ring.ko.zst", REG, "zst!");
	cpio_add(sb, KDIR "virtio/virtio.ko.gz", REG, "gz");
	cpio_add(sb, KDIR "virtio/virtio_net.ko.bz2", REG, "not a module suffix");
	cpio_add(sb, KDIR "ata/ata_piix.ko", DIR, NULL); /* a directory is not a module */
	cpio_add(sb, "etc/ahci.ko.conf", REG, "x");
	cpio_trailer(sb);
	free(big);
}
#define MAIN_ENTRIES 11
#define MAIN_LIST                                                                                                    \
	".|usr|lib|" KDIR "block/virtio_blk.ko|usr/bin/big|" KDIR "virtio/virtio_pci.ko.xz|" KDIR                     \
	"virtio/virtio-ring.ko.zst|" KDIR "virtio/virtio.ko.gz|" KDIR "virtio/virtio_net.ko.bz2|" KDIR "ata/ata_piix.ko|" \
	"etc/ahci.ko.conf"

static void compress_gzip(const void *in, size_t n, struct strbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, n);
	strbuf_grow(out, cap);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->buf + out->len;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->len += cap - z.avail_out;
	out->buf[out->len] = '\0';
	deflateEnd(&z);
}

static void compress_bzip2(const void *in, size_t n, struct strbuf *out)
{
	unsigned cap = (unsigned)(n + n / 100 + 600);
	strbuf_grow(out, cap);
	assert_int_equal(BZ2_bzBuffToBuffCompress(out->buf + out->len, &cap, (char *)in, (unsigned)n, 9, 0, 0), BZ_OK);
	out->len += cap;
	out->buf[out->len] = '\0';
}

static void compress_xz(const void *in, size_t n, struct strbuf *out)
{
	size_t cap = lzma_stream_buffer_bound(n), pos = 0;
	strbuf_grow(out, cap);
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, n, (uint8_t *)out->buf + out->len, &pos, cap),
			 LZMA_OK);
	out->len += pos;
	out->buf[out->len] = '\0';
}

static void compress_lzma(const void *in, size_t n, struct strbuf *out)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	assert_false(lzma_lzma_preset(&opt, 6));
	assert_int_equal(lzma_alone_encoder(&s, &opt), LZMA_OK);
	size_t cap = n + n / 2 + 4096;
	strbuf_grow(out, cap);
	s.next_in = in;
	s.avail_in = n;
	s.next_out = (uint8_t *)out->buf + out->len;
	s.avail_out = cap;
	assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
	out->len += cap - s.avail_out;
	out->buf[out->len] = '\0';
	lzma_end(&s);
}

static void compress_zstd(const void *in, size_t n, struct strbuf *out)
{
	size_t cap = ZSTD_compressBound(n);
	strbuf_grow(out, cap);
	size_t got = ZSTD_compress(out->buf + out->len, cap, in, n, 3);
	assert_false(ZSTD_isError(got));
	out->len += got;
	out->buf[out->len] = '\0';
}

static void compress_lz4(const void *in, size_t n, struct strbuf *out)
{
	size_t cap = LZ4F_compressFrameBound(n, NULL);
	strbuf_grow(out, cap);
	size_t got = LZ4F_compressFrame(out->buf + out->len, cap, in, n, NULL);
	assert_false(LZ4F_isError(got));
	out->len += got;
	out->buf[out->len] = '\0';
}

/* lz4 legacy frames as `lz4 -l` writes them, but with small blocks so that a test crosses several. */
static size_t legacy_block = 8u << 20;
static void compress_lz4_legacy(const void *in, size_t n, struct strbuf *out)
{
	strbuf_add(out, "\x02\x21\x4c\x18", 4);
	for (size_t off = 0; off < n; off += legacy_block) {
		size_t len = n - off < legacy_block ? n - off : legacy_block;
		int cap = LZ4_compressBound((int)len);
		strbuf_grow(out, (size_t)cap + 4);
		int got = LZ4_compress_default((const char *)in + off, out->buf + out->len + 4, (int)len, cap);
		assert_true(got > 0);
		unsigned char *h = (unsigned char *)out->buf + out->len;
		h[0] = (unsigned char)got;
		h[1] = (unsigned char)(got >> 8);
		h[2] = (unsigned char)(got >> 16);
		h[3] = (unsigned char)(got >> 24);
		out->len += 4 + (size_t)got;
		out->buf[out->len] = '\0';
	}
}

static void compress_none(const void *in, size_t n, struct strbuf *out)
{
	strbuf_add(out, in, n);
}

static const struct codec {
	enum initramfs_comp comp;
	void (*fn)(const void *in, size_t n, struct strbuf *out);
} codecs[] = {
	{ IRF_COMP_NONE, compress_none },	 { IRF_COMP_GZIP, compress_gzip },  { IRF_COMP_BZIP2, compress_bzip2 },
	{ IRF_COMP_LZMA, compress_lzma },	 { IRF_COMP_XZ, compress_xz },	    { IRF_COMP_LZ4_LEGACY, compress_lz4_legacy },
	{ IRF_COMP_LZ4, compress_lz4 },		 { IRF_COMP_ZSTD, compress_zstd },
};

/* ---- reading from memory, in chunks of a chosen size ---- */

struct mem {
	const unsigned char *p;
	size_t n, pos, chunk;
	size_t reads;
	bool fail; /* return EIO once the data is used up instead of the end */
};

static int64_t mem_read(void *arg, void *buf, size_t n)
{
	struct mem *m = arg;
	m->reads++;
	if (m->pos == m->n && m->fail)
		return -EIO;
	size_t k = m->n - m->pos;
	if (k > n)
		k = n;
	if (m->chunk && k > m->chunk)
		k = m->chunk;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (int64_t)k;
}

static int64_t mem_skip(void *arg, uint64_t n)
{
	struct mem *m = arg;
	if (n > m->n - m->pos)
		n = m->n - m->pos;
	m->pos += (size_t)n;
	return (int64_t)n;
}

static bool collect(const struct initramfs_entry *e, void *arg)
{
	strvec_push(arg, e->name);
	return true;
}

static const char *const virtio_set[] = { "virtio_blk", "virtio_pci", "virtio-ring", "virtio", "virtio_net", NULL };

static int scan_mem(const struct strbuf *sb, size_t chunk, const struct initramfs_opts *o, struct initramfs_result *r)
{
	struct mem m = { (const unsigned char *)sb->buf, sb->len, 0, chunk, 0, false };
	return initramfs_scan(mem_read, NULL, &m, o, r);
}

static void expect_virtio_found(size_t row, const char *what, const struct initramfs_result *r)
{
	EXPECT_INT(row, what, r->nmods, 5);
	EXPECT_STR(row, what, r->mods[0].path, KDIR "block/virtio_blk.ko");
	EXPECT_STR(row, what, r->mods[1].path, KDIR "virtio/virtio_pci.ko.xz");
	EXPECT_STR(row, what, r->mods[2].name, "virtio_ring");
	EXPECT_STR(row, what, r->mods[2].path, KDIR "virtio/virtio-ring.ko.zst");
	EXPECT_STR(row, what, r->mods[3].path, KDIR "virtio/virtio.ko.gz");
	EXPECT_STR(row, what, r->mods[4].path, NULL);
	EXPECT_INT(row, what, r->found, 4);
}

/* Every compression, read in chunks of 1 byte, an odd size and whole: same modules, same entries. */
static void t_each_compression(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	static const size_t chunks[] = { 1, 13, 0 };
	legacy_block = 65536;
	for (size_t i = 0; i < ARRAY_SIZE(codecs); i++) {
		struct strbuf z = STRBUF_INIT;
		codecs[i].fn(raw.buf, raw.len, &z);
		const char *what = initramfs_comp_name(codecs[i].comp);
		EXPECT_INT(i, what, initramfs_detect((unsigned char *)z.buf, z.len), codecs[i].comp);
		for (size_t c = 0; c < ARRAY_SIZE(chunks); c++) {
			struct initramfs_result r;
			struct initramfs_opts o = { .wanted = virtio_set };
			int rc = scan_mem(&z, chunks[c], &o, &r);
			EXPECT_STR(i, what, r.error, NULL);
			EXPECT_INT(i, what, rc, 0);
			expect_virtio_found(i, what, &r);
			EXPECT_INT(i, what, r.stopped_early, false);
			EXPECT_INT(i, what, r.nsegs, 1);
			EXPECT_INT(i, what, r.segs[0].comp, codecs[i].comp);
			EXPECT_INT(i, what, r.segs[0].complete, true);
			EXPECT_INT(i, what, r.segs[0].entries, MAIN_ENTRIES);
			EXPECT_INT(i, what, r.segs[0].files, 7);
			EXPECT_INT(i, what, r.segs[0].archives, 1);
			EXPECT_INT(i, what, r.segs[0].unpacked, raw.len);
			EXPECT_INT(i, what, r.segs[0].length, z.len);
			EXPECT_INT(i, what, r.bytes_read, z.len);
			initramfs_result_release(&r);

			struct strvec names = STRVEC_INIT;
			struct initramfs_opts lo = { .wanted = virtio_set, .on_entry = collect, .arg = &names };
			rc = scan_mem(&z, chunks[c], &lo, &r);
			EXPECT_INT(i, what, rc, 0);
			EXPECT_LIST(i, what, &names, MAIN_LIST);
			strvec_clear(&names);
			initramfs_result_release(&r);
		}
		strbuf_release(&z);
	}
	legacy_block = 8u << 20;
	strbuf_release(&raw);
}

/* An uncompressed early archive (microcode), padded to 512 as cpio writes, then a compressed main one. */
static void t_early_and_main(void **state)
{
	(void)state;
	struct strbuf main = STRBUF_INIT;
	main_archive(&main);
	for (size_t i = 1; i < ARRAY_SIZE(codecs); i++) {
		struct strbuf f = STRBUF_INIT;
		cpio_add(&f, "kernel", DIR, NULL);
		cpio_add(&f, "kernel/x86", DIR, NULL);
		cpio_add(&f, "kernel/x86/microcode", DIR, NULL);
		cpio_add(&f, "kernel/x86/microcode/GenuineIntel.bin", REG, "microcode");
		cpio_trailer(&f);
		pad_to(&f, 512);
		size_t second = f.len;
		/* A second early archive, as initramfs-tools writes one per microcode vendor. */
		cpio_add(&f, "kernel/x86/microcode/AuthenticAMD.bin", REG, "amd");
		cpio_trailer(&f);
		pad_to(&f, 512);
		size_t early = f.len;
		codecs[i].fn(main.buf, main.len, &f);
		const char *what = initramfs_comp_name(codecs[i].comp);

		struct initramfs_result r;
		struct strvec names = STRVEC_INIT;
		struct initramfs_opts o = { .wanted = virtio_set, .on_entry = collect, .arg = &names };
		int rc = scan_mem(&f, 0, &o, &r);
		EXPECT_INT(i, what, rc, 0);
		expect_virtio_found(i, what, &r);
		EXPECT_INT(i, what, r.nsegs, 3);
		EXPECT_INT(i, what, r.segs[0].comp, IRF_COMP_NONE);
		EXPECT_INT(i, what, r.segs[0].entries, 4);
		EXPECT_INT(i, what, r.segs[1].comp, IRF_COMP_NONE);
		EXPECT_INT(i, what, r.segs[1].offset, second);
		EXPECT_INT(i, what, r.segs[2].comp, codecs[i].comp);
		EXPECT_INT(i, what, r.segs[2].offset, early);
		EXPECT_INT(i, what, r.segs[2].entries, MAIN_ENTRIES);
		EXPECT_INT(i, what, r.mods[0].segment, 2);
		EXPECT_LIST(i, what, &names,
			    "kernel|kernel/x86|kernel/x86/microcode|kernel/x86/microcode/GenuineIntel.bin|"
			    "kernel/x86/microcode/AuthenticAMD.bin|" MAIN_LIST);
		char *d = initramfs_describe(&r);
		char want[200];
		snprintf(want, sizeof(want),
			 "early cpio (uncompressed, 4 entries), then early cpio (uncompressed, 1 entry), then %s cpio (11 entries)%s",
			 what, codecs[i].comp == IRF_COMP_LZ4 ? " [the kernel cannot unpack this format]" : "");
		EXPECT_STR(i, what, d, want);
		free(d);
		strvec_clear(&names);
		initramfs_result_release(&r);
		strbuf_release(&f);
	}
	strbuf_release(&main);
}

/* The crc format (070702) reads like newc; its checksums are not verified. */
static void t_crc_format(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	cpio_add_fmt(&sb, "070702", "virtio_blk.ko", REG, "abc", 3);
	cpio_add_fmt(&sb, "070702", "TRAILER!!!", 0, NULL, 0);
	struct initramfs_result r;
	struct initramfs_opts o = { .wanted = virtio_set };
	assert_int_equal(scan_mem(&sb, 0, &o, &r), 0);
	EXPECT_STR(0, "crc", r.mods[0].path, "virtio_blk.ko");
	EXPECT_INT(0, "crc", r.segs[0].complete, true);
	initramfs_result_release(&r);
	strbuf_release(&sb);
}

/* One compressed stream may hold several archives with zero padding between them (dracut does this). */
static void t_archives_in_one_stream(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	cpio_add(&raw, "a/virtio_blk.ko", REG, "1");
	cpio_trailer(&raw);
	pad_to(&raw, 512);
	cpio_add(&raw, "b/virtio_pci.ko", REG, "22");
	cpio_trailer(&raw);
	for (size_t i = 1; i < ARRAY_SIZE(codecs); i++) {
		struct strbuf z = STRBUF_INIT;
		codecs[i].fn(raw.buf, raw.len, &z);
		const char *what = initramfs_comp_name(codecs[i].comp);
		struct initramfs_result r;
		struct initramfs_opts o = { .wanted = virtio_set };
		EXPECT_INT(i, what, scan_mem(&z, 0, &o, &r), 0);
		EXPECT_STR(i, what, r.mods[1].path, "b/virtio_pci.ko");
		EXPECT_INT(i, what, r.nsegs, 1);
		EXPECT_INT(i, what, r.segs[0].archives, 2);
		EXPECT_INT(i, what, r.segs[0].entries, 2);
		char *d = initramfs_describe(&r);
		char want[100];
		snprintf(want, sizeof(want), "%s cpio (2 archives, 2 entries)", what);
		if (codecs[i].comp != IRF_COMP_LZ4)
			EXPECT_STR(i, what, d, want);
		free(d);
		initramfs_result_release(&r);
		strbuf_release(&z);
	}
	strbuf_release(&raw);
}

/* An archive split across gzip members, zstd frames or xz streams (pigz, pzstd) goes on in the next one. */
static void t_multi_member(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	static const struct codec multi[] = {
		{ IRF_COMP_GZIP, compress_gzip }, { IRF_COMP_ZSTD, compress_zstd }, { IRF_COMP_XZ, compress_xz },
		{ IRF_COMP_BZIP2, compress_bzip2 }, { IRF_COMP_LZ4, compress_lz4 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(multi); i++) {
		struct strbuf z = STRBUF_INIT;
		size_t cut = 1001; /* inside the big file's body */
		multi[i].fn(raw.buf, cut, &z);
		if (multi[i].comp == IRF_COMP_XZ)
			strbuf_add(&z, "\0\0\0\0\0\0\0\0", 8); /* stream padding */
		multi[i].fn(raw.buf + cut, raw.len - cut, &z);
		const char *what = initramfs_comp_name(multi[i].comp);
		static const size_t chunks[] = { 0, 1, 13 };
		for (size_t c = 0; c < ARRAY_SIZE(chunks); c++) {
			struct initramfs_result r;
			struct initramfs_opts o = { .wanted = virtio_set };
			EXPECT_INT(i, what, scan_mem(&z, chunks[c], &o, &r), 0);
			expect_virtio_found(i, what, &r);
			EXPECT_INT(i, what, r.nsegs, 1);
			EXPECT_INT(i, what, r.segs[0].entries, MAIN_ENTRIES);
			EXPECT_INT(i, what, r.segs[0].length, z.len);
			initramfs_result_release(&r);
		}
		strbuf_release(&z);
	}
	strbuf_release(&raw);
}

/* gzip headers with every optional field (name, comment, extra, header CRC), as gzip and pigz write them. */
static void t_gzip_header_fields(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY), Z_OK);
	unsigned char extra[] = "XYabcdefgh";
	gz_header h;
	memset(&h, 0, sizeof(h));
	h.name = (Bytef *)"initrd.img-6.1.0-9-amd64";
	h.comment = (Bytef *)"a comment";
	h.extra = extra;
	h.extra_len = 10;
	h.hcrc = 1;
	h.os = 3;
	assert_int_equal(deflateSetHeader(&z, &h), Z_OK);
	struct strbuf sb = STRBUF_INIT;
	size_t cap = deflateBound(&z, raw.len) + 100;
	strbuf_grow(&sb, cap);
	z.next_in = (Bytef *)raw.buf;
	z.avail_in = (uInt)raw.len;
	z.next_out = (Bytef *)sb.buf;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	sb.len = cap - z.avail_out;
	deflateEnd(&z);
	assert_int_equal((unsigned char)sb.buf[3], 0x1e); /* FHCRC|FEXTRA|FNAME|FCOMMENT */
	struct initramfs_result r;
	struct initramfs_opts o = { .wanted = virtio_set };
	static const size_t chunks[] = { 0, 1, 7, 40 };
	for (size_t c = 0; c < ARRAY_SIZE(chunks); c++) {
		size_t chunk = chunks[c];
		int rc = scan_mem(&sb, chunk, &o, &r);
		EXPECT_STR(chunk, "gzip header fields", r.error, NULL);
		EXPECT_INT(chunk, "gzip header fields", rc, 0);
		expect_virtio_found(chunk, "gzip header fields", &r);
		initramfs_result_release(&r);
	}
	strbuf_release(&sb);
	strbuf_release(&raw);
}

/* lz4 legacy: several frames (a new magic mid-stream), several blocks, and an 8 MiB block. */
static void t_lz4_legacy_frames(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	struct strbuf z = STRBUF_INIT;
	legacy_block = 4096;
	compress_lz4_legacy(raw.buf, 50000, &z);
	compress_lz4_legacy(raw.buf + 50000, raw.len - 50000, &z);
	legacy_block = 8u << 20;
	struct initramfs_result r;
	struct initramfs_opts o = { .wanted = virtio_set };
	assert_int_equal(scan_mem(&z, 0, &o, &r), 0);
	expect_virtio_found(0, "two legacy frames", &r);
	EXPECT_INT(0, "two legacy frames", r.nsegs, 1);
	initramfs_result_release(&r);
	strbuf_release(&z);

	/* A full 8 MiB block followed by a short one, then zero padding and an uncompressed archive. */
	struct strbuf big = STRBUF_INIT;
	char *body = filler(9u << 20, 7);
	cpio_add(&big, "usr/bin/huge", REG, body);
	cpio_add(&big, "m/virtio_net.ko", REG, "n");
	cpio_trailer(&big);
	free(body);
	compress_lz4_legacy(big.buf, big.len, &z);
	pad_to(&z, 4);
	strbuf_add(&z, "\0\0\0\0\0\0\0\0", 8);
	cpio_add(&z, "early/virtio_blk.ko", REG, "b");
	cpio_trailer(&z);
	assert_int_equal(scan_mem(&z, 0, &o, &r), 0);
	EXPECT_STR(1, "8 MiB block", r.mods[4].path, "m/virtio_net.ko");
	EXPECT_STR(1, "8 MiB block", r.mods[0].path, "early/virtio_blk.ko");
	EXPECT_INT(1, "8 MiB block", r.nsegs, 2);
	EXPECT_INT(1, "8 MiB block", r.segs[0].unpacked, big.len);
	initramfs_result_release(&r);
	strbuf_release(&z);
	strbuf_release(&big);
	strbuf_release(&raw);

	/* Incompressible data: a block larger packed than unpacked, decoded in place all the same. */
	size_t n = 9u << 20;
	unsigned char *noise = xmalloc(n);
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		noise[i] = (unsigned char)x;
	}
	cpio_add_fmt(&big, "070701", "usr/lib/firmware/noise.bin", REG, noise, n);
	cpio_add(&big, "m/virtio_net.ko", REG, "n");
	cpio_trailer(&big);
	compress_lz4_legacy(big.buf, big.len, &z);
	unsigned char *h = (unsigned char *)z.buf + 4;
	assert_true(((size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16 | (size_t)h[3] << 24) > (8u << 20));
	assert_int_equal(scan_mem(&z, 0, &o, &r), 0);
	EXPECT_STR(2, "incompressible", r.mods[4].path, "m/virtio_net.ko");
	EXPECT_INT(2, "incompressible", r.segs[0].unpacked, big.len);
	initramfs_result_release(&r);
	strbuf_release(&z);
	strbuf_release(&big);

	/* Blocks of noise: an error every time, and no access outside the buffer (see the sanitizer build). */
	static const size_t sizes[] = { 1, 15, 4096, 65536, 8u << 20, (8u << 20) + (8u << 12) };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		strbuf_add(&z, "\x02\x21\x4c\x18", 4);
		unsigned char sz[4] = { (unsigned char)sizes[i], (unsigned char)(sizes[i] >> 8),
					(unsigned char)(sizes[i] >> 16), (unsigned char)(sizes[i] >> 24) };
		strbuf_add(&z, sz, 4);
		strbuf_add(&z, noise + i * 1000, sizes[i]);
		int rc = scan_mem(&z, 0, NULL, &r);
		if (rc != -IRF_EDECOMP && rc != -IRF_ECORRUPT)
			fail_msg("noise block of %zu bytes: rc %d (%s)", sizes[i], rc, r.error);
		initramfs_result_release(&r);
		strbuf_reset(&z);
	}
	strbuf_release(&z);
	free(noise);
}

/* The scan stops as soon as the wanted set is complete: junk after that point is never read. */
static void t_stop_early(void **state)
{
	(void)state;
	/* An lz4 legacy block is read whole: with `lz4 -l`'s 8 MiB blocks the stop comes after 8 MiB. */
	legacy_block = 65536;
	for (size_t i = 0; i < ARRAY_SIZE(codecs); i++) {
		struct strbuf raw = STRBUF_INIT;
		cpio_add(&raw, "virtio_blk.ko", REG, "1");
		cpio_add(&raw, "virtio_pci.ko", REG, "2");
		char *big = filler(2u << 20, 3);
		cpio_add(&raw, "later/big", REG, big);
		free(big);
		cpio_trailer(&raw);
		struct strbuf z = STRBUF_INIT;
		codecs[i].fn(raw.buf, raw.len, &z);
		strbuf_addstr(&z, "JUNK that would be an error");
		const char *what = initramfs_comp_name(codecs[i].comp);
		static const char *const two[] = { "virtio_blk", "virtio_pci", NULL };
		struct initramfs_result r;
		struct initramfs_opts o = { .wanted = two };
		struct mem m = { (const unsigned char *)z.buf, z.len, 0, 4096, 0, false };
		EXPECT_INT(i, what, initramfs_scan(mem_read, NULL, &m, &o, &r), 0);
		EXPECT_INT(i, what, r.stopped_early, true);
		EXPECT_INT(i, what, r.found, 2);
		EXPECT_STR(i, what, r.error, NULL);
		EXPECT_INT(i, what, r.segs[0].complete, false);
		EXPECT_INT(i, what, r.segs[0].entries, 2);
		/* Not the whole file (bzip2 needs one whole block of up to 900 kB before any output). */
		if (m.pos > z.len / 2)
			fail_msg("row %zu (%s): read %zu bytes of %zu before stopping", i, what, m.pos, z.len);
		char *d = initramfs_describe(&r);
		if (!strstr(d, "2 entries, not read further"))
			fail_msg("row %zu (%s): describe: '%s'", i, what, d);
		free(d);
		initramfs_result_release(&r);

		/* Without a wanted set the same file is read to the junk, which is an error. */
		int rc = scan_mem(&z, 0, NULL, &r);
		EXPECT_INT(i, what, rc, -IRF_EUNKNOWN);
		EXPECT_INT(i, what, r.err, rc);
		EXPECT_INT(i, what, r.segs[0].complete, true);
		initramfs_result_release(&r);
		strbuf_release(&z);
		strbuf_release(&raw);
	}
	legacy_block = 8u << 20;
}

static bool stop_at_second(const struct initramfs_entry *e, void *arg)
{
	(void)e;
	return ++*(int *)arg < 2;
}

static void t_callback_stops(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	int seen = 0;
	struct initramfs_result r;
	struct initramfs_opts o = { .on_entry = stop_at_second, .arg = &seen };
	assert_int_equal(scan_mem(&raw, 0, &o, &r), 0);
	assert_int_equal(seen, 2);
	assert_true(r.stopped_early);
	assert_int_equal(r.segs[0].entries, 2);
	initramfs_result_release(&r);
	strbuf_release(&raw);
}

/* Every compression cut short anywhere inside the stream: a truncation error, never a hang. */
static void t_truncated(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	legacy_block = 65536;
	for (size_t i = 0; i < ARRAY_SIZE(codecs); i++) {
		struct strbuf z = STRBUF_INIT;
		codecs[i].fn(raw.buf, raw.len, &z);
		const char *what = initramfs_comp_name(codecs[i].comp);
		size_t cuts[] = { 3, 5, 20, z.len / 4, z.len / 2, z.len - 9, z.len - 4, z.len - 1 };
		for (size_t c = 0; c < ARRAY_SIZE(cuts); c++) {
			struct strbuf t = STRBUF_INIT;
			strbuf_add(&t, z.buf, cuts[c]);
			struct initramfs_result r;
			int rc = scan_mem(&t, 0, NULL, &r);
			char row[64];
			snprintf(row, sizeof(row), "%s cut at %zu of %zu", what, cuts[c], z.len);
			EXPECT_INT(i, row, rc, -IRF_ETRUNC);
			if (!r.error || !*r.error)
				fail_msg("%s: no message", row);
			if (r.nsegs) /* none when the cut is inside the magic number */
				EXPECT_INT(i, row, r.segs[0].complete, false);
			initramfs_result_release(&r);
			strbuf_release(&t);
		}
		strbuf_release(&z);
	}
	legacy_block = 8u << 20;
	strbuf_release(&raw);
}

static void flip(struct strbuf *sb, size_t at)
{
	sb->buf[at] ^= 0x55;
}

/* Corrupt streams: the decompressor's error, with the compression and offset in the message. */
static void t_corrupt_streams(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	struct {
		enum initramfs_comp comp;
		void (*fn)(const void *, size_t, struct strbuf *);
		long at; /* byte to damage; negative: from the end */
		const char *msg;
	} rows[] = {
#if HAVE_ISAL
		{ IRF_COMP_GZIP, compress_gzip, -6, "the gzip stream at offset 0: isa-l: incorrect data check" },
		{ IRF_COMP_GZIP, compress_gzip, -2, "the gzip stream at offset 0: isa-l: incorrect data check" }, /* size */
		{ IRF_COMP_GZIP, compress_gzip, 2, "the gzip stream at offset 0: zlib: unknown compression method" },
		{ IRF_COMP_GZIP, compress_gzip, 3, "the gzip stream at offset 0: zlib: unknown header flags set" },
		{ IRF_COMP_GZIP, compress_gzip, 20, "the gzip stream at offset 0: isa-l: invalid" },
#else
		{ IRF_COMP_GZIP, compress_gzip, -6, "the gzip stream at offset 0: zlib: incorrect data check" },
		{ IRF_COMP_GZIP, compress_gzip, -2, "the gzip stream at offset 0: zlib: incorrect length check" },
		{ IRF_COMP_GZIP, compress_gzip, 2, "the gzip stream at offset 0: zlib: unknown compression method" },
		{ IRF_COMP_GZIP, compress_gzip, 3, "the gzip stream at offset 0: zlib: unknown header flags set" },
		{ IRF_COMP_GZIP, compress_gzip, 20, "the gzip stream at offset 0: zlib: invalid" },
#endif
		{ IRF_COMP_XZ, compress_xz, -20, "the xz stream at offset 0: liblzma: corrupt data" },
		{ IRF_COMP_XZ, compress_xz, 7, "the xz stream at offset 0: liblzma: corrupt data" }, /* header CRC */
		{ IRF_COMP_ZSTD, compress_zstd, 4, "the zstd stream at offset 0: libzstd: " },
		{ IRF_COMP_LZ4, compress_lz4, 6, "the lz4 frame stream at offset 0: liblz4: " },
		{ IRF_COMP_BZIP2, compress_bzip2, 20, "the bzip2 stream at offset 0: libbz2: corrupt data" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct strbuf z = STRBUF_INIT;
		rows[i].fn(raw.buf, raw.len, &z);
		flip(&z, rows[i].at < 0 ? z.len - (size_t)-rows[i].at : (size_t)rows[i].at);
		struct initramfs_result r;
		int rc = scan_mem(&z, 0, NULL, &r);
		EXPECT_INT(i, rows[i].msg, rc, -IRF_EDECOMP);
		if (!r.error || !str_starts_with(r.error, rows[i].msg))
			fail_msg("row %zu: error '%s', want '%s...'", i, r.error, rows[i].msg);
		initramfs_result_release(&r);
		strbuf_release(&z);
	}

	/* lzma: a dictionary larger than the memory limit is refused before anything is allocated. */
	struct strbuf z = STRBUF_INIT;
	strbuf_add(&z, "\x5d\x00\x00\x00\x80\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00", 17);
	struct initramfs_result r;
	assert_int_equal(scan_mem(&z, 0, NULL, &r), -IRF_EDECOMP);
	if (!strstr(r.error, "MiB of memory"))
		fail_msg("lzma memlimit: '%s'", r.error);
	initramfs_result_release(&r);
	strbuf_reset(&z);

	/* lz4 legacy: a block that does not decode. */
	strbuf_add(&z, "\x02\x21\x4c\x18\x0a\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 18);
	assert_int_equal(scan_mem(&z, 0, NULL, &r), -IRF_EDECOMP);
	EXPECT_STR(0, "lz4 legacy", r.error, "the lz4 legacy stream at offset 0: lz4: corrupt block of 10 bytes");
	initramfs_result_release(&r);
	strbuf_release(&z);
	strbuf_release(&raw);
}

/* Hostile and broken stored archives: each a clear error value and message. */
static void t_hostile_headers(void **state)
{
	(void)state;
	static const char hdr_ok[] = "070701" "00000001" "000081A4" "00000000" "00000000" "00000001" "00000000";
	struct {
		const char *what;
		struct buf in;
		int err;
		const char *msg; /* a substring of the message */
	} rows[] = {
		{ "empty file", BUF(""), 0, NULL },
		{ "only zeros", BUF("\0\0\0\0\0\0\0\0\0\0\0"), 0, NULL },
		{ "text", BUF("hello, world"), -IRF_EUNKNOWN, "offset 0: neither a cpio archive nor a known compression (bytes 68 65 6c 6c 6f 2c 20 77)" },
		{ "lzo", BUF("\x89LZO\0\r\n\x1a\n"), -IRF_EUNSUPP, "lzo is not supported" },
		{ "short header", BUF("070701000000010000"), -IRF_ETRUNC, "the file ends at offset 18 in the header at offset 0" },
		{ "bad magic", BUF("070799" "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
		  -IRF_ECORRUPT, "bad cpio magic '070799' at offset 0" },
		{ "odc", BUF("070707" "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
		  -IRF_ECORRUPT, "old portable format" },
		{ "unaligned", BUF("\0" "070701"), -IRF_ECORRUPT, "unaligned offset 1" },
		{ "zero before gzip", BUF("\0\0\0\0\x1f\x8b"), -IRF_ETRUNC, "the gzip stream at offset 4 is cut short" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_add(&sb, rows[i].in.p, rows[i].in.n);
		struct initramfs_result r;
		int rc = scan_mem(&sb, 0, NULL, &r);
		EXPECT_INT(i, rows[i].what, rc, rows[i].err);
		if (rows[i].msg && (!r.error || !strstr(r.error, rows[i].msg)))
			fail_msg("row %zu (%s): error '%s', want '%s'", i, rows[i].what, r.error, rows[i].msg);
		if (!rows[i].msg)
			EXPECT_STR(i, rows[i].what, r.error, NULL);
		initramfs_result_release(&r);
		strbuf_release(&sb);
	}

	/* Field by field: each header field, then the name, made hostile. */
	struct {
		const char *what;
		const char *filesize, *namesize;
		const char *name; /* namesize bytes follow as given (no NUL added) */
		size_t namelen;
		int err;
		const char *msg;
	} f[] = {
		{ "filesize not hex", "0000000G", "00000004", "abc", 4, -IRF_ECORRUPT, "filesize '0000000G' is not hexadecimal" },
		{ "namesize not hex", "00000000", " 0000004", "abc", 4, -IRF_ECORRUPT, "namesize ' 0000004' is not hexadecimal" },
		{ "namesize 0", "00000000", "00000000", "", 0, -IRF_ECORRUPT, "namesize 0 is out of range" },
		{ "namesize huge", "00000000", "FFFFFFFF", "abc", 4, -IRF_ECORRUPT, "namesize 4294967295 is out of range" },
		{ "namesize 4097", "00000000", "00001001", "abc", 4, -IRF_ECORRUPT, "namesize 4097 is out of range" },
		{ "name without NUL", "00000000", "00000004", "abcd", 4, -IRF_ECORRUPT, "name 'abcd' is not NUL-terminated" },
		{ "name beyond the file", "00000000", "00000100", "abc", 4, -IRF_ETRUNC, "in the name of the entry at offset 0" },
		{ "filesize 4 GiB", "FFFFFFFF", "00000004", "abc", 4, -IRF_ETRUNC, "in the body of 'abc'" },
		{ "no trailer", "00000000", "00000004", "abc", 4, -IRF_ETRUNC, "before the archive's trailer (after 1 entries)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, hdr_ok);
		strbuf_addstr(&sb, f[i].filesize);
		strbuf_addstr(&sb, "00000000000000000000000000000000");
		strbuf_addstr(&sb, f[i].namesize);
		strbuf_addstr(&sb, "00000000");
		assert_int_equal(sb.len, CPIO_HDR_LEN);
		strbuf_add(&sb, f[i].name, f[i].namelen);
		pad_to(&sb, 4);
		struct initramfs_result r;
		for (int seek = 0; seek < 2; seek++) {
			struct mem m = { (const unsigned char *)sb.buf, sb.len, 0, 0, 0, false };
			int rc = initramfs_scan(mem_read, seek ? mem_skip : NULL, &m, NULL, &r);
			EXPECT_INT(i, f[i].what, rc, f[i].err);
			if (!r.error || !strstr(r.error, f[i].msg))
				fail_msg("row %zu (%s): error '%s', want '%s'", i, f[i].what, r.error, f[i].msg);
			initramfs_result_release(&r);
		}
		strbuf_release(&sb);
	}

	/* Embedded NUL: the name ends there, as for the kernel. */
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", "070701", 1u, REG, 0u, 0u, 1u, 0u, 0u,
		    0u, 0u, 0u, 0u, 21u, 0u);
	strbuf_add(&sb, "virtio_blk.ko\0hidden", 21);
	pad_to(&sb, 4);
	cpio_trailer(&sb);
	struct strvec names = STRVEC_INIT;
	struct initramfs_result r;
	struct initramfs_opts o = { .wanted = virtio_set, .on_entry = collect, .arg = &names };
	assert_int_equal(scan_mem(&sb, 0, &o, &r), 0);
	EXPECT_LIST(0, "embedded NUL", &names, "virtio_blk.ko");
	EXPECT_STR(0, "embedded NUL", r.mods[0].path, "virtio_blk.ko");
	initramfs_result_release(&r);
	strvec_clear(&names);
	strbuf_release(&sb);
}

/* Junk after a good archive: the modules found so far are kept, and the error says where. */
static void t_junk_after(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	cpio_add(&sb, "virtio_blk.ko", REG, "x");
	cpio_trailer(&sb);
	strbuf_add(&sb, "\0\0\0\0garbage!", 12);
	struct initramfs_result r;
	struct initramfs_opts o = { .wanted = virtio_set };
	assert_int_equal(scan_mem(&sb, 0, &o, &r), -IRF_EUNKNOWN);
	EXPECT_STR(0, "junk", r.mods[0].path, "virtio_blk.ko");
	EXPECT_INT(0, "junk", r.segs[0].complete, true);
	char want[120];
	snprintf(want, sizeof(want), "offset %zu: neither a cpio archive nor a known compression", sb.len - 8);
	if (!strstr(r.error, want))
		fail_msg("junk: '%s', want '%s'", r.error, want);
	initramfs_result_release(&r);

	/* Inside a compressed stream, after the trailer. */
	struct strbuf raw = STRBUF_INIT;
	cpio_add(&raw, "virtio_blk.ko", REG, "x");
	cpio_trailer(&raw);
	strbuf_add(&raw, "\0\0\0\0junk", 8);
	strbuf_reset(&sb);
	compress_gzip(raw.buf, raw.len, &sb);
	assert_int_equal(scan_mem(&sb, 0, &o, &r), -IRF_ECORRUPT);
	snprintf(want, sizeof(want), "the gzip stream at offset 0 holds data that is not cpio at unpacked offset %zu",
		 raw.len - 4);
	EXPECT_STR(1, "junk in gzip", r.error, want);
	initramfs_result_release(&r);

	/* A compressed stream that holds no cpio at all. */
	strbuf_reset(&sb);
	compress_zstd("plain text, not an archive", 26, &sb);
	assert_int_equal(scan_mem(&sb, 0, &o, &r), -IRF_ECORRUPT);
	initramfs_result_release(&r);

	/* A stream that ends before the archive's trailer. */
	strbuf_reset(&raw);
	cpio_add(&raw, "virtio_blk.ko", REG, "x");
	strbuf_reset(&sb);
	compress_xz(raw.buf, raw.len, &sb);
	assert_int_equal(scan_mem(&sb, 0, &o, &r), -IRF_ETRUNC);
	EXPECT_STR(2, "no trailer in xz", r.error,
		   "the xz stream at offset 0 ends before the archive's trailer (after 1 entries)");
	initramfs_result_release(&r);
	strbuf_release(&raw);
	strbuf_release(&sb);
}

/* A decompression bomb (zeros are valid padding) is bounded by max_unpacked. */
static void t_bomb(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	static unsigned char zeros[1 << 16];
	unsigned char out[1 << 16];
	for (int i = 0; i < 1024; i++) { /* 64 MiB of zeros */
		z.next_in = zeros;
		z.avail_in = sizeof(zeros);
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			deflate(&z, i == 1023 ? Z_FINISH : Z_NO_FLUSH);
			strbuf_add(&sb, out, sizeof(out) - z.avail_out);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	struct initramfs_result r;
	struct initramfs_opts o = { .max_unpacked = 1u << 20 };
	assert_int_equal(scan_mem(&sb, 0, &o, &r), -IRF_ELIMIT);
	EXPECT_STR(0, "bomb", r.error, "the gzip stream at offset 0 unpacks to more than 1 MiB, the most cvmprep reads");
	initramfs_result_release(&r);
	/* Under the default limit the zeros are read through as padding. */
	assert_int_equal(scan_mem(&sb, 0, NULL, &r), 0);
	EXPECT_INT(1, "zeros", r.unpacked, 64u << 20);
	initramfs_result_release(&r);
	strbuf_release(&sb);
}

/* Thousands of tiny archives: the segment list is bounded. */
static void t_many_segments(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (unsigned i = 0; i < IRF_MAX_SEGMENTS + 10; i++)
		cpio_trailer(&sb);
	struct initramfs_result r;
	assert_int_equal(scan_mem(&sb, 0, NULL, &r), -IRF_ELIMIT);
	EXPECT_INT(0, "segments", r.nsegs, IRF_MAX_SEGMENTS);
	initramfs_result_release(&r);
	strbuf_release(&sb);
}

/* A read error is reported with errno's message, not taken for the end of the file. */
static void t_read_error(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	struct strbuf z = STRBUF_INIT;
	compress_gzip(raw.buf, raw.len, &z);
	for (int gz = 0; gz < 2; gz++) {
		const struct strbuf *in = gz ? &z : &raw;
		struct mem m = { (const unsigned char *)in->buf, in->len / 2, 0, 0, 0, true };
		struct initramfs_result r;
		assert_int_equal(initramfs_scan(mem_read, NULL, &m, NULL, &r), -EIO);
		if (!r.error || !strstr(r.error, "read error at offset") || !strstr(r.error, strerror(EIO)))
			fail_msg("read error: '%s'", r.error);
		initramfs_result_release(&r);
	}
	strbuf_release(&z);
	strbuf_release(&raw);
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

/* Through a file descriptor: a file (bodies are seeked over) and a pipe (read through). */
static void t_fd(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	char *big = filler(5u << 20, 9);
	cpio_add(&sb, "early/big", REG, big);
	cpio_add(&sb, "x/virtio_net.ko", REG, "n");
	cpio_trailer(&sb);
	free(big);
	pad_to(&sb, 512);
	struct strbuf raw = STRBUF_INIT;
	main_archive(&raw);
	compress_zstd(raw.buf, raw.len, &sb);

	char path[] = "/tmp/test_initramfs.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write_all(fd, sb.buf, sb.len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	struct initramfs_result r;
	struct initramfs_opts o = { .wanted = virtio_set };
	assert_int_equal(initramfs_scan_fd(fd, &o, &r), 0);
	EXPECT_STR(0, "file", r.mods[4].path, "x/virtio_net.ko");
	EXPECT_STR(0, "file", r.mods[0].path, KDIR "block/virtio_blk.ko");
	EXPECT_INT(0, "file", r.nsegs, 2);
	EXPECT_INT(0, "file", r.bytes_read, sb.len);
	initramfs_result_release(&r);

	/* Cut inside the big body: the seek goes past the end, the read finds it. */
	assert_int_equal(ftruncate(fd, 1u << 20), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(initramfs_scan_fd(fd, &o, &r), -IRF_ETRUNC);
	initramfs_result_release(&r);
	close(fd);

	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(write_all(p[1], sb.buf, sb.len) ? 1 : 0);
	}
	close(p[1]);
	assert_int_equal(initramfs_scan_fd(p[0], &o, &r), 0);
	EXPECT_STR(1, "pipe", r.mods[4].path, "x/virtio_net.ko");
	EXPECT_INT(1, "pipe", r.bytes_read, sb.len);
	initramfs_result_release(&r);
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);

	/* A descriptor that cannot be read. */
	fd = open("/dev/null", O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(initramfs_scan_fd(fd, &o, &r), -EBADF);
	initramfs_result_release(&r);
	close(fd);
	strbuf_release(&raw);
	strbuf_release(&sb);
}

static void t_module_name(void **state)
{
	(void)state;
	static const struct {
		const char *path, *want;
	} rows[] = {
		{ "usr/lib/modules/6.1/kernel/drivers/block/virtio_blk.ko", "virtio_blk" },
		{ "virtio-pci.ko.xz", "virtio_pci" },
		{ "a/b/virtio_ring.ko.zst", "virtio_ring" },
		{ "a/virtio.ko.gz", "virtio" },
		{ "a/sr_mod.ko", "sr_mod" },
		{ "a/ata-piix.ko", "ata_piix" },
		{ "a/virtio.ko.bz2", NULL },
		{ "a/virtio.o", NULL },
		{ "a/.ko", NULL },
		{ "a/.ko.xz", NULL },
		{ "virtio.ko/readme", NULL },
		{ "a/virtio.KO", NULL },
		{ "", NULL },
		{ "a/", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char out[64];
		bool ok = initramfs_module_name(rows[i].path, out, sizeof(out));
		EXPECT_STR(i, rows[i].path, ok ? out : NULL, rows[i].want);
	}
	char tiny[4];
	assert_false(initramfs_module_name("a/virtio.ko", tiny, sizeof(tiny)));
}

static void t_detect(void **state)
{
	(void)state;
	static const struct {
		struct buf in;
		enum initramfs_comp want;
	} rows[] = {
		{ BUF("070701"), IRF_COMP_NONE },	       { BUF("0707"), IRF_COMP_NONE },
		{ BUF("070"), IRF_COMP_UNKNOWN },	       { BUF("\x1f\x8b\x08"), IRF_COMP_GZIP },
		{ BUF("\x1f\x9e"), IRF_COMP_GZIP },	       { BUF("BZh9"), IRF_COMP_BZIP2 },
		{ BUF("\x5d\x00\x00\x80\x00"), IRF_COMP_LZMA }, { BUF("\xfd" "7zXZ\0"), IRF_COMP_XZ },
		{ BUF("\xfd" "7zXZ"), IRF_COMP_UNKNOWN },      { BUF("\x89LZO\0"), IRF_COMP_LZO },
		{ BUF("\x02\x21\x4c\x18"), IRF_COMP_LZ4_LEGACY }, { BUF("\x04\x22\x4d\x18"), IRF_COMP_LZ4 },
		{ BUF("\x28\xb5\x2f\xfd"), IRF_COMP_ZSTD },    { BUF("\x28\xb5\x2f"), IRF_COMP_UNKNOWN },
		{ BUF(""), IRF_COMP_UNKNOWN },		       { BUF("MZ"), IRF_COMP_UNKNOWN },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		EXPECT_INT(i, "detect", initramfs_detect((const unsigned char *)rows[i].in.p, rows[i].in.n), rows[i].want);
	assert_string_equal(initramfs_strerror(-IRF_ETRUNC), "truncated archive");
	assert_string_equal(initramfs_strerror(-ENOENT), strerror(ENOENT));
	assert_false(initramfs_comp_kernel_reads(IRF_COMP_LZ4));
	assert_true(initramfs_comp_kernel_reads(IRF_COMP_LZ4_LEGACY));
}

/* Archives with random bytes changed or cut off: a result or a clean error, every time. */
static void t_mutations(void **state)
{
	(void)state;
	struct strbuf raw = STRBUF_INIT;
	cpio_add(&raw, "kernel/x86/microcode/GenuineIntel.bin", REG, "microcode");
	cpio_trailer(&raw);
	size_t early = raw.len;
	struct strbuf main = STRBUF_INIT;
	char *text = filler(3000, 5);
	cpio_add(&main, ".", DIR, NULL);
	cpio_add(&main, KDIR "block/virtio_blk.ko", REG, text);
	cpio_add(&main, "lib", LNK, "usr/lib");
	cpio_add(&main, KDIR "virtio/virtio_pci.ko.xz", REG, text + 1000);
	cpio_trailer(&main);
	free(text);
	uint32_t x = 12345;
	legacy_block = 1024;
	for (size_t i = 0; i < ARRAY_SIZE(codecs); i++) {
		struct strbuf z = STRBUF_INIT;
		strbuf_add(&z, raw.buf, early);
		codecs[i].fn(main.buf, main.len, &z);
		for (int m = 0; m < 400; m++) {
			struct strbuf t = STRBUF_INIT;
			strbuf_add(&t, z.buf, z.len);
			int flips = 1 + m % 3;
			for (int f = 0; f < flips; f++) {
				x = x * 1103515245u + 12345u;
				size_t at = (x >> 8) % t.len;
				x = x * 1103515245u + 12345u;
				t.buf[at] = (char)(x >> 16);
			}
			if (m % 5 == 0) {
				x = x * 1103515245u + 12345u;
				t.len = (x >> 8) % t.len;
			}
			struct initramfs_result r;
			struct strvec names = STRVEC_INIT;
			struct initramfs_opts o = { .wanted = virtio_set, .on_entry = collect, .arg = &names };
			int rc = scan_mem(&t, m % 2 ? 3 : 0, &o, &r);
			if (rc != 0 && rc != -IRF_ETRUNC && rc != -IRF_ECORRUPT && rc != -IRF_EUNKNOWN &&
			    rc != -IRF_EUNSUPP && rc != -IRF_EDECOMP && rc != -IRF_ELIMIT)
				fail_msg("%s mutation %d: rc %d", initramfs_comp_name(codecs[i].comp), m, rc);
			if ((rc != 0) != (r.error != NULL) || rc != r.err)
				fail_msg("%s mutation %d: rc %d but error '%s'", initramfs_comp_name(codecs[i].comp), m, rc,
					 r.error);
			initramfs_result_release(&r);
			strvec_clear(&names);
			strbuf_release(&t);
		}
		strbuf_release(&z);
	}
	legacy_block = 8u << 20;
	strbuf_release(&main);
	strbuf_release(&raw);
}

/* The parser alone, a byte at a time: same entries and offsets as in one piece. */
static bool parser_collect(const struct cpio_entry *e, void *arg)
{
	strvec_pushf(arg, "%s@%llu:%llu", e->name, (unsigned long long)e->offset, (unsigned long long)e->size);
	return true;
}

static void t_parser_bytewise(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	cpio_add(&sb, "a", REG, "12345");
	cpio_add(&sb, "bb", DIR, NULL);
	cpio_trailer(&sb);
	pad_to(&sb, 16);
	cpio_add(&sb, "ccc", REG, "1");
	cpio_trailer(&sb);
	struct strvec one = STRVEC_INIT, bytes = STRVEC_INIT;
	struct cpio_parser *p = xmalloc(sizeof(*p));
	cpio_init(p, 0, parser_collect, &one);
	size_t used, off = 0;
	int ends = 0;
	while (off < sb.len) {
		int rc = cpio_feed(p, sb.buf + off, sb.len - off, &used);
		assert_true(rc == CPIO_MORE || rc == CPIO_ARCHIVE_END);
		ends += rc == CPIO_ARCHIVE_END;
		off += used;
	}
	assert_int_equal(ends, 2);
	cpio_init(p, 0, parser_collect, &bytes);
	ends = 0;
	for (size_t i = 0; i < sb.len; i++) {
		int rc = cpio_feed(p, sb.buf + i, 1, &used);
		assert_int_equal(used, 1);
		ends += rc == CPIO_ARCHIVE_END;
	}
	assert_int_equal(ends, 2);
	assert_true(cpio_at_boundary(p));
	EXPECT_LIST(0, "whole", &one, "a@0:5|bb@120:0|ccc@368:1");
	EXPECT_LIST(1, "bytewise", &bytes, "a@0:5|bb@120:0|ccc@368:1");
	free(p);
	strvec_clear(&one);
	strvec_clear(&bytes);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_each_compression), cmocka_unit_test(t_early_and_main),
		cmocka_unit_test(t_crc_format),	      cmocka_unit_test(t_archives_in_one_stream),
		cmocka_unit_test(t_multi_member),     cmocka_unit_test(t_lz4_legacy_frames),
		cmocka_unit_test(t_gzip_header_fields),
		cmocka_unit_test(t_stop_early),	      cmocka_unit_test(t_callback_stops),
		cmocka_unit_test(t_truncated),	      cmocka_unit_test(t_corrupt_streams),
		cmocka_unit_test(t_hostile_headers),  cmocka_unit_test(t_junk_after),
		cmocka_unit_test(t_bomb),	      cmocka_unit_test(t_many_segments),
		cmocka_unit_test(t_read_error),	      cmocka_unit_test(t_fd),
		cmocka_unit_test(t_module_name),      cmocka_unit_test(t_detect),
		cmocka_unit_test(t_parser_bytewise),  cmocka_unit_test(t_mutations),
	};
	return cmocka_run_group_tests_name("initramfs", tests, NULL, NULL);
}
