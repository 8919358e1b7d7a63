/* Shared helpers for the cmocka unit tests: NULL-safe string checks that name the table row. */
#ifndef CVMPREP_TEST_UNIT_H
#define CVMPREP_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

/* A byte buffer that may hold NULs: the length comes from the literal, not strlen. */
#define BUF(lit) { lit, sizeof(lit) - 1 }
struct buf {
	const char *p;
	size_t n;
};

/* Compare two strings, either of which may be NULL, and say which row and field differ. */
#define EXPECT_STR(row, what, got, want)                                                                  \
	do {                                                                                              \
		const char *g_ = (got), *w_ = (want);                                                     \
		if (!str_eq(g_, w_))                                                                      \
			fail_msg("row %zu (%s): %s: got '%s', want '%s'", (size_t)(row), (what), #got,    \
				 g_ ? g_ : "(null)", w_ ? w_ : "(null)");                                 \
	} while (0)

#define EXPECT_INT(row, what, got, want)                                                                  \
	do {                                                                                              \
		long long g_ = (long long)(got), w_ = (long long)(want);                                  \
		if (g_ != w_)                                                                             \
			fail_msg("row %zu (%s): %s: got %lld, want %lld", (size_t)(row), (what), #got, g_, \
				 w_);                                                                     \
	} while (0)

/* A strvec as "a|b|c" (caller frees), for comparing lists in one row field. */
static inline char *test_join(const struct strvec *sv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			strbuf_addch(&sb, '|');
		strbuf_addstr(&sb, sv->v[i]);
	}
	return strbuf_detach(&sb);
}

#define EXPECT_LIST(row, what, sv, want)                     \
	do {                                                 \
		char *j_ = test_join(sv);                    \
		if (!str_eq(j_, (want))) {                   \
			char *jj_ = j_;                      \
			j_ = NULL;                           \
			fail_msg("row %zu (%s): %s: got '%s', want '%s'", (size_t)(row), (what), #sv, jj_, \
				 (want));                    \
		}                                            \
		free(j_);                                    \
	} while (0)

#endif
