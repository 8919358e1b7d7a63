/* net.*: the first NIC is eth0, no udev rule pins names to old MACs, and the stack gives eth0 DHCP. */
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "rules.h"
#include "banned.h"

static const char *const stack_names[STACK_COUNT] = { "ifupdown", "netplan", "NetworkManager",
						      "network-scripts (ifcfg)", "wicked", "systemd-networkd" };

static void rule_ifnames(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct net_facts *n = &facts->net;
	if (rule_section_unusable(&n->s, c, r, NULL))
		return;
	struct finding *f;
	const char *subj = n->cmd_source ? n->cmd_source : "kernel command line";
	if (!n->udev_naming) {
		f = report_add(r, c, ST_PASS, subj, "the first NIC will be eth0 (no predictable interface names here)");
	} else if (n->naming_masked) {
		f = report_add(r, c, ST_PASS, subj, "predictable interface names are turned off in /etc: the first NIC is eth0");
	} else if (n->cmd.net_ifnames == 0) {
		f = report_add(r, c, ST_PASS, subj, "net.ifnames=0 on the kernel command line: the first NIC is eth0");
		if (n->have_future && n->future.net_ifnames != 0)
			finding_evidence(f, "but GRUB_CMDLINE_LINUX lacks net.ifnames=0: the next grub-mkconfig drops it");
	} else {
		f = report_add(r, c, ST_FAIL, subj,
			       "udev will name the virtio NIC by its PCI slot (ens5...), not eth0: no net.ifnames=0 on the "
			       "kernel command line");
	}
	finding_evidence(f, "%s", n->naming_evidence);
	if (n->biosdevname)
		finding_evidence(f, "biosdevname is installed; biosdevname=%s on the command line",
				 n->cmd.biosdevname < 0 ? "(unset)" : n->cmd.biosdevname ? "1" : "0");
}

static void rule_persistent(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct net_facts *n = &facts->net;
	if (rule_section_unusable(&n->s, c, r, NULL))
		return;
	size_t bad = 0;
	for (size_t i = 0; i < n->nrules; i++)
		for (size_t k = 0; k < n->rules[i].n; k++) {
			const struct nc_iface *it = &n->rules[i].v[k];
			if (!it->mac_match || !it->set_name)
				continue;
			char *subject = xasprintf("%s:%u", n->rules[i].path, it->line);
			report_add(r, c, ST_FAIL, subject, "a udev rule names the NIC with MAC %s '%s': on CVM the NIC has another MAC",
				   it->mac_match, it->set_name);
			free(subject);
			bad++;
		}
	if (n->rule_generator) {
		struct finding *f = report_add(r, c, ST_FAIL, n->rule_generator,
					       "udev's persistent-net rule generator is active: it pins the NIC it sees first");
		finding_evidence(f, "it writes /etc/udev/rules.d/70-persistent-net.rules at boot");
		bad++;
	}
	/* A rules file or directory that cannot be read may hold a binding: no pass on a guess. */
	size_t unread = 0;
	for (size_t i = 0; i < n->unreadable.n; i++)
		if (str_starts_with(n->unreadable.v[i], "/etc/udev/rules.d")) {
			char *path = xstrndup(n->unreadable.v[i], strcspn(n->unreadable.v[i], ":"));
			report_add(r, c, ST_ERROR, path, "could not read %s", n->unreadable.v[i]);
			free(path);
			unread++;
		}
	if (!bad && !unread)
		report_add(r, c, ST_PASS, "/etc/udev/rules.d", "no udev rule binds an interface name to a MAC address");
}

/* Files of a stack, by the format of their parsed content. */
static bool in_stack(const struct nc_file *f, enum net_stack s)
{
	switch (s) {
	case STACK_IFUPDOWN:
		return f->format == NC_IFUPDOWN;
	case STACK_NETPLAN:
		return f->format == NC_NETPLAN;
	case STACK_NM:
		return f->format == NC_NM_KEYFILE;
	case STACK_IFCFG_RH:
		return f->format == NC_IFCFG_RH;
	case STACK_WICKED:
		return f->format == NC_IFCFG_SUSE;
	case STACK_NETWORKD:
		return f->format == NC_NETWORKD;
	case STACK_COUNT:
		break;
	}
	return false;
}

/* The interfaces a definition configures, for a message: the names it applies to where the
 * stack matches by name (networkd's [Match] Name=, a keyfile's interface-name=), else its id. */
static char *iface_label(const struct nc_iface *it)
{
	if (!it->names.n)
		return xstrdup(it->id ? it->id : "?");
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < it->names.n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", it->names.v[i]);
	return strbuf_detach(&sb);
}

static const char *field_file(const struct nc_file *f, const char *field_file_ptr)
{
	return field_file_ptr ? field_file_ptr : f->path;
}

static void rule_config(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct net_facts *n = &facts->net;
	const struct cloudinit_facts *ci = &facts->cloudinit;
	if (rule_section_unusable(&n->s, c, r, NULL))
		return;
	bool renders = ci->installed && !(ci->evaluated && ci->eval.network_config.set && ci->eval.network_config.value &&
					  strcmp(ci->eval.network_config.value, "disabled") == 0);
	size_t bad = 0;
	bool eth0_dhcp = false;
	struct strvec ev = STRVEC_INIT;

	/* ifupdown must read what cloud-init renders into interfaces.d. */
	if (n->present[STACK_IFUPDOWN] && n->interfaces && renders) {
		const struct nc_file *ifs = NULL;
		for (size_t i = 0; i < n->nfiles && !ifs; i++)
			if (strcmp(n->files[i].path, n->interfaces) == 0)
				ifs = &n->files[i];
		unsigned line = ifs ? nc_ifupdown_reads(ifs, "/etc/network/interfaces.d/50-cloud-init") : 0;
		if (!line) {
			struct finding *f = report_add(r, c, ST_FAIL, n->interfaces,
						       "%s does not source /etc/network/interfaces.d/*: eth0 never gets the "
						       "address cloud-init configures",
						       n->interfaces);
			f->severity = SEV_BLOCKER;
			finding_evidence(f, "cloud-init writes the instance's network (eth0, DHCP) to "
					    "/etc/network/interfaces.d/50-cloud-init");
			bad++;
		} else {
			strvec_pushf(&ev, "%s:%u sources cloud-init's rendered configuration", n->interfaces, line);
			eth0_dhcp = true;
		}
	} else if (renders) {
		strvec_pushf(&ev, "cloud-init renders eth0 (DHCP) where the active stack reads it");
		eth0_dhcp = true;
	}

	/* A file the stack refuses (whole, or from a line on) configures nothing after that point. */
	for (size_t i = 0; i < n->nfiles; i++) {
		const struct nc_file *nf = &n->files[i];
		if (!nf->stop_reason)
			continue;
		char *subject = xasprintf("%s:%u", nf->path, nf->stop_line);
		struct finding *fd = report_add(r, c, ST_FAIL, subject, "%s %s: %s", nc_format_name(nf->format),
						nf->stop_whole_file ? "ignores the whole file" : "stops reading the file here",
						nf->stop_reason);
		/* The main interfaces file, or a netplan file (netplan then applies none): nothing comes up. */
		if ((n->interfaces && strcmp(nf->path, n->interfaces) == 0) || nf->format == NC_NETPLAN)
			fd->severity = SEV_BLOCKER;
		free(subject);
		bad++;
	}

	/* Pins and static addresses anywhere in the stacks present. */
	for (enum net_stack s = 0; s < STACK_COUNT; s++) {
		if (!n->present[s])
			continue;
		for (size_t i = 0; i < n->nfiles; i++) {
			const struct nc_file *f = &n->files[i];
			if (!in_stack(f, s))
				continue;
			for (size_t k = 0; k < f->n; k++) {
				const struct nc_iface *it = &f->v[k];
				if (nc_iface_pinned(it)) {
					unsigned line = it->mac_match ? it->mac_match_line : it->mac_set_line;
					char *subject = xasprintf("%s:%u", f->path, line);
					struct finding *fd = report_add(r, c, ST_FAIL, subject,
									"'%s' is pinned to the MAC address %s, which the instance "
									"will not have",
									it->id ? it->id : "?", it->mac_match ? it->mac_match : it->mac_set);
					finding_evidence(fd, "%s configuration", stack_names[s]);
					free(subject);
					bad++;
					continue;
				}
				bool eth0 = nc_iface_applies(it, "eth0", NULL);
				if (eth0 && it->method == NC_STATIC) {
					char *subject = xasprintf("%s:%u", f->path, it->method_line ? it->method_line : it->line);
					struct finding *fd = report_add(r, c, ST_FAIL, subject,
									"eth0 gets the static address %s: the VPC assigns "
									"addresses by DHCP",
									it->address ? it->address : "?");
					finding_evidence(fd, "%s configuration", stack_names[s]);
					free(subject);
					bad++;
				} else if (eth0 && it->method == NC_DHCP) {
					eth0_dhcp = true;
					strvec_pushf(&ev, "%s:%u configures eth0 by DHCP", f->path, it->method_line);
				} else if (it->id && !eth0 && it->method != NC_UNSET && strcmp(it->id, "lo") != 0) {
					char *label = iface_label(it);
					strvec_pushf(&ev, "%s:%u configures '%s', which will not exist on CVM", f->path, it->line,
						     label);
					free(label);
				}
			}
		}
	}
	if (n->have_netplan)
		for (size_t k = 0; k < n->netplan.n; k++) {
			const struct nc_iface *it = &n->netplan.v[k];
			if (it->set_name && it->mac_match) {
				char *subject = xasprintf("%s:%u", field_file(&n->netplan, it->set_name_file), it->set_name_line);
				report_add(r, c, ST_FAIL, subject, "netplan renames the NIC with MAC %s to '%s'", it->mac_match,
					   it->set_name);
				free(subject);
				bad++;
			}
		}
	/* Configuration that exists but cannot be read may configure eth0 or pin the old NIC. */
	size_t unread = 0;
	for (size_t i = 0; i < n->unreadable.n; i++)
		if (!str_starts_with(n->unreadable.v[i], "/etc/udev/rules.d")) {
			char *path = xstrndup(n->unreadable.v[i], strcspn(n->unreadable.v[i], ":"));
			report_add(r, c, ST_ERROR, path, "could not read %s", n->unreadable.v[i]);
			free(path);
			unread++;
		}
	if (unread && !bad) {
		strvec_clear(&ev);
		return;
	}
	if (!renders && !eth0_dhcp && !bad) {
		bool forced = ci->forced_import;
		struct finding *f = report_add(r, c, forced ? ST_PASS : ST_FAIL, NULL,
					       forced ? "the forced-import boot script configures eth0 from the config drive"
						      : "nothing configures eth0 by DHCP (and cloud-init does not render it)");
		for (size_t i = 0; i < ev.n; i++)
			finding_evidence(f, "%s", ev.v[i]);
		strvec_clear(&ev);
		return;
	}
	if (!bad) {
		struct finding *f = report_add(r, c, ST_PASS, NULL, "eth0 gets its address by DHCP and nothing pins the old NIC");
		for (size_t i = 0; i < ev.n; i++)
			finding_evidence(f, "%s", ev.v[i]);
		for (enum net_stack s = 0; s < STACK_COUNT; s++)
			if (n->present[s])
				finding_evidence(f, "stack present: %s", stack_names[s]);
	}
	strvec_clear(&ev);
}

const struct check check_net_ifnames = {
	.id = "net.ifnames",
	.title = "the first NIC will be named eth0",
	.severity = SEV_WARNING,
	.fix = FIX_AUTO,
	.fix_description = "net.ifnames=0 biosdevname=0 on the kernel command line, through the bootloader's own "
			   "configuration",
	.explain =
		"Looks at: the default boot entry's kernel command line (net.ifnames=, biosdevname=),\n"
		"GRUB_CMDLINE_LINUX for what grub-mkconfig writes next, whether udev gives predictable\n"
		"names (80-net-setup-link.rules) or that is masked in /etc, and biosdevname.\n\n"
		"Why: Tencent's instances expect eth0; cloud-init's network configuration and Tencent's\n"
		"scripts name it. With predictable names the virtio NIC becomes ens5 or enp0s5.\n\n"
		"By hand: add net.ifnames=0 biosdevname=0 to GRUB_CMDLINE_LINUX in /etc/default/grub and\n"
		"run update-grub (grub2-mkconfig -o ..., or grubby --update-kernel=ALL --args=...).",
	.probes = { probe_net },
	.rule = rule_ifnames,
	.plan = plan_net_ifnames,
};

const struct check check_net_persistent_rules = {
	.id = "net.persistent-rules",
	.title = "no udev rule binds interface names to MAC addresses",
	.severity = SEV_WARNING,
	.fix = FIX_AUTO,
	.fix_description = "move the MAC-binding rules files into the journal and mask the old rule generator",
	.explain =
		"Looks at: /etc/udev/rules.d/*.rules for rules that give a NAME to a given\n"
		"ATTR{address}, such as 70-persistent-net.rules, and the old persistent-net rule\n"
		"generator (75-persistent-net-generator.rules).\n\n"
		"Why: the instance's NIC has a new MAC address: the old rule does not match, the NIC\n"
		"gets the next free name (eth1), and the configuration for eth0 finds no device.\n\n"
		"By hand: rm /etc/udev/rules.d/70-persistent-net.rules; ln -s /dev/null\n"
		"/etc/udev/rules.d/75-persistent-net-generator.rules where the generator exists.",
	.probes = { probe_net },
	.rule = rule_persistent,
	.plan = plan_net_persistent_rules,
};

const struct check check_net_config = {
	.id = "net.config",
	.title = "the network stack gives eth0 an address by DHCP, and nothing pins the old NIC",
	.severity = SEV_WARNING,
	.fix = FIX_AUTO,
	.fix_description = "make ifupdown read cloud-init's configuration, or give eth0 DHCP in the active stack; "
			   "comment out MAC pins",
	.explain =
		"Looks at: the configuration of every network stack present: ifupdown\n"
		"(/etc/network/interfaces and what it sources), netplan, NetworkManager keyfiles,\n"
		"network-scripts and wicked ifcfg files, systemd-networkd .network files: which\n"
		"interfaces they configure and how, and MAC pins (HWADDR=, MACADDR=, mac-address=,\n"
		"hwaddress, match: macaddress, [Match] MACAddress=).\n\n"
		"Why: the instance must come up with eth0 configured by DHCP. cloud-init writes that\n"
		"configuration for the active stack; on ifupdown systems it goes to\n"
		"/etc/network/interfaces.d/50-cloud-init, and an interfaces file that does not source\n"
		"interfaces.d never reads it (then eth0 has no address: a blocker). A pinned MAC or a\n"
		"static address belongs to the old network.\n\n"
		"By hand: add 'source /etc/network/interfaces.d/*' to /etc/network/interfaces; remove\n"
		"HWADDR=/mac-address= lines; give eth0 DHCP (BOOTPROTO=dhcp, method=auto, dhcp4: true).",
	.probes = { probe_cloudinit, probe_net },
	.rule = rule_config,
	.plan = plan_net_config,
};
