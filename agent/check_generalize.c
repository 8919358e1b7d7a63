/*
 * generalize.*: with `fix --generalize`, what ties the image to the machine it was made on, as
 * virt-sysprep resets it: the machine ID, SSH host keys, DHCP leases and shell histories.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

static void list_finding(struct report *r, const struct check *c, const struct strvec *paths, const char *what,
			 const struct section *s)
{
	if (rule_section_unusable(s, c, r, NULL))
		return;
	if (!paths->n) {
		report_add(r, c, ST_PASS, NULL, "no %s", what);
		return;
	}
	struct finding *f = report_add(r, c, ST_FAIL, NULL, "%zu %s%s", paths->n, what,
				       paths->n == 1 ? " is present" : " are present");
	for (size_t i = 0; i < paths->n; i++)
		finding_evidence(f, "%s", paths->v[i]);
}

static void rule_machine_id(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct generalize_facts *g = &facts->generalize;
	if (rule_section_unusable(&g->s, c, r, NULL))
		return;
	if (!g->machine_id_set && !g->dbus_machine_id.n) {
		report_add(r, c, ST_PASS, "/etc/machine-id", "the machine ID is empty: each instance makes its own");
		return;
	}
	struct finding *f = report_add(r, c, ST_FAIL, "/etc/machine-id",
				       "the machine ID is set: every instance from this image would share it");
	for (size_t i = 0; i < g->dbus_machine_id.n; i++)
		finding_evidence(f, "%s is a copy of its own", g->dbus_machine_id.v[i]);
}

static void rule_ssh(const struct facts *facts, const struct check *c, struct report *r)
{
	list_finding(r, c, &facts->generalize.ssh_keys, "SSH host key files", &facts->generalize.s);
}

static void rule_leases(const struct facts *facts, const struct check *c, struct report *r)
{
	list_finding(r, c, &facts->generalize.leases, "DHCP lease files", &facts->generalize.s);
}

static void rule_history(const struct facts *facts, const struct check *c, struct report *r)
{
	list_finding(r, c, &facts->generalize.histories, "shell history files", &facts->generalize.s);
}

static int plan_machine_id(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	(void)ctx;
	const struct generalize_facts *g = &f->generalize;
	if (g->machine_id_set)
		/* Emptied, not deleted: systemd then makes a new one at first boot. */
		plan_write(p, &check_generalize_machine_id, g->machine_id_path, "", 0, 0444,
			   "systemd writes a new machine ID at first boot");
	for (size_t i = 0; i < g->dbus_machine_id.n; i++)
		plan_move_aside(p, &check_generalize_machine_id, g->dbus_machine_id.v[i], "D-Bus derives it again");
	return 0;
}

static int plan_list(struct plan *p, const struct check *c, const struct strvec *paths, const char *why)
{
	for (size_t i = 0; i < paths->n; i++)
		plan_move_aside(p, c, paths->v[i], why);
	return 0;
}

static int plan_ssh(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	(void)ctx;
	return plan_list(p, &check_generalize_ssh_host_keys, &f->generalize.ssh_keys,
			 "cloud-init (or sshd-keygen) makes new host keys at first boot");
}

static int plan_leases(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	(void)ctx;
	return plan_list(p, &check_generalize_dhcp_leases, &f->generalize.leases, "a lease of the old network");
}

static int plan_history(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	(void)ctx;
	return plan_list(p, &check_generalize_shell_history, &f->generalize.histories, "commands typed on the source VM");
}

#define GEN_CHECK(name, ident, ttl, rl, pl, expl)                                                            \
	const struct check ident = {                                                                         \
		.id = name,                                                                                  \
		.title = ttl,                                                                                \
		.severity = SEV_INFO,                                                                        \
		.fix = FIX_OPT_IN,                                                                           \
		.opt_in = "--generalize",                                                                    \
		.fix_description = "moved into the journal (the machine ID is emptied)",                     \
		.explain = expl,                                                                             \
		.probes = { probe_generalize },                                                              \
		.rule = rl,                                                                                  \
		.plan = pl,                                                                                  \
		.only_with = "--generalize",                                                                 \
	}

GEN_CHECK("generalize.machine-id", check_generalize_machine_id, "the machine ID is reset (with --generalize)",
	  rule_machine_id, plan_machine_id,
	  "Looks at: /etc/machine-id, and /var/lib/dbus/machine-id when it is not a link to it.\n"
	  "Runs only with 'cvmprep fix --generalize'.\n\n"
	  "Why: instances made from one image must not share a machine ID: systemd-networkd and\n"
	  "NetworkManager derive DHCP client IDs from it, and journald and D-Bus identify the\n"
	  "machine by it. An empty /etc/machine-id makes systemd generate one at first boot.\n\n"
	  "By hand: truncate -s 0 /etc/machine-id; rm -f /var/lib/dbus/machine-id.");
GEN_CHECK("generalize.ssh-host-keys", check_generalize_ssh_host_keys, "SSH host keys are removed (with --generalize)",
	  rule_ssh, plan_ssh,
	  "Looks at: /etc/ssh/ssh_host_*_key and .pub. Runs only with 'cvmprep fix --generalize'.\n\n"
	  "Why: every instance of the image would present the same host key; a user could not\n"
	  "tell one from another, or from an attacker with the image. cloud-init (or sshd-keygen\n"
	  "on RHEL-like systems) makes new keys at first boot; without them, make sure the image\n"
	  "regenerates keys (ssh-keygen -A) before sshd starts.\n\n"
	  "By hand: rm /etc/ssh/ssh_host_*.");
GEN_CHECK("generalize.dhcp-leases", check_generalize_dhcp_leases, "DHCP leases are removed (with --generalize)",
	  rule_leases, plan_leases,
	  "Looks at: /var/lib/dhcp, /var/lib/dhclient, /var/lib/NetworkManager and /var/lib/wicked\n"
	  "lease files. Runs only with 'cvmprep fix --generalize'.\n\n"
	  "Why: a lease of the source network makes the client ask for an address that does not\n"
	  "exist in the VPC, delaying the first boot's network.\n\n"
	  "By hand: rm /var/lib/dhcp/*.leases /var/lib/NetworkManager/*.lease.");
GEN_CHECK("generalize.shell-history", check_generalize_shell_history, "shell histories are removed (with --generalize)",
	  rule_history, plan_history,
	  "Looks at: .bash_history, .zsh_history, .ash_history, .python_history, .mysql_history\n"
	  "and .lesshst of root and of every home directory. Runs only with 'cvmprep fix --generalize'.\n\n"
	  "Why: commands typed while preparing the image (sometimes with passwords) would ship\n"
	  "with every instance.\n\n"
	  "By hand: rm /root/.bash_history /home/*/.bash_history.");
