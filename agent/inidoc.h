/*
 * A line-preserving INI document: every line keeps its original bytes, so that an edit can
 * change one value and write every other byte back unchanged (cloudbase-init.conf), and so that
 * a reader can name the line of anything it complains about. Tolerant: a line that is neither
 * blank, comment, section, key nor continuation is kept as "junk" for the caller to judge.
 *
 * Editing: ini_doc_insert/replace/remove change lines by index (the document is parsed again
 * after each edit, so kinds, sections and keys stay true); ini_doc_write gives the bytes back.
 * A document parsed and written without edits is identical to its input, byte for byte, as
 * long as the input holds no NUL byte (line endings, a byte order mark and a missing final
 * newline included).
 */
#ifndef CVMPREP_INIDOC_H
#define CVMPREP_INIDOC_H

#include <stdbool.h>
#include <stddef.h>

enum ini_kind { INI_BLANK, INI_COMMENT, INI_SECTION, INI_KEY, INI_CONT, INI_JUNK };

struct ini_line {
	enum ini_kind kind;
	char *raw;     /* the line without its line ending */
	char *section; /* INI_SECTION: its name; other kinds: the section they are in ("" before any) */
	char *key;     /* INI_KEY, INI_CONT (the key continued) */
	char *value;   /* INI_KEY: the value, trimmed, without an inline comment; INI_CONT: the text */
	char *end;     /* the line's own ending: "\n", "\r\n", "\r" (last line), or "" (no final newline) */
};

struct ini_doc {
	struct ini_line *v;
	size_t n;
	char *eol; /* "\n" or "\r\n", as the document uses */
	bool bom;  /* it starts with a UTF-8 byte order mark */
};

#define INI_NONE ((size_t)-1)

void ini_doc_parse(const char *data, size_t len, struct ini_doc *d);
void ini_doc_free(struct ini_doc *d);

/* The document's bytes (byte order mark, lines and their endings); *len gets the length. */
char *ini_doc_write(const struct ini_doc *d, size_t *len);
/* Insert a line (raw, without ending) before index at (at == d->n appends). */
void ini_doc_insert(struct ini_doc *d, size_t at, const char *raw);
/* Replace the text of line i, keeping its line ending. */
void ini_doc_replace(struct ini_doc *d, size_t i, const char *raw);
void ini_doc_remove(struct ini_doc *d, size_t i);
/* Drop (or add) the byte order mark. */
void ini_doc_set_bom(struct ini_doc *d, bool bom);

#endif
