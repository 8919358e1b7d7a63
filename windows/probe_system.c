/*
 * Probes of the remaining Windows checks: network adapters (GetAdaptersAddresses, and the
 * persistent DHCP setting of each), Fast Startup and hibernation, pending reboot markers, and
 * installed guest tools of other hypervisors (uninstall keys and services).
 */
#include <winsock2.h>
#include <windows.h>
#include <iphlpapi.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "reg.h"
#include "winchecks.h"
#include "winfacts.h"
#include "winsys.h"
#include "banned.h"

#define TCPIP_IFACES "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces"

typedef ULONG(WINAPI *gaa_t)(ULONG, ULONG, PVOID, PIP_ADAPTER_ADDRESSES, PULONG);

static char *sockaddr_text(const SOCKADDR *sa)
{
	if (sa->sa_family == AF_INET) {
		const unsigned char *a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		return xasprintf("%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	}
	return NULL;
}

void probe_win_net(struct ctx *ctx, struct facts *f)
{
	(void)ctx;
	struct win_facts *w = win_facts(f);
	struct win_net *n = &w->net;
	if (n->s.state != FS_UNPROBED)
		return;
	gaa_t gaa = (gaa_t)win_proc(L"iphlpapi.dll", "GetAdaptersAddresses");
	if (!gaa) {
		section_set(&n->s, FS_ERROR, NULL, "GetAdaptersAddresses is not available");
		return;
	}
	ULONG size = 16 * 1024, r = 0;
	IP_ADAPTER_ADDRESSES *aa = NULL;
	for (int tries = 0; tries < 4; tries++) {
		aa = xmalloc(size);
		r = gaa(AF_INET, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER, NULL, aa, &size);
		if (r != ERROR_BUFFER_OVERFLOW)
			break;
		free(aa);
		aa = NULL;
	}
	if (r != ERROR_SUCCESS && r != ERROR_NO_DATA) {
		char *m = win_strerror(r);
		section_set(&n->s, FS_ERROR, NULL, "GetAdaptersAddresses failed: %s", m);
		free(m);
		free(aa);
		return;
	}
	for (IP_ADAPTER_ADDRESSES *p = r == ERROR_SUCCESS ? aa : NULL; p; p = p->Next) {
		/* Ethernet and wireless adapters; loopback, tunnels and PPP are not what the import replaces. */
		if (p->IfType != IF_TYPE_ETHERNET_CSMACD && p->IfType != IF_TYPE_IEEE80211)
			continue;
		n->v = xreallocarray(n->v, n->n + 1, sizeof(*n->v));
		struct win_adapter *a = &n->v[n->n++];
		memset(a, 0, sizeof(*a));
		a->name = win_narrow(p->FriendlyName, (size_t)-1);
		a->guid = xstrdup(p->AdapterName ? p->AdapterName : "");
		for (IP_ADAPTER_UNICAST_ADDRESS *u = p->FirstUnicastAddress; u; u = u->Next) {
			char *t = sockaddr_text(u->Address.lpSockaddr);
			if (t)
				strvec_push_nodup(&a->addresses, t);
		}
		/* The persistent setting is what the adapter will use at the next start. */
		char *key = xasprintf(TCPIP_IFACES "\\%s", a->guid);
		uint32_t dhcp;
		if (reg_get_dword(key, "EnableDHCP", &dhcp) == 0) {
			a->dhcp = dhcp != 0;
			a->source = xasprintf("%s: EnableDHCP = %u", key, (unsigned)dhcp);
		} else {
			a->dhcp = (p->Flags & IP_ADAPTER_DHCP_ENABLED) != 0;
			a->source = xasprintf("GetAdaptersAddresses: DHCP %s (adapter %s)", a->dhcp ? "enabled" : "disabled",
					      a->guid);
		}
		free(key);
	}
	free(aa);
	section_set(&n->s, FS_OK, NULL, NULL);
}

#define POWER_SM "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Power"
#define POWER "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Power"

static int dword_or(const char *key, const char *name)
{
	uint32_t v;
	if (reg_get_dword(key, name, &v) != 0)
		return -1;
	return v ? 1 : 0;
}

void probe_win_power(struct ctx *ctx, struct facts *f)
{
	(void)ctx;
	struct win_facts *w = win_facts(f);
	struct win_power *p = &w->power;
	if (p->s.state != FS_UNPROBED)
		return;
	p->hiberboot = dword_or(POWER_SM, "HiberbootEnabled");
	p->hibernate = dword_or(POWER, "HibernateEnabled");
	char *drive = win_env("SystemDrive");
	p->hiberfil_path = xasprintf("%s\\hiberfil.sys", drive ? drive : "C:");
	free(drive);
	wchar_t *wp = win_widen(p->hiberfil_path);
	p->hiberfil = wp && GetFileAttributesW(wp) != INVALID_FILE_ATTRIBUTES;
	free(wp);
	section_set(&p->s, FS_OK, NULL, NULL);
}

void probe_win_reboot(struct ctx *ctx, struct facts *f)
{
	(void)ctx;
	struct win_facts *w = win_facts(f);
	struct win_reboot *r = &w->reboot;
	if (r->s.state != FS_UNPROBED)
		return;
	static const char *const keys[][2] = {
		{ "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending",
		  "a servicing operation (Component Based Servicing) waits for a reboot" },
		{ "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired",
		  "Windows Update waits for a reboot" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (reg_key_exists(keys[i][0]))
			strvec_pushf(&r->markers, "%s (%s)", keys[i][1], keys[i][0]);
	struct strvec ops = STRVEC_INIT;
	if (reg_get_multi("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager", "PendingFileRenameOperations",
			  &ops) == 0 &&
	    ops.n)
		strvec_pushf(&r->markers,
			     "%zu file operation%s wait for a reboot (Session Manager\\PendingFileRenameOperations, first: %s)",
			     (ops.n + 1) / 2, ops.n > 2 ? "s" : "", ops.v[0]);
	strvec_clear(&ops);
	uint32_t v;
	if (reg_get_dword("HKLM\\SOFTWARE\\Microsoft\\Updates", "UpdateExeVolatile", &v) == 0 && v != 0)
		strvec_pushf(&r->markers, "an update installer waits for a reboot (Updates\\UpdateExeVolatile = %u)",
			     (unsigned)v);
	char *active = reg_get_string("HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName",
				      "ComputerName");
	char *next = reg_get_string("HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName",
				    "ComputerName");
	if (active && next && _stricmp(active, next) != 0)
		strvec_pushf(&r->markers, "the computer is renamed from %s to %s at the next start", active, next);
	free(active);
	free(next);
	section_set(&r->s, FS_OK, NULL, NULL);
}

static const struct {
	const char *match; /* a DisplayName containing this (case-insensitive) */
	const char *vendor;
} tool_names[] = {
	{ "VMware Tools", "VMware" },
	{ "VirtualBox Guest Additions", "VirtualBox" },
	{ "XenServer VM Tools", "Xen" },
	{ "XenServer Tools", "Xen" },
	{ "Citrix VM Tools", "Xen" },
	{ "Citrix Hypervisor PV", "Xen" },
	{ "Xen PV", "Xen" },
	{ "XenTools", "Xen" },
};

static const struct {
	const char *service;
	const char *vendor;
	const char *what;
} tool_services[] = {
	{ "VMTools", "VMware", "VMware Tools service" },
	{ "VBoxService", "VirtualBox", "VirtualBox Guest Additions service" },
	{ "XenSvc", "Xen", "Xen guest agent service" },
	{ "xenagent", "Xen", "Xen guest agent service" },
};

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (_strnicmp(p, needle, n) == 0)
			return true;
	return false;
}

void probe_win_tools(struct ctx *ctx, struct facts *f)
{
	(void)ctx;
	struct win_facts *w = win_facts(f);
	struct win_tools *t = &w->tools;
	if (t->s.state != FS_UNPROBED)
		return;
	static const char *const roots[] = {
		"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
		"HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
	};
	struct strvec vendors = STRVEC_INIT;
	for (size_t r = 0; r < ARRAY_SIZE(roots); r++) {
		struct strvec keys = STRVEC_INIT;
		reg_subkeys(roots[r], &keys);
		for (size_t i = 0; i < keys.n; i++) {
			char *key = xasprintf("%s\\%s", roots[r], keys.v[i]);
			char *name = reg_get_string(key, "DisplayName");
			for (size_t k = 0; name && k < ARRAY_SIZE(tool_names); k++) {
				if (!contains_ci(name, tool_names[k].match))
					continue;
				strvec_pushf(&t->found, "%s\t%s\tinstalled (%s)", tool_names[k].vendor, name, key);
				strvec_push(&vendors, tool_names[k].vendor);
				break;
			}
			free(name);
			free(key);
		}
		strvec_clear(&keys);
	}
	for (size_t k = 0; k < ARRAY_SIZE(tool_services); k++) {
		char *key = xasprintf(WREG_SERVICES "\\%s", tool_services[k].service);
		if (reg_key_exists(key) && !strvec_contains(&vendors, tool_services[k].vendor))
			strvec_pushf(&t->found, "%s\t%s\tservice %s (%s)", tool_services[k].vendor, tool_services[k].what,
				     tool_services[k].service, key);
		free(key);
	}
	strvec_clear(&vendors);
	section_set(&t->s, FS_OK, NULL, NULL);
}
