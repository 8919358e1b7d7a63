/*
 * The journal on Windows (agent/journal.h's contract, implemented in windows/journal_win.c):
 * runs live under %ProgramData%\cvmprep\runs\RUN_ID\ (the "journal" log and files\N, the saved
 * originals). Files are replaced through a temporary file in the same directory, flushed, then
 * MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH), keeping the original's
 * attributes and security descriptor; the original (bytes, attributes, times, security) is
 * saved and the journal flushed before the file is touched. Registry values are saved (type
 * and bytes, or absent) before they are set, and keys the run creates are recorded so that
 * rollback removes them when empty. Driver packages and MSI installs are recorded with what
 * undoes them. Rollback goes newest first and refuses, naming the file or value, when
 * something changed after the fix wrote it, unless forced.
 */
#ifndef CVMPREP_WJOURNAL_H
#define CVMPREP_WJOURNAL_H

#include "journal.h"
#include "reg.h"

/* %ProgramData%\cvmprep (where runs\ lives). */
char *journal_state_dir_win(void);

/* Set (or create, or delete when !v->present) a registry value, saving what was there. */
int journal_reg_set(struct journal *j, const char *key, const char *name, const struct reg_value *v);
/* A key an API is about to create (a certificate store entry): rollback deletes it. */
int journal_key_absent(struct journal *j, const char *key);
/* A driver package about to be staged, then staged as published (oemN.inf) in package. */
int journal_driver_begin(struct journal *j, const char *inf);
int journal_driver_staged(struct journal *j, const char *inf, const char *published, const char *package);
/* An MSI about to be installed: rollback uninstalls it (msiexec /x). */
int journal_msi(struct journal *j, const char *msi);

#endif
