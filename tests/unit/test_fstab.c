/* Unit tests: fstab parsing and escapes, mount options, device names and the disks they belong to. */
#include <stdlib.h>

#include "unit.h"

#include "facts.h"
#include "parse.h"
#include "banned.h"

/* ---- fstab_unescape ---- */

static void t_unescape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "/mnt/my\\040disk", "/mnt/my disk" },
		{ "a\\011b", "a\tb" },
		{ "back\\134slash", "back\\slash" },
		{ "back\\\\slash", "back\\slash" },
		{ "\\040\\040", "  " },
		{ "nl\\012", "nl\n" },
		{ "hi\\377", "hi\xff" },
		{ "nul\\000x", "nul?x" },   /* a NUL would cut the string */
		{ "\\400", "\\400" },       /* above \377: not an escape */
		{ "\\08", "\\08" },         /* 8 is not octal */
		{ "\\04", "\\04" },         /* too short, at the end of the string */
		{ "\\0", "\\0" },
		{ "\\", "\\" },
		{ "x\\", "x\\" },
		{ "\\\\040", "\\040" },     /* an escaped backslash, then literal 040 */
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = fstab_unescape(rows[i].in);
		EXPECT_STR(i, rows[i].in, got, rows[i].want);
		free(got);
	}
}

/* ---- fstab_parse ---- */

struct want_entry {
	unsigned line;
	const char *spec, *file, *type, *opts;
	int freq, passno;
};

#define MAXE 4
struct fstab_row {
	const char *what;
	struct buf in;
	size_t n;
	struct want_entry e[MAXE];
	const char *bad; /* bad_lines joined with '|' */
};

static void t_fstab_parse(void **state)
{
	(void)state;
	static const struct fstab_row rows[] = {
		{ "debian default",
		  BUF("# /etc/fstab: static file system information.\n"
		      "#\n"
		      "# <file system> <mount point>   <type>  <options>       <dump>  <pass>\n"
		      "UUID=0a1b2c3d-1111-2222-3333-444455556666 /               ext4    errors=remount-ro 0       1\n"
		      "/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0\n"),
		  2,
		  { { 4, "UUID=0a1b2c3d-1111-2222-3333-444455556666", "/", "ext4", "errors=remount-ro", 0, 1 },
		    { 5, "/dev/sr0", "/media/cdrom0", "udf,iso9660", "user,noauto", 0, 0 } },
		  "" },
		{ "two to six fields",
		  BUF("/dev/sda1 /\n"
		      "/dev/sda2 /boot ext2\n"
		      "/dev/sda3 /var xfs noatime\n"
		      "/dev/sda5 /srv xfs rw 1\n"),
		  4,
		  { { 1, "/dev/sda1", "/", "auto", "defaults", 0, 0 },
		    { 2, "/dev/sda2", "/boot", "ext2", "defaults", 0, 0 },
		    { 3, "/dev/sda3", "/var", "xfs", "noatime", 0, 0 },
		    { 4, "/dev/sda5", "/srv", "xfs", "rw", 1, 0 } },
		  "" },
		{ "escapes",
		  BUF("LABEL=my\\040data /mnt/my\\040disk ext4 defaults 0 2\n"
		      "/dev/sdb1\t/mnt/tab\\011dir\txfs\tdefaults\t0\t0\n"
		      "//srv/share /mnt/back\\134slash cifs credentials=/root/c\\040d 0 0\n"),
		  3,
		  { { 1, "LABEL=my data", "/mnt/my disk", "ext4", "defaults", 0, 2 },
		    { 2, "/dev/sdb1", "/mnt/tab\tdir", "xfs", "defaults", 0, 0 },
		    { 3, "//srv/share", "/mnt/back\\slash", "cifs", "credentials=/root/c d", 0, 0 } },
		  "" },
		{ "comments, blank lines, indentation",
		  BUF("\n   \n\t# indented comment\n  /dev/vda1   /   ext4   defaults   0   1   \n#/dev/sdz9 / x y 0 0\n\n"),
		  1,
		  { { 4, "/dev/vda1", "/", "ext4", "defaults", 0, 1 } },
		  "" },
		{ "CRLF line ends",
		  BUF("UUID=a / ext4 defaults 0 1\r\nUUID=b /home ext4 defaults 0 2\r\n"),
		  2,
		  { { 1, "UUID=a", "/", "ext4", "defaults", 0, 1 }, { 2, "UUID=b", "/home", "ext4", "defaults", 0, 2 } },
		  "" },
		{ "malformed lines are reported and skipped",
		  BUF("lonely\n"
		      "/dev/sdb1 /data ext4 defaults x 2\n"
		      "/dev/sdb2 /data2 ext4 defaults 0 two\n"
		      "/dev/sdb3 /data3 ext4 defaults 0x1 0\n"
		      "/dev/sdb4 /data4 ext4 defaults 99999999999 0\n"
		      "/dev/sdb5 /mnt/my disk ext4 defaults 0 2\n"
		      "/dev/sdc1 /ok ext4 defaults 0 2\n"),
		  1,
		  { { 7, "/dev/sdc1", "/ok", "ext4", "defaults", 0, 2 } },
		  "1: fewer than two fields|2: dump and pass fields must be numbers|"
		  "3: dump and pass fields must be numbers|4: dump and pass fields must be numbers|"
		  "5: dump and pass fields must be numbers|6: dump and pass fields must be numbers" },
		{ "what follows the sixth field is ignored, as libmount does",
		  BUF("/dev/sdb1 /data ext4 defaults 0 2 # the data disk\n"
		      "/dev/sdb2 /more ext4 defaults 0 2 extra words\n"),
		  2,
		  { { 1, "/dev/sdb1", "/data", "ext4", "defaults", 0, 2 },
		    { 2, "/dev/sdb2", "/more", "ext4", "defaults", 0, 2 } },
		  "" },
		{ "signed numbers, as libmount reads them",
		  BUF("/dev/sdb1 /data ext4 defaults +1 -1\n"),
		  1,
		  { { 1, "/dev/sdb1", "/data", "ext4", "defaults", 1, -1 } },
		  "" },
		{ "a NUL byte ends its line",
		  BUF("/dev/sda1 / ext4 defaults 0 1\0 garbage after the NUL\n/dev/sdb1\0/hidden x y 0 0\n/dev/sdc1 /c ext4 rw 0 0"),
		  2,
		  { { 1, "/dev/sda1", "/", "ext4", "defaults", 0, 1 }, { 3, "/dev/sdc1", "/c", "ext4", "rw", 0, 0 } },
		  "2: fewer than two fields" },
		{ "garbage bytes",
		  BUF("\xff\xfe\xfd \x80\x81 \x01\x02 \x7f 0 0\n\x1b[31m\n"),
		  1,
		  { { 1, "\xff\xfe\xfd", "\x80\x81", "\x01\x02", "\x7f", 0, 0 } },
		  "2: fewer than two fields" },
		{ "empty", BUF(""), 0, { { 0, NULL, NULL, NULL, NULL, 0, 0 } }, "" },
		{ "only comments", BUF("# a\n#b\n  # c"), 0, { { 0, NULL, NULL, NULL, NULL, 0, 0 } }, "" },
		{ "no final newline", BUF("/dev/vda1 / ext4 defaults 0 1"), 1,
		  { { 1, "/dev/vda1", "/", "ext4", "defaults", 0, 1 } }, "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct fstab_row *r = &rows[i];
		struct fstab_entry *v = (struct fstab_entry *)1;
		size_t n = 99;
		struct strvec bad = STRVEC_INIT;
		assert_int_equal(fstab_parse(r->in.p, r->in.n, &v, &n, &bad), 0);
		EXPECT_INT(i, r->what, n, r->n);
		for (size_t k = 0; k < n && k < MAXE; k++) {
			EXPECT_INT(i, r->what, v[k].line, r->e[k].line);
			EXPECT_STR(i, r->what, v[k].spec, r->e[k].spec);
			EXPECT_STR(i, r->what, v[k].file, r->e[k].file);
			EXPECT_STR(i, r->what, v[k].type, r->e[k].type);
			EXPECT_STR(i, r->what, v[k].opts, r->e[k].opts);
			EXPECT_INT(i, r->what, v[k].freq, r->e[k].freq);
			EXPECT_INT(i, r->what, v[k].passno, r->e[k].passno);
			EXPECT_INT(i, r->what, v[k].loc, LOC_UNKNOWN);
		}
		if (n == 0)
			assert_null(v);
		EXPECT_LIST(i, r->what, &bad, r->bad);
		fstab_entries_free(v, n);
		strvec_clear(&bad);
	}
}

/* Many entries (the array grows) and a huge line: no limit, nothing lost. */
static void t_fstab_many(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "UUID=%d /mnt/%d ext4 defaults 0 2\n", i, i);
	strbuf_addstr(&sb, "/dev/sdb1 /");
	for (int i = 0; i < 70000; i++)
		strbuf_addch(&sb, 'x');
	strbuf_addstr(&sb, " ext4\n");
	struct fstab_entry *v;
	size_t n;
	struct strvec bad = STRVEC_INIT;
	fstab_parse(sb.buf, sb.len, &v, &n, &bad);
	assert_int_equal(n, 5001);
	assert_int_equal(bad.n, 0);
	assert_string_equal(v[4999].spec, "UUID=4999");
	assert_int_equal(v[4999].line, 5000);
	assert_int_equal(strlen(v[5000].file), 70001);
	fstab_entries_free(v, n);
	strbuf_release(&sb);
}

/* ---- options ---- */

static void t_has_option(void **state)
{
	(void)state;
	static const struct {
		const char *opts, *opt;
		bool want;
	} rows[] = {
		{ "defaults,nofail", "nofail", true },
		{ "nofail", "nofail", true },
		{ "nofail,defaults", "nofail", true },
		{ "rw,nofail,noatime", "nofail", true },
		{ "defaults", "nofail", false },
		{ "nofailx", "nofail", false },
		{ "xnofail", "nofail", false },
		{ "nofail=1", "nofail", false },
		{ "x-systemd.nofail", "nofail", false },
		{ "", "nofail", false },
		{ ",,", "nofail", false },
		{ ",nofail,", "nofail", true },
		{ "noauto,user", "noauto", true },
		{ "NOFAIL", "nofail", false }, /* options are case-sensitive */
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		EXPECT_INT(i, rows[i].opts, fstab_has_option(rows[i].opts, rows[i].opt), rows[i].want);
}

/* ---- device names ---- */

static void t_devname_classify(void **state)
{
	(void)state;
	static const struct {
		const char *spec, *type;
		enum devname_kind want;
	} rows[] = {
		{ "/dev/sda1", "ext4", DEV_KERNEL },
		{ "/dev/sda", NULL, DEV_KERNEL },
		{ "/dev/hda1", "ext3", DEV_KERNEL },
		{ "/dev/vdb", "xfs", DEV_KERNEL },
		{ "/dev/xvda1", "ext4", DEV_KERNEL },
		{ "/dev/nvme0n1p1", "ext4", DEV_KERNEL },
		{ "/dev/mmcblk0p2", "ext4", DEV_KERNEL },
		{ "/dev/cciss/c0d0p1", "ext3", DEV_KERNEL },
		{ "/dev/sr0", "iso9660", DEV_KERNEL },
		{ "/dev/dasda1", "ext4", DEV_KERNEL },
		{ "/dev/disk/by-path/pci-0000:00:10.0-scsi-0:0:0:0-part1", "ext4", DEV_BY_PATH },
		{ "/dev/disk/by-id/ata-VBOX_HARDDISK_VB123-part1", "ext4", DEV_BY_ID },
		{ "/dev/disk/by-uuid/0a1b", "ext4", DEV_UUID },
		{ "/dev/disk/by-label/root", "ext4", DEV_LABEL },
		{ "/dev/disk/by-partuuid/abcd-01", "ext4", DEV_PARTUUID },
		{ "/dev/disk/by-partlabel/root", "ext4", DEV_PARTUUID },
		{ "UUID=0a1b2c3d", "ext4", DEV_UUID },
		{ "LABEL=root", "ext4", DEV_LABEL },
		{ "PARTUUID=abcd-01", "ext4", DEV_PARTUUID },
		{ "PARTLABEL=root", "ext4", DEV_PARTUUID },
		{ "/dev/mapper/vg0-root", "ext4", DEV_LVM },
		{ "/dev/vg0/root", "ext4", DEV_LVM },
		{ "/dev/centos/root", "xfs", DEV_LVM },
		/* Volume groups whose names begin like kernel or md names are still LVM. */
		{ "/dev/srv/data", "ext4", DEV_LVM },
		{ "/dev/sdata/lv0", "ext4", DEV_LVM },
		{ "/dev/hdd/backup", "ext4", DEV_LVM },
		{ "/dev/vdisks/lv", "ext4", DEV_LVM },
		{ "/dev/nvmevg/lv", "ext4", DEV_LVM },
		{ "/dev/mdata/lv", "ext4", DEV_LVM },
		{ "/dev/md0", "ext4", DEV_MD },
		{ "/dev/md127", "ext4", DEV_MD },
		{ "/dev/md0p1", "ext4", DEV_MD },
		{ "/dev/md/root", "ext4", DEV_MD },
		{ "/dev/md_d0", "ext4", DEV_MD },
		{ "/dev/zram0", "swap", DEV_OTHER_DEV },
		/* The preparing machine's own devices: never the instance's disk. */
		{ "/dev/loop0", "ext4", DEV_KERNEL },
		{ "/dev/loop0p1", "ext4", DEV_KERNEL },
		{ "/dev/dm-0", "ext4", DEV_KERNEL },
		{ "/dev/nbd0p2", "ext4", DEV_KERNEL },
		{ "/dev/ram0", "ext4", DEV_KERNEL },
		{ "/dev/loopy/lv", "ext4", DEV_LVM },
		{ "/dev/ramdisk", "ext4", DEV_OTHER_DEV },
		{ "/dev/sd", "ext4", DEV_OTHER_DEV },
		{ "/dev/", "ext4", DEV_OTHER_DEV },
		{ "/dev/a/b/c", "ext4", DEV_OTHER_DEV },
		{ "tmpfs", "tmpfs", DEV_NONE },
		{ "proc", "proc", DEV_NONE },
		{ "/swapfile", "swap", DEV_NONE },
		{ "server:/export", "nfs", DEV_NONE },
		{ "//server/share", "cifs", DEV_NONE },
		{ "/srv/a", "none", DEV_NONE }, /* bind mount */
		{ "/dev/sdb1", "nfs", DEV_NONE }, /* the type says it is not a block device */
		{ "rpool/ROOT", "zfs", DEV_NONE },
		{ "", "ext4", DEV_NOTHING },
		{ NULL, NULL, DEV_NOTHING },
		{ "UUID=", NULL, DEV_UUID },
		{ "\xff\xfe", NULL, DEV_NONE },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		enum devname_kind k = devname_classify(rows[i].spec, rows[i].type);
		if (k != rows[i].want)
			fail_msg("row %zu (%s): got %s, want %s", i, rows[i].spec ? rows[i].spec : "(null)",
				 devname_kind_name(k), devname_kind_name(rows[i].want));
	}
}

static void t_devname_stable(void **state)
{
	(void)state;
	static const struct {
		enum devname_kind k;
		bool stable;
	} rows[] = {
		{ DEV_KERNEL, false }, { DEV_BY_PATH, false }, { DEV_BY_ID, false }, { DEV_UUID, true },
		{ DEV_LABEL, true },   { DEV_PARTUUID, true }, { DEV_LVM, true },    { DEV_MD, true },
		{ DEV_OTHER_DEV, true }, { DEV_NONE, true },   { DEV_NOTHING, true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		EXPECT_INT(i, devname_kind_name(rows[i].k), devname_stable(rows[i].k), rows[i].stable);
		/* Every kind has a name for messages. */
		assert_non_null(devname_kind_name(rows[i].k));
		assert_string_not_equal(devname_kind_name(rows[i].k), "?");
	}
}

static void t_kernel_disk_of(void **state)
{
	(void)state;
	static const struct {
		const char *dev, *want;
	} rows[] = {
		{ "/dev/sda1", "sda" },
		{ "/dev/sda", "sda" },
		{ "/dev/sdaa12", "sdaa" },
		{ "/dev/hdb3", "hdb" },
		{ "/dev/vda", "vda" },
		{ "/dev/xvda1", "xvda" },
		{ "/dev/nvme0n1p2", "nvme0n1" },
		{ "/dev/nvme0n1", "nvme0n1" },
		{ "/dev/nvme10n12p3", "nvme10n12" },
		{ "/dev/mmcblk0p1", "mmcblk0" },
		{ "/dev/mmcblk0", "mmcblk0" },
		{ "/dev/cciss/c0d0p1", "cciss/c0d0" },
		{ "/dev/cciss/c0d0", "cciss/c0d0" },
		{ "/dev/sr0", "sr0" },     /* a CD-ROM drive is its own disk */
		{ "/dev/scd1", "scd1" },
		{ "/dev/loop0p1", "loop0" },
		{ "/dev/loop0", "loop0" },
		{ "/dev/loop12p3", "loop12" },
		{ "/dev/nbd0p2", "nbd0" },
		{ "/dev/dm-3", "dm-3" },
		{ "/dev/ram0", "ram0" },
		{ "/dev/srv/data", NULL }, /* LVM */
		{ "/dev/mapper/vg-root", NULL },
		{ "/dev/md0", NULL },
		{ "UUID=abc", NULL },
		{ "sda1", NULL },
		{ "/dev/", NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = kernel_disk_of(rows[i].dev);
		EXPECT_STR(i, rows[i].dev, got, rows[i].want);
		free(got);
	}
}

static void t_fstype_virtual(void **state)
{
	(void)state;
	static const struct {
		const char *t;
		bool want;
	} rows[] = {
		{ "proc", true },  { "sysfs", true },  { "tmpfs", true }, { "devpts", true }, { "cgroup2", true },
		{ "nfs", true },   { "nfs4", true },   { "cifs", true },  { "9p", true },     { "overlay", true },
		{ "none", true },  { "ext4", false },  { "xfs", false },  { "btrfs", false }, { "swap", false },
		{ "vfat", false }, { "auto", false },  { "", false },     { "NFS", false },   { "tmpfs2", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		EXPECT_INT(i, rows[i].t, fstype_is_virtual(rows[i].t), rows[i].want);
}

/* Random bytes and fragments of the format: no crash, no out-of-bounds access (the ASan build checks). */
static void random_fill(struct strbuf *sb, uint32_t *seed, const char *const *tokens, size_t ntokens)
{
	strbuf_reset(sb);
	*seed = *seed * 1103515245u + 12345u;
	int n = (int)((*seed >> 16) % 120);
	for (int k = 0; k < n; k++) {
		*seed = *seed * 1103515245u + 12345u;
		uint32_t r = *seed >> 16;
		if (r % 3 == 0)
			strbuf_addch(sb, (char)(r >> 8));
		else
			strbuf_addstr(sb, tokens[r % ntokens]);
	}
}

static void t_random(void **state)
{
	(void)state;
	static const char *const tokens[] = { "/dev/sda1", "UUID=", " ", "\t", "\n", "\r\n", "#", "\\040", "\\",
					      "\\0", "\\377", "0", "-1", "defaults", "nofail", ",", "/dev/", "md", "nvme0n1p",
					      "/", "..", "cciss/", "sr" };
	uint32_t seed = 2;
	struct strbuf sb = STRBUF_INIT;
	for (int round = 0; round < 5000; round++) {
		random_fill(&sb, &seed, tokens, ARRAY_SIZE(tokens));
		struct fstab_entry *v;
		size_t n;
		struct strvec bad = STRVEC_INIT;
		fstab_parse(sb.buf ? sb.buf : "", sb.len, &v, &n, &bad);
		for (size_t k = 0; k < n; k++) {
			devname_classify(v[k].spec, v[k].type);
			free(kernel_disk_of(v[k].spec));
			fstab_has_option(v[k].opts, "nofail");
			fstype_is_virtual(v[k].type);
		}
		fstab_entries_free(v, n);
		strvec_clear(&bad);
		free(fstab_unescape(strbuf_str(&sb)));
		free(kernel_disk_of(strbuf_str(&sb)));
		devname_classify(strbuf_str(&sb), NULL);
	}
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_unescape),        cmocka_unit_test(t_fstab_parse),   cmocka_unit_test(t_fstab_many),
		cmocka_unit_test(t_has_option),      cmocka_unit_test(t_devname_classify),
		cmocka_unit_test(t_devname_stable),  cmocka_unit_test(t_kernel_disk_of), cmocka_unit_test(t_fstype_virtual),
		cmocka_unit_test(t_random),
	};
	return cmocka_run_group_tests_name("fstab", tests, NULL, NULL);
}
