/* Unit tests: which packages dpkg's status database says are installed. */
#include <stdlib.h>

#include "unit.h"

#include "dpkg.h"
#include "banned.h"

struct collect {
	struct strvec got;
	size_t stop_after; /* 0: never stop */
};

static bool collect_pkg(const char *package, const char *version, void *arg)
{
	struct collect *c = arg;
	strvec_pushf(&c->got, "%s=%s", package, version);
	return !(c->stop_after && c->got.n >= c->stop_after);
}

static const char debian_status[] =
	"Package: cloud-init\n"
	"Status: install ok installed\n"
	"Priority: optional\n"
	"Section: admin\n"
	"Installed-Size: 2862\n"
	"Maintainer: Debian Cloud Team <debian-cloud@lists.debian.org>\n"
	"Architecture: all\n"
	"Version: 22.4.2-1+deb12u1\n"
	"Depends: fdisk | util-linux (<< 2.29.2-3~), gdisk, isc-dhcp-client, locales, lsb-base, lsb-release\n"
	"Conffiles:\n"
	" /etc/cloud/cloud.cfg 5d3c0e2ab4fca59b1b5b3a2c7e2b2bc3\n"
	"Description: initialization system for infrastructure cloud instances\n"
	" Cloud-init provides a framework and reference implementation for initializing\n"
	" .\n"
	" Package: not-a-package-it-is-in-the-description\n"
	" Status: deinstall ok config-files\n"
	"Homepage: https://cloud-init.io/\n"
	"\n"
	"Package: open-vm-tools\n"
	"Status: deinstall ok config-files\n"
	"Version: 2:12.2.0-1+deb12u1\n"
	"\n"
	"Package: linux-image-6.1.0-18-amd64\n"
	"Status: install ok half-installed\n"
	"Version: 6.1.76-1\n"
	"\n"
	"Package: hold-me\n"
	"Status: hold ok installed\n"
	"Version: 1.0\n"
	"\n"
	"Package: being-removed\n"
	"Status: deinstall ok installed\n"
	"Version: 2.0\n"
	"\n"
	"Package: purged\n"
	"Status: purge ok not-installed\n"
	"\n"
	"Package: unpacked-only\n"
	"Status: install ok unpacked\n"
	"Version: 3\n"
	"\n"
	"Package: triggered\n"
	"Status: install ok triggers-pending\n"
	"Version: 4\n"
	"\n"
	"Package: awaiting\n"
	"Status: install ok triggers-awaited\n"
	"Version: 5\n"
	"\n"
	"Package: half-configured\n"
	"Status: install ok half-configured\n"
	"Version: 6\n";

static void t_status(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		struct buf in;
		size_t stanzas;
		const char *installed; /* "pkg=ver" joined with '|' */
	} rows[] = {
		{ "a real status file", { debian_status, sizeof(debian_status) - 1 }, 10,
		  "cloud-init=22.4.2-1+deb12u1|hold-me=1.0|being-removed=2.0|triggered=4|awaiting=5" },
		{ "empty", BUF(""), 0, "" },
		{ "blank lines only", BUF("\n\n\n"), 0, "" },
		{ "no final newline, no version",
		  BUF("Package: a\nStatus: install ok installed"), 1, "a=" },
		{ "CRLF and extra blank lines",
		  BUF("\r\n\r\nPackage: a\r\nVersion: 1\r\nStatus: install ok installed\r\n\r\n\r\n\r\nPackage: b\r\n"
		      "Status: install ok installed\r\nVersion: 2\r\n"),
		  2, "a=1|b=2" },
		{ "field order does not matter, whitespace is trimmed",
		  BUF("Version:   9.9  \nStatus:install ok installed   \nPackage:\tzz\t\n"), 1, "zz=9.9" },
		{ "field names are case-insensitive, as in deb822",
		  BUF("package: lower\nSTATUS: install ok installed\nversion: 1\n"), 1, "lower=1" },
		{ "the last of a repeated field wins",
		  BUF("Package: x\nStatus: install ok installed\nStatus: deinstall ok config-files\nVersion: 1\n\n"
		      "Package: y\nStatus: purge ok not-installed\nStatus: install ok installed\n"),
		  2, "y=" },
		{ "a stanza without Package is not one",
		  BUF("Status: install ok installed\nVersion: 1\n\nPackage: p\nStatus: install ok installed\n"), 1, "p=" },
		{ "no Status: not installed",
		  BUF("Package: nostatus\nVersion: 1\n"), 1, "" },
		{ "continuation lines are not fields",
		  BUF("Package: real\nDescription: x\n Package: fake\n\tStatus: install ok installed\n"), 1, "" },
		{ "a NUL byte ends its line",
		  BUF("Package: nul\0evil\nStatus: install ok installed\0 no\nVersion: 1\n"), 1, "nul=1" },
		{ "garbage lines are skipped",
		  BUF("\xff\xfe garbage\nno colon here\n:\n: value\nPackage: g\n\x01:\x02\nStatus: install ok installed\n"), 1,
		  "g=" },
		{ "similar field names do not count",
		  BUF("Packages: no\nPackage-Type: no\nPackage: yes\nStatusx: install ok installed\n"), 1, "" },
		{ "status words must be whole",
		  BUF("Package: a\nStatus: install ok reinstalled\n\nPackage: b\nStatus: installed\n"), 2, "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct collect c = { STRVEC_INIT, 0 };
		size_t n = dpkg_status_parse(rows[i].in.p, rows[i].in.n, collect_pkg, &c);
		EXPECT_INT(i, rows[i].what, n, rows[i].stanzas);
		EXPECT_LIST(i, rows[i].what, &c.got, rows[i].installed);
		strvec_clear(&c.got);
	}
}

/* The callback stops the walk. */
static void t_stop(void **state)
{
	(void)state;
	for (size_t stop = 1; stop <= 5; stop++) {
		struct collect c = { STRVEC_INIT, stop };
		size_t n = dpkg_status_parse(debian_status, sizeof(debian_status) - 1, collect_pkg, &c);
		assert_int_equal(c.got.n, stop);
		/* cloud-init, open-vm-tools, linux-image, hold-me, being-removed, purged, unpacked, triggered, awaiting */
		static const size_t stanzas_at[] = { 0, 1, 4, 5, 8, 9 };
		assert_int_equal(n, stanzas_at[stop]);
		strvec_clear(&c.got);
	}
}

/* A large database: every stanza seen, nothing lost. */
static void t_large(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&sb, "Package: p%d\nStatus: %s\nVersion: %d\nDescription: d\n %s\n\n", i,
			    i % 3 ? "install ok installed" : "deinstall ok config-files", i, "long text");
	struct collect c = { STRVEC_INIT, 0 };
	assert_int_equal(dpkg_status_parse(sb.buf, sb.len, collect_pkg, &c), 20000);
	assert_int_equal(c.got.n, 20000 - 6667);
	assert_string_equal(c.got.v[0], "p1=1");
	strvec_clear(&c.got);
	strbuf_release(&sb);
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

static bool count_pkg(const char *package, const char *version, void *arg)
{
	(void)package;
	(void)version;
	(*(size_t *)arg)++;
	return true;
}

static void t_random(void **state)
{
	(void)state;
	static const char *const tokens[] = { "Package: ", "Status: ", "Version: ", "install ok installed", "\n", "\n\n",
					      "\r\n", " ", ":", "x", "package:", "\t" };
	uint32_t seed = 4;
	struct strbuf sb = STRBUF_INIT;
	for (int round = 0; round < 5000; round++) {
		random_fill(&sb, &seed, tokens, ARRAY_SIZE(tokens));
		size_t calls = 0;
		size_t stanzas = dpkg_status_parse(sb.buf ? sb.buf : "", sb.len, count_pkg, &calls);
		assert_true(calls <= stanzas);
	}
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_status),
		cmocka_unit_test(t_stop),
		cmocka_unit_test(t_large),
		cmocka_unit_test(t_random),
	};
	return cmocka_run_group_tests_name("dpkg", tests, NULL, NULL);
}
