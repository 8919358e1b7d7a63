/* The portable half of the initramfs reader: the cpio state machine, magic numbers, results. */
#include "initramfs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

enum { ST_BOUNDARY, ST_HEADER, ST_NAME, ST_SKIP };

#define S_TYPE_MASK 0170000u
#define S_TYPE_REG 0100000u

const char *initramfs_comp_name(enum initramfs_comp c)
{
	switch (c) {
	case IRF_COMP_NONE:
		return "uncompressed";
	case IRF_COMP_GZIP:
		return "gzip";
	case IRF_COMP_BZIP2:
		return "bzip2";
	case IRF_COMP_LZMA:
		return "lzma";
	case IRF_COMP_XZ:
		return "xz";
	case IRF_COMP_LZO:
		return "lzo";
	case IRF_COMP_LZ4_LEGACY:
		return "lz4 legacy";
	case IRF_COMP_LZ4:
		return "lz4 frame";
	case IRF_COMP_ZSTD:
		return "zstd";
	case IRF_COMP_UNKNOWN:
		break;
	}
	return "unknown";
}

bool initramfs_comp_kernel_reads(enum initramfs_comp c)
{
	return c != IRF_COMP_LZ4 && c != IRF_COMP_UNKNOWN;
}

/* The kernel (lib/decompress.c) looks at two bytes; longer magics avoid false matches. */
static const struct {
	unsigned char magic[6];
	size_t len;
	enum initramfs_comp comp;
} magics[] = {
	{ "0707", 4, IRF_COMP_NONE },
	{ "\x1f\x8b", 2, IRF_COMP_GZIP },
	{ "\x1f\x9e", 2, IRF_COMP_GZIP }, /* old gzip, as the kernel accepts it */
	{ "BZh", 3, IRF_COMP_BZIP2 },
	{ "\x5d\x00\x00", 3, IRF_COMP_LZMA },
	{ "\xfd" "7zXZ", 6, IRF_COMP_XZ }, /* the sixth byte is the NUL of the literal */
	{ "\x89LZO", 4, IRF_COMP_LZO },
	{ "\x02\x21\x4c\x18", 4, IRF_COMP_LZ4_LEGACY },
	{ "\x04\x22\x4d\x18", 4, IRF_COMP_LZ4 },
	{ "\x28\xb5\x2f\xfd", 4, IRF_COMP_ZSTD },
};

enum initramfs_comp initramfs_detect(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(magics); i++) {
		if (n >= magics[i].len && memcmp(p, magics[i].magic, magics[i].len) == 0)
			return magics[i].comp;
	}
	return IRF_COMP_UNKNOWN;
}

bool initramfs_magic_prefix(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(magics); i++) {
		if (n && n < magics[i].len && memcmp(p, magics[i].magic, n) == 0)
			return true;
	}
	return false;
}

const char *initramfs_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case IRF_ETRUNC:
		return "truncated archive";
	case IRF_ECORRUPT:
		return "corrupt cpio archive";
	case IRF_EUNKNOWN:
		return "unknown compression";
	case IRF_EUNSUPP:
		return "unsupported compression";
	case IRF_EDECOMP:
		return "decompression error";
	case IRF_ELIMIT:
		return "archive exceeds the limits cvmprep reads";
	default:
		return strerror(err);
	}
}

bool initramfs_module_name(const char *path, char *out, size_t outsz)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t sl = strlen(suffixes[i]);
		if (len <= sl || memcmp(base + len - sl, suffixes[i], sl) != 0)
			continue;
		size_t n = len - sl;
		if (n >= outsz)
			return false;
		for (size_t j = 0; j < n; j++)
			out[j] = base[j] == '-' ? '_' : base[j];
		out[n] = '\0';
		return true;
	}
	return false;
}

/* ---- results ---- */

void irf_result_init(struct initramfs_result *r, const char *const *wanted)
{
	memset(r, 0, sizeof(*r));
	size_t n = 0;
	while (wanted && wanted[n])
		n++;
	if (!n)
		return;
	r->mods = xcalloc(n, sizeof(*r->mods));
	for (size_t i = 0; i < n; i++) {
		char *name = xstrdup(wanted[i]);
		for (char *c = name; *c; c++) {
			if (*c == '-')
				*c = '_';
		}
		r->mods[r->nmods].name = name;
		r->nmods++;
	}
}

struct initramfs_segment *irf_result_segment(struct initramfs_result *r, enum initramfs_comp comp, uint64_t offset)
{
	if (r->nsegs >= IRF_MAX_SEGMENTS)
		return NULL;
	r->segs = xreallocarray(r->segs, r->nsegs + 1, sizeof(*r->segs));
	struct initramfs_segment *s = &r->segs[r->nsegs++];
	memset(s, 0, sizeof(*s));
	s->comp = comp;
	s->offset = offset;
	return s;
}

bool irf_result_entry(struct initramfs_result *r, const char *name, uint32_t mode)
{
	if (!r->nsegs)
		return false;
	struct initramfs_segment *s = &r->segs[r->nsegs - 1];
	s->entries++;
	if ((mode & S_TYPE_MASK) != S_TYPE_REG)
		return false;
	s->files++;
	if (r->found == r->nmods)
		return false;
	char mod[256];
	if (!initramfs_module_name(name, mod, sizeof(mod)))
		return false;
	bool completed = false;
	for (size_t i = 0; i < r->nmods; i++) {
		struct initramfs_module *m = &r->mods[i];
		if (m->path || strcmp(m->name, mod) != 0)
			continue;
		m->path = xstrdup(name);
		m->segment = r->nsegs - 1;
		r->found++;
		completed = r->found == r->nmods;
	}
	return completed;
}

int irf_result_fail(struct initramfs_result *r, int err, const char *fmt, ...)
{
	if (err > 0)
		err = -err;
	/* The first error is the cause; later ones are consequences. */
	if (r->err)
		return r->err;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	r->err = err;
	r->error = str_printable(msg, 1024);
	free(msg);
	return err;
}

char *initramfs_describe(const struct initramfs_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	bool later_compressed = false;
	for (size_t i = 0; i < r->nsegs; i++) {
		const struct initramfs_segment *s = &r->segs[i];
		if (i)
			strbuf_addstr(&sb, ", then ");
		later_compressed = false;
		for (size_t j = i + 1; j < r->nsegs; j++) {
			if (r->segs[j].comp != IRF_COMP_NONE)
				later_compressed = true;
		}
		if (s->comp == IRF_COMP_NONE)
			strbuf_addf(&sb, "%s (uncompressed, ", later_compressed ? "early cpio" : "cpio");
		else
			strbuf_addf(&sb, "%s cpio (", initramfs_comp_name(s->comp));
		if (s->archives > 1)
			strbuf_addf(&sb, "%u archives, ", s->archives);
		strbuf_addf(&sb, "%llu %s", (unsigned long long)s->entries, s->entries == 1 ? "entry" : "entries");
		if (!s->complete)
			strbuf_addstr(&sb, r->err ? ", unreadable after that" : ", not read further");
		strbuf_addch(&sb, ')');
		if (!initramfs_comp_kernel_reads(s->comp))
			strbuf_addstr(&sb, " [the kernel cannot unpack this format]");
	}
	if (!r->nsegs)
		strbuf_addstr(&sb, "no cpio archive");
	return strbuf_detach(&sb);
}

void initramfs_result_release(struct initramfs_result *r)
{
	for (size_t i = 0; i < r->nmods; i++) {
		free(r->mods[i].name);
		free(r->mods[i].path);
	}
	free(r->mods);
	free(r->segs);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

/* ---- the cpio state machine ---- */

void cpio_init(struct cpio_parser *p, uint64_t pos, cpio_entry_fn fn, void *arg)
{
	memset(p, 0, offsetof(struct cpio_parser, name));
	p->name[0] = '\0';
	p->err[0] = '\0';
	p->state = ST_BOUNDARY;
	p->pos = pos;
	p->fn = fn;
	p->arg = arg;
}

bool cpio_at_boundary(const struct cpio_parser *p)
{
	return p->state == ST_BOUNDARY;
}

uint64_t cpio_skippable(const struct cpio_parser *p)
{
	return p->state == ST_SKIP ? p->skip : 0;
}

void cpio_where(const struct cpio_parser *p, char *buf, size_t n)
{
	char *name;
	switch (p->state) {
	case ST_BOUNDARY:
		snprintf(buf, n, "between archives");
		break;
	case ST_HEADER:
		if (p->got)
			snprintf(buf, n, "in the header at offset %llu", (unsigned long long)p->hdr_pos);
		else
			snprintf(buf, n, "before the archive's trailer (after %llu entries)",
				 (unsigned long long)p->entries);
		break;
	case ST_NAME:
		snprintf(buf, n, "in the name of the entry at offset %llu", (unsigned long long)p->hdr_pos);
		break;
	default:
		name = str_printable(p->name, 200);
		snprintf(buf, n, "%s the body of '%s'", p->skip ? "in" : "after", name);
		free(name);
		break;
	}
}

static int perr(struct cpio_parser *p, const char *fmt, ...) ATTR_PRINTF(2, 3);
static int perr(struct cpio_parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return -IRF_ECORRUPT;
}

/* Eight hex digits, strictly: the kernel would read garbage as a short number, we call it corrupt. */
static bool hex8(const unsigned char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		unsigned char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static int parse_header(struct cpio_parser *p)
{
	static const char *const fields[] = { "ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
					      "devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check" };
	uint32_t v[13];
	if (memcmp(p->hdr, "070701", 6) != 0 && memcmp(p->hdr, "070702", 6) != 0) {
		char *m = str_printable((const char *)p->hdr, 6);
		int rc;
		if (memcmp(p->hdr, "070707", 6) == 0)
			rc = perr(p, "cpio header at offset %llu is in the old portable format (070707); only newc and crc are read",
				  (unsigned long long)p->hdr_pos);
		else
			rc = perr(p, "bad cpio magic '%.6s' at offset %llu", m, (unsigned long long)p->hdr_pos);
		free(m);
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!hex8(p->hdr + 6 + 8 * i, &v[i])) {
			char *m = str_printable((const char *)p->hdr + 6 + 8 * i, 8);
			int rc = perr(p, "cpio header at offset %llu: %s '%.8s' is not hexadecimal",
				      (unsigned long long)p->hdr_pos, fields[i], m);
			free(m);
			return rc;
		}
	}
	p->mode = v[1];
	p->filesize = v[6];
	p->namesize = v[11];
	if (p->namesize == 0 || p->namesize > IRF_NAME_MAX)
		return perr(p, "cpio header at offset %llu: namesize %zu is out of range (1 to %u)",
			    (unsigned long long)p->hdr_pos, p->namesize, IRF_NAME_MAX);
	/* Header and name together end on a 4-byte boundary. */
	p->namepad = (4 - (CPIO_HDR_LEN + p->namesize) % 4) % 4;
	return 0;
}

static int end_name(struct cpio_parser *p, bool *stop)
{
	*stop = false;
	if (p->name[p->namesize - 1] != '\0') {
		char *m = str_printable(p->name, p->namesize < 200 ? p->namesize : 200);
		int rc = perr(p, "cpio entry at offset %llu: name '%s' is not NUL-terminated",
			      (unsigned long long)p->hdr_pos, m);
		free(m);
		return rc;
	}
	p->trailer = strcmp(p->name, "TRAILER!!!") == 0;
	p->skip = p->filesize + (4 - p->filesize % 4) % 4;
	p->state = ST_SKIP;
	if (!p->trailer) {
		p->entries++;
		if (p->fn) {
			struct cpio_entry e = { p->name, p->mode, p->filesize, p->hdr_pos };
			*stop = !p->fn(&e, p->arg);
		}
	}
	return 0;
}

void cpio_advance(struct cpio_parser *p, uint64_t n)
{
	if (p->state != ST_SKIP || n > p->skip)
		return;
	p->skip -= n;
	p->pos += n;
}

int cpio_feed(struct cpio_parser *p, const void *buf, size_t len, size_t *used)
{
	const unsigned char *b = buf;
	size_t i = 0;
	int rc = CPIO_MORE;
	while (i < len) {
		size_t n;
		switch (p->state) {
		case ST_BOUNDARY:
			/* Zero padding between archives, then a header on a 4-byte boundary. */
			while (i < len && b[i] == 0) {
				i++;
				p->pos++;
			}
			if (i == len)
				break;
			if (b[i] != '0') {
				rc = CPIO_JUNK;
				goto out;
			}
			if (p->pos % 4) {
				rc = perr(p, "cpio archive starts at unaligned offset %llu (broken padding)",
					  (unsigned long long)p->pos);
				goto out;
			}
			p->state = ST_HEADER;
			p->got = 0;
			break;
		case ST_HEADER:
			if (!p->got)
				p->hdr_pos = p->pos;
			n = CPIO_HDR_LEN - p->got;
			if (n > len - i)
				n = len - i;
			memcpy(p->hdr + p->got, b + i, n);
			p->got += n;
			i += n;
			p->pos += n;
			if (p->got < CPIO_HDR_LEN)
				break;
			rc = parse_header(p);
			if (rc < 0)
				goto out;
			p->state = ST_NAME;
			p->got = 0;
			break;
		case ST_NAME:
			n = p->namesize + p->namepad - p->got;
			if (n > len - i)
				n = len - i;
			memcpy(p->name + p->got, b + i, n);
			p->got += n;
			i += n;
			p->pos += n;
			if (p->got < p->namesize + p->namepad)
				break;
			bool stop;
			rc = end_name(p, &stop);
			if (rc < 0)
				goto out;
			if (stop) {
				rc = CPIO_STOPPED;
				goto out;
			}
			break;
		case ST_SKIP:
			n = p->skip < len - i ? (size_t)p->skip : len - i;
			p->skip -= n;
			i += n;
			p->pos += n;
			if (p->skip)
				break;
			if (p->trailer) {
				p->archives++;
				p->state = ST_BOUNDARY;
				rc = CPIO_ARCHIVE_END;
				goto out;
			}
			p->state = ST_HEADER;
			p->got = 0;
			break;
		}
	}
	/* A trailer with an empty body ends as soon as its name is read. */
	if (p->state == ST_SKIP && !p->skip && p->trailer) {
		p->archives++;
		p->state = ST_BOUNDARY;
		rc = CPIO_ARCHIVE_END;
	} else if (p->state == ST_SKIP && !p->skip) {
		p->state = ST_HEADER;
		p->got = 0;
	}
out:
	*used = i;
	return rc;
}
