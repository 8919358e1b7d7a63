/* Staging driver packages into the driver store, trusting their signer first; or the test backend's store (drvinst.h). */
#include "drvinst.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <wincrypt.h>

#include "inidoc.h"
#include "ptable.h"
#include "reg.h"
#include "virtio_src.h"
#include "winfacts.h"
#include "winsys.h"
#include "wjournal.h"
#include "banned.h"

#define INF_MAX (4u << 20)
#define PNPUTIL_TIMEOUT 600

static char *lower(const char *s)
{
	char *l = xstrdup(s);
	for (char *p = l; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	return l;
}

/* The first oemN.inf name free in %SystemRoot%\INF. */
static char *free_oem_name(const char *infdir)
{
	for (unsigned n = 0; n < 100000; n++) {
		char *name = xasprintf("oem%u.inf", n), *p = win_path_join(infdir, name);
		wchar_t *w = win_widen(p);
		bool taken = w && GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES;
		free(w);
		free(p);
		if (!taken)
			return name;
		free(name);
	}
	return NULL;
}

/* PCI\VEN_...&DEV_... hardware IDs named in an INF (without the "PCI\"), upper case, each once. */
static void inf_pci_ids(const char *data, size_t len, struct strvec *ids)
{
	for (size_t i = 0; i + 8 < len; i++) {
		if (_strnicmp(data + i, "PCI\\VEN_", 8) != 0)
			continue;
		size_t k = i + 4;
		struct strbuf sb = STRBUF_INIT;
		while (k < len && (isalnum((unsigned char)data[k]) || data[k] == '_' || data[k] == '&'))
			strbuf_addch(&sb, (char)toupper((unsigned char)data[k++]));
		if (!strvec_contains(ids, strbuf_str(&sb)))
			strvec_push(ids, strbuf_str(&sb));
		strbuf_release(&sb);
		i = k;
	}
}

static int copy_dir_files(const char *from, const char *to)
{
	char *pat = win_path_join(from, "*");
	wchar_t *w = win_widen(pat);
	free(pat);
	WIN32_FIND_DATAW fd;
	HANDLE h = w ? FindFirstFileW(w, &fd) : INVALID_HANDLE_VALUE;
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return -ENOENT;
	int ret = 0;
	do {
		if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
			continue;
		char *name = win_narrow(fd.cFileName, (size_t)-1);
		char *src = win_path_join(from, name), *dst = win_path_join(to, name);
		wchar_t *ws = win_widen(src), *wd = win_widen(dst);
		if (!ws || !wd || !CopyFileW(ws, wd, TRUE))
			ret = ws && wd ? win_errno(GetLastError()) : -EINVAL;
		free(ws);
		free(wd);
		free(src);
		free(dst);
		free(name);
	} while (ret == 0 && FindNextFileW(h, &fd));
	FindClose(h);
	return ret;
}

/* TEST ONLY: what staging does to a driver store, done to the fake backend's. */
static int fake_stage(const struct winver_facts *ver, const char *inf, char **published, char **package, char **err)
{
	char *data = NULL;
	size_t len = 0;
	int e = win_read_file(inf, INF_MAX, &data, &len);
	if (e < 0) {
		*err = xasprintf("could not read '%s': %s", inf, strerror(-e));
		return e;
	}
	const char *arch = virtio_arch_dir(ver->arch);
	char *base = lower(win_basename(inf));
	*package = xasprintf("%s_%s_%08x%08x", base, arch ? lower(arch) : "amd64", (unsigned)ptable_crc32(data, len),
			     (unsigned)ptable_crc32(inf, strlen(inf)));
	free(base);
	char *root = win_system_root(), *sys32 = win_system32();
	char *store = xasprintf("%s\\DriverStore\\FileRepository\\%s", sys32, *package);
	char *infdir = win_path_join(root, "INF");
	char *srcdir = win_dirname(inf);
	e = win_mkdirs(store, NULL);
	if (e == 0)
		e = copy_dir_files(srcdir, store);
	if (e == 0) {
		win_mkdirs(infdir, NULL);
		*published = free_oem_name(infdir);
		char *oem = win_path_join(infdir, *published);
		e = win_write_new(oem, data, len);
		free(oem);
	}
	if (e == 0 && (ver->major > 6 || (ver->major == 6 && ver->minor >= 2))) {
		/* Staging on 2012 and later indexes the package and its hardware IDs in DriverDatabase. */
		char *pk = xasprintf(WREG_DRIVERDB "\\DriverPackages\\%s", *package);
		char *fk = xasprintf(WREG_DRIVERDB "\\DriverInfFiles\\%s", *published);
		struct reg_value v;
		e = reg_create_key(pk, NULL);
		if (e == 0)
			e = reg_create_key(fk, NULL);
		if (e == 0) {
			const char *items[] = { *package };
			reg_value_multi(&v, items, 1);
			e = reg_put(fk, "", &v);
			reg_value_free(&v);
			reg_value_sz(&v, RT_SZ, *package);
			if (e == 0)
				e = reg_put(fk, "Active", &v);
			reg_value_free(&v);
		}
		struct strvec ids = STRVEC_INIT;
		inf_pci_ids(data, len, &ids);
		for (size_t i = 0; i < ids.n && e == 0; i++) {
			char *ik = xasprintf(WREG_DRIVERDB "\\DeviceIds\\PCI\\%s", ids.v[i]);
			static const unsigned char rank[4] = { 0x01, 0xff, 0x00, 0x00 };
			e = reg_create_key(ik, NULL);
			reg_value_binary(&v, rank, sizeof(rank));
			if (e == 0)
				e = reg_put(ik, *published, &v);
			reg_value_free(&v);
			free(ik);
		}
		strvec_clear(&ids);
		free(pk);
		free(fk);
	}
	if (e < 0 && !*err)
		*err = xasprintf("test backend: staging '%s' failed: %s", inf, strerror(-e));
	free(srcdir);
	free(infdir);
	free(store);
	free(sys32);
	free(root);
	free(data);
	return e;
}

/* Remove the value named published from every key under key, and keys left empty by it. */
static void drop_device_ids(const char *key, const char *published)
{
	struct strvec subs = STRVEC_INIT;
	reg_subkeys(key, &subs);
	for (size_t i = 0; i < subs.n; i++) {
		char *child = xasprintf("%s\\%s", key, subs.v[i]);
		struct reg_value v;
		if (reg_get(child, published, &v) == 0 && v.present) {
			struct reg_value none = { 0 };
			reg_put(child, published, &none);
			reg_delete_empty_key(child);
		}
		reg_value_free(&v);
		free(child);
	}
	strvec_clear(&subs);
}

static int fake_unstage(const char *published, const char *package, char **err)
{
	char *root = win_system_root(), *sys32 = win_system32();
	char *store = xasprintf("%s\\DriverStore\\FileRepository\\%s", sys32, package);
	char *oem = xasprintf("%s\\INF\\%s", root, published);
	int e = win_remove_tree(store);
	wchar_t *w = win_widen(oem);
	if (w && !DeleteFileW(w) && GetLastError() != ERROR_FILE_NOT_FOUND && e == 0)
		e = win_errno(GetLastError());
	free(w);
	char *pk = xasprintf(WREG_DRIVERDB "\\DriverPackages\\%s", package);
	char *fk = xasprintf(WREG_DRIVERDB "\\DriverInfFiles\\%s", published);
	if (e == 0)
		e = reg_delete_tree(pk);
	if (e == 0)
		e = reg_delete_tree(fk);
	drop_device_ids(WREG_DRIVERDB "\\DeviceIds\\PCI", published);
	/* The fake store's own index keys go when they hold nothing (a real 2012 always has them filled). */
	static const char *const parents[] = { WREG_DRIVERDB "\\DriverPackages", WREG_DRIVERDB "\\DriverInfFiles",
					       WREG_DRIVERDB "\\DeviceIds\\PCI", WREG_DRIVERDB "\\DeviceIds",
					       WREG_DRIVERDB };
	for (size_t i = 0; i < ARRAY_SIZE(parents); i++)
		reg_delete_empty_key(parents[i]);
	if (e < 0)
		*err = xasprintf("test backend: removing %s failed: %s", package, strerror(-e));
	free(pk);
	free(fk);
	free(oem);
	free(store);
	free(sys32);
	free(root);
	return e;
}

/* ---- the real driver store ---- */

static char *pnputil_path(void)
{
	char *sys32 = win_system32();
	char *p = win_path_join(sys32, "pnputil.exe");
	free(sys32);
	return p;
}

/* The oemN.inf in %SystemRoot%\INF whose bytes are the INF's (when setupapi cannot tell). */
static char *find_published(const char *inf)
{
	char *data = NULL, *found = NULL;
	size_t len = 0;
	if (win_read_file(inf, INF_MAX, &data, &len) < 0)
		return NULL;
	char *root = win_system_root();
	char *pat = xasprintf("%s\\INF\\oem*.inf", root);
	wchar_t *w = win_widen(pat);
	WIN32_FIND_DATAW fd;
	HANDLE h = w ? FindFirstFileW(w, &fd) : INVALID_HANDLE_VALUE;
	if (h != INVALID_HANDLE_VALUE) {
		do {
			char *name = win_narrow(fd.cFileName, (size_t)-1);
			char *p = xasprintf("%s\\INF\\%s", root, name), *d2 = NULL;
			size_t l2 = 0;
			if (!found && win_read_file(p, INF_MAX, &d2, &l2) == 0 && l2 == len && memcmp(d2, data, len) == 0)
				found = xstrdup(name);
			free(d2);
			free(p);
			free(name);
		} while (!found && FindNextFileW(h, &fd));
		FindClose(h);
	}
	free(w);
	free(pat);
	free(root);
	free(data);
	return found;
}

static int real_stage(const char *inf, char **published, char **package, char **err)
{
	typedef BOOL(WINAPI * diid_t)(HWND, LPCWSTR, DWORD, PBOOL);
	typedef BOOL(WINAPI * loc_t)(PCWSTR, PVOID, PCWSTR, PWSTR, DWORD, PDWORD);
	typedef BOOL(WINAPI * pub_t)(PCWSTR, PWSTR, DWORD, PDWORD);
	diid_t diid = (diid_t)win_proc(L"newdev.dll", "DiInstallDriverW");
	wchar_t *winf = win_widen(inf);
	if (!winf)
		return -EINVAL;
	int ret = 0;
	if (diid) {
		BOOL reboot = FALSE;
		if (!diid(NULL, winf, 0, &reboot)) {
			DWORD e = GetLastError();
			/* No device uses it here (the point: there is no virtio hardware yet): it is staged all the same. */
			if (e != ERROR_NO_MORE_ITEMS && e != 0xE000020BUL /* ERROR_NO_SUCH_DEVINST */) {
				char *m = win_strerror(e);
				*err = xasprintf("DiInstallDriver('%s') failed: %s", inf, m);
				free(m);
				ret = win_errno(e);
			}
		}
	} else {
		char *pnp = pnputil_path();
		const char *argv[] = { pnp, "-a", inf, NULL };
		int st = -1;
		char *out = NULL;
		ret = win_run(argv, PNPUTIL_TIMEOUT, &st, &out, err);
		if (ret == 0 && st != 0) {
			*err = xasprintf("'pnputil -a %s' failed (exit status %d): %s", inf, st, out ? out : "");
			ret = -EIO;
		}
		free(out);
		free(pnp);
	}
	if (ret == 0) {
		loc_t loc = (loc_t)win_proc(L"setupapi.dll", "SetupGetInfDriverStoreLocationW");
		pub_t pub = (pub_t)win_proc(L"setupapi.dll", "SetupGetInfPublishedNameW");
		wchar_t buf[MAX_PATH];
		if (loc && loc(winf, NULL, NULL, buf, MAX_PATH, NULL)) {
			char *store_inf = win_narrow(buf, (size_t)-1), *dir = win_dirname(store_inf);
			*package = xstrdup(win_basename(dir));
			wchar_t name[MAX_PATH];
			if (pub && pub(buf, name, MAX_PATH, NULL)) {
				char *full = win_narrow(name, (size_t)-1);
				*published = xstrdup(win_basename(full));
				free(full);
			}
			free(dir);
			free(store_inf);
		}
		if (!*published)
			*published = find_published(inf);
		if (!*published || !*package) {
			*err = xasprintf("'%s' was staged, but the driver store does not say where", inf);
			ret = -ENOENT;
		}
	}
	free(winf);
	return ret;
}

int drv_stage(const struct win_fake *fake, const struct winver_facts *ver, const char *inf, char **published,
	      char **package, char **err)
{
	*published = *package = *err = NULL;
	int ret = fake && fake->drivers ? fake_stage(ver, inf, published, package, err)
					: real_stage(inf, published, package, err);
	if (ret < 0) {
		free(*published);
		free(*package);
		*published = *package = NULL;
	}
	return ret;
}

int drv_unstage(const struct win_fake *fake, const char *published, const char *package, char **err)
{
	*err = NULL;
	if (fake && fake->drivers)
		return fake_unstage(published, package, err);
	char *pnp = pnputil_path();
	const char *argv[] = { pnp, "-d", published, NULL };
	int st = -1;
	char *out = NULL;
	int ret = win_run(argv, PNPUTIL_TIMEOUT, &st, &out, err);
	if (ret == 0 && st != 0) {
		*err = xasprintf("'pnputil -d %s' failed (exit status %d): %s", published, st, out ? out : "");
		ret = -EIO;
	}
	free(out);
	free(pnp);
	return ret;
}

/* ---- trusting the signer ---- */

/* The catalog an INF names in [Version] (CatalogFile.NT<arch> first), as a path beside it, or NULL. */
static char *inf_catalog(const char *inf)
{
	char *data = NULL;
	size_t len = 0;
	if (win_read_file(inf, INF_MAX, &data, &len) < 0)
		return NULL;
	struct ini_doc d;
	ini_doc_parse(data, len, &d);
	free(data);
	const char *pick = NULL;
	int rank = 0;
	const char *arch_key = sizeof(void *) == 8 ? "CatalogFile.NTamd64" : "CatalogFile.NTx86";
	for (size_t i = 0; i < d.n; i++) {
		const struct ini_line *l = &d.v[i];
		if (l->kind != INI_KEY || str_casecmp(l->section, "Version") != 0 || !*l->value)
			continue;
		int r = str_casecmp(l->key, arch_key) == 0 ? 3 : str_casecmp(l->key, "CatalogFile.NT") == 0 ? 2
			: str_casecmp(l->key, "CatalogFile") == 0				    ? 1
												    : 0;
		if (r > rank) {
			rank = r;
			pick = l->value;
		}
	}
	char *dir = win_dirname(inf), *ret = pick ? win_path_join(dir, pick) : NULL;
	free(dir);
	ini_doc_free(&d);
	return ret;
}

typedef BOOL(WINAPI *cqo_t)(DWORD, const void *, DWORD, DWORD, DWORD, DWORD *, DWORD *, DWORD *, HCERTSTORE *,
			    HCRYPTMSG *, const void **);
typedef BOOL(WINAPI *cmgp_t)(HCRYPTMSG, DWORD, DWORD, void *, DWORD *);
typedef PCCERT_CONTEXT(WINAPI *cfc_t)(HCERTSTORE, DWORD, DWORD, DWORD, const void *, PCCERT_CONTEXT);
typedef BOOL(WINAPI *cgp_t)(PCCERT_CONTEXT, DWORD, void *, DWORD *);
typedef DWORD(WINAPI *cgn_t)(PCCERT_CONTEXT, DWORD, DWORD, void *, LPWSTR, DWORD);
typedef HCERTSTORE(WINAPI *cos_t)(LPCSTR, DWORD, HCRYPTPROV_LEGACY, DWORD, const void *);
typedef BOOL(WINAPI *cadd_t)(HCERTSTORE, PCCERT_CONTEXT, DWORD, PCCERT_CONTEXT *);
typedef BOOL(WINAPI *cfree_t)(PCCERT_CONTEXT);
typedef BOOL(WINAPI *cclose_t)(HCERTSTORE, DWORD);
typedef BOOL(WINAPI *mclose_t)(HCRYPTMSG);

int drv_trust_signer(struct journal *j, const char *inf, char **note, char **err)
{
	*note = *err = NULL;
	char *cat = inf_catalog(inf);
	if (!cat) {
		*note = xasprintf("%s names no catalog: the package is unsigned", inf);
		return 0;
	}
	wchar_t *wc = win_widen(cat);
	DWORD attrs = wc ? GetFileAttributesW(wc) : INVALID_FILE_ATTRIBUTES;
	free(wc);
	if (attrs == INVALID_FILE_ATTRIBUTES) {
		*note = xasprintf("%s names the catalog %s, which is missing: the package is unsigned", inf, cat);
		free(cat);
		return 0;
	}
	cqo_t cqo = (cqo_t)win_proc(L"crypt32.dll", "CryptQueryObject");
	cmgp_t cmgp = (cmgp_t)win_proc(L"crypt32.dll", "CryptMsgGetParam");
	cfc_t cfc = (cfc_t)win_proc(L"crypt32.dll", "CertFindCertificateInStore");
	cgp_t cgp = (cgp_t)win_proc(L"crypt32.dll", "CertGetCertificateContextProperty");
	cgn_t cgn = (cgn_t)win_proc(L"crypt32.dll", "CertGetNameStringW");
	cos_t cos = (cos_t)win_proc(L"crypt32.dll", "CertOpenStore");
	cadd_t cadd = (cadd_t)win_proc(L"crypt32.dll", "CertAddCertificateContextToStore");
	cfree_t cfree = (cfree_t)win_proc(L"crypt32.dll", "CertFreeCertificateContext");
	cclose_t cclose = (cclose_t)win_proc(L"crypt32.dll", "CertCloseStore");
	mclose_t mclose = (mclose_t)win_proc(L"crypt32.dll", "CryptMsgClose");
	if (!cqo || !cmgp || !cfc || !cgp || !cgn || !cos || !cadd || !cfree || !cclose || !mclose) {
		*err = xstrdup("crypt32.dll lacks the functions to read a driver catalog");
		free(cat);
		return -ENOTSUP;
	}
	wchar_t *wcat = win_widen(cat);
	HCERTSTORE store = NULL, tp = NULL;
	HCRYPTMSG msg = NULL;
	PCCERT_CONTEXT cert = NULL;
	unsigned char *info = NULL;
	char *key = NULL;
	int ret = 0;
	DWORD enc, ctype, ftype;
	if (!wcat || !cqo(CERT_QUERY_OBJECT_FILE, wcat, CERT_QUERY_CONTENT_FLAG_ALL, CERT_QUERY_FORMAT_FLAG_ALL, 0, &enc,
			  &ctype, &ftype, &store, &msg, NULL)) {
		char *m = win_strerror(GetLastError());
		*note = xasprintf("the catalog %s could not be read (%s): its signer is not trusted by cvmprep", cat, m);
		free(m);
		goto out;
	}
	DWORD size = 0;
	if (!msg || !cmgp(msg, CMSG_SIGNER_CERT_INFO_PARAM, 0, NULL, &size) || size == 0 || size > (1u << 20)) {
		*note = xasprintf("the catalog %s has no signer", cat);
		goto out;
	}
	info = xmalloc(size);
	if (!cmgp(msg, CMSG_SIGNER_CERT_INFO_PARAM, 0, info, &size) ||
	    !(cert = cfc(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0, CERT_FIND_SUBJECT_CERT, info, NULL))) {
		*note = xasprintf("the signer's certificate is not in the catalog %s", cat);
		goto out;
	}
	wchar_t wname[512];
	cgn(cert, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL, wname, ARRAY_SIZE(wname));
	char *name = win_narrow(wname, (size_t)-1);
	unsigned char sha1[20];
	DWORD hl = sizeof(sha1);
	if (!cgp(cert, CERT_SHA1_HASH_PROP_ID, sha1, &hl) || hl != sizeof(sha1)) {
		*err = xasprintf("the thumbprint of '%s' could not be computed", name);
		free(name);
		ret = -EIO;
		goto out;
	}
	struct strbuf thumb = STRBUF_INIT;
	for (size_t i = 0; i < sizeof(sha1); i++)
		strbuf_addf(&thumb, "%02X", sha1[i]);
	key = xasprintf("HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\TrustedPublisher\\Certificates\\%s",
			strbuf_str(&thumb));
	if (strstr(name, "Microsoft")) {
		*note = xasprintf("signed by %s: Windows trusts it already", name);
	} else if (reg_key_exists(key)) {
		*note = xasprintf("the signer %s (%s) is a trusted publisher already", name, strbuf_str(&thumb));
	} else {
		/* Opening the store creates its keys where they are missing: those go on rollback too. */
		static const char tpk[] = "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\TrustedPublisher";
		if (!reg_key_exists(tpk)) {
			ret = journal_key_absent(j, tpk);
		} else {
			static const char *const subs[] = { "Certificates", "CRLs", "CTLs" };
			for (size_t i = 0; i < ARRAY_SIZE(subs) && ret == 0; i++) {
				char *sk = xasprintf("%s\\%s", tpk, subs[i]);
				if (!reg_key_exists(sk))
					ret = journal_key_absent(j, sk);
				free(sk);
			}
		}
		if (ret == 0)
			ret = journal_key_absent(j, key);
		tp = ret == 0 ? cos(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_LOCAL_MACHINE, L"TrustedPublisher") : NULL;
		if (ret == 0 && (!tp || !cadd(tp, cert, CERT_STORE_ADD_NEW, NULL))) {
			char *m = win_strerror(GetLastError());
			*err = xasprintf("could not add '%s' to the TrustedPublisher store: %s", name, m);
			free(m);
			ret = -EIO;
		}
		if (ret == 0) {
			*note = xasprintf("trusted the signer %s (%s) for driver installation", name, strbuf_str(&thumb));
			changes_add(journal_changes(j), "trust", key, 0, "%s added to TrustedPublisher", name);
		}
	}
	strbuf_release(&thumb);
	free(name);
out:
	if (cert)
		cfree(cert);
	if (tp)
		cclose(tp, 0);
	if (store)
		cclose(store, 0);
	if (msg)
		mclose(msg);
	free(info);
	free(key);
	free(wcat);
	free(cat);
	return ret;
}
