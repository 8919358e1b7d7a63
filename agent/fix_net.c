/*
 * Repairs of net.*: net.ifnames=0 biosdevname=0 through the bootloader's configuration, MAC
 * bindings out of udev's way, and a network stack that gives eth0 DHCP (reading what cloud-init
 * renders, or a DHCP definition of our own when nothing renders one), MAC pins commented out.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

#define NAMING_ARGS "net.ifnames=0 biosdevname=0"

/* Byte range [*s, *e) of line lineno (1-based) in data; false if there is no such line. */
static bool line_range(const char *data, size_t len, unsigned lineno, size_t *s, size_t *e)
{
	size_t pos = 0;
	for (unsigned ln = 1; ln < lineno; ln++) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		if (!nl)
			return false;
		pos = (size_t)(nl - data) + 1;
	}
	if (pos > len)
		return false;
	const char *nl = memchr(data + pos, '\n', len - pos);
	*s = pos;
	*e = nl ? (size_t)(nl - data) : len;
	return true;
}

static char *insert_at(const char *data, size_t len, size_t at, const char *text, size_t *outlen)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, data, at);
	strbuf_addstr(&sb, text);
	strbuf_add(&sb, data + at, len - at);
	*outlen = sb.len;
	return strbuf_detach(&sb);
}

/* Add the arguments inside the quotes of a GRUB_CMDLINE_LINUX="..." line; NULL if it has no quotes. */
static char *grub_line_add(const char *data, size_t len, unsigned lineno, size_t *outlen)
{
	size_t s, e;
	if (!line_range(data, len, lineno, &s, &e))
		return NULL;
	size_t q = e;
	while (q > s && data[q - 1] != '"' && data[q - 1] != '\'')
		q--;
	if (q <= s)
		return NULL;
	q--; /* the closing quote */
	const char *eq = memchr(data + s, '=', e - s);
	if (!eq || (size_t)(eq - data) + 1 >= q)
		return NULL; /* the last quote is the opening one: not a quoted value */
	bool empty = (size_t)(eq - data) + 2 == q;
	return insert_at(data, len, q, empty ? NAMING_ARGS : " " NAMING_ARGS, outlen);
}

/* Add the arguments to every kernel line (menu.lst "kernel", extlinux "APPEND") that lacks them. */
static char *kernel_lines_add(const char *data, size_t len, bool extlinux, size_t *outlen)
{
	struct strbuf sb = STRBUF_INIT;
	const char *q = data, *end = data + len;
	bool any = false;
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
		size_t ws = 0;
		while (ws < n && isspace((unsigned char)q[ws]))
			ws++;
		const char *kw = extlinux ? "append" : "kernel";
		bool target = n - ws > 6 && strncasecmp(q + ws, kw, 6) == 0 && isspace((unsigned char)q[ws + 6]);
		size_t body = n;
		while (body > 0 && q[body - 1] == '\r')
			body--;
		char *line = xstrndup(q, body);
		bool has = strstr(line, "net.ifnames=") != NULL;
		free(line);
		strbuf_add(&sb, q, body);
		if (target && !has) {
			strbuf_addstr(&sb, " " NAMING_ARGS);
			any = true;
		}
		strbuf_add(&sb, q + body, n - body);
		q += n;
		if (nl) {
			strbuf_addch(&sb, '\n');
			q++;
		}
	}
	if (!any) {
		strbuf_release(&sb);
		return NULL;
	}
	*outlen = sb.len;
	return strbuf_detach(&sb);
}

int plan_net_ifnames(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	const struct boot_facts *b = &f->boot;
	const struct check *c = &check_net_ifnames;
	bool bls = false;
	for (size_t i = 0; i < b->n; i++)
		bls = bls || str_starts_with(b->v[i].source, "/boot/loader/entries/");
	if (b->kind == LOADER_GRUB2) {
		/* The defaults, so that every future grub-mkconfig (kernel updates) keeps them. */
		const char *path = b->defaults_path ? b->defaults_path : "/etc/default/grub";
		const char *data;
		size_t len;
		if (plan_content(p, path, &data, &len) == 0) {
			size_t nl;
			char *next = b->cmdline_linux_line ? grub_line_add(data, len, b->cmdline_linux_line, &nl) : NULL;
			if (next) {
				if (!(b->cmdline_linux && strstr(b->cmdline_linux, "net.ifnames=0")))
					plan_write(p, c, path, next, nl, 0644, "net.ifnames=0 for every entry grub-mkconfig writes");
				free(next);
			} else if (!b->cmdline_linux_line) {
				plan_append(p, c, path, "GRUB_CMDLINE_LINUX=\"" NAMING_ARGS "\"\n",
					    "net.ifnames=0 for every entry grub-mkconfig writes");
			} else {
				plan_note(p, "net.ifnames: %s:%u is not a quoted value; add " NAMING_ARGS " by hand", path,
					  b->cmdline_linux_line);
			}
		}
		static const char *const grubby[] = { "/usr/sbin/grubby", "/sbin/grubby", "/usr/bin/grubby" };
		bool have_grubby = false;
		for (size_t i = 0; i < ARRAY_SIZE(grubby); i++)
			have_grubby = have_grubby || rootfs_is_file(ctx->rfs, grubby[i]);
		if (bls && have_grubby) {
			const char *argv[] = { "grubby", "--update-kernel=ALL", "--args=" NAMING_ARGS, NULL };
			plan_command(p, c, argv, true, "add the arguments to every BLS boot entry");
		} else if (bls) {
			plan_note(p, "net.ifnames: no grubby in the target: run 'grubby --update-kernel=ALL --args=\"" NAMING_ARGS
				     "\"' after the fix");
		} else {
			static const char *const tools[] = { "/usr/sbin/grub-mkconfig", "/usr/sbin/grub2-mkconfig",
							     "/sbin/grub-mkconfig", "/sbin/grub2-mkconfig" };
			const char *tool = NULL;
			for (size_t i = 0; i < ARRAY_SIZE(tools) && !tool; i++)
				if (rootfs_is_file(ctx->rfs, tools[i]))
					tool = strrchr(tools[i], '/') + 1;
			if (tool) {
				const char *argv[] = { tool, "-o", b->config, NULL };
				struct plan_item *it = plan_command(p, c, argv, true, "regenerate the GRUB configuration");
				if (!strvec_contains(&it->regenerates, b->config))
					strvec_push(&it->regenerates, b->config);
			} else {
				plan_note(p, "net.ifnames: no grub-mkconfig in the target: run it after the fix");
			}
		}
	} else if (b->kind == LOADER_GRUB_LEGACY || b->kind == LOADER_EXTLINUX) {
		const char *data;
		size_t len, nl;
		if (plan_content(p, b->config, &data, &len) == 0) {
			char *next = kernel_lines_add(data, len, b->kind == LOADER_EXTLINUX, &nl);
			if (next) {
				plan_write(p, c, b->config, next, nl, 0644, "net.ifnames=0 on every kernel line");
				free(next);
			}
		}
	} else {
		plan_note(p, "net.ifnames: no bootloader configuration to add " NAMING_ARGS " to");
	}
	return 0;
}

int plan_net_persistent_rules(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	(void)ctx;
	const struct net_facts *n = &f->net;
	const struct check *c = &check_net_persistent_rules;
	for (size_t i = 0; i < n->nrules; i++) {
		const struct nc_file *r = &n->rules[i];
		bool only_bindings = true;
		for (size_t k = 0; k < r->n; k++)
			only_bindings = only_bindings && r->v[k].mac_match && r->v[k].set_name;
		if (only_bindings || str_ends_with(r->path, "/70-persistent-net.rules")) {
			plan_move_aside(p, c, r->path, "the NIC's new MAC matches none of its rules");
			continue;
		}
		/* A file with other rules too: comment out only the bindings. */
		for (size_t k = 0; k < r->n; k++)
			if (r->v[k].mac_match && r->v[k].set_name)
				plan_comment_lines(p, c, r->path, r->v[k].line, r->v[k].line, "a name bound to the old MAC");
	}
	if (n->rule_generator)
		plan_symlink(p, c, "/etc/udev/rules.d/75-persistent-net-generator.rules", "/dev/null",
			     "mask the generator that would pin the first NIC again");
	return 0;
}

static const char ifupdown_eth0[] = "# Written by cvmprep for Tencent Cloud CVM: the instance's NIC, by DHCP.\n"
				    "auto eth0\niface eth0 inet dhcp\n";
static const char netplan_eth0[] = "# Written by cvmprep for Tencent Cloud CVM: the instance's NIC, by DHCP.\n"
				   "network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n";
static const char nm_eth0[] = "# Written by cvmprep for Tencent Cloud CVM: the instance's NIC, by DHCP.\n"
			      "[connection]\nid=eth0\ntype=ethernet\ninterface-name=eth0\nautoconnect=true\n\n"
			      "[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=auto\n";
static const char ifcfg_eth0[] = "# Written by cvmprep for Tencent Cloud CVM: the instance's NIC, by DHCP.\n"
				 "DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\nTYPE=Ethernet\n";
static const char wicked_eth0[] = "# Written by cvmprep for Tencent Cloud CVM: the instance's NIC, by DHCP.\n"
				  "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n";
static const char networkd_eth0[] = "# Written by cvmprep for Tencent Cloud CVM: the instance's NIC, by DHCP.\n"
				    "[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n";

/* Indentation of a line, or -1 for a blank or comment line (YAML). */
static int yaml_indent(const char *data, size_t len, unsigned lineno)
{
	size_t s, e;
	if (!line_range(data, len, lineno, &s, &e))
		return -1;
	size_t i = s;
	while (i < e && data[i] == ' ')
		i++;
	if (i == e || data[i] == '#' || data[i] == '\r')
		return -1;
	return (int)(i - s);
}

/* Whether line lineno is "KEY:" or "KEY: value" for key (block style: no flow mapping). */
static bool yaml_key_line(const char *data, size_t len, unsigned lineno, const char *key, bool value)
{
	size_t s, e;
	if (!line_range(data, len, lineno, &s, &e))
		return false;
	char *l = xstrndup(data + s, e - s);
	char *t = str_trim(l);
	size_t kl = strlen(key);
	bool ok = strncmp(t, key, kl) == 0 && t[kl] == ':' && !strchr(t, '{') && !strchr(t, '[');
	if (ok) {
		char *v = str_trim(t + kl + 1);
		ok = value ? (*v && *v != '#' && *v != '|' && *v != '>') : (!*v || *v == '#');
	}
	free(l);
	return ok;
}

/*
 * netplan: drop a netdef's MAC pins line by line, as the other formats are edited: the
 * "macaddress:" under "match:" (with the "match:" line when the MAC is all it matches), the
 * "set-name:" that goes with it, and a "macaddress:" that sets the MAC. Block style only; false
 * when the file is written otherwise (then the user edits it).
 */
static bool netplan_unpin(struct plan *p, const struct check *c, const struct nc_file *nf, const struct nc_iface *it)
{
	const char *data;
	size_t len;
	if (plan_content(p, nf->path, &data, &len) < 0)
		return false;
	struct {
		unsigned first, last;
	} cut[3];
	size_t n = 0;
	if (it->mac_match_line) {
		unsigned ml = it->mac_match_line;
		int mi = yaml_indent(data, len, ml);
		if (mi < 0 || !yaml_key_line(data, len, ml, "macaddress", true))
			return false;
		unsigned up = ml - 1;
		while (up > 0 && yaml_indent(data, len, up) < 0)
			up--;
		int ui = up ? yaml_indent(data, len, up) : -1;
		if (!up || ui >= mi || !yaml_key_line(data, len, up, "match", false))
			return false;
		/* Other keys under match: (name, driver) stay; then only the MAC goes. */
		bool alone = true;
		for (unsigned l = up + 1;; l++) {
			size_t s, e;
			if (!line_range(data, len, l, &s, &e) || (s == len && l > ml))
				break;
			int li = yaml_indent(data, len, l);
			if (li < 0)
				continue;
			if (li <= ui)
				break;
			alone = alone && l == ml;
		}
		cut[n].first = alone ? up : ml;
		cut[n++].last = ml;
		if (it->set_name_line) {
			if (!yaml_key_line(data, len, it->set_name_line, "set-name", true))
				return false;
			cut[n].first = cut[n].last = it->set_name_line;
			n++;
		}
	}
	if (it->mac_set_line && it->mac_set_line != it->mac_match_line) {
		if (!yaml_key_line(data, len, it->mac_set_line, "macaddress", true))
			return false;
		cut[n].first = cut[n].last = it->mac_set_line;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		plan_comment_lines(p, c, nf->path, cut[i].first, cut[i].last, "the old NIC's MAC address and the name it pins");
	return n > 0;
}

#define SOURCE_LINE "# cvmprep: read the configuration cloud-init writes for the instance (eth0)\n" \
		    "source /etc/network/interfaces.d/*\n"

int plan_net_config(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	const struct net_facts *n = &f->net;
	const struct cloudinit_facts *ci = &f->cloudinit;
	const struct check *c = &check_net_config;
	bool renders = ci->installed && !(ci->evaluated && ci->eval.network_config.set && ci->eval.network_config.value &&
					  strcmp(ci->eval.network_config.value, "disabled") == 0);
	const struct nc_file *ifs = NULL;
	for (size_t i = 0; i < n->nfiles && !ifs; i++)
		if (n->interfaces && strcmp(n->files[i].path, n->interfaces) == 0)
			ifs = &n->files[i];
	bool sourced = ifs && nc_ifupdown_reads(ifs, "/etc/network/interfaces.d/50-cloud-init");

	if (n->present[STACK_IFUPDOWN] && ifs && renders && !sourced)
		plan_append(p, c, n->interfaces, SOURCE_LINE, "ifupdown then reads what cloud-init writes for eth0");

	/* MAC pins: comment out the lines that set or match the old MAC (formats we edit line-wise). */
	struct strvec unpinned = STRVEC_INIT; /* "path:line" of the definitions that lose their pins */
	for (size_t i = 0; i < n->nfiles; i++) {
		const struct nc_file *nf = &n->files[i];
		for (size_t k = 0; k < nf->n; k++) {
			const struct nc_iface *it = &nf->v[k];
			if (!nc_iface_pinned(it))
				continue;
			if (nf->format == NC_IFCFG_RH || nf->format == NC_IFCFG_SUSE || nf->format == NC_NM_KEYFILE ||
			    nf->format == NC_IFUPDOWN) {
				if (it->mac_match_line)
					plan_comment_lines(p, c, nf->path, it->mac_match_line, it->mac_match_line,
							   "the old NIC's MAC address");
				if (it->mac_set_line && it->mac_set_line != it->mac_match_line)
					plan_comment_lines(p, c, nf->path, it->mac_set_line, it->mac_set_line,
							   "the old NIC's MAC address");
				strvec_pushf(&unpinned, "%s:%u", nf->path, it->line);
			} else if (nf->format == NC_NETPLAN && netplan_unpin(p, c, nf, it)) {
				strvec_pushf(&unpinned, "%s:%u", nf->path, it->line);
			} else {
				plan_note(p, "net.config: %s:%u pins a MAC address; edit it by hand (%s)", nf->path, it->line,
					  nc_format_name(nf->format));
			}
		}
	}

	/* Nothing gives eth0 DHCP (no cloud-init to render it, no forced-import script): ours. */
	bool eth0_dhcp = false;
	for (size_t i = 0; i < n->nfiles && !eth0_dhcp; i++)
		for (size_t k = 0; k < n->files[i].n && !eth0_dhcp; k++) {
			const struct nc_iface *it = &n->files[i].v[k];
			char *at = xasprintf("%s:%u", n->files[i].path, it->line);
			/* Without its pin (this plan removes it) a definition applies by name: DEVICE=eth0
			 * then configures the new NIC, and ours would replace a file the user wrote. */
			bool applies = strvec_contains(&unpinned, at)
					       ? nc_iface_applies(it, "eth0", it->mac_match) &&
							 (it->names.n || (it->id && strcmp(it->id, "eth0") == 0))
					       : nc_iface_applies(it, "eth0", NULL);
			eth0_dhcp = applies && it->method == NC_DHCP;
			free(at);
		}
	strvec_clear(&unpinned);
	static const char *const ifcfg_paths[] = { "/etc/sysconfig/network-scripts/ifcfg-eth0",
						   "/etc/sysconfig/network/ifcfg-eth0" };
	for (size_t i = 0; i < ARRAY_SIZE(ifcfg_paths) && !renders && !eth0_dhcp && !ci->forced_import; i++)
		if (rootfs_exists(ctx->rfs, ifcfg_paths[i])) {
			/* Never replace the user's own file: it configures eth0 otherwise, and says so above. */
			plan_note(p, "net.config: %s exists but does not give eth0 DHCP; set BOOTPROTO=dhcp in it by hand",
				  ifcfg_paths[i]);
			return 0;
		}
	if (!renders && !eth0_dhcp && !ci->forced_import) {
		if (n->present[STACK_NETPLAN])
			plan_write(p, c, "/etc/netplan/60-cvmprep-eth0.yaml", netplan_eth0, strlen(netplan_eth0), 0600,
				   "eth0 by DHCP");
		else if (n->present[STACK_IFUPDOWN]) {
			plan_write(p, c, "/etc/network/interfaces.d/60-cvmprep-eth0", ifupdown_eth0, strlen(ifupdown_eth0), 0644,
				   "eth0 by DHCP");
			if (!sourced && ifs && !nc_ifupdown_reads(ifs, "/etc/network/interfaces.d/60-cvmprep-eth0"))
				plan_append(p, c, n->interfaces, SOURCE_LINE, "ifupdown then reads interfaces.d");
		} else if (n->present[STACK_NM])
			plan_write(p, c, "/etc/NetworkManager/system-connections/cvmprep-eth0.nmconnection", nm_eth0,
				   strlen(nm_eth0), 0600, "eth0 by DHCP");
		else if (n->present[STACK_IFCFG_RH])
			plan_write(p, c, "/etc/sysconfig/network-scripts/ifcfg-eth0", ifcfg_eth0, strlen(ifcfg_eth0), 0644,
				   "eth0 by DHCP");
		else if (n->present[STACK_WICKED])
			plan_write(p, c, "/etc/sysconfig/network/ifcfg-eth0", wicked_eth0, strlen(wicked_eth0), 0644,
				   "eth0 by DHCP");
		else if (n->present[STACK_NETWORKD])
			plan_write(p, c, "/etc/systemd/network/60-cvmprep-eth0.network", networkd_eth0, strlen(networkd_eth0),
				   0644, "eth0 by DHCP");
		else
			plan_note(p, "net.config: no network stack found to give eth0 DHCP");
	}
	return 0;
}
