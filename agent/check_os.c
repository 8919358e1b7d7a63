/* os.release: the distribution and architecture are ones Tencent's import supports. */
#include <string.h>

#include "parse.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

static void rule_os_release(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct os_facts *o = &facts->os;
	if (rule_section_unusable(&o->s, c, r, "/etc/os-release"))
		return;
	if (o->s.state == FS_ABSENT) {
		struct finding *f = report_add(r, c, ST_FAIL, "/etc/os-release", "%s",
					       o->s.reason ? o->s.reason : "the distribution could not be identified");
		finding_evidence(f, "none of /etc/os-release, /usr/lib/os-release or the legacy release files exists");
		return;
	}
	const char *name = o->pretty_name ? o->pretty_name : o->id;
	bool id_ok = os_id_supported(o->id);
	bool arch_known = o->arch != NULL;
	bool arch_ok = arch_supported(o->arch);
	struct finding *f;
	if (id_ok && (arch_ok || !arch_known)) {
		f = report_add(r, c, ST_PASS, o->s.path, "%s is on Tencent's list of supported systems%s%s%s", name,
			       arch_known ? " (" : "", arch_known ? o->arch : "", arch_known ? ")" : "");
		if (!arch_known)
			finding_evidence(f, "the architecture could not be determined");
	} else if (!id_ok) {
		f = report_add(r, c, ST_FAIL, o->s.path,
			       "%s (ID=%s) is not on Tencent's list of supported distributions; the import may be refused",
			       name, o->id ? o->id : "unknown");
		finding_evidence(f, "supported: CentOS, Ubuntu, Debian, CoreOS, openSUSE, SUSE, AlmaLinux, Rocky, "
				    "Fedora, Kylin, UnionTech, TencentOS");
	} else {
		f = report_add(r, c, ST_FAIL, o->s.path,
			       "the architecture %s is not supported (x86_64, i386/i686 or aarch64 only)", o->arch);
	}
	if (o->s.path)
		finding_evidence(f, "identified from %s", o->s.path);
	if (o->id_like)
		finding_evidence(f, "ID_LIKE=%s", o->id_like);
	if (o->arch_source)
		finding_evidence(f, "architecture from %s", o->arch_source);
}

const struct check check_os_release = {
	.id = "os.release",
	.title = "the distribution and architecture are supported by Tencent's image import",
	.severity = SEV_WARNING,
	.fix = FIX_NONE,
	.explain =
		"Looks at: /etc/os-release (or /usr/lib/os-release; on old systems /etc/redhat-release,\n"
		"/etc/SuSE-release, /etc/lsb-release, /etc/debian_version) for the distribution, and the\n"
		"running kernel (offline: the ELF header of /bin/sh) for the architecture.\n\n"
		"Why: Tencent Cloud documents imports of CentOS (and Stream), Ubuntu, Debian, CoreOS,\n"
		"openSUSE, SUSE, AlmaLinux, Rocky, Fedora, Kylin, UnionTech and TencentOS, 32- and 64-bit\n"
		"x86 and aarch64. Other systems (RHEL itself, Oracle Linux, Arch...) often work but are\n"
		"not supported, and an import may be refused or behave differently.\n\n"
		"By hand: nothing to change in the image; expect to test the imported instance more\n"
		"carefully, or rebuild on a supported distribution.",
	.probes = { probe_os },
	.rule = rule_os_release,
};
