/*
 * Network configuration as each stack reads it, one small result per file: which interfaces it
 * configures, how (DHCP, static, none), and what pins it to the old hardware (a MAC it matches
 * or sets, a name it gives). Stacks: ifupdown, ifcfg (RHEL network-scripts and SUSE wicked),
 * NetworkManager keyfiles, netplan, systemd-networkd (.network and .link), udev rules; plus the
 * kernel command line's naming switches. Pure: bytes in, every finding with its line; junk is
 * noted, never fatal. netplan's YAML loader is libyaml (linux/netcfg_netplan.c); the rest,
 * netplan's reading of a loaded document included, is portable.
 *
 * What a check asks, and how:
 *  - "eth0 gets DHCP in the active stack and nothing pins a MAC or an address": for each file
 *    of the stack, nc_iface_applies(i, "eth0", NULL) (NULL: the new NIC, whose MAC matches no
 *    old pin) and i->method; nc_iface_pinned(i) for the pins, anywhere in the stack.
 *  - "ifupdown reads cloud-init's rendered file": nc_ifupdown_reads(interfaces, path), and again
 *    over the files it sources, as ifupdown follows source lines recursively.
 */
#ifndef CVMPREP_NETCFG_H
#define CVMPREP_NETCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"
#include "ydoc.h"

enum nc_format {
	NC_IFUPDOWN,      /* /etc/network/interfaces and what it sources */
	NC_IFCFG_RH,      /* /etc/sysconfig/network-scripts/ifcfg-* */
	NC_IFCFG_SUSE,    /* /etc/sysconfig/network/ifcfg-* (wicked) */
	NC_NM_KEYFILE,    /* /etc/NetworkManager/system-connections/ */
	NC_NETPLAN,       /* YAML in /etc/netplan (also /run, /lib) */
	NC_NETWORKD,      /* systemd-networkd *.network */
	NC_NETWORKD_LINK, /* systemd *.link (udev's naming) */
	NC_UDEV_RULES,    /* rules files in /etc/udev/rules.d */
};

enum nc_method {
	NC_UNSET,  /* the file does not say (netplan: another file may) */
	NC_DHCP,   /* DHCPv4 */
	NC_STATIC, /* a fixed IPv4 address */
	NC_NONE,   /* no IPv4 address (manual, disabled, link-local only) */
	NC_OTHER,  /* something else (ppp, tunnel, shared, bootp...) */
};

/* One interface definition: an ifupdown stanza, an ifcfg file, a profile, a netdef, a rule. */
struct nc_iface {
	char *id;             /* what the file calls it: iface name, DEVICE, connection id, netdef id */
	unsigned line;        /* where the definition starts */
	char *kind;           /* "ethernet", "bond", "bridge", "vlan", "wifi"... as the file says; NULL if unsaid */
	char *family;         /* ifupdown: "inet", "inet6"...; NULL elsewhere */
	struct strvec names;  /* names it applies to, glob patterns allowed, "!x" excludes; empty: any */
	unsigned names_line;
	char *mac_match;      /* it applies only to the NIC with this MAC (lowercase, colons) */
	unsigned mac_match_line;
	char *mac_set;        /* it gives the NIC this MAC */
	unsigned mac_set_line;
	char *set_name;       /* it renames the matched NIC */
	unsigned set_name_line;
	enum nc_method method; /* IPv4 */
	unsigned method_line;
	char *method_text;     /* as written: "dhcp", "BOOTPROTO=none", "auto", "DHCP=yes" */
	char *address;         /* the first static IPv4 address */
	unsigned address_line;
	int autostart;         /* 1 brought up at boot, 0 not, -1 this file does not say */
	unsigned autostart_line;
	/* nc_netplan_merge only: the file each field's line is in (NULL: the nc_file's own path) */
	char *names_file, *mac_match_file, *mac_set_file, *set_name_file, *method_file, *address_file;
};

/* ifupdown: a source or source-directory line. */
struct nc_source {
	unsigned line;
	bool directory;
	char *pattern; /* as ifupdown expands it: relative to the file's directory */
};

/* ifupdown: an auto or allow-<class> line, for one interface. */
struct nc_auto {
	char *name;
	char *how; /* "auto", "allow-hotplug", ... */
	unsigned line;
};

struct nc_file {
	enum nc_format format;
	char *path;
	struct nc_iface *v;
	size_t n, alloc;
	struct nc_source *src;
	size_t nsrc, src_alloc;
	struct nc_auto *autos;
	size_t nauto, auto_alloc;
	char *renderer;       /* netplan: network: renderer */
	unsigned stop_line;   /* the stack stops reading here: what follows (or all of it) is not applied */
	char *stop_reason;    /* why; NULL when the stack reads the whole file */
	bool stop_whole_file; /* the error discards the whole file (NetworkManager, netplan), not just the rest */
	struct strvec notes;  /* "line N: ..." junk and things we do not model */
};

void nc_file_free(struct nc_file *f);

/* Parsers: 0, always (a file that cannot be read as intended says so in stop_reason and notes). */
int nc_parse_ifupdown(const char *path, const char *data, size_t len, struct nc_file *out);
/* suse: wicked's flavour (STARTMODE, LLADDR, BOOTPROTO default static, name from the file name). */
int nc_parse_ifcfg(const char *path, const char *data, size_t len, bool suse, struct nc_file *out);
int nc_parse_nm_keyfile(const char *path, const char *data, size_t len, struct nc_file *out);
/* .network or .link, by the path's suffix. */
int nc_parse_networkd(const char *path, const char *data, size_t len, struct nc_file *out);
int nc_parse_udev_rules(const char *path, const char *data, size_t len, struct nc_file *out);
/* Linux only (libyaml). */
int nc_parse_netplan(const char *path, const char *data, size_t len, struct nc_file *out);
/* Portable core of nc_parse_netplan: a loaded document (err NULL, or the load error). */
int nc_netplan_from_doc(const char *path, const struct ydoc *doc, const struct yerr *err, struct nc_file *out);
/*
 * netplan merges every file into one configuration, later files (in the order given: sorted by
 * name, /run over /etc over /lib for the same name) overriding what earlier ones set for the
 * same netdef id. out (path "netplan") gets one nc_iface per id, each field with the line and
 * the file (the *_file fields) that set it; a file netplan refuses makes out refused too.
 */
void nc_netplan_merge(const struct nc_file *files, size_t n, struct nc_file *out);

/* Files each stack reads from its directory (backups, editor leftovers and dotfiles are not). */
bool nc_ifcfg_wanted(const char *name);
bool nc_nm_keyfile_wanted(const char *name);

/* The kernel command line's naming switches: 1, 0, or -1 when absent. */
struct nc_cmdline {
	int net_ifnames; /* net.ifnames=0 turns off predictable names (systemd's boolean) */
	int biosdevname; /* biosdevname=1 turns it on; any other value off */
};
void nc_cmdline_parse(const char *cmdline, struct nc_cmdline *out);

/* A MAC address as "aa:bb:cc:dd:ee:ff" (also from "AA-BB-..", "aabb.ccdd.eeff", NM's "170;187;..."); NULL if not one. */
char *nc_mac_normalize(const char *s);
/* fnmatch-style match of a name (*, ?, [a-z], [!x], backslash escapes), no path semantics. */
bool nc_glob_match(const char *pattern, const char *s);
/*
 * Whether a definition applies to a NIC named name whose MAC is mac (NULL: a MAC that matches
 * no pin, as the new virtio NIC's). Names: any pattern matches and no "!" pattern excludes.
 */
bool nc_iface_applies(const struct nc_iface *i, const char *name, const char *mac);
/* It matches or sets a MAC address: bound to the old hardware. */
bool nc_iface_pinned(const struct nc_iface *i);
/*
 * ifupdown: the line of the first source/source-directory line of f that reads path (an
 * absolute path), or 0. source takes shell globs ("*" matches no "/" nor a leading "."),
 * source-directory only names made of letters, digits, "_" and "-".
 */
unsigned nc_ifupdown_reads(const struct nc_file *f, const char *path);
/* ifupdown: the first auto/allow-* line for name among files, or NULL (*file set to its file). */
const struct nc_auto *nc_ifupdown_auto(const struct nc_file *files, size_t n, const char *name,
				       const struct nc_file **file);

const char *nc_method_name(enum nc_method m);
const char *nc_format_name(enum nc_format f);

#endif
