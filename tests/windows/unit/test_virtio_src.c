/* Unit tests (Windows): virtio-win's folder for each Windows, and telling installer frameworks apart. */
#include <stdlib.h>

#include "unit.h"

#include "virtio_src.h"
#include "banned.h"

static void t_os_dirs(void **state)
{
	(void)state;
	static const struct {
		unsigned major, minor, build;
		bool server;
		const char *want; /* joined with '|' */
	} rows[] = {
		{ 6, 0, 6002, true, "2k8" },	      { 6, 1, 7601, true, "2k8R2|2k8" },
		{ 6, 2, 9200, true, "2k12" },	      { 6, 3, 9600, true, "2k12R2|2k12" },
		{ 10, 0, 14393, true, "2k16" },	      { 10, 0, 17763, true, "2k19|2k16" },
		{ 10, 0, 20348, true, "2k22|2k19|2k16" }, { 10, 0, 26100, true, "2k22|2k19|2k16" },
		{ 6, 1, 7601, false, "w7" },	      { 6, 3, 9600, false, "w8.1|w8" },
		{ 10, 0, 19045, false, "w10" },	      { 10, 0, 22631, false, "w11|w10" },
		{ 5, 2, 3790, true, "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct winver_facts v;
		memset(&v, 0, sizeof(v));
		v.s.state = FS_OK;
		v.major = rows[i].major;
		v.minor = rows[i].minor;
		v.build = rows[i].build;
		v.server = rows[i].server;
		struct strvec got = STRVEC_INIT;
		for (const char *const *d = virtio_os_dirs(&v); *d; d++)
			strvec_push(&got, *d);
		EXPECT_LIST(i, "dirs", &got, rows[i].want);
		strvec_clear(&got);
	}
	assert_string_equal(virtio_arch_dir("x86_64"), "amd64");
	assert_string_equal(virtio_arch_dir("i686"), "x86");
	assert_null(virtio_arch_dir("sparc"));
	assert_null(virtio_arch_dir(NULL));
}

static void t_installer(void **state)
{
	(void)state;
	static const struct buf nsis = BUF("MZ\x90\0 header ... \xef\xbe\xad\xdeNullsoftInst data"),
				inno = BUF("MZ stub Inno Setup Setup Data (6.2.0) (u)"), plain = BUF("MZ nothing special"),
				notpe = BUF("NullsoftInst but no MZ"), empty = BUF("");
	assert_int_equal(installer_kind(nsis.p, nsis.n), INSTALLER_NSIS);
	assert_int_equal(installer_kind(inno.p, inno.n), INSTALLER_INNO);
	assert_int_equal(installer_kind(plain.p, plain.n), INSTALLER_UNKNOWN);
	assert_int_equal(installer_kind(notpe.p, notpe.n), INSTALLER_UNKNOWN);
	assert_int_equal(installer_kind(empty.p, empty.n), INSTALLER_UNKNOWN);
	assert_string_equal(installer_silent_args(INSTALLER_NSIS)[0], "/S");
	assert_string_equal(installer_silent_args(INSTALLER_INNO)[0], "/VERYSILENT");
	assert_null(installer_silent_args(INSTALLER_UNKNOWN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_os_dirs),
		cmocka_unit_test(t_installer),
	};
	return cmocka_run_group_tests_name("virtio_src", tests, NULL, NULL);
}
