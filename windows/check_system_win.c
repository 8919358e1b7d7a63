/* win.network, win.fast-startup, win.pending-reboot, win.guest-tools: the rest of a Windows system before export. */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "winchecks.h"
#include "winfacts.h"
#include "winplan.h"
#include "winsys.h"
#include "banned.h"

#define POWER_SM "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Power"
#define POWER "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Power"

static bool skip_unprobed(const struct facts *facts, const struct section *s, const struct check *c,
			  struct report *r)
{
	if (!facts->win || !s) {
		report_add(r, c, ST_SKIP, NULL, "not checked");
		return true;
	}
	return rule_section_unusable(s, c, r, NULL);
}

static void rule_win_network(const struct facts *facts, const struct check *c, struct report *r)
{
	if (skip_unprobed(facts, facts->win ? &facts->win->net.s : NULL, c, r))
		return;
	const struct win_net *n = &facts->win->net;
	if (!n->n) {
		report_add(r, c, ST_PASS, NULL, "no Ethernet adapter is configured (CVM's virtio adapter gets DHCP)");
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct win_adapter *a = &n->v[i];
		struct finding *f;
		char *name = str_printable(a->name, 200);
		if (a->dhcp)
			f = report_add(r, c, ST_PASS, name, "%s gets its address by DHCP", name);
		else
			f = report_add(r, c, ST_FAIL, name,
				       "%s has a static address: set it to DHCP before export, as CVM assigns the address "
				       "by DHCP",
				       name);
		finding_evidence(f, "%s", a->source);
		for (size_t k = 0; k < a->addresses.n; k++)
			finding_evidence(f, "address %s", a->addresses.v[k]);
		free(name);
	}
}

static void rule_win_fast_startup(const struct facts *facts, const struct check *c, struct report *r)
{
	if (skip_unprobed(facts, facts->win ? &facts->win->power.s : NULL, c, r))
		return;
	const struct win_power *p = &facts->win->power;
	bool hibernate = p->hibernate == 1 || (p->hibernate < 0 && p->hiberfil);
	struct finding *f;
	if (p->hiberboot == 1) {
		f = report_add(r, c, ST_FAIL, "Fast Startup",
			       "Fast Startup is on: shutting down hibernates the system volume, which must not be "
			       "imported in that state");
		finding_evidence(f, "%s\\HiberbootEnabled = 1", POWER_SM);
	} else {
		f = report_add(r, c, ST_PASS, "Fast Startup", "Fast Startup is off");
		finding_evidence(f, "%s\\HiberbootEnabled %s", POWER_SM, p->hiberboot < 0 ? "is not set" : "= 0");
	}
	if (hibernate) {
		f = report_add(r, c, ST_FAIL, "hibernation",
			       "hibernation is on: a hibernated system volume must not be imported, and %s takes space "
			       "in the image",
			       p->hiberfil_path);
		finding_evidence(f, "%s\\HibernateEnabled %s", POWER, p->hibernate == 1 ? "= 1" : "is not set");
	} else {
		f = report_add(r, c, ST_PASS, "hibernation", "hibernation is off");
		finding_evidence(f, "%s\\HibernateEnabled %s", POWER, p->hibernate < 0 ? "is not set" : "= 0");
	}
	if (p->hiberfil)
		finding_evidence(f, "%s exists", p->hiberfil_path);
}

static int plan_win_fast_startup(struct ctx *ctx, const struct facts *facts, struct plan *p)
{
	(void)ctx;
	struct winplan *wp = winplan_of(p);
	const struct check *c = &check_win_fast_startup;
	const struct win_power *pw = &facts->win->power;
	bool hibernate = pw->hibernate == 1 || (pw->hibernate < 0 && pw->hiberfil);
	if (pw->hiberboot == 1)
		winplan_reg_dword(wp, c, POWER_SM, "HiberbootEnabled", 0, "turn Fast Startup off");
	if (hibernate) {
		winplan_reg_dword(wp, c, POWER, "HibernateEnabled", 0, "turn hibernation off");
		/* powercfg applies it now and removes hiberfil.sys, which would otherwise go into the image. */
		char *sys32 = win_system32();
		char *pc = win_path_join(sys32, "powercfg.exe");
		wchar_t *w = win_widen(pc);
		if (w && GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES) {
			struct wstep *s = winplan_step(wp, WS_COMMAND, c, NULL, "apply it now and delete hiberfil.sys");
			strvec_push(&s->argv, pc);
			strvec_push(&s->argv, "/hibernate");
			strvec_push(&s->argv, "off");
			s->optional = true;
		} else {
			plan_note(p, "%s: %s is not there; hibernation is off from the next start, and %s is removed then", c->id,
				  pc, pw->hiberfil_path);
		}
		free(w);
		free(pc);
		free(sys32);
	}
	return 0;
}

static void rule_win_pending_reboot(const struct facts *facts, const struct check *c, struct report *r)
{
	if (skip_unprobed(facts, facts->win ? &facts->win->reboot.s : NULL, c, r))
		return;
	const struct win_reboot *rb = &facts->win->reboot;
	if (!rb->markers.n) {
		report_add(r, c, ST_PASS, NULL, "no reboot is pending");
		return;
	}
	struct finding *f = report_add(r, c, ST_FAIL, NULL,
				       "a reboot is pending: restart before export, or the first boot on CVM finishes the "
				       "update there (and may restart)");
	for (size_t i = 0; i < rb->markers.n; i++)
		finding_evidence(f, "%s", rb->markers.v[i]);
}

static void rule_win_guest_tools(const struct facts *facts, const struct check *c, struct report *r)
{
	if (skip_unprobed(facts, facts->win ? &facts->win->tools.s : NULL, c, r))
		return;
	const struct win_tools *t = &facts->win->tools;
	if (!t->found.n) {
		report_add(r, c, ST_PASS, NULL, "no VMware, VirtualBox or Xen guest tools are installed");
		return;
	}
	for (size_t i = 0; i < t->found.n; i++) {
		struct strvec parts = STRVEC_INIT;
		str_split(&parts, t->found.v[i], "\t");
		if (parts.n == 3) {
			char *name = str_printable(parts.v[1], 200), *ev = str_printable(parts.v[2], 400);
			struct finding *f = report_add(r, c, ST_FAIL, name,
						       "%s guest tools are installed (%s): uninstall them before export, "
						       "their drivers and services fail on CVM",
						       parts.v[0], name);
			finding_evidence(f, "%s", ev);
			free(name);
			free(ev);
		}
		strvec_clear(&parts);
	}
}

const struct check check_win_network = {
	.id = "win.network",
	.title = "network adapters use DHCP",
	.severity = SEV_WARNING,
	.fix = FIX_NONE,
	.explain = "Looks at: each Ethernet adapter (GetAdaptersAddresses), and its persistent TCP/IP\n"
		   "setting (Tcpip\\Parameters\\Interfaces\\{adapter}\\EnableDHCP).\n\n"
		   "Why: CVM gives the instance its address by DHCP (and cloudbase-init from the config\n"
		   "drive); a static address from the old network leaves the instance unreachable.\n\n"
		   "By hand: ncpa.cpl, the adapter's IPv4 properties: obtain an address automatically\n"
		   "(netsh interface ip set address \"Ethernet\" dhcp).",
	.probes = { probe_win_net },
	.rule = rule_win_network,
};

const struct check check_win_fast_startup = {
	.id = "win.fast-startup",
	.title = "hibernation and Fast Startup are off",
	.severity = SEV_WARNING,
	.fix = FIX_AUTO,
	.fix_description = "set HiberbootEnabled and HibernateEnabled to 0 (and run powercfg /hibernate off)",
	.explain = "Looks at: HiberbootEnabled (Session Manager\\Power), HibernateEnabled (Control\\Power)\n"
		   "and %SystemDrive%\\hiberfil.sys.\n\n"
		   "Why: with Fast Startup, shutting down hibernates the kernel session and leaves NTFS\n"
		   "marked in use; the image is then captured in that state. hiberfil.sys is as large as a\n"
		   "good part of the memory and counts in the image size.\n\n"
		   "By hand: powercfg /hibernate off (also turns Fast Startup off).",
	.probes = { probe_win_power },
	.rule = rule_win_fast_startup,
	.plan = plan_win_fast_startup,
};

const struct check check_win_pending_reboot = {
	.id = "win.pending-reboot",
	.title = "no reboot is pending",
	.severity = SEV_WARNING,
	.fix = FIX_NONE,
	.explain = "Looks at: Component Based Servicing\\RebootPending, WindowsUpdate\\Auto Update\\\n"
		   "RebootRequired, Session Manager\\PendingFileRenameOperations, Updates\\\n"
		   "UpdateExeVolatile and a pending computer rename.\n\n"
		   "Why: an update half done finishes at the first boot on CVM, may restart the instance\n"
		   "and delay cloudbase-init.\n\n"
		   "By hand: restart, and run cvmprep again.",
	.probes = { probe_win_reboot },
	.rule = rule_win_pending_reboot,
};

const struct check check_win_guest_tools = {
	.id = "win.guest-tools",
	.title = "no VMware, VirtualBox or Xen guest tools",
	.severity = SEV_WARNING,
	.fix = FIX_NONE,
	.explain = "Looks at: installed programs (the Uninstall keys, 64- and 32-bit) and the services of\n"
		   "VMware Tools, VirtualBox Guest Additions and Xen/Citrix PV tools.\n\n"
		   "Why: their drivers and services expect the old hypervisor; on CVM they fail at every\n"
		   "boot and some (Xen PV storage filters) get in the way of the virtio drivers.\n\n"
		   "By hand: uninstall them from Programs and Features before export.",
	.probes = { probe_win_tools },
	.rule = rule_win_guest_tools,
};
