/* Running the distribution's own tools: argv only (no shell), bounded output, a timeout. */
#ifndef CVMPREP_EXEC_H
#define CVMPREP_EXEC_H

#include <stdbool.h>
#include <stddef.h>

struct exec_result {
	int status;   /* exit status; 128+N for signal N; -errno when it could not be started */
	char *out;    /* stdout and stderr interleaved, at most the limit given, NUL-terminated */
	bool timed_out;
	bool truncated;
};

/*
 * Run argv[0] (looked up in PATH) with argv, stdin from /dev/null. chroot_dir, when not NULL,
 * runs it chrooted there. With bind_sys the child first enters a private mount namespace and
 * binds the host's /proc, /sys and /dev onto the target's (real directories inside the root
 * only), so that the mounts disappear with the process.
 */
int exec_run(const char *const argv[], const char *chroot_dir, int timeout_s, size_t max_out,
	     struct exec_result *r);
int exec_run_in(const char *const argv[], const char *chroot_dir, bool bind_sys, int timeout_s, size_t max_out,
		struct exec_result *r);
void exec_result_free(struct exec_result *r);
/* Whether a program is found in PATH. */
bool exec_have(const char *prog);

#endif
