/* Unit tests: the line iterator, os-release and legacy release files, supported lists, ELF arch. */
#include <stdlib.h>

#include "unit.h"

#include "facts.h"
#include "parse.h"
#include "banned.h"

static void os_clear(struct os_facts *o)
{
	free(o->id);
	free(o->id_like);
	free(o->version_id);
	free(o->pretty_name);
	free(o->name);
	free(o->variant_id);
	free(o->arch);
	free(o->arch_source);
	memset(o, 0, sizeof(*o));
}

/* ---- line_iter ---- */

static void t_line_iter(void **state)
{
	(void)state;
	static const struct {
		struct buf in;
		const char *lines; /* joined with '|' */
		unsigned count;
	} rows[] = {
		{ BUF(""), "", 0 },
		{ BUF("a"), "a", 1 },
		{ BUF("a\n"), "a", 1 },
		{ BUF("a\nb"), "a|b", 2 },
		{ BUF("a\r\nb\r\n"), "a|b", 2 },
		{ BUF("\n\n"), "|", 2 },
		{ BUF("\r\n"), "", 1 },
		{ BUF("a\r"), "a", 1 },
		{ BUF("a\rb\n"), "a\rb", 1 },        /* only a CR right before the LF goes */
		{ BUF("a\0b\nc"), "a|c", 2 },        /* a line stops at a NUL byte */
		{ BUF("\0\0\0\n\0"), "|", 2 },
		{ BUF("x\r\r\n"), "x\r", 1 },
		{ BUF("\xff\xfe\n\x01"), "\xff\xfe|\x01", 2 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct line_iter it;
		struct strvec got = STRVEC_INIT;
		unsigned last = 0;
		line_iter_init(&it, rows[i].in.p, rows[i].in.n);
		while (line_iter_next(&it)) {
			strvec_push(&got, it.line);
			EXPECT_INT(i, "line numbers count up", it.lineno, last + 1);
			last = it.lineno;
		}
		/* Past the end it stays at the end. */
		assert_false(line_iter_next(&it));
		line_iter_done(&it);
		EXPECT_INT(i, "line count", got.n, rows[i].count);
		if (rows[i].count)
			EXPECT_LIST(i, "lines", &got, rows[i].lines);
		strvec_clear(&got);
	}
}

/* ---- shell_unquote ---- */

static void t_shell_unquote(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want; /* want NULL: malformed */
	} rows[] = {
		{ "", "" },
		{ "abc", "abc" },
		{ "\"a b\"", "a b" },
		{ "'a b'", "a b" },
		{ "\"\"", "" },
		{ "''", "" },
		{ "\"a\\\"b\"", "a\"b" },
		{ "\"a\\\\\"", "a\\" },
		{ "\"a\\$b\"", "a$b" },
		{ "\"a\\`b\"", "a`b" },
		{ "\"a\\nb\"", "a\\nb" },      /* in double quotes, \n is two characters */
		{ "'a\\b'", "a\\b" },           /* no escapes in single quotes */
		{ "'it'\\''s'", "it's" },
		{ "a\\ b", "a b" },
		{ "\"x\"y'z'", "xyz" },
		{ "\"$HOME\"", "$HOME" },       /* no expansion */
		{ "a # comment", "a" },
		{ "\"a b\"   # comment", "a b" },
		{ "a#b", "a#b" },
		{ "a   ", "a" },
		{ "\"unterminated", NULL },
		{ "'unterminated", NULL },
		{ "\"a\\\"", NULL },
		{ "trail\\", NULL },
		{ "a b", NULL },
		{ "\"a\" b", NULL },
		{ "\xff\xfe", "\xff\xfe" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = shell_unquote(rows[i].in);
		EXPECT_STR(i, rows[i].in, got, rows[i].want);
		free(got);
	}
}

/* ---- os-release ---- */

struct osr_row {
	struct buf in;
	int known;
	const char *id, *id_like, *version_id, *pretty_name, *name, *variant_id;
};

static void check_os_row(size_t i, const struct osr_row *r, const struct os_facts *o, int known)
{
	EXPECT_INT(i, "keys", known, r->known);
	EXPECT_STR(i, "ID", o->id, r->id);
	EXPECT_STR(i, "ID_LIKE", o->id_like, r->id_like);
	EXPECT_STR(i, "VERSION_ID", o->version_id, r->version_id);
	EXPECT_STR(i, "PRETTY_NAME", o->pretty_name, r->pretty_name);
	EXPECT_STR(i, "NAME", o->name, r->name);
	EXPECT_STR(i, "VARIANT_ID", o->variant_id, r->variant_id);
}

static void t_osrelease_parse(void **state)
{
	(void)state;
	static const struct osr_row rows[] = {
		{ BUF("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
		      "NAME=\"Debian GNU/Linux\"\n"
		      "VERSION_ID=\"12\"\n"
		      "VERSION=\"12 (bookworm)\"\n"
		      "VERSION_CODENAME=bookworm\n"
		      "ID=debian\n"
		      "HOME_URL=\"https://www.debian.org/\"\n"),
		  4, "debian", NULL, "12", "Debian GNU/Linux 12 (bookworm)", "Debian GNU/Linux", NULL },
		{ BUF("NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n"
		      "VERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n"),
		  5, "centos", "rhel fedora", "7", "CentOS Linux 7 (Core)", "CentOS Linux", NULL },
		{ BUF("NAME=Fedora\nID=fedora\nVERSION_ID=39\nVARIANT_ID=cloud\n"),
		  4, "fedora", NULL, "39", NULL, "Fedora", "cloud" },
		/* IDs are compared lower-case. */
		{ BUF("ID=Ubuntu\n"), 1, "ubuntu", NULL, NULL, NULL, NULL, NULL },
		/* Comments, blank lines, indentation, CRLF, trailing blanks. */
		{ BUF("# a comment\r\n\r\n   ID=rocky  \r\n\tVERSION_ID='9.3'\r\n#ID=evil\r\n"),
		  2, "rocky", NULL, "9.3", NULL, NULL, NULL },
		/* The last assignment wins. */
		{ BUF("ID=debian\nID=ubuntu\n"), 2, "ubuntu", NULL, NULL, NULL, NULL, NULL },
		/* Malformed lines are skipped, the rest still count. */
		{ BUF("garbage line\n=novalue\nID=\"unterminated\nNAME=two words\nID=sles\nVERSION_ID=\"15.5\"\n"),
		  2, "sles", NULL, "15.5", NULL, NULL, NULL },
		/* Keys are case-sensitive and exact: no "export", no spaces around '='. */
		{ BUF("id=debian\nexport ID=debian\nID =debian\nIDX=debian\n"), 0, NULL, NULL, NULL, NULL, NULL, NULL },
		/* A NUL byte ends its line: what follows it on that line is not read. */
		{ BUF("ID=debian\0ID=evil\nVERSION_ID=12\n"), 2, "debian", NULL, "12", NULL, NULL, NULL },
		/* Binary garbage does not stop the parser. */
		{ BUF("\x7f" "ELF\x02\x01\x01\x00\xff\xfe\n\x80\x81=\x82\nID=opensuse-leap\n"),
		  1, "opensuse-leap", NULL, NULL, NULL, NULL, NULL },
		/* Escapes inside double quotes. */
		{ BUF("PRETTY_NAME=\"My \\\"quoted\\\" \\$OS\"\n"), 1, NULL, NULL, NULL, "My \"quoted\" $OS", NULL, NULL },
		{ BUF(""), 0, NULL, NULL, NULL, NULL, NULL, NULL },
		{ BUF("\n\n\n"), 0, NULL, NULL, NULL, NULL, NULL, NULL },
		{ BUF("ID="), 1, "", NULL, NULL, NULL, NULL, NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct os_facts o;
		memset(&o, 0, sizeof(o));
		int known = osrelease_parse(rows[i].in.p, rows[i].in.n, &o);
		check_os_row(i, &rows[i], &o, known);
		os_clear(&o);
	}
}

/* A very long value and a very long file: no limit is hit, nothing is cut. */
static void t_osrelease_long(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "PRETTY_NAME=\"");
	for (int i = 0; i < 100000; i++)
		strbuf_addch(&sb, (char)('a' + i % 26));
	strbuf_addstr(&sb, "\"\n");
	for (int i = 0; i < 10000; i++)
		strbuf_addf(&sb, "JUNK_%d=x\n", i);
	strbuf_addstr(&sb, "ID=debian\n");
	struct os_facts o;
	memset(&o, 0, sizeof(o));
	assert_int_equal(osrelease_parse(sb.buf, sb.len, &o), 2);
	assert_string_equal(o.id, "debian");
	assert_int_equal(strlen(o.pretty_name), 100000);
	os_clear(&o);
	strbuf_release(&sb);
}

/* ---- legacy release files ---- */

static void t_legacy_release(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		struct buf in;
		int ret;
		const char *id, *version_id, *pretty_name;
	} rows[] = {
		{ "/etc/redhat-release", BUF("CentOS Linux release 7.9.2009 (Core)\n"), 1, "centos", "7.9.2009",
		  "CentOS Linux release 7.9.2009 (Core)" },
		{ "/etc/centos-release", BUF("CentOS release 6.10 (Final)\n"), 1, "centos", "6.10",
		  "CentOS release 6.10 (Final)" },
		{ "/etc/redhat-release", BUF("CentOS Stream release 9\n"), 1, "centos", "9", "CentOS Stream release 9" },
		{ "/etc/redhat-release", BUF("Red Hat Enterprise Linux Server release 7.9 (Maipo)\n"), 1, "rhel", "7.9",
		  "Red Hat Enterprise Linux Server release 7.9 (Maipo)" },
		{ "/etc/redhat-release", BUF("Rocky Linux release 8.8 (Green Obsidian)\r\n"), 1, "rocky", "8.8",
		  "Rocky Linux release 8.8 (Green Obsidian)" },
		{ "/etc/redhat-release", BUF("TencentOS Server release 3.1 (Final)\n"), 1, "tencentos", "3.1",
		  "TencentOS Server release 3.1 (Final)" },
		{ "/etc/redhat-release", BUF("Kylin Linux Advanced Server release V10 (Sword)\n"), 1, "kylin", "10",
		  "Kylin Linux Advanced Server release V10 (Sword)" },
		{ "/etc/SuSE-release", BUF("SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n"), 1,
		  "sles", "11", "SUSE Linux Enterprise Server 11 (x86_64)" },
		{ "/etc/SuSE-release", BUF("openSUSE 13.2 (x86_64)\nVERSION = 13.2\nCODENAME = Harlequin\n"), 1,
		  "opensuse", "13.2", "openSUSE 13.2 (x86_64)" },
		{ "/etc/lsb-release",
		  BUF("DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\n"
		      "DISTRIB_DESCRIPTION=\"Ubuntu 14.04.6 LTS\"\n"),
		  3, "ubuntu", "14.04", "Ubuntu 14.04.6 LTS" },
		{ "/etc/lsb-release", BUF("DISTRIB_DESCRIPTION=\"unterminated\nDISTRIB_ID=LinuxMint\n"), 1, "linuxmint",
		  NULL, NULL },
		{ "/etc/debian_version", BUF("11.7\n"), 1, "debian", "11", "Debian GNU/Linux 11.7" },
		{ "/etc/debian_version", BUF("7.11\n"), 1, "debian", "7", "Debian GNU/Linux 7.11" },
		{ "/etc/debian_version", BUF("6.0.10\n"), 1, "debian", "6.0.10", "Debian GNU/Linux 6.0.10" },
		{ "/etc/debian_version", BUF("bookworm/sid\n"), 1, "debian", NULL, "Debian GNU/Linux bookworm/sid" },
		/* Nothing to recognise. */
		{ "/etc/redhat-release", BUF(""), 0, NULL, NULL, NULL },
		{ "/etc/redhat-release", BUF("\n\n"), 0, NULL, NULL, NULL },
		{ "/etc/redhat-release", BUF("\0\0\0\0"), 0, NULL, NULL, NULL },
		{ "/etc/redhat-release", BUF("\xff\xfe\x80 garbage\n"), 0, NULL, NULL, "\xff\xfe\x80 garbage" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct os_facts o;
		memset(&o, 0, sizeof(o));
		int ret = legacy_release_parse(rows[i].file, rows[i].in.p, rows[i].in.n, &o);
		EXPECT_INT(i, rows[i].file, ret, rows[i].ret);
		EXPECT_STR(i, rows[i].file, o.id, rows[i].id);
		EXPECT_STR(i, rows[i].file, o.version_id, rows[i].version_id);
		EXPECT_STR(i, rows[i].file, o.pretty_name, rows[i].pretty_name);
		os_clear(&o);
	}
}

/* ---- supported lists ---- */

static void t_supported(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		bool ok;
	} ids[] = {
		{ "centos", true }, { "ubuntu", true }, { "debian", true }, { "opensuse-leap", true },
		{ "sles", true },   { "rocky", true },  { "almalinux", true }, { "tencentos", true },
		{ "fedora", true }, { "kylin", true },  { "uos", true },     { "coreos", true },
		{ "CentOS", false }, { "centos ", false }, { "", false }, { NULL, false },
		{ "arch", false },  { "gentoo", false }, { "centosx", false }, { "cent", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		EXPECT_INT(i, ids[i].id ? ids[i].id : "(null)", os_id_supported(ids[i].id), ids[i].ok);

	static const struct {
		const char *arch;
		bool ok;
	} arches[] = {
		{ "x86_64", true },  { "i386", true },   { "i686", true },  { "i586", true },   { "aarch64", true },
		{ "arm", false },    { "ppc64", false }, { "s390x", false }, { "X86_64", false }, { "", false },
		{ NULL, false },     { "x86_64 ", false }, { "unknown", false }, { "riscv64", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		EXPECT_INT(i, arches[i].arch ? arches[i].arch : "(null)", arch_supported(arches[i].arch), arches[i].ok);
}

/* ---- ELF headers ---- */

static void t_elf_arch(void **state)
{
	(void)state;
	static const struct {
		unsigned char cls, data; /* EI_CLASS, EI_DATA */
		unsigned machine;
		size_t n;
		bool elf;
		const char *want;
	} rows[] = {
		{ 2, 1, 62, 64, true, "x86_64" },
		{ 1, 1, 3, 52, true, "i686" },
		{ 2, 1, 183, 64, true, "aarch64" },
		{ 2, 2, 21, 64, true, "ppc64" },       /* big-endian */
		{ 2, 2, 22, 64, true, "s390x" },
		{ 2, 1, 243, 64, true, "riscv64" },
		{ 2, 1, 258, 64, true, "loongarch64" },
		{ 1, 1, 40, 52, true, "arm" },
		{ 2, 1, 0xbeef, 64, true, "unknown" },
		{ 2, 1, 62, 20, true, "x86_64" },      /* e_machine is in the first 20 bytes */
		{ 2, 1, 62, 19, true, NULL },          /* too short */
		{ 2, 1, 62, 0, true, NULL },
		{ 2, 1, 62, 64, false, NULL },         /* no magic */
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		unsigned char h[64];
		memset(h, 0xa5, sizeof(h));
		if (rows[i].elf)
			memcpy(h, "\177ELF", 4);
		else
			memcpy(h, "\177ELG", 4);
		h[4] = rows[i].cls;
		h[5] = rows[i].data;
		if (rows[i].data == 2) {
			h[18] = (unsigned char)(rows[i].machine >> 8);
			h[19] = (unsigned char)rows[i].machine;
		} else {
			h[18] = (unsigned char)rows[i].machine;
			h[19] = (unsigned char)(rows[i].machine >> 8);
		}
		/* Hand over exactly n bytes on the heap, so that reading past them is an ASan report. */
		unsigned char *copy = malloc(rows[i].n ? rows[i].n : 1);
		assert_non_null(copy);
		memcpy(copy, h, rows[i].n);
		EXPECT_STR(i, "elf_arch", elf_arch(copy, rows[i].n), rows[i].want);
		free(copy);
	}
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
	static const char *const tokens[] = { "ID=", "VERSION_ID=", "\"", "'", "\\", "\n", "\r\n", " ", "#", "=",
					      "release ", "7.9", ".", "CentOS", "SUSE", "DISTRIB_ID=", "VERSION = " };
	static const char *const files[] = { "/etc/redhat-release", "/etc/lsb-release", "/etc/debian_version",
					     "/etc/SuSE-release" };
	uint32_t seed = 1;
	struct strbuf sb = STRBUF_INIT;
	for (int round = 0; round < 5000; round++) {
		random_fill(&sb, &seed, tokens, ARRAY_SIZE(tokens));
		struct os_facts o;
		memset(&o, 0, sizeof(o));
		osrelease_parse(sb.buf ? sb.buf : "", sb.len, &o);
		legacy_release_parse(files[round % ARRAY_SIZE(files)], sb.buf ? sb.buf : "", sb.len, &o);
		os_clear(&o);
		char *u = shell_unquote(strbuf_str(&sb));
		free(u);
		elf_arch((const unsigned char *)strbuf_str(&sb), sb.len);
	}
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_line_iter),     cmocka_unit_test(t_shell_unquote), cmocka_unit_test(t_osrelease_parse),
		cmocka_unit_test(t_osrelease_long), cmocka_unit_test(t_legacy_release), cmocka_unit_test(t_supported),
		cmocka_unit_test(t_elf_arch),
		cmocka_unit_test(t_random),
	};
	return cmocka_run_group_tests_name("osrelease", tests, NULL, NULL);
}
