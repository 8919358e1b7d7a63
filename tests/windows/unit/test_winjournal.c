/*
 * Unit tests (Windows): the journal in a scratch %ProgramData%: a file replaced keeps its
 * attributes and comes back byte for byte with its times; a new file and new registry keys go
 * away on rollback; a file or value changed since the fix stops rollback unless forced.
 */
#include <errno.h>
#include <stdlib.h>
#include <windows.h>

#include "unit.h"

#include "reg.h"
#include "winsys.h"
#include "wjournal.h"
#include "banned.h"

#define KEY "HKCU\\Software\\cvmprep-unit-journal"
#ifndef ESTALE
#define ESTALE 116
#endif

static char *scratch;

static int setup(void **state)
{
	(void)state;
	char tmp[MAX_PATH];
	GetTempPathA(MAX_PATH, tmp);
	scratch = xasprintf("%scvmprep-unit-%lu", tmp, (unsigned long)GetCurrentProcessId());
	win_remove_tree(scratch);
	char *pd = win_path_join(scratch, "ProgramData");
	win_mkdirs(pd, NULL);
	SetEnvironmentVariableA("ProgramData", pd);
	free(pd);
	reg_delete_tree(KEY);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	win_remove_tree(scratch);
	reg_delete_tree(KEY);
	free(scratch);
	return 0;
}

static char *slurp(const char *path)
{
	char *d = NULL;
	size_t n = 0;
	return win_read_file(path, 1 << 20, &d, &n) == 0 ? d : NULL;
}

static void t_replace_rollback(void **state)
{
	(void)state;
	char *path = win_path_join(scratch, "conf.ini"), *created = win_path_join(scratch, "new\\dir\\created.txt");
	assert_int_equal(win_write_new(path, "old\r\n", 5), 0);
	wchar_t *w = win_widen(path);
	SetFileAttributesW(w, FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN);
	WIN32_FILE_ATTRIBUTE_DATA before, after;
	GetFileAttributesExW(w, GetFileExInfoStandard, &before);

	struct journal *j = NULL;
	assert_int_equal(journal_begin(NULL, "fix", &j), 0);
	assert_int_equal(journal_replace(j, path, "new\r\n", 5, 0644), 0);
	assert_int_equal(journal_replace(j, created, "x", 1, 0644), 0);
	struct reg_value v;
	reg_value_dword(&v, 0);
	assert_int_equal(journal_reg_set(j, KEY "\\svc", "Start", &v), 0);
	reg_value_free(&v);
	assert_int_equal(journal_end(j, true, NULL), 0);
	journal_free(j);

	char *got = slurp(path);
	assert_string_equal(got, "new\r\n");
	free(got);
	/* The replacement keeps the original's attributes (read-only and hidden). */
	assert_int_equal(GetFileAttributesW(w) & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN),
			 FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN);
	assert_true(reg_key_exists(KEY "\\svc"));

	struct changes ch = { 0 };
	char *conflict = NULL, *err = NULL;
	assert_int_equal(journal_rollback(NULL, NULL, false, &ch, &conflict, &err), 0);
	changes_free(&ch);
	got = slurp(path);
	assert_string_equal(got, "old\r\n");
	free(got);
	GetFileAttributesExW(w, GetFileExInfoStandard, &after);
	assert_int_equal(after.dwFileAttributes, before.dwFileAttributes);
	assert_memory_equal(&after.ftLastWriteTime, &before.ftLastWriteTime, sizeof(FILETIME));
	assert_null(slurp(created));
	char *dir = win_path_join(scratch, "new");
	wchar_t *wd = win_widen(dir);
	assert_int_equal(GetFileAttributesW(wd), INVALID_FILE_ATTRIBUTES);
	assert_false(reg_key_exists(KEY));
	/* Rolled back already. */
	assert_int_equal(journal_rollback(NULL, NULL, false, &ch, &conflict, &err), -ENOENT);
	free(err);
	changes_free(&ch);
	free(wd);
	free(dir);
	free(w);
	free(path);
	free(created);
}

static void t_conflict(void **state)
{
	(void)state;
	char *path = win_path_join(scratch, "other.conf");
	assert_int_equal(win_write_new(path, "a\n", 2), 0);
	struct journal *j = NULL;
	assert_int_equal(journal_begin(NULL, "fix", &j), 0);
	assert_int_equal(journal_replace(j, path, "b\n", 2, 0644), 0);
	struct reg_value v;
	reg_value_sz(&v, RT_SZ, "LocalSystem");
	assert_int_equal(journal_reg_set(j, KEY, "ObjectName", &v), 0);
	reg_value_free(&v);
	journal_end(j, true, NULL);
	journal_free(j);

	/* Someone edits the value after the fix: rollback names it and changes nothing. */
	reg_value_sz(&v, RT_SZ, "someone else");
	reg_put(KEY, "ObjectName", &v);
	reg_value_free(&v);
	struct changes ch = { 0 };
	char *conflict = NULL, *err = NULL;
	assert_int_equal(journal_rollback(NULL, NULL, false, &ch, &conflict, &err), -ESTALE);
	assert_non_null(strstr(conflict, "ObjectName"));
	assert_int_equal(ch.n, 0);
	char *got = slurp(path);
	assert_string_equal(got, "b\n");
	free(got);
	free(conflict);
	free(err);
	conflict = err = NULL;
	/* --force: everything back. */
	assert_int_equal(journal_rollback(NULL, NULL, true, &ch, &conflict, &err), 0);
	got = slurp(path);
	assert_string_equal(got, "a\n");
	free(got);
	assert_false(reg_key_exists(KEY));
	changes_free(&ch);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_replace_rollback),
		cmocka_unit_test(t_conflict),
	};
	return cmocka_run_group_tests_name("winjournal", tests, setup, teardown);
}
