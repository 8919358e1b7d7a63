/* Unit tests: /etc/default/grub, grub.cfg, BLS entries, grubenv, menu.lst, extlinux, default entry. */
#include <stdlib.h>

#include "unit.h"

#include "facts.h"
#include "parse.h"
#include "banned.h"

/* ---- /etc/default/grub ---- */

struct defaults_row {
	const char *what;
	struct buf in;
	const char *linux_;
	unsigned linux_line;
	const char *def;
	unsigned def_line;
	bool disable_uuid;
	unsigned uuid_line;
	const char *grub_default;
};

static void check_defaults(size_t i, const struct defaults_row *r, const struct grub_defaults *d)
{
	EXPECT_STR(i, r->what, d->cmdline_linux, r->linux_);
	EXPECT_INT(i, r->what, d->cmdline_linux_line, r->linux_line);
	EXPECT_STR(i, r->what, d->cmdline_default, r->def);
	EXPECT_INT(i, r->what, d->cmdline_default_line, r->def_line);
	EXPECT_INT(i, r->what, d->disable_uuid, r->disable_uuid);
	EXPECT_INT(i, r->what, d->disable_uuid_line, r->uuid_line);
	EXPECT_STR(i, r->what, d->grub_default, r->grub_default);
}

static void t_grub_defaults(void **state)
{
	(void)state;
	static const struct defaults_row rows[] = {
		{ "debian default",
		  BUF("# If you change this file, run 'update-grub' afterwards to update\n"
		      "# /boot/grub/grub.cfg.\n"
		      "GRUB_DEFAULT=0\n"
		      "GRUB_TIMEOUT=5\n"
		      "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
		      "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
		      "GRUB_CMDLINE_LINUX=\"\"\n"
		      "#GRUB_DISABLE_LINUX_UUID=true\n"),
		  "", 7, "quiet", 6, false, 0, "0" },
		{ "single quotes, export, inline comment",
		  BUF("export GRUB_CMDLINE_LINUX='console=ttyS0,115200 root=/dev/sda1'\n"
		      "GRUB_DEFAULT=saved   # remember the last choice\n"
		      "  GRUB_DISABLE_LINUX_UUID=true\n"),
		  "console=ttyS0,115200 root=/dev/sda1", 1, NULL, 0, true, 3, "saved" },
		{ "variables",
		  BUF("ROOTDEV=/dev/sda1\n"
		      "EXTRA='a b'\n"
		      "GRUB_CMDLINE_LINUX=\"root=$ROOTDEV ${EXTRA} ${UNSET}x $\"\n"
		      "GRUB_CMDLINE_LINUX_DEFAULT='$ROOTDEV'\n"),
		  "root=/dev/sda1 a b x $", 3, "$ROOTDEV", 4, false, 0, NULL },
		{ "self-reference appends",
		  BUF("GRUB_CMDLINE_LINUX=\"a\"\nGRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX b\"\n"),
		  "a b", 2, NULL, 0, false, 0, NULL },
		{ "backslashes in double quotes",
		  BUF("GRUB_CMDLINE_LINUX=\"a\\tb \\\"q\\\" \\$x \\\\ \\`\"\n"),
		  "a\\tb \"q\" $x \\ `", 1, NULL, 0, false, 0, NULL },
		{ "backslashes outside quotes",
		  BUF("GRUB_CMDLINE_LINUX=a\\ b\\$c\n"),
		  "a b$c", 1, NULL, 0, false, 0, NULL },
		{ "not assignments",
		  BUF("GRUB CMDLINE=\"x\"\n"
		      "GRUB_CMDLINE_LINUX=a b\n"
		      "GRUB-CMDLINE_LINUX=x\n"
		      "=x\n"
		      "echo GRUB_CMDLINE_LINUX=x\n"
		      "GRUB_CMDLINE_LINUX+=\" more\"\n"),
		  NULL, 0, NULL, 0, false, 0, NULL },
		{ "empty values",
		  BUF("GRUB_CMDLINE_LINUX=\nGRUB_CMDLINE_LINUX_DEFAULT=''\nGRUB_DISABLE_LINUX_UUID=\"false\"\n"),
		  "", 1, "", 2, false, 3, NULL },
		{ "a quoted value over several lines",
		  BUF("GRUB_CMDLINE_LINUX=\"console=tty0\n"
		      "  root=/dev/sda1\"\n"
		      "GRUB_DEFAULT=1\n"),
		  "console=tty0\n  root=/dev/sda1", 1, NULL, 0, false, 0, "1" },
		{ "backslash continuation, inside and outside quotes",
		  BUF("GRUB_CMDLINE_LINUX=\"a \\\n"
		      "b\"\n"
		      "GRUB_CMDLINE_LINUX_DEFAULT=quiet\\\n"
		      "splash\n"
		      "GRUB_DEFAULT=2\n"),
		  "a b", 1, "quietsplash", 3, false, 0, "2" },
		{ "an even number of backslashes is no continuation",
		  BUF("GRUB_CMDLINE_LINUX=a\\\\\nGRUB_DEFAULT=3\n"), "a\\", 1, NULL, 0, false, 0, "3" },
		{ "a quote left open costs only its own line",
		  BUF("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n"
		      "GRUB_CMDLINE_LINUX=\"root=UUID=abc\"\n"
		      "GRUB_DEFAULT=4\n"),
		  "root=UUID=abc", 2, NULL, 0, false, 0, "4" },
		{ "a quote in a comment does not open anything",
		  BUF("GRUB_DEFAULT=0 # don't\nGRUB_CMDLINE_LINUX=\"x\"\n"), "x", 2, NULL, 0, false, 0, "0" },
		{ "CRLF",
		  BUF("GRUB_CMDLINE_LINUX=\"root=/dev/vda1\"\r\nGRUB_DISABLE_LINUX_UUID=true\r\n"),
		  "root=/dev/vda1", 1, NULL, 0, true, 2, NULL },
		{ "NUL bytes and garbage",
		  BUF("\xff\xfe=\x01\nGRUB_CMDLINE_LINUX=\"a\0b\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"ok\"\n\0\0\0"),
		  NULL, 0, "ok", 3, false, 0, NULL },
		{ "empty", BUF(""), NULL, 0, NULL, 0, false, 0, NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct grub_defaults d;
		memset(&d, 0, sizeof(d));
		grub_defaults_parse(rows[i].in.p, rows[i].in.n, &d);
		check_defaults(i, &rows[i], &d);
		grub_defaults_free(&d);
		assert_null(d.cmdline_linux);
	}
}

/* The caller parses /etc/default/grub, then each grub.d drop-in into the same struct. */
static void t_grub_defaults_dropin(void **state)
{
	(void)state;
	struct grub_defaults d;
	memset(&d, 0, sizeof(d));
	static const char main_file[] = "GRUB_CMDLINE_LINUX=\"root=/dev/sda1\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n";
	static const char dropin[] = "# cloud image\nGRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX console=ttyS0\"\n";
	static const char dropin2[] = "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} splash\"\n";
	grub_defaults_parse(main_file, sizeof(main_file) - 1, &d);
	d.cmdline_linux_line = d.cmdline_default_line = d.disable_uuid_line = 0;
	grub_defaults_parse(dropin, sizeof(dropin) - 1, &d);
	assert_string_equal(d.cmdline_linux, "root=/dev/sda1 console=ttyS0");
	assert_int_equal(d.cmdline_linux_line, 2);
	assert_string_equal(d.cmdline_default, "quiet");
	assert_int_equal(d.cmdline_default_line, 0);
	grub_defaults_parse(dropin2, sizeof(dropin2) - 1, &d);
	assert_string_equal(d.cmdline_default, "quiet splash");
	assert_int_equal(d.cmdline_default_line, 1);
	assert_string_equal(d.cmdline_linux, "root=/dev/sda1 console=ttyS0");
	grub_defaults_free(&d);
}

/* ---- boot entries ---- */

struct want_boot {
	unsigned line;
	int top, sub;
	const char *title, *id, *kernel, *initrd, *cmdline;
};

static void check_entry(size_t row, size_t k, const struct boot_entry *e, const struct want_boot *w)
{
	char what[64];
	snprintf(what, sizeof(what), "entry %zu", k);
	EXPECT_INT(row, what, e->line, w->line);
	EXPECT_INT(row, what, e->top, w->top);
	EXPECT_INT(row, what, e->sub, w->sub);
	EXPECT_STR(row, what, e->title, w->title);
	EXPECT_STR(row, what, e->id, w->id);
	EXPECT_STR(row, what, e->kernel, w->kernel);
	EXPECT_STR(row, what, e->initrd, w->initrd);
	EXPECT_STR(row, what, e->cmdline, w->cmdline);
}

static const char debian_cfg[] =
	"#\n"
	"# DO NOT EDIT THIS FILE\n"
	"#\n"
	"if [ -s $prefix/grubenv ]; then\n"
	"  set have_grubenv=true\n"
	"  load_env\n"
	"fi\n"
	"if [ \"${next_entry}\" ] ; then\n"
	"   set default=\"${next_entry}\"\n"
	"   set next_entry=\n"
	"   save_env next_entry\n"
	"   set boot_once=true\n"
	"else\n"
	"   set default=\"0\"\n"
	"fi\n"
	"\n"
	"if [ x\"${feature_menuentry_id}\" = xy ]; then\n"
	"  menuentry_id_option=\"--id\"\n"
	"else\n"
	"  menuentry_id_option=\"\"\n"
	"fi\n"
	"\n"
	"export menuentry_id_option\n"
	"\n"
	"function load_video {\n"
	"  if [ x$feature_all_video_module = xy ]; then\n"
	"    insmod all_video\n"
	"  else\n"
	"    insmod efi_gop\n"
	"  fi\n"
	"}\n"
	"### BEGIN /etc/grub.d/10_linux ###\n"
	"menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-simple-U1' {\n"
	"\tload_video\n"
	"\tinsmod gzio\n"
	"\tset root='hd0,msdos1'\n"
	"\techo\t'Loading Linux 6.1.0-18-amd64 ...'\n"
	"\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=U1 ro  quiet\n"
	"\techo\t'Loading initial ramdisk ...'\n"
	"\tinitrd\t/boot/initrd.img-6.1.0-18-amd64\n"
	"}\n"
	"submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-U1' {\n"
	"\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-18-amd64' --class debian $menuentry_id_option 'gnulinux-6.1.0-18-amd64-advanced-U1' {\n"
	"\t\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=U1 ro  quiet\n"
	"\t\tinitrd\t/boot/initrd.img-6.1.0-18-amd64\n"
	"\t}\n"
	"\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-18-amd64 (recovery mode)' --class debian $menuentry_id_option 'gnulinux-6.1.0-18-amd64-recovery-U1' {\n"
	"\t\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=U1 ro single\n"
	"\t\tinitrd\t/boot/initrd.img-6.1.0-18-amd64\n"
	"\t}\n"
	"\tmenuentry 'Debian GNU/Linux, with Linux 5.10.0-28-amd64' --class debian $menuentry_id_option 'gnulinux-5.10.0-28-amd64-advanced-U1' {\n"
	"\t\tlinux\t/boot/vmlinuz-5.10.0-28-amd64 root=/dev/sda1 ro  quiet\n"
	"\t\tinitrd\t/boot/intel-ucode.img /boot/initrd.img-5.10.0-28-amd64\n"
	"\t}\n"
	"}\n"
	"### END /etc/grub.d/10_linux ###\n"
	"menuentry 'Memory test (memtest86+)' {\n"
	"\tlinux16\t/boot/memtest86+.bin console=ttyS0\n"
	"}\n";

static const struct want_boot debian_entries[] = {
	{ 33, 0, -1, "Debian GNU/Linux", "gnulinux-simple-U1", "/boot/vmlinuz-6.1.0-18-amd64",
	  "/boot/initrd.img-6.1.0-18-amd64", "root=UUID=U1 ro quiet" },
	{ 43, 1, 0, "Debian GNU/Linux, with Linux 6.1.0-18-amd64", "gnulinux-6.1.0-18-amd64-advanced-U1",
	  "/boot/vmlinuz-6.1.0-18-amd64", "/boot/initrd.img-6.1.0-18-amd64", "root=UUID=U1 ro quiet" },
	{ 47, 1, 1, "Debian GNU/Linux, with Linux 6.1.0-18-amd64 (recovery mode)", "gnulinux-6.1.0-18-amd64-recovery-U1",
	  "/boot/vmlinuz-6.1.0-18-amd64", "/boot/initrd.img-6.1.0-18-amd64", "root=UUID=U1 ro single" },
	{ 51, 1, 2, "Debian GNU/Linux, with Linux 5.10.0-28-amd64", "gnulinux-5.10.0-28-amd64-advanced-U1",
	  "/boot/vmlinuz-5.10.0-28-amd64", "/boot/initrd.img-5.10.0-28-amd64", "root=/dev/sda1 ro quiet" },
	{ 57, 2, -1, "Memory test (memtest86+)", NULL, "/boot/memtest86+.bin", NULL, "console=ttyS0" },
};

static void t_grubcfg_debian(void **state)
{
	(void)state;
	struct boot_list l;
	memset(&l, 0, sizeof(l));
	grubcfg_parse("/boot/grub/grub.cfg", debian_cfg, sizeof(debian_cfg) - 1, NULL, &l);
	assert_int_equal(l.n, ARRAY_SIZE(debian_entries));
	for (size_t k = 0; k < l.n; k++) {
		check_entry(0, k, &l.v[k], &debian_entries[k]);
		assert_string_equal(l.v[k].source, "/boot/grub/grub.cfg");
		assert_false(l.v[k].is_default);
	}
	assert_false(l.uses_blscfg);
	assert_string_equal(l.default_spec, "0");
	assert_int_equal(l.notes.n, 0);
	boot_list_free(&l);

	/* With a one-time next_entry in grubenv the persistent default is still the else branch's. */
	struct strvec env = STRVEC_INIT;
	static const char grubenv[] = "# GRUB Environment Block\nnext_entry=2\n##########\n";
	grubenv_parse(grubenv, sizeof(grubenv) - 1, &env);
	memset(&l, 0, sizeof(l));
	grubcfg_parse("/boot/grub/grub.cfg", debian_cfg, sizeof(debian_cfg) - 1, &env, &l);
	assert_string_equal(l.default_spec, "0");
	boot_list_free(&l);
	strvec_clear(&env);
}

/* Which entry GRUB boots, for each way GRUB_DEFAULT / saved_entry can name it. */
static void t_mark_default(void **state)
{
	(void)state;
	static const struct {
		const char *spec, *saved;
		size_t want;
		size_t notes;
	} rows[] = {
		{ NULL, NULL, 0, 0 },
		{ "", NULL, 0, 0 },
		{ "0", NULL, 0, 0 },
		{ "1", NULL, 1, 0 }, /* a submenu: its first entry */
		{ "2", NULL, 4, 0 },
		{ "1>0", NULL, 1, 0 },
		{ "1>1", NULL, 2, 0 },
		{ "1>2", NULL, 3, 0 },
		{ "gnulinux-simple-U1", NULL, 0, 0 },
		{ "Memory test (memtest86+)", NULL, 4, 0 },
		{ "gnulinux-advanced-U1>gnulinux-5.10.0-28-amd64-advanced-U1", NULL, 3, 0 },
		{ "Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux 6.1.0-18-amd64 (recovery mode)", NULL,
		  2, 0 },
		{ "saved", "1>2", 3, 0 },
		{ "saved", "gnulinux-6.1.0-18-amd64-recovery-U1", 2, 0 },
		{ "saved", NULL, 0, 0 },
		{ "${saved_entry}", "2", 4, 0 },
		{ "$saved_entry", "gnulinux-simple-U1", 0, 0 },
		/* Names that match nothing: GRUB falls back to the first entry, and we say so. */
		{ "9", NULL, 0, 1 },
		{ "99999999999999999999999", NULL, 0, 1 },
		{ "1>9", NULL, 0, 1 },
		{ "no such entry", NULL, 0, 1 },
		{ "saved", "gone-entry", 0, 1 },
		{ ">", NULL, 0, 1 },
		{ "1>2>0", NULL, 0, 1 },
		{ "-1", NULL, 0, 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct boot_list l;
		memset(&l, 0, sizeof(l));
		grubcfg_parse("/boot/grub/grub.cfg", debian_cfg, sizeof(debian_cfg) - 1, NULL, &l);
		free(l.default_spec);
		l.default_spec = rows[i].spec ? xstrdup(rows[i].spec) : NULL;
		boot_list_mark_default(&l, rows[i].saved);
		size_t ndef = 0, which = 99;
		for (size_t k = 0; k < l.n; k++)
			if (l.v[k].is_default) {
				ndef++;
				which = k;
			}
		EXPECT_INT(i, rows[i].spec ? rows[i].spec : "(null)", ndef, 1);
		EXPECT_INT(i, rows[i].spec ? rows[i].spec : "(null)", which, rows[i].want);
		EXPECT_INT(i, rows[i].spec ? rows[i].spec : "(null)", l.notes.n, rows[i].notes);
		boot_list_free(&l);
	}

	/* Marking twice moves the mark; an empty list is left alone. */
	struct boot_list l;
	memset(&l, 0, sizeof(l));
	grubcfg_parse("/boot/grub/grub.cfg", debian_cfg, sizeof(debian_cfg) - 1, NULL, &l);
	boot_list_mark_default(&l, NULL);
	assert_true(l.v[0].is_default);
	free(l.default_spec);
	l.default_spec = xstrdup("2");
	boot_list_mark_default(&l, NULL);
	assert_false(l.v[0].is_default);
	assert_true(l.v[4].is_default);
	boot_list_free(&l);
	memset(&l, 0, sizeof(l));
	l.default_spec = xstrdup("3");
	boot_list_mark_default(&l, NULL);
	assert_int_equal(l.n, 0);
	boot_list_free(&l);
}

struct cfg_row {
	const char *what;
	struct buf in;
	size_t n;
	struct want_boot e[4];
	const char *default_spec;
	bool blscfg;
	const char *notes;
};

static void t_grubcfg_table(void **state)
{
	(void)state;
	static const struct cfg_row rows[] = {
		{ "ids: --id VALUE, --id=VALUE, a bare --id; initrd16; set default inside an entry is local",
		  BUF("set default=\"b\"\n"
		      "menuentry 'A' --id a {\n"
		      "  set default=\"x\"\n"
		      "  linux16 /vmlinuz-a root=/dev/hda1\n"
		      "  initrd16 /initrd-a.img\n"
		      "}\n"
		      "menuentry \"B\" --id=b --class x {\n"
		      "  linuxefi /vmlinuz-b root=LABEL=root\n"
		      "  initrdefi /initramfs-b.img\n"
		      "}\n"
		      "menuentry 'C' --id {\n"
		      "}\n"),
		  3,
		  { { 2, 0, -1, "A", "a", "/vmlinuz-a", "/initrd-a.img", "root=/dev/hda1" },
		    { 7, 1, -1, "B", "b", "/vmlinuz-b", "/initramfs-b.img", "root=LABEL=root" },
		    { 11, 2, -1, "C", NULL, NULL, NULL, NULL } },
		  "b", false, "" },
		{ "RHEL-style: blscfg, default from grubenv's saved_entry",
		  BUF("set pager=1\n"
		      "if [ -f ${config_directory}/grubenv ]; then\n"
		      "  load_env -f ${config_directory}/grubenv\n"
		      "elif [ -s $prefix/grubenv ]; then\n"
		      "  load_env\n"
		      "fi\n"
		      "if [ \"${next_entry}\" ] ; then\n"
		      "   set default=\"${next_entry}\"\n"
		      "   set next_entry=\n"
		      "   save_env next_entry\n"
		      "   set boot_once=true\n"
		      "else\n"
		      "   set default=\"${saved_entry}\"\n"
		      "fi\n"
		      "insmod blscfg\n"
		      "blscfg\n"),
		  0, { { 0, 0, 0, NULL, NULL, NULL, NULL, NULL } }, "abc-5.14.0-362.el9.x86_64", true, "" },
		{ "variables in linux lines come from set and from grubenv",
		  BUF("set kopts=\"ro quiet\"\n"
		      "menuentry 'X' {\n"
		      "  set root='hd0,msdos1'\n"
		      "  linux ($root)/vmlinuz $kernelopts ${kopts} \"$nothing\"\n"
		      "}\n"),
		  1, { { 2, 0, -1, "X", NULL, "(hd0,msdos1)/vmlinuz", NULL,
			 "root=/dev/mapper/rl-root ro resume=/dev/sda2 ro quiet " } },
		  NULL, false, "" },
		{ "unterminated quotes: a note, and the rest of the file still parses",
		  BUF("menuentry 'ok' {\n"
		      "  linux /vmlinuz-ok root=UUID=a\n"
		      "}\n"
		      "menuentry 'broken {\n"
		      "  linux /vmlinuz-b root=/dev/sda1\n"
		      "}\n"
		      "menuentry \"ok2\" {\n"
		      "  linux /vmlinuz-c root=UUID=c \"unterminated\n"
		      "  linux /vmlinuz-c2 root=UUID=c2\n"
		      "}\n"),
		  2,
		  { { 1, 0, -1, "ok", NULL, "/vmlinuz-ok", NULL, "root=UUID=a" },
		    { 7, 1, -1, "ok2", NULL, "/vmlinuz-c2", NULL, "root=UUID=c2" } },
		  NULL, false, "/boot/grub/grub.cfg:4: unterminated quote|/boot/grub/grub.cfg:8: unterminated quote" },
		{ "a quoted title over two lines, as GRUB's lexer allows",
		  BUF("menuentry 'multi\n"
		      "line' --id m {\n"
		      "  linux /vmlinuz-m root=UUID=m\n"
		      "}\n"
		      "menuentry 'next' {\n"
		      "  linux /vmlinuz-n \\\n"
		      "     root=UUID=n\n"
		      "}\n"),
		  2,
		  { { 1, 0, -1, "multi\nline", "m", "/vmlinuz-m", NULL, "root=UUID=m" },
		    { 5, 1, -1, "next", NULL, "/vmlinuz-n", NULL, "root=UUID=n" } },
		  NULL, false, "" },
		{ "lines outside entries, stray braces, commands without arguments",
		  BUF("linux /vmlinuz-orphan root=/dev/sda9\n"
		      "}\n}\n"
		      "menuentry\n"
		      "set\n"
		      "set novalue\n"
		      "menuentry 'Z' {\n"
		      "  linux\n"
		      "  initrd\n"
		      "}\n"
		      "initrd /orphan.img\n"),
		  1, { { 7, 0, -1, "Z", NULL, NULL, NULL, NULL } }, NULL, false, "" },
		{ "CRLF, comments after words",
		  BUF("set default=1 # second\r\nmenuentry 'W' { # entry\r\n  linux /vmlinuz-w ro # quiet\r\n}\r\n"),
		  1, { { 2, 0, -1, "W", NULL, "/vmlinuz-w", NULL, "ro" } }, "1", false, "" },
	};
	struct strvec env = STRVEC_INIT;
	static const char grubenv[] = "# GRUB Environment Block\n"
				      "saved_entry=abc-5.14.0-362.el9.x86_64\n"
				      "kernelopts=root=/dev/mapper/rl-root ro resume=/dev/sda2\n"
				      "boot_success=0\n"
				      "#######################################\n";
	grubenv_parse(grubenv, sizeof(grubenv) - 1, &env);
	EXPECT_LIST(0, "grubenv", &env,
		    "saved_entry=abc-5.14.0-362.el9.x86_64|kernelopts=root=/dev/mapper/rl-root ro resume=/dev/sda2|"
		    "boot_success=0");
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct cfg_row *r = &rows[i];
		struct boot_list l;
		memset(&l, 0, sizeof(l));
		grubcfg_parse("/boot/grub/grub.cfg", r->in.p, r->in.n, &env, &l);
		EXPECT_INT(i, r->what, l.n, r->n);
		for (size_t k = 0; k < l.n && k < 4; k++)
			check_entry(i, k, &l.v[k], &r->e[k]);
		EXPECT_STR(i, r->what, l.default_spec, r->default_spec);
		EXPECT_INT(i, r->what, l.uses_blscfg, r->blscfg);
		EXPECT_LIST(i, r->what, &l.notes, r->notes);
		boot_list_free(&l);
	}
	strvec_clear(&env);
}

/* ---- BLS ---- */

static void t_bls(void **state)
{
	(void)state;
	struct strvec env = STRVEC_INIT;
	static const char grubenv[] = "saved_entry=abc-5.14.0-362.el9.x86_64\n"
				      "kernelopts=root=/dev/mapper/rl-root ro crashkernel=auto\n"
				      "tuned_params=\n";
	grubenv_parse(grubenv, sizeof(grubenv) - 1, &env);

	static const struct {
		const char *file;
		struct buf in;
		struct want_boot want;
	} rows[] = {
		{ "/boot/loader/entries/abc-5.14.0-362.el9.x86_64.conf",
		  BUF("title Rocky Linux (5.14.0-362.el9.x86_64) 9.3 (Blue Onyx)\n"
		      "version 5.14.0-362.el9.x86_64\n"
		      "linux /vmlinuz-5.14.0-362.el9.x86_64\n"
		      "initrd /initramfs-5.14.0-362.el9.x86_64.img $tuned_initrd\n"
		      "options $kernelopts $tuned_params\n"
		      "grub_users $grub_users\n"
		      "grub_arg --unrestricted\n"
		      "grub_class rocky\n"),
		  { 1, 1, -1, "Rocky Linux (5.14.0-362.el9.x86_64) 9.3 (Blue Onyx)", "abc-5.14.0-362.el9.x86_64",
		    "/vmlinuz-5.14.0-362.el9.x86_64", "/initramfs-5.14.0-362.el9.x86_64.img",
		    "root=/dev/mapper/rl-root ro crashkernel=auto " } },
		{ "/boot/loader/entries/fedora.conf",
		  BUF("# comment\r\n\r\n  title\tFedora  \r\nlinux /vmlinuz\r\ninitrd /intel-ucode.img /initramfs.img\r\n"
		      "options root=UUID=f ro\r\noptions ${kernelopts}quiet\r\n"),
		  { 1, 2, -1, "Fedora", "fedora", "/vmlinuz", "/initramfs.img",
		    "root=UUID=f ro root=/dev/mapper/rl-root ro crashkernel=autoquiet" } },
		{ "no-title.conf", BUF("linux /vmlinuz-x\n"), { 1, 3, -1, "no-title", "no-title", "/vmlinuz-x", NULL, NULL } },
		{ "/boot/loader/entries/odd", BUF("options $\n"), { 1, 4, -1, "odd", "odd", NULL, NULL, "$" } },
		{ "/x/garbage.conf", BUF("\xff\xfe\0title hidden\ninitrd\n\x01 \x02\n"),
		  { 1, 5, -1, "garbage", "garbage", NULL, NULL, NULL } },
	};
	struct boot_list l;
	memset(&l, 0, sizeof(l));
	/* Entries are appended after whatever grub.cfg itself had. */
	static const char cfg[] = "menuentry 'UEFI Firmware Settings' { fwsetup }\nblscfg\n";
	grubcfg_parse("/boot/grub2/grub.cfg", cfg, sizeof(cfg) - 1, &env, &l);
	assert_true(l.uses_blscfg);
	assert_int_equal(l.n, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		bls_parse(rows[i].file, rows[i].in.p, rows[i].in.n, &env, &l);
		assert_int_equal(l.n, i + 2);
		check_entry(i, i + 1, &l.v[i + 1], &rows[i].want);
		assert_string_equal(l.v[i + 1].source, rows[i].file);
	}
	free(l.default_spec);
	l.default_spec = xstrdup("saved");
	boot_list_mark_default(&l, "fedora");
	assert_true(l.v[2].is_default);
	boot_list_free(&l);
	strvec_clear(&env);
}

static void t_grubenv(void **state)
{
	(void)state;
	static const struct {
		struct buf in;
		const char *want;
	} rows[] = {
		{ BUF(""), "" },
		{ BUF("# GRUB Environment Block\nsaved_entry=0\n#################\n"), "saved_entry=0" },
		{ BUF("a=1\r\nb=x=y\nnoequals\n=lead\n"), "a=1|b=x=y|=lead" },
		{ BUF("a=1\0b=2\nc=3"), "a=1|c=3" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct strvec env = STRVEC_INIT;
		grubenv_parse(rows[i].in.p, rows[i].in.n, &env);
		EXPECT_LIST(i, "grubenv", &env, rows[i].want);
		strvec_clear(&env);
	}
}

/* ---- GRUB legacy ---- */

static void t_menulst(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		struct buf in;
		size_t n;
		struct want_boot e[3];
		const char *default_spec;
		size_t want_default;
	} rows[] = {
		{ "centos 6",
		  BUF("# grub.conf generated by anaconda\n"
		      "default=1\n"
		      "timeout=5\n"
		      "splashimage=(hd0,0)/grub/splash.xpm.gz\n"
		      "hiddenmenu\n"
		      "title CentOS (2.6.32-754.el6.x86_64)\n"
		      "\troot (hd0,0)\n"
		      "\tkernel /vmlinuz-2.6.32-754.el6.x86_64 ro root=/dev/mapper/vg-lv_root rd_LVM_LV=vg/lv_root rhgb quiet\n"
		      "\tinitrd /initramfs-2.6.32-754.el6.x86_64.img\n"
		      "title CentOS (2.6.32-573.el6.x86_64)\n"
		      "\troot (hd0,0)\n"
		      "\tkernel /vmlinuz-2.6.32-573.el6.x86_64 ro root=/dev/sda2\n"
		      "\tinitrd /initramfs-2.6.32-573.el6.x86_64.img\n"),
		  2,
		  { { 6, 0, -1, "CentOS (2.6.32-754.el6.x86_64)", NULL, "/vmlinuz-2.6.32-754.el6.x86_64",
		      "/initramfs-2.6.32-754.el6.x86_64.img", "ro root=/dev/mapper/vg-lv_root rd_LVM_LV=vg/lv_root rhgb quiet" },
		    { 10, 1, -1, "CentOS (2.6.32-573.el6.x86_64)", NULL, "/vmlinuz-2.6.32-573.el6.x86_64",
		      "/initramfs-2.6.32-573.el6.x86_64.img", "ro root=/dev/sda2" } },
		  "1", 1 },
		{ "default with a space, inside an entry it is ignored, kernel without arguments",
		  BUF("default 0\r\ntitle A\r\nkernel /vmlinuz-a\r\ndefault 1\r\ntitle B\r\nkernel=/vmlinuz-b  root=LABEL=b \r\n"),
		  2,
		  { { 2, 0, -1, "A", NULL, "/vmlinuz-a", NULL, "" },
		    { 5, 1, -1, "B", NULL, "/vmlinuz-b", NULL, "root=LABEL=b" } },
		  "0", 0 },
		{ "default saved, no saved entry: the first",
		  BUF("default saved\ntitle A\ntitle B\n"), 2,
		  { { 2, 0, -1, "A", NULL, NULL, NULL, NULL }, { 3, 1, -1, "B", NULL, NULL, NULL, NULL } }, "saved", 0 },
		{ "lines before any title, garbage",
		  BUF("kernel /vmlinuz-orphan\ninitrd /orphan\n\xff\xfe\n\0\ntitle\n"), 1,
		  { { 5, 0, -1, "", NULL, NULL, NULL, NULL } }, NULL, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct boot_list l;
		memset(&l, 0, sizeof(l));
		menulst_parse("/boot/grub/menu.lst", rows[i].in.p, rows[i].in.n, &l);
		EXPECT_INT(i, rows[i].what, l.n, rows[i].n);
		for (size_t k = 0; k < l.n && k < 3; k++)
			check_entry(i, k, &l.v[k], &rows[i].e[k]);
		EXPECT_STR(i, rows[i].what, l.default_spec, rows[i].default_spec);
		boot_list_mark_default(&l, NULL);
		EXPECT_INT(i, rows[i].what, l.v[rows[i].want_default].is_default, true);
		boot_list_free(&l);
	}
}

/* ---- extlinux / syslinux ---- */

static void t_extlinux(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		struct buf in;
		size_t n;
		struct want_boot e[3];
		const char *default_spec;
		size_t want_default;
	} rows[] = {
		{ "menu.c32 with MENU DEFAULT, global APPEND, APPEND -, initrd= lists",
		  BUF("UI menu.c32\n"
		      "DEFAULT menu.c32\n"
		      "PROMPT 0\n"
		      "TIMEOUT 50\n"
		      "APPEND console=ttyS0\n"
		      "MENU TITLE Boot menu\n"
		      "LABEL linux\n"
		      "    MENU LABEL Debian GNU/Linux\n"
		      "    KERNEL /boot/vmlinuz\n"
		      "    APPEND root=/dev/sda1 ro initrd=/boot/ucode.img,/boot/initrd.img quiet\n"
		      "LABEL rescue\n"
		      "    MENU DEFAULT\n"
		      "    LINUX /boot/vmlinuz-rescue\n"
		      "    INITRD /boot/initrd-rescue.img\n"
		      "LABEL plain\n"
		      "    KERNEL /boot/vmlinuz-plain\n"
		      "    APPEND -\n"),
		  3,
		  { { 7, 0, -1, "Debian GNU/Linux", "linux", "/boot/vmlinuz", "/boot/initrd.img",
		      "root=/dev/sda1 ro initrd=/boot/ucode.img,/boot/initrd.img quiet" },
		    { 11, 1, -1, "rescue", "rescue", "/boot/vmlinuz-rescue", "/boot/initrd-rescue.img", "console=ttyS0" },
		    { 15, 2, -1, "plain", "plain", "/boot/vmlinuz-plain", NULL, "" } },
		  "rescue", 1 },
		{ "DEFAULT after the labels, with options, lower case keywords",
		  BUF("label one\n  kernel /vmlinuz-1\n  append root=UUID=1\n"
		      "label two\n  linux /vmlinuz-2\n  append root=UUID=2 initrd=/initrd-2.img\n"
		      "default two single\n"),
		  2,
		  { { 1, 0, -1, "one", "one", "/vmlinuz-1", NULL, "root=UUID=1" },
		    { 4, 1, -1, "two", "two", "/vmlinuz-2", "/initrd-2.img", "root=UUID=2 initrd=/initrd-2.img" } },
		  "two", 1 },
		{ "DEFAULT names a label: it wins over MENU DEFAULT",
		  BUF("DEFAULT b\nLABEL a\nMENU DEFAULT\nKERNEL /a\nLABEL b\nKERNEL /b\n"), 2,
		  { { 2, 0, -1, "a", "a", "/a", NULL, NULL }, { 5, 1, -1, "b", "b", "/b", NULL, NULL } }, "b", 1 },
		{ "a global APPEND after the first LABEL belongs to that label; an orphan INITRD is ignored",
		  BUF("INITRD /orphan.img\nLABEL a\nKERNEL /a\nAPPEND root=/dev/vda1\nLABEL b\nKERNEL /b\n"), 2,
		  { { 2, 0, -1, "a", "a", "/a", NULL, "root=/dev/vda1" }, { 5, 1, -1, "b", "b", "/b", NULL, NULL } }, NULL,
		  0 },
		{ "garbage and NULs",
		  BUF("\xff\xfe\n\0LABEL hidden\nLABEL \x01\nAPPEND \x02 initrd=\nMENU\nMENU LABEL\n"), 1,
		  { { 3, 0, -1, "\x01", "\x01", NULL, NULL, "\x02 initrd=" } }, NULL, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct boot_list l;
		memset(&l, 0, sizeof(l));
		extlinux_parse("/boot/extlinux/extlinux.conf", rows[i].in.p, rows[i].in.n, &l);
		EXPECT_INT(i, rows[i].what, l.n, rows[i].n);
		for (size_t k = 0; k < l.n && k < 3; k++)
			check_entry(i, k, &l.v[k], &rows[i].e[k]);
		EXPECT_STR(i, rows[i].what, l.default_spec, rows[i].default_spec);
		boot_list_mark_default(&l, NULL);
		EXPECT_INT(i, rows[i].what, l.v[rows[i].want_default].is_default, true);
		EXPECT_INT(i, rows[i].what, l.notes.n, 0);
		boot_list_free(&l);
	}
}

/* ---- hostile input: size limits, nesting, random bytes ---- */

static void t_limits(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct boot_list l;

	/* More entries than the parser keeps. */
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "menuentry 'e%d' {\n linux /vmlinuz-%d\n}\n", i, i);
	memset(&l, 0, sizeof(l));
	grubcfg_parse("g", sb.buf, sb.len, NULL, &l);
	assert_int_equal(l.n, 4096);
	assert_string_equal(l.v[4095].kernel, "/vmlinuz-4095");
	boot_list_free(&l);

	/* Deeper nesting than the brace stack. */
	strbuf_reset(&sb);
	for (int i = 0; i < 100; i++)
		strbuf_addstr(&sb, "submenu 's' {\nif true {\n");
	strbuf_addstr(&sb, "menuentry 'deep' {\nlinux /vmlinuz-deep\n}\n");
	for (int i = 0; i < 300; i++)
		strbuf_addstr(&sb, "}\n");
	strbuf_addstr(&sb, "menuentry 'after' {\nlinux /vmlinuz-after\n}\n");
	memset(&l, 0, sizeof(l));
	grubcfg_parse("g", sb.buf, sb.len, NULL, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].kernel, "/vmlinuz-deep");
	assert_string_equal(l.v[1].kernel, "/vmlinuz-after");
	assert_int_equal(l.v[1].sub, -1);
	boot_list_free(&l);

	/* Each line opens a quote the next one closes: "'x\nmenuentry 'x" is one title. */
	strbuf_reset(&sb);
	for (int i = 0; i < 20000; i++)
		strbuf_addstr(&sb, "menuentry 'x\n");
	memset(&l, 0, sizeof(l));
	grubcfg_parse("g", sb.buf, sb.len, NULL, &l);
	assert_int_equal(l.n, 4096);
	assert_string_equal(l.v[0].title, "x\nmenuentry x");
	assert_int_equal(l.notes.n, 0);
	boot_list_free(&l);
	/* Every line continues into the next, for ever: each costs a note, and the work stays bounded. */
	strbuf_reset(&sb);
	for (int i = 0; i < 20000; i++)
		strbuf_addstr(&sb, "menuentry 'y' \\\n");
	memset(&l, 0, sizeof(l));
	grubcfg_parse("g", sb.buf, sb.len, NULL, &l);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.notes.n, 20000);
	assert_string_equal(l.notes.v[19999], "g:20000: unterminated quote");
	boot_list_free(&l);

	/* A variable that refers to itself grows, but only once per assignment. */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "GRUB_CMDLINE_LINUX=x\n");
	for (int i = 0; i < 12; i++)
		strbuf_addstr(&sb, "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX$GRUB_CMDLINE_LINUX\"\n");
	struct grub_defaults d;
	memset(&d, 0, sizeof(d));
	grub_defaults_parse(sb.buf, sb.len, &d);
	assert_int_equal(strlen(d.cmdline_linux), 4096);
	grub_defaults_free(&d);
	strbuf_release(&sb);
}

/* A fixed-seed generator, so that a failure can be replayed. */
static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void t_random_input(void **state)
{
	(void)state;
	static const char *const tokens[] = {
		"menuentry ", "submenu ", "linux ", "initrd ", "set ", "default=", "{", "}", "'", "\"", "\\", "$", "${",
		"}", "\n", "\r\n", " ", "\t", "#", "=", ">", "title ", "LABEL ", "APPEND ", "initrd=", ",", "MENU DEFAULT\n",
		"DEFAULT ", "kernel ", "options ", "$kernelopts", "GRUB_CMDLINE_LINUX=", "export ", "blscfg\n", "0", "1>2",
		"--id", "--id=", "saved",
	};
	uint32_t seed = 12345;
	struct strbuf sb = STRBUF_INIT;
	struct strvec env = STRVEC_INIT;
	strvec_push(&env, "kernelopts=root=/dev/sda1");
	strvec_push(&env, "saved_entry=1>2");
	for (int round = 0; round < 3000; round++) {
		strbuf_reset(&sb);
		int n = (int)(rnd(&seed) % 200);
		for (int k = 0; k < n; k++) {
			uint32_t r = rnd(&seed);
			if (r % 4 == 0)
				strbuf_addch(&sb, (char)(rnd(&seed) & 0xff));
			else
				strbuf_addstr(&sb, tokens[r % ARRAY_SIZE(tokens)]);
		}
		struct boot_list l;
		memset(&l, 0, sizeof(l));
		grubcfg_parse("g", sb.buf, sb.len, &env, &l);
		bls_parse("b.conf", sb.buf, sb.len, &env, &l);
		menulst_parse("m", sb.buf, sb.len, &l);
		extlinux_parse("e", sb.buf, sb.len, &l);
		boot_list_mark_default(&l, "1>2");
		size_t ndef = 0;
		for (size_t k = 0; k < l.n; k++)
			ndef += l.v[k].is_default;
		assert_int_equal(ndef, l.n ? 1 : 0);
		boot_list_free(&l);
		struct grub_defaults d;
		memset(&d, 0, sizeof(d));
		grub_defaults_parse(sb.buf, sb.len, &d);
		grub_defaults_free(&d);
		struct strvec e2 = STRVEC_INIT;
		grubenv_parse(sb.buf, sb.len, &e2);
		strvec_clear(&e2);
	}
	strvec_clear(&env);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_grub_defaults), cmocka_unit_test(t_grub_defaults_dropin),
		cmocka_unit_test(t_grubcfg_debian), cmocka_unit_test(t_mark_default),
		cmocka_unit_test(t_grubcfg_table), cmocka_unit_test(t_bls),
		cmocka_unit_test(t_grubenv),       cmocka_unit_test(t_menulst),
		cmocka_unit_test(t_extlinux),      cmocka_unit_test(t_limits),
		cmocka_unit_test(t_random_input),
	};
	return cmocka_run_group_tests_name("bootcfg", tests, NULL, NULL);
}
