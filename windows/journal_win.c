/* The journal and atomic replacement on Windows (the contract: agent/journal.h and windows/wjournal.h). */
#include "wjournal.h"
#include "journal_core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <windows.h>

#include "drvinst.h"
#include "fake.h"
#include "ptable.h"
#include "winsys.h"
#include "banned.h"

/* mingw-w64 has no ESTALE; the journal uses it for "changed since" as on Linux. */
#ifndef ESTALE
#define ESTALE 116
#endif
#define SAVE_MAX (256u << 20)
#define MSIEXEC_TIMEOUT 3600

char *journal_state_dir_win(void)
{
	char *pd = win_program_data();
	char *d = win_path_join(pd, "cvmprep");
	free(pd);
	return d;
}

static char *runs_dir(void)
{
	char *s = journal_state_dir_win();
	char *r = win_path_join(s, "runs");
	free(s);
	return r;
}

/* ---- fault injection for the crash test: the process is killed at the Nth step ---- */

static void step(void)
{
	static long crash_at = -1, steps;
	if (crash_at < 0) {
		char *s = win_env("CVMPREP_TEST_CRASH_AT");
		crash_at = s ? strtol(s, NULL, 10) : 0;
		free(s);
	}
	if (crash_at > 0 && ++steps == crash_at)
		TerminateProcess(GetCurrentProcess(), 137);
}

struct journal {
	struct journal_common c; /* first: journal_core.c reaches it from a struct journal pointer */
	char *files;
	HANDLE log;
};
_Static_assert(offsetof(struct journal, c) == 0, "struct journal starts with its journal_common");

static int write_all(HANDLE h, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		DWORD put = 0, chunk = len > (1u << 30) ? (1u << 30) : (DWORD)len;
		if (!WriteFile(h, p, chunk, &put, NULL) || put == 0)
			return win_errno(GetLastError());
		p += put;
		len -= put;
	}
	return 0;
}

int journal_append(struct journal *j, const char *line, size_t len)
{
	int ret = write_all(j->log, line, len);
	/* The line is on disk before the change it announces is made. */
	if (ret == 0 && !FlushFileBuffers(j->log))
		ret = win_errno(GetLastError());
	return ret;
}

/* ---- file helpers ---- */

struct meta {
	DWORD attrs;
	FILETIME ctime, atime, mtime;
	unsigned char *sd;
	size_t sdlen;
};

static void meta_free(struct meta *m)
{
	free(m->sd);
	memset(m, 0, sizeof(*m));
}

static unsigned long long ft64(const FILETIME *t)
{
	return (unsigned long long)t->dwHighDateTime << 32 | t->dwLowDateTime;
}

static FILETIME ft_of(const char *s)
{
	unsigned long long v = strtoull(s, NULL, 10);
	FILETIME t = { (DWORD)v, (DWORD)(v >> 32) };
	return t;
}

static char *hex(const unsigned char *p, size_t n)
{
	if (!n)
		return xstrdup("-");
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%02x", p[i]);
	return strbuf_detach(&sb);
}

static unsigned char *unhex(const char *s, size_t *n)
{
	size_t len = strlen(s);
	*n = 0;
	if (strcmp(s, "-") == 0 || len % 2)
		return NULL;
	unsigned char *p = xmalloc(len / 2 + 1);
	for (size_t i = 0; i < len / 2; i++) {
		char b[3] = { s[2 * i], s[2 * i + 1], 0 };
		p[i] = (unsigned char)strtoul(b, NULL, 16);
	}
	*n = len / 2;
	return p;
}

static int get_meta(const char *path, struct meta *m)
{
	memset(m, 0, sizeof(*m));
	wchar_t *w = win_widen(path);
	if (!w)
		return -EINVAL;
	WIN32_FILE_ATTRIBUTE_DATA a;
	if (!GetFileAttributesExW(w, GetFileExInfoStandard, &a)) {
		int e = win_errno(GetLastError());
		free(w);
		return e;
	}
	m->attrs = a.dwFileAttributes;
	m->ctime = a.ftCreationTime;
	m->atime = a.ftLastAccessTime;
	m->mtime = a.ftLastWriteTime;
	/* The security descriptor, so that a replaced file keeps its owner and ACL. */
	DWORD need = 0;
	SECURITY_INFORMATION si = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
	GetFileSecurityW(w, si, NULL, 0, &need);
	if (need > 0 && need < (1u << 20)) {
		m->sd = xmalloc(need);
		if (GetFileSecurityW(w, si, m->sd, need, &need))
			m->sdlen = need;
		else {
			free(m->sd);
			m->sd = NULL;
		}
	}
	free(w);
	return 0;
}

static void apply_security(const wchar_t *w, const struct meta *m)
{
	if (!m->sdlen)
		return;
	/* Owner and group need privileges a fix may lack; the ACL is what matters most. */
	if (!SetFileSecurityW(w, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
			      m->sd))
		SetFileSecurityW(w, DACL_SECURITY_INFORMATION, m->sd);
}

/* CRC-32 and size of a file; -ENOENT when absent. */
static int file_sum(const char *path, uint32_t *crc, unsigned long long *size)
{
	char *data = NULL;
	size_t len = 0;
	int e = win_read_file(path, SAVE_MAX, &data, &len);
	if (e < 0)
		return e;
	*crc = ptable_crc32(data, len);
	*size = len;
	free(data);
	return 0;
}

static bool exists(const char *path)
{
	wchar_t *w = win_widen(path);
	bool ok = w && GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES;
	free(w);
	return ok;
}

/*
 * Write data to a temporary file beside path, give it the metadata m (attributes, security,
 * and the times when keep_times), flush it and move it over path.
 */
static int atomic_install(struct journal *j, const char *path, const void *data, size_t len, const struct meta *m,
			  bool keep_times)
{
	static unsigned counter;
	char *tmp = xasprintf("%s%s%lu-%u", path, JOURNAL_TMP_TAG, (unsigned long)GetCurrentProcessId(), counter++);
	int ret = 0;
	if (j)
		ret = journal_line(j, "tmp", 2, path, win_basename(tmp));
	wchar_t *wt = win_widen(tmp), *wp = win_widen(path);
	HANDLE h = INVALID_HANDLE_VALUE;
	if (ret == 0 && (!wt || !wp))
		ret = -EINVAL;
	if (ret == 0) {
		h = CreateFileW(wt, GENERIC_WRITE | WRITE_DAC | WRITE_OWNER, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
		if (h == INVALID_HANDLE_VALUE)
			h = CreateFileW(wt, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
		if (h == INVALID_HANDLE_VALUE)
			ret = win_errno(GetLastError());
	}
	if (ret == 0)
		ret = write_all(h, data, len);
	if (ret == 0 && keep_times && !SetFileTime(h, &m->ctime, &m->atime, &m->mtime))
		ret = win_errno(GetLastError());
	if (ret == 0 && !FlushFileBuffers(h))
		ret = win_errno(GetLastError());
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	if (ret == 0) {
		apply_security(wt, m);
		DWORD keep = m->attrs & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM |
					 FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_NOT_CONTENT_INDEXED);
		if (keep)
			SetFileAttributesW(wt, keep);
		if (j)
			step();
		/* MoveFileEx cannot replace a read-only file. */
		DWORD cur = GetFileAttributesW(wp);
		if (cur != INVALID_FILE_ATTRIBUTES && (cur & FILE_ATTRIBUTE_READONLY))
			SetFileAttributesW(wp, cur & ~(DWORD)FILE_ATTRIBUTE_READONLY);
		if (!MoveFileExW(wt, wp, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
			ret = win_errno(GetLastError());
			if (cur != INVALID_FILE_ATTRIBUTES && (cur & FILE_ATTRIBUTE_READONLY))
				SetFileAttributesW(wp, cur);
		}
	}
	if (ret < 0 && wt) {
		SetFileAttributesW(wt, FILE_ATTRIBUTE_NORMAL);
		DeleteFileW(wt);
	}
	free(wt);
	free(wp);
	free(tmp);
	return ret;
}

/* ---- begin / end ---- */

int journal_begin(struct rootfs *rfs, const char *command, struct journal **out)
{
	struct tm tm;
	char id[64];
	journal_new_id(id, sizeof(id), &tm, (unsigned long)GetCurrentProcessId());
	struct journal *j = xcalloc(1, sizeof(*j));
	j->c.rfs = rfs;
	j->log = INVALID_HANDLE_VALUE;
	char *runs = runs_dir();
	/* Two runs within a second in one process get distinct directories. */
	for (unsigned k = 1; k < 100 && !j->c.id; k++) {
		char *cand = k == 1 ? xstrdup(id) : xasprintf("%s-%u", id, k), *dir = win_path_join(runs, cand);
		if (!exists(dir)) {
			j->c.id = cand;
			j->c.dir = dir;
		} else {
			free(cand);
			free(dir);
		}
	}
	free(runs);
	if (!j->c.id) {
		journal_free(j);
		return -EEXIST;
	}
	j->files = win_path_join(j->c.dir, "files");
	int ret = win_mkdirs(j->files, NULL);
	if (ret == 0) {
		char *log = win_path_join(j->c.dir, "journal");
		wchar_t *w = win_widen(log);
		j->log = w ? CreateFileW(w, FILE_APPEND_DATA, FILE_SHARE_READ, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL)
			   : INVALID_HANDLE_VALUE;
		if (j->log == INVALID_HANDLE_VALUE)
			ret = w ? win_errno(GetLastError()) : -EINVAL;
		free(w);
		free(log);
	}
	if (ret == 0)
		ret = journal_log_begin(j, command, &tm);
	if (ret < 0) {
		journal_free(j);
		return ret;
	}
	*out = j;
	return 0;
}

void journal_free(struct journal *j)
{
	if (!j)
		return;
	if (j->log != INVALID_HANDLE_VALUE)
		CloseHandle(j->log);
	journal_common_free(&j->c);
	free(j->files);
	free(j);
}

/* ---- files ---- */

/* A path or registry key and its ancestors, outermost first, without the first part (a drive, a hive). */
static void below_root(const char *p, struct strvec *out)
{
	struct strvec parts = STRVEC_INIT;
	str_split(&parts, p, "\\");
	struct strbuf cur = STRBUF_INIT;
	for (size_t i = 0; i < parts.n; i++) {
		if (i)
			strbuf_addch(&cur, '\\');
		strbuf_addstr(&cur, parts.v[i]);
		if (i)
			strvec_push(out, strbuf_str(&cur));
	}
	strbuf_release(&cur);
	strvec_clear(&parts);
}

static bool dir_exists(void *ctx, const char *path)
{
	(void)ctx;
	return exists(path);
}

static int dir_create(void *ctx, const char *path)
{
	(void)ctx;
	return win_mkdirs(path, NULL);
}

/* Create the missing directories above path, each logged first so that rollback removes it. */
static int make_parents(struct journal *j, const char *path)
{
	char *dir = win_dirname(path);
	struct strvec above = STRVEC_INIT;
	below_root(dir, &above);
	int ret = journal_create_missing(j, &above, "mkdir", dir_exists, dir_create, NULL, "mkdir", NULL);
	strvec_clear(&above);
	free(dir);
	return ret;
}

/* Copy the original into files\N and log a "save" line with its sum and metadata. */
static int save_original(struct journal *j, const char *path, unsigned *n_out, struct meta *m)
{
	char *data = NULL;
	size_t len = 0;
	int ret = win_read_file(path, SAVE_MAX, &data, &len);
	if (ret < 0)
		return ret;
	ret = get_meta(path, m);
	unsigned n = ++j->c.next;
	char nbuf[32];
	snprintf(nbuf, sizeof(nbuf), "%u", n);
	char *saved = win_path_join(j->files, nbuf);
	if (ret == 0)
		ret = win_write_new(saved, data, len);
	if (ret == 0) {
		char *a = journal_num(n), *sz = journal_num(len), *cr = journal_num(ptable_crc32(data, len)),
		     *at = xasprintf("%lu", m->attrs), *ct = journal_num(ft64(&m->ctime)),
		     *aa = journal_num(ft64(&m->atime)), *mt = journal_num(ft64(&m->mtime)), *sd = hex(m->sd, m->sdlen);
		ret = journal_line(j, "save", 9, a, path, sz, cr, at, ct, aa, mt, sd);
		free(a);
		free(sz);
		free(cr);
		free(at);
		free(ct);
		free(aa);
		free(mt);
		free(sd);
	}
	free(saved);
	free(data);
	*n_out = n;
	return ret;
}

static int log_wrote(struct journal *j, unsigned n, const char *path)
{
	uint32_t crc;
	unsigned long long size;
	int e = file_sum(path, &crc, &size);
	return e < 0 ? e : journal_log_wrote(j, n, path, size, crc);
}

int journal_replace(struct journal *j, const char *path, const void *data, size_t len, unsigned mode)
{
	(void)mode;
	int ret = make_parents(j, path);
	if (ret < 0)
		return ret;
	struct meta m;
	memset(&m, 0, sizeof(m));
	m.attrs = FILE_ATTRIBUTE_NORMAL;
	unsigned n = 0;
	bool existed = exists(path);
	if (existed)
		ret = save_original(j, path, &n, &m);
	else
		ret = journal_log_change(j, "absent", path, &n);
	/* A new file gets the ACL its directory gives it. */
	if (!existed)
		meta_free(&m);
	if (ret == 0) {
		step();
		ret = atomic_install(j, path, data, len, &m, false);
	}
	if (ret == 0) {
		step();
		ret = log_wrote(j, n, path);
	}
	if (ret == 0)
		changes_add(&j->c.changes, existed ? "write" : "create", path, 0, NULL);
	meta_free(&m);
	return ret;
}

/* ---- registry ---- */

static bool key_exists(void *ctx, const char *key)
{
	(void)ctx;
	return reg_key_exists(key);
}

static int key_create(void *ctx, const char *key)
{
	(void)ctx;
	return reg_create_key(key, NULL);
}

int journal_reg_set(struct journal *j, const char *key, const char *name, const struct reg_value *v)
{
	/* Missing keys first, each logged before it is made. */
	struct strvec keys = STRVEC_INIT;
	below_root(key, &keys);
	int ret = journal_create_missing(j, &keys, "mkkey", key_exists, key_create, NULL, "registry-key", "created");
	strvec_clear(&keys);
	if (ret < 0)
		return ret;
	struct reg_value old;
	ret = reg_get(key, name, &old);
	if (ret < 0)
		return ret;
	unsigned n = ++j->c.next;
	char *a = journal_num(n), *o = reg_value_encode(&old), *nv = reg_value_encode(v);
	ret = journal_line(j, "regsave", 4, a, key, name, o);
	if (ret == 0) {
		step();
		ret = reg_put(key, name, v);
	}
	if (ret == 0) {
		step();
		ret = journal_line(j, "regset", 4, a, key, name, nv);
	}
	if (ret == 0) {
		char *so = reg_value_show(&old), *sn = reg_value_show(v), *full = xasprintf("%s\\%s", key, name);
		changes_add(&j->c.changes, "registry", full, 0, "%s -> %s", so, sn);
		free(so);
		free(sn);
		free(full);
	}
	free(a);
	free(o);
	free(nv);
	reg_value_free(&old);
	return ret;
}

int journal_key_absent(struct journal *j, const char *key)
{
	unsigned n;
	return journal_log_change(j, "keyabsent", key, &n);
}

int journal_driver_begin(struct journal *j, const char *inf)
{
	unsigned n;
	return journal_log_change(j, "driverbegin", inf, &n);
}

int journal_driver_staged(struct journal *j, const char *inf, const char *published, const char *package)
{
	unsigned n = ++j->c.next;
	char *a = journal_num(n);
	int ret = journal_line(j, "driver", 4, a, inf, published, package);
	free(a);
	if (ret == 0)
		changes_add(&j->c.changes, "driver", inf, 0, "staged as %s (%s)", published, package);
	return ret;
}

int journal_msi(struct journal *j, const char *msi)
{
	unsigned n;
	return journal_log_change(j, "msi", msi, &n);
}

/* ---- reading runs back ---- */

static int read_entries(const char *dir, struct jentry **out, size_t *n)
{
	char *log = win_path_join(dir, "journal"), *data = NULL;
	size_t len = 0;
	int e = win_read_file(log, 64u << 20, &data, &len);
	free(log);
	if (e < 0)
		return e;
	jentries_parse(data, len, out, n);
	free(data);
	return 0;
}

int journal_read_run(struct rootfs *rfs, const char *id, struct jentry **out, size_t *n)
{
	(void)rfs;
	char *runs = runs_dir(), *d = win_path_join(runs, id);
	int ret = read_entries(d, out, n);
	free(d);
	free(runs);
	return ret;
}

/* What a run's description counts as its changes. */
static const char *const change_kinds[] = { "wrote", "regset", "driver", "msi", NULL };

static void describe_run(const char *dir, struct run_info *ri)
{
	struct jentry *e = NULL;
	size_t n = 0;
	read_entries(dir, &e, &n); /* unreadable: no entries, "incomplete" */
	journal_describe(ri, e, n, change_kinds);
	jentries_free(e, n);
}

int journal_list(struct rootfs *rfs, struct run_info **out, size_t *n)
{
	(void)rfs;
	*out = NULL;
	*n = 0;
	char *runs = runs_dir();
	struct strvec names = STRVEC_INIT;
	char *pat = win_path_join(runs, "*");
	wchar_t *w = win_widen(pat);
	free(pat);
	WIN32_FIND_DATAW fd;
	HANDLE h = w ? FindFirstFileW(w, &fd) : INVALID_HANDLE_VALUE;
	free(w);
	if (h != INVALID_HANDLE_VALUE) {
		do {
			if ((fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) && fd.cFileName[0] != L'.')
				strvec_push_nodup(&names, win_narrow(fd.cFileName, (size_t)-1));
		} while (FindNextFileW(h, &fd) && names.n < 100000);
		FindClose(h);
	}
	strvec_sort(&names);
	struct run_info *v = xcalloc(names.n ? names.n : 1, sizeof(*v));
	for (size_t i = 0; i < names.n; i++) {
		char *d = win_path_join(runs, names.v[i]);
		v[i].id = xstrdup(names.v[i]);
		describe_run(d, &v[i]);
		free(d);
	}
	*out = v;
	*n = names.n;
	strvec_clear(&names);
	free(runs);
	return 0;
}

/* ---- rollback ---- */

void journal_sweep_entries(struct rootfs *rfs, const struct jentry *e, size_t n)
{
	(void)rfs;
	for (size_t i = 0; i < n; i++) {
		if (!jkind_is(&e[i], "tmp"))
			continue;
		const char *tmp = jfield(&e[i], 2);
		if (!strstr(tmp, JOURNAL_TMP_TAG) || strchr(tmp, '\\') || strchr(tmp, '/'))
			continue;
		char *dir = win_dirname(jfield(&e[i], 1)), *p = win_path_join(dir, tmp);
		wchar_t *w = win_widen(p);
		if (w) {
			SetFileAttributesW(w, FILE_ATTRIBUTE_NORMAL);
			DeleteFileW(w);
		}
		free(w);
		free(p);
		free(dir);
	}
}

enum action { ACT_NONE, ACT_RESTORE, ACT_REMOVE, ACT_REG, ACT_KEY, ACT_DRIVER, ACT_MSI };

struct undo {
	enum action act;
	const struct jentry *e;   /* the entry that opened it (save, absent, regsave, driver, msi, keyabsent) */
	struct reg_value orig;    /* ACT_REG */
};

/* A file (save, absent) or registry value (regsave) goes back to what it was before the run;
 * each key the run was about to create, driver package and MSI is undone on its own. */
static bool undo_opener(const struct jentry *e, struct strbuf *key)
{
	if (jkind_is(e, "save") || jkind_is(e, "absent"))
		strbuf_addf(key, "file\t%s", jfield(e, 2));
	else if (jkind_is(e, "regsave"))
		strbuf_addf(key, "reg\t%s\t%s", jfield(e, 2), jfield(e, 3));
	else if (!jkind_is(e, "keyabsent") && !jkind_is(e, "driver") && !jkind_is(e, "msi"))
		return false;
	return true;
}

/*
 * Decide what undoing each change takes (the rules: journal_core.h), in the order of first
 * touch. The first conflict stops it unless force.
 */
static int plan_undo(const struct jentry *e, size_t n, bool force, struct undo **out, size_t *nout, char **conflict)
{
	static const char *const wrote_kind[] = { "wrote", NULL };
	static const char *const regset_kind[] = { "regset", NULL };
	struct undo *u = NULL;
	size_t cnt = 0;
	int ret = 0;
	size_t *first;
	size_t nfirst = journal_first_touches(e, n, undo_opener, &first);
	for (size_t fi = 0; fi < nfirst && ret == 0; fi++) {
		size_t i = first[fi];
		const struct jentry *x = &e[i];
		struct undo d = { .act = ACT_NONE, .e = x };
		if (jkind_is(x, "save") || jkind_is(x, "absent")) {
			const char *path = jfield(x, 2);
			const struct jentry *last = journal_last_of(e, n, i, 1, wrote_kind);
			uint32_t crc = 0;
			unsigned long long size = 0;
			int cs = file_sum(path, &crc, &size);
			bool was = jkind_is(x, "save");
			const char *orig_size = was ? jfield(x, 3) : NULL;
			switch (journal_file_undo(cs, crc, size, orig_size, jfield(x, 4), last, force)) {
			case JOURNAL_KEEP:
				d.act = ACT_NONE;
				break;
			case JOURNAL_UNDO:
				d.act = was ? ACT_RESTORE : ACT_REMOVE;
				break;
			case JOURNAL_CONFLICT:
				*conflict = xstrdup(path);
				ret = -ESTALE;
				break;
			}
		} else if (jkind_is(x, "regsave")) {
			const char *key = jfield(x, 2), *name = jfield(x, 3);
			const struct jentry *last = journal_last_of(e, n, i, 2, regset_kind);
			struct reg_value cur, ours = { 0 };
			if (reg_get(key, name, &cur) < 0 || reg_value_decode(jfield(x, 4), &d.orig) < 0) {
				*conflict = xasprintf("%s\\%s", key, name);
				ret = -EIO;
				reg_value_free(&cur);
				break;
			}
			bool have_ours = last && reg_value_decode(jfield(last, 4), &ours) == 0;
			switch (journal_undo_decide(reg_value_eq(&cur, &d.orig), have_ours && reg_value_eq(&cur, &ours),
						    last != NULL, force)) {
			case JOURNAL_KEEP:
				d.act = ACT_NONE;
				break;
			case JOURNAL_UNDO:
				d.act = ACT_REG;
				break;
			case JOURNAL_CONFLICT:
				*conflict = xasprintf("%s\\%s", key, name);
				ret = -ESTALE;
				break;
			}
			reg_value_free(&cur);
			reg_value_free(&ours);
			if (d.act == ACT_NONE)
				reg_value_free(&d.orig);
		} else if (jkind_is(x, "keyabsent")) {
			d.act = ACT_KEY;
		} else if (jkind_is(x, "driver")) {
			d.act = ACT_DRIVER;
		} else if (jkind_is(x, "msi")) {
			d.act = ACT_MSI;
		}
		if (ret == 0 && d.act != ACT_NONE) {
			u = xreallocarray(u, cnt + 1, sizeof(*u));
			u[cnt++] = d;
		} else {
			reg_value_free(&d.orig);
		}
	}
	free(first);
	*out = u;
	*nout = cnt;
	return ret;
}

static void undo_free(struct undo *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		reg_value_free(&u[i].orig);
	free(u);
}

static int restore_file(const char *files, const struct jentry *x)
{
	char *saved = win_path_join(files, jfield(x, 1)), *data = NULL;
	size_t len = 0;
	int ret = win_read_file(saved, SAVE_MAX, &data, &len);
	free(saved);
	if (ret < 0)
		return ret;
	struct meta m;
	memset(&m, 0, sizeof(m));
	m.attrs = (DWORD)strtoul(jfield(x, 5), NULL, 10);
	m.ctime = ft_of(jfield(x, 6));
	m.atime = ft_of(jfield(x, 7));
	m.mtime = ft_of(jfield(x, 8));
	m.sd = unhex(jfield(x, 9), &m.sdlen);
	ret = atomic_install(NULL, jfield(x, 2), data, len, &m, true);
	meta_free(&m);
	free(data);
	return ret;
}

static int run_msiexec_uninstall(const char *msi, int *status, char **err)
{
	char *sys32 = win_system32();
	char *exe = win_path_join(sys32, "msiexec.exe");
	const char *argv[] = { exe, "/x", msi, "/qn", "/norestart", NULL };
	char *out = NULL;
	int ret = win_run(argv, MSIEXEC_TIMEOUT, status, &out, err);
	free(out);
	free(exe);
	free(sys32);
	return ret;
}

int journal_rollback(struct rootfs *rfs, const char *run_id, bool force, struct changes *changes, char **conflict,
		     char **err)
{
	struct run_info *runs = NULL;
	size_t nruns = 0;
	char *root = runs_dir();
	int ret = journal_list(rfs, &runs, &nruns);
	const struct run_info *pick = NULL;
	struct jentry *e = NULL;
	size_t ne = 0;
	struct undo *u = NULL;
	size_t nu = 0;
	char *dir = NULL, *files = NULL;
	struct win_fake *fake = NULL;
	ret = journal_pick_run(runs, nruns, run_id, force, root, &pick, err);
	if (ret < 0)
		goto out;
	dir = win_path_join(root, pick->id);
	files = win_path_join(dir, "files");
	ret = read_entries(dir, &e, &ne);
	if (ret < 0) {
		*err = xasprintf("could not read %s\\journal: %s", dir, strerror(-ret));
		goto out;
	}
	journal_sweep_entries(rfs, e, ne);
	ret = plan_undo(e, ne, force, &u, &nu, conflict);
	if (ret == -ESTALE) {
		*err = xasprintf("'%s' changed after cvmprep fix wrote it; not rolling back (use --force to put the "
				 "original back anyway)",
				 *conflict);
		goto out;
	}
	if (ret < 0) {
		*err = xasprintf("the journal's record of '%s' is damaged", *conflict);
		goto out;
	}
	char *ferr = NULL;
	if (win_fake_load(&fake, &ferr) < 0) {
		*err = ferr;
		ret = -EINVAL;
		goto out;
	}
	/* Newest first. */
	for (size_t i = nu; i-- > 0 && ret == 0;) {
		const struct undo *x = &u[i];
		const char *p1 = jfield(x->e, 2);
		switch (x->act) {
		case ACT_RESTORE:
			ret = restore_file(files, x->e);
			if (ret == 0)
				changes_add(changes, "restore", p1, 0, "original content, attributes and times");
			else
				*err = xasprintf("could not restore '%s': %s", p1, strerror(-ret));
			break;
		case ACT_REMOVE: {
			wchar_t *w = win_widen(p1);
			if (w) {
				SetFileAttributesW(w, FILE_ATTRIBUTE_NORMAL);
				if (!DeleteFileW(w) && GetLastError() != ERROR_FILE_NOT_FOUND)
					ret = win_errno(GetLastError());
			}
			free(w);
			if (ret == 0)
				changes_add(changes, "remove", p1, 0, "created by the fix");
			else
				*err = xasprintf("could not remove '%s': %s", p1, strerror(-ret));
			break;
		}
		case ACT_REG: {
			const char *name = jfield(x->e, 3);
			ret = reg_put(p1, name, &x->orig);
			char *full = xasprintf("%s\\%s", p1, name), *s = reg_value_show(&x->orig);
			if (ret == 0)
				changes_add(changes, "registry", full, 0, "back to %s", s);
			else
				*err = xasprintf("could not restore '%s': %s", full, strerror(-ret));
			free(full);
			free(s);
			break;
		}
		case ACT_KEY:
			if (reg_key_exists(p1)) {
				ret = reg_delete_tree(p1);
				if (ret == 0)
					changes_add(changes, "registry-key", p1, 0, "removed (created by the fix)");
				else
					*err = xasprintf("could not remove '%s': %s", p1, strerror(-ret));
			}
			break;
		case ACT_DRIVER: {
			char *derr = NULL;
			ret = drv_unstage(fake, jfield(x->e, 3), jfield(x->e, 4), &derr);
			if (ret == 0)
				changes_add(changes, "driver-remove", jfield(x->e, 3), 0, "%s removed from the driver store",
					    jfield(x->e, 4));
			else
				*err = xasprintf("could not remove the driver package %s: %s", jfield(x->e, 3),
						 derr ? derr : strerror(-ret));
			free(derr);
			break;
		}
		case ACT_MSI: {
			int st = -1;
			char *merr = NULL;
			int r2 = run_msiexec_uninstall(jfield(x->e, 2), &st, &merr);
			/* 1605: not installed (the install never completed): nothing to undo. */
			if (r2 == 0 && (st == 0 || st == 3010 || st == 1641 || st == 1605))
				changes_add(changes, "uninstall", jfield(x->e, 2), st, "msiexec /x: exit status %d", st);
			else {
				ret = r2 < 0 ? r2 : -EIO;
				*err = xasprintf("msiexec /x '%s' failed: %s", jfield(x->e, 2),
						 merr ? merr : "see the Windows Installer log");
			}
			free(merr);
			break;
		}
		case ACT_NONE:
			break;
		}
	}
	/* Keys and directories the run created, deepest (latest) first, when nothing else lives in them. */
	for (size_t i = ne; ret == 0 && i-- > 0;) {
		if (jkind_is(&e[i], "mkkey")) {
			if (reg_delete_empty_key(jfield(&e[i], 2)) == 0 && !reg_key_exists(jfield(&e[i], 2)))
				changes_add(changes, "registry-key", jfield(&e[i], 2), 0, "removed (created by the fix)");
		} else if (jkind_is(&e[i], "mkdir")) {
			wchar_t *w = win_widen(jfield(&e[i], 2));
			if (w && RemoveDirectoryW(w))
				changes_add(changes, "rmdir", jfield(&e[i], 2), 0, NULL);
			free(w);
		}
	}
	if (ret == 0) {
		char *log = win_path_join(dir, "journal");
		wchar_t *w = win_widen(log);
		HANDLE h = w ? CreateFileW(w, FILE_APPEND_DATA, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL)
			     : INVALID_HANDLE_VALUE;
		if (h != INVALID_HANDLE_VALUE) {
			ret = write_all(h, "rolledback\n", 11);
			FlushFileBuffers(h);
			CloseHandle(h);
		}
		free(w);
		free(log);
	}
out:
	win_fake_free(fake);
	undo_free(u, nu);
	jentries_free(e, ne);
	free(dir);
	free(files);
	free(root);
	run_info_free(runs, nruns);
	return ret;
}
