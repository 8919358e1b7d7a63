/* Unit tests: the line-preserving INI document reads what configparser reads and writes back every byte. */
#include <stdlib.h>

#include "unit.h"

#include "inidoc.h"
#include "banned.h"

static char *roundtrip(const char *in, size_t n, size_t *len)
{
	struct ini_doc d;
	ini_doc_parse(in, n, &d);
	char *out = ini_doc_write(&d, len);
	ini_doc_free(&d);
	return out;
}

/* Parsed and written without edits, a document is the same bytes. */
static void t_roundtrip(void **state)
{
	(void)state;
	static const struct buf rows[] = {
		BUF(""),
		BUF("\n"),
		BUF("\r\n"),
		BUF("[a]\nk=v\n"),
		BUF("[a]\r\nk = v\r\n  cont\r\n"),
		BUF("no final newline"),
		BUF("[a]\nk=v\r"),
		BUF("mixed\r\nendings\nhere\r\n"),
		BUF("\xef\xbb\xbf[DEFAULT]\r\nk=v\r\n"),
		BUF("\xef\xbb\xbf"),
		BUF("junk line\n[unclosed\n = no key\n\t\n;c\n#c\n"),
		BUF("lone\rcarriage\rreturns\n"),
		BUF("\n\n\n"),
		BUF("caf\xc3\xa9=\xe2\x82\xac\n\xff\xfe bytes\n"),
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		size_t len;
		char *out = roundtrip(rows[i].p, rows[i].n, &len);
		if (len != rows[i].n || memcmp(out, rows[i].p, len) != 0)
			fail_msg("row %zu: %zu bytes in, %zu out: '%s'", i, rows[i].n, len, out);
		free(out);
	}
}

/* Random bytes without NUL come back unchanged. */
static void t_roundtrip_random(void **state)
{
	(void)state;
	static const char alphabet[] = "[]=:;# \t\r\nab\xef\xbb\xbf";
	uint32_t seed = 7;
	char in[64];
	for (int round = 0; round < 20000; round++) {
		seed = seed * 1103515245u + 12345u;
		size_t n = (seed >> 16) % sizeof(in);
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			in[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		size_t len;
		char *out = roundtrip(in, n, &len);
		if (len != n || memcmp(out, in, n) != 0)
			fail_msg("round %d: %zu bytes in, %zu out", round, n, len);
		free(out);
	}
}

/* The reader's view: kinds, sections, keys and values. */
static void t_kinds(void **state)
{
	(void)state;
	static const char in[] = "; top\n[DEFAULT]\nkey = value ; comment\n  more\n\n[other]\nx: y\njunk\n\tnot cont\n";
	struct ini_doc d;
	ini_doc_parse(in, sizeof(in) - 1, &d);
	static const struct {
		enum ini_kind kind;
		const char *section, *key, *value;
	} want[] = {
		{ INI_COMMENT, "", NULL, NULL },	     { INI_SECTION, "DEFAULT", NULL, NULL },
		{ INI_KEY, "DEFAULT", "key", "value" },	     { INI_CONT, "DEFAULT", "key", "more" },
		{ INI_BLANK, "DEFAULT", NULL, NULL },	     { INI_SECTION, "other", NULL, NULL },
		{ INI_KEY, "other", "x", "y" },		     { INI_JUNK, "other", NULL, NULL },
		{ INI_KEY, "other", "not cont", NULL },
	};
	assert_int_equal(d.n, 9);
	for (size_t i = 0; i < ARRAY_SIZE(want) - 1; i++) {
		EXPECT_INT(i, "kind", d.v[i].kind, want[i].kind);
		EXPECT_STR(i, "section", d.v[i].section, want[i].section);
		EXPECT_STR(i, "key", d.v[i].key, want[i].key);
		EXPECT_STR(i, "value", d.v[i].value, want[i].value);
	}
	/* After junk an indented line continues nothing. */
	assert_int_equal(d.v[8].kind, INI_JUNK);
	ini_doc_free(&d);
}

/* Edits change the lines they name; the other bytes, endings included, stay. */
static void t_edit(void **state)
{
	(void)state;
	static const char in[] = "[a]\r\nk=v\r\n  cont\r\nlast";
	struct ini_doc d;
	ini_doc_parse(in, sizeof(in) - 1, &d);
	ini_doc_replace(&d, 1, "k=new");
	ini_doc_remove(&d, 2);
	ini_doc_insert(&d, 2, "added=1");
	ini_doc_insert(&d, d.n, "appended=2");
	size_t len;
	char *out = ini_doc_write(&d, &len);
	assert_string_equal(out, "[a]\r\nk=new\r\nadded=1\r\nlast\r\nappended=2");
	assert_int_equal(d.v[2].kind, INI_KEY);
	assert_string_equal(d.v[2].key, "added");
	free(out);
	/* Removing the last line moves its missing ending to the new last line. */
	ini_doc_remove(&d, d.n - 1);
	out = ini_doc_write(&d, &len);
	assert_string_equal(out, "[a]\r\nk=new\r\nadded=1\r\nlast");
	free(out);
	ini_doc_set_bom(&d, true);
	out = ini_doc_write(&d, &len);
	assert_int_equal(len, strlen("[a]\r\nk=new\r\nadded=1\r\nlast") + 3);
	assert_memory_equal(out, "\xef\xbb\xbf[a]", 6);
	free(out);
	ini_doc_free(&d);

	/* An empty document takes the ending it is given. */
	ini_doc_parse("", 0, &d);
	ini_doc_insert(&d, 0, "[x]");
	ini_doc_insert(&d, 1, "y=1");
	out = ini_doc_write(&d, &len);
	assert_string_equal(out, "[x]\ny=1\n");
	free(out);
	ini_doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_roundtrip),
		cmocka_unit_test(t_roundtrip_random),
		cmocka_unit_test(t_kinds),
		cmocka_unit_test(t_edit),
	};
	return cmocka_run_group_tests_name("inidoc", tests, NULL, NULL);
}
