/*
 * Disk image formats, told from their first bytes (and, for vhd, the last 512): qcow2, vhd, vmdk
 * and raw, which the import accepts, and by magic the formats it rejects (vhdx, vdi, qed, ISO
 * 9660, tar/ova, compressed archives). Pure functions over byte buffers: a truncated or corrupt
 * header gives a sentence in info->problem, never a read past the buffer.
 *
 * The second half maps a virtual disk offset to the bytes of the image file (qcow2 L1/L2
 * tables, vmdk grain directory and tables, vhd block allocation table), through a read
 * callback, so that the partition table and filesystems inside can be read and the non-zero
 * clusters counted without converting the image.
 */
#ifndef CVMPREP_IMAGEFMT_H
#define CVMPREP_IMAGEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* How many leading bytes identification wants: every header we read fits (ISO 9660 needs 32 KiB + 6). */
#define IMG_HEAD_BYTES (64 * 1024)
/* The vhd footer: a fixed vhd has no other header. */
#define IMG_TAIL_BYTES 512

enum img_format {
	IMG_UNKNOWN = 0,
	IMG_RAW,
	IMG_QCOW2,
	IMG_VHD,
	IMG_VMDK,
	/* recognised by magic, rejected by the import */
	IMG_VHDX,
	IMG_VDI,
	IMG_QED,
	IMG_ISO,
	IMG_TAR,
	IMG_GZIP,
	IMG_XZ,
	IMG_BZIP2,
	IMG_ZSTD,
	IMG_ZIP,
	IMG_7Z,
};

enum vhd_type { VHD_NONE = 0, VHD_FIXED = 2, VHD_DYNAMIC = 3, VHD_DIFFERENCING = 4 };

enum vmdk_extent_type { VMDK_EXT_OTHER = 0, VMDK_EXT_FLAT, VMDK_EXT_SPARSE, VMDK_EXT_ZERO, VMDK_EXT_VMFS };

struct vmdk_extent {
	char *access;   /* RW, RDONLY, NOACCESS */
	uint64_t sectors;
	enum vmdk_extent_type type;
	char *type_name; /* as written: FLAT, SPARSE, VMFSSPARSE... */
	char *file;      /* as written in the descriptor; NULL for ZERO */
	uint64_t offset; /* FLAT: start in the file, in sectors */
};

struct img_info {
	enum img_format format;
	char variant[64]; /* "v3", "fixed", "dynamic", "monolithicSparse", "ova"... or "" */
	bool virtual_size_known;
	uint64_t virtual_size;
	char *problem;    /* the header is truncated or corrupt: what and where; NULL when fine */
	bool delta;       /* depends on a parent image: qcow2 backing file, vmdk parentCID, vhd differencing */
	char *parent;     /* the parent's name as the header gives it (printable), or NULL */
	bool split;       /* the data lives in other files (vmdk descriptor extents, qcow2 data file) */
	bool encrypted;
	struct strvec notes; /* further facts worth showing as evidence */

	struct {
		uint32_t version, cluster_bits, l1_size, crypt_method, header_length, nb_snapshots;
		uint64_t l1_offset, backing_offset, incompatible;
		uint32_t backing_size;
		uint8_t compression_type; /* 0 zlib, 1 zstd */
	} qcow2;
	struct {
		enum vhd_type type;
		uint64_t current_size, data_offset, table_offset;
		uint32_t max_entries, block_size;
		uint16_t cylinders;
		uint8_t heads, sectors_per_track;
		char creator[5];
		bool footer_at_head; /* dynamic/differencing: a copy of the footer at offset 0 */
	} vhd;
	struct {
		bool sparse_header; /* KDMV header (else a text descriptor file) */
		uint32_t version, flags, num_gtes_per_gt;
		uint64_t capacity, grain_size, desc_offset, desc_size, gd_offset, rgd_offset, overhead;
		uint16_t compress_algorithm;
		char create_type[64];
		bool have_cid;
		uint32_t cid, parent_cid;
		struct vmdk_extent *extents;
		size_t n_extents;
	} vmdk;
};

void img_info_init(struct img_info *info);
void img_info_free(struct img_info *info);

/*
 * Identify an image from its first head_len bytes (IMG_HEAD_BYTES or the whole file if
 * shorter) and its last tail_len bytes (IMG_TAIL_BYTES; NULL/0 when unknown). total is the file
 * size (0 when unknown). Always fills info->format; returns 0.
 */
int imagefmt_identify(const uint8_t *head, size_t head_len, const uint8_t *tail, size_t tail_len, uint64_t total,
		      struct img_info *info);

/* Parse a vmdk text descriptor (embedded or a file of its own) into info->vmdk. */
void imagefmt_parse_vmdk_descriptor(const char *text, size_t len, struct img_info *info);

/* "qcow2", "vhd", "vmdk", "raw", "vhdx", "ISO 9660"... */
const char *imagefmt_name(enum img_format f);
/* The name qemu-img uses ("vpc" for vhd), or NULL for formats qemu does not open. */
const char *imagefmt_qemu_name(enum img_format f);
/* Whether the import accepts the format (qcow2, vhd, vmdk, raw). */
bool imagefmt_accepted(enum img_format f);
/* The virtual size a vhd footer gives, as qemu and Virtual PC read it (CHS geometry or current size). */
uint64_t imagefmt_vhd_size(const struct img_info *info);

/* ---- reading the virtual disk ---- */

/* How the mapper reaches the image file(s). */
struct img_io {
	/* Read len bytes at off; returns the count read (short only at the end) or -errno. */
	int64_t (*pread)(void *arg, uint64_t off, void *buf, size_t len);
	void *arg;
	uint64_t size; /* of the file */
	/*
	 * Optional: the next data extent at or after off ([*start, *end)), as SEEK_DATA/SEEK_HOLE
	 * report it; -ENXIO when only a hole follows. NULL: every byte is data.
	 */
	int (*next_data)(void *arg, uint64_t off, uint64_t *start, uint64_t *end);
	/* Optional: decompress a deflate stream (zlib header when zlib_header) into out; 0 or -errno. */
	int (*inflate)(const void *in, size_t in_len, bool zlib_header, void *out, size_t out_len);
};

struct img_map;

/*
 * Prepare reading the virtual disk of an identified image. For raw-like data (raw, fixed vhd,
 * a flat vmdk extent) the virtual disk is io's file from base_offset on. Returns 0, or
 * -EINVAL/-ENOTSUP with *err set (caller frees).
 */
int imgmap_open(const struct img_info *info, const struct img_io *io, uint64_t base_offset, struct img_map **out,
		char **err);
void imgmap_close(struct img_map *m);
uint64_t imgmap_size(const struct img_map *m);
/* Read len bytes of the virtual disk at off (unallocated areas read as zeros). 0 or -errno. */
int imgmap_read(struct img_map *m, uint64_t off, void *buf, size_t len);
/*
 * The allocation run that starts at off: [off, off + *len) is all unallocated (*data false) or
 * all possibly data (*data true). *len > 0 unless off is at the end. 0 or -errno.
 */
int imgmap_extent(struct img_map *m, uint64_t off, uint64_t *len, bool *data);
/* For a format whose data is compressed: whether a decompressor is missing (reads fail). */
const char *imgmap_error(const struct img_map *m);

/* ---- the size as qcow2 ---- */

#define QCOW2_CLUSTER (64 * 1024)

/*
 * The size of `qemu-img convert -O qcow2` of a disk of vsize bytes with nonzero_clusters
 * non-zero 64 KiB clusters spread over l2_tables L2 ranges (512 MiB each): data, L1 and L2
 * tables, refcount structures, header.
 */
uint64_t qcow2_size_estimate(uint64_t vsize, uint64_t nonzero_clusters, uint64_t l2_tables);

struct img_count {
	uint64_t nonzero_clusters; /* 64 KiB clusters of the virtual disk holding a non-zero byte */
	uint64_t l2_tables;        /* 512 MiB ranges that hold one of them */
	uint64_t data_read;        /* bytes read to find them */
};
/* Walk the virtual disk, skipping holes and unallocated clusters, and count the non-zero clusters. */
int imgmap_count_nonzero(struct img_map *m, struct img_count *out);

#endif
