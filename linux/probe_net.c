/*
 * Network naming and configuration in the target: the kernel command line's naming switches,
 * whether udev's predictable names or biosdevname would rename the first NIC, udev rules that
 * bind names to old MAC addresses, and every file of the network stacks present (parsed by
 * agent/netcfg.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netcfg.h"
#include "probes.h"
#include "banned.h"

static void add_file(struct net_facts *n, struct nc_file *f)
{
	n->files = xreallocarray(n->files, n->nfiles + 1, sizeof(*n->files));
	n->files[n->nfiles++] = *f;
	memset(f, 0, sizeof(*f));
}

typedef int (*parse_fn)(const char *path, const char *data, size_t len, struct nc_file *out);

/* Read and parse one file; a file that exists but cannot be read is noted in n->unreadable. */
static bool read_parse(struct ctx *ctx, struct net_facts *n, const char *path, parse_fn fn, struct nc_file *out)
{
	char *data;
	size_t len;
	int e = rootfs_read(ctx->rfs, path, ROOTFS_MAX_TEXT, &data, &len);
	if (e < 0) {
		if (e != -ENOENT)
			strvec_pushf(&n->unreadable, "%s: %s", path, rootfs_strerror(e));
		return false;
	}
	memset(out, 0, sizeof(*out));
	fn(path, data, len, out);
	free(data);
	return true;
}

static int parse_ifcfg_rh(const char *p, const char *d, size_t l, struct nc_file *o)
{
	return nc_parse_ifcfg(p, d, l, false, o);
}

static int parse_ifcfg_suse(const char *p, const char *d, size_t l, struct nc_file *o)
{
	return nc_parse_ifcfg(p, d, l, true, o);
}

static bool masked(struct ctx *ctx, const char *path)
{
	char *t = NULL;
	bool m = rootfs_readlink(ctx->rfs, path, &t) == 0 && strcmp(t, "/dev/null") == 0;
	free(t);
	return m;
}

static void read_dir(struct ctx *ctx, struct net_facts *n, const char *dir, bool (*wanted)(const char *), parse_fn fn)
{
	struct strvec names = STRVEC_INIT;
	int e = rootfs_list(ctx->rfs, dir, &names);
	if (e < 0 && e != -ENOENT)
		strvec_pushf(&n->unreadable, "%s: %s", dir, rootfs_strerror(e));
	for (size_t i = 0; e == 0 && i < names.n; i++) {
		if (!wanted(names.v[i]))
			continue;
		char *p = xasprintf("%s/%s", dir, names.v[i]);
		struct nc_file f;
		struct rootfs_stat st;
		/* A directory (or a link to one) is not configuration, a link to /dev/null masks a
		 * file of the same name; anything else must be readable. */
		if ((rootfs_stat(ctx->rfs, p, true, &st) == 0 && st.type == RFT_DIR) || masked(ctx, p))
			;
		else if (read_parse(ctx, n, p, fn, &f))
			add_file(n, &f);
		free(p);
	}
	strvec_clear(&names);
}

static bool any_name(const char *n)
{
	return n[0] != '.' && !str_ends_with(n, "~") && !str_ends_with(n, ".bak") && !str_ends_with(n, ".dpkg-old") &&
	       !str_ends_with(n, ".rpmsave");
}

static bool network_suffix(const char *n)
{
	return any_name(n) && str_ends_with(n, ".network");
}

static bool yaml_suffix(const char *n)
{
	return any_name(n) && str_ends_with(n, ".yaml");
}

static bool rules_suffix(const char *n)
{
	return any_name(n) && str_ends_with(n, ".rules");
}

/* ifupdown: /etc/network/interfaces and the files it sources (one level of interfaces.d is what
 * Debian uses; sourced files are read in name order). */
static void read_ifupdown(struct ctx *ctx, struct net_facts *n)
{
	struct nc_file f;
	if (!read_parse(ctx, n, "/etc/network/interfaces", nc_parse_ifupdown, &f))
		return;
	n->interfaces = xstrdup("/etc/network/interfaces");
	add_file(n, &f);
	struct strvec names = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, "/etc/network/interfaces.d", &names) == 0)
		for (size_t i = 0; i < names.n; i++) {
			char *p = xasprintf("/etc/network/interfaces.d/%s", names.v[i]);
			struct nc_file g;
			if (any_name(names.v[i]) && rootfs_is_file(ctx->rfs, p) && read_parse(ctx, n, p, nc_parse_ifupdown, &g))
				add_file(n, &g);
			free(p);
		}
	strvec_clear(&names);
}

static bool exists_any(struct ctx *ctx, const char *const *paths)
{
	for (size_t i = 0; paths[i]; i++)
		if (rootfs_exists(ctx->rfs, paths[i]))
			return true;
	return false;
}


void probe_net(struct ctx *ctx, struct facts *f)
{
	struct net_facts *n = &f->net;
	if (n->s.state != FS_UNPROBED)
		return;
	probe_boot(ctx, f);
	section_set(&n->s, FS_OK, NULL, NULL);

	/* The default entry's command line, and what the GRUB defaults will write. */
	n->cmd.net_ifnames = n->cmd.biosdevname = -1;
	for (size_t i = 0; i < f->boot.n; i++)
		if (f->boot.v[i].is_default && f->boot.v[i].cmdline) {
			nc_cmdline_parse(f->boot.v[i].cmdline, &n->cmd);
			n->cmd_source = xasprintf("%s:%u", f->boot.v[i].source, f->boot.v[i].line);
			break;
		}
	if (f->boot.cmdline_linux || f->boot.cmdline_default) {
		char *c = xasprintf("%s %s", f->boot.cmdline_linux ? f->boot.cmdline_linux : "",
				    f->boot.cmdline_default ? f->boot.cmdline_default : "");
		nc_cmdline_parse(c, &n->future);
		n->have_future = true;
		free(c);
	}

	/* Predictable names: systemd's udev (80-net-setup-link.rules with 99-default.link), or old
	 * udev's 75-persistent-net-generator. */
	static const char *const setup_link[] = { "/lib/udev/rules.d/80-net-setup-link.rules",
						  "/usr/lib/udev/rules.d/80-net-setup-link.rules", NULL };
	n->udev_naming = exists_any(ctx, setup_link);
	n->naming_masked = masked(ctx, "/etc/udev/rules.d/80-net-setup-link.rules") ||
			   masked(ctx, "/etc/systemd/network/99-default.link");
	n->naming_evidence = n->udev_naming ? xstrdup("udev's 80-net-setup-link.rules gives predictable names (ens5...)")
					    : xstrdup("this udev gives no predictable names");
	static const char *const bdn[] = { "/sbin/biosdevname", "/usr/sbin/biosdevname", NULL };
	n->biosdevname = exists_any(ctx, bdn);
	static const char *const gen[] = { "/lib/udev/rules.d/75-persistent-net-generator.rules",
					   "/usr/lib/udev/rules.d/75-persistent-net-generator.rules", NULL };
	for (size_t i = 0; gen[i]; i++)
		if (rootfs_exists(ctx->rfs, gen[i]) && !masked(ctx, "/etc/udev/rules.d/75-persistent-net-generator.rules"))
			n->rule_generator = xstrdup(gen[i]);

	/* udev rules that bind interface names to MAC addresses. */
	struct strvec names = STRVEC_INIT;
	int le = rootfs_list(ctx->rfs, "/etc/udev/rules.d", &names);
	if (le < 0 && le != -ENOENT)
		strvec_pushf(&n->unreadable, "/etc/udev/rules.d: %s", rootfs_strerror(le));
	if (le == 0)
		for (size_t i = 0; i < names.n; i++) {
			if (!rules_suffix(names.v[i]))
				continue;
			char *p = xasprintf("/etc/udev/rules.d/%s", names.v[i]);
			struct nc_file r;
			if (!masked(ctx, p) && read_parse(ctx, n, p, nc_parse_udev_rules, &r)) {
				bool binds = false;
				for (size_t k = 0; k < r.n; k++)
					binds = binds || (r.v[k].mac_match && r.v[k].set_name);
				if (binds) {
					n->rules = xreallocarray(n->rules, n->nrules + 1, sizeof(*n->rules));
					n->rules[n->nrules++] = r;
				} else {
					nc_file_free(&r);
				}
			}
			free(p);
		}
	strvec_clear(&names);

	/* The stacks. */
	static const char *const ifup[] = { "/sbin/ifup", "/usr/sbin/ifup", NULL };
	n->present[STACK_IFUPDOWN] = exists_any(ctx, ifup) && rootfs_exists(ctx->rfs, "/etc/network/interfaces");
	if (n->present[STACK_IFUPDOWN])
		read_ifupdown(ctx, n);
	static const char *const nm[] = { "/usr/sbin/NetworkManager", "/usr/bin/NetworkManager", NULL };
	n->present[STACK_NM] = exists_any(ctx, nm);
	if (n->present[STACK_NM])
		read_dir(ctx, n, "/etc/NetworkManager/system-connections", nc_nm_keyfile_wanted, nc_parse_nm_keyfile);
	n->present[STACK_IFCFG_RH] = rootfs_is_dir(ctx->rfs, "/etc/sysconfig/network-scripts");
	if (n->present[STACK_IFCFG_RH])
		read_dir(ctx, n, "/etc/sysconfig/network-scripts", nc_ifcfg_wanted, parse_ifcfg_rh);
	static const char *const wicked[] = { "/usr/sbin/wicked", "/sbin/wicked", NULL };
	n->present[STACK_WICKED] = exists_any(ctx, wicked) && rootfs_is_dir(ctx->rfs, "/etc/sysconfig/network");
	if (n->present[STACK_WICKED])
		read_dir(ctx, n, "/etc/sysconfig/network", nc_ifcfg_wanted, parse_ifcfg_suse);
	n->present[STACK_NETWORKD] = rootfs_is_dir(ctx->rfs, "/etc/systemd/network");
	if (n->present[STACK_NETWORKD])
		read_dir(ctx, n, "/etc/systemd/network", network_suffix, nc_parse_networkd);
	n->present[STACK_NETPLAN] = rootfs_is_dir(ctx->rfs, "/etc/netplan");
	if (n->present[STACK_NETPLAN]) {
		size_t first = n->nfiles;
		read_dir(ctx, n, "/etc/netplan", yaml_suffix, nc_parse_netplan);
		if (n->nfiles > first) {
			nc_netplan_merge(n->files + first, n->nfiles - first, &n->netplan);
			n->have_netplan = true;
		}
	}
}
