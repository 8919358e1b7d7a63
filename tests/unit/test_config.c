/* Unit tests: configuration keys and their validation, and reading INI files with inih. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "config.h"
#include "banned.h"

/* The observable state of a config as one string, so that a row can say what it expects. */
static char *describe(const struct config *c)
{
	char *skip = test_join(&c->skip), *ds = test_join(&c->datasource_list), *mu = test_join(&c->metadata_urls);
	char *s = xasprintf("region=%s skip=%s gen=%d fi=%d ip=%d ds=%s mu=%s vs=%s cb=%s", c->region ? c->region : "-",
			    skip, c->generalize, c->forced_import, c->install_packages, ds, mu,
			    c->virtio_source ? c->virtio_source : "-",
			    c->cloudbase_init_installer ? c->cloudbase_init_installer : "-");
	free(skip);
	free(ds);
	free(mu);
	return s;
}

#define DEFAULTS "region=- skip= gen=0 fi=0 ip=0 ds= mu= vs=- cb=-"

static void t_apply(void **state)
{
	(void)state;
	static const struct {
		const char *section, *key, *value;
		int ret;
		const char *want;    /* describe() after applying */
		const char *message; /* the warning or the error, or "" */
	} rows[] = {
		{ "target", "region", "ap-guangzhou", 0, "region=ap-guangzhou skip= gen=0 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "TARGET", "Region", "ap-shanghai", 0, "region=ap-shanghai skip= gen=0 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "target", "region", "", 0, "region= skip= gen=0 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "checks", "skip", "guest.tools, os.release", 0,
		  "region=- skip=guest.tools|os.release gen=0 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "checks", "skip", "a,,b ,\tc,", 0, "region=- skip=a|b|c gen=0 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "checks", "skip", "", 0, DEFAULTS, "" },
		{ "fix", "generalize", "true", 0, "region=- skip= gen=1 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "fix", "generalize", "YES", 0, "region=- skip= gen=1 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "fix", "forced_import", "on", 0, "region=- skip= gen=0 fi=1 ip=0 ds= mu= vs=- cb=-", "" },
		{ "fix", "install_packages", "1", 0, "region=- skip= gen=0 fi=0 ip=1 ds= mu= vs=- cb=-", "" },
		{ "fix", "generalize", "false", 0, DEFAULTS, "" },
		{ "fix", "generalize", "No", 0, DEFAULTS, "" },
		{ "fix", "generalize", "off", 0, DEFAULTS, "" },
		{ "fix", "generalize", "0", 0, DEFAULTS, "" },
		{ "fix", "generalize", "maybe", -1, DEFAULTS,
		  "f.conf:7: 'maybe' is not a boolean for fix.generalize (use true or false)" },
		{ "fix", "generalize", "", -1, DEFAULTS, "f.conf:7: '' is not a boolean for fix.generalize (use true or false)" },
		{ "fix", "generalize", "true false", -1, DEFAULTS,
		  "f.conf:7: 'true false' is not a boolean for fix.generalize (use true or false)" },
		{ "fix", "generalize", "2", -1, DEFAULTS, "f.conf:7: '2' is not a boolean for fix.generalize (use true or false)" },
		{ "cloud-init", "datasource_list", "ConfigDrive, TencentCloud", 0,
		  "region=- skip= gen=0 fi=0 ip=0 ds=ConfigDrive|TencentCloud mu= vs=- cb=-", "" },
		{ "cloud-init", "metadata_urls", "http://169.254.0.23, http://metadata.tencentyun.com", 0,
		  "region=- skip= gen=0 fi=0 ip=0 ds= mu=http://169.254.0.23|http://metadata.tencentyun.com vs=- cb=-", "" },
		{ "windows", "virtio_source", "C:\\drivers\\virtio", 0,
		  "region=- skip= gen=0 fi=0 ip=0 ds= mu= vs=C:\\drivers\\virtio cb=-", "" },
		{ "windows", "cloudbase_init_installer", "C:\\install\\x.msi", 0,
		  "region=- skip= gen=0 fi=0 ip=0 ds= mu= vs=- cb=C:\\install\\x.msi", "" },
		{ "fix", "bogus", "1", 0, DEFAULTS, "f.conf:7: unknown key 'bogus' in section [fix], ignored" },
		{ "nope", "k", "v", 0, DEFAULTS, "f.conf:7: unknown section [nope], key 'k' ignored" },
		{ "", "region", "x", 0, DEFAULTS, "f.conf:7: key 'region' outside any section, ignored" },
		{ "target", "", "x", 0, DEFAULTS, "f.conf:7: unknown key '' in section [target], ignored" },
		{ "targetx", "region", "x", 0, DEFAULTS, "f.conf:7: unknown section [targetx], key 'region' ignored" },
		{ "target", "region\x1b[2J", "x", 0, DEFAULTS,
		  "f.conf:7: unknown key 'region\x1b[2J' in section [target], ignored" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct config c;
		struct strvec warnings = STRVEC_INIT;
		char *err = NULL;
		config_init(&c);
		int ret = config_apply(&c, "f.conf", 7, rows[i].section, rows[i].key, rows[i].value, &warnings, &err);
		EXPECT_INT(i, rows[i].key, ret, rows[i].ret);
		char *d = describe(&c);
		EXPECT_STR(i, rows[i].key, d, rows[i].want);
		free(d);
		EXPECT_STR(i, rows[i].key, ret < 0 ? err : (warnings.n ? warnings.v[0] : ""), rows[i].message);
		EXPECT_INT(i, rows[i].key, warnings.n, ret == 0 && *rows[i].message ? 1 : 0);
		if (ret == 0)
			assert_null(err);
		free(err);
		strvec_clear(&warnings);
		config_free(&c);
	}
}

/* A later key replaces an earlier one, lists included. */
static void t_apply_twice(void **state)
{
	(void)state;
	struct config c;
	struct strvec w = STRVEC_INIT;
	char *err = NULL;
	config_init(&c);
	assert_int_equal(config_apply(&c, "f", 1, "checks", "skip", "a, b", &w, &err), 0);
	assert_int_equal(config_apply(&c, "f", 2, "checks", "skip", "c", &w, &err), 0);
	assert_int_equal(config_apply(&c, "f", 3, "target", "region", "x", &w, &err), 0);
	assert_int_equal(config_apply(&c, "f", 4, "target", "region", "y", &w, &err), 0);
	char *d = describe(&c);
	assert_string_equal(d, "region=y skip=c gen=0 fi=0 ip=0 ds= mu= vs=- cb=-");
	free(d);
	config_free(&c);
	assert_null(c.region);
}

/* ---- files ---- */

static char *write_temp(const char *data, size_t len)
{
	char *path = xstrdup("/tmp/cvmprep-test-config-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* "@" in a wanted message stands for the file's path. */
static char *subst_path(const char *want, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = want; *p; p++) {
		if (*p == '@')
			strbuf_addstr(&sb, path);
		else
			strbuf_addch(&sb, *p);
	}
	return strbuf_detach(&sb);
}

static const char spec_example[] =
	"[target]\n"
	"region = ap-guangzhou            ; used by url-check and the region rules\n"
	"[checks]\n"
	"skip = guest.tools, os.release   ; IDs (or prefixes such as net.) never run\n"
	"[fix]\n"
	"generalize = false\n"
	"forced_import = false\n"
	"install_packages = false\n"
	"[cloud-init]\n"
	"datasource_list = ConfigDrive, TencentCloud\n"
	"metadata_urls = http://169.254.0.23, http://metadata.tencentyun.com\n"
	"[windows]\n"
	"virtio_source = C:\\drivers\\virtio          ; an INF folder, a virtio-win MSI or Tencent's virtio_64_1.0.9.exe\n"
	"cloudbase_init_installer = C:\\install\\CloudbaseInitSetup_x64.msi\n";

struct load_row {
	const char *what;
	struct buf in;
	int ret;
	const char *want;     /* describe(), when ret == 0 */
	const char *messages; /* warnings joined with '|', or the error; '@' is the path */
};

static void t_load(void **state)
{
	(void)state;
	char long_value[400], long_comment[400];
	memset(long_value, 'x', sizeof(long_value));
	memcpy(long_value, "[target]\nregion = ", 18);
	memcpy(long_value + sizeof(long_value) - 2, "\n", 2);
	/*
	 * A comment longer than inih's 200-byte buffer, whose tail inih would have parsed as a line
	 * of its own: "generalize = true", in section [fix].
	 */
	memset(long_comment, ' ', sizeof(long_comment));
	memcpy(long_comment, "# a long comment", 16);
	memcpy(long_comment + 250, "generalize = true", 17);
	memcpy(long_comment + sizeof(long_comment) - 2, "\n", 2);

	char *comment_file = xasprintf("[fix]\n%s%s", long_comment, "install_packages = yes\nbogus = 1\n");
	char *value_file = xasprintf("%s", long_value);

	const struct load_row rows[] = {
		{ "the example from the spec", { spec_example, sizeof(spec_example) - 1 }, 0,
		  "region=ap-guangzhou skip=guest.tools|os.release gen=0 fi=0 ip=0 ds=ConfigDrive|TencentCloud "
		  "mu=http://169.254.0.23|http://metadata.tencentyun.com vs=C:\\drivers\\virtio "
		  "cb=C:\\install\\CloudbaseInitSetup_x64.msi",
		  "" },
		{ "empty file", BUF(""), 0, DEFAULTS, "" },
		{ "comments and blank lines only", BUF("# x\n; y\n\n   \n"), 0, DEFAULTS, "" },
		{ "unknown keys and sections warn with their line",
		  BUF("; cvmprep\n[fix]\ngeneralize = yes\nbogus = 1\n\n[other]\nk = v\n"), 0,
		  "region=- skip= gen=1 fi=0 ip=0 ds= mu= vs=- cb=-",
		  "@:4: unknown key 'bogus' in section [fix], ignored|@:7: unknown section [other], key 'k' ignored" },
		{ "a key before any section", BUF("region = x\n"), 0, DEFAULTS, "@:1: key 'region' outside any section, ignored" },
		{ "a malformed line", BUF("[target]\nregion = x\nthis is not ini\n"), -1, NULL,
		  "@:3: malformed line (expected [section], key = value, or a comment)" },
		{ "an unterminated section", BUF("[target\nregion = x\n"), -1, NULL,
		  "@:1: malformed line (expected [section], key = value, or a comment)" },
		{ "a key without a value", BUF("[fix]\n\ngeneralize\n"), -1, NULL,
		  "@:3: malformed line (expected [section], key = value, or a comment)" },
		{ "a bad boolean names file and line", BUF("[fix]\n# comment\n\ngeneralize = true\nforced_import = maybe\n"), -1,
		  NULL, "@:5: 'maybe' is not a boolean for fix.forced_import (use true or false)" },
		{ "CRLF line ends and a byte order mark",
		  BUF("\xef\xbb\xbf[target]\r\nregion = ap-beijing\r\n[fix]\r\ngeneralize = true\r\nbogus = 1\r\n"), 0,
		  "region=ap-beijing skip= gen=1 fi=0 ip=0 ds= mu= vs=- cb=-",
		  "@:5: unknown key 'bogus' in section [fix], ignored" },
		{ "no newline at the end", BUF("[fix]\nbogus = 1"), 0, DEFAULTS, "@:2: unknown key 'bogus' in section [fix], ignored" },
		{ "':' as separator, '=' inside a value, '#' is no inline comment",
		  BUF("[target]\nregion: a=b # c\n"), 0, "region=a=b # c skip= gen=0 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "a list over several lines",
		  BUF("[checks]\nskip = guest.tools,\n    os.release,\n\n\tnet.\nbogus = 1\n"), 0,
		  "region=- skip=guest.tools|os.release|net. gen=0 fi=0 ip=0 ds= mu= vs=- cb=-",
		  "@:6: unknown key 'bogus' in section [checks], ignored" },
		{ "a continued unknown key warns once",
		  BUF("[checks]\nbogus = a\n  b\n"), 0, DEFAULTS, "@:2: unknown key 'bogus' in section [checks], ignored" },
		{ "a continued boolean is still checked",
		  BUF("[fix]\ngeneralize = true\n   false\n"), -1, NULL,
		  "@:3: 'true false' is not a boolean for fix.generalize (use true or false)" },
		{ "indented lines after a section header are keys",
		  BUF("[target]\n   region = x\n[checks]\n  skip = a\n"), 0,
		  "region=x skip=a gen=0 fi=0 ip=0 ds= mu= vs=- cb=-", "" },
		{ "a long comment is a comment, to its end", { comment_file, strlen(comment_file) }, 0,
		  "region=- skip= gen=0 fi=0 ip=1 ds= mu= vs=- cb=-", "@:4: unknown key 'bogus' in section [fix], ignored" },
		{ "a long value is refused, not cut", { value_file, strlen(value_file) }, -1, NULL,
		  "@:2: line longer than 198 characters" },
		{ "a NUL byte", BUF("[fix]\ngeneralize = false\0true\n"), -1, NULL, "@:2: NUL byte in line: not a text file" },
		{ "binary garbage", BUF("\x7f" "ELF\x02\x01\x01\x03\n\xff\xfe\n"), -1, NULL,
		  "@:1: malformed line (expected [section], key = value, or a comment)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct load_row *r = &rows[i];
		char *path = write_temp(r->in.p, r->in.n);
		struct config c;
		struct strvec warnings = STRVEC_INIT;
		char *err = NULL;
		config_init(&c);
		int ret = config_load(&c, path, true, &warnings, &err);
		EXPECT_INT(i, r->what, ret, r->ret);
		char *want_msg = subst_path(r->messages, path);
		if (ret == 0) {
			char *d = describe(&c);
			EXPECT_STR(i, r->what, d, r->want);
			free(d);
			EXPECT_STR(i, r->what, c.path, path);
			EXPECT_LIST(i, r->what, &warnings, want_msg);
			assert_null(err);
		} else {
			EXPECT_STR(i, r->what, err, want_msg);
		}
		free(want_msg);
		free(err);
		strvec_clear(&warnings);
		config_free(&c);
		unlink(path);
		free(path);
	}
	free(comment_file);
	free(value_file);
}

static void t_load_missing(void **state)
{
	(void)state;
	struct config c;
	struct strvec w = STRVEC_INIT;
	char *err = NULL;
	char dir[] = "/tmp/cvmprep-test-confdir-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *missing = xasprintf("%s/none.conf", dir);

	/* A missing default file is no configuration at all. */
	config_init(&c);
	assert_int_equal(config_load(&c, missing, false, &w, &err), 0);
	assert_null(c.path);
	assert_null(err);
	config_free(&c);

	/* A file the user named must exist. */
	config_init(&c);
	assert_int_equal(config_load(&c, missing, true, &w, &err), -1);
	char *want = xasprintf("could not read config file '%s': No such file or directory", missing);
	assert_string_equal(err, want);
	free(want);
	free(err);
	err = NULL;
	config_free(&c);

	/* A directory is not an empty configuration. */
	for (int required = 0; required <= 1; required++) {
		config_init(&c);
		assert_int_equal(config_load(&c, dir, required, &w, &err), -1);
		want = xasprintf("could not read config file '%s': Is a directory", dir);
		assert_string_equal(err, want);
		free(want);
		free(err);
		err = NULL;
		config_free(&c);
	}
	assert_int_equal(w.n, 0);
	rmdir(dir);
	free(missing);
}

/* Random INI-like files: an answer every time (0, or -1 with a message naming the file), no crash. */
static void t_load_random(void **state)
{
	(void)state;
	static const char *const tokens[] = { "[fix]", "[checks]", "[", "]", "generalize", "skip", " = ", "=", ":", "true",
					      "maybe", "\n", "\r\n", "  ", "\t", ";", "#", "a,b", "\xef\xbb\xbf", "x" };
	uint32_t seed = 5;
	struct strbuf sb = STRBUF_INIT;
	for (int round = 0; round < 1500; round++) {
		strbuf_reset(&sb);
		seed = seed * 1103515245u + 12345u;
		int n = (int)((seed >> 16) % 80);
		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t r = seed >> 16;
			if (r % 5 == 0)
				strbuf_addch(&sb, (char)(r >> 8));
			else if (r % 97 == 1)
				for (int z = 0; z < 250; z++)
					strbuf_addch(&sb, 'L');
			else
				strbuf_addstr(&sb, tokens[r % ARRAY_SIZE(tokens)]);
		}
		char *path = write_temp(strbuf_str(&sb), sb.len);
		struct config c;
		struct strvec warnings = STRVEC_INIT;
		char *err = NULL;
		config_init(&c);
		int ret = config_load(&c, path, true, &warnings, &err);
		if (ret == 0) {
			assert_null(err);
			assert_string_equal(c.path, path);
		} else {
			assert_int_equal(ret, -1);
			assert_non_null(err);
			assert_true(str_starts_with(err, path));
		}
		for (size_t k = 0; k < warnings.n; k++)
			assert_true(str_starts_with(warnings.v[k], path));
		free(err);
		strvec_clear(&warnings);
		config_free(&c);
		unlink(path);
		free(path);
	}
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_apply),
		cmocka_unit_test(t_apply_twice),
		cmocka_unit_test(t_load),
		cmocka_unit_test(t_load_missing),
		cmocka_unit_test(t_load_random),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
