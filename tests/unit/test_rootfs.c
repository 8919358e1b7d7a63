/*
 * Unit tests: the path layer. A hostile tree (symlinks to "/" and full of "..", absolute links,
 * loops, a FIFO, a socket, a huge sparse file) must never lead a read outside the root, and the
 * openat2 and the portable walk must agree on every path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

#include "rootfs.h"
#include "banned.h"

static const char canary_text[] = "CANARY: this file is outside the root and must never be read\n";

struct tree {
	char base[64];   /* mkdtemp: holds the canary and the root */
	char *root;      /* base/root */
	char *canary;    /* base/canary, outside the root */
	bool have_sock;
};

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", dir, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(p);
}

static void mkd(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void lnk(const char *dir, const char *rel, const char *target)
{
	char *p = xasprintf("%s/%s", dir, rel);
	if (symlink(target, p) != 0)
		fail_msg("symlink %s -> %s: %s", p, target, strerror(errno));
	free(p);
}

static void sparse(const char *dir, const char *rel, off_t size)
{
	char *p = xasprintf("%s/%s", dir, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
	free(p);
}

static int setup_tree(void **state)
{
	struct tree *t = xcalloc(1, sizeof(*t));
	memcpy(t->base, "/tmp/cvmprep-rootfs-XXXXXX", sizeof("/tmp/cvmprep-rootfs-XXXXXX"));
	if (!mkdtemp(t->base))
		return -1;
	t->root = xasprintf("%s/root", t->base);
	t->canary = xasprintf("%s/canary", t->base);
	put(t->base, "canary", canary_text);
	mkd(t->base, "etc");
	put(t->base, "etc/passwd", canary_text); /* a host-like /etc beside the root */

	const char *r = t->root;
	assert_int_equal(mkdir(r, 0755), 0);
	mkd(r, "etc");
	put(r, "etc/passwd", "root:x:0:0:inside the root\n");
	put(r, "etc/os-release", "ID=debian\n");
	mkd(r, "dir");
	/* Created out of order, listed sorted bytewise. */
	put(r, "dir/b", "b\n");
	put(r, "dir/a", "a\n");
	put(r, "dir/_", "_\n");
	put(r, "dir/C", "C\n");
	put(r, "dir/.hidden", "h\n");
	put(r, "dir/z", "z\n");
	mkd(r, "dir/sub");
	mkd(r, "links");
	lnk(r, "links/to_slash", "/");
	lnk(r, "links/dotdot", "../../../../../../../../..");
	lnk(r, "links/abs_etc", "/etc");
	lnk(r, "links/abs_passwd", "/etc/passwd");
	lnk(r, "links/rel_passwd", "../etc/passwd");
	lnk(r, "links/rel_passwd_slash", "../etc/passwd/");
	lnk(r, "links/abs_canary", t->canary);
	lnk(r, "links/rel_canary", "../../canary");
	lnk(r, "links/deep_canary", "../../../../../../../../../../../../../../canary");
	lnk(r, "links/host_passwd", "../../etc/passwd");
	lnk(r, "links/dev_zero", "/dev/zero");
	lnk(r, "links/rel_dev_zero", "../../../../../../dev/zero");
	lnk(r, "links/proc_self_root", "/proc/self/root/etc/passwd");
	lnk(r, "links/dir_link", "../dir");
	lnk(r, "links/abs_dir_link", "/dir/");
	lnk(r, "links/via_slash_dotdot", "/links/to_slash/../../..");
	lnk(r, "links/dangling", "/nonexistent");
	lnk(r, "links/empty_target_parent", "/links/../links/../etc");
	lnk(r, "links/loop1", "loop2");
	lnk(r, "links/loop2", "loop1");
	lnk(r, "links/self", "self");
	lnk(r, "links/loop_dir", "loop_dir/x");
	/* A chain of exactly 40 links (the kernel's limit) and one of 41. */
	for (int i = 0; i < 41; i++) {
		char name[32], target[32];
		snprintf(name, sizeof(name), "links/c%d", i);
		snprintf(target, sizeof(target), "c%d", i + 1);
		lnk(r, name, i == 40 ? "/etc/passwd" : target);
	}
	/* A FIFO: opening it for reading would block for ever. */
	char *fifo = xasprintf("%s/fifo", r);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	free(fifo);
	lnk(r, "links/to_fifo", "/fifo");
	/* A socket. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	int sl = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", r);
	t->have_sock = s >= 0 && sl > 0 && (size_t)sl < sizeof(sun.sun_path) &&
		       bind(s, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	if (s >= 0)
		close(s);
	/* Sparse files: one over the text limit, one far over it, one exactly at it. */
	sparse(r, "big", (off_t)ROOTFS_MAX_TEXT + 1);
	sparse(r, "huge", (off_t)2 << 30);
	sparse(r, "exact", (off_t)ROOTFS_MAX_TEXT);
	put(r, "empty", "");
	*state = t;
	return 0;
}

static int rm_tree(const char *path)
{
	char *cmd = xasprintf("rm -rf -- '%s'", path);
	int r = system(cmd);
	free(cmd);
	return r;
}

static int teardown_tree(void **state)
{
	struct tree *t = *state;
	int r = rm_tree(t->base);
	free(t->root);
	free(t->canary);
	free(t);
	return r == 0 ? 0 : -1;
}

/* Every successful read in this file goes through here: the canary must never come back. */
static void no_canary(const char *path, const char *data, size_t len)
{
	if (memmem(data, len, "CANARY", 6))
		fail_msg("%s: read the canary outside the root", path);
}

/* ---- reading through every kind of link, in both resolution modes ---- */

struct read_row {
	const char *path;
	int ret;           /* 0 or a negative error */
	const char *data;  /* when ret == 0 */
};

static const struct read_row read_rows[] = {
	{ "/etc/passwd", 0, "root:x:0:0:inside the root\n" },
	{ "etc/passwd", 0, "root:x:0:0:inside the root\n" },
	{ "//etc///passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/etc/./passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/etc/../etc/passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/../../../../etc/passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/dir/sub/../../etc/passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/links/to_slash/etc/passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/links/to_slash/../../../canary", -ENOENT, NULL },
	{ "/links/dotdot/etc/passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/links/dotdot/canary", -ENOENT, NULL },
	{ "/links/abs_etc/passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/links/abs_etc/../../canary", -ENOENT, NULL },
	{ "/links/abs_passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/links/rel_passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/links/rel_passwd_slash", -ENOTDIR, NULL },
	{ "/links/abs_canary", -ENOENT, NULL },
	{ "/links/rel_canary", -ENOENT, NULL },
	{ "/links/deep_canary", -ENOENT, NULL },
	{ "/links/host_passwd", 0, "root:x:0:0:inside the root\n" },
	{ "/links/dev_zero", -ENOENT, NULL },
	{ "/links/rel_dev_zero", -ENOENT, NULL },
	{ "/links/proc_self_root", -ENOENT, NULL },
	{ "/links/dir_link/a", 0, "a\n" },
	{ "/links/abs_dir_link/b", 0, "b\n" },
	{ "/links/via_slash_dotdot/etc/os-release", 0, "ID=debian\n" },
	{ "/links/empty_target_parent/os-release", 0, "ID=debian\n" },
	{ "/links/dangling", -ENOENT, NULL },
	{ "/links/loop1", -ELOOP, NULL },
	{ "/links/self", -ELOOP, NULL },
	{ "/links/loop_dir/y", -ELOOP, NULL },
	{ "/links/c1", 0, "root:x:0:0:inside the root\n" },   /* 40 links */
	{ "/links/c0", -ELOOP, NULL },                         /* 41 links */
	{ "/fifo", -ROOTFS_ENOTREG, NULL },
	{ "/links/to_fifo", -ROOTFS_ENOTREG, NULL },
	{ "/dir", -ROOTFS_ENOTREG, NULL },
	{ "/links/dir_link", -ROOTFS_ENOTREG, NULL },
	{ "/", -ROOTFS_ENOTREG, NULL },
	{ "", -ROOTFS_ENOTREG, NULL },
	{ "/big", -ROOTFS_ETOOBIG, NULL },
	{ "/huge", -ROOTFS_ETOOBIG, NULL },
	{ "/empty", 0, "" },
	{ "/etc/passwd/", -ENOTDIR, NULL },
	{ "/etc/passwd/..", -ENOTDIR, NULL },
	{ "/etc/passwd/x", -ENOTDIR, NULL },
	{ "/nonexistent", -ENOENT, NULL },
	{ "/nonexistent/..", -ENOENT, NULL },
	{ "/canary", -ENOENT, NULL },
};

static void run_reads(struct rootfs *rfs, const char *mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(read_rows); i++) {
		const struct read_row *r = &read_rows[i];
		char *data = (char *)"untouched";
		size_t len = 12345;
		int ret = rootfs_read(rfs, r->path, ROOTFS_MAX_TEXT, &data, &len);
		if (ret != r->ret)
			fail_msg("%s: %s: got %d (%s), want %d (%s)", mode, r->path, ret, rootfs_strerror(ret), r->ret,
				 rootfs_strerror(r->ret));
		if (ret == 0) {
			no_canary(r->path, data, len);
			EXPECT_INT(i, r->path, len, strlen(r->data));
			EXPECT_STR(i, r->path, data, r->data);
			assert_int_equal(data[len], '\0');
			free(data);
		} else {
			/* Outputs are untouched on error. */
			assert_string_equal(data, "untouched");
			assert_int_equal(len, 12345);
		}
	}
}

static void t_read_openat2(void **state)
{
	struct tree *t = *state;
	struct rootfs *rfs;
	assert_int_equal(rootfs_open(t->root, &rfs), 0);
	assert_false(rootfs_is_live(rfs));
	assert_string_equal(rootfs_root(rfs), t->root);
	alarm(60); /* a FIFO opened for reading would hang: fail instead */
	run_reads(rfs, "openat2");
	alarm(0);
	rootfs_close(rfs);
}

static void t_read_walk(void **state)
{
	struct tree *t = *state;
	struct rootfs *rfs;
	assert_int_equal(rootfs_open(t->root, &rfs), 0);
	rootfs_force_walk(rfs, true);
	alarm(60);
	run_reads(rfs, "walk");
	alarm(0);
	rootfs_close(rfs);
}

/* Both modes: the same answer, and the same file (inode) for every path and flag. */
static void t_modes_agree(void **state)
{
	struct tree *t = *state;
	struct rootfs *a, *b;
	assert_int_equal(rootfs_open(t->root, &a), 0);
	assert_int_equal(rootfs_open(t->root, &b), 0);
	rootfs_force_walk(b, true);
	static const char *const extra[] = {
		"/links", "/links/", "/links/to_slash", "/links/to_slash/", "/links/dotdot", "/links/abs_etc/",
		"/links/dangling", "/links/loop1", "/links/c0", "/links/c1", "/dir/sub/..", "/dir/sub/../", "/.",
		"/..", "/sock", "/fifo/", "/links/dir_link/..", "/links/abs_canary/..",
	};
	struct strvec paths = STRVEC_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(read_rows); i++)
		strvec_push(&paths, read_rows[i].path);
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++)
		strvec_push(&paths, extra[i]);
	static const int flags[] = { O_PATH, O_RDONLY | O_NONBLOCK, O_RDONLY | O_DIRECTORY, O_PATH | O_DIRECTORY };
	for (size_t i = 0; i < paths.n; i++) {
		const char *p = paths.v[i];
		for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
			for (int follow = 0; follow <= 1; follow++) {
				int fa = rootfs_open_fd(a, p, flags[f], follow);
				int fb = rootfs_open_fd(b, p, flags[f], follow);
				if ((fa < 0 || fb < 0) && fa != fb)
					fail_msg("%s flags %#x follow %d: openat2 %d (%s), walk %d (%s)", p, flags[f], follow,
						 fa, rootfs_strerror(fa), fb, rootfs_strerror(fb));
				if (fa >= 0) {
					struct stat sa, sb;
					assert_int_equal(fstat(fa, &sa), 0);
					assert_int_equal(fstat(fb, &sb), 0);
					if (sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev)
						fail_msg("%s flags %#x follow %d: the two modes opened different files", p,
							 flags[f], follow);
					close(fa);
					close(fb);
				}
			}
		}
		struct rootfs_stat sa, sb;
		for (int follow = 0; follow <= 1; follow++) {
			int ra = rootfs_stat(a, p, follow, &sa), rb = rootfs_stat(b, p, follow, &sb);
			if (ra != rb)
				fail_msg("stat %s follow %d: openat2 %d, walk %d", p, follow, ra, rb);
			if (ra == 0 && (sa.ino != sb.ino || sa.type != sb.type))
				fail_msg("stat %s follow %d: different files", p, follow);
		}
		char *la = NULL, *lb = NULL;
		int ra = rootfs_readlink(a, p, &la), rb = rootfs_readlink(b, p, &lb);
		if (ra != rb || !str_eq(la, lb))
			fail_msg("readlink %s: openat2 %d '%s', walk %d '%s'", p, ra, la ? la : "", rb, lb ? lb : "");
		free(la);
		free(lb);
	}
	strvec_clear(&paths);
	rootfs_close(a);
	rootfs_close(b);
}

/* ---- stat, exists, readlink, list ---- */

static void t_stat(void **state)
{
	struct tree *t = *state;
	static const struct {
		const char *path;
		bool follow;
		int ret;
		enum rootfs_type type;
	} rows[] = {
		{ "/etc/passwd", true, 0, RFT_REG },
		{ "/links/abs_passwd", false, 0, RFT_LNK },
		{ "/links/abs_passwd", true, 0, RFT_REG },
		{ "/links/to_slash", false, 0, RFT_LNK },
		{ "/links/to_slash", true, 0, RFT_DIR },
		{ "/links/dangling", false, 0, RFT_LNK },
		{ "/links/dangling", true, -ENOENT, RFT_OTHER },
		{ "/links/loop1", false, 0, RFT_LNK },
		{ "/links/loop1", true, -ELOOP, RFT_OTHER },
		{ "/fifo", true, 0, RFT_FIFO },
		{ "/links/to_fifo", true, 0, RFT_FIFO },
		{ "/dir", true, 0, RFT_DIR },
		{ "/", true, 0, RFT_DIR },
		{ "/links/abs_canary", true, -ENOENT, RFT_OTHER },
		{ "/huge", true, 0, RFT_REG },
	};
	for (int mode = 0; mode <= 1; mode++) {
		struct rootfs *rfs;
		assert_int_equal(rootfs_open(t->root, &rfs), 0);
		rootfs_force_walk(rfs, mode);
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			struct rootfs_stat st;
			int ret = rootfs_stat(rfs, rows[i].path, rows[i].follow, &st);
			EXPECT_INT(i, rows[i].path, ret, rows[i].ret);
			if (ret == 0)
				EXPECT_INT(i, rows[i].path, st.type, rows[i].type);
		}
		struct rootfs_stat st;
		assert_int_equal(rootfs_stat(rfs, "/huge", true, &st), 0);
		assert_int_equal(st.size, (uint64_t)2 << 30);
		assert_int_equal(rootfs_stat(rfs, "/etc/passwd", true, &st), 0);
		assert_int_equal(st.mode, 0644);
		if (t->have_sock) {
			assert_int_equal(rootfs_stat(rfs, "/sock", true, &st), 0);
			assert_int_equal(st.type, RFT_SOCK);
			char *data;
			size_t len;
			assert_int_equal(rootfs_read(rfs, "/sock", 100, &data, &len), -ROOTFS_ENOTREG);
		}
		/* exists does not follow; is_dir and is_file do. */
		assert_true(rootfs_exists(rfs, "/links/dangling"));
		assert_true(rootfs_exists(rfs, "/links/loop1"));
		assert_false(rootfs_exists(rfs, "/nonexistent"));
		assert_false(rootfs_exists(rfs, "/canary"));
		assert_true(rootfs_is_dir(rfs, "/links/dir_link"));
		assert_true(rootfs_is_dir(rfs, "/links/to_slash"));
		assert_false(rootfs_is_dir(rfs, "/etc/passwd"));
		assert_true(rootfs_is_file(rfs, "/links/rel_passwd"));
		assert_false(rootfs_is_file(rfs, "/fifo"));
		assert_false(rootfs_is_file(rfs, "/links/dangling"));
		assert_false(rootfs_is_file(rfs, "/links/abs_canary"));
		rootfs_close(rfs);
	}
}

static void t_readlink(void **state)
{
	struct tree *t = *state;
	struct {
		const char *path;
		int ret;
		const char *target;
	} rows[] = {
		{ "/links/to_slash", 0, "/" },
		{ "/links/dotdot", 0, "../../../../../../../../.." },
		{ "/links/abs_canary", 0, t->canary }, /* the text of the link, never a file behind it */
		{ "/links/loop1", 0, "loop2" },
		{ "/links/dir_link/..", -EINVAL, NULL }, /* /links itself: a directory, not a link */
		{ "/nonexistent", -ENOENT, NULL },
	};
	for (int mode = 0; mode <= 1; mode++) {
		struct rootfs *rfs;
		assert_int_equal(rootfs_open(t->root, &rfs), 0);
		rootfs_force_walk(rfs, mode);
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			char *target = NULL;
			int ret = rootfs_readlink(rfs, rows[i].path, &target);
			if (rows[i].ret == -EINVAL) {
				/* Not a link: the kernel says EINVAL or ENOENT depending on its version. */
				if (ret != -EINVAL && ret != -ENOENT)
					fail_msg("readlink %s: %d", rows[i].path, ret);
			} else {
				EXPECT_INT(i, rows[i].path, ret, rows[i].ret);
				EXPECT_STR(i, rows[i].path, target, rows[i].target);
			}
			free(target);
		}
		rootfs_close(rfs);
	}
}

static void t_list(void **state)
{
	struct tree *t = *state;
	static const struct {
		const char *path;
		int ret;
		const char *names;
	} rows[] = {
		{ "/dir", 0, ".hidden|C|_|a|b|sub|z" },
		{ "/dir/", 0, ".hidden|C|_|a|b|sub|z" },
		{ "/links/dir_link", 0, ".hidden|C|_|a|b|sub|z" },
		{ "/links/abs_dir_link", 0, ".hidden|C|_|a|b|sub|z" },
		{ "/dir/sub", 0, "" },
		{ "/links/to_slash/etc", 0, "os-release|passwd" },
		{ "/links/dotdot/etc", 0, "os-release|passwd" },
		{ "/links/abs_etc", 0, "os-release|passwd" },
		{ "/etc/passwd", -ENOTDIR, "" },
		{ "/fifo", -ENOTDIR, "" },
		{ "/nonexistent", -ENOENT, "" },
		{ "/links/loop1", -ELOOP, "" },
	};
	for (int mode = 0; mode <= 1; mode++) {
		struct rootfs *rfs;
		assert_int_equal(rootfs_open(t->root, &rfs), 0);
		rootfs_force_walk(rfs, mode);
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			struct strvec names = STRVEC_INIT;
			int ret = rootfs_list(rfs, rows[i].path, &names);
			EXPECT_INT(i, rows[i].path, ret, rows[i].ret);
			EXPECT_LIST(i, rows[i].path, &names, rows[i].names);
			strvec_clear(&names);
		}
		/* The root's own listing: the tree's, not the host's. */
		struct strvec names = STRVEC_INIT;
		assert_int_equal(rootfs_list(rfs, "/links/to_slash", &names), 0);
		assert_true(strvec_contains(&names, "links"));
		assert_false(strvec_contains(&names, "canary"));
		for (size_t k = 1; k < names.n; k++)
			assert_true(strcmp(names.v[k - 1], names.v[k]) < 0);
		strvec_clear(&names);
		rootfs_close(rfs);
	}
}

/* ---- limits ---- */

static void t_limits(void **state)
{
	struct tree *t = *state;
	for (int mode = 0; mode <= 1; mode++) {
		struct rootfs *rfs;
		assert_int_equal(rootfs_open(t->root, &rfs), 0);
		rootfs_force_walk(rfs, mode);
		char *data;
		size_t len;
		/* Exactly at the limit is fine. */
		assert_int_equal(rootfs_read(rfs, "/exact", ROOTFS_MAX_TEXT, &data, &len), 0);
		assert_int_equal(len, ROOTFS_MAX_TEXT);
		assert_int_equal(data[len], '\0');
		free(data);
		/* The caller's limit, whatever it is. */
		static const struct {
			const char *path;
			size_t max;
			int ret;
			size_t len;
		} rows[] = {
			{ "/etc/os-release", 10, 0, 10 },
			{ "/etc/os-release", 9, -ROOTFS_ETOOBIG, 0 },
			{ "/etc/os-release", 0, -ROOTFS_ETOOBIG, 0 },
			{ "/empty", 0, 0, 0 },
			{ "/exact", ROOTFS_MAX_TEXT - 1, -ROOTFS_ETOOBIG, 0 },
			{ "/links/c1", 27, 0, 27 },
		};
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			int ret = rootfs_read(rfs, rows[i].path, rows[i].max, &data, &len);
			EXPECT_INT(i, rows[i].path, ret, rows[i].ret);
			if (ret == 0) {
				EXPECT_INT(i, rows[i].path, len, rows[i].len);
				no_canary(rows[i].path, data, len);
				free(data);
			}
		}
		/* len may be NULL. */
		assert_int_equal(rootfs_read(rfs, "/etc/os-release", 100, &data, NULL), 0);
		assert_string_equal(data, "ID=debian\n");
		free(data);

		/* The head of a file: bounded by the buffer, not by the file. */
		char head[16];
		size_t got = 99;
		assert_int_equal(rootfs_read_head(rfs, "/huge", head, sizeof(head), &got), 0);
		assert_int_equal(got, sizeof(head));
		assert_int_equal(rootfs_read_head(rfs, "/etc/os-release", head, sizeof(head), &got), 0);
		assert_int_equal(got, 10);
		assert_memory_equal(head, "ID=debian\n", 10);
		alarm(60);
		assert_int_equal(rootfs_read_head(rfs, "/links/to_fifo", head, sizeof(head), &got), -ROOTFS_ENOTREG);
		alarm(0);
		assert_int_equal(rootfs_read_head(rfs, "/links/abs_canary", head, sizeof(head), &got), -ENOENT);

		/* A component longer than NAME_MAX. */
		char longname[NAME_MAX + 10];
		memset(longname, 'n', sizeof(longname));
		longname[0] = '/';
		longname[sizeof(longname) - 1] = '\0';
		assert_int_equal(rootfs_read(rfs, longname, 100, &data, &len), -ENAMETOOLONG);
		rootfs_close(rfs);
	}
}

static void t_open_close(void **state)
{
	struct tree *t = *state;
	struct rootfs *rfs = NULL;
	char *missing = xasprintf("%s/nope", t->base);
	assert_int_equal(rootfs_open(missing, &rfs), -ENOENT);
	free(missing);
	char *file = xasprintf("%s/etc/passwd", t->root);
	assert_int_equal(rootfs_open(file, &rfs), -ENOTDIR);
	free(file);
	rootfs_close(NULL);

	/* A root given with a trailing slash, and the display path of a file in it. */
	char *slash = xasprintf("%s/", t->root);
	assert_int_equal(rootfs_open(slash, &rfs), 0);
	char *disp = rootfs_display(rfs, "/etc/fstab");
	char *want = xasprintf("%s/etc/fstab", t->root);
	assert_string_equal(disp, want);
	free(disp);
	free(want);
	char *data;
	assert_int_equal(rootfs_read(rfs, "/links/abs_passwd", 100, &data, NULL), 0);
	assert_string_equal(data, "root:x:0:0:inside the root\n");
	free(data);
	assert_true(rootfs_dirfd(rfs) >= 0);
	rootfs_close(rfs);
	free(slash);

	/* The live system: only names are looked at here (tests read nothing of the host's /etc). */
	assert_int_equal(rootfs_open(NULL, &rfs), 0);
	assert_true(rootfs_is_live(rfs));
	assert_string_equal(rootfs_root(rfs), "/");
	disp = rootfs_display(rfs, "/etc/fstab");
	assert_string_equal(disp, "/etc/fstab");
	free(disp);
	rootfs_close(rfs);

	static const struct {
		int err;
		const char *msg;
	} msgs[] = {
		{ ROOTFS_ENOTREG, "not a regular file" },
		{ -ROOTFS_ENOTREG, "not a regular file" },
		{ -ROOTFS_ETOOBIG, "file is larger than the limit cvmprep reads" },
		{ -ROOTFS_ETOOMANY, "directory has too many entries" },
		{ -ENOENT, "No such file or directory" },
		{ -ELOOP, "Too many levels of symbolic links" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++)
		EXPECT_STR(i, "strerror", rootfs_strerror(msgs[i].err), msgs[i].msg);
}

/* Device nodes are never opened for reading, and a huge directory is not listed in full. */
static void t_devices_and_dirs(void **state)
{
	struct tree *t = *state;
	char *big = xasprintf("%s/many", t->root);
	assert_int_equal(mkdir(big, 0755), 0);
	for (unsigned i = 0; i <= ROOTFS_MAX_DIRENTS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%u", i);
		int fd = openat(AT_FDCWD, big, O_RDONLY | O_DIRECTORY);
		assert_true(fd >= 0);
		int f = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		assert_true(f >= 0);
		close(f);
		close(fd);
	}
	/* A character device like /dev/zero inside the tree, where we may create one (as root). */
	char *dev = xasprintf("%s/dev", t->root), *zero = xasprintf("%s/dev/zero", t->root);
	assert_int_equal(mkdir(dev, 0755), 0);
	bool have_chr = mknod(zero, S_IFCHR | 0666, makedev(1, 5)) == 0;
	if (!have_chr)
		print_message("# no mknod here (%s): device rows skipped\n", strerror(errno));
	for (int mode = 0; mode <= 1; mode++) {
		struct rootfs *rfs;
		assert_int_equal(rootfs_open(t->root, &rfs), 0);
		rootfs_force_walk(rfs, mode);
		struct strvec names = STRVEC_INIT;
		assert_int_equal(rootfs_list(rfs, "/many", &names), -ROOTFS_ETOOMANY);
		assert_true(names.n <= ROOTFS_MAX_DIRENTS);
		strvec_clear(&names);
		if (have_chr) {
			char *data = NULL;
			char head[8];
			size_t got;
			struct rootfs_stat st;
			assert_int_equal(rootfs_read(rfs, "/dev/zero", 100, &data, NULL), -ROOTFS_ENOTREG);
			assert_int_equal(rootfs_read(rfs, "/links/dev_zero", 100, &data, NULL), -ROOTFS_ENOTREG);
			assert_int_equal(rootfs_read_head(rfs, "/dev/zero", head, sizeof(head), &got), -ROOTFS_ENOTREG);
			assert_int_equal(rootfs_stat(rfs, "/links/rel_dev_zero", true, &st), 0);
			assert_int_equal(st.type, RFT_CHR);
			assert_null(data);
		}
		rootfs_close(rfs);
	}
	assert_int_equal(rm_tree(big), 0);
	assert_int_equal(rm_tree(dev), 0);
	free(big);
	free(dev);
	free(zero);
}

/* Random paths made of the tree's names, "..", "." and slashes: both modes agree, no canary. */
static void t_random_paths(void **state)
{
	struct tree *t = *state;
	static const char *const parts[] = {
		"..", ".", "", "links", "to_slash", "dotdot", "abs_etc", "etc", "passwd", "dir", "dir_link", "canary",
		"abs_canary", "rel_canary", "loop1", "c30", "sub", "a", "fifo", "abs_dir_link", "via_slash_dotdot",
		"host_passwd", "rel_passwd", "tmp",
	};
	struct rootfs *a, *b;
	assert_int_equal(rootfs_open(t->root, &a), 0);
	assert_int_equal(rootfs_open(t->root, &b), 0);
	rootfs_force_walk(b, true);
	uint32_t seed = 777;
	alarm(120);
	for (int round = 0; round < 4000; round++) {
		struct strbuf sb = STRBUF_INIT;
		seed = seed * 1103515245u + 12345u;
		int n = 1 + (int)((seed >> 16) % 8);
		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			strbuf_addch(&sb, '/');
			strbuf_addstr(&sb, parts[(seed >> 16) % ARRAY_SIZE(parts)]);
		}
		char *da = NULL, *db = NULL;
		size_t la = 0, lb = 0;
		int ra = rootfs_read(a, sb.buf, 4096, &da, &la);
		int rb = rootfs_read(b, sb.buf, 4096, &db, &lb);
		if (ra != rb)
			fail_msg("%s: openat2 %d (%s), walk %d (%s)", sb.buf, ra, rootfs_strerror(ra), rb, rootfs_strerror(rb));
		if (ra == 0) {
			no_canary(sb.buf, da, la);
			assert_int_equal(la, lb);
			assert_memory_equal(da, db, la);
			free(da);
			free(db);
		}
		strbuf_release(&sb);
	}
	alarm(0);
	rootfs_close(a);
	rootfs_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_read_openat2), cmocka_unit_test(t_read_walk),  cmocka_unit_test(t_modes_agree),
		cmocka_unit_test(t_stat),         cmocka_unit_test(t_readlink),   cmocka_unit_test(t_list),
		cmocka_unit_test(t_limits),       cmocka_unit_test(t_open_close), cmocka_unit_test(t_devices_and_dirs),
		cmocka_unit_test(t_random_paths),
	};
	return cmocka_run_group_tests_name("rootfs", tests, setup_tree, teardown_tree);
}
