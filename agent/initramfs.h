/*
 * Reading a Linux initramfs without unpacking it: which modules it holds and how it is built.
 *
 * An initramfs is a sequence of cpio archives ("newc" 070701 and "crc" 070702), each stored as
 * is or compressed (gzip, bzip2, lzma, xz, lz4 legacy and frame, zstd), with zero padding
 * between them; typically an uncompressed early archive (CPU microcode) followed by a
 * compressed main one. It is read the way the kernel's init/initramfs.c reads it: compression
 * is told by the magic number at each archive boundary, a compressed stream may hold several
 * archives, and a new archive starts on a 4-byte boundary.
 *
 * Nothing is extracted and the file is never held in memory: data flows through a read window
 * and a decompression window (128 KiB each) plus the decoder's own state, which the format
 * decides: the xz/lzma dictionary (8 MiB for `xz -6`, capped at IRF_XZ_MEMLIMIT), the zstd
 * window (capped at 2^IRF_ZSTD_WINDOWLOG_MAX), one lz4 legacy block (8.1 MiB, decoded in
 * place). The checksums a compressed format carries (gzip, bzip2, xz; zstd and lz4 frames when
 * present) are verified; the crc cpio format's file checksums are not (bodies are not read).
 * File bodies are skipped, and seeked over where the input can seek. Names and sizes in the
 * archive are untrusted: a bad header, a truncated stream or a decompression bomb ends the
 * scan with an error value and a message, never a crash or an endless loop.
 *
 * Calling sequence:
 *	static const char *const want[] = { "virtio_blk", "virtio_pci", NULL };
 *	struct initramfs_opts o = { .wanted = want };
 *	struct initramfs_result r;
 *	int err = initramfs_scan_fd(fd, &o, &r);   // r is filled even when err < 0
 *	... r.mods[i].path (NULL: not in the archive), initramfs_describe(&r), r.error ...
 *	initramfs_result_release(&r);
 *
 * The scan stops reading as soon as every wanted module is found (unless on_entry is set,
 * which asks for every entry). A module is a regular file named <name>.ko, .ko.xz, .ko.zst or
 * .ko.gz anywhere in the archive; the first one in archive order is reported. The cpio state
 * machine and the result helpers are portable (agent/initramfs.c); initramfs_scan() and the
 * decompressors are Linux-only (linux/initramfs.c).
 */
#ifndef CVMPREP_INITRAMFS_H
#define CVMPREP_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error values, returned negated; outside the errno range (errno values mean a failed read). */
#define IRF_ETRUNC 10101   /* the file ends inside an archive or a compressed stream */
#define IRF_ECORRUPT 10102 /* a cpio header, name or padding that is not valid */
#define IRF_EUNKNOWN 10103 /* bytes at an archive boundary that are neither cpio nor a known compression */
#define IRF_EUNSUPP 10104  /* a compression this build cannot read (lzo; bzip2 without libbz2) */
#define IRF_EDECOMP 10105  /* the decompressor failed: corrupt stream, or more memory than allowed */
#define IRF_ELIMIT 10106   /* more unpacked data or more archives than the limits allow */

/* Bounds on untrusted input. */
#define IRF_NAME_MAX 4096u                 /* cpio namesize, NUL included (the kernel's PATH_MAX) */
#define IRF_MAX_SEGMENTS 1024u             /* top-level archives and compressed streams */
#define IRF_MAX_UNPACKED (4ull << 30)      /* default bound on the cpio bytes read in one scan */
#define IRF_XZ_MEMLIMIT (256u << 20)       /* xz/lzma decoder memory (dictionary) */
#define IRF_ZSTD_WINDOWLOG_MAX 27          /* zstd window: 128 MiB */

enum initramfs_comp {
	IRF_COMP_NONE,       /* stored cpio */
	IRF_COMP_GZIP,
	IRF_COMP_BZIP2,
	IRF_COMP_LZMA,       /* legacy .lzma (lzma_alone) */
	IRF_COMP_XZ,
	IRF_COMP_LZO,        /* recognised, not readable */
	IRF_COMP_LZ4_LEGACY, /* lz4 legacy frames (magic 0x184C2102), what `lz4 -l` and the kernel use */
	IRF_COMP_LZ4,        /* lz4 frame format (0x184D2204): readable here, but not by the kernel */
	IRF_COMP_ZSTD,
	IRF_COMP_UNKNOWN,
};

/* "gzip", "lz4 legacy"... ("uncompressed" for IRF_COMP_NONE). */
const char *initramfs_comp_name(enum initramfs_comp c);
/* Whether the kernel's initramfs unpacker knows this format (lz4 frame format it does not). */
bool initramfs_comp_kernel_reads(enum initramfs_comp c);
/*
 * The compression of a stream starting with p[0..n) (n >= 6 to tell them all apart; fewer
 * bytes give IRF_COMP_UNKNOWN unless they already decide). IRF_COMP_NONE means a cpio header
 * ("0707").
 */
enum initramfs_comp initramfs_detect(const unsigned char *p, size_t n);
/* Whether p[0..n) could be the start of a magic number that was cut short (n < 6). */
bool initramfs_magic_prefix(const unsigned char *p, size_t n);
/* Message for an error value (negative or positive); strerror() for errno values. */
const char *initramfs_strerror(int err);

/* One archive entry as read (the trailer entry "TRAILER!!!" is not reported). */
struct initramfs_entry {
	const char *name;  /* as stored (usually without a leading "./"), NUL-terminated */
	uint32_t mode;     /* st_mode bits: type and permissions */
	uint64_t size;     /* filesize field (symlink target length for links) */
	size_t segment;    /* index into initramfs_result.segs */
};
/* Return false to stop the scan (initramfs_scan then returns 0 with stopped_early set). */
typedef bool (*initramfs_entry_fn)(const struct initramfs_entry *e, void *arg);

struct initramfs_opts {
	const char *const *wanted;  /* module names to look for, NULL-terminated; '-' and '_' are the same */
	initramfs_entry_fn on_entry; /* optional: every entry, in archive order; disables the early stop */
	void *arg;
	uint64_t max_unpacked;      /* 0: IRF_MAX_UNPACKED */
};

/* A top-level piece of the file: one stored archive, or one compressed stream (which may hold several). */
struct initramfs_segment {
	enum initramfs_comp comp;
	uint64_t offset;    /* in the file */
	uint64_t length;    /* bytes of the file it spans (as far as it was read) */
	uint64_t unpacked;  /* cpio bytes in it (as far as it was read) */
	uint64_t entries;   /* cpio entries, trailers not counted */
	uint64_t files;     /* regular files among them */
	unsigned archives;  /* cpio archives that ended with their trailer */
	bool complete;      /* read to its end */
};

struct initramfs_module {
	char *name;      /* as asked, normalised: '-' replaced by '_' */
	char *path;      /* the archive entry that provides it (".../name.ko[.xz|.zst|.gz]"), NULL if none */
	size_t segment;  /* where that entry is */
};

struct initramfs_result {
	struct initramfs_segment *segs;
	size_t nsegs;
	struct initramfs_module *mods; /* one per wanted name, in the order asked */
	size_t nmods;
	size_t found;         /* modules with a path */
	bool stopped_early;   /* every wanted module found (or on_entry said stop) before the end */
	uint64_t bytes_read;  /* of the file */
	uint64_t unpacked;    /* cpio bytes seen, all segments */
	int err;              /* 0, or the negative value initramfs_scan returned */
	char *error;          /* what went wrong and where, when err != 0 */
};

/* Input: read up to n bytes; return the count, 0 at the end, or -errno. */
typedef int64_t (*initramfs_read_fn)(void *arg, void *buf, size_t n);
/*
 * Optional: skip n bytes forward without reading them. Returns the count skipped (fewer than n
 * only where the input ends), or -errno (then the scan reads instead).
 */
typedef int64_t (*initramfs_skip_fn)(void *arg, uint64_t n);

#ifndef _WIN32
/*
 * Scan an initramfs. Returns 0 (read to the end, or stopped early), or a negative IRF_E* /
 * -errno value; r is always filled (segments and modules seen so far, and r->error) and must be
 * released.
 */
int initramfs_scan(initramfs_read_fn rd, initramfs_skip_fn sk, void *arg, const struct initramfs_opts *o,
		   struct initramfs_result *r);
/* The same over a file descriptor (read from its current offset; seeks over stored bodies if it can). */
int initramfs_scan_fd(int fd, const struct initramfs_opts *o, struct initramfs_result *r);
#endif

/* "early cpio (uncompressed, 3 entries), then zstd cpio (1210 entries)"; caller frees. */
char *initramfs_describe(const struct initramfs_result *r);
void initramfs_result_release(struct initramfs_result *r);

/*
 * The normalised module name a path provides ("a/b/virtio-blk.ko.xz" -> "virtio_blk"), or false
 * when the base name does not end in .ko, .ko.xz, .ko.zst or .ko.gz. out has outsz bytes.
 */
bool initramfs_module_name(const char *path, char *out, size_t outsz);

/*
 * The portable building blocks of the scan (used by linux/initramfs.c and the unit tests).
 *
 * result side: irf_result_init() sets up r->mods from the wanted list; irf_result_segment()
 * opens a segment; irf_result_entry() records an entry in the current segment and returns true
 * when that completed the wanted set; irf_result_fail() records an error (printf-style).
 */
void irf_result_init(struct initramfs_result *r, const char *const *wanted);
struct initramfs_segment *irf_result_segment(struct initramfs_result *r, enum initramfs_comp comp, uint64_t offset);
bool irf_result_entry(struct initramfs_result *r, const char *name, uint32_t mode);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int irf_result_fail(struct initramfs_result *r, int err, const char *fmt, ...);

/*
 * The cpio state machine: a push parser fed with the bytes of one stream (the stored file, or
 * what a decompressor produced). It keeps one header and one name (at most IRF_NAME_MAX bytes)
 * and counts its way over bodies. Between archives it skips zero bytes; an archive must start on
 * a 4-byte boundary of the stream, as the kernel requires.
 */
#define CPIO_HDR_LEN 110

enum cpio_feed_rc {
	CPIO_MORE = 0,        /* everything consumed; feed more */
	CPIO_ARCHIVE_END = 1, /* an archive's trailer (and its padding) just ended at *used */
	CPIO_JUNK = 2,        /* at *used, between archives, a byte that starts neither padding nor a header */
	CPIO_STOPPED = 3,     /* the entry callback asked to stop */
};

struct cpio_entry {
	const char *name;
	uint32_t mode;
	uint64_t size;
	uint64_t offset; /* of its header in the stream */
};
/* Return false to stop. */
typedef bool (*cpio_entry_fn)(const struct cpio_entry *e, void *arg);

struct cpio_parser {
	int state;
	uint64_t pos;       /* stream offset of the next byte */
	uint64_t hdr_pos;   /* stream offset of the current header */
	unsigned char hdr[CPIO_HDR_LEN];
	size_t got;         /* bytes of the header or name collected */
	size_t namesize, namepad;
	uint64_t skip;      /* bytes of body and padding still to pass */
	uint32_t mode;
	uint64_t filesize;
	bool trailer;
	uint64_t entries;   /* entries reported */
	unsigned archives;  /* trailers seen */
	cpio_entry_fn fn;
	void *arg;
	char name[IRF_NAME_MAX + 4];
	char err[320];      /* the message of a negative return */
};

/* Start a stream whose next byte is at offset pos (the position decides alignment). */
void cpio_init(struct cpio_parser *p, uint64_t pos, cpio_entry_fn fn, void *arg);
/* Feed len bytes; *used says how many were consumed. Returns enum cpio_feed_rc or -IRF_ECORRUPT (message in p->err). */
int cpio_feed(struct cpio_parser *p, const void *buf, size_t len, size_t *used);
/* True between archives (before the first header, or after a trailer and its padding). */
bool cpio_at_boundary(const struct cpio_parser *p);
/* Bytes the parser would pass over unread right now (a body and its padding); 0 otherwise. */
uint64_t cpio_skippable(const struct cpio_parser *p);
/* Pass over n <= cpio_skippable() bytes that the caller skipped in the input. */
void cpio_advance(struct cpio_parser *p, uint64_t n);
/* Where the parser is, for messages: "in the body of 'x'", "in a header", "between archives". */
void cpio_where(const struct cpio_parser *p, char *buf, size_t n);

#endif
