/* MBR and GPT partition tables: bounds-checked parsers over sector buffers and a table walker. */
#include "ptable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

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

/*
 * A table-less CRC-32: GPT needs it in the portable core, which the Windows build compiles
 * without zlib; a few hundred bytes per disk make speed irrelevant.
 */
uint32_t ptable_crc32(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

void ptable_init(struct ptable *pt)
{
	memset(pt, 0, sizeof(*pt));
}

void ptable_free(struct ptable *pt)
{
	free(pt->parts);
	strvec_clear(&pt->problems);
	memset(pt, 0, sizeof(*pt));
}

static struct pt_part *add_part(struct ptable *pt)
{
	if (pt->n == pt->alloc) {
		pt->alloc = pt->alloc ? pt->alloc * 2 : 8;
		pt->parts = xreallocarray(pt->parts, pt->alloc, sizeof(*pt->parts));
	}
	struct pt_part *p = &pt->parts[pt->n++];
	memset(p, 0, sizeof(*p));
	return p;
}

static enum pt_class mbr_class(uint8_t t)
{
	switch (t) {
	case 0x83:
		return PC_LINUX;
	case 0x8e:
		return PC_LINUX_LVM;
	case 0xfd:
		return PC_LINUX_RAID;
	case 0x82:
		return PC_LINUX_SWAP;
	case 0x07:
		return PC_NTFS;
	case 0x01:
	case 0x04:
	case 0x06:
	case 0x0b:
	case 0x0c:
	case 0x0e:
		return PC_FAT;
	case 0x05:
	case 0x0f:
	case 0x85:
		return PC_EXTENDED;
	case 0xef:
		return PC_EFI;
	case 0x27:
		return PC_WIN_RECOVERY;
	case 0x42:
		return PC_LDM;
	case 0xee:
		return PC_PROTECTIVE;
	}
	return PC_OTHER;
}

void ptable_guid_string(const uint8_t g[16], char *buf, size_t len)
{
	snprintf(buf, len, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", (unsigned)le32(g),
		 (unsigned)le16(g + 4), (unsigned)le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
}

static const struct {
	const char *guid;
	enum pt_class cls;
} gpt_types[] = {
	{ "0FC63DAF-8483-4772-8E79-3D69D8477DE4", PC_LINUX },      /* Linux filesystem data */
	{ "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", PC_LINUX },      /* root, x86-64 */
	{ "44479540-F297-41B2-9AF7-D131D5F0458A", PC_LINUX },      /* root, x86 */
	{ "B921B045-1DF0-41C3-AF44-4C6F280D3FAE", PC_LINUX },      /* root, arm64 */
	{ "BC13C2FF-59E6-4262-A352-B275FD6F7172", PC_LINUX },      /* /boot (XBOOTLDR) */
	{ "933AC7E1-2EB4-4F13-B844-0E14E2AEF915", PC_LINUX },      /* /home */
	{ "E6D6D379-F507-44C2-A23C-238F2A3DF928", PC_LINUX_LVM },
	{ "A19D880F-05FC-4D3B-A006-743F0F84911E", PC_LINUX_RAID },
	{ "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", PC_LINUX_SWAP },
	{ "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", PC_NTFS },       /* Microsoft basic data */
	{ "E3C9E316-0B5C-4DB8-817D-F92DF00215AE", PC_MS_RESERVED },
	{ "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", PC_WIN_RECOVERY },
	{ "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3", PC_LDM },        /* LDM metadata */
	{ "AF9B60A0-1431-4F62-BC68-3311714A69AD", PC_LDM },        /* LDM data */
	{ "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", PC_EFI },
	{ "21686148-6449-6E61-6F4E-744565644946", PC_BIOS_BOOT },
};

static enum pt_class gpt_class(const uint8_t g[16])
{
	char s[37];
	ptable_guid_string(g, s, sizeof(s));
	for (size_t i = 0; i < ARRAY_SIZE(gpt_types); i++)
		if (strcmp(gpt_types[i].guid, s) == 0)
			return gpt_types[i].cls;
	return PC_OTHER;
}

/* A volume boot record also ends in 0x55AA: the OEM name and the FAT signatures tell it apart. */
static bool is_vbr(const uint8_t *sec)
{
	if (memcmp(sec + 3, "NTFS    ", 8) == 0 || memcmp(sec + 3, "EXFAT   ", 8) == 0)
		return true;
	if ((sec[0] == 0xeb || sec[0] == 0xe9) &&
	    (memcmp(sec + 54, "FAT12   ", 8) == 0 || memcmp(sec + 54, "FAT16   ", 8) == 0 ||
	     memcmp(sec + 54, "FAT     ", 8) == 0 || memcmp(sec + 82, "FAT32   ", 8) == 0))
		return true;
	return false;
}

bool ptable_is_mbr(const uint8_t *sec, size_t len)
{
	if (len < PT_SECTOR || sec[510] != 0x55 || sec[511] != 0xaa || is_vbr(sec))
		return false;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = sec + 446 + 16 * i;
		if (e[0] != 0x00 && e[0] != 0x80)
			return false;
		if (e[4] != 0 && le32(e + 8) == 0)
			return false;
	}
	return true;
}

static void check_bounds(struct ptable *pt, const struct pt_part *p, uint64_t disk_sectors)
{
	if (disk_sectors && (p->start >= disk_sectors || p->sectors > disk_sectors - p->start))
		strvec_pushf(&pt->problems, "partition %u (sectors %llu+%llu) extends past the end of the disk (%llu sectors)",
			     p->number, (unsigned long long)p->start, (unsigned long long)p->sectors,
			     (unsigned long long)disk_sectors);
}

int ptable_parse_mbr(const uint8_t *sec, size_t len, struct ptable *pt)
{
	if (!ptable_is_mbr(sec, len))
		return -EINVAL;
	pt->kind = PT_MBR;
	pt->mbr_signature = le32(sec + 440);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = sec + 446 + 16 * i;
		if (e[4] == 0)
			continue;
		struct pt_part *p = add_part(pt);
		p->number = i + 1;
		p->mbr_type = e[4];
		p->bootable = e[0] == 0x80;
		p->start = le32(e + 8);
		p->sectors = le32(e + 12);
		p->cls = mbr_class(e[4]);
	}
	return 0;
}

int ptable_parse_ebr(const uint8_t *sec, size_t len, uint64_t ext_start, uint64_t ebr_start, unsigned number,
		     struct ptable *pt, uint64_t *next)
{
	*next = 0;
	if (len < PT_SECTOR || sec[510] != 0x55 || sec[511] != 0xaa) {
		strvec_pushf(&pt->problems, "the extended partition's boot record at sector %llu has no 0x55AA signature",
			     (unsigned long long)ebr_start);
		return -EINVAL;
	}
	/* Entry 1: the logical partition, relative to this EBR; entry 2: the next EBR, relative to the container. */
	const uint8_t *e1 = sec + 446, *e2 = sec + 462;
	if (e1[4] != 0 && le32(e1 + 12) != 0) {
		struct pt_part *p = add_part(pt);
		p->number = number;
		p->logical = true;
		p->mbr_type = e1[4];
		p->bootable = e1[0] == 0x80;
		p->start = ebr_start + le32(e1 + 8);
		p->sectors = le32(e1 + 12);
		p->cls = mbr_class(e1[4]);
	}
	if (e2[4] != 0 && mbr_class(e2[4]) == PC_EXTENDED && le32(e2 + 8) != 0)
		*next = ext_start + le32(e2 + 8);
	return 0;
}

int ptable_gpt_entries_location(const uint8_t *hdr, size_t hdr_len, uint64_t *off, size_t *len)
{
	if (hdr_len < 92 || memcmp(hdr, "EFI PART", 8) != 0)
		return -EINVAL;
	uint32_t n = le32(hdr + 80), esz = le32(hdr + 84);
	if (esz < 128 || esz % 8 || esz > 4096 || n == 0 || n > PT_MAX_GPT_ENTRIES)
		return -EINVAL;
	uint64_t lba = le64(hdr + 72);
	if (lba == 0 || lba > UINT64_MAX / PT_SECTOR)
		return -EINVAL;
	*off = lba * PT_SECTOR;
	*len = (size_t)n * esz;
	return 0;
}

int ptable_parse_gpt(const uint8_t *hdr, size_t hdr_len, const uint8_t *entries, size_t entries_len,
		     uint64_t disk_sectors, struct ptable *pt)
{
	if (hdr_len < 92 || memcmp(hdr, "EFI PART", 8) != 0)
		return -EINVAL;
	uint32_t hsz = le32(hdr + 12);
	if (hsz < 92 || hsz > hdr_len || hsz > PT_SECTOR) {
		strvec_pushf(&pt->problems, "the GPT header size %u is invalid", (unsigned)hsz);
		return -EINVAL;
	}
	uint8_t copy[PT_SECTOR];
	memcpy(copy, hdr, hsz);
	memset(copy + 16, 0, 4);
	if (ptable_crc32(copy, hsz) != le32(hdr + 16)) {
		strvec_pushf(&pt->problems, "the GPT header checksum does not match");
		return -EINVAL;
	}
	uint64_t off;
	size_t elen;
	if (ptable_gpt_entries_location(hdr, hdr_len, &off, &elen) < 0) {
		strvec_pushf(&pt->problems, "the GPT header's partition entry array is invalid");
		return -EINVAL;
	}
	pt->kind = PT_GPT;
	ptable_guid_string(hdr + 56, pt->gpt_guid, sizeof(pt->gpt_guid));
	uint32_t n = le32(hdr + 80), esz = le32(hdr + 84);
	if (entries_len < elen) {
		strvec_pushf(&pt->problems, "the GPT partition entry array is truncated (%zu of %zu bytes)", entries_len,
			     elen);
		n = (uint32_t)(entries_len / esz);
	} else if (ptable_crc32(entries, elen) != le32(hdr + 88)) {
		strvec_pushf(&pt->problems, "the GPT partition entry array checksum does not match");
	}
	static const uint8_t zero[16];
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = entries + (size_t)i * esz;
		if (memcmp(e, zero, 16) == 0)
			continue;
		uint64_t first = le64(e + 32), last = le64(e + 40);
		struct pt_part *p = add_part(pt);
		p->number = i + 1;
		memcpy(p->guid_type, e, 16);
		p->cls = gpt_class(e);
		p->start = first;
		if (last < first) {
			strvec_pushf(&pt->problems, "GPT partition %u ends (sector %llu) before it starts (%llu)", i + 1,
				     (unsigned long long)last, (unsigned long long)first);
			p->sectors = 0;
		} else {
			p->sectors = last - first + 1;
		}
		check_bounds(pt, p, disk_sectors);
	}
	return 0;
}

int ptable_read(pt_read_fn rd, void *arg, uint64_t disk_size, struct ptable *pt)
{
	uint8_t sec[PT_SECTOR], hdr[PT_SECTOR];
	uint8_t *entries = NULL;
	uint64_t disk_sectors = disk_size / PT_SECTOR;
	int ret;
	if (disk_size < PT_SECTOR)
		return 0;
	ret = rd(arg, 0, sec, sizeof(sec));
	if (ret < 0)
		return ret;
	if (ptable_parse_mbr(sec, sizeof(sec), pt) < 0)
		return 0;

	bool protective = false;
	for (size_t i = 0; i < pt->n; i++)
		protective |= pt->parts[i].mbr_type == 0xee;
	if (protective && disk_size >= 2 * PT_SECTOR) {
		ret = rd(arg, PT_SECTOR, hdr, sizeof(hdr));
		if (ret < 0)
			return ret;
		uint64_t off;
		size_t len;
		if (ptable_gpt_entries_location(hdr, sizeof(hdr), &off, &len) == 0) {
			entries = xmalloc(len);
			size_t got = len;
			if (off >= disk_size || len > disk_size - off || rd(arg, off, entries, len) < 0)
				got = 0;
			struct ptable g;
			ptable_init(&g);
			if (ptable_parse_gpt(hdr, sizeof(hdr), entries, got, disk_sectors, &g) == 0) {
				bool others = pt->n > 1;
				for (size_t i = 0; i < pt->problems.n; i++)
					strvec_push(&g.problems, pt->problems.v[i]);
				ptable_free(pt);
				*pt = g;
				pt->hybrid = others;
			} else {
				for (size_t i = 0; i < g.problems.n; i++)
					strvec_push(&pt->problems, g.problems.v[i]);
				strvec_push(&pt->problems, "a protective MBR (type 0xee) without a valid GPT header");
				ptable_free(&g);
			}
		} else {
			strvec_push(&pt->problems, "a protective MBR (type 0xee) without a valid GPT header");
		}
		goto out;
	}

	/* Follow the extended partition's chain of boot records, bounded and loop-safe. */
	size_t nprimary = pt->n;
	for (size_t i = 0; i < nprimary; i++) {
		if (pt->parts[i].cls != PC_EXTENDED)
			continue;
		uint64_t ext = pt->parts[i].start, ebr = ext;
		unsigned number = 5;
		while (ebr && number < 5 + PT_MAX_LOGICAL) {
			if (ebr >= disk_sectors) {
				strvec_pushf(&pt->problems, "an extended boot record points past the end of the disk (sector %llu)",
					     (unsigned long long)ebr);
				break;
			}
			ret = rd(arg, ebr * PT_SECTOR, sec, sizeof(sec));
			if (ret < 0)
				goto out;
			uint64_t next;
			size_t before = pt->n;
			if (ptable_parse_ebr(sec, sizeof(sec), ext, ebr, number, pt, &next) < 0)
				break;
			if (pt->n > before)
				number++;
			if (next <= ebr) {
				if (next)
					strvec_pushf(&pt->problems, "the extended partition's chain loops back (sector %llu)",
						     (unsigned long long)next);
				break;
			}
			ebr = next;
		}
		if (number >= 5 + PT_MAX_LOGICAL)
			strvec_pushf(&pt->problems, "more than %d logical partitions: the rest were not read", PT_MAX_LOGICAL);
		break; /* one extended partition is all an MBR may have */
	}
	for (size_t i = 0; i < pt->n; i++)
		check_bounds(pt, &pt->parts[i], disk_sectors);
	ret = 0;
out:
	free(entries);
	return ret < 0 ? ret : 0;
}

const char *ptable_kind_name(enum pt_kind k)
{
	switch (k) {
	case PT_MBR:
		return "mbr";
	case PT_GPT:
		return "gpt";
	case PT_NONE:
		break;
	}
	return "none";
}

const char *ptable_class_name(enum pt_class c)
{
	switch (c) {
	case PC_LINUX:
		return "Linux";
	case PC_LINUX_LVM:
		return "Linux LVM";
	case PC_LINUX_RAID:
		return "Linux RAID";
	case PC_LINUX_SWAP:
		return "Linux swap";
	case PC_NTFS:
		return "NTFS/basic data";
	case PC_FAT:
		return "FAT";
	case PC_EXTENDED:
		return "extended";
	case PC_EFI:
		return "EFI system";
	case PC_BIOS_BOOT:
		return "BIOS boot";
	case PC_MS_RESERVED:
		return "Microsoft reserved";
	case PC_WIN_RECOVERY:
		return "Windows recovery";
	case PC_LDM:
		return "Windows dynamic disk (LDM)";
	case PC_PROTECTIVE:
		return "GPT protective";
	case PC_OTHER:
		break;
	}
	return "other";
}

const char *ptable_type_string(const struct pt_part *p, enum pt_kind k, char *buf, size_t len)
{
	if (k == PT_GPT)
		ptable_guid_string(p->guid_type, buf, len);
	else
		snprintf(buf, len, "0x%02x", p->mbr_type);
	return buf;
}
