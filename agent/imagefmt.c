/* Disk image formats told from their headers: qcow2, vhd, vmdk, raw, and the rejected ones by magic. */
#include "imagefmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}
static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

void img_info_init(struct img_info *info)
{
	memset(info, 0, sizeof(*info));
}

void img_info_free(struct img_info *info)
{
	free(info->problem);
	free(info->parent);
	strvec_clear(&info->notes);
	for (size_t i = 0; i < info->vmdk.n_extents; i++) {
		free(info->vmdk.extents[i].access);
		free(info->vmdk.extents[i].type_name);
		free(info->vmdk.extents[i].file);
	}
	free(info->vmdk.extents);
	memset(info, 0, sizeof(*info));
}

static void set_problem(struct img_info *info, const char *fmt, ...) ATTR_PRINTF(2, 3);
static void set_problem(struct img_info *info, const char *fmt, ...)
{
	if (info->problem)
		return; /* the first problem found is the one to show */
	va_list ap;
	va_start(ap, fmt);
	info->problem = xvasprintf(fmt, ap);
	va_end(ap);
}

static void set_variant(struct img_info *info, const char *v)
{
	snprintf(info->variant, sizeof(info->variant), "%s", v);
}

/* An untrusted name from a header, made printable and bounded. */
static char *header_string(const uint8_t *p, size_t len)
{
	char *raw = xstrndup((const char *)p, len);
	char *s = str_printable(raw, 1024);
	free(raw);
	return s;
}

const char *imagefmt_name(enum img_format f)
{
	switch (f) {
	case IMG_RAW:
		return "raw";
	case IMG_QCOW2:
		return "qcow2";
	case IMG_VHD:
		return "vhd";
	case IMG_VMDK:
		return "vmdk";
	case IMG_VHDX:
		return "vhdx";
	case IMG_VDI:
		return "vdi";
	case IMG_QED:
		return "qed";
	case IMG_ISO:
		return "ISO 9660";
	case IMG_TAR:
		return "tar";
	case IMG_GZIP:
		return "gzip";
	case IMG_XZ:
		return "xz";
	case IMG_BZIP2:
		return "bzip2";
	case IMG_ZSTD:
		return "zstd";
	case IMG_ZIP:
		return "zip";
	case IMG_7Z:
		return "7z";
	case IMG_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *imagefmt_qemu_name(enum img_format f)
{
	switch (f) {
	case IMG_RAW:
		return "raw";
	case IMG_QCOW2:
		return "qcow2";
	case IMG_VHD:
		return "vpc";
	case IMG_VMDK:
		return "vmdk";
	case IMG_VHDX:
		return "vhdx";
	case IMG_VDI:
		return "vdi";
	case IMG_QED:
		return "qed";
	default:
		return NULL;
	}
}

bool imagefmt_accepted(enum img_format f)
{
	return f == IMG_RAW || f == IMG_QCOW2 || f == IMG_VHD || f == IMG_VMDK;
}

/* ---- qcow2 ---- */

#define QCOW2_INCOMPAT_DIRTY (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2 (1ull << 4)
#define QCOW2_INCOMPAT_KNOWN 0x1full

static void qcow2_extensions(const uint8_t *h, size_t len, size_t start, size_t end, struct img_info *info)
{
	size_t off = start;
	for (int n = 0; n < 64 && off + 8 <= end && off + 8 <= len; n++) {
		uint32_t type = be32(h + off), elen = be32(h + off + 4);
		off += 8;
		if (type == 0)
			return;
		if (elen > end - off || elen > len - off) {
			if (elen <= end - off)
				strvec_pushf(&info->notes, "qcow2 header extensions go beyond the bytes read");
			else
				set_problem(info, "a qcow2 header extension (type 0x%08x, %u bytes) runs past the first cluster",
					    (unsigned)type, (unsigned)elen);
			return;
		}
		if (type == 0xe2792acau) { /* backing file format name */
			char *fmt = header_string(h + off, elen);
			strvec_pushf(&info->notes, "backing file format: %s", fmt);
			free(fmt);
		} else if (type == 0x44415441u) { /* external data file name */
			char *name = header_string(h + off, elen);
			info->split = true;
			strvec_pushf(&info->notes, "the guest data is in the external data file '%s'", name);
			free(name);
		} else if (type == 0x0537be77u) {
			info->encrypted = true;
		}
		off += (elen + 7u) & ~7u;
	}
}

static void identify_qcow2(const uint8_t *h, size_t len, struct img_info *info)
{
	info->format = IMG_QCOW2;
	if (len < 72) {
		set_problem(info, "the qcow2 header is truncated: %zu of 72 bytes", len);
		return;
	}
	uint32_t version = be32(h + 4);
	info->qcow2.version = version;
	snprintf(info->variant, sizeof(info->variant), "v%u", (unsigned)version);
	if (version != 2 && version != 3) {
		set_problem(info, "qcow2 version %u is not one qemu writes (2 or 3)", (unsigned)version);
		return;
	}
	uint32_t cb = be32(h + 20);
	info->qcow2.cluster_bits = cb;
	if (cb < 9 || cb > 21) {
		set_problem(info, "the qcow2 cluster size 2^%u is invalid (2^9 to 2^21)", (unsigned)cb);
		return;
	}
	uint64_t cs = 1ull << cb;
	info->qcow2.backing_offset = be64(h + 8);
	info->qcow2.backing_size = be32(h + 16);
	info->virtual_size = be64(h + 24);
	info->virtual_size_known = true;
	info->qcow2.crypt_method = be32(h + 32);
	info->qcow2.l1_size = be32(h + 36);
	info->qcow2.l1_offset = be64(h + 40);
	info->qcow2.nb_snapshots = be32(h + 60);
	info->encrypted = info->qcow2.crypt_method != 0;
	size_t hlen = 72;
	if (version == 3) {
		if (len < 104) {
			set_problem(info, "the qcow2 v3 header is truncated: %zu of 104 bytes", len);
			return;
		}
		info->qcow2.incompatible = be64(h + 72);
		uint32_t hl = be32(h + 100);
		info->qcow2.header_length = hl;
		if (hl < 104 || hl > cs) {
			set_problem(info, "the qcow2 header length %u is invalid", (unsigned)hl);
			return;
		}
		if (hl > 104 && len > 104)
			info->qcow2.compression_type = h[104];
		hlen = hl;
		uint64_t inc = info->qcow2.incompatible;
		if (inc & QCOW2_INCOMPAT_CORRUPT)
			set_problem(info, "the image is marked corrupt by qemu (repair it with qemu-img check -r all)");
		if (inc & ~QCOW2_INCOMPAT_KNOWN)
			set_problem(info, "the image uses unknown incompatible qcow2 features (0x%llx)",
				    (unsigned long long)(inc & ~QCOW2_INCOMPAT_KNOWN));
		if (inc & QCOW2_INCOMPAT_DIRTY)
			strvec_pushf(&info->notes, "the image was not closed cleanly (dirty refcounts)");
		if (inc & QCOW2_INCOMPAT_DATA_FILE)
			info->split = true;
		if (inc & QCOW2_INCOMPAT_EXTL2)
			strvec_pushf(&info->notes, "the image uses extended L2 entries (subclusters)");
		if ((inc & QCOW2_INCOMPAT_COMPRESSION) && info->qcow2.compression_type == 1)
			strvec_pushf(&info->notes, "compressed clusters use zstd");
	}
	/* The L1 table must cover the virtual size (each entry maps cs * cs / 8 bytes). */
	uint64_t per_l1 = cs * (cs / 8);
	uint64_t need = info->virtual_size / per_l1 + (info->virtual_size % per_l1 != 0);
	if (info->qcow2.l1_size < need)
		set_problem(info, "the qcow2 L1 table has %u entries, too few for the virtual size (%llu needed)",
			    (unsigned)info->qcow2.l1_size, (unsigned long long)need);
	uint64_t ext_end = cs;
	if (info->qcow2.backing_offset) {
		info->delta = true;
		uint64_t bo = info->qcow2.backing_offset;
		uint32_t bs = info->qcow2.backing_size;
		if (bs == 0 || bs > 1023 || bo < hlen || bo > cs || bs > cs - bo) {
			set_problem(info, "the qcow2 backing file name (offset %llu, %u bytes) is invalid",
				    (unsigned long long)bo, (unsigned)bs);
		} else if (bo + bs <= len) {
			info->parent = header_string(h + bo, bs);
		} else {
			strvec_pushf(&info->notes, "the backing file name lies beyond the bytes read (offset %llu)",
				     (unsigned long long)bo);
		}
		if (bo >= hlen && bo < ext_end)
			ext_end = bo;
	}
	qcow2_extensions(h, len, hlen, (size_t)ext_end, info);
	if (info->qcow2.nb_snapshots)
		strvec_pushf(&info->notes, "%u internal snapshot%s (the import takes the current state)",
			     (unsigned)info->qcow2.nb_snapshots, info->qcow2.nb_snapshots == 1 ? "" : "s");
}

/* ---- vhd ---- */

static bool vhd_footer_valid(const uint8_t *f)
{
	return memcmp(f, "conectix", 8) == 0;
}

static uint32_t vhd_checksum(const uint8_t *f)
{
	uint32_t sum = 0;
	for (int i = 0; i < 512; i++)
		if (i < 64 || i >= 68)
			sum += f[i];
	return ~sum;
}

uint64_t imagefmt_vhd_size(const struct img_info *info)
{
	/*
	 * Virtual PC (and qemu's own "qemu" creator) size the disk by its CHS geometry; Hyper-V,
	 * disk2vhd, XenServer, Azure and qemu's "qem2" use the current size. A geometry at the
	 * maximum means the disk is larger than CHS can say. This is how qemu-img reads it.
	 */
	static const char *const by_size[] = { "win ", "qem2", "d2v ", "CTXS", "tap", "wa" };
	uint64_t chs = (uint64_t)info->vhd.cylinders * info->vhd.heads * info->vhd.sectors_per_track;
	bool use_chs = true;
	for (size_t i = 0; i < ARRAY_SIZE(by_size); i++)
		if (strcmp(info->vhd.creator, by_size[i]) == 0)
			use_chs = false;
	if (!use_chs || chs == 65535ull * 16 * 255)
		return info->vhd.current_size / 512 * 512;
	return chs * 512;
}

/* UTF-16BE parent name (vhd differencing header) to printable ASCII-ish text. */
static char *utf16be_name(const uint8_t *p, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i + 1 < len; i += 2) {
		uint16_t c = be16(p + i);
		if (c == 0)
			break;
		strbuf_addch(&sb, c < 0x80 && c >= 0x20 ? (char)c : '?');
	}
	return strbuf_detach(&sb);
}

static void identify_vhd(const uint8_t *footer, const uint8_t *h, size_t len, uint64_t total, bool at_head,
			 struct img_info *info)
{
	info->format = IMG_VHD;
	info->vhd.footer_at_head = at_head;
	uint32_t type = be32(footer + 60);
	info->vhd.type = (enum vhd_type)type;
	info->vhd.data_offset = be64(footer + 16);
	info->vhd.current_size = be64(footer + 48);
	info->vhd.cylinders = be16(footer + 56);
	info->vhd.heads = footer[58];
	info->vhd.sectors_per_track = footer[59];
	for (int i = 0; i < 4; i++)
		info->vhd.creator[i] = footer[28 + i] >= 0x20 && footer[28 + i] < 0x7f ? (char)footer[28 + i] : 0;
	info->vhd.creator[4] = 0;
	/* "tap\0" and "wa\0\0" end early: keep them as C strings. */
	if (be32(footer + 64) != vhd_checksum(footer))
		strvec_pushf(&info->notes, "the vhd footer checksum does not match (qemu only warns)");
	switch (type) {
	case VHD_FIXED:
		set_variant(info, "fixed");
		break;
	case VHD_DYNAMIC:
		set_variant(info, "dynamic");
		break;
	case VHD_DIFFERENCING:
		set_variant(info, "differencing");
		info->delta = true;
		break;
	default:
		set_problem(info, "the vhd disk type %u is invalid (2 fixed, 3 dynamic, 4 differencing)", (unsigned)type);
		return;
	}
	info->virtual_size = imagefmt_vhd_size(info);
	info->virtual_size_known = true;
	if (type == VHD_FIXED) {
		if (total && info->virtual_size > total - 512)
			set_problem(info, "the fixed vhd is truncated: the footer says %llu bytes of data, the file holds %llu",
				    (unsigned long long)info->virtual_size, (unsigned long long)(total - 512));
		return;
	}
	uint64_t doff = info->vhd.data_offset;
	if (doff > (uint64_t)len || len - doff < 1024) {
		if (doff < IMG_HEAD_BYTES)
			set_problem(info, "the dynamic vhd header is truncated (at offset %llu, %zu bytes read)",
				    (unsigned long long)doff, len);
		else
			strvec_pushf(&info->notes, "the dynamic disk header is at offset %llu, beyond the bytes read",
				     (unsigned long long)doff);
		return;
	}
	const uint8_t *d = h + doff;
	if (memcmp(d, "cxsparse", 8) != 0) {
		set_problem(info, "the dynamic vhd header at offset %llu has no 'cxsparse' cookie", (unsigned long long)doff);
		return;
	}
	info->vhd.table_offset = be64(d + 16);
	info->vhd.max_entries = be32(d + 28);
	info->vhd.block_size = be32(d + 32);
	uint32_t bs = info->vhd.block_size;
	if (bs < 512 || (bs & (bs - 1)) || bs > (256u << 20)) {
		set_problem(info, "the vhd block size %u is invalid", (unsigned)bs);
		return;
	}
	if ((uint64_t)info->vhd.max_entries * bs < info->virtual_size)
		set_problem(info, "the vhd block table (%u blocks of %u bytes) is smaller than the disk",
			    (unsigned)info->vhd.max_entries, (unsigned)bs);
	if (type == VHD_DIFFERENCING) {
		char *name = utf16be_name(d + 64, 512);
		if (*name)
			info->parent = name;
		else
			free(name);
	}
}

/* ---- vmdk ---- */

static enum vmdk_extent_type extent_type(const char *t)
{
	if (strcmp(t, "FLAT") == 0 || strcmp(t, "VMFS") == 0 || strcmp(t, "VMFSRAW") == 0 || strcmp(t, "VMFSRDM") == 0)
		return strcmp(t, "FLAT") == 0 ? VMDK_EXT_FLAT : VMDK_EXT_VMFS;
	if (strcmp(t, "SPARSE") == 0 || strcmp(t, "VMFSSPARSE") == 0 || strcmp(t, "SESPARSE") == 0)
		return VMDK_EXT_SPARSE;
	if (strcmp(t, "ZERO") == 0)
		return VMDK_EXT_ZERO;
	return VMDK_EXT_OTHER;
}

/* An extent line: ACCESS SECTORS TYPE ["FILE" [OFFSET]]. */
static bool parse_extent(const char *line, struct img_info *info)
{
	char access[16], type[32];
	unsigned long long sectors;
	int n = 0;
	if (sscanf(line, "%15s %llu %31s %n", access, &sectors, type, &n) < 3)
		return false;
	if (strcmp(access, "RW") != 0 && strcmp(access, "RDONLY") != 0 && strcmp(access, "NOACCESS") != 0)
		return false;
	if (info->vmdk.n_extents >= 4096)
		return true; /* bounded: a descriptor cannot make us keep more */
	info->vmdk.extents = xreallocarray(info->vmdk.extents, info->vmdk.n_extents + 1, sizeof(*info->vmdk.extents));
	struct vmdk_extent *e = &info->vmdk.extents[info->vmdk.n_extents++];
	memset(e, 0, sizeof(*e));
	e->access = xstrdup(access);
	e->sectors = sectors;
	e->type_name = xstrdup(type);
	e->type = extent_type(type);
	const char *p = line + n;
	if (*p == '"') {
		const char *q = strchr(p + 1, '"');
		if (q) {
			char *raw = xstrndup(p + 1, (size_t)(q - p - 1));
			e->file = str_printable(raw, 1024);
			free(raw);
			unsigned long long off;
			if (sscanf(q + 1, "%llu", &off) == 1)
				e->offset = off;
		}
	}
	return true;
}

static bool get_value(const char *line, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	if (strncmp(line, key, kl) != 0)
		return false;
	const char *p = line + kl;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return false;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = 0;
	return true;
}

void imagefmt_parse_vmdk_descriptor(const char *text, size_t len, struct img_info *info)
{
	char line[1024], val[1024];
	size_t i = 0;
	uint64_t sum = 0;
	bool any_extent = false;
	while (i < len) {
		size_t n = 0;
		while (i < len && text[i] != '\n' && text[i] != 0) {
			if (n < sizeof(line) - 1)
				line[n++] = text[i];
			i++;
		}
		if (i < len && text[i] == 0)
			break; /* the embedded descriptor is NUL-padded */
		i++;
		line[n] = 0;
		char *l = str_trim(line);
		if (*l == '#' || *l == 0)
			continue;
		if (get_value(l, "createType", val, sizeof(val))) {
			char *p = str_printable(val, sizeof(info->vmdk.create_type) - 4);
			snprintf(info->vmdk.create_type, sizeof(info->vmdk.create_type), "%s", p);
			free(p);
		} else if (get_value(l, "parentCID", val, sizeof(val))) {
			info->vmdk.parent_cid = (uint32_t)strtoul(val, NULL, 16);
			info->vmdk.have_cid = true;
		} else if (get_value(l, "CID", val, sizeof(val))) {
			info->vmdk.cid = (uint32_t)strtoul(val, NULL, 16);
		} else if (get_value(l, "parentFileNameHint", val, sizeof(val))) {
			free(info->parent);
			info->parent = str_printable(val, 1024);
		} else if (parse_extent(l, info)) {
			any_extent = true;
		}
	}
	for (size_t k = 0; k < info->vmdk.n_extents; k++)
		sum += info->vmdk.extents[k].sectors;
	if (any_extent && sum <= UINT64_MAX / 512) {
		info->virtual_size = sum * 512;
		info->virtual_size_known = true;
	}
	const char *ct = info->vmdk.create_type;
	if (*ct)
		set_variant(info, ct);
	/* A delta names its parent by content ID; ESXi's snapshot formats are deltas by nature. */
	if ((info->vmdk.have_cid && info->vmdk.parent_cid != 0xffffffffu) || strcmp(ct, "vmfsSparse") == 0 ||
	    strcmp(ct, "seSparse") == 0)
		info->delta = true;
	if (info->delta && info->vmdk.have_cid)
		strvec_pushf(&info->notes, "parentCID=%08x: a snapshot delta of another vmdk", (unsigned)info->vmdk.parent_cid);
}

static void identify_vmdk_sparse(const uint8_t *h, size_t len, uint64_t total, struct img_info *info)
{
	info->format = IMG_VMDK;
	info->vmdk.sparse_header = true;
	if (len < 79) {
		set_problem(info, "the vmdk sparse header is truncated: %zu of 79 bytes", len);
		return;
	}
	info->vmdk.version = le32(h + 4);
	info->vmdk.flags = le32(h + 8);
	info->vmdk.capacity = le64(h + 12);
	info->vmdk.grain_size = le64(h + 20);
	info->vmdk.desc_offset = le64(h + 28);
	info->vmdk.desc_size = le64(h + 36);
	info->vmdk.num_gtes_per_gt = le32(h + 44);
	info->vmdk.rgd_offset = le64(h + 48);
	info->vmdk.gd_offset = le64(h + 56);
	info->vmdk.overhead = le64(h + 64);
	info->vmdk.compress_algorithm = le16(h + 77);
	if (info->vmdk.version < 1 || info->vmdk.version > 3) {
		set_problem(info, "vmdk sparse header version %u is unknown", (unsigned)info->vmdk.version);
		return;
	}
	uint64_t g = info->vmdk.grain_size;
	if (g == 0 || (g & (g - 1)) || g > 2048 || info->vmdk.num_gtes_per_gt == 0 || info->vmdk.num_gtes_per_gt > 512) {
		set_problem(info, "the vmdk grain size (%llu sectors) or table size (%u entries) is invalid",
			    (unsigned long long)g, (unsigned)info->vmdk.num_gtes_per_gt);
		return;
	}
	if (info->vmdk.capacity > UINT64_MAX / 512) {
		set_problem(info, "the vmdk capacity is invalid");
		return;
	}
	info->virtual_size = info->vmdk.capacity * 512;
	info->virtual_size_known = true;
	if (info->vmdk.capacity == 0)
		strvec_pushf(&info->notes, "the sparse header gives a capacity of 0 sectors");
	uint64_t doff = info->vmdk.desc_offset, dsz = info->vmdk.desc_size;
	if (doff && dsz) {
		if (doff > total / 512 && total) {
			set_problem(info, "the vmdk descriptor (sector %llu) lies beyond the end of the file", (unsigned long long)doff);
		} else if (doff <= len / 512 && dsz <= (len - doff * 512) / 512) {
			imagefmt_parse_vmdk_descriptor((const char *)h + doff * 512, (size_t)(dsz * 512), info);
		} else if (doff < len / 512) {
			/* Part of it was read: parse that part; extent sizes may then be incomplete. */
			imagefmt_parse_vmdk_descriptor((const char *)h + doff * 512, len - (size_t)doff * 512, info);
		} else {
			strvec_pushf(&info->notes, "the embedded descriptor lies beyond the bytes read");
		}
	}
	if (!*info->variant)
		set_variant(info, info->vmdk.flags & 0x10000 ? "streamOptimized" : "monolithicSparse");
	if (info->vmdk.n_extents > 1)
		info->split = true;
}

static bool is_vmdk_text(const uint8_t *h, size_t len)
{
	static const char sig[] = "# Disk DescriptorFile";
	return len >= sizeof(sig) - 1 && memcmp(h, sig, sizeof(sig) - 1) == 0;
}

static void identify_vmdk_text(const uint8_t *h, size_t len, uint64_t total, struct img_info *info)
{
	info->format = IMG_VMDK;
	if (total > (uint64_t)len)
		strvec_pushf(&info->notes, "the descriptor file is larger than the bytes read");
	imagefmt_parse_vmdk_descriptor((const char *)h, len, info);
	if (!info->vmdk.n_extents) {
		set_problem(info, "the vmdk descriptor names no extent");
		return;
	}
	/* A descriptor file never holds data itself: every extent is another file. */
	for (size_t i = 0; i < info->vmdk.n_extents; i++)
		if (info->vmdk.extents[i].type != VMDK_EXT_ZERO)
			info->split = true;
}

/* ---- the formats the import rejects ---- */

static bool is_tar(const uint8_t *h, size_t len)
{
	if (len < 512 || memcmp(h + 257, "ustar", 5) != 0)
		return false;
	/* The header checksum (octal at 148) covers the block with the checksum field as spaces. */
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	char field[9];
	memcpy(field, h + 148, 8);
	field[8] = 0;
	return strtoul(field, NULL, 8) == sum;
}

static bool magic_at(const uint8_t *h, size_t len, size_t off, const void *m, size_t mlen)
{
	return len >= off + mlen && memcmp(h + off, m, mlen) == 0;
}

int imagefmt_identify(const uint8_t *head, size_t head_len, const uint8_t *tail, size_t tail_len, uint64_t total,
		      struct img_info *info)
{
	const uint8_t *h = head;
	size_t len = head_len;
	if (magic_at(h, len, 0, "QFI\xfb", 4)) {
		identify_qcow2(h, len, info);
	} else if (magic_at(h, len, 0, "QED\0", 4)) {
		info->format = IMG_QED;
	} else if (magic_at(h, len, 0, "vhdxfile", 8)) {
		info->format = IMG_VHDX;
	} else if (magic_at(h, len, 64, "\x7f\x10\xda\xbe", 4)) {
		info->format = IMG_VDI;
	} else if (magic_at(h, len, 0, "KDMV", 4)) {
		identify_vmdk_sparse(h, len, total, info);
	} else if (magic_at(h, len, 0, "COWD", 4)) {
		info->format = IMG_VMDK;
		set_variant(info, "vmfsSparse (COWD)");
		info->delta = true;
		set_problem(info, "an ESX 3 COWD sparse extent: a snapshot delta, not a whole disk");
	} else if (is_vmdk_text(h, len)) {
		identify_vmdk_text(h, len, total, info);
	} else if (magic_at(h, len, 0, "conectix", 8)) {
		if (len < 512) {
			info->format = IMG_VHD;
			set_problem(info, "the vhd footer copy is truncated: %zu of 512 bytes", len);
		} else {
			/* Dynamic disks keep a copy of the footer at the start; the one at the end wins if sound. */
			const uint8_t *f = h;
			if (tail && tail_len >= 512 && vhd_footer_valid(tail + tail_len - 512))
				f = tail + tail_len - 512;
			else if (tail && tail_len >= 512)
				strvec_pushf(&info->notes, "the vhd footer at the end of the file is missing (only the copy at the start is intact)");
			identify_vhd(f, h, len, total, true, info);
		}
	} else if (magic_at(h, len, 0, "\x1f\x8b", 2)) {
		info->format = IMG_GZIP;
	} else if (magic_at(h, len, 0, "\xfd" "7zXZ\0", 6)) {
		info->format = IMG_XZ;
	} else if (magic_at(h, len, 0, "BZh", 3) && len > 3 && h[3] >= '1' && h[3] <= '9') {
		info->format = IMG_BZIP2;
	} else if (magic_at(h, len, 0, "\x28\xb5\x2f\xfd", 4)) {
		info->format = IMG_ZSTD;
	} else if (magic_at(h, len, 0, "PK\x03\x04", 4)) {
		info->format = IMG_ZIP;
	} else if (magic_at(h, len, 0, "7z\xbc\xaf\x27\x1c", 6)) {
		info->format = IMG_7Z;
	} else if (is_tar(h, len)) {
		info->format = IMG_TAR;
		char name[101];
		memcpy(name, h, 100);
		name[100] = 0;
		set_variant(info, str_ends_with(name, ".ovf") ? "ova" : "");
		if (*name) {
			char *p = str_printable(name, 100);
			strvec_pushf(&info->notes, "first member: %s", p);
			free(p);
		}
	} else if (tail && tail_len >= 512 && vhd_footer_valid(tail + tail_len - 512)) {
		identify_vhd(tail + tail_len - 512, h, len, total, false, info);
	} else if (magic_at(h, len, 32769, "CD001", 5) || magic_at(h, len, 32769, "BEA01", 5)) {
		info->format = IMG_ISO;
		if (len >= 32768 + 72) {
			char *vol = header_string(h + 32768 + 40, 32);
			char *t = str_trim(vol);
			if (*t)
				strvec_pushf(&info->notes, "volume label: %s", t);
			free(vol);
		}
	} else {
		info->format = IMG_RAW;
		if (total) {
			/* A partial last sector counts as a whole one, as qemu reads raw files. */
			info->virtual_size = (total + 511) / 512 * 512;
			info->virtual_size_known = true;
		}
	}
	return 0;
}
