/*
 * The part of cmocka's API the unit tests use, for the Windows build: cmocka is not packaged for
 * mingw-w64, so the same test sources (tests/unit/test_*.c) are compiled against this header and
 * print the same TAP lines ("ok N - name", "not ok N - name", "1..N") under Wine.
 */
#ifndef CVMPREP_CMOCKA_SHIM_H
#define CVMPREP_CMOCKA_SHIM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct CMUnitTest {
	const char *name;
	void (*test_func)(void **state);
};

#define cmocka_unit_test(f) { #f, f }

static jmp_buf cm_jmp;
static volatile int cm_outcome; /* 0 pass, 1 fail, 2 skip */

static void cm_stop(int outcome)
{
	cm_outcome = outcome;
	longjmp(cm_jmp, 1);
}

__attribute__((format(gnu_printf, 1, 2))) static inline void print_message(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	va_end(ap);
}

__attribute__((format(gnu_printf, 3, 4), noreturn)) static inline void cm_fail(const char *file, int line, const char *fmt,
									       ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# %s:%d: ", file, line);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	cm_stop(1);
	__builtin_unreachable();
}

#define fail() cm_fail(__FILE__, __LINE__, "failed")
#define fail_msg(...) cm_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip() cm_stop(2)
#define assert_true(c) ((c) ? (void)0 : cm_fail(__FILE__, __LINE__, "%s is false", #c))
#define assert_false(c) (!(c) ? (void)0 : cm_fail(__FILE__, __LINE__, "%s is true", #c))
#define assert_non_null(p) ((p) ? (void)0 : cm_fail(__FILE__, __LINE__, "%s is NULL", #p))
#define assert_null(p) (!(p) ? (void)0 : cm_fail(__FILE__, __LINE__, "%s is not NULL", #p))
#define assert_int_equal(a, b)                                                                                   \
	do {                                                                                                     \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);                   \
		if (a_ != b_)                                                                                    \
			cm_fail(__FILE__, __LINE__, "%s = %llu (%#llx), want %llu (%#llx)", #a, a_, a_, b_, b_); \
	} while (0)
#define assert_int_not_equal(a, b)                                                                    \
	do {                                                                                          \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);        \
		if (a_ == b_)                                                                         \
			cm_fail(__FILE__, __LINE__, "%s = %llu, want anything else", #a, a_);         \
	} while (0)
#define assert_string_equal(a, b)                                                                         \
	do {                                                                                              \
		const char *a_ = (a), *b_ = (b);                                                          \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                    \
			cm_fail(__FILE__, __LINE__, "%s = \"%s\", want \"%s\"", #a, a_ ? a_ : "(null)", \
				b_ ? b_ : "(null)");                                                      \
	} while (0)
#define assert_string_not_equal(a, b)                                                      \
	do {                                                                               \
		const char *a_ = (a), *b_ = (b);                                           \
		if (a_ && b_ && strcmp(a_, b_) == 0)                                       \
			cm_fail(__FILE__, __LINE__, "%s = \"%s\", want another", #a, a_); \
	} while (0)
#define assert_memory_equal(a, b, n)                                                   \
	do {                                                                           \
		if (memcmp((a), (b), (n)) != 0)                                        \
			cm_fail(__FILE__, __LINE__, "%s and %s differ", #a, #b);       \
	} while (0)

typedef int (*cm_fixture)(void **state);

static inline int cm_run(const char *group, const struct CMUnitTest *tests, size_t n, cm_fixture setup,
			 cm_fixture teardown)
{
	void *state = NULL;
	volatile int failed = 0;
	printf("# %s\n1..%zu\n", group, n);
	if (setup && setup(&state) != 0) {
		for (size_t i = 0; i < n; i++)
			printf("not ok %zu - %s\n", i + 1, tests[i].name);
		return (int)n;
	}
	for (volatile size_t i = 0; i < n; i++) {
		cm_outcome = 0;
		if (setjmp(cm_jmp) == 0)
			tests[i].test_func(&state);
		if (cm_outcome == 2)
			printf("ok %zu - %s # SKIP\n", i + 1, tests[i].name);
		else
			printf("%s %zu - %s\n", cm_outcome ? "not ok" : "ok", i + 1, tests[i].name);
		failed += cm_outcome == 1;
		fflush(stdout);
	}
	if (teardown)
		teardown(&state);
	return failed;
}

#define cmocka_run_group_tests_name(name, tests, setup, teardown) \
	cm_run((name), (tests), sizeof(tests) / sizeof((tests)[0]), (setup), (teardown))
#define cmocka_run_group_tests(tests, setup, teardown) \
	cm_run(#tests, (tests), sizeof(tests) / sizeof((tests)[0]), (setup), (teardown))

#endif
