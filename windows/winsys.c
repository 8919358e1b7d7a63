/* Small Windows helpers for the Windows platform (see winsys.h). */
#include "winsys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

wchar_t *win_widen(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0)
		return NULL;
	wchar_t *w = xmalloc((size_t)n * sizeof(wchar_t));
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

char *win_narrow(const wchar_t *w, size_t n)
{
	int len = n == (size_t)-1 ? -1 : (int)n;
	if (len == 0 || !w)
		return xstrdup("");
	int need = WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0, NULL, NULL);
	if (need <= 0)
		return xstrdup("");
	char *s = xmalloc((size_t)need + 1);
	WideCharToMultiByte(CP_UTF8, 0, w, len, s, need, NULL, NULL);
	s[need] = '\0';
	return s;
}

int win_errno(DWORD e)
{
	switch (e) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_NAME:
	case ERROR_BAD_NETPATH:
		return -ENOENT;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
	case ERROR_PRIVILEGE_NOT_HELD:
		return -EACCES;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		return -EEXIST;
	case ERROR_DIR_NOT_EMPTY:
		return -ENOTEMPTY;
	case ERROR_NOT_SUPPORTED:
	case ERROR_INVALID_FUNCTION:
		return -ENOTSUP;
	case ERROR_DISK_FULL:
		return -ENOSPC;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

char *win_strerror(DWORD e)
{
	wchar_t *buf = NULL;
	DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
				 NULL, e, MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), (LPWSTR)&buf, 0, NULL);
	if (n == 0 || !buf) {
		if (buf)
			LocalFree(buf);
		return xasprintf("Windows error %lu", (unsigned long)e);
	}
	char *s = win_narrow(buf, (size_t)-1);
	LocalFree(buf);
	size_t len = strlen(s);
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == '.' || s[len - 1] == ' '))
		s[--len] = '\0';
	if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
		s[0] = (char)(s[0] - 'A' + 'a');
	return s;
}

char *win_env(const char *name)
{
	wchar_t *wn = win_widen(name);
	if (!wn)
		return NULL;
	DWORD n = GetEnvironmentVariableW(wn, NULL, 0);
	char *ret = NULL;
	if (n > 0) {
		wchar_t *buf = xmalloc((size_t)n * sizeof(wchar_t));
		DWORD got = GetEnvironmentVariableW(wn, buf, n);
		if (got > 0 && got < n)
			ret = win_narrow(buf, got);
		free(buf);
	}
	free(wn);
	if (ret && !*ret) {
		free(ret);
		ret = NULL;
	}
	return ret;
}

char *win_system_root(void)
{
	wchar_t buf[MAX_PATH];
	UINT n = GetSystemWindowsDirectoryW(buf, MAX_PATH);
	if (n > 0 && n < MAX_PATH)
		return win_narrow(buf, n);
	char *e = win_env("SystemRoot");
	return e ? e : xstrdup("C:\\Windows");
}

char *win_system32(void)
{
	char *root = win_system_root();
	char *p = win_path_join(root, win_is_wow64() ? "Sysnative" : "System32");
	free(root);
	return p;
}

char *win_program_data(void)
{
	char *e = win_env("ProgramData");
	return e ? e : xstrdup("C:\\ProgramData");
}

char *win_program_files(void)
{
	char *e = win_env("ProgramW6432");
	if (!e)
		e = win_env("ProgramFiles");
	return e ? e : xstrdup("C:\\Program Files");
}

char *win_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	bool sep = n && (dir[n - 1] == '\\' || dir[n - 1] == '/');
	return xasprintf("%s%s%s", dir, sep ? "" : "\\", name);
}

char *win_dirname(const char *path)
{
	const char *s = strrchr(path, '\\'), *f = strrchr(path, '/');
	if (f && (!s || f > s))
		s = f;
	if (!s)
		return xstrdup(".");
	/* "C:\x" -> "C:\" */
	if (s == path + 2 && path[1] == ':')
		return xstrndup(path, 3);
	return xstrndup(path, (size_t)(s - path));
}

const char *win_basename(const char *path)
{
	const char *s = strrchr(path, '\\'), *f = strrchr(path, '/');
	if (f && (!s || f > s))
		s = f;
	return s ? s + 1 : path;
}

bool win_is_admin(void)
{
	SID_IDENTIFIER_AUTHORITY nt = SECURITY_NT_AUTHORITY;
	PSID sid = NULL;
	BOOL member = FALSE;
	if (!AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0,
				      &sid))
		return false;
	/* Under UAC an unelevated administrator's token has the group for deny only: not a member. */
	if (!CheckTokenMembership(NULL, sid, &member))
		member = FALSE;
	FreeSid(sid);
	return member != FALSE;
}

bool win_is_wow64(void)
{
	typedef BOOL(WINAPI * fn_t)(HANDLE, PBOOL);
	fn_t fn = (fn_t)win_proc(L"kernel32.dll", "IsWow64Process");
	BOOL w = FALSE;
	return fn && fn(GetCurrentProcess(), &w) && w;
}

void (*win_proc(const wchar_t *dll, const char *name))(void)
{
	HMODULE h = GetModuleHandleW(dll);
	if (!h)
		h = LoadLibraryExW(dll, NULL, 0x00000800 /* LOAD_LIBRARY_SEARCH_SYSTEM32 */);
	if (!h)
		h = LoadLibraryW(dll); /* 2008 without KB2533623 lacks the search flag */
	if (!h)
		return NULL;
	return (void (*)(void))GetProcAddress(h, name);
}

void win_quote_arg(struct strbuf *sb, const char *arg)
{
	if (*arg && !strpbrk(arg, " \t\"")) {
		strbuf_addstr(sb, arg);
		return;
	}
	strbuf_addch(sb, '"');
	for (const char *p = arg;; p++) {
		size_t bs = 0;
		while (*p == '\\')
			bs++, p++;
		if (!*p) {
			/* Backslashes before the closing quote are doubled. */
			for (size_t k = 0; k < bs * 2; k++)
				strbuf_addch(sb, '\\');
			break;
		}
		if (*p == '"') {
			for (size_t k = 0; k < bs * 2 + 1; k++)
				strbuf_addch(sb, '\\');
		} else {
			for (size_t k = 0; k < bs; k++)
				strbuf_addch(sb, '\\');
		}
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

#define RUN_OUTPUT_MAX (64u << 10)

int win_run(const char *const *argv, unsigned timeout_s, int *status, char **output, char **err)
{
	*status = -1;
	if (output)
		*output = NULL;
	struct strbuf cmd = STRBUF_INIT;
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_addch(&cmd, ' ');
		win_quote_arg(&cmd, argv[i]);
	}
	wchar_t *wcmd = win_widen(strbuf_str(&cmd)), *wexe = win_widen(argv[0]);
	strbuf_release(&cmd);
	int ret = 0;
	HANDLE rd = NULL, wr = NULL;
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
	PROCESS_INFORMATION pi;
	memset(&pi, 0, sizeof(pi));
	if (!wcmd || !wexe) {
		*err = xstrdup("the command line is not valid UTF-8");
		ret = -EINVAL;
		goto out;
	}
	if (!CreatePipe(&rd, &wr, &sa, 0)) {
		*err = win_strerror(GetLastError());
		ret = -EIO;
		goto out;
	}
	SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
	STARTUPINFOW si;
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	si.hStdOutput = wr;
	si.hStdError = wr;
	if (!CreateProcessW(wexe, wcmd, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) {
		DWORD e = GetLastError();
		char *m = win_strerror(e);
		*err = xasprintf("could not start '%s': %s (error %lu)", argv[0], m, (unsigned long)e);
		free(m);
		ret = win_errno(e);
		goto out;
	}
	CloseHandle(wr);
	wr = NULL;
	/* Read until the child closes its end (it exits), keeping the start of the output. */
	struct strbuf out = STRBUF_INIT;
	char buf[4096];
	DWORD got;
	DWORD start = GetTickCount();
	for (;;) {
		DWORD avail = 0;
		if (!PeekNamedPipe(rd, NULL, 0, NULL, &avail, NULL))
			break; /* the writer is gone */
		if (avail) {
			if (!ReadFile(rd, buf, sizeof(buf), &got, NULL) || got == 0)
				break;
			if (out.len < RUN_OUTPUT_MAX)
				strbuf_add(&out, buf, got);
			continue;
		}
		if (WaitForSingleObject(pi.hProcess, 50) == WAIT_OBJECT_0) {
			while (PeekNamedPipe(rd, NULL, 0, NULL, &avail, NULL) && avail &&
			       ReadFile(rd, buf, sizeof(buf), &got, NULL) && got)
				if (out.len < RUN_OUTPUT_MAX)
					strbuf_add(&out, buf, got);
			break;
		}
		if (timeout_s && GetTickCount() - start > timeout_s * 1000u) {
			TerminateProcess(pi.hProcess, 1);
			*err = xasprintf("'%s' did not finish within %u seconds", argv[0], timeout_s);
			strbuf_release(&out);
			ret = -ETIMEDOUT;
			goto out;
		}
	}
	WaitForSingleObject(pi.hProcess, INFINITE);
	DWORD code = 1;
	GetExitCodeProcess(pi.hProcess, &code);
	*status = (int)code;
	if (output)
		*output = strbuf_detach(&out);
	else
		strbuf_release(&out);
out:
	if (pi.hProcess)
		CloseHandle(pi.hProcess);
	if (pi.hThread)
		CloseHandle(pi.hThread);
	if (rd)
		CloseHandle(rd);
	if (wr)
		CloseHandle(wr);
	free(wcmd);
	free(wexe);
	return ret;
}

int win_mkdirs(const char *path, struct strvec *created)
{
	struct strvec parts = STRVEC_INIT;
	str_split(&parts, path, "\\/");
	struct strbuf cur = STRBUF_INIT;
	int ret = 0;
	bool unc = str_starts_with(path, "\\\\");
	for (size_t i = 0; i < parts.n && ret == 0; i++) {
		if (i == 0 && unc)
			strbuf_addstr(&cur, "\\\\");
		else if (i)
			strbuf_addch(&cur, '\\');
		strbuf_addstr(&cur, parts.v[i]);
		/* The drive ("C:") and a UNC share exist or they do not: never created. */
		if ((i == 0 && strchr(parts.v[0], ':')) || (unc && i < 2))
			continue;
		wchar_t *w = win_widen(strbuf_str(&cur));
		if (!w) {
			ret = -EINVAL;
			break;
		}
		DWORD a = GetFileAttributesW(w);
		if (a == INVALID_FILE_ATTRIBUTES) {
			if (CreateDirectoryW(w, NULL)) {
				if (created)
					strvec_push(created, strbuf_str(&cur));
			} else if (GetLastError() != ERROR_ALREADY_EXISTS) {
				ret = win_errno(GetLastError());
			}
		} else if (!(a & FILE_ATTRIBUTE_DIRECTORY)) {
			ret = -ENOTDIR;
		}
		free(w);
	}
	strbuf_release(&cur);
	strvec_clear(&parts);
	return ret;
}

int win_read_file(const char *path, size_t max, char **data, size_t *len)
{
	wchar_t *w = win_widen(path);
	if (!w)
		return -EINVAL;
	HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			       OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return win_errno(GetLastError());
	LARGE_INTEGER sz;
	if (!GetFileSizeEx(h, &sz)) {
		CloseHandle(h);
		return -EIO;
	}
	if ((uint64_t)sz.QuadPart > max) {
		CloseHandle(h);
		return -EFBIG;
	}
	size_t n = (size_t)sz.QuadPart, have = 0;
	char *buf = xmalloc(n + 1);
	while (have < n) {
		DWORD got = 0;
		if (!ReadFile(h, buf + have, (DWORD)(n - have), &got, NULL)) {
			CloseHandle(h);
			free(buf);
			return -EIO;
		}
		if (!got)
			break;
		have += got;
	}
	CloseHandle(h);
	buf[have] = '\0';
	*data = buf;
	*len = have;
	return 0;
}

int win_write_new(const char *path, const void *data, size_t len)
{
	wchar_t *w = win_widen(path);
	if (!w)
		return -EINVAL;
	HANDLE h = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return win_errno(GetLastError());
	const char *p = data;
	int ret = 0;
	while (len && ret == 0) {
		DWORD put = 0, chunk = len > (1u << 30) ? (1u << 30) : (DWORD)len;
		if (!WriteFile(h, p, chunk, &put, NULL) || put == 0)
			ret = win_errno(GetLastError());
		p += put;
		len -= put;
	}
	if (ret == 0 && !FlushFileBuffers(h))
		ret = win_errno(GetLastError());
	CloseHandle(h);
	return ret;
}

int win_remove_tree(const char *path)
{
	char *pat = win_path_join(path, "*");
	wchar_t *w = win_widen(pat);
	free(pat);
	if (!w)
		return -EINVAL;
	WIN32_FIND_DATAW fd;
	HANDLE h = FindFirstFileW(w, &fd);
	free(w);
	int ret = 0;
	if (h != INVALID_HANDLE_VALUE) {
		do {
			if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
				continue;
			char *name = win_narrow(fd.cFileName, (size_t)-1);
			char *child = win_path_join(path, name);
			free(name);
			if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
				int e = win_remove_tree(child);
				if (e < 0 && ret == 0)
					ret = e;
			} else {
				wchar_t *wc = win_widen(child);
				if (wc) {
					SetFileAttributesW(wc, FILE_ATTRIBUTE_NORMAL);
					if (!DeleteFileW(wc) && ret == 0)
						ret = win_errno(GetLastError());
				}
				free(wc);
			}
			free(child);
		} while (FindNextFileW(h, &fd));
		FindClose(h);
	}
	wchar_t *wd = win_widen(path);
	if (wd && !RemoveDirectoryW(wd) && ret == 0 && GetLastError() != ERROR_FILE_NOT_FOUND)
		ret = win_errno(GetLastError());
	free(wd);
	return ret;
}
