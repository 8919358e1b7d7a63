/*
 * cloudbase-init's configuration files (cloudbase-init.conf, cloudbase-init-unattend.conf) as
 * cloudbase-init itself reads them (oslo.config's INI parser: indented continuation lines, a
 * blank line ends a value, no inline comments, the last assignment wins, any other line is a
 * parse error that stops the service), compared with Tencent Cloud's settings, and the edit
 * that makes a file use them while keeping every other line. Portable and pure: bytes in,
 * findings and bytes out.
 */
#ifndef CVMPREP_CBCONF_H
#define CVMPREP_CBCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* What cloudbase-init will make of a configuration file. */
struct cb_eval {
	bool readable;          /* oslo.config parses it (otherwise cloudbase-init stops at start) */
	struct strvec problems; /* each way it differs from Tencent's settings, naming the line */
	struct strvec evidence; /* the settings that matter as the file has them, with their lines */
};

void cb_eval(const char *data, size_t len, struct cb_eval *ev);
void cb_eval_free(struct cb_eval *ev);

/*
 * Tencent's settings applied to data (NULL: the file does not exist yet; eol: the line ending of
 * a new file): keys set or added in [DEFAULT], lines the parser rejects commented out, a UTF-8
 * byte order mark dropped; every other byte kept. Returns 0 with *out (equal to data when
 * nothing needs to change), or -EINVAL with *why for a file cvmprep will not edit (UTF-16,
 * NUL bytes).
 */
int cb_fix(const char *data, size_t len, const char *eol, char **out, size_t *out_len, char **why);

/* Split a Windows command line into arguments as CommandLineToArgvW does. */
void cb_split_cmdline(const char *cmdline, struct strvec *argv);
/* The file a service command line names with --config-file (or --config-file=), or NULL. */
char *cb_config_from_cmdline(const char *cmdline);

#endif
