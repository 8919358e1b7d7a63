/* Unit tests (Windows): registry values as bytes, shown and journaled, and the registry itself under HKCU. */
#include <stdlib.h>

#include "unit.h"

#include "reg.h"
#include "banned.h"

#define TEST_KEY "HKCU\\Software\\cvmprep-unit-test"

static void t_encode(void **state)
{
	(void)state;
	struct reg_value v, back;
	const char *items[] = { "viostor.inf_amd64_1", "second" };
	struct reg_value rows[5];
	reg_value_dword(&rows[0], 0x12345678);
	reg_value_sz(&rows[1], RT_SZ, "SCSI miniport");
	reg_value_sz(&rows[2], RT_EXPAND_SZ, "system32\\drivers\\viostor.sys");
	reg_value_multi(&rows[3], items, 2);
	reg_value_binary(&rows[4], "\x01\xff\x00\x00", 4);
	static const char *const shown[] = {
		"REG_DWORD 0x12345678 (305419896)",
		"REG_SZ \"SCSI miniport\"",
		"REG_EXPAND_SZ \"system32\\drivers\\viostor.sys\"",
		"REG_MULTI_SZ \"viostor.inf_amd64_1\", \"second\"",
		"REG_BINARY 01 ff 00 00",
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *e = reg_value_encode(&rows[i]);
		assert_int_equal(reg_value_decode(e, &back), 0);
		if (!reg_value_eq(&rows[i], &back))
			fail_msg("row %zu: '%s' did not decode to the same value", i, e);
		char *s = reg_value_show(&rows[i]);
		EXPECT_STR(i, "shown", s, shown[i]);
		free(s);
		free(e);
		reg_value_free(&back);
		reg_value_free(&rows[i]);
	}
	/* Absent values and damaged journal fields. */
	memset(&v, 0, sizeof(v));
	char *e = reg_value_encode(&v);
	assert_string_equal(e, "-");
	assert_int_equal(reg_value_decode(e, &back), 0);
	assert_false(back.present);
	free(e);
	static const char *const bad[] = { "", "4", "4:0", "4:zz", "x:00", "99999999:00", "4:0g" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (reg_value_decode(bad[i], &back) == 0)
			fail_msg("'%s' decoded", bad[i]);
}

static void t_live(void **state)
{
	(void)state;
	reg_delete_tree(TEST_KEY);
	struct strvec created = STRVEC_INIT;
	assert_int_equal(reg_create_key(TEST_KEY "\\a\\b", &created), 0);
	assert_int_equal(created.n, 3);
	strvec_clear(&created);
	struct reg_value v, got;
	reg_value_dword(&v, 7);
	assert_int_equal(reg_put(TEST_KEY "\\a\\b", "Start", &v), 0);
	uint32_t x = 0;
	assert_int_equal(reg_get_dword(TEST_KEY "\\a\\b", "Start", &x), 0);
	assert_int_equal(x, 7);
	assert_int_equal(reg_get(TEST_KEY "\\a\\b", "Start", &got), 0);
	assert_true(reg_value_eq(&v, &got));
	reg_value_free(&got);
	reg_value_free(&v);
	/* A wrong type is not a DWORD; a missing value is absent, not an error. */
	reg_value_sz(&v, RT_SZ, "text");
	assert_int_equal(reg_put(TEST_KEY "\\a\\b", "Name", &v), 0);
	assert_int_equal(reg_get_dword(TEST_KEY "\\a\\b", "Name", &x), -EINVAL);
	char *s = reg_get_string(TEST_KEY "\\a\\b", "Name");
	assert_string_equal(s, "text");
	free(s);
	reg_value_free(&v);
	assert_int_equal(reg_get(TEST_KEY "\\a\\b", "Nothing", &got), 0);
	assert_false(got.present);
	assert_int_equal(reg_get(TEST_KEY "\\no\\such", "x", &got), 0);
	assert_false(got.present);
	/* Not empty: kept. */
	assert_int_equal(reg_delete_empty_key(TEST_KEY "\\a\\b"), -ENOTEMPTY);
	struct strvec names = STRVEC_INIT;
	assert_int_equal(reg_values(TEST_KEY "\\a\\b", &names), 0);
	EXPECT_LIST(0, "values", &names, "Name|Start");
	strvec_clear(&names);
	assert_int_equal(reg_delete_tree(TEST_KEY), 0);
	assert_false(reg_key_exists(TEST_KEY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_encode),
		cmocka_unit_test(t_live),
	};
	return cmocka_run_group_tests_name("winreg", tests, NULL, NULL);
}
