/*
 * A line-preserving INI document: every line keeps its original bytes, so that an edit can
 * change one value and write every other byte back unchanged (cloudbase-init.conf), and so that
 * a reader can name the line of anything it complains about. Tolerant: a line that is neither
 * blank, comment, section, key nor continuation is kept as "junk" for the caller to judge.
 */
#ifndef CVMPREP_INIDOC_H
#define CVMPREP_INIDOC_H

#include <stddef.h>

enum ini_kind { INI_BLANK, INI_COMMENT, INI_SECTION, INI_KEY, INI_CONT, INI_JUNK };

struct ini_line {
	enum ini_kind kind;
	char *raw;     /* the line without its line ending */
	char *section; /* INI_SECTION: its name; other kinds: the section they are in ("" before any) */
	char *key;     /* INI_KEY, INI_CONT (the key continued) */
	char *value;   /* INI_KEY: the value, trimmed, without an inline comment; INI_CONT: the text */
};

struct ini_doc {
	struct ini_line *v;
	size_t n;
	char *eol; /* "\n" or "\r\n", as the document uses */
};

void ini_doc_parse(const char *data, size_t len, struct ini_doc *d);
void ini_doc_free(struct ini_doc *d);

#endif
