/* Minimal edits of fstab lines (and of other whitespace-separated tables). */
#ifndef CVMPREP_FSTAB_EDIT_H
#define CVMPREP_FSTAB_EDIT_H

#include <stddef.h>

#include "util.h"

/* Replace field idx (0-based) of line lineno (1-based) with text; NULL if the line has no such field. */
char *fstab_set_field(const char *data, size_t len, unsigned lineno, int idx, const char *text, size_t *outlen);
/* Add opt to the options (4th) field of line lineno, adding "defaults,opt" when the field is missing. */
char *fstab_add_option(const char *data, size_t len, unsigned lineno, const char *opt, size_t *outlen);

#endif
