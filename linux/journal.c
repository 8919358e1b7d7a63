/* The journal and atomic file replacement on Linux (the contract is in agent/journal.h). */
#define _GNU_SOURCE
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "rootfs_write.h"
#include "version.h"
#include "banned.h"

#define RUNS_DIR JOURNAL_STATE_DIR "/runs"
#define SELINUX_XATTR "security.selinux"
#define TMP_TAG ".cvmprep-tmp-"

/* ---- fault injection for the crash-safety test: SIGKILL at the Nth step ---- */

static long crash_at = -1, steps;

static void step(void)
{
	if (crash_at < 0) {
		const char *s = getenv("CVMPREP_TEST_CRASH_AT");
		crash_at = s && *s ? strtol(s, NULL, 10) : 0;
	}
	if (crash_at > 0 && ++steps == crash_at)
		raise(SIGKILL);
}

/* ---- the temporary file being written, removed if a signal ends us ---- */

static volatile sig_atomic_t tmp_dfd = -1;
static char tmp_name[NAME_MAX + 1];
static struct sigaction old_act[3];
static const int caught[3] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig)
{
	if (tmp_dfd >= 0 && tmp_name[0])
		unlinkat(tmp_dfd, tmp_name, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(caught[i], &sa, &old_act[i]);
}

static void signals_restore(void)
{
	for (int i = 0; i < 3; i++)
		sigaction(caught[i], &old_act[i], NULL);
}

static void tmp_set(int dfd, const char *name)
{
	tmp_dfd = -1;
	snprintf(tmp_name, sizeof(tmp_name), "%s", name ? name : "");
	tmp_dfd = name ? dfd : -1;
}

/* ---- journal lines: tab-separated, fields escaped ---- */

static char *esc(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '%' || *p < 0x20 || *p == 0x7f)
			strbuf_addf(&sb, "%%%02X", *p);
		else
			strbuf_addch(&sb, (char)*p);
	}
	if (!sb.len)
		strbuf_addstr(&sb, "%00"); /* an empty field stays a field */
	return strbuf_detach(&sb);
}

static char *unesc(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (; *s; s++) {
		if (*s == '%' && s[1] && s[2]) {
			char hex[3] = { s[1], s[2], 0 };
			char c = (char)strtol(hex, NULL, 16);
			if (c)
				strbuf_addch(&sb, c);
			s += 2;
		} else {
			strbuf_addch(&sb, *s);
		}
	}
	return strbuf_detach(&sb);
}

struct entry {
	struct strvec f; /* unescaped fields; f.v[0] is the kind */
};

struct journal {
	struct rootfs *rfs;
	char *id;
	char *dir; /* target path of the run directory */
	int dirfd, filesfd, logfd;
	unsigned next;
	struct changes changes;
	struct strvec preserved; /* "N\tpath" of files kept by journal_preserve */
};

static int jline(struct journal *j, const char *kind, int nf, ...)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, kind);
	va_list ap;
	va_start(ap, nf);
	for (int i = 0; i < nf; i++) {
		char *e = esc(va_arg(ap, const char *));
		strbuf_addch(&sb, '\t');
		strbuf_addstr(&sb, e);
		free(e);
	}
	va_end(ap);
	strbuf_addch(&sb, '\n');
	int ret = 0;
	const char *p = sb.buf;
	size_t n = sb.len;
	while (n) {
		ssize_t w = write(j->logfd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	if (ret == 0 && fsync(j->logfd) < 0)
		ret = -errno;
	strbuf_release(&sb);
	return ret;
}

static char *num(unsigned long long v)
{
	return xasprintf("%llu", v);
}

/* ---- file helpers ---- */

static int copy_stream(int in, int out, uLong *crc, unsigned long long *size)
{
	char buf[65536];
	*crc = crc32(0L, Z_NULL, 0);
	*size = 0;
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return 0;
		*crc = crc32_z(*crc, (const Bytef *)buf, (size_t)r);
		*size += (unsigned long long)r;
		for (ssize_t off = 0; out >= 0 && off < r;) {
			ssize_t w = write(out, buf + off, (size_t)(r - off));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			off += w;
		}
	}
}

/* CRC-32 and size of a file by (dirfd, name); -ENOENT when absent. */
static int file_sum(int dfd, const char *name, uLong *crc, unsigned long long *size)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ROOTFS_ENOTREG;
	}
	int e = copy_stream(fd, -1, crc, size);
	close(fd);
	return e;
}

static char *get_label(int fd)
{
	char buf[1024];
	ssize_t n = fgetxattr(fd, SELINUX_XATTR, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

struct meta {
	unsigned mode, uid, gid;
	struct timespec atime, mtime;
	char *label;
};

static char *ts(const struct timespec *t)
{
	return xasprintf("%lld.%09ld", (long long)t->tv_sec, t->tv_nsec);
}

static void parse_ts(const char *s, struct timespec *t)
{
	char *end;
	t->tv_sec = strtoll(s, &end, 10);
	t->tv_nsec = *end == '.' ? strtol(end + 1, NULL, 10) : 0;
}

/*
 * Write data (or the content of src_fd) to a temporary file beside name in dfd, give it the
 * metadata m, sync it and rename it over name; sync the directory.
 */
static int atomic_install(struct journal *j, const char *path, int dfd, const char *name, const void *data, size_t len,
			  int src_fd, const struct meta *m, bool keep_times)
{
	char tmp[NAME_MAX + 1];
	static unsigned counter;
	snprintf(tmp, sizeof(tmp), "%.*s%s%d-%u", 100, name, TMP_TAG, (int)getpid(), counter++);
	int ret = 0;
	if (j) {
		ret = jline(j, "tmp", 2, path, tmp);
		if (ret < 0)
			return ret;
	}
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	tmp_set(dfd, tmp);
	if (src_fd >= 0) {
		uLong crc;
		unsigned long long size;
		ret = copy_stream(src_fd, fd, &crc, &size);
	} else {
		const char *p = data;
		size_t n = len;
		while (n && ret == 0) {
			ssize_t w = write(fd, p, n);
			if (w < 0) {
				if (errno != EINTR)
					ret = -errno;
				continue;
			}
			p += w;
			n -= (size_t)w;
		}
	}
	if (ret == 0 && fchown(fd, m->uid, m->gid) < 0 && errno != EPERM)
		ret = -errno;
	if (ret == 0 && fchmod(fd, m->mode & 07777) < 0)
		ret = -errno;
	if (ret == 0 && m->label)
		fsetxattr(fd, SELINUX_XATTR, m->label, strlen(m->label) + 1, 0);
	if (ret == 0 && keep_times) {
		struct timespec t[2] = { m->atime, m->mtime };
		futimens(fd, t);
	}
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	close(fd);
	if (ret == 0) {
		step();
		if (renameat(dfd, tmp, dfd, name) < 0)
			ret = -errno;
	}
	if (ret < 0)
		unlinkat(dfd, tmp, 0);
	tmp_set(-1, NULL);
	if (ret == 0 && fsync(dfd) < 0)
		ret = -errno;
	return ret;
}

/* ---- begin / end ---- */

int journal_begin(struct rootfs *rfs, const char *command, struct journal **out)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char id[64];
	snprintf(id, sizeof(id), "%04d%02d%02dT%02d%02d%02dZ-%d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)getpid());
	struct journal *j = xcalloc(1, sizeof(*j));
	j->rfs = rfs;
	j->id = xstrdup(id);
	j->dir = xasprintf("%s/%s", RUNS_DIR, id);
	j->dirfd = j->filesfd = j->logfd = -1;
	char *files = xasprintf("%s/files", j->dir);
	/* /var/lib/cvmprep/runs as a system directory would be; only the run's own are private (0700):
	 * they hold copies of files such as /etc/shadow. */
	int ret = rootfs_mkdirs(rfs, RUNS_DIR, 0755);
	if (ret == 0)
		ret = rootfs_mkdirs(rfs, files, 0700);
	if (ret == 0) {
		j->dirfd = rootfs_open_fd(rfs, j->dir, O_RDONLY | O_DIRECTORY, false);
		j->filesfd = rootfs_open_fd(rfs, files, O_RDONLY | O_DIRECTORY, false);
		if (j->dirfd < 0 || j->filesfd < 0)
			ret = j->dirfd < 0 ? j->dirfd : j->filesfd;
	}
	free(files);
	if (ret == 0) {
		j->logfd = openat(j->dirfd, "journal", O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
		if (j->logfd < 0)
			ret = -errno;
	}
	if (ret == 0) {
		char *when = xasprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				       tm.tm_hour, tm.tm_min, tm.tm_sec);
		ret = jline(j, "begin", 4, id, command, CVMPREP_VERSION, when);
		free(when);
		if (ret == 0 && fsync(j->dirfd) < 0)
			ret = -errno;
	}
	if (ret < 0) {
		journal_free(j);
		return ret;
	}
	signals_install();
	*out = j;
	return 0;
}

const char *journal_run_id(const struct journal *j)
{
	return j->id;
}

const char *journal_dir(const struct journal *j)
{
	return j->dir;
}

struct changes *journal_changes(struct journal *j)
{
	return &j->changes;
}

int journal_end(struct journal *j, bool ok, const char *reason)
{
	return ok ? jline(j, "end", 1, "ok") : jline(j, "end", 2, "failed", reason ? reason : "");
}

void journal_free(struct journal *j)
{
	if (!j)
		return;
	signals_restore();
	if (j->logfd >= 0)
		close(j->logfd);
	if (j->filesfd >= 0)
		close(j->filesfd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	changes_free(&j->changes);
	strvec_clear(&j->preserved);
	free(j->id);
	free(j->dir);
	free(j);
}

/* ---- saving originals ---- */

/* Copy the original of (dfd, name) into files/N and log a "save" line. *n_out gets N. */
static int save_original(struct journal *j, const char *path, int dfd, const char *name, const char *kind,
			 unsigned *n_out, struct meta *m)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ROOTFS_ENOTREG;
	}
	unsigned n = ++j->next;
	char nbuf[32];
	snprintf(nbuf, sizeof(nbuf), "%u", n);
	int out = openat(j->filesfd, nbuf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	uLong crc;
	unsigned long long size;
	int ret = copy_stream(fd, out, &crc, &size);
	if (ret == 0 && fsync(out) < 0)
		ret = -errno;
	close(out);
	m->mode = st.st_mode & 07777;
	m->uid = st.st_uid;
	m->gid = st.st_gid;
	m->atime = st.st_atim;
	m->mtime = st.st_mtim;
	m->label = get_label(fd);
	close(fd);
	if (ret == 0 && fsync(j->filesfd) < 0)
		ret = -errno;
	if (ret == 0) {
		char *a = num(n), *mo = xasprintf("%o", m->mode), *u = num(m->uid), *g = num(m->gid), *at = ts(&m->atime),
		     *mt = ts(&m->mtime), *sz = num(size), *cr = num(crc);
		ret = jline(j, kind, 10, a, path, mo, u, g, at, mt, sz, cr, m->label ? m->label : "-");
		free(a);
		free(mo);
		free(u);
		free(g);
		free(at);
		free(mt);
		free(sz);
		free(cr);
	}
	*n_out = n;
	return ret;
}

static int log_wrote(struct journal *j, unsigned n, const char *path, int dfd, const char *name)
{
	uLong crc;
	unsigned long long size;
	int e = file_sum(dfd, name, &crc, &size);
	if (e < 0)
		return e;
	char *a = num(n), *sz = num(size), *cr = num(crc);
	e = jline(j, "wrote", 4, a, path, sz, cr);
	free(a);
	free(sz);
	free(cr);
	return e;
}

/* Create the missing directories above path (0755), each logged so that rollback removes it. */
static int make_parents(struct journal *j, const char *path)
{
	struct strvec parts = STRVEC_INIT;
	str_split(&parts, path, "/");
	struct strbuf cur = STRBUF_INIT;
	int ret = 0;
	for (size_t i = 0; i + 1 < parts.n && ret == 0; i++) {
		strbuf_addch(&cur, '/');
		strbuf_addstr(&cur, parts.v[i]);
		if (rootfs_is_dir(j->rfs, strbuf_str(&cur)))
			continue;
		ret = jline(j, "mkdir", 2, "0", strbuf_str(&cur));
		if (ret == 0)
			ret = rootfs_mkdirs(j->rfs, strbuf_str(&cur), 0755);
		if (ret == 0)
			changes_add(&j->changes, "mkdir", strbuf_str(&cur), 0, NULL);
	}
	strbuf_release(&cur);
	strvec_clear(&parts);
	return ret;
}

int journal_replace(struct journal *j, const char *path, const void *data, size_t len, unsigned mode)
{
	int dfd;
	char *name;
	int ret = make_parents(j, path);
	if (ret < 0)
		return ret;
	ret = rootfs_parent(j->rfs, path, true, &dfd, &name);
	if (ret < 0)
		return ret;
	struct meta m = { .mode = mode, .uid = 0, .gid = 0 };
	unsigned n = 0;
	struct stat st;
	bool exists = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists) {
		ret = save_original(j, path, dfd, name, "save", &n, &m);
	} else {
		n = ++j->next;
		char *a = num(n);
		ret = jline(j, "absent", 2, a, path);
		free(a);
	}
	if (ret == 0) {
		step();
		ret = atomic_install(j, path, dfd, name, data, len, -1, &m, false);
	}
	if (ret == 0) {
		step();
		ret = log_wrote(j, n, path, dfd, name);
	}
	if (ret == 0)
		changes_add(&j->changes, exists ? "write" : "create", path, 0, NULL);
	free(m.label);
	free(name);
	close(dfd);
	return ret;
}

int journal_move_aside(struct journal *j, const char *path)
{
	int dfd;
	char *name;
	int ret = rootfs_parent(j->rfs, path, false, &dfd, &name);
	if (ret < 0)
		return ret;
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = -errno;
		goto out;
	}
	unsigned n = ++j->next;
	char nbuf[32];
	snprintf(nbuf, sizeof(nbuf), "%u", n);
	char *a = num(n), *mo = xasprintf("%o", (unsigned)st.st_mode);
	ret = jline(j, "move", 3, a, path, mo);
	free(a);
	free(mo);
	if (ret < 0)
		goto out;
	step();
	if (renameat(dfd, name, j->filesfd, nbuf) < 0) {
		if (errno != EXDEV || !S_ISREG(st.st_mode)) {
			ret = -errno;
			goto out;
		}
		/* Another filesystem: copy into the journal, sync, then unlink the original. */
		int in = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		int outfd = in < 0 ? -1 : openat(j->filesfd, nbuf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
		uLong crc;
		unsigned long long size;
		ret = in < 0 || outfd < 0 ? -errno : copy_stream(in, outfd, &crc, &size);
		if (ret == 0 && fsync(outfd) < 0)
			ret = -errno;
		if (in >= 0)
			close(in);
		if (outfd >= 0)
			close(outfd);
		if (ret == 0 && unlinkat(dfd, name, 0) < 0)
			ret = -errno;
		if (ret < 0)
			goto out;
	}
	fsync(j->filesfd);
	fsync(dfd);
	a = num(n);
	ret = jline(j, "moved", 2, a, path);
	free(a);
	if (ret == 0) {
		char *to = xasprintf("%s/files/%u", j->dir, n);
		changes_add(&j->changes, "move-aside", path, 0, "moved to %s", to);
		free(to);
	}
out:
	free(name);
	close(dfd);
	return ret;
}

int journal_symlink(struct journal *j, const char *path, const char *target)
{
	int dfd;
	char *name;
	int ret = make_parents(j, path);
	if (ret < 0)
		return ret;
	ret = rootfs_parent(j->rfs, path, false, &dfd, &name);
	if (ret < 0)
		return ret;
	unsigned n = ++j->next;
	char *a = num(n);
	ret = jline(j, "absent", 2, a, path);
	if (ret == 0) {
		step();
		if (symlinkat(target, dfd, name) < 0)
			ret = -errno;
		else
			fsync(dfd);
	}
	if (ret == 0)
		ret = jline(j, "linked", 3, a, path, target);
	if (ret == 0)
		changes_add(&j->changes, "symlink", path, 0, "-> %s", target);
	free(a);
	free(name);
	close(dfd);
	return ret;
}

int journal_clear_flags(struct journal *j, const char *path, unsigned flags)
{
	int fd = rootfs_open_fd(j->rfs, path, O_RDONLY | O_NONBLOCK, true);
	if (fd < 0)
		return fd;
	int old = 0, ret = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &old) < 0) {
		ret = -errno;
		goto out;
	}
	unsigned n = ++j->next;
	char *a = num(n), *o = num((unsigned)old);
	ret = jline(j, "flags", 3, a, path, o);
	free(o);
	if (ret == 0) {
		step();
		int neu = (int)((unsigned)old & ~flags);
		if (ioctl(fd, FS_IOC_SETFLAGS, &neu) < 0)
			ret = -errno;
		else {
			char *nw = num((unsigned)neu);
			ret = jline(j, "flagsset", 3, a, path, nw);
			free(nw);
			changes_add(&j->changes, "attributes", path, 0, "inode flags 0x%x -> 0x%x", (unsigned)old,
				    (unsigned)neu);
		}
	}
	free(a);
out:
	close(fd);
	return ret;
}

int journal_preserve(struct journal *j, const char *path)
{
	int dfd;
	char *name;
	int ret = rootfs_parent(j->rfs, path, true, &dfd, &name);
	if (ret < 0)
		return ret;
	struct meta m = { 0 };
	unsigned n = 0;
	ret = save_original(j, path, dfd, name, "save", &n, &m);
	if (ret == 0)
		strvec_pushf(&j->preserved, "%u\t%s", n, path);
	free(m.label);
	free(name);
	close(dfd);
	return ret;
}

int journal_regenerated(struct journal *j, const char *path)
{
	for (size_t i = j->preserved.n; i-- > 0;) {
		const char *tab = strchr(j->preserved.v[i], '\t');
		if (!tab || strcmp(tab + 1, path) != 0)
			continue;
		unsigned n = (unsigned)strtoul(j->preserved.v[i], NULL, 10);
		int dfd;
		char *name;
		int ret = rootfs_parent(j->rfs, path, true, &dfd, &name);
		if (ret < 0)
			return ret;
		ret = log_wrote(j, n, path, dfd, name);
		free(name);
		close(dfd);
		if (ret == 0)
			changes_add(&j->changes, "regenerate", path, 0, NULL);
		return ret;
	}
	return -ENOENT;
}

static int restore_from(struct rootfs *rfs, int filesfd, unsigned n, const char *path, const struct meta *m);

int journal_restore_preserved(struct journal *j, const char *path)
{
	for (size_t i = j->preserved.n; i-- > 0;) {
		const char *tab = strchr(j->preserved.v[i], '\t');
		if (!tab || strcmp(tab + 1, path) != 0)
			continue;
		unsigned n = (unsigned)strtoul(j->preserved.v[i], NULL, 10);
		/* Metadata: re-read the save line is not needed; the saved copy keeps mode via restore. */
		int dfd;
		char *name;
		int ret = rootfs_parent(j->rfs, path, true, &dfd, &name);
		if (ret < 0)
			return ret;
		struct stat st;
		struct meta m = { .mode = 0644 };
		char nbuf[32];
		snprintf(nbuf, sizeof(nbuf), "%u", n);
		if (fstatat(dfd, name, &st, 0) == 0) {
			m.mode = st.st_mode & 07777;
			m.uid = st.st_uid;
			m.gid = st.st_gid;
		}
		free(name);
		close(dfd);
		ret = restore_from(j->rfs, j->filesfd, n, path, &m);
		char *a = num(n);
		if (ret == 0)
			ret = jline(j, "restored", 2, a, path);
		free(a);
		if (ret == 0)
			changes_add(&j->changes, "restore", path, 0, "put the original back");
		return ret;
	}
	return -ENOENT;
}

void journal_command(struct journal *j, const char *cmdline, int status)
{
	char *s = xasprintf("%d", status);
	jline(j, "cmd", 2, s, cmdline);
	free(s);
	changes_add(&j->changes, "command", cmdline, status, "exit status %d", status);
}

/* ---- reading runs back ---- */

static int read_entries(int dirfd, struct entry **out, size_t *n)
{
	int fd = openat(dirfd, "journal", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&sb, buf, (size_t)r);
	close(fd);
	struct entry *v = NULL;
	size_t cnt = 0;
	const char *p = strbuf_str(&sb);
	while (*p) {
		const char *nl = strchr(p, '\n');
		if (!nl)
			break; /* a torn last line (crash while writing it) is ignored */
		char *line = xstrndup(p, (size_t)(nl - p));
		struct strvec raw = STRVEC_INIT;
		str_split(&raw, line, "\t");
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		memset(&v[cnt], 0, sizeof(v[cnt]));
		for (size_t i = 0; i < raw.n; i++)
			strvec_push_nodup(&v[cnt].f, unesc(raw.v[i]));
		cnt++;
		strvec_clear(&raw);
		free(line);
		p = nl + 1;
	}
	strbuf_release(&sb);
	*out = v;
	*n = cnt;
	return 0;
}

static void entries_free(struct entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strvec_clear(&v[i].f);
	free(v);
}

static const char *fld(const struct entry *e, size_t i)
{
	return i < e->f.n ? e->f.v[i] : "";
}

void run_info_free(struct run_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].command);
		free(v[i].started);
		free(v[i].state);
	}
	free(v);
}

static void describe_run(int dirfd, struct run_info *ri)
{
	struct entry *e = NULL;
	size_t n = 0;
	ri->state = xstrdup("incomplete");
	if (read_entries(dirfd, &e, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *k = fld(&e[i], 0);
		if (strcmp(k, "begin") == 0) {
			free(ri->command);
			ri->command = xstrdup(fld(&e[i], 2));
			free(ri->started);
			ri->started = xstrdup(fld(&e[i], 4));
		} else if (strcmp(k, "end") == 0) {
			free(ri->state);
			ri->state = xstrdup(strcmp(fld(&e[i], 1), "ok") == 0 ? "complete" : "failed");
		} else if (strcmp(k, "rolledback") == 0) {
			free(ri->state);
			ri->state = xstrdup("rolled-back");
		} else if (strcmp(k, "wrote") == 0 || strcmp(k, "moved") == 0 || strcmp(k, "linked") == 0 ||
			   strcmp(k, "flagsset") == 0) {
			ri->nchanges++;
		}
	}
	entries_free(e, n);
}

int journal_list(struct rootfs *rfs, struct run_info **out, size_t *n)
{
	struct strvec names = STRVEC_INIT;
	*out = NULL;
	*n = 0;
	int e = rootfs_list(rfs, RUNS_DIR, &names);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return e;
	struct run_info *v = xcalloc(names.n ? names.n : 1, sizeof(*v));
	size_t cnt = 0;
	for (size_t i = 0; i < names.n; i++) {
		char *d = xasprintf("%s/%s", RUNS_DIR, names.v[i]);
		int dfd = rootfs_open_fd(rfs, d, O_RDONLY | O_DIRECTORY, false);
		free(d);
		if (dfd < 0)
			continue;
		v[cnt].id = xstrdup(names.v[i]);
		describe_run(dfd, &v[cnt]);
		close(dfd);
		cnt++;
	}
	strvec_clear(&names);
	*out = v;
	*n = cnt;
	return 0;
}

/* ---- rollback ---- */

static int restore_from(struct rootfs *rfs, int filesfd, unsigned n, const char *path, const struct meta *m)
{
	char nbuf[32];
	snprintf(nbuf, sizeof(nbuf), "%u", n);
	int src = openat(filesfd, nbuf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return -errno;
	int dfd;
	char *name;
	int ret = rootfs_parent(rfs, path, true, &dfd, &name);
	if (ret == 0) {
		ret = atomic_install(NULL, path, dfd, name, NULL, 0, src, m, true);
		free(name);
		close(dfd);
	}
	close(src);
	return ret;
}

static void sweep_run(struct rootfs *rfs, const struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fld(&e[i], 0), "tmp") != 0)
			continue;
		int dfd;
		char *name;
		if (rootfs_parent(rfs, fld(&e[i], 1), true, &dfd, &name) < 0)
			continue;
		const char *tmp = fld(&e[i], 2);
		if (strstr(tmp, TMP_TAG) && !strchr(tmp, '/'))
			unlinkat(dfd, tmp, 0);
		free(name);
		close(dfd);
	}
}

void journal_sweep(struct rootfs *rfs)
{
	struct run_info *runs;
	size_t n;
	if (journal_list(rfs, &runs, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char *d = xasprintf("%s/%s", RUNS_DIR, runs[i].id);
		int dfd = rootfs_open_fd(rfs, d, O_RDONLY | O_DIRECTORY, false);
		free(d);
		if (dfd < 0)
			continue;
		struct entry *e;
		size_t ne;
		if (read_entries(dfd, &e, &ne) == 0) {
			sweep_run(rfs, e, ne);
			entries_free(e, ne);
		}
		close(dfd);
	}
	run_info_free(runs, n);
}

enum action { ACT_NONE, ACT_RESTORE, ACT_REMOVE, ACT_MOVE_BACK, ACT_UNLINK, ACT_FLAGS };

struct undo {
	enum action act;
	unsigned n;
	const char *path;
	struct meta m;
	const char *target;
	unsigned flags;
};

/* The current state of a file: its sum, or absent. */
static int current_sum(struct rootfs *rfs, const char *path, uLong *crc, unsigned long long *size)
{
	int dfd;
	char *name;
	int e = rootfs_parent(rfs, path, true, &dfd, &name);
	if (e < 0)
		return e;
	e = file_sum(dfd, name, crc, size);
	free(name);
	close(dfd);
	return e;
}

static bool sum_is(uLong crc, unsigned long long size, const char *want_size, const char *want_crc)
{
	return strtoull(want_size, NULL, 10) == size && strtoull(want_crc, NULL, 10) == crc;
}

/*
 * Decide what undoing each path takes. A path's original is its first entry in the run (a path
 * touched twice must go back to what it was before the run); what the fix left there is its last
 * "wrote" entry. Undo order is the reverse of first touch. Reports the first conflict.
 */
static int plan_undo(struct rootfs *rfs, const struct entry *e, size_t n, bool force, struct undo **out, size_t *nout,
		     char **conflict)
{
	struct undo *u = NULL;
	size_t cnt = 0;
	int ret = 0;
	struct strvec seen = STRVEC_INIT;
	size_t *first = xcalloc(n ? n : 1, sizeof(*first));
	size_t nfirst = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = fld(&e[i], 0);
		bool opener = strcmp(k, "save") == 0 || strcmp(k, "absent") == 0 || strcmp(k, "move") == 0 ||
			      strcmp(k, "flags") == 0;
		if (!opener)
			continue;
		char *key = xasprintf("%s\t%s", strcmp(k, "flags") == 0 ? "flags" : "file", fld(&e[i], 2));
		if (!strvec_contains(&seen, key)) {
			strvec_push(&seen, key);
			first[nfirst++] = i;
		}
		free(key);
	}
	for (size_t fi = nfirst; fi-- > 0 && ret == 0;) {
		size_t i = first[fi];
		const char *k = fld(&e[i], 0);
		const char *path = fld(&e[i], 2);
		struct undo x = { .act = ACT_NONE, .n = (unsigned)strtoul(fld(&e[i], 1), NULL, 10), .path = path };
		/* The last thing the run did to this path. */
		const struct entry *last_wrote = NULL, *last_link = NULL;
		bool moved = false;
		for (size_t k2 = i + 1; k2 < n; k2++) {
			if (strcmp(fld(&e[k2], 2), path) != 0)
				continue;
			if (strcmp(fld(&e[k2], 0), "wrote") == 0)
				last_wrote = &e[k2], last_link = NULL;
			else if (strcmp(fld(&e[k2], 0), "linked") == 0)
				last_link = &e[k2], last_wrote = NULL;
			else if (strcmp(fld(&e[k2], 0), "moved") == 0)
				moved = true;
			else if (strcmp(fld(&e[k2], 0), "restored") == 0)
				last_wrote = NULL;
		}
		if (strcmp(k, "save") == 0 || strcmp(k, "absent") == 0) {
			uLong crc = 0;
			unsigned long long size = 0;
			int cs = current_sum(rfs, path, &crc, &size);
			bool was_file = k[0] == 's';
			bool is_orig = was_file ? cs == 0 && sum_is(crc, size, fld(&e[i], 8), fld(&e[i], 9)) : cs == -ENOENT;
			bool is_ours = last_wrote && cs == 0 && sum_is(crc, size, fld(last_wrote, 3), fld(last_wrote, 4));
			if (!was_file && last_link) {
				char *t = NULL;
				bool ours = rootfs_readlink(rfs, path, &t) == 0 && strcmp(t, fld(last_link, 3)) == 0;
				bool gone = !t && cs == -ENOENT;
				free(t);
				if (gone)
					x.act = ACT_NONE;
				else if (ours || force)
					x.act = ACT_UNLINK;
				else
					ret = -ESTALE;
			} else if (is_orig) {
				x.act = ACT_NONE;
			} else if (is_ours || force || !last_wrote) {
				/* No "wrote" line: a crash between rename and logging; the content is ours. */
				x.act = was_file ? ACT_RESTORE : ACT_REMOVE;
			} else {
				ret = -ESTALE;
			}
			if (x.act == ACT_RESTORE) {
				x.m.mode = (unsigned)strtoul(fld(&e[i], 3), NULL, 8);
				x.m.uid = (unsigned)strtoul(fld(&e[i], 4), NULL, 10);
				x.m.gid = (unsigned)strtoul(fld(&e[i], 5), NULL, 10);
				parse_ts(fld(&e[i], 6), &x.m.atime);
				parse_ts(fld(&e[i], 7), &x.m.mtime);
				x.m.label = strcmp(fld(&e[i], 10), "-") == 0 ? NULL : (char *)fld(&e[i], 10);
			}
		} else if (strcmp(k, "move") == 0) {
			struct rootfs_stat st;
			bool present = rootfs_stat(rfs, path, false, &st) == 0;
			if (!present)
				x.act = ACT_MOVE_BACK; /* also after a crash between rename and the "moved" line */
			else if (moved && !force)
				ret = -ESTALE;
		} else if (strcmp(k, "flags") == 0) {
			x.act = ACT_FLAGS;
			x.flags = (unsigned)strtoul(fld(&e[i], 3), NULL, 10);
		}
		if (ret == -ESTALE) {
			*conflict = xstrdup(path);
			break;
		}
		if (x.act != ACT_NONE) {
			u = xreallocarray(u, cnt + 1, sizeof(*u));
			u[cnt++] = x;
		}
	}
	free(first);
	strvec_clear(&seen);
	*out = u;
	*nout = cnt;
	return ret;
}

int journal_rollback(struct rootfs *rfs, const char *run_id, bool force, struct changes *changes, char **conflict,
		     char **err)
{
	struct run_info *runs = NULL;
	size_t nruns = 0;
	int ret = journal_list(rfs, &runs, &nruns);
	if (ret < 0) {
		*err = xasprintf("could not read %s: %s", RUNS_DIR, rootfs_strerror(ret));
		return ret;
	}
	const struct run_info *pick = NULL;
	for (size_t i = nruns; i-- > 0 && !pick;) {
		if (run_id ? strcmp(runs[i].id, run_id) == 0
			   : strcmp(runs[i].state, "rolled-back") != 0 && strcmp(runs[i].command, "fix") == 0)
			pick = &runs[i];
	}
	if (!pick) {
		*err = run_id ? xasprintf("no run '%s' under %s", run_id, RUNS_DIR)
			      : xasprintf("no fix run to roll back under %s", RUNS_DIR);
		run_info_free(runs, nruns);
		return -ENOENT;
	}
	if (strcmp(pick->state, "rolled-back") == 0 && !force) {
		*err = xasprintf("run '%s' was already rolled back", pick->id);
		run_info_free(runs, nruns);
		return -EALREADY;
	}
	char *dir = xasprintf("%s/%s", RUNS_DIR, pick->id);
	char *files = xasprintf("%s/files", dir);
	int dirfd = rootfs_open_fd(rfs, dir, O_RDONLY | O_DIRECTORY, false);
	int filesfd = rootfs_open_fd(rfs, files, O_RDONLY | O_DIRECTORY, false);
	struct entry *e = NULL;
	size_t ne = 0;
	struct undo *u = NULL;
	size_t nu = 0;
	if (dirfd < 0 || filesfd < 0) {
		ret = dirfd < 0 ? dirfd : filesfd;
		*err = xasprintf("could not open %s: %s", dir, rootfs_strerror(ret));
		goto out;
	}
	ret = read_entries(dirfd, &e, &ne);
	if (ret < 0) {
		*err = xasprintf("could not read %s/journal: %s", dir, rootfs_strerror(ret));
		goto out;
	}
	sweep_run(rfs, e, ne);
	ret = plan_undo(rfs, e, ne, force, &u, &nu, conflict);
	if (ret < 0) {
		*err = xasprintf("'%s' changed after cvmprep fix wrote it; not rolling back (use --force to "
				 "overwrite it with the original)",
				 *conflict);
		goto out;
	}
	for (size_t i = 0; i < nu && ret == 0; i++) {
		const struct undo *x = &u[i];
		char nbuf[32];
		snprintf(nbuf, sizeof(nbuf), "%u", x->n);
		switch (x->act) {
		case ACT_RESTORE:
			ret = restore_from(rfs, filesfd, x->n, x->path, &x->m);
			if (ret == 0)
				changes_add(changes, "restore", x->path, 0, "original content and metadata");
			break;
		case ACT_REMOVE:
		case ACT_UNLINK: {
			int dfd;
			char *name;
			ret = rootfs_parent(rfs, x->path, false, &dfd, &name);
			if (ret == 0) {
				if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
					ret = -errno;
				fsync(dfd);
				free(name);
				close(dfd);
			}
			if (ret == 0)
				changes_add(changes, "remove", x->path, 0, "created by the fix");
			break;
		}
		case ACT_MOVE_BACK: {
			int dfd;
			char *name;
			ret = rootfs_parent(rfs, x->path, false, &dfd, &name);
			if (ret == 0) {
				if (renameat(filesfd, nbuf, dfd, name) < 0)
					ret = errno == ENOENT ? 0 : -errno; /* never moved: nothing to do */
				fsync(dfd);
				free(name);
				close(dfd);
			}
			if (ret == 0)
				changes_add(changes, "move-back", x->path, 0, NULL);
			break;
		}
		case ACT_FLAGS: {
			int fd = rootfs_open_fd(rfs, x->path, O_RDONLY | O_NONBLOCK, true);
			int fl = (int)x->flags;
			if (fd < 0 || ioctl(fd, FS_IOC_SETFLAGS, &fl) < 0)
				ret = fd < 0 ? fd : -errno;
			if (fd >= 0)
				close(fd);
			if (ret == 0)
				changes_add(changes, "attributes", x->path, 0, "inode flags back to 0x%x", x->flags);
			break;
		}
		case ACT_NONE:
			break;
		}
		if (ret < 0)
			*err = xasprintf("could not restore '%s': %s", x->path, rootfs_strerror(ret));
	}
	/* Directories the run created, deepest (latest) first; only when empty again. */
	for (size_t i = ne; ret == 0 && i-- > 0;) {
		if (strcmp(fld(&e[i], 0), "mkdir") != 0)
			continue;
		int dfd;
		char *name;
		if (rootfs_parent(rfs, fld(&e[i], 2), false, &dfd, &name) == 0) {
			if (unlinkat(dfd, name, AT_REMOVEDIR) == 0)
				changes_add(changes, "rmdir", fld(&e[i], 2), 0, NULL);
			free(name);
			close(dfd);
		}
	}
	if (ret == 0) {
		int logfd = openat(dirfd, "journal", O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
		if (logfd >= 0) {
			const char line[] = "rolledback\n";
			if (write(logfd, line, sizeof(line) - 1) < 0 || fsync(logfd) < 0)
				ret = -errno;
			close(logfd);
		}
	}
out:
	free(u);
	entries_free(e, ne);
	if (dirfd >= 0)
		close(dirfd);
	if (filesfd >= 0)
		close(filesfd);
	free(dir);
	free(files);
	run_info_free(runs, nruns);
	return ret;
}
