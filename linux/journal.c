/* The journal and atomic file replacement on Linux (the contract is in agent/journal.h). */
#define _GNU_SOURCE
#include "journal_core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <signal.h>
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
#include "banned.h"

#define RUNS_DIR JOURNAL_STATE_DIR "/runs"
#define SELINUX_XATTR "security.selinux"

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

struct journal {
	struct journal_common c; /* first: journal_core.c reaches it from a struct journal pointer */
	int dirfd, filesfd, logfd;
	struct strvec preserved; /* "N\tpath" of files kept by journal_preserve */
};
_Static_assert(offsetof(struct journal, c) == 0, "struct journal starts with its journal_common");

/* Journal lines are fsync'ed one by one: each is on disk before the change it announces. */
int journal_append(struct journal *j, const char *line, size_t len)
{
	int ret = 0;
	const char *p = line;
	size_t n = len;
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
	return ret;
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
	snprintf(tmp, sizeof(tmp), "%.*s%s%d-%u", 100, name, JOURNAL_TMP_TAG, (int)getpid(), counter++);
	int ret = 0;
	if (j) {
		ret = journal_line(j, "tmp", 2, path, tmp);
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
	struct tm tm;
	char id[64];
	journal_new_id(id, sizeof(id), &tm, (unsigned long)getpid());
	struct journal *j = xcalloc(1, sizeof(*j));
	j->c.rfs = rfs;
	j->c.id = xstrdup(id);
	j->c.dir = xasprintf("%s/%s", RUNS_DIR, id);
	j->dirfd = j->filesfd = j->logfd = -1;
	char *files = xasprintf("%s/files", j->c.dir);
	/* /var/lib/cvmprep/runs as a system directory would be; only the run's own are private (0700):
	 * they hold copies of files such as /etc/shadow. */
	int ret = rootfs_mkdirs(rfs, RUNS_DIR, 0755);
	if (ret == 0)
		ret = rootfs_mkdirs(rfs, files, 0700);
	if (ret == 0) {
		j->dirfd = rootfs_open_fd(rfs, j->c.dir, O_RDONLY | O_DIRECTORY, false);
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
		ret = journal_log_begin(j, command, &tm);
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
	journal_common_free(&j->c);
	strvec_clear(&j->preserved);
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
	unsigned n = ++j->c.next;
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
		char *a = journal_num(n), *mo = xasprintf("%o", m->mode), *u = journal_num(m->uid),
		     *g = journal_num(m->gid), *at = ts(&m->atime), *mt = ts(&m->mtime), *sz = journal_num(size),
		     *cr = journal_num(crc);
		ret = journal_line(j, kind, 10, a, path, mo, u, g, at, mt, sz, cr, m->label ? m->label : "-");
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
	return e < 0 ? e : journal_log_wrote(j, n, path, size, crc);
}

static bool dir_exists(void *rfs, const char *path)
{
	return rootfs_is_dir(rfs, path);
}

static int dir_create(void *rfs, const char *path)
{
	return rootfs_mkdirs(rfs, path, 0755);
}

/* Create the missing directories above path (0755), each logged so that rollback removes it. */
static int make_parents(struct journal *j, const char *path)
{
	struct strvec parts = STRVEC_INIT, above = STRVEC_INIT;
	str_split(&parts, path, "/");
	struct strbuf cur = STRBUF_INIT;
	for (size_t i = 0; i + 1 < parts.n; i++) {
		strbuf_addch(&cur, '/');
		strbuf_addstr(&cur, parts.v[i]);
		strvec_push(&above, strbuf_str(&cur));
	}
	int ret = journal_create_missing(j, &above, "mkdir", dir_exists, dir_create, j->c.rfs, "mkdir", NULL);
	strbuf_release(&cur);
	strvec_clear(&above);
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
	ret = rootfs_parent(j->c.rfs, path, true, &dfd, &name);
	if (ret < 0)
		return ret;
	struct meta m = { .mode = mode, .uid = 0, .gid = 0 };
	unsigned n = 0;
	struct stat st;
	bool exists = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists)
		ret = save_original(j, path, dfd, name, "save", &n, &m);
	else
		ret = journal_log_change(j, "absent", path, &n);
	if (ret == 0) {
		step();
		ret = atomic_install(j, path, dfd, name, data, len, -1, &m, false);
	}
	if (ret == 0) {
		step();
		ret = log_wrote(j, n, path, dfd, name);
	}
	if (ret == 0)
		changes_add(&j->c.changes, exists ? "write" : "create", path, 0, NULL);
	free(m.label);
	free(name);
	close(dfd);
	return ret;
}

int journal_move_aside(struct journal *j, const char *path)
{
	int dfd;
	char *name;
	int ret = rootfs_parent(j->c.rfs, path, false, &dfd, &name);
	if (ret < 0)
		return ret;
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = -errno;
		goto out;
	}
	unsigned n = ++j->c.next;
	char nbuf[32];
	snprintf(nbuf, sizeof(nbuf), "%u", n);
	char *a = journal_num(n), *mo = xasprintf("%o", (unsigned)st.st_mode);
	ret = journal_line(j, "move", 3, a, path, mo);
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
	a = journal_num(n);
	ret = journal_line(j, "moved", 2, a, path);
	free(a);
	if (ret == 0) {
		char *to = xasprintf("%s/files/%u", j->c.dir, n);
		changes_add(&j->c.changes, "move-aside", path, 0, "moved to %s", to);
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
	ret = rootfs_parent(j->c.rfs, path, false, &dfd, &name);
	if (ret < 0)
		return ret;
	unsigned n;
	ret = journal_log_change(j, "absent", path, &n);
	char *a = journal_num(n);
	if (ret == 0) {
		step();
		if (symlinkat(target, dfd, name) < 0)
			ret = -errno;
		else
			fsync(dfd);
	}
	if (ret == 0)
		ret = journal_line(j, "linked", 3, a, path, target);
	if (ret == 0)
		changes_add(&j->c.changes, "symlink", path, 0, "-> %s", target);
	free(a);
	free(name);
	close(dfd);
	return ret;
}

int journal_clear_flags(struct journal *j, const char *path, unsigned flags)
{
	int fd = rootfs_open_fd(j->c.rfs, path, O_RDONLY | O_NONBLOCK, true);
	if (fd < 0)
		return fd;
	int old = 0, ret = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &old) < 0) {
		ret = -errno;
		goto out;
	}
	unsigned n = ++j->c.next;
	char *a = journal_num(n), *o = journal_num((unsigned)old);
	ret = journal_line(j, "flags", 3, a, path, o);
	free(o);
	if (ret == 0) {
		step();
		int neu = (int)((unsigned)old & ~flags);
		if (ioctl(fd, FS_IOC_SETFLAGS, &neu) < 0)
			ret = -errno;
		else {
			char *nw = journal_num((unsigned)neu);
			ret = journal_line(j, "flagsset", 3, a, path, nw);
			free(nw);
			changes_add(&j->c.changes, "attributes", path, 0, "inode flags 0x%x -> 0x%x", (unsigned)old,
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
	int ret = rootfs_parent(j->c.rfs, path, true, &dfd, &name);
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

/* The change number under which journal_preserve saved path (the latest save of it). */
static int preserved_n(const struct journal *j, const char *path, unsigned *n)
{
	for (size_t i = j->preserved.n; i-- > 0;) {
		const char *tab = strchr(j->preserved.v[i], '\t');
		if (tab && strcmp(tab + 1, path) == 0) {
			*n = (unsigned)strtoul(j->preserved.v[i], NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

int journal_regenerated(struct journal *j, const char *path)
{
	unsigned n;
	int ret = preserved_n(j, path, &n);
	if (ret < 0)
		return ret;
	int dfd;
	char *name;
	ret = rootfs_parent(j->c.rfs, path, true, &dfd, &name);
	if (ret < 0)
		return ret;
	ret = log_wrote(j, n, path, dfd, name);
	free(name);
	close(dfd);
	if (ret == 0)
		changes_add(&j->c.changes, "regenerate", path, 0, NULL);
	return ret;
}

static int restore_from(struct rootfs *rfs, int filesfd, unsigned n, const char *path, const struct meta *m);

int journal_restore_preserved(struct journal *j, const char *path)
{
	unsigned n;
	int ret = preserved_n(j, path, &n);
	if (ret < 0)
		return ret;
	/* The file keeps its current mode and owner (what the command left); the bytes go back. */
	int dfd;
	char *name;
	ret = rootfs_parent(j->c.rfs, path, true, &dfd, &name);
	if (ret < 0)
		return ret;
	struct stat st;
	struct meta m = { .mode = 0644 };
	if (fstatat(dfd, name, &st, 0) == 0) {
		m.mode = st.st_mode & 07777;
		m.uid = st.st_uid;
		m.gid = st.st_gid;
	}
	free(name);
	close(dfd);
	ret = restore_from(j->c.rfs, j->filesfd, n, path, &m);
	char *a = journal_num(n);
	if (ret == 0)
		ret = journal_line(j, "restored", 2, a, path);
	free(a);
	if (ret == 0)
		changes_add(&j->c.changes, "restore", path, 0, "put the original back");
	return ret;
}

/* ---- reading runs back ---- */

static int read_entries(int dirfd, struct jentry **out, size_t *n)
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
	/* A journal never holds a NUL byte: what follows one is not read. */
	const char *data = strbuf_str(&sb);
	jentries_parse(data, strlen(data), out, n);
	strbuf_release(&sb);
	return 0;
}

int journal_read_run(struct rootfs *rfs, const char *id, struct jentry **out, size_t *n)
{
	char *d = xasprintf("%s/%s", RUNS_DIR, id);
	int dfd = rootfs_open_fd(rfs, d, O_RDONLY | O_DIRECTORY, false);
	free(d);
	if (dfd < 0)
		return dfd;
	int ret = read_entries(dfd, out, n);
	close(dfd);
	return ret;
}

/* What a run's description counts as its changes. */
static const char *const change_kinds[] = { "wrote", "moved", "linked", "flagsset", NULL };

static void describe_run(int dirfd, struct run_info *ri)
{
	struct jentry *e = NULL;
	size_t n = 0;
	read_entries(dirfd, &e, &n); /* unreadable: no entries, "incomplete" */
	journal_describe(ri, e, n, change_kinds);
	jentries_free(e, n);
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

void journal_sweep_entries(struct rootfs *rfs, const struct jentry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!jkind_is(&e[i], "tmp"))
			continue;
		int dfd;
		char *name;
		if (rootfs_parent(rfs, jfield(&e[i], 1), true, &dfd, &name) < 0)
			continue;
		const char *tmp = jfield(&e[i], 2);
		if (strstr(tmp, JOURNAL_TMP_TAG) && !strchr(tmp, '/'))
			unlinkat(dfd, tmp, 0);
		free(name);
		close(dfd);
	}
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

/* save, absent and move open a change to a file at a path, flags one to its inode flags. */
static bool undo_opener(const struct jentry *e, struct strbuf *key)
{
	if (jkind_is(e, "flags"))
		strbuf_addstr(key, "flags\t");
	else if (jkind_is(e, "save") || jkind_is(e, "absent") || jkind_is(e, "move"))
		strbuf_addstr(key, "file\t");
	else
		return false;
	strbuf_addstr(key, jfield(e, 2));
	return true;
}

/*
 * Decide what undoing each path takes (the rules: journal_core.h). What the fix left at a path
 * is its last "wrote" (unless a later link or restore replaced it) or its last "linked" (unless
 * a later write replaced it). Undo order is the reverse of first touch. Reports the first conflict.
 */
static int plan_undo(struct rootfs *rfs, const struct jentry *e, size_t n, bool force, struct undo **out, size_t *nout,
		     char **conflict)
{
	static const char *const after_wrote[] = { "wrote", "linked", "restored", NULL };
	static const char *const after_link[] = { "wrote", "linked", NULL };
	static const char *const moved_kind[] = { "moved", NULL };
	struct undo *u = NULL;
	size_t cnt = 0;
	int ret = 0;
	size_t *first;
	size_t nfirst = journal_first_touches(e, n, undo_opener, &first);
	for (size_t fi = nfirst; fi-- > 0 && ret == 0;) {
		size_t i = first[fi];
		const char *k = jfield(&e[i], 0);
		const char *path = jfield(&e[i], 2);
		struct undo x = { .act = ACT_NONE, .n = (unsigned)strtoul(jfield(&e[i], 1), NULL, 10), .path = path };
		const struct jentry *last_wrote = journal_last_of(e, n, i, 1, after_wrote);
		const struct jentry *last_link = journal_last_of(e, n, i, 1, after_link);
		if (last_wrote && !jkind_is(last_wrote, "wrote"))
			last_wrote = NULL;
		if (last_link && !jkind_is(last_link, "linked"))
			last_link = NULL;
		bool moved = journal_last_of(e, n, i, 1, moved_kind) != NULL;
		if (strcmp(k, "save") == 0 || strcmp(k, "absent") == 0) {
			uLong crc = 0;
			unsigned long long size = 0;
			int cs = current_sum(rfs, path, &crc, &size);
			bool was_file = k[0] == 's';
			if (!was_file && last_link) {
				char *t = NULL;
				bool ours = rootfs_readlink(rfs, path, &t) == 0 && strcmp(t, jfield(last_link, 3)) == 0;
				bool gone = !t && cs == -ENOENT;
				free(t);
				if (gone)
					x.act = ACT_NONE;
				else if (ours || force)
					x.act = ACT_UNLINK;
				else
					ret = -ESTALE;
			} else {
				const char *orig_size = was_file ? jfield(&e[i], 8) : NULL;
				switch (journal_file_undo(cs, crc, size, orig_size, jfield(&e[i], 9), last_wrote, force)) {
				case JOURNAL_KEEP:
					x.act = ACT_NONE;
					break;
				case JOURNAL_UNDO:
					x.act = was_file ? ACT_RESTORE : ACT_REMOVE;
					break;
				case JOURNAL_CONFLICT:
					ret = -ESTALE;
					break;
				}
			}
			if (x.act == ACT_RESTORE) {
				x.m.mode = (unsigned)strtoul(jfield(&e[i], 3), NULL, 8);
				x.m.uid = (unsigned)strtoul(jfield(&e[i], 4), NULL, 10);
				x.m.gid = (unsigned)strtoul(jfield(&e[i], 5), NULL, 10);
				parse_ts(jfield(&e[i], 6), &x.m.atime);
				parse_ts(jfield(&e[i], 7), &x.m.mtime);
				x.m.label = strcmp(jfield(&e[i], 10), "-") == 0 ? NULL : (char *)jfield(&e[i], 10);
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
			x.flags = (unsigned)strtoul(jfield(&e[i], 3), NULL, 10);
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
	const struct run_info *pick;
	ret = journal_pick_run(runs, nruns, run_id, force, RUNS_DIR, &pick, err);
	if (ret < 0) {
		run_info_free(runs, nruns);
		return ret;
	}
	char *dir = xasprintf("%s/%s", RUNS_DIR, pick->id);
	char *files = xasprintf("%s/files", dir);
	int dirfd = rootfs_open_fd(rfs, dir, O_RDONLY | O_DIRECTORY, false);
	int filesfd = rootfs_open_fd(rfs, files, O_RDONLY | O_DIRECTORY, false);
	struct jentry *e = NULL;
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
	journal_sweep_entries(rfs, e, ne);
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
		if (strcmp(jfield(&e[i], 0), "mkdir") != 0)
			continue;
		int dfd;
		char *name;
		if (rootfs_parent(rfs, jfield(&e[i], 2), false, &dfd, &name) == 0) {
			if (unlinkat(dfd, name, AT_REMOVEDIR) == 0)
				changes_add(changes, "rmdir", jfield(&e[i], 2), 0, NULL);
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
	jentries_free(e, ne);
	if (dirfd >= 0)
		close(dirfd);
	if (filesfd >= 0)
		close(filesfd);
	free(dir);
	free(files);
	run_info_free(runs, nruns);
	return ret;
}
