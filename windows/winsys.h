/* Small Windows helpers for the Windows platform: UTF-8 and UTF-16, errors, known folders, processes. */
#ifndef CVMPREP_WINSYS_H
#define CVMPREP_WINSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "util.h"

/* UTF-8 to UTF-16; NULL for bytes that are not UTF-8. Caller frees. */
wchar_t *win_widen(const char *s);
/* UTF-16 (n units, or up to the NUL when n is (size_t)-1) to UTF-8; never NULL. */
char *win_narrow(const wchar_t *w, size_t n);
/* A Win32 error as -errno, for the path layer's messages. */
int win_errno(DWORD e);
/* A Win32 error as text ("Access is denied"), lowercase-first as our messages are. */
char *win_strerror(DWORD e);

/* An environment variable, or NULL. */
char *win_env(const char *name);
/* %SystemRoot% ("C:\Windows"). */
char *win_system_root(void);
/* The 64-bit System32 directory (Sysnative when a 32-bit build runs on 64-bit Windows). */
char *win_system32(void);
char *win_program_data(void);
/* The native Program Files folder (ProgramW6432 where it exists). */
char *win_program_files(void);
char *win_path_join(const char *dir, const char *name);
/* The directory part of a path ("C:\a\b.conf" -> "C:\a"), or "." */
char *win_dirname(const char *path);
const char *win_basename(const char *path);

/* The process runs with administrator rights (elevated, member of Administrators). */
bool win_is_admin(void);
bool win_is_wow64(void);
/* A function of a system DLL, loaded at run time (NULL when this Windows lacks it). */
void (*win_proc(const wchar_t *dll, const char *name))(void);

/* Quote an argument for a Windows command line (CommandLineToArgvW rules). */
void win_quote_arg(struct strbuf *sb, const char *arg);
/*
 * Run argv[0] (a full path) with argv, no window, stdout and stderr captured (at most 64 KiB
 * kept). Returns 0 with *status set, or -errno when it could not be started (*err set).
 */
int win_run(const char *const *argv, unsigned timeout_s, int *status, char **output, char **err);

/* Create path and its missing parents; created (if not NULL) gets the directories made, top first. */
int win_mkdirs(const char *path, struct strvec *created);
/* Read at most max bytes of a file. */
int win_read_file(const char *path, size_t max, char **data, size_t *len);
/* Write a new file (fails if it exists). */
int win_write_new(const char *path, const void *data, size_t len);
/* Remove a directory tree (files and subdirectories). */
int win_remove_tree(const char *path);

#endif
