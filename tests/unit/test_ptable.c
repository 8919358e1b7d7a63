/* Unit tests: MBR, extended partitions and GPT from sector images, malformed and hostile ones included. */
#include <stdlib.h>

#include "unit.h"

#include "ptable.h"
#include "banned.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An MBR entry: boot flag, type, start, size (in sectors). */
static void mbr_entry(uint8_t *sec, int i, uint8_t flag, uint8_t type, uint32_t start, uint32_t size)
{
	uint8_t *e = sec + 446 + 16 * i;
	e[0] = flag;
	e[4] = type;
	put32(e + 8, start);
	put32(e + 12, size);
	sec[510] = 0x55;
	sec[511] = 0xaa;
}

/* A disk in memory, read through the same callback the image command uses. */
struct disk {
	uint8_t *p;
	size_t n;
};

static int disk_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct disk *d = arg;
	if (off > d->n || len > d->n - off)
		return -5;
	memcpy(buf, d->p + off, len);
	return 0;
}

static void t_crc32(void **state)
{
	(void)state;
	assert_int_equal(ptable_crc32("123456789", 9), 0xcbf43926u);
	assert_int_equal(ptable_crc32("", 0), 0);
}

static void t_is_mbr(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		int setup;
		bool want;
	} rows[] = {
		{ "all zeros", 0, false },
		{ "one Linux partition", 1, true },
		{ "signature only, no entries (an empty MBR)", 2, true },
		{ "NTFS boot sector", 3, false },
		{ "FAT32 boot sector", 4, false },
		{ "boot flag 0x12", 5, false },
		{ "typed entry starting at sector 0", 6, false },
		{ "exFAT boot sector", 7, false },
		{ "GRUB boot code (jump) with a partition", 8, true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint8_t s[512] = { 0 };
		switch (rows[i].setup) {
		case 1:
			mbr_entry(s, 0, 0x80, 0x83, 2048, 100000);
			break;
		case 2:
			s[510] = 0x55;
			s[511] = 0xaa;
			break;
		case 3:
			memcpy(s + 3, "NTFS    ", 8);
			s[510] = 0x55;
			s[511] = 0xaa;
			break;
		case 4:
			s[0] = 0xeb;
			memcpy(s + 82, "FAT32   ", 8);
			s[510] = 0x55;
			s[511] = 0xaa;
			break;
		case 5:
			mbr_entry(s, 0, 0x12, 0x83, 2048, 100);
			break;
		case 6:
			mbr_entry(s, 1, 0x00, 0x07, 0, 100);
			break;
		case 7:
			memcpy(s + 3, "EXFAT   ", 8);
			s[510] = 0x55;
			s[511] = 0xaa;
			break;
		case 8:
			s[0] = 0xeb;
			s[1] = 0x63;
			mbr_entry(s, 0, 0x80, 0x83, 2048, 100);
			break;
		}
		EXPECT_INT(i, rows[i].what, ptable_is_mbr(s, sizeof(s)), rows[i].want);
	}
	uint8_t s[512] = { 0 };
	mbr_entry(s, 0, 0, 0x83, 1, 1);
	EXPECT_INT(0, "a short buffer", ptable_is_mbr(s, 511), false);
}

static void t_parse_mbr(void **state)
{
	(void)state;
	uint8_t s[512] = { 0 };
	mbr_entry(s, 0, 0x80, 0x83, 2048, 204800);
	mbr_entry(s, 1, 0x00, 0x8e, 206848, 1000);
	mbr_entry(s, 3, 0x00, 0x07, 300000, 1000);
	put32(s + 440, 0xdeadbeef);
	struct ptable pt;
	ptable_init(&pt);
	assert_int_equal(ptable_parse_mbr(s, sizeof(s), &pt), 0);
	assert_int_equal(pt.kind, PT_MBR);
	assert_int_equal(pt.mbr_signature, 0xdeadbeef);
	assert_int_equal(pt.n, 3);
	assert_int_equal(pt.parts[0].number, 1);
	assert_true(pt.parts[0].bootable);
	assert_int_equal(pt.parts[0].cls, PC_LINUX);
	assert_int_equal(pt.parts[0].start, 2048);
	assert_int_equal(pt.parts[1].cls, PC_LINUX_LVM);
	assert_int_equal(pt.parts[2].number, 4);
	assert_int_equal(pt.parts[2].cls, PC_NTFS);
	char buf[40];
	EXPECT_STR(0, "type string", ptable_type_string(&pt.parts[1], pt.kind, buf, sizeof(buf)), "0x8e");
	ptable_free(&pt);
}

static struct disk new_disk(size_t sectors)
{
	struct disk d = { xcalloc(sectors, 512), sectors * 512 };
	return d;
}

static void t_extended_chain(void **state)
{
	(void)state;
	struct disk d = new_disk(2000);
	mbr_entry(d.p, 0, 0x80, 0x83, 10, 80);
	mbr_entry(d.p, 1, 0x00, 0x05, 100, 1000);
	/* EBR 1 at 100: logical at +10 (50 sectors), next EBR at container + 200. */
	mbr_entry(d.p + 100 * 512, 0, 0, 0x83, 10, 50);
	mbr_entry(d.p + 100 * 512, 1, 0, 0x05, 200, 100);
	/* EBR 2 at 300: swap at +10, no next. */
	mbr_entry(d.p + 300 * 512, 0, 0, 0x82, 10, 20);
	struct ptable pt;
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.kind, PT_MBR);
	assert_int_equal(pt.n, 4);
	assert_int_equal(pt.parts[1].cls, PC_EXTENDED);
	assert_int_equal(pt.parts[2].number, 5);
	assert_true(pt.parts[2].logical);
	assert_int_equal(pt.parts[2].start, 110);
	assert_int_equal(pt.parts[2].cls, PC_LINUX);
	assert_int_equal(pt.parts[3].number, 6);
	assert_int_equal(pt.parts[3].start, 310);
	assert_int_equal(pt.parts[3].cls, PC_LINUX_SWAP);
	assert_int_equal(pt.problems.n, 0);
	ptable_free(&pt);

	/* An EBR that points back to itself: the walk stops and says so. */
	mbr_entry(d.p + 300 * 512, 1, 0, 0x05, 200, 10);
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.n, 4);
	assert_int_equal(pt.problems.n, 1);
	assert_non_null(strstr(pt.problems.v[0], "loops back"));
	ptable_free(&pt);

	/* An EBR past the end of the disk. */
	mbr_entry(d.p + 100 * 512, 1, 0, 0x05, 5000, 100);
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.n, 3);
	assert_non_null(strstr(pt.problems.v[0], "past the end"));
	ptable_free(&pt);

	/* A partition larger than the disk. */
	memset(d.p, 0, 512);
	mbr_entry(d.p, 0, 0x80, 0x83, 10, 1000000);
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.n, 1);
	assert_non_null(strstr(pt.problems.v[0], "extends past the end"));
	ptable_free(&pt);
	free(d.p);
}

/* A GPT disk with a protective MBR and one partition of the given type GUID (on-disk bytes). */
static struct disk gpt_disk(const uint8_t type[16])
{
	struct disk d = new_disk(4096);
	mbr_entry(d.p, 0, 0, 0xee, 1, 4095);
	uint8_t *h = d.p + 512, *e = d.p + 1024;
	memcpy(e, type, 16);
	e[16] = 1; /* unique GUID */
	put64(e + 32, 2048);
	put64(e + 40, 4000);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, 1);
	put64(h + 32, 4095);
	put64(h + 40, 34);
	put64(h + 48, 4062);
	h[56] = 0xab;
	put64(h + 72, 2);
	put32(h + 80, 128);
	put32(h + 84, 128);
	put32(h + 88, ptable_crc32(e, 128 * 128));
	put32(h + 16, ptable_crc32(h, 92));
	return d;
}

static const uint8_t linux_fs[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
				      0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 };
static const uint8_t ms_basic[16] = { 0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44,
				      0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7 };

static void t_gpt(void **state)
{
	(void)state;
	struct disk d = gpt_disk(linux_fs);
	struct ptable pt;
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.kind, PT_GPT);
	assert_int_equal(pt.n, 1);
	assert_int_equal(pt.parts[0].cls, PC_LINUX);
	assert_int_equal(pt.parts[0].start, 2048);
	assert_int_equal(pt.parts[0].sectors, 4000 - 2048 + 1);
	assert_int_equal(pt.problems.n, 0);
	assert_false(pt.hybrid);
	char buf[40];
	EXPECT_STR(0, "GUID", ptable_type_string(&pt.parts[0], pt.kind, buf, sizeof(buf)),
		   "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
	ptable_free(&pt);
	free(d.p);

	d = gpt_disk(ms_basic);
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.parts[0].cls, PC_NTFS);
	ptable_free(&pt);

	/* A damaged header checksum: not a GPT; the protective MBR and the reason remain. */
	d.p[512 + 40] ^= 0xff;
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.kind, PT_MBR);
	assert_int_equal(pt.n, 1);
	assert_int_equal(pt.parts[0].cls, PC_PROTECTIVE);
	assert_non_null(strstr(pt.problems.v[0], "checksum"));
	ptable_free(&pt);
	d.p[512 + 40] ^= 0xff;

	/* A damaged entry array: still a GPT, with the problem named. */
	d.p[1024 + 60] ^= 0x01;
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.kind, PT_GPT);
	assert_non_null(strstr(pt.problems.v[0], "entry array checksum"));
	ptable_free(&pt);
	d.p[1024 + 60] ^= 0x01;

	/* A hybrid MBR: GPT, flagged. */
	mbr_entry(d.p, 1, 0, 0x83, 2048, 1953);
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
	assert_int_equal(pt.kind, PT_GPT);
	assert_true(pt.hybrid);
	ptable_free(&pt);

	/* The disk is too short for the entry array it declares. */
	ptable_init(&pt);
	assert_int_equal(ptable_read(disk_read, &d, 1536, &pt), 0);
	assert_int_equal(pt.kind, PT_GPT);
	assert_non_null(strstr(pt.problems.v[0], "truncated"));
	ptable_free(&pt);
	free(d.p);
}

static void t_gpt_header_fields(void **state)
{
	(void)state;
	struct disk d = gpt_disk(linux_fs);
	uint8_t *h = d.p + 512;
	static const struct {
		const char *what;
		size_t off;
		uint32_t v;
	} rows[] = {
		{ "header size 0", 12, 0 },
		{ "header size over a sector", 12, 4096 },
		{ "entry size 0", 84, 0 },
		{ "a million entries", 80, 1000000 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint8_t save[512];
		memcpy(save, h, 512);
		put32(h + rows[i].off, rows[i].v);
		put32(h + 16, 0);
		put32(h + 16, ptable_crc32(h, 92));
		struct ptable pt;
		ptable_init(&pt);
		EXPECT_INT(i, rows[i].what, ptable_read(disk_read, &d, d.n, &pt), 0);
		EXPECT_INT(i, rows[i].what, pt.kind, PT_MBR);
		EXPECT_INT(i, rows[i].what, pt.problems.n > 0, 1);
		ptable_free(&pt);
		memcpy(h, save, 512);
	}
	free(d.p);
}

/* Random sectors with a valid signature: never a crash, never an out-of-bounds read (ASan). */
static void t_random(void **state)
{
	(void)state;
	struct disk d = new_disk(64);
	unsigned seed = 12345;
	for (int round = 0; round < 3000; round++) {
		for (size_t i = 0; i < d.n; i++) {
			seed = seed * 1103515245u + 12345u;
			d.p[i] = (uint8_t)(seed >> 16);
		}
		d.p[510] = 0x55;
		d.p[511] = 0xaa;
		for (int k = 0; k < 4; k++) {
			d.p[446 + 16 * k] &= 0x80;
			if (round % 3 == 0)
				d.p[446 + 16 * k + 4] = k == 0 ? 0xee : 0x05;
		}
		if (round % 2)
			memcpy(d.p + 512, "EFI PART", 8);
		struct ptable pt;
		ptable_init(&pt);
		assert_int_equal(ptable_read(disk_read, &d, d.n, &pt), 0);
		assert_true(pt.n <= 4 + PT_MAX_LOGICAL + PT_MAX_GPT_ENTRIES);
		ptable_free(&pt);
	}
	free(d.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_crc32),  cmocka_unit_test(t_is_mbr), cmocka_unit_test(t_parse_mbr),
		cmocka_unit_test(t_extended_chain), cmocka_unit_test(t_gpt), cmocka_unit_test(t_gpt_header_fields),
		cmocka_unit_test(t_random),
	};
	return cmocka_run_group_tests_name("ptable", tests, NULL, NULL);
}
