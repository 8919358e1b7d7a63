/*
 * MBR and GPT partition tables read from sector images: pure parsers over byte buffers plus a
 * walker that follows the extended-partition chain and the GPT entry array through a read
 * callback. Portable: the Linux image command and the Windows disk code share it.
 */
#ifndef CVMPREP_PTABLE_H
#define CVMPREP_PTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define PT_SECTOR 512
/* Bounds on what an untrusted table can make us read or keep. */
#define PT_MAX_LOGICAL 128
#define PT_MAX_GPT_ENTRIES 1024

enum pt_kind {
	PT_NONE = 0, /* no valid table in sector 0/1 */
	PT_MBR,
	PT_GPT, /* a protective MBR and a GPT header */
};

/* What a partition type says about its content. */
enum pt_class {
	PC_OTHER = 0,
	PC_LINUX,      /* Linux filesystem (MBR 0x83, GPT Linux data / root) */
	PC_LINUX_LVM,  /* LVM physical volume */
	PC_LINUX_RAID, /* md RAID member */
	PC_LINUX_SWAP,
	PC_NTFS,       /* MBR 0x07 (NTFS/exFAT), GPT Microsoft basic data */
	PC_FAT,
	PC_EXTENDED,   /* MBR extended container (its logical partitions are listed too) */
	PC_EFI,        /* EFI system partition */
	PC_BIOS_BOOT,  /* GPT BIOS boot (GRUB core) */
	PC_MS_RESERVED,
	PC_WIN_RECOVERY,
	PC_LDM,        /* Windows dynamic disk (MBR 0x42, GPT LDM metadata/data) */
	PC_PROTECTIVE, /* MBR 0xee */
};

struct pt_part {
	unsigned number;   /* 1-4 primary, 5.. logical (as Linux numbers them); GPT: entry index + 1 */
	uint64_t start;    /* in sectors of PT_SECTOR bytes */
	uint64_t sectors;
	uint8_t mbr_type;  /* MBR only */
	uint8_t guid_type[16]; /* GPT only, as stored (mixed endian) */
	bool bootable;     /* MBR active flag */
	bool logical;
	enum pt_class cls;
};

struct ptable {
	enum pt_kind kind;
	struct pt_part *parts;
	size_t n, alloc;
	uint32_t mbr_signature;   /* MBR disk signature (offset 440) */
	char gpt_guid[37];        /* GPT disk GUID, "" for MBR */
	bool hybrid;              /* GPT whose MBR also lists real partitions */
	struct strvec problems;   /* what is corrupt or suspicious, one sentence each */
};

void ptable_init(struct ptable *pt);
void ptable_free(struct ptable *pt);

/*
 * Does this 512-byte sector hold an MBR partition table (0x55AA, sane entries), as opposed to a
 * volume boot record (NTFS, FAT, exFAT) or nothing? Returns true for a protective MBR too.
 */
bool ptable_is_mbr(const uint8_t *sec, size_t len);

/* Parse the four primary entries of an MBR (logical partitions are not followed). 0 or -EINVAL. */
int ptable_parse_mbr(const uint8_t *sec, size_t len, struct ptable *pt);

/* Parse one EBR of the extended chain; *next is the next EBR's start (absolute sector) or 0. */
int ptable_parse_ebr(const uint8_t *sec, size_t len, uint64_t ext_start, uint64_t ebr_start, unsigned number,
		     struct ptable *pt, uint64_t *next);

/*
 * Parse a GPT header (one sector) and its entry array. disk_sectors (0 if unknown) bounds the
 * partitions. Returns 0, or -EINVAL when the header is not a valid GPT header (pt unchanged
 * apart from problems).
 */
int ptable_parse_gpt(const uint8_t *hdr, size_t hdr_len, const uint8_t *entries, size_t entries_len,
		     uint64_t disk_sectors, struct ptable *pt);
/* Where the GPT header says its entry array is: byte offset and length (bounded). -EINVAL if not a header. */
int ptable_gpt_entries_location(const uint8_t *hdr, size_t hdr_len, uint64_t *off, size_t *len);

/* Reads len bytes at byte offset off of the disk; returns 0 or -errno (short reads are errors). */
typedef int (*pt_read_fn)(void *arg, uint64_t off, void *buf, size_t len);

/*
 * Read the partition table of a disk of disk_size bytes: MBR with its logical partitions, or
 * GPT (trying 512-byte sectors). Returns 0 (pt->kind may be PT_NONE) or the read error.
 */
int ptable_read(pt_read_fn rd, void *arg, uint64_t disk_size, struct ptable *pt);

const char *ptable_kind_name(enum pt_kind k); /* "none", "mbr", "gpt" */
const char *ptable_class_name(enum pt_class c);
/* The partition type for people: "0x83" or a GUID string. buf of at least 37 bytes. */
const char *ptable_type_string(const struct pt_part *p, enum pt_kind k, char *buf, size_t len);
/* A GPT GUID as text (the mixed-endian on-disk layout decoded). buf of at least 37 bytes. */
void ptable_guid_string(const uint8_t g[16], char *buf, size_t len);

/* CRC-32 as GPT uses it (IEEE 802.3, reflected, init and final xor ~0). */
uint32_t ptable_crc32(const void *data, size_t len);

#endif
