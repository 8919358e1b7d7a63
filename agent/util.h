/* Small portable helpers: checked allocation, growable strings and string lists. */
#ifndef CVMPREP_UTIL_H
#define CVMPREP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__MINGW32__)
/* Built with __USE_MINGW_ANSI_STDIO=1: C99 formats (%zu, %llu) through mingw's own printf. */
#define ATTR_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#define ATTR_NORETURN __attribute__((noreturn))
#define ATTR_MALLOC __attribute__((malloc))
#elif defined(__GNUC__)
#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ATTR_NORETURN __attribute__((noreturn))
#define ATTR_MALLOC __attribute__((malloc))
#else
#define ATTR_PRINTF(f, a)
#define ATTR_NORETURN
#define ATTR_MALLOC
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failure is not something a one-shot tool can recover from: these abort with a message. */
ATTR_MALLOC void *xmalloc(size_t n);
ATTR_MALLOC void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
ATTR_MALLOC char *xstrdup(const char *s);
ATTR_MALLOC char *xstrndup(const char *s, size_t n);
ATTR_MALLOC char *xasprintf(const char *fmt, ...) ATTR_PRINTF(1, 2);
ATTR_MALLOC char *xvasprintf(const char *fmt, va_list ap) ATTR_PRINTF(1, 0);
ATTR_NORETURN void die_oom(void);

/* A growable NUL-terminated byte string. Zero-initialise with STRBUF_INIT. */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) ATTR_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) ATTR_PRINTF(2, 0);
void strbuf_reset(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb); /* never NULL */
const char *strbuf_str(const struct strbuf *sb); /* "" when empty */
void strbuf_release(struct strbuf *sb);

/* An owned list of owned strings. */
struct strvec {
	char **v;
	size_t n;
	size_t alloc;
};
#define STRVEC_INIT { NULL, 0, 0 }
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...) ATTR_PRINTF(2, 3);
void strvec_push_nodup(struct strvec *sv, char *s);
bool strvec_contains(const struct strvec *sv, const char *s);
void strvec_sort(struct strvec *sv);
void strvec_clear(struct strvec *sv);

bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
bool str_eq(const char *a, const char *b); /* NULL-safe */
char *str_trim(char *s);                    /* in place; returns s advanced past leading space */
bool str_is_blank(const char *s);
int str_casecmp(const char *a, const char *b);
/* Split s on any of seps, skipping empty fields, into sv (appended). */
void str_split(struct strvec *sv, const char *s, const char *seps);
/* Replace control characters (and invalid bytes) so untrusted text is safe to print on a terminal. */
char *str_printable(const char *s, size_t max);

/* Human-readable byte counts: "1.5 GiB" and "1.6 GB". */
char *fmt_bytes_iec(uint64_t n);
char *fmt_bytes_si(uint64_t n);

#endif
