/* The journal and atomic replacement on Windows (the contract: agent/journal.h and windows/wjournal.h). */
#include "wjournal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <windows.h>

#include "drvinst.h"
#include "fake.h"
#include "ptable.h"
#include "version.h"
#include "winsys.h"
#include "banned.h"

#define TMP_TAG ".cvmprep-tmp-"
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

/* ---- journal lines: tab-separated, fields escaped (as on Linux) ---- */

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
		strbuf_addstr(&sb, "%00");
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

struct journal {
	struct rootfs *rfs;
	char *id;
	char *dir, *files;
	HANDLE log;
	unsigned next;
	unsigned counter;
	struct changes changes;
};

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
	int ret = write_all(j->log, sb.buf, sb.len);
	/* The line is on disk before the change it announces is made. */
	if (ret == 0 && !FlushFileBuffers(j->log))
		ret = win_errno(GetLastError());
	strbuf_release(&sb);
	return ret;
}

static char *num(unsigned long long v)
{
	return xasprintf("%llu", v);
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
	char *tmp = xasprintf("%s%s%lu-%u", path, TMP_TAG, (unsigned long)GetCurrentProcessId(), counter++);
	int ret = 0;
	if (j)
		ret = jline(j, "tmp", 2, path, win_basename(tmp));
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
	time_t now = time(NULL);
	struct tm tm;
	gmtime_s(&tm, &now);
	char id[64];
	snprintf(id, sizeof(id), "%04d%02d%02dT%02d%02d%02dZ-%lu", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned long)GetCurrentProcessId());
	struct journal *j = xcalloc(1, sizeof(*j));
	j->rfs = rfs;
	j->log = INVALID_HANDLE_VALUE;
	char *runs = runs_dir();
	/* Two runs within a second in one process get distinct directories. */
	for (unsigned k = 1; k < 100 && !j->id; k++) {
		char *cand = k == 1 ? xstrdup(id) : xasprintf("%s-%u", id, k), *dir = win_path_join(runs, cand);
		if (!exists(dir)) {
			j->id = cand;
			j->dir = dir;
		} else {
			free(cand);
			free(dir);
		}
	}
	free(runs);
	if (!j->id) {
		journal_free(j);
		return -EEXIST;
	}
	j->files = win_path_join(j->dir, "files");
	int ret = win_mkdirs(j->files, NULL);
	if (ret == 0) {
		char *log = win_path_join(j->dir, "journal");
		wchar_t *w = win_widen(log);
		j->log = w ? CreateFileW(w, FILE_APPEND_DATA, FILE_SHARE_READ, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL)
			   : INVALID_HANDLE_VALUE;
		if (j->log == INVALID_HANDLE_VALUE)
			ret = w ? win_errno(GetLastError()) : -EINVAL;
		free(w);
		free(log);
	}
	if (ret == 0) {
		char *when = xasprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				       tm.tm_hour, tm.tm_min, tm.tm_sec);
		ret = jline(j, "begin", 4, j->id, command, CVMPREP_VERSION, when);
		free(when);
	}
	if (ret < 0) {
		journal_free(j);
		return ret;
	}
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
	if (j->log != INVALID_HANDLE_VALUE)
		CloseHandle(j->log);
	changes_free(&j->changes);
	free(j->id);
	free(j->dir);
	free(j->files);
	free(j);
}

void journal_command(struct journal *j, const char *cmdline, int status)
{
	char *s = xasprintf("%d", status);
	jline(j, "cmd", 2, s, cmdline);
	free(s);
	changes_add(&j->changes, "command", cmdline, status, "exit status %d", status);
}

/* ---- files ---- */

/* Create the missing directories above path, each logged first so that rollback removes it. */
static int make_parents(struct journal *j, const char *path)
{
	char *dir = win_dirname(path);
	struct strvec parts = STRVEC_INIT;
	str_split(&parts, dir, "\\");
	struct strbuf cur = STRBUF_INIT;
	int ret = 0;
	for (size_t i = 0; i < parts.n && ret == 0; i++) {
		if (i)
			strbuf_addch(&cur, '\\');
		strbuf_addstr(&cur, parts.v[i]);
		if (i == 0 || exists(strbuf_str(&cur)))
			continue;
		ret = jline(j, "mkdir", 2, "0", strbuf_str(&cur));
		if (ret == 0)
			ret = win_mkdirs(strbuf_str(&cur), NULL);
		if (ret == 0)
			changes_add(&j->changes, "mkdir", strbuf_str(&cur), 0, NULL);
	}
	strbuf_release(&cur);
	strvec_clear(&parts);
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
	unsigned n = ++j->next;
	char nbuf[32];
	snprintf(nbuf, sizeof(nbuf), "%u", n);
	char *saved = win_path_join(j->files, nbuf);
	if (ret == 0)
		ret = win_write_new(saved, data, len);
	if (ret == 0) {
		char *a = num(n), *sz = num(len), *cr = num(ptable_crc32(data, len)), *at = xasprintf("%lu", m->attrs),
		     *ct = num(ft64(&m->ctime)), *aa = num(ft64(&m->atime)), *mt = num(ft64(&m->mtime)),
		     *sd = hex(m->sd, m->sdlen);
		ret = jline(j, "save", 9, a, path, sz, cr, at, ct, aa, mt, sd);
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
	if (e < 0)
		return e;
	char *a = num(n), *sz = num(size), *cr = num(crc);
	e = jline(j, "wrote", 4, a, path, sz, cr);
	free(a);
	free(sz);
	free(cr);
	return e;
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
	if (existed) {
		ret = save_original(j, path, &n, &m);
	} else {
		n = ++j->next;
		char *a = num(n);
		ret = jline(j, "absent", 2, a, path);
		free(a);
	}
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
		changes_add(&j->changes, existed ? "write" : "create", path, 0, NULL);
	meta_free(&m);
	return ret;
}

/* ---- registry ---- */

int journal_reg_set(struct journal *j, const char *key, const char *name, const struct reg_value *v)
{
	/* Missing keys first, each logged before it is made. */
	struct strvec parts = STRVEC_INIT;
	str_split(&parts, key, "\\");
	struct strbuf cur = STRBUF_INIT;
	int ret = 0;
	for (size_t i = 0; i < parts.n && ret == 0; i++) {
		if (i)
			strbuf_addch(&cur, '\\');
		strbuf_addstr(&cur, parts.v[i]);
		if (i == 0 || reg_key_exists(strbuf_str(&cur)))
			continue;
		ret = jline(j, "mkkey", 2, "0", strbuf_str(&cur));
		if (ret == 0)
			ret = reg_create_key(strbuf_str(&cur), NULL);
		if (ret == 0)
			changes_add(&j->changes, "registry-key", strbuf_str(&cur), 0, "created");
	}
	strbuf_release(&cur);
	strvec_clear(&parts);
	if (ret < 0)
		return ret;
	struct reg_value old;
	ret = reg_get(key, name, &old);
	if (ret < 0)
		return ret;
	unsigned n = ++j->next;
	char *a = num(n), *o = reg_value_encode(&old), *nv = reg_value_encode(v);
	ret = jline(j, "regsave", 4, a, key, name, o);
	if (ret == 0) {
		step();
		ret = reg_put(key, name, v);
	}
	if (ret == 0) {
		step();
		ret = jline(j, "regset", 4, a, key, name, nv);
	}
	if (ret == 0) {
		char *so = reg_value_show(&old), *sn = reg_value_show(v), *full = xasprintf("%s\\%s", key, name);
		changes_add(&j->changes, "registry", full, 0, "%s -> %s", so, sn);
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
	unsigned n = ++j->next;
	char *a = num(n);
	int ret = jline(j, "keyabsent", 2, a, key);
	free(a);
	return ret;
}

int journal_driver_begin(struct journal *j, const char *inf)
{
	unsigned n = ++j->next;
	char *a = num(n);
	int ret = jline(j, "driverbegin", 2, a, inf);
	free(a);
	return ret;
}

int journal_driver_staged(struct journal *j, const char *inf, const char *published, const char *package)
{
	unsigned n = ++j->next;
	char *a = num(n);
	int ret = jline(j, "driver", 4, a, inf, published, package);
	free(a);
	if (ret == 0)
		changes_add(&j->changes, "driver", inf, 0, "staged as %s (%s)", published, package);
	return ret;
}

int journal_msi(struct journal *j, const char *msi)
{
	unsigned n = ++j->next;
	char *a = num(n);
	int ret = jline(j, "msi", 2, a, msi);
	free(a);
	return ret;
}

/* ---- reading runs back ---- */

struct entry {
	struct strvec f;
};

static int read_entries(const char *dir, struct entry **out, size_t *n)
{
	char *log = win_path_join(dir, "journal"), *data = NULL;
	size_t len = 0;
	int e = win_read_file(log, 64u << 20, &data, &len);
	free(log);
	if (e < 0)
		return e;
	struct entry *v = NULL;
	size_t cnt = 0;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break; /* a torn last line is ignored */
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
	free(data);
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

static bool kind_is(const struct entry *e, const char *k)
{
	return strcmp(fld(e, 0), k) == 0;
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

static void describe_run(const char *dir, struct run_info *ri)
{
	struct entry *e = NULL;
	size_t n = 0;
	ri->state = xstrdup("incomplete");
	if (read_entries(dir, &e, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (kind_is(&e[i], "begin")) {
			free(ri->command);
			ri->command = xstrdup(fld(&e[i], 2));
			free(ri->started);
			ri->started = xstrdup(fld(&e[i], 4));
		} else if (kind_is(&e[i], "end")) {
			free(ri->state);
			ri->state = xstrdup(strcmp(fld(&e[i], 1), "ok") == 0 ? "complete" : "failed");
		} else if (kind_is(&e[i], "rolledback")) {
			free(ri->state);
			ri->state = xstrdup("rolled-back");
		} else if (kind_is(&e[i], "wrote") || kind_is(&e[i], "regset") || kind_is(&e[i], "driver") ||
			   kind_is(&e[i], "msi")) {
			ri->nchanges++;
		}
	}
	entries_free(e, n);
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

static void sweep_run(const struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!kind_is(&e[i], "tmp"))
			continue;
		const char *tmp = fld(&e[i], 2);
		if (!strstr(tmp, TMP_TAG) || strchr(tmp, '\\') || strchr(tmp, '/'))
			continue;
		char *dir = win_dirname(fld(&e[i], 1)), *p = win_path_join(dir, tmp);
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

void journal_sweep(struct rootfs *rfs)
{
	struct run_info *runs;
	size_t n;
	if (journal_list(rfs, &runs, &n) < 0)
		return;
	char *root = runs_dir();
	for (size_t i = 0; i < n; i++) {
		char *d = win_path_join(root, runs[i].id);
		struct entry *e;
		size_t ne;
		if (read_entries(d, &e, &ne) == 0) {
			sweep_run(e, ne);
			entries_free(e, ne);
		}
		free(d);
	}
	free(root);
	run_info_free(runs, n);
}

enum action { ACT_NONE, ACT_RESTORE, ACT_REMOVE, ACT_REG, ACT_KEY, ACT_DRIVER, ACT_MSI };

struct undo {
	enum action act;
	const struct entry *e;    /* the entry that opened it (save, absent, regsave, driver, msi, keyabsent) */
	struct reg_value orig;    /* ACT_REG */
};

static bool sum_is(uint32_t crc, unsigned long long size, const char *want_size, const char *want_crc)
{
	return strtoull(want_size, NULL, 10) == size && strtoull(want_crc, NULL, 10) == crc;
}

/*
 * Decide what undoing each change takes, in the order of first touch (a file or value touched
 * twice goes back to what it was before the run). The first conflict stops it unless force.
 */
static int plan_undo(const struct entry *e, size_t n, bool force, struct undo **out, size_t *nout, char **conflict)
{
	struct undo *u = NULL;
	size_t cnt = 0;
	int ret = 0;
	struct strvec seen = STRVEC_INIT;
	for (size_t i = 0; i < n && ret == 0; i++) {
		const struct entry *x = &e[i];
		struct undo d = { .act = ACT_NONE, .e = x };
		if (kind_is(x, "save") || kind_is(x, "absent")) {
			char *k = xasprintf("file\t%s", fld(x, 2));
			bool first = !strvec_contains(&seen, k);
			if (first)
				strvec_push(&seen, k);
			free(k);
			if (!first)
				continue;
			const char *path = fld(x, 2);
			const struct entry *last = NULL;
			for (size_t k2 = i + 1; k2 < n; k2++)
				if (kind_is(&e[k2], "wrote") && strcmp(fld(&e[k2], 2), path) == 0)
					last = &e[k2];
			uint32_t crc = 0;
			unsigned long long size = 0;
			int cs = file_sum(path, &crc, &size);
			bool was = kind_is(x, "save");
			bool is_orig = was ? cs == 0 && sum_is(crc, size, fld(x, 3), fld(x, 4)) : cs == -ENOENT;
			bool is_ours = last && cs == 0 && sum_is(crc, size, fld(last, 3), fld(last, 4));
			if (is_orig)
				d.act = ACT_NONE;
			else if (is_ours || force || !last)
				d.act = was ? ACT_RESTORE : ACT_REMOVE;
			else {
				*conflict = xstrdup(path);
				ret = -ESTALE;
			}
		} else if (kind_is(x, "regsave")) {
			char *k = xasprintf("reg\t%s\t%s", fld(x, 2), fld(x, 3));
			bool first = !strvec_contains(&seen, k);
			if (first)
				strvec_push(&seen, k);
			free(k);
			if (!first)
				continue;
			const char *key = fld(x, 2), *name = fld(x, 3);
			const struct entry *last = NULL;
			for (size_t k2 = i + 1; k2 < n; k2++)
				if (kind_is(&e[k2], "regset") && strcmp(fld(&e[k2], 2), key) == 0 &&
				    strcmp(fld(&e[k2], 3), name) == 0)
					last = &e[k2];
			struct reg_value cur, ours = { 0 };
			if (reg_get(key, name, &cur) < 0 || reg_value_decode(fld(x, 4), &d.orig) < 0) {
				*conflict = xasprintf("%s\\%s", key, name);
				ret = -EIO;
				reg_value_free(&cur);
				break;
			}
			bool have_ours = last && reg_value_decode(fld(last, 4), &ours) == 0;
			if (reg_value_eq(&cur, &d.orig))
				d.act = ACT_NONE;
			else if ((have_ours && reg_value_eq(&cur, &ours)) || force || !last)
				d.act = ACT_REG;
			else {
				*conflict = xasprintf("%s\\%s", key, name);
				ret = -ESTALE;
			}
			reg_value_free(&cur);
			reg_value_free(&ours);
			if (d.act == ACT_NONE)
				reg_value_free(&d.orig);
		} else if (kind_is(x, "keyabsent")) {
			d.act = ACT_KEY;
		} else if (kind_is(x, "driver")) {
			d.act = ACT_DRIVER;
		} else if (kind_is(x, "msi")) {
			d.act = ACT_MSI;
		}
		if (ret == 0 && d.act != ACT_NONE) {
			u = xreallocarray(u, cnt + 1, sizeof(*u));
			u[cnt++] = d;
		} else {
			reg_value_free(&d.orig);
		}
	}
	strvec_clear(&seen);
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

static int restore_file(const char *files, const struct entry *x)
{
	char *saved = win_path_join(files, fld(x, 1)), *data = NULL;
	size_t len = 0;
	int ret = win_read_file(saved, SAVE_MAX, &data, &len);
	free(saved);
	if (ret < 0)
		return ret;
	struct meta m;
	memset(&m, 0, sizeof(m));
	m.attrs = (DWORD)strtoul(fld(x, 5), NULL, 10);
	m.ctime = ft_of(fld(x, 6));
	m.atime = ft_of(fld(x, 7));
	m.mtime = ft_of(fld(x, 8));
	m.sd = unhex(fld(x, 9), &m.sdlen);
	ret = atomic_install(NULL, fld(x, 2), data, len, &m, true);
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
	for (size_t i = nruns; i-- > 0 && !pick;)
		if (run_id ? strcmp(runs[i].id, run_id) == 0
			   : strcmp(runs[i].state, "rolled-back") != 0 && runs[i].command && strcmp(runs[i].command, "fix") == 0)
			pick = &runs[i];
	struct entry *e = NULL;
	size_t ne = 0;
	struct undo *u = NULL;
	size_t nu = 0;
	char *dir = NULL, *files = NULL;
	struct win_fake *fake = NULL;
	if (!pick) {
		*err = run_id ? xasprintf("no run '%s' under %s", run_id, root)
			      : xasprintf("no fix run to roll back under %s", root);
		ret = -ENOENT;
		goto out;
	}
	if (strcmp(pick->state, "rolled-back") == 0 && !force) {
		*err = xasprintf("run '%s' was already rolled back", pick->id);
		ret = -EALREADY;
		goto out;
	}
	dir = win_path_join(root, pick->id);
	files = win_path_join(dir, "files");
	ret = read_entries(dir, &e, &ne);
	if (ret < 0) {
		*err = xasprintf("could not read %s\\journal: %s", dir, strerror(-ret));
		goto out;
	}
	sweep_run(e, ne);
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
		const char *p1 = fld(x->e, 2);
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
			const char *name = fld(x->e, 3);
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
			ret = drv_unstage(fake, fld(x->e, 3), fld(x->e, 4), &derr);
			if (ret == 0)
				changes_add(changes, "driver-remove", fld(x->e, 3), 0, "%s removed from the driver store",
					    fld(x->e, 4));
			else
				*err = xasprintf("could not remove the driver package %s: %s", fld(x->e, 3),
						 derr ? derr : strerror(-ret));
			free(derr);
			break;
		}
		case ACT_MSI: {
			int st = -1;
			char *merr = NULL;
			int r2 = run_msiexec_uninstall(fld(x->e, 2), &st, &merr);
			/* 1605: not installed (the install never completed): nothing to undo. */
			if (r2 == 0 && (st == 0 || st == 3010 || st == 1641 || st == 1605))
				changes_add(changes, "uninstall", fld(x->e, 2), st, "msiexec /x: exit status %d", st);
			else {
				ret = r2 < 0 ? r2 : -EIO;
				*err = xasprintf("msiexec /x '%s' failed: %s", fld(x->e, 2),
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
		if (kind_is(&e[i], "mkkey")) {
			if (reg_delete_empty_key(fld(&e[i], 2)) == 0 && !reg_key_exists(fld(&e[i], 2)))
				changes_add(changes, "registry-key", fld(&e[i], 2), 0, "removed (created by the fix)");
		} else if (kind_is(&e[i], "mkdir")) {
			wchar_t *w = win_widen(fld(&e[i], 2));
			if (w && RemoveDirectoryW(w))
				changes_add(changes, "rmdir", fld(&e[i], 2), 0, NULL);
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
	entries_free(e, ne);
	free(dir);
	free(files);
	free(root);
	run_info_free(runs, nruns);
	return ret;
}
