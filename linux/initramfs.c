/* The Linux half of the initramfs reader: input, decompressors (zlib, libbz2, liblzma, liblz4, libzstd), the scan. */
#define _GNU_SOURCE
#include "initramfs.h"

#include <bzlib.h>
#include <errno.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/*
 * ISA-L's inflate is more than twice as fast as zlib's on initramfs images; zlib is the fallback.
 * ISA-L's own gzip header parsing needs the whole header in one call (intel/isa-l#224), so
 * zlib reads the header (any length, split anywhere, header CRC checked) and ISA-L the deflate
 * data and the trailer (CRC32 and size checked).
 */
#if defined(__has_include) && !defined(CVMPREP_NO_ISAL)
#if __has_include(<isa-l/igzip_lib.h>)
#include <isa-l/igzip_lib.h>
#define HAVE_ISAL 1
#endif
#endif

#include "util.h"
#include "banned.h"

#define READ_WINDOW (128u << 10)
#define OUT_WINDOW (128u << 10)

/* lz4 legacy frames (lz4 -l, the kernel's lib/decompress_unlz4.c): blocks of 8 MiB unpacked. */
#define LZ4L_MAGIC 0x184C2102u
#define LZ4L_BLOCK (8u << 20)
#define LZ4L_BOUND ((size_t)LZ4_COMPRESSBOUND(LZ4L_BLOCK))
/*
 * A block is decoded in place (lz4.h, "in-place decompression"): the compressed block sits at
 * the end of one buffer and is decoded to its start, so one 8.1 MiB buffer serves both. The
 * margin is lz4.h's LZ4_DECOMPRESS_INPLACE_MARGIN for the largest block. A hostile block can
 * only garble its own output: LZ4_decompress_safe stays within the buffer.
 */
#define LZ4L_BUF (LZ4L_BOUND + (LZ4L_BOUND >> 8) + 32)

/* ---- input: a window over the reader ---- */

struct input {
	initramfs_read_fn rd;
	initramfs_skip_fn sk;
	void *arg;
	unsigned char *buf;
	size_t lo, hi; /* buf[lo..hi) is unread data */
	uint64_t off;  /* file offset of buf[lo] */
	bool eof;
};

static size_t in_avail(const struct input *in)
{
	return in->hi - in->lo;
}

static const unsigned char *in_ptr(const struct input *in)
{
	return in->buf + in->lo;
}

static void in_consume(struct input *in, size_t n)
{
	in->lo += n;
	in->off += n;
}

/* Make at least want bytes available (fewer only at the end of the input). */
static int in_fill(struct input *in, size_t want)
{
	if (want > READ_WINDOW)
		want = READ_WINDOW;
	if (in_avail(in) >= want || in->eof)
		return 0;
	if (in->lo) {
		memmove(in->buf, in->buf + in->lo, in->hi - in->lo);
		in->hi -= in->lo;
		in->lo = 0;
	}
	while (in->hi < want && !in->eof) {
		int64_t n = in->rd(in->arg, in->buf + in->hi, READ_WINDOW - in->hi);
		if (n < 0)
			return (int)n;
		if ((uint64_t)n > READ_WINDOW - in->hi)
			return -EIO; /* a reader that returns more than it was asked for */
		if (n == 0)
			in->eof = true;
		in->hi += (size_t)n;
	}
	return 0;
}

/* ---- decoders ---- */

enum { DEC_OK = 0, DEC_END = 1 };

struct decoder {
	enum initramfs_comp comp;
	unsigned char *out; /* OUT_WINDOW bytes */
	union {
		struct {
			z_stream z;
#ifdef HAVE_ISAL
			struct inflate_state *isal;
			bool body; /* the header is read: ISA-L's turn */
#endif
		} gz;
		bz_stream bz;
		lzma_stream x;
		ZSTD_DStream *zs;
		LZ4F_dctx *lz;
		struct {
			unsigned char *buf; /* LZ4L_BUF bytes, allocated with the first block */
			size_t need, got;
			bool in_block;
		} ll;
	} u;
	char msg[200];
};

static int dec_fail(struct decoder *d, const char *fmt, ...) ATTR_PRINTF(2, 3);
static int dec_fail(struct decoder *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return -IRF_EDECOMP;
}

static int dec_init(struct decoder *d, enum initramfs_comp comp)
{
	memset(&d->u, 0, sizeof(d->u));
	d->comp = comp;
	d->msg[0] = '\0';
	switch (comp) {
	case IRF_COMP_GZIP:
		/* 16 + 15: a gzip member with a 32 KiB window; one member per stream. */
		if (inflateInit2(&d->u.gz.z, 16 + 15) != Z_OK)
			return dec_fail(d, "zlib: cannot initialise");
#ifdef HAVE_ISAL
		d->u.gz.isal = xmalloc(sizeof(*d->u.gz.isal));
		isal_inflate_init(d->u.gz.isal);
		d->u.gz.isal->crc_flag = ISAL_GZIP_NO_HDR_VER; /* deflate data, then the trailer checked */
#endif
		return 0;
	case IRF_COMP_BZIP2:
		if (BZ2_bzDecompressInit(&d->u.bz, 0, 0) != BZ_OK)
			return dec_fail(d, "libbz2: cannot initialise");
		return 0;
	case IRF_COMP_XZ:
	case IRF_COMP_LZMA: {
		lzma_stream init = LZMA_STREAM_INIT;
		d->u.x = init;
		lzma_ret ret = comp == IRF_COMP_XZ ? lzma_stream_decoder(&d->u.x, IRF_XZ_MEMLIMIT, 0)
						   : lzma_alone_decoder(&d->u.x, IRF_XZ_MEMLIMIT);
		if (ret != LZMA_OK)
			return dec_fail(d, "liblzma: cannot initialise (%d)", (int)ret);
		return 0;
	}
	case IRF_COMP_ZSTD:
		d->u.zs = ZSTD_createDStream();
		if (!d->u.zs)
			die_oom();
		if (ZSTD_isError(ZSTD_DCtx_setParameter(d->u.zs, ZSTD_d_windowLogMax, IRF_ZSTD_WINDOWLOG_MAX)))
			return dec_fail(d, "libzstd: cannot limit the window");
		return 0;
	case IRF_COMP_LZ4:
		if (LZ4F_isError(LZ4F_createDecompressionContext(&d->u.lz, LZ4F_VERSION)))
			return dec_fail(d, "liblz4: cannot initialise");
		return 0;
	case IRF_COMP_LZ4_LEGACY:
		return 0;
	default:
		return dec_fail(d, "no decoder for %s", initramfs_comp_name(comp));
	}
}

static void dec_end(struct decoder *d)
{
	switch (d->comp) {
	case IRF_COMP_GZIP:
		inflateEnd(&d->u.gz.z);
#ifdef HAVE_ISAL
		free(d->u.gz.isal);
#endif
		break;
	case IRF_COMP_BZIP2:
		BZ2_bzDecompressEnd(&d->u.bz);
		break;
	case IRF_COMP_XZ:
	case IRF_COMP_LZMA:
		lzma_end(&d->u.x);
		break;
	case IRF_COMP_ZSTD:
		ZSTD_freeDStream(d->u.zs);
		break;
	case IRF_COMP_LZ4:
		LZ4F_freeDecompressionContext(d->u.lz);
		break;
	case IRF_COMP_LZ4_LEGACY:
		free(d->u.ll.buf);
		break;
	default:
		break;
	}
	memset(&d->u, 0, sizeof(d->u));
}

#ifdef HAVE_ISAL
static const char *isal_error(int ret)
{
	switch (ret) {
	case ISAL_INVALID_BLOCK:
		return "invalid deflate block";
	case ISAL_INVALID_SYMBOL:
		return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK:
		return "invalid distance too far back";
	case ISAL_INVALID_WRAPPER:
		return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD:
		return "unsupported compression method";
	case ISAL_INCORRECT_CHECKSUM:
		return "incorrect data check";
	default:
		return "inflate failed";
	}
}
#endif

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * liblz4 has no streaming decoder for legacy frames, so each block is gathered whole and
 * decoded with LZ4_decompress_safe. The stream has no end marker: like lz4's own reader, it
 * ends at the end of input, or where the next four bytes are not a plausible block size (zero
 * padding, or the magic of what follows).
 */
static int step_lz4_legacy(struct decoder *d, const unsigned char *in, size_t avail, bool eof, size_t *used,
			   const unsigned char **out, size_t *outn)
{
	typeof(d->u.ll) *l = &d->u.ll;
	if (!l->in_block) {
		if (avail < 4) {
			/* At the end of the input: the stream ends, unless a block size was cut short. */
			bool zeros = true;
			for (size_t i = 0; i < avail; i++)
				zeros = zeros && !in[i];
			return eof && zeros ? DEC_END : DEC_OK;
		}
		uint32_t size = le32(in);
		if (size == LZ4L_MAGIC) {
			*used = 4;
			return DEC_OK;
		}
		if (size == 0 || size > LZ4L_BOUND)
			return DEC_END;
		*used = 4;
		l->in_block = true;
		l->need = size;
		l->got = 0;
		if (!l->buf)
			l->buf = xmalloc(LZ4L_BUF);
		return DEC_OK;
	}
	unsigned char *blk = l->buf + LZ4L_BUF - l->need;
	size_t n = l->need - l->got;
	if (n > avail)
		n = avail;
	memcpy(blk + l->got, in, n);
	l->got += n;
	*used = n;
	if (l->got < l->need)
		return DEC_OK;
	int got = LZ4_decompress_safe((const char *)blk, (char *)l->buf, (int)l->need, LZ4L_BLOCK);
	l->in_block = false;
	if (got < 0)
		return dec_fail(d, "lz4: corrupt block of %zu bytes", l->need);
	*out = l->buf;
	*outn = (size_t)got;
	return DEC_OK;
}

/*
 * One decoding step: consume *used bytes of in, produce *outn bytes at *out. DEC_END when the
 * stream (gzip member, xz stream, zstd frame...) ended; the bytes after it are not consumed.
 */
static int dec_step(struct decoder *d, const unsigned char *in, size_t avail, bool eof, size_t *used,
		    const unsigned char **out, size_t *outn)
{
	*used = 0;
	*outn = 0;
	*out = d->out;
	switch (d->comp) {
	case IRF_COMP_GZIP: {
		z_stream *z = &d->u.gz.z;
#ifdef HAVE_ISAL
		if (d->u.gz.body) {
			struct inflate_state *st = d->u.gz.isal;
			st->next_in = (uint8_t *)in;
			st->avail_in = (uint32_t)avail;
			st->next_out = d->out;
			st->avail_out = OUT_WINDOW;
			int ret = isal_inflate(st);
			/* At the end of the member next_in is just past its trailer. */
			*used = avail - st->avail_in;
			*outn = OUT_WINDOW - st->avail_out;
			if (ret >= 0)
				return st->block_state == ISAL_BLOCK_FINISH ? DEC_END : DEC_OK;
			return dec_fail(d, "isa-l: %s", isal_error(ret));
		}
#endif
		z->next_in = (Bytef *)in;
		z->avail_in = (uInt)avail;
		z->next_out = d->out;
		z->avail_out = OUT_WINDOW;
#ifdef HAVE_ISAL
		/* Z_BLOCK: return right after the header, having taken exactly its bytes. */
		int ret = inflate(z, Z_BLOCK);
		*used = avail - z->avail_in;
		if ((ret == Z_OK || ret == Z_BUF_ERROR) && (z->data_type & 128)) {
			d->u.gz.body = true;
			return DEC_OK;
		}
#else
		int ret = inflate(z, Z_NO_FLUSH);
		*used = avail - z->avail_in;
#endif
		*outn = OUT_WINDOW - z->avail_out;
		if (ret == Z_STREAM_END)
			return DEC_END;
		if (ret == Z_OK || ret == Z_BUF_ERROR)
			return DEC_OK;
		return dec_fail(d, "zlib: %s", z->msg ? z->msg : "inflate failed");
	}
	case IRF_COMP_BZIP2: {
		bz_stream *bz = &d->u.bz;
		bz->next_in = (char *)in;
		bz->avail_in = (unsigned)avail;
		bz->next_out = (char *)d->out;
		bz->avail_out = OUT_WINDOW;
		int ret = BZ2_bzDecompress(bz);
		*used = avail - bz->avail_in;
		*outn = OUT_WINDOW - bz->avail_out;
		if (ret == BZ_STREAM_END)
			return DEC_END;
		if (ret == BZ_OK)
			return DEC_OK;
		return dec_fail(d, "libbz2: %s", ret == BZ_MEM_ERROR ? "out of memory" : "corrupt data");
	}
	case IRF_COMP_XZ:
	case IRF_COMP_LZMA: {
		lzma_stream *x = &d->u.x;
		x->next_in = in;
		x->avail_in = avail;
		x->next_out = d->out;
		x->avail_out = OUT_WINDOW;
		lzma_ret ret = lzma_code(x, LZMA_RUN);
		*used = avail - x->avail_in;
		*outn = OUT_WINDOW - x->avail_out;
		switch (ret) {
		case LZMA_STREAM_END:
			return DEC_END;
		case LZMA_OK:
		case LZMA_BUF_ERROR: /* no progress: more input needed */
			return DEC_OK;
		case LZMA_MEMLIMIT_ERROR:
			return dec_fail(d, "liblzma: the stream needs %llu MiB of memory, more than the %u MiB allowed",
					(unsigned long long)(lzma_memusage(x) >> 20), IRF_XZ_MEMLIMIT >> 20);
		case LZMA_FORMAT_ERROR:
			return dec_fail(d, "liblzma: not a valid %s header", initramfs_comp_name(d->comp));
		case LZMA_OPTIONS_ERROR:
			return dec_fail(d, "liblzma: unsupported options");
		case LZMA_DATA_ERROR:
			return dec_fail(d, "liblzma: corrupt data");
		case LZMA_MEM_ERROR:
			die_oom();
		default:
			return dec_fail(d, "liblzma: error %d", (int)ret);
		}
	}
	case IRF_COMP_ZSTD: {
		ZSTD_inBuffer zi = { in, avail, 0 };
		ZSTD_outBuffer zo = { d->out, OUT_WINDOW, 0 };
		size_t ret = ZSTD_decompressStream(d->u.zs, &zo, &zi);
		*used = zi.pos;
		*outn = zo.pos;
		if (ZSTD_isError(ret))
			return dec_fail(d, "libzstd: %s", ZSTD_getErrorName(ret));
		return ret == 0 ? DEC_END : DEC_OK;
	}
	case IRF_COMP_LZ4: {
		size_t outsz = OUT_WINDOW, insz = avail;
		size_t ret = LZ4F_decompress(d->u.lz, d->out, &outsz, in, &insz, NULL);
		*used = insz;
		*outn = outsz;
		if (LZ4F_isError(ret))
			return dec_fail(d, "liblz4: %s", LZ4F_getErrorName(ret));
		return ret == 0 ? DEC_END : DEC_OK;
	}
	case IRF_COMP_LZ4_LEGACY:
		return step_lz4_legacy(d, in, avail, eof, used, out, outn);
	default:
		return dec_fail(d, "no decoder for %s", initramfs_comp_name(d->comp));
	}
}

/* ---- the scan ---- */

struct scan {
	struct input in;
	struct cpio_parser cp;
	struct decoder dec;
	struct initramfs_result *r;
	const struct initramfs_opts *o;
	uint64_t max_unpacked;
	bool stop; /* set by the entry callback */
};

static bool on_entry(const struct cpio_entry *e, void *arg)
{
	struct scan *s = arg;
	bool done = irf_result_entry(s->r, e->name, e->mode);
	if (s->o->on_entry) {
		struct initramfs_entry ie = { e->name, e->mode, e->size, s->r->nsegs - 1 };
		if (!s->o->on_entry(&ie, s->o->arg))
			s->stop = true;
	} else if (done) {
		s->stop = true;
	}
	return !s->stop;
}

static struct initramfs_segment *cur_seg(struct scan *s)
{
	return &s->r->segs[s->r->nsegs - 1];
}

static int parser_error(struct scan *s, int rc, const char *where)
{
	return irf_result_fail(s->r, rc, "%s: %s", where, s->cp.err);
}

/* Feed what a decompressor produced to the parser; several archives may follow one another. */
static int sink(struct scan *s, const unsigned char *p, size_t n)
{
	struct initramfs_segment *seg = cur_seg(s);
	seg->unpacked += n;
	s->r->unpacked += n;
	if (s->r->unpacked > s->max_unpacked)
		return irf_result_fail(s->r, IRF_ELIMIT,
				       "the %s stream at offset %llu unpacks to more than %llu MiB, the most cvmprep reads",
				       initramfs_comp_name(seg->comp), (unsigned long long)seg->offset,
				       (unsigned long long)(s->max_unpacked >> 20));
	while (n) {
		size_t used;
		int rc = cpio_feed(&s->cp, p, n, &used);
		p += used;
		n -= used;
		if (rc < 0) {
			char where[96];
			snprintf(where, sizeof(where), "in the %s stream at offset %llu", initramfs_comp_name(seg->comp),
				 (unsigned long long)seg->offset);
			return parser_error(s, rc, where);
		}
		if (rc == CPIO_ARCHIVE_END)
			seg->archives++;
		else if (rc == CPIO_STOPPED)
			return 1;
		else if (rc == CPIO_JUNK)
			return irf_result_fail(s->r, IRF_ECORRUPT,
					       "the %s stream at offset %llu holds data that is not cpio at unpacked offset %llu",
					       initramfs_comp_name(seg->comp), (unsigned long long)seg->offset,
					       (unsigned long long)s->cp.pos);
	}
	return 0;
}

/* Zero bytes in the input, passed over; at most what the window holds. */
static size_t zeros_ahead(const struct input *in)
{
	const unsigned char *p = in_ptr(in);
	size_t n = 0, avail = in_avail(in);
	while (n < avail && p[n] == 0)
		n++;
	return n;
}

/*
 * After a compressed stream ended in the middle of an archive: whether another stream of the
 * same kind follows (pigz/pzstd-style multi-member files, or xz stream padding), so that the
 * archive goes on in it.
 */
static int continues(struct scan *s, enum initramfs_comp comp, bool *yes)
{
	*yes = false;
	for (;;) {
		int rc = in_fill(&s->in, 8);
		if (rc < 0)
			return rc;
		size_t z = zeros_ahead(&s->in);
		if (!z)
			break;
		in_consume(&s->in, z);
		cur_seg(s)->length += z;
	}
	*yes = initramfs_detect(in_ptr(&s->in), in_avail(&s->in)) == comp;
	return 0;
}

static int read_error(struct scan *s, int rc)
{
	return irf_result_fail(s->r, rc, "read error at offset %llu: %s", (unsigned long long)s->in.off, strerror(-rc));
}

static int scan_compressed(struct scan *s, enum initramfs_comp comp)
{
	struct initramfs_segment *seg = irf_result_segment(s->r, comp, s->in.off);
	if (!seg)
		return irf_result_fail(s->r, IRF_ELIMIT, "more than %u archives or compressed streams", IRF_MAX_SEGMENTS);
	cpio_init(&s->cp, 0, on_entry, s);
	struct decoder *d = &s->dec;
	int rc = dec_init(d, comp);
	if (rc < 0)
		goto fail;
	unsigned stalls = 0;
	for (;;) {
		if (!in_avail(&s->in) && !s->in.eof) {
			rc = in_fill(&s->in, 1);
			if (rc < 0)
				goto out;
		}
		size_t used, outn;
		const unsigned char *out;
		size_t avail = in_avail(&s->in);
		rc = dec_step(d, in_ptr(&s->in), avail, s->in.eof, &used, &out, &outn);
		in_consume(&s->in, used);
		seg->length += used;
		if (outn) {
			int src = sink(s, out, outn);
			if (src) {
				rc = src;
				goto out;
			}
		}
		if (rc < 0)
			goto fail;
		if (rc == DEC_END) {
			if (cpio_at_boundary(&s->cp))
				break;
			bool more;
			rc = continues(s, comp, &more);
			if (rc < 0)
				goto out;
			if (!more) {
				char where[400];
				cpio_where(&s->cp, where, sizeof(where));
				rc = irf_result_fail(s->r, IRF_ETRUNC, "the %s stream at offset %llu ends %s",
						     initramfs_comp_name(comp), (unsigned long long)seg->offset, where);
				goto out;
			}
			dec_end(d);
			rc = dec_init(d, comp);
			if (rc < 0)
				goto fail;
			continue;
		}
		if (used || outn) {
			stalls = 0;
			continue;
		}
		/* No progress: the decoder wants more input than the window holds now. */
		if (s->in.eof) {
			rc = irf_result_fail(s->r, IRF_ETRUNC, "the %s stream at offset %llu is cut short at the end of the file",
					     initramfs_comp_name(comp), (unsigned long long)seg->offset);
			goto out;
		}
		if (++stalls > 2 && avail == READ_WINDOW) {
			rc = irf_result_fail(s->r, IRF_EDECOMP, "the %s decoder makes no progress at offset %llu",
					     initramfs_comp_name(comp), (unsigned long long)s->in.off);
			goto out;
		}
		rc = in_fill(&s->in, avail + 1);
		if (rc < 0)
			goto out;
	}
	seg->complete = true;
	rc = 0;
	goto out;
fail:
	rc = irf_result_fail(s->r, rc, "the %s stream at offset %llu: %s", initramfs_comp_name(comp),
			     (unsigned long long)seg->offset, d->msg);
out:
	if (rc < 0 && rc > -IRF_ETRUNC && rc != 1)
		rc = read_error(s, rc);
	dec_end(d);
	return rc;
}

/* A stored archive: read up to and including its trailer; bodies are seeked over when possible. */
static int scan_stored(struct scan *s)
{
	struct initramfs_segment *seg = irf_result_segment(s->r, IRF_COMP_NONE, s->in.off);
	if (!seg)
		return irf_result_fail(s->r, IRF_ELIMIT, "more than %u archives or compressed streams", IRF_MAX_SEGMENTS);
	cpio_init(&s->cp, s->in.off, on_entry, s);
	for (;;) {
		int rc;
		if (!in_avail(&s->in)) {
			rc = in_fill(&s->in, 1);
			if (rc < 0)
				return read_error(s, rc);
			if (!in_avail(&s->in)) {
				char where[400];
				cpio_where(&s->cp, where, sizeof(where));
				return irf_result_fail(s->r, IRF_ETRUNC, "the file ends at offset %llu %s",
						       (unsigned long long)s->in.off, where);
			}
		}
		uint64_t skip = cpio_skippable(&s->cp);
		if (s->in.sk && skip > in_avail(&s->in) + READ_WINDOW) {
			/* Drop what the window holds of the body, then seek over the rest. */
			uint64_t n = skip - in_avail(&s->in);
			cpio_advance(&s->cp, in_avail(&s->in));
			seg->length += in_avail(&s->in);
			in_consume(&s->in, in_avail(&s->in));
			int64_t got = s->in.sk(s->in.arg, n);
			if (got < 0) {
				s->in.sk = NULL; /* not seekable: read instead */
				continue;
			}
			if ((uint64_t)got > n)
				got = (int64_t)n;
			cpio_advance(&s->cp, (uint64_t)got);
			seg->length += (uint64_t)got;
			seg->unpacked += (uint64_t)got;
			s->r->unpacked += (uint64_t)got;
			s->in.off += (uint64_t)got; /* short of n: the next read finds the end of the file */
			continue;
		}
		size_t used;
		rc = cpio_feed(&s->cp, in_ptr(&s->in), in_avail(&s->in), &used);
		in_consume(&s->in, used);
		seg->length += used;
		seg->unpacked += used;
		s->r->unpacked += used;
		if (rc < 0) {
			char where[64];
			snprintf(where, sizeof(where), "in the uncompressed archive at offset %llu",
				 (unsigned long long)seg->offset);
			return parser_error(s, rc, where);
		}
		if (rc == CPIO_STOPPED)
			return 1;
		if (rc == CPIO_ARCHIVE_END) {
			seg->archives++;
			seg->complete = true;
			return 0;
		}
		/* CPIO_JUNK cannot happen: the segment starts at a '0' and ends at its trailer. */
	}
}

int initramfs_scan(initramfs_read_fn rd, initramfs_skip_fn sk, void *arg, const struct initramfs_opts *o,
		   struct initramfs_result *r)
{
	static const struct initramfs_opts none = { 0 };
	if (!o)
		o = &none;
	irf_result_init(r, o->wanted);
	struct scan *s = xcalloc(1, sizeof(*s));
	s->r = r;
	s->o = o;
	s->max_unpacked = o->max_unpacked ? o->max_unpacked : IRF_MAX_UNPACKED;
	s->in.rd = rd;
	s->in.sk = sk;
	s->in.arg = arg;
	s->in.buf = xmalloc(READ_WINDOW);
	s->dec.out = xmalloc(OUT_WINDOW);
	int rc = 0;
	for (;;) {
		rc = in_fill(&s->in, 8);
		if (rc < 0) {
			rc = read_error(s, rc);
			break;
		}
		if (!in_avail(&s->in))
			break;
		size_t z = zeros_ahead(&s->in);
		if (z) {
			in_consume(&s->in, z);
			continue;
		}
		enum initramfs_comp comp = initramfs_detect(in_ptr(&s->in), in_avail(&s->in));
		const unsigned char *p = in_ptr(&s->in);
		/* A '0' starts a stored archive; the parser says what is wrong if it is not one. */
		if (p[0] == '0') {
			rc = scan_stored(s);
		} else if (comp == IRF_COMP_UNKNOWN && s->in.eof && initramfs_magic_prefix(p, in_avail(&s->in))) {
			rc = irf_result_fail(r, IRF_ETRUNC, "the file ends at offset %llu inside a magic number",
					     (unsigned long long)(s->in.off + in_avail(&s->in)));
		} else if (comp == IRF_COMP_LZO) {
			rc = irf_result_fail(r, IRF_EUNSUPP, "lzo-compressed archive at offset %llu: lzo is not supported",
					     (unsigned long long)s->in.off);
		} else if (comp == IRF_COMP_UNKNOWN) {
			struct strbuf hex = STRBUF_INIT;
			for (size_t i = 0; i < in_avail(&s->in) && i < 8; i++)
				strbuf_addf(&hex, "%s%02x", i ? " " : "", p[i]);
			rc = irf_result_fail(r, IRF_EUNKNOWN, "offset %llu: neither a cpio archive nor a known compression (bytes %s)",
					     (unsigned long long)s->in.off, hex.buf);
			strbuf_release(&hex);
		} else {
			rc = scan_compressed(s, comp);
		}
		if (rc || s->stop)
			break;
	}
	if (rc == 1 || s->stop) {
		r->stopped_early = true;
		rc = 0;
	}
	r->bytes_read = s->in.off;
	free(s->in.buf);
	free(s->dec.out);
	free(s);
	return rc;
}

struct fd_arg {
	int fd;
};

static int64_t fd_read(void *arg, void *buf, size_t n)
{
	struct fd_arg *f = arg;
	for (;;) {
		ssize_t got = read(f->fd, buf, n);
		if (got >= 0)
			return got;
		if (errno != EINTR)
			return -errno;
	}
}

static int64_t fd_skip(void *arg, uint64_t n)
{
	struct fd_arg *f = arg;
	struct stat st;
	off_t cur = lseek(f->fd, 0, SEEK_CUR);
	if (cur < 0 || fstat(f->fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ESPIPE;
	/* Not past the end: a body that goes beyond it means the file is cut short. */
	uint64_t left = st.st_size > cur ? (uint64_t)(st.st_size - cur) : 0;
	if (n > left)
		n = left;
	if (lseek(f->fd, (off_t)n, SEEK_CUR) < 0)
		return -errno;
	return (int64_t)n;
}

int initramfs_scan_fd(int fd, const struct initramfs_opts *o, struct initramfs_result *r)
{
	struct fd_arg f = { fd };
	/* Seek only where the descriptor can: a pipe reads its way over bodies. */
	bool seekable = lseek(fd, 0, SEEK_CUR) >= 0;
	return initramfs_scan(fd_read, seekable ? fd_skip : NULL, &f, o, r);
}
