/* Running the distribution's own tools: fork/exec with a pipe, a poll loop and a deadline. */
#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "banned.h"

bool exec_have(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	struct strvec dirs = STRVEC_INIT;
	str_split(&dirs, path, ":");
	bool found = false;
	for (size_t i = 0; i < dirs.n && !found; i++) {
		char *p = xasprintf("%s/%s", dirs.v[i], prog);
		struct stat st;
		found = stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
		free(p);
	}
	strvec_clear(&dirs);
	return found;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int exec_run(const char *const argv[], const char *chroot_dir, int timeout_s, size_t max_out,
	     struct exec_result *r)
{
	return exec_run_in(argv, chroot_dir, false, timeout_s, max_out, r);
}

/*
 * In the child: a private mount namespace with the host's /proc, /sys and /dev bound onto the
 * target's. Descriptors opened before unshare() name mounts of the old namespace, so the target
 * directories are opened again here, inside the root and refusing symlinks (a link in the tree
 * must not redirect a bind mount onto the host).
 */
static int bind_into(const char *root)
{
	static const char *const dirs[3] = { "proc", "sys", "dev" };
	if (unshare(CLONE_NEWNS) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		struct open_how how;
		memset(&how, 0, sizeof(how));
		how.flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
		how.resolve = 0x10 /* RESOLVE_IN_ROOT */ | 0x04 /* RESOLVE_NO_SYMLINKS */;
		long fd = syscall(SYS_openat2, rootfd, dirs[i], &how, sizeof(how));
		if (fd < 0 && (errno == ENOSYS || errno == EPERM))
			fd = openat(rootfd, dirs[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue; /* the target has no such directory: the tool does without */
		char src[16], target[64];
		snprintf(src, sizeof(src), "/%s", dirs[i]);
		snprintf(target, sizeof(target), "/proc/self/fd/%ld", fd);
		int r = mount(src, target, NULL, MS_BIND | MS_REC, NULL);
		close((int)fd);
		if (r < 0) {
			close(rootfd);
			return -1;
		}
	}
	close(rootfd);
	return 0;
}

int exec_run_in(const char *const argv[], const char *chroot_dir, bool bind_sys, int timeout_s, size_t max_out,
		struct exec_result *r)
{
	memset(r, 0, sizeof(*r));
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return r->status = -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return r->status = e;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		/* Its own process group, so that a timeout kills whatever it started too. */
		setpgid(0, 0);
		if (bind_sys && chroot_dir && bind_into(chroot_dir) < 0) {
			dprintf(2, "cvmprep: could not set up /proc, /sys and /dev for the chroot: %s\n", strerror(errno));
			_exit(126);
		}
		if (chroot_dir && (chroot(chroot_dir) < 0 || chdir("/") < 0))
			_exit(127);
		/* A sane environment for the distribution's scripts. */
		setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
		setenv("LC_ALL", "C", 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	struct strbuf sb = STRBUF_INIT;
	long long deadline = timeout_s > 0 ? now_ms() + (long long)timeout_s * 1000 : 0;
	for (;;) {
		int wait_ms = -1;
		if (deadline) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				r->timed_out = true;
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				break;
			}
			wait_ms = left > 1000 ? 1000 : (int)left;
		}
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int n = poll(&p, 1, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			continue;
		char buf[8192];
		ssize_t got = read(pfd[0], buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		size_t room = max_out > sb.len ? max_out - sb.len : 0;
		if ((size_t)got > room) {
			r->truncated = true;
			got = (ssize_t)room;
		}
		strbuf_add(&sb, buf, (size_t)got);
	}
	close(pfd[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	r->out = strbuf_detach(&sb);
	return 0;
}

void exec_result_free(struct exec_result *r)
{
	free(r->out);
	r->out = NULL;
}
