/* Unit tests: JSON string escaping (control characters, invalid UTF-8) and the streaming writer. */
#include <stdlib.h>

#include "unit.h"
#include "json_check.h"

#include "json.h"
#include "banned.h"

/* Run fn on a memory stream and return what it wrote (caller frees). */
static char *capture_escape(const char *in, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	json_escape(f, in);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static void t_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "", "" },
		{ "plain ascii 123", "plain ascii 123" },
		{ "\"", "\\\"" },
		{ "\\", "\\\\" },
		{ "a/b", "a/b" },
		{ "\n\r\t", "\\n\\r\\t" },
		{ "\b\f", "\\u0008\\u000c" },
		{ "\x01\x1b[31m\x1f", "\\u0001\\u001b[31m\\u001f" },
		{ "\x7f", "\\u007f" },
		/* Valid UTF-8 passes unchanged. */
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xe2\x82\xac", "\xe2\x82\xac" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xc2\x80", "\xc2\x80" },
		{ "\xe0\xa0\x80", "\xe0\xa0\x80" },         /* U+0800, the first 3-byte one */
		{ "\xed\x9f\xbf", "\xed\x9f\xbf" },         /* U+D7FF, just below the surrogates */
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" }, /* U+10FFFF */
		{ "\xef\xbb\xbf", "\xef\xbb\xbf" },
		{ "\xe2\x80\xa8", "\xe2\x80\xa8" },
		/* Invalid UTF-8: one U+FFFD per byte that does not start a valid sequence. */
		{ "\xff", "\\ufffd" },
		{ "\xfe\xff", "\\ufffd\\ufffd" },
		{ "a\xff" "b", "a\\ufffdb" },
		{ "\xc3", "\\ufffd" },                       /* truncated at the end */
		{ "\xc3(", "\\ufffd(" },
		{ "\x80", "\\ufffd" },                       /* a lone continuation byte */
		{ "\xc0\xaf", "\\ufffd\\ufffd" },            /* overlong '/' */
		{ "\xc1\xbf", "\\ufffd\\ufffd" },
		{ "\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd" },   /* overlong */
		{ "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd" },   /* a surrogate */
		{ "\xf0\x80\x80\xaf", "\\ufffd\\ufffd\\ufffd\\ufffd" },
		{ "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd" }, /* above U+10FFFF */
		{ "\xf5\x80\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd" },
		{ "\xe2\x82", "\\ufffd\\ufffd" },
		{ "\xf0\x9f\x98", "\\ufffd\\ufffd\\ufffd" },
		{ "\xe2\x82\"", "\\ufffd\\ufffd\\\"" },
		{ "\xc3\n", "\\ufffd\\n" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		size_t n;
		char *got = capture_escape(rows[i].in, &n);
		EXPECT_STR(i, rows[i].want, got, rows[i].want);
		/* Quoted, it is a valid JSON string. */
		char *quoted = xasprintf("\"%s\"", got);
		if (!json_valid(quoted, strlen(quoted)))
			fail_msg("row %zu: not a valid JSON string: %s", i, quoted);
		free(quoted);
		free(got);
	}
}

/* Random bytes in, always a valid JSON string out (the property the report relies on). */
static void t_escape_random(void **state)
{
	(void)state;
	uint32_t seed = 4242;
	char in[64];
	for (int round = 0; round < 20000; round++) {
		size_t n = 0;
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % (sizeof(in) - 1);
		for (; n < len; n++) {
			seed = seed * 1103515245u + 12345u;
			unsigned char b = (unsigned char)(seed >> 16);
			/* Mostly high bytes and controls, where the edge cases are. */
			if (b < 0x40)
				b = (unsigned char)(b & 0x1f);
			else if (b < 0x80)
				b = (unsigned char)(0x80 | b);
			in[n] = b ? (char)b : 'x';
		}
		in[n] = '\0';
		char *got = capture_escape(in, NULL);
		char *quoted = xasprintf("\"%s\"", got);
		if (!json_valid(quoted, strlen(quoted)))
			fail_msg("round %d: not a valid JSON string: %s", round, quoted);
		free(quoted);
		free(got);
	}
}

static char *capture_doc(void (*fn)(struct json *j), size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	struct json j;
	json_init(&j, f);
	fn(&j);
	fclose(f);
	*len = n;
	return buf;
}

static void doc_full(struct json *j)
{
	json_begin_object(j);
	json_kv_string(j, "schema", "cvmprep.report/1");
	json_key(j, "list");
	json_begin_array(j);
	json_string(j, "a");
	json_uint(j, UINT64_MAX);
	json_bool(j, true);
	json_null(j);
	json_string(j, NULL);
	json_end_array(j);
	json_key(j, "empty");
	json_begin_object(j);
	json_end_object(j);
	json_key(j, "ea");
	json_begin_array(j);
	json_end_array(j);
	json_kv_uint(j, "n", 0);
	json_kv_bool(j, "b", false);
	json_kv_string(j, "k\"ey\n", "\xff");
	json_kv_string(j, "nul", NULL);
	json_key(j, "nested");
	json_begin_array(j);
	json_begin_object(j);
	json_kv_uint(j, "x", 1);
	json_end_object(j);
	json_begin_array(j);
	json_end_array(j);
	json_end_array(j);
	json_end_object(j);
}

static void doc_top_array(struct json *j)
{
	json_begin_array(j);
	json_end_array(j);
}

static void doc_scalar(struct json *j)
{
	json_string(j, "top\t");
}

/* Deeper than JSON_MAX_DEPTH: the writer must stay in bounds and still balance its brackets. */
static void doc_deep(struct json *j)
{
	for (int i = 0; i < 100; i++) {
		json_begin_array(j);
		json_string(j, "x");
	}
	for (int i = 0; i < 100; i++)
		json_end_array(j);
}

static void doc_deep_objects(struct json *j)
{
	json_begin_object(j);
	for (int i = 0; i < 50; i++) {
		json_key(j, "k");
		json_begin_object(j);
	}
	json_kv_uint(j, "leaf", 7);
	for (int i = 0; i < 51; i++)
		json_end_object(j);
}

static void t_writer(void **state)
{
	(void)state;
	static const char full[] = "{\n"
				   "  \"schema\": \"cvmprep.report/1\",\n"
				   "  \"list\": [\n"
				   "    \"a\",\n"
				   "    18446744073709551615,\n"
				   "    true,\n"
				   "    null,\n"
				   "    null\n"
				   "  ],\n"
				   "  \"empty\": {},\n"
				   "  \"ea\": [],\n"
				   "  \"n\": 0,\n"
				   "  \"b\": false,\n"
				   "  \"k\\\"ey\\n\": \"\\ufffd\",\n"
				   "  \"nul\": null,\n"
				   "  \"nested\": [\n"
				   "    {\n"
				   "      \"x\": 1\n"
				   "    },\n"
				   "    []\n"
				   "  ]\n"
				   "}\n";
	static const struct {
		const char *what;
		void (*fn)(struct json *j);
		const char *want; /* NULL: only check that it is valid JSON */
	} rows[] = {
		{ "full", doc_full, full },
		{ "top-level array", doc_top_array, "[]\n" },
		{ "top-level scalar", doc_scalar, "\"top\\t\"" },
		{ "deep arrays", doc_deep, NULL },
		{ "deep objects", doc_deep_objects, NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		size_t n;
		char *got = capture_doc(rows[i].fn, &n);
		if (rows[i].want)
			EXPECT_STR(i, rows[i].what, got, rows[i].want);
		if (!json_valid(got, n))
			fail_msg("row %zu (%s): not valid JSON:\n%s", i, rows[i].what, got);
		free(got);
	}
}

/* The validator itself must reject what it should, or the tests above prove nothing. */
static void t_validator(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
	} rows[] = {
		{ "{}", true },
		{ "[1, \"a\", true, false, null, {\"k\": []}]", true },
		{ "\"\\u00e9\\/\"", true },
		{ "\"caf\xc3\xa9\"", true },
		{ "", false },
		{ "{", false },
		{ "[1,]", false },
		{ "{\"a\" 1}", false },
		{ "{1: 2}", false },
		{ "\"\x01\"", false },
		{ "\"\xff\"", false },
		{ "\"\xc0\xaf\"", false },
		{ "\"\xed\xa0\x80\"", false },
		{ "\"\\x41\"", false },
		{ "\"\\u12\"", false },
		{ "[] []", false },
		{ "tru", false },
		{ "01", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		EXPECT_INT(i, rows[i].in, json_valid(rows[i].in, strlen(rows[i].in)), rows[i].ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_escape),
		cmocka_unit_test(t_escape_random),
		cmocka_unit_test(t_writer),
		cmocka_unit_test(t_validator),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
