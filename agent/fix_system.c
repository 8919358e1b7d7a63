/* Repairs of security.shadow (inode flags, or pwconv) and guest.tools (services off; packages opt-in). */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

#define FL_IMMUTABLE 0x10 /* FS_IMMUTABLE_FL */
#define FL_APPEND 0x20    /* FS_APPEND_FL */

int plan_security_shadow(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	(void)ctx;
	const struct shadow_facts *s = &f->shadow;
	const struct check *c = &check_security_shadow;
	if (s->s.state == FS_ABSENT) {
		/* pwconv builds /etc/shadow from /etc/passwd, as the distribution's tools do. */
		const char *argv[] = { "pwconv", NULL };
		struct plan_item *it = plan_command(p, c, argv, true, "create /etc/shadow from /etc/passwd");
		(void)it;
		return 0;
	}
	unsigned flags = (s->immutable ? FL_IMMUTABLE : 0) | (s->append_only ? FL_APPEND : 0);
	if (s->s.state == FS_OK && s->attrs.state == FS_OK && flags)
		plan_clear_flags(p, c, "/etc/shadow", flags, "so that the first boot can set the password");
	else if (s->s.state == FS_OK && !s->regular)
		plan_note(p, "security.shadow: /etc/shadow is not a regular file; repair it by hand");
	return 0;
}

/* The systemd units each kind of guest tools installs. */
static const struct {
	const char *tool;
	const char *units[7];
	const char *packages[4];
} tool_units[] = {
	{ "open-vm-tools",
	  { "open-vm-tools.service", "vmtoolsd.service", "vgauth.service", "vgauthd.service",
	    "run-vmblock\\x2dfuse.mount", NULL },
	  { "open-vm-tools", "open-vm-tools-desktop", NULL } },
	{ "VMware Tools", { "vmware-tools.service", "vmware-tools-thinprint.service", NULL }, { NULL } },
	{ "VirtualBox Guest Additions",
	  { "vboxadd.service", "vboxadd-service.service", "vboxadd-x11.service", NULL },
	  { "virtualbox-guest-utils", "virtualbox-guest-x11", "virtualbox-guest-dkms", NULL } },
	{ "xe-guest-utilities", { "xe-daemon.service", "xe-linux-distribution.service", NULL },
	  { "xe-guest-utilities", NULL } },
	{ "hyperv-daemons",
	  { "hv-kvp-daemon.service", "hv-vss-daemon.service", "hv-fcopy-daemon.service", "hypervkvpd.service",
	    "hypervvssd.service", "hypervfcopyd.service", NULL },
	  { "hyperv-daemons", NULL } },
};

int plan_guest_tools(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	const struct guest_facts *g = &f->guest;
	const struct check *c = &check_guest_tools;
	struct strvec dirs = STRVEC_INIT, pkgs = STRVEC_INIT;
	rootfs_list(ctx->rfs, "/etc/systemd/system", &dirs);
	for (size_t t = 0; t < g->n; t++) {
		for (size_t k = 0; k < ARRAY_SIZE(tool_units); k++) {
			if (strcmp(g->v[t].name, tool_units[k].tool) != 0)
				continue;
			for (size_t u = 0; tool_units[k].units[u]; u++) {
				const char *unit = tool_units[k].units[u];
				/* "systemctl disable": the unit's links in *.wants/, *.requires/ and its aliases go. */
				for (size_t d = 0; d < dirs.n; d++) {
					bool dep_dir = str_ends_with(dirs.v[d], ".wants") || str_ends_with(dirs.v[d], ".requires");
					char *path = dep_dir ? xasprintf("/etc/systemd/system/%s/%s", dirs.v[d], unit)
							     : strcmp(dirs.v[d], unit) == 0
								       ? xasprintf("/etc/systemd/system/%s", unit)
								       : NULL;
					struct rootfs_stat st;
					if (path && rootfs_stat(ctx->rfs, path, false, &st) == 0 && st.type == RFT_LNK) {
						char *why = xasprintf("disable %s (%s)", unit, g->v[t].name);
						plan_move_aside(p, c, path, why);
						free(why);
					}
					free(path);
				}
			}
			for (size_t q = 0; tool_units[k].packages[q]; q++)
				if (!strvec_contains(&pkgs, tool_units[k].packages[q]) && strstr(g->v[t].evidence, "package "))
					strvec_push(&pkgs, tool_units[k].packages[q]);
		}
	}
	if (pkgs.n && ctx->opt.install_packages) {
		bool dpkg = rootfs_exists(ctx->rfs, "/var/lib/dpkg/status");
		const char **argv = xcalloc(pkgs.n + 4, sizeof(*argv));
		size_t a = 0;
		if (dpkg) {
			argv[a++] = "apt-get";
			argv[a++] = "-y";
			argv[a++] = "purge";
		} else if (rootfs_exists(ctx->rfs, "/usr/bin/dnf")) {
			argv[a++] = "dnf";
			argv[a++] = "-y";
			argv[a++] = "remove";
		} else if (rootfs_exists(ctx->rfs, "/usr/bin/zypper")) {
			argv[a++] = "zypper";
			argv[a++] = "-n";
			argv[a++] = "remove";
		} else {
			argv[a++] = "yum";
			argv[a++] = "-y";
			argv[a++] = "remove";
		}
		for (size_t i = 0; i < pkgs.n; i++)
			argv[a++] = pkgs.v[i];
		plan_command(p, c, argv, true, "remove the old hypervisor's guest tools (--install-packages)");
		plan_note(p, "guest.tools: rollback does not reinstall the packages removed here");
		free(argv);
	} else if (pkgs.n) {
		plan_note(p, "guest.tools: the packages stay installed (their services are disabled); "
			     "--install-packages removes them");
	}
	strvec_clear(&dirs);
	strvec_clear(&pkgs);
	return 0;
}
