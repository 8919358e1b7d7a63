/* win.os and win.activation: the Windows version and edition, and what import means for activation. */
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "rules.h"
#include "winchecks.h"
#include "banned.h"

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOEXW *);

static const char *client_name(unsigned major, unsigned minor, unsigned build)
{
	if (major == 6 && minor == 0)
		return "Windows Vista";
	if (major == 6 && minor == 1)
		return "Windows 7";
	if (major == 6 && minor == 2)
		return "Windows 8";
	if (major == 6 && minor == 3)
		return "Windows 8.1";
	if (major == 10 && build >= 22000)
		return "Windows 11";
	if (major == 10)
		return "Windows 10";
	if (major == 5)
		return "Windows XP";
	return NULL;
}

static const char *server_name(unsigned major, unsigned minor, unsigned build)
{
	if (major == 6 && minor == 0)
		return "Windows Server 2008";
	if (major == 6 && minor == 1)
		return "Windows Server 2008 R2";
	if (major == 6 && minor == 2)
		return "Windows Server 2012";
	if (major == 6 && minor == 3)
		return "Windows Server 2012 R2";
	if (major == 10 && build >= 26100)
		return "Windows Server 2025";
	if (major == 10 && build >= 20348)
		return "Windows Server 2022";
	if (major == 10 && build >= 17763)
		return "Windows Server 2019";
	if (major == 10)
		return "Windows Server 2016";
	if (major == 5 && minor == 2)
		return "Windows Server 2003";
	return NULL;
}

void probe_winver(struct ctx *ctx, struct facts *f)
{
	(void)ctx;
	struct winver_facts *w = &f->winver;
	if (w->s.state != FS_UNPROBED)
		return;
	SYSTEM_INFO si;
	GetNativeSystemInfo(&si);
	w->arch = xstrdup(si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64   ? "x86_64"
			  : si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_INTEL ? "i686"
			  : si.wProcessorArchitecture == 12 /* ARM64 */		     ? "aarch64"
										     : "unknown");
	/* GetVersionEx lies to programs without a manifest; ntdll's RtlGetVersion does not. */
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	rtl_get_version_fn rgv = ntdll ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "RtlGetVersion") : NULL;
	OSVERSIONINFOEXW vi;
	memset(&vi, 0, sizeof(vi));
	vi.dwOSVersionInfoSize = sizeof(vi);
	if (!rgv || rgv(&vi) != 0) {
		section_set(&w->s, FS_ERROR, NULL, "RtlGetVersion is not available");
		return;
	}
	w->major = vi.dwMajorVersion;
	w->minor = vi.dwMinorVersion;
	w->build = vi.dwBuildNumber;
	w->server = vi.wProductType != VER_NT_WORKSTATION;
	const char *name = w->server ? server_name(w->major, w->minor, w->build) : client_name(w->major, w->minor, w->build);
	if (name)
		w->edition = xstrdup(name);
	else
		w->edition = xasprintf("Windows %s %u.%u (build %u)", w->server ? "Server" : "(client)", w->major,
				       w->minor, w->build);
	section_set(&w->s, FS_OK, NULL, NULL);
}

static void rule_win_os(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct winver_facts *w = &facts->winver;
	if (rule_section_unusable(&w->s, c, r, NULL))
		return;
	struct finding *f;
	if (w->major < 6) {
		f = report_add(r, c, ST_FAIL, w->edition, "%s is not supported by the import (2008 or later only)",
			       w->edition);
		f->severity = SEV_BLOCKER;
	} else if (!w->server) {
		f = report_add(r, c, ST_FAIL, w->edition,
			       "%s is a client edition; Tencent's import supports Windows Server 2008 to 2022",
			       w->edition);
	} else if (w->major == 10 && w->build >= 26100) {
		f = report_add(r, c, ST_FAIL, w->edition, "%s is newer than the versions Tencent lists (2008 to 2022)",
			       w->edition);
	} else {
		f = report_add(r, c, ST_PASS, w->edition, "%s (%s) is supported", w->edition, w->arch);
	}
	finding_evidence(f, "RtlGetVersion: %u.%u build %u, %s product type", w->major, w->minor, w->build,
			 w->server ? "server" : "workstation");
}

static void rule_win_activation(const struct facts *facts, const struct check *c, struct report *r)
{
	(void)facts;
	report_add(r, c, ST_FAIL, NULL,
		   "imported Windows images cannot use Tencent Cloud's Windows activation: bring your own licence");
}

const struct check check_win_os = {
	.id = "win.os",
	.title = "Windows Server 2008 to 2022, 32 or 64 bit",
	.severity = SEV_WARNING,
	.fix = FIX_NONE,
	.explain =
		"Looks at: the version, build and product type that RtlGetVersion reports, and the\n"
		"processor architecture.\n\n"
		"Why: Tencent Cloud imports Windows Server 2008, 2008 R2, 2012, 2012 R2, 2016, 2019 and\n"
		"2022. Client editions and newer releases are not on the list and may fail; Windows\n"
		"Server 2003 and older cannot be imported at all (blocker).\n\n"
		"By hand: nothing to change in the image; upgrade or reinstall on a listed version.",
	.probes = { probe_winver },
	.rule = rule_win_os,
};

const struct check check_win_activation = {
	.id = "win.activation",
	.title = "Tencent's Windows activation is unavailable to imported images (always reported)",
	.severity = SEV_INFO,
	.fix = FIX_NONE,
	.explain =
		"Looks at: nothing; this is always reported for Windows.\n\n"
		"Why: instances created from imported Windows images cannot activate against Tencent\n"
		"Cloud's KMS; the licence must come with the image (bring your own licence).\n\n"
		"By hand: activate with your own key or KMS after import.",
	.rule = rule_win_activation,
};
