/* Unit tests: splitting the kernel command line and reading parameters from it. */
#include <stdlib.h>

#include "unit.h"

#include "parse.h"
#include "banned.h"

static void t_cmdline_split(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n;
		const char *words; /* joined with '|' */
	} rows[] = {
		{ "", 0, "" },
		{ "   \t\n ", 0, "" },
		{ "ro", 1, "ro" },
		{ "BOOT_IMAGE=/vmlinuz-6.1.0 root=UUID=abc ro quiet", 4, "BOOT_IMAGE=/vmlinuz-6.1.0|root=UUID=abc|ro|quiet" },
		{ "  a   b\tc\nd  ", 4, "a|b|c|d" },
		{ "a=\"b c\" d", 2, "a=b c|d" },
		{ "\"a b\" c", 2, "a b|c" },
		{ "x=\"\" y", 2, "x=|y" },
		{ "\"\"", 1, "" },
		{ "a=\"unterminated quote", 1, "a=unterminated quote" },
		{ "a=\"b\"\"c d\"", 1, "a=bc d" },
		{ "dyndbg=\"file foo.c +p\" quiet", 2, "dyndbg=file foo.c +p|quiet" },
		{ "\xff\xfe \x01", 2, "\xff\xfe|\x01" },
		{ "a -- b", 3, "a|--|b" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct strvec w = STRVEC_INIT;
		cmdline_split(rows[i].in, &w);
		EXPECT_INT(i, rows[i].in, w.n, rows[i].n);
		EXPECT_LIST(i, rows[i].in, &w, rows[i].words);
		strvec_clear(&w);
	}
}

/* The output list is appended to, not replaced. */
static void t_cmdline_split_appends(void **state)
{
	(void)state;
	struct strvec w = STRVEC_INIT;
	strvec_push(&w, "first");
	cmdline_split("a b", &w);
	EXPECT_LIST(0, "append", &w, "first|a|b");
	strvec_clear(&w);
}

static void t_cmdline_get(void **state)
{
	(void)state;
	static const struct {
		const char *cmdline, *key, *want;
	} rows[] = {
		{ "root=/dev/sda1 ro", "root", "/dev/sda1" },
		{ "BOOT_IMAGE=/vmlinuz root=UUID=0a1b ro", "root", "UUID=0a1b" },
		{ "root=/dev/sda1 root=UUID=x", "root", "UUID=x" }, /* the last one wins, as in the kernel */
		{ "rootfstype=ext4 rootflags=x", "root", NULL },
		{ "root ro", "root", NULL },
		{ "root= ro", "root", "" },
		{ "root=\"LABEL=my root\" ro", "root", "LABEL=my root" },
		{ "\"root=/dev/vda1\"", "root", "/dev/vda1" },
		{ "resume=/dev/sda2 quiet", "resume", "/dev/sda2" },
		{ "net.ifnames=0 biosdevname=0", "net.ifnames", "0" },
		{ "xnet.ifnames=1", "net.ifnames", NULL },
		{ "ROOT=/dev/sda1", "root", NULL },
		{ "", "root", NULL },
		{ "   ", "root", NULL },
		{ "initrd=/boot/a.img,/boot/b.img", "initrd", "/boot/a.img,/boot/b.img" },
		/* After "--" the words are init's arguments, not kernel parameters. */
		{ "ro -- root=/dev/sdb1", "root", NULL },
		{ "root=UUID=a -- root=/dev/sdb1", "root", "UUID=a" },
		{ "root=UUID=a --x root=UUID=b", "root", "UUID=b" },
		{ "cloud-init=disabled", "cloud-init", "disabled" },
		{ "a=\xff\xfe", "a", "\xff\xfe" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = cmdline_get(rows[i].cmdline, rows[i].key);
		EXPECT_STR(i, rows[i].cmdline, got, rows[i].want);
		free(got);
	}
}

/* A hostile command line: very long, many words, a quote never closed. */
static void t_cmdline_long(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&sb, "k%d=v%d ", i, i);
	strbuf_addstr(&sb, "root=/dev/vda1 x=\"");
	for (int i = 0; i < 50000; i++)
		strbuf_addstr(&sb, "root=/dev/evil ");
	struct strvec w = STRVEC_INIT;
	cmdline_split(sb.buf, &w);
	assert_int_equal(w.n, 20002);
	strvec_clear(&w);
	char *root = cmdline_get(sb.buf, "root");
	assert_string_equal(root, "/dev/vda1"); /* the rest is one quoted word */
	free(root);
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

static void t_random(void **state)
{
	(void)state;
	static const char *const tokens[] = { "root=", "\"", " ", "\t", "--", "=", "UUID=", "/dev/sda1", "ro", "\n" };
	uint32_t seed = 3;
	struct strbuf sb = STRBUF_INIT;
	for (int round = 0; round < 5000; round++) {
		random_fill(&sb, &seed, tokens, ARRAY_SIZE(tokens));
		struct strvec w = STRVEC_INIT;
		cmdline_split(strbuf_str(&sb), &w);
		strvec_clear(&w);
		free(cmdline_get(strbuf_str(&sb), "root"));
		free(cmdline_get(strbuf_str(&sb), ""));
	}
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_cmdline_split),
		cmocka_unit_test(t_cmdline_split_appends),
		cmocka_unit_test(t_cmdline_get),
		cmocka_unit_test(t_cmdline_long),
		cmocka_unit_test(t_random),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
