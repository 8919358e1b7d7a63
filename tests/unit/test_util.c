/* Unit tests: the string helpers every parser stands on, and making untrusted text safe to print. */
#include <stdlib.h>

#include "unit.h"

#include "banned.h"

static void t_printable(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t max;
		const char *want;
	} rows[] = {
		{ "", 100, "" },
		{ "plain text", 100, "plain text" },
		{ "tab\there", 100, "tab here" },
		{ "nl\ncr\r", 100, "nl\\x0acr\\x0d" },
		{ "\x1b[2J\x1b]0;title\x07", 100, "\\x1b[2J\\x1b]0;title\\x07" },
		{ "del\x7f", 100, "del\\x7f" },
		/* Valid UTF-8 is text. */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 100, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "\xc2\xa0nbsp", 100, "\xc2\xa0nbsp" },
		/* C1 controls (CSI is U+009B) and bytes that are not UTF-8 are escaped. */
		{ "\xc2\x9b" "31m", 100, "\\xc2\\x9b31m" },
		{ "\xc2\x80", 100, "\\xc2\\x80" },
		{ "\x9b" "31m", 100, "\\x9b31m" },
		{ "\xff\xfe", 100, "\\xff\\xfe" },
		{ "\xc0\xaf", 100, "\\xc0\\xaf" },
		{ "\xed\xa0\x80", 100, "\\xed\\xa0\\x80" },
		{ "a\xe2\x82", 100, "a\\xe2\\x82" },
		/* Cut at max, never in the middle of a character. */
		{ "abcdef", 3, "abc..." },
		{ "abc", 3, "abc" },
		{ "ab\xc3\xa9", 3, "ab..." },
		{ "ab\xc3\xa9", 4, "ab\xc3\xa9" },
		{ "\xf0\x9f\x98\x80x", 2, "..." },
		{ "\x1b\x1b\x1b", 2, "\\x1b\\x1b..." },
		{ "x", 0, "..." },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = str_printable(rows[i].in, rows[i].max);
		EXPECT_STR(i, rows[i].want, got, rows[i].want);
		free(got);
	}
}

/* Whatever goes in, nothing a terminal acts on comes out. */
static void t_printable_random(void **state)
{
	(void)state;
	uint32_t seed = 99;
	char in[48];
	for (int round = 0; round < 20000; round++) {
		size_t n;
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % (sizeof(in) - 1);
		for (n = 0; n < len; n++) {
			seed = seed * 1103515245u + 12345u;
			unsigned char b = (unsigned char)(seed >> 16);
			in[n] = b ? (char)b : '0';
		}
		in[n] = '\0';
		char *got = str_printable(in, 32);
		for (const unsigned char *p = (const unsigned char *)got; *p; p++) {
			if (*p < 0x20 || *p == 0x7f)
				fail_msg("round %d: control byte 0x%02x", round, *p);
			if (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
				fail_msg("round %d: C1 control", round);
		}
		free(got);
	}
}

static void t_split_trim(void **state)
{
	(void)state;
	static const struct {
		const char *in, *seps, *want;
	} rows[] = {
		{ "", ", ", "" },
		{ "a", ", ", "a" },
		{ "a, b,,c ,", ", ", "a|b|c" },
		{ ",,,", ",", "" },
		{ "  lead trail  ", " ", "lead|trail" },
		{ "x\ty", " ", "x\ty" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct strvec sv = STRVEC_INIT;
		str_split(&sv, rows[i].in, rows[i].seps);
		EXPECT_LIST(i, rows[i].in, &sv, rows[i].want);
		strvec_clear(&sv);
	}
	static const struct {
		const char *in, *want;
	} trims[] = {
		{ "", "" }, { "   ", "" }, { " a ", "a" }, { "\t\r\na b\r\n", "a b" }, { "x", "x" }, { "\xa0x\xa0", "\xa0x\xa0" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(trims); i++) {
		char *copy = xstrdup(trims[i].in);
		EXPECT_STR(i, trims[i].in, str_trim(copy), trims[i].want);
		EXPECT_INT(i, trims[i].in, str_is_blank(trims[i].in), *trims[i].want == '\0');
		free(copy);
	}
}

static void t_strings(void **state)
{
	(void)state;
	assert_true(str_starts_with("abc", ""));
	assert_true(str_starts_with("abc", "ab"));
	assert_false(str_starts_with("ab", "abc"));
	assert_true(str_ends_with("abc", "bc"));
	assert_true(str_ends_with("abc", ""));
	assert_false(str_ends_with("c", "bc"));
	assert_true(str_eq(NULL, NULL));
	assert_false(str_eq("a", NULL));
	assert_false(str_eq(NULL, "a"));
	assert_true(str_eq("a", "a"));
	assert_int_equal(str_casecmp("ABC", "abc"), 0);
	assert_true(str_casecmp("abc", "abd") < 0);
	assert_true(str_casecmp("abc", "ab") > 0);
	assert_true(str_casecmp("\xff", "a") > 0);

	char *s = xstrndup("abc\0def", 7);
	assert_string_equal(s, "abc");
	free(s);
	s = xstrndup("abcdef", 2);
	assert_string_equal(s, "ab");
	free(s);
	s = xasprintf("%s-%d-%zu", "x", -1, (size_t)7);
	assert_string_equal(s, "x--1-7");
	free(s);

	struct strbuf sb = STRBUF_INIT;
	assert_string_equal(strbuf_str(&sb), "");
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&sb, (char)('a' + i % 26));
	strbuf_add(&sb, "\0z", 2);
	assert_int_equal(sb.len, 10002);
	assert_int_equal(sb.buf[10000], '\0');
	strbuf_reset(&sb);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_addf(&sb, "%05d", 42);
	char *d = strbuf_detach(&sb);
	assert_string_equal(d, "00042");
	assert_null(sb.buf);
	free(d);
	d = strbuf_detach(&sb);
	assert_string_equal(d, "");
	free(d);

	struct strvec sv = STRVEC_INIT;
	static const char *const words[] = { "b", "B", "a", "", "\xff", "aa", "a" };
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		strvec_push(&sv, words[i]);
	strvec_pushf(&sv, "%d", 1);
	strvec_sort(&sv);
	EXPECT_LIST(0, "sorted bytewise", &sv, "|1|B|a|a|aa|b|\xff");
	assert_null(sv.v[sv.n]); /* NULL-terminated */
	assert_true(strvec_contains(&sv, ""));
	assert_false(strvec_contains(&sv, "c"));
	strvec_clear(&sv);
	assert_int_equal(sv.n, 0);
	strvec_clear(&sv);
}

static void t_fmt_bytes(void **state)
{
	(void)state;
	static const struct {
		uint64_t n;
		const char *iec, *si;
	} rows[] = {
		{ 0, "0 B", "0 B" },
		{ 999, "999 B", "999 B" },
		{ 1000, "1000 B", "1.0 kB" },
		{ 1024, "1.0 KiB", "1.0 kB" },
		{ 1536, "1.5 KiB", "1.5 kB" },
		{ 500ull * 1000 * 1000 * 1000, "465.7 GiB", "500.0 GB" },
		{ 50ull << 30, "50.0 GiB", "53.7 GB" },
		{ UINT64_MAX, "16384.0 PiB", "18446.7 PB" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *a = fmt_bytes_iec(rows[i].n), *b = fmt_bytes_si(rows[i].n);
		EXPECT_STR(i, "iec", a, rows[i].iec);
		EXPECT_STR(i, "si", b, rows[i].si);
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_printable), cmocka_unit_test(t_printable_random), cmocka_unit_test(t_split_trim),
		cmocka_unit_test(t_strings),   cmocka_unit_test(t_fmt_bytes),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
