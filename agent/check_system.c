/* security.shadow and guest.tools: a settable password, and no old hypervisor's tools. */
#include "probes.h"
#include "rules.h"
#include "banned.h"

static void rule_security_shadow(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct shadow_facts *s = &facts->shadow;
	if (rule_section_unusable(&s->s, c, r, "/etc/shadow"))
		return;
	if (s->s.state == FS_ABSENT) {
		report_add(r, c, ST_FAIL, "/etc/shadow", "/etc/shadow does not exist: no password can be set at first boot");
		return;
	}
	if (!s->regular) {
		report_add(r, c, ST_FAIL, "/etc/shadow", "/etc/shadow is not a regular file");
		return;
	}
	if (s->attrs.state != FS_OK) {
		report_add(r, c, ST_SKIP, "/etc/shadow", "/etc/shadow exists; its attributes could not be read: %s",
			   s->attrs.reason ? s->attrs.reason : "unknown");
		return;
	}
	if (s->immutable || s->append_only) {
		struct finding *f = report_add(r, c, ST_FAIL, "/etc/shadow",
					       "/etc/shadow is %s: the password cannot be set at first boot",
					       s->immutable && s->append_only ? "immutable and append-only"
					       : s->immutable		       ? "immutable (chattr +i)"
									       : "append-only (chattr +a)");
		finding_evidence(f, "lsattr /etc/shadow shows %s%s", s->immutable ? "i" : "", s->append_only ? "a" : "");
		return;
	}
	report_add(r, c, ST_PASS, "/etc/shadow", "/etc/shadow exists and can be written");
}

static void rule_guest_tools(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct guest_facts *g = &facts->guest;
	if (rule_section_unusable(&g->s, c, r, NULL))
		return;
	for (size_t i = 0; i < g->n; i++) {
		struct finding *f = report_add(r, c, ST_FAIL, g->v[i].name, "%s guest tools are installed (%s)",
					       g->v[i].vendor, g->v[i].name);
		finding_evidence(f, "%s", g->v[i].evidence);
	}
	if (!g->n)
		report_add(r, c, ST_PASS, NULL, "no VMware, VirtualBox, Xen or Hyper-V guest tools were found");
}

const struct check check_security_shadow = {
	.id = "security.shadow",
	.title = "/etc/shadow exists and is not immutable or append-only",
	.severity = SEV_BLOCKER,
	.fix = FIX_AUTO,
	.fix_description = "clear the immutable and append-only attributes",
	.explain =
		"Looks at: /etc/shadow: that it is a regular file, and its inode flags (FS_IOC_GETFLAGS,\n"
		"what lsattr shows). Reading the flags needs root.\n\n"
		"Why: at first boot cloud-init (or the forced-import script) sets the password chosen in\n"
		"the console. With /etc/shadow missing, or made immutable (chattr +i) or append-only\n"
		"(chattr +a) as some hardening guides suggest, that fails and nobody can log in.\n\n"
		"By hand: chattr -i -a /etc/shadow; restore a missing file with pwconv.",
	.probes = { probe_shadow },
	.rule = rule_security_shadow,
	.plan = plan_security_shadow,
};

const struct check check_guest_tools = {
	.id = "guest.tools",
	.title = "no VMware, VirtualBox, Xen or Hyper-V guest tools are installed",
	.severity = SEV_WARNING,
	.fix = FIX_AUTO, /* disabling the services needs no flag; removing packages needs --install-packages */
	.fix_description = "disable their services; remove the packages with --install-packages",
	.explain =
		"Looks at: installed packages (dpkg's status database) and files of guest tools:\n"
		"open-vm-tools and VMware Tools (vmtoolsd, /etc/vmware-tools/locations), VirtualBox Guest\n"
		"Additions (VBoxService, /opt/VBoxGuestAdditions-*), Xen tools (xe-daemon), Hyper-V\n"
		"daemons (hv_kvp_daemon). A package removed but not purged does not count.\n\n"
		"Why: Tencent's image guide asks for the old hypervisor's tools to be removed. On KVM they\n"
		"are useless at best; some rewrite network or time settings, or load kernel modules that\n"
		"slow the boot.\n\n"
		"By hand: apt-get purge open-vm-tools (yum/dnf/zypper remove on other systems), or run\n"
		"the vendor's uninstaller (vmware-uninstall-tools.pl, VBoxLinuxAdditions.run uninstall).",
	.probes = { probe_guest },
	.rule = rule_guest_tools,
	.plan = plan_guest_tools,
};
