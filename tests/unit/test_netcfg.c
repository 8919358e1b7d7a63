/*
 * Unit tests: the network configuration parsers of every stack (ifupdown, ifcfg, wicked,
 * NetworkManager keyfiles, netplan, systemd-networkd, udev rules), the kernel command line's
 * naming switches, and the questions a check asks (does a definition apply to the new eth0,
 * is it pinned, does ifupdown read cloud-init's file). The ifupdown and netplan rows that say
 * what the tool does were checked with ifquery 0.8.41 and netplan 0.106's generate.
 */
#include <stdlib.h>
#include <time.h>

#include "unit.h"

#include "netcfg.h"
#include "banned.h"

/* One definition as a line: only what is set, each with its line. */
static void describe(struct strbuf *sb, const struct nc_iface *i)
{
	strbuf_addf(sb, "%s@%u", i->id, i->line);
	if (i->kind)
		strbuf_addf(sb, " kind=%s", i->kind);
	if (i->family)
		strbuf_addf(sb, " family=%s", i->family);
	if (i->names.n) {
		char *j = test_join(&i->names);
		strbuf_addf(sb, " names=%s@%u", j, i->names_line);
		free(j);
	}
	if (i->mac_match)
		strbuf_addf(sb, " match=%s@%u", i->mac_match, i->mac_match_line);
	if (i->mac_set)
		strbuf_addf(sb, " setmac=%s@%u", i->mac_set, i->mac_set_line);
	if (i->set_name)
		strbuf_addf(sb, " rename=%s@%u", i->set_name, i->set_name_line);
	if (i->method != NC_UNSET)
		strbuf_addf(sb, " %s@%u", nc_method_name(i->method), i->method_line);
	if (i->address)
		strbuf_addf(sb, " addr=%s@%u", i->address, i->address_line);
	if (i->autostart >= 0)
		strbuf_addf(sb, " auto=%d@%u", i->autostart, i->autostart_line);
}

static char *describe_file(const struct nc_file *f)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < f->n; k++) {
		if (k)
			strbuf_addstr(&sb, " ; ");
		describe(&sb, &f->v[k]);
	}
	return strbuf_detach(&sb);
}

static char *describe_stop(const struct nc_file *f)
{
	if (!f->stop_reason)
		return NULL;
	return xasprintf("%u%s: %s", f->stop_line, f->stop_whole_file ? " (whole file)" : "", f->stop_reason);
}

enum parser { P_IFUPDOWN, P_IFCFG, P_SUSE, P_NM, P_NETWORKD, P_UDEV, P_NETPLAN };

struct row {
	const char *what;
	enum parser parser;
	const char *path;
	struct buf in;
	const char *want;  /* describe_file */
	const char *stop;  /* describe_stop, NULL for none */
	const char *notes; /* a substring of the notes, "" for none at all */
};

static void run_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct nc_file f;
		int rc = -1;
		switch (r->parser) {
		case P_IFUPDOWN:
			rc = nc_parse_ifupdown(r->path, r->in.p, r->in.n, &f);
			break;
		case P_IFCFG:
			rc = nc_parse_ifcfg(r->path, r->in.p, r->in.n, false, &f);
			break;
		case P_SUSE:
			rc = nc_parse_ifcfg(r->path, r->in.p, r->in.n, true, &f);
			break;
		case P_NM:
			rc = nc_parse_nm_keyfile(r->path, r->in.p, r->in.n, &f);
			break;
		case P_NETWORKD:
			rc = nc_parse_networkd(r->path, r->in.p, r->in.n, &f);
			break;
		case P_UDEV:
			rc = nc_parse_udev_rules(r->path, r->in.p, r->in.n, &f);
			break;
		case P_NETPLAN:
			rc = nc_parse_netplan(r->path, r->in.p, r->in.n, &f);
			break;
		}
		EXPECT_INT(i, r->what, rc, 0);
		char *got = describe_file(&f);
		EXPECT_STR(i, r->what, got, r->want);
		free(got);
		got = describe_stop(&f);
		EXPECT_STR(i, r->what, got, r->stop);
		free(got);
		char *notes = test_join(&f.notes);
		bool ok = r->notes && *r->notes ? strstr(notes, r->notes) != NULL : (r->notes ? f.notes.n == 0 : true);
		if (!ok)
			fail_msg("row %zu (%s): notes '%s', want '%s'", i, r->what, notes, r->notes);
		free(notes);
		nc_file_free(&f);
	}
}

#define IF "/etc/network/interfaces"

static void t_ifupdown(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "Debian's default with cloud-init's source line", P_IFUPDOWN, IF,
		  BUF("# interfaces(5) file used by ifup(8) and ifdown(8)\n"
		      "# Include files from /etc/network/interfaces.d:\n"
		      "source /etc/network/interfaces.d/*\n"
		      "\n"
		      "auto lo\n"
		      "iface lo inet loopback\n"
		      "\n"
		      "allow-hotplug eth0\n"
		      "iface eth0 inet dhcp\n"),
		  "lo@6 family=inet names=lo@6 other@6 auto=1@5 ; eth0@9 family=inet names=eth0@9 dhcp@9 auto=1@8", NULL, "" },
		{ "a VMware-era static stanza with a MAC, CRLF and a continuation", P_IFUPDOWN, IF,
		  BUF("auto ens192\r\n"
		      "iface ens192 inet static\r\n"
		      "    address 192.168.1.20/24\r\n"
		      "    gateway 192.168.1.1\r\n"
		      "    hwaddress ether 00:0C:29:AB:CD:EF\r\n"
		      "    dns-nameservers 8.8.8.8 \\\n"
		      "       8.8.4.4\r\n"),
		  "ens192@2 family=inet names=ens192@2 setmac=00:0c:29:ab:cd:ef@5 static@2 addr=192.168.1.20/24@3 auto=1@1",
		  NULL, "" },
		{ "a blank line does not end a stanza", P_IFUPDOWN, IF,
		  BUF("auto eth0\niface eth0 inet dhcp\n\naddress 1.2.3.4\n"),
		  "eth0@2 family=inet names=eth0@2 dhcp@2 addr=1.2.3.4@4 auto=1@1", NULL, "" },
		{ "an option outside any stanza stops ifupdown", P_IFUPDOWN, IF,
		  BUF("address 1.2.3.4\nauto eth0\niface eth0 inet dhcp\n"), "", "1: misplaced option",
		  "ifup brings up no interface" },
		{ "an option outside a stanza after auto", P_IFUPDOWN, IF,
		  BUF("iface eth0 inet dhcp\nauto eth0\n  address 10.0.0.1\niface eth1 inet dhcp\n"),
		  "eth0@1 family=inet names=eth0@1 dhcp@1 auto=1@2", "3: misplaced option", NULL },
		{ "an unknown method", P_IFUPDOWN, IF, BUF("iface eth0 inet foo\niface eth1 inet dhcp\n"), "",
		  "1: unknown or no method and no inherits keyword specified", NULL },
		{ "no family", P_IFUPDOWN, IF, BUF("iface eth0\n"), "", "1: unknown or no address type and no inherits keyword specified",
		  NULL },
		{ "an option with an empty value", P_IFUPDOWN, IF, BUF("iface x inet dhcp\naddress\n"),
		  "x@1 family=inet names=x@1 dhcp@1", "2: option with empty value", NULL },
		{ "inet6 and extra words", P_IFUPDOWN, IF,
		  BUF("auto eth0 eth1\niface eth0 inet6 auto\niface eth0 inet dhcp extra\niface eth1 inet manual\n"),
		  "eth0@2 family=inet6 names=eth0@2 auto=1@1 ; eth0@3 family=inet names=eth0@3 dhcp@3 auto=1@1 ; "
		  "eth1@4 family=inet names=eth1@4 none@4 auto=1@1",
		  NULL, "extra parameter for the iface line not understood and ignored: extra" },
		{ "a continuation swallows a comment line", P_IFUPDOWN, IF, BUF("iface y inet dhcp \\\n  # not a comment\n"),
		  "y@1 family=inet names=y@1 dhcp@1", NULL, "ignored: #" },
		{ "comments, indented comments, blank lines only", P_IFUPDOWN, IF, BUF("# a\n   # b\n\n\t\n"), "", NULL, "" },
		{ "an empty file", P_IFUPDOWN, IF, BUF(""), "", NULL, "" },
		{ "a NUL ends the line", P_IFUPDOWN, IF, BUF("iface eth0 inet dhcp\0 garbage\nauto eth0\n"),
		  "eth0@1 family=inet names=eth0@1 dhcp@1 auto=1@2", NULL, "" },
		{ "mapping stanzas", P_IFUPDOWN, IF, BUF("mapping eth0\n  script /x\n  map home\niface home inet dhcp\n"),
		  "home@4 family=inet names=home@4 dhcp@4", NULL, "a mapping stanza" },
		{ "junk bytes", P_IFUPDOWN, IF, BUF("\xff\xfe garbage\n"), "", "1: misplaced option", NULL },
		{ "a bad hwaddress and the random one", P_IFUPDOWN, IF,
		  BUF("iface eth0 inet dhcp\n hwaddress zz\niface eth1 inet dhcp\n hwaddress random\n"),
		  "eth0@1 family=inet names=eth0@1 dhcp@1 ; eth1@3 family=inet names=eth1@3 dhcp@3", NULL,
		  "line 2: hwaddress 'zz' is not a MAC address" },
		{ "allow-auto and allow-hotplug", P_IFUPDOWN, "/etc/network/interfaces.d/eth0",
		  BUF("allow-auto eth0\niface eth0 inet dhcp\n"), "eth0@2 family=inet names=eth0@2 dhcp@2 auto=1@1", NULL, "" },
	};
	run_rows(rows, ARRAY_SIZE(rows));
}

static void t_ifupdown_reads(void **state)
{
	(void)state;
	static const struct {
		const char *interfaces;
		const char *target;
		unsigned want;
	} rows[] = {
		{ "source /etc/network/interfaces.d/*\n", "/etc/network/interfaces.d/50-cloud-init", 1 },
		{ "source /etc/network/interfaces.d/*\n", "/etc/network/interfaces.d/50-cloud-init.cfg", 1 },
		{ "source /etc/network/interfaces.d/*\n", "/etc/network/interfaces.d/.hidden", 0 },
		{ "source /etc/network/interfaces.d/*\n", "/etc/network/interfaces.d/sub/x", 0 },
		{ "auto lo\nsource-directory /etc/network/interfaces.d\n", "/etc/network/interfaces.d/50-cloud-init", 2 },
		{ "source-directory /etc/network/interfaces.d\n", "/etc/network/interfaces.d/50-cloud-init.cfg", 0 },
		{ "source-dir /etc/network/interfaces.d\n", "/etc/network/interfaces.d/50-cloud-init", 1 },
		{ "source-directory interfaces.d\n", "/etc/network/interfaces.d/50-cloud-init", 1 },
		{ "source interfaces.d/*.cfg\n", "/etc/network/interfaces.d/50-cloud-init", 0 },
		{ "source interfaces.d/*.cfg\n", "/etc/network/interfaces.d/50-cloud-init.cfg", 1 },
		{ "source /etc/network/interfaces.d/[0-9]*\n", "/etc/network/interfaces.d/50-cloud-init", 1 },
		{ "source /etc/network/interfaces.d/.*\n", "/etc/network/interfaces.d/.hidden", 1 },
		{ "source /etc/network/a /etc/network/interfaces.d/50-cloud-init\n", "/etc/network/interfaces.d/50-cloud-init", 1 },
		{ "# source /etc/network/interfaces.d/*\nauto lo\n", "/etc/network/interfaces.d/50-cloud-init", 0 },
		{ "source-directory /etc/network/*\n", "/etc/network/interfaces.d/50-cloud-init", 1 },
		{ "", "/etc/network/interfaces.d/50-cloud-init", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct nc_file f;
		nc_parse_ifupdown(IF, rows[i].interfaces, strlen(rows[i].interfaces), &f);
		EXPECT_INT(i, rows[i].interfaces, nc_ifupdown_reads(&f, rows[i].target), rows[i].want);
		nc_file_free(&f);
	}
}

static void t_ifupdown_auto(void **state)
{
	(void)state;
	struct nc_file f[2];
	const char *a = "source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\n";
	const char *b = "allow-hotplug eth0\niface eth0 inet dhcp\n";
	nc_parse_ifupdown(IF, a, strlen(a), &f[0]);
	nc_parse_ifupdown("/etc/network/interfaces.d/50-cloud-init", b, strlen(b), &f[1]);
	const struct nc_file *where = NULL;
	const struct nc_auto *au = nc_ifupdown_auto(f, 2, "eth0", &where);
	assert_non_null(au);
	EXPECT_STR(0, "auto", au->how, "allow-hotplug");
	EXPECT_INT(0, "auto", au->line, 1);
	EXPECT_STR(0, "auto", where->path, "/etc/network/interfaces.d/50-cloud-init");
	assert_null(nc_ifupdown_auto(f, 2, "eth1", &where));
	assert_null(where);
	nc_file_free(&f[0]);
	nc_file_free(&f[1]);
}

#define RH "/etc/sysconfig/network-scripts/ifcfg-"
#define SUSE "/etc/sysconfig/network/ifcfg-"

static void t_ifcfg(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "RHEL DHCP with a MAC pin", P_IFCFG, RH "eth0",
		  BUF("# Generated by anaconda\n"
		      "TYPE=Ethernet\n"
		      "BOOTPROTO=dhcp\n"
		      "NAME=eth0\n"
		      "DEVICE=eth0\n"
		      "ONBOOT=yes\n"
		      "HWADDR=00:0C:29:AB:CD:EF\n"),
		  "eth0@1 kind=ethernet names=eth0@5 match=00:0c:29:ab:cd:ef@7 dhcp@3 auto=1@6", NULL, "" },
		{ "static with quotes, IPADDR0, MACADDR and a trailing comment", P_IFCFG, RH "ens192",
		  BUF("DEVICE=\"ens192\"\nBOOTPROTO='none'   # static\nIPADDR0=10.0.0.5\nPREFIX0=24\nMACADDR=52:54:00:aa:bb:cc\n"
		      "ONBOOT=no\n"),
		  "ens192@1 names=ens192@1 setmac=52:54:00:aa:bb:cc@5 static@2 addr=10.0.0.5@3 auto=0@6", NULL, "" },
		{ "no DEVICE: the file name; no BOOTPROTO, no address: none", P_IFCFG, RH "eth1", BUF("ONBOOT=yes\n"),
		  "eth1@1 names=eth1@0 none@0 auto=1@1", NULL, "no DEVICE=" },
		{ "CRLF, export, junk and a malformed value", P_IFCFG, RH "eth0",
		  BUF("export DEVICE=eth0\r\nBOOTPROTO=dhcp\r\nthis is junk\r\nHWADDR=\"unterminated\r\n9X=1\r\n"),
		  "eth0@1 names=eth0@1 dhcp@2", NULL, "line 3: not a shell assignment" },
		{ "a bridge port", P_IFCFG, RH "eth0", BUF("DEVICE=eth0\nBRIDGE=br0\nBOOTPROTO=none\n"),
		  "eth0@1 names=eth0@1 none@3", NULL, "a port of br0" },
		{ "an invalid HWADDR", P_IFCFG, RH "eth0", BUF("DEVICE=eth0\nHWADDR=xx\nBOOTPROTO=bootp\n"),
		  "eth0@1 names=eth0@1 dhcp@3", NULL, "HWADDR 'xx' is not a MAC address" },
		{ "an empty file", P_IFCFG, RH "eth0", BUF(""), "eth0@1 names=eth0@0 none@0", NULL, "no DEVICE=" },
		{ "wicked DHCP", P_SUSE, SUSE "eth0", BUF("BOOTPROTO='dhcp'\nSTARTMODE='auto'\nLLADDR='00:50:56:01:02:03'\n"),
		  "eth0@1 names=eth0@0 setmac=00:50:56:01:02:03@3 dhcp@1 auto=1@2", NULL, "" },
		{ "wicked: static is the default; IPADDR_x; STARTMODE manual", P_SUSE, SUSE "eth1",
		  BUF("IPADDR_0='10.1.1.1/24'\nSTARTMODE=manual\nDEVICE=ignored\n"),
		  "eth1@1 names=eth1@0 static@0 addr=10.1.1.1/24@1 auto=0@2", NULL, "" },
		{ "wicked dhcp6 only", P_SUSE, SUSE "eth0", BUF("BOOTPROTO=dhcp6\n"), "eth0@1 names=eth0@0 none@1", NULL, "" },
	};
	run_rows(rows, ARRAY_SIZE(rows));
	EXPECT_INT(0, "wanted", nc_ifcfg_wanted("ifcfg-eth0"), true);
	EXPECT_INT(1, "wanted", nc_ifcfg_wanted("ifcfg-lo"), false);
	EXPECT_INT(2, "wanted", nc_ifcfg_wanted("ifcfg-eth0.bak"), false);
	EXPECT_INT(3, "wanted", nc_ifcfg_wanted("ifcfg-eth0~"), false);
	EXPECT_INT(4, "wanted", nc_ifcfg_wanted("route-eth0"), false);
	EXPECT_INT(5, "wanted", nc_ifcfg_wanted("ifcfg-"), false);
}

#define NM "/etc/NetworkManager/system-connections/"

static void t_nm_keyfile(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "a profile bound to the old NIC's MAC", P_NM, NM "Wired connection 1.nmconnection",
		  BUF("[connection]\n"
		      "id=Wired connection 1\n"
		      "uuid=0d3f3f2a-0000-4000-8000-000000000001\n"
		      "type=ethernet\n"
		      "autoconnect-priority=-999\n"
		      "\n"
		      "[ethernet]\n"
		      "mac-address=00:0C:29:AB:CD:EF\n"
		      "\n"
		      "[ipv4]\n"
		      "method=auto\n"),
		  "Wired connection 1@1 kind=ethernet match=00:0c:29:ab:cd:ef@8 dhcp@11 auto=1@0", NULL, "" },
		{ "static, by interface name, not autoconnected, legacy MAC bytes", P_NM, NM "eth0.nmconnection",
		  BUF("[connection]\nid=eth0\ntype=802-3-ethernet\ninterface-name=eth0\nautoconnect=false\n"
		      "[802-3-ethernet]\nmac-address=0;12;41;171;205;239;\ncloned-mac-address=stable\n"
		      "[ipv4]\nmethod=manual\naddress1=10.0.0.5/24,10.0.0.1\n"),
		  "eth0@1 kind=ethernet names=eth0@4 match=00:0c:29:ab:cd:ef@7 static@10 addr=10.0.0.5/24@11 auto=0@5",
		  NULL, "" },
		{ "no [ipv4]: auto; a cloned MAC; match patterns", P_NM, NM "any.nmconnection",
		  BUF("  [connection]\n  id = any \n  type=ethernet\n[match]\ninterface-name=eth*;!eth1\n[ethernet]\n"
		      "cloned-mac-address=52:54:00:00:00:01\n"),
		  "any@1 kind=ethernet names=eth*|!eth1@5 setmac=52:54:00:00:00:01@7 dhcp@0 auto=1@0", NULL, "" },
		{ "a bridge port", P_NM, NM "p.nmconnection", BUF("[connection]\nid=p\ntype=ethernet\nmaster=br0\nslave-type=bridge\n"),
		  "p@1 kind=ethernet none@4 auto=1@0", NULL, "" },
		{ "a junk line: NetworkManager ignores the whole file", P_NM, NM "j.nmconnection",
		  BUF("[connection]\nid=j\nthis line is junk\n[ipv4]\nmethod=auto\n"), "",
		  "3 (whole file): not a group, key or comment: NetworkManager ignores the whole file", "line 3" },
		{ "a key before any group", P_NM, NM "k.nmconnection", BUF("id=k\n[connection]\n"), "",
		  "1 (whole file): a key before the first group: NetworkManager ignores the whole file", NULL },
		{ "CRLF, comments, BOM, escapes", P_NM, NM "c.nmconnection",
		  BUF("\xef\xbb\xbf# c\r\n[connection]\r\nid=a\\sb\r\ntype=ethernet\r\n[ipv4]\r\nmethod=disabled\r\n"),
		  "a b@1 kind=ethernet none@6 auto=1@0", NULL, "" },
		{ "an empty file", P_NM, NM "e.nmconnection", BUF(""), "e.nmconnection@1 dhcp@0 auto=1@0", NULL, "" },
		{ "wifi: no default method", P_NM, NM "w.nmconnection", BUF("[connection]\nid=w\ntype=wifi\n"),
		  "w@1 kind=wifi auto=1@0", NULL, "" },
	};
	run_rows(rows, ARRAY_SIZE(rows));
	EXPECT_INT(0, "wanted", nc_nm_keyfile_wanted("eth0.nmconnection"), true);
	EXPECT_INT(1, "wanted", nc_nm_keyfile_wanted(".eth0.nmconnection"), false);
	EXPECT_INT(2, "wanted", nc_nm_keyfile_wanted("eth0.nmconnection~"), false);
}

#define ND "/etc/systemd/network/"

static void t_networkd(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "DHCP by name", P_NETWORKD, ND "20-wired.network",
		  BUF("[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n"), "20-wired.network@1 names=eth0@2 dhcp@5", NULL, "" },
		{ "pinned by MAC, static, a MAC set in [Link]", P_NETWORKD, ND "10-old.network",
		  BUF("# VMware NIC\n[Match]\nMACAddress=00:0c:29:ab:cd:ef\n[Link]\nMACAddress=00:0c:29:00:00:01\n"
		      "[Network]\nAddress=192.168.1.20/24\nGateway=192.168.1.1\nDHCP=ipv6\n"),
		  "10-old.network@1 match=00:0c:29:ab:cd:ef@3 setmac=00:0c:29:00:00:01@5 static@7 addr=192.168.1.20/24@7", NULL,
		  "" },
		{ "globs accumulate, an empty assignment resets, ipv4", P_NETWORKD, ND "a.network",
		  BUF("[Match]\nName=foo\nName=\nName=en* eth*\nName=!eth9\n[Network]\nDHCP=ipv4\n"),
		  "a.network@1 names=en*|eth*|!eth9@4 dhcp@7", NULL, "" },
		{ "no [Match]: every interface; junk lines; continuation; comments", P_NETWORKD, ND "b.network",
		  BUF("[Network]\r\n; comment\r\nno equals sign\r\nDHCP=\\\n# dropped\n  yes\r\n"),
		  "b.network@1 dhcp@4", NULL, "line 3: missing '='" },
		{ "an assignment outside a section", P_NETWORKD, ND "c.network", BUF("DHCP=yes\n[Match]\nName=eth0\n"),
		  "c.network@1 names=eth0@3 none@0", NULL, "assignment outside of a section" },
		{ "a broken section header: systemd ignores the file", P_NETWORKD, ND "d.network", BUF("[Match\nName=eth0\n"), "",
		  "1 (whole file): invalid section header: systemd ignores the whole file", NULL },
		{ "[Address] sections, DHCP=no, an IPv6 address first", P_NETWORKD, ND "e.network",
		  BUF("[Match]\nType=ether\n[Network]\nDHCP=no\n[Address]\nAddress=fd00::1/64\n[Address]\nAddress=10.9.8.7/8\n"),
		  "e.network@1 kind=ethernet static@8 addr=10.9.8.7/8@8", NULL, "" },
		{ "Unmanaged", P_NETWORKD, ND "f.network", BUF("[Match]\nName=eth0\n[Link]\nUnmanaged=yes\n[Network]\nDHCP=yes\n"),
		  "f.network@1 names=eth0@2 none@4", NULL, "Unmanaged=yes" },
		{ "a .link that names the old NIC", P_NETWORKD, ND "10-eth0.link",
		  BUF("[Match]\nMACAddress=00:0C:29:AB:CD:EF\n[Link]\nName=eth0\n"),
		  "10-eth0.link@1 match=00:0c:29:ab:cd:ef@2 rename=eth0@4", NULL, "" },
		{ "a .link by original name with a name policy", P_NETWORKD, ND "99-default.link",
		  BUF("[Match]\nOriginalName=*\n[Link]\nNamePolicy=keep kernel database onboard slot path\nMACAddressPolicy=persistent\n"),
		  "99-default.link@1 names=*@2", NULL, "NamePolicy=keep kernel" },
		{ "two MACs", P_NETWORKD, ND "g.network", BUF("[Match]\nMACAddress=00:11:22:33:44:55 00:11:22:33:44:66\n"),
		  "g.network@1 match=00:11:22:33:44:55@2 none@0", NULL, "lists 2 addresses" },
		{ "an empty file", P_NETWORKD, ND "h.network", BUF(""), "h.network@1 none@0", NULL, "no [Match] conditions" },
	};
	run_rows(rows, ARRAY_SIZE(rows));
}

#define UD "/etc/udev/rules.d/70-persistent-net.rules"

static void t_udev(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "the classic generated rules", P_UDEV, UD,
		  BUF("# This file was automatically generated by the /lib/udev/write_net_rules\n"
		      "# program, run by the persistent-net-generator.rules rules file.\n"
		      "\n"
		      "# PCI device 0x15ad:0x07b0 (vmxnet3)\n"
		      "SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", ATTR{address}==\"00:0c:29:ab:cd:ef\", "
		      "ATTR{dev_id}==\"0x0\", ATTR{type}==\"1\", KERNEL==\"eth*\", NAME=\"eth0\"\n"
		      "\n"
		      "# PCI device 0x8086:0x100f (e1000)\n"
		      "SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", ATTR{address}==\"00:0C:29:AB:CD:F9\", "
		      "ATTR{type}==\"1\", KERNEL==\"eth*\", NAME=\"eth1\"\n"),
		  "eth0@5 names=eth*@5 match=00:0c:29:ab:cd:ef@5 rename=eth0@5 ; eth1@8 names=eth*@8 match=00:0c:29:ab:cd:f9@8 "
		  "rename=eth1@8",
		  NULL, "" },
		{ "continuations, :=, ATTRS, junk", P_UDEV, UD,
		  BUF("SUBSYSTEM==\"net\", \\\n  ATTRS{address}==\"52:54:00:12:34:56\", NAME:=\"lan0\"\n"
		      "this is not a rule\n"
		      "KERNEL==\"eth0\", NAME=\"eth0\"\n"
		      "SUBSYSTEM==\"net\", ATTR{address}==\"00:50:56:*\", NAME=\"vm0\"\n"
		      "ACTION==\"add\", RUN+=\"/bin/true\"\n"
		      "SUBSYSTEM==\"net\", NAME=\"eth5\n"),
		  "lan0@1 match=52:54:00:12:34:56@1 rename=lan0@1 ; eth0@4 names=eth0@4 rename=eth0@4 ; vm0@5 rename=vm0@5",
		  NULL, "line 3: invalid rule" },
		{ "CRLF", P_UDEV, UD, BUF("ATTR{address}==\"00:0c:29:ab:cd:ef\", NAME=\"eth0\"\r\n"),
		  "eth0@1 match=00:0c:29:ab:cd:ef@1 rename=eth0@1", NULL, "" },
		{ "an empty file", P_UDEV, UD, BUF(""), "", NULL, "" },
	};
	run_rows(rows, ARRAY_SIZE(rows));
}

#define NP "/etc/netplan/"

static void t_netplan(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ "Ubuntu's cloud-init file pinned by MAC with set-name", P_NETPLAN, NP "50-cloud-init.yaml",
		  BUF("# This file is generated from information provided by the datasource.\n"
		      "network:\n"
		      "    ethernets:\n"
		      "        eth0:\n"
		      "            dhcp4: true\n"
		      "            match:\n"
		      "                macaddress: 00:0c:29:ab:cd:ef\n"
		      "            set-name: eth0\n"
		      "    version: 2\n"),
		  "eth0@4 kind=ethernet match=00:0c:29:ab:cd:ef@7 rename=eth0@8 dhcp@5", NULL, "" },
		{ "the installer's static config", P_NETPLAN, NP "00-installer-config.yaml",
		  BUF("network:\n  ethernets:\n    ens160:\n      addresses:\n      - 192.168.10.5/24\n      nameservers:\n"
		      "        addresses: [8.8.8.8]\n      routes:\n      - to: default\n        via: 192.168.10.1\n"
		      "  version: 2\n  renderer: networkd\n"),
		  "ens160@3 kind=ethernet names=ens160@3 static@5 addr=192.168.10.5/24@5", NULL, "" },
		{ "flow style, match by name glob, dhcp4 no with an IPv6 address", P_NETPLAN, NP "a.yaml",
		  BUF("network: {version: 2, ethernets: {all: {match: {name: \"e*\"}, dhcp4: no, addresses: [\"fd00::5/64\"]}}}\n"),
		  "all@1 kind=ethernet names=e*@1 none@1", NULL, "" },
		{ "anchors and aliases, addresses with options, a bond", P_NETPLAN, NP "b.yaml",
		  BUF("network:\n  version: 2\n  ethernets:\n    eth0: &common\n      dhcp4: y\n    eth1: *common\n"
		      "  bonds:\n    bond0:\n      interfaces: [eth0, eth1]\n      addresses:\n        - 10.0.0.9/24:\n            lifetime: 0\n"),
		  "eth0@4 kind=ethernet names=eth0@4 dhcp@5 ; eth1@6 kind=ethernet names=eth1@6 dhcp@5 ; "
		  "bond0@8 kind=bond names=bond0@8 static@11 addr=10.0.0.9/24@11",
		  NULL, "" },
		{ "an invalid boolean: netplan refuses the file", P_NETPLAN, NP "c.yaml",
		  BUF("network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: maybe\n"),
		  "eth0@4 kind=ethernet names=eth0@4 none@5", "5 (whole file): eth0: invalid boolean value 'maybe'",
		  "netplan generate fails" },
		{ "set-name without match", P_NETPLAN, NP "d.yaml",
		  BUF("network:\n  version: 2\n  ethernets:\n    eth0:\n      set-name: eth0\n      dhcp4: true\n"),
		  "eth0@4 kind=ethernet names=eth0@4 rename=eth0@5 dhcp@6",
		  "5 (whole file): eth0: 'set-name:' requires 'match:' properties", NULL },
		{ "an invalid MAC", P_NETPLAN, NP "e.yaml",
		  BUF("network:\n  ethernets:\n    eth0:\n      match: {macaddress: 00-0c-29-ab-cd-ef}\n"),
		  "eth0@3 kind=ethernet", "4 (whole file): eth0: invalid MAC address '00-0c-29-ab-cd-ef', must be XX:XX:XX:XX:XX:XX",
		  NULL },
		{ "an unknown key", P_NETPLAN, NP "f.yaml", BUF("network:\n  version: 2\n  ethernet:\n    eth0: {}\n"), "",
		  "3 (whole file): unknown key 'ethernet'", NULL },
		{ "malformed YAML", P_NETPLAN, NP "g.yaml", BUF("network:\n  ethernets:\n    eth0: [\n"), "",
		  "4 (whole file): did not find expected node content while parsing a flow node", NULL },
		{ "tabs are fine for libyaml", P_NETPLAN, NP "h.yaml", BUF("network:\n  ethernets:\n    eth0:\n      dhcp4:\ttrue\n"),
		  "eth0@3 kind=ethernet names=eth0@3 dhcp@4", NULL, "" },
		{ "only comments", P_NETPLAN, NP "i.yaml", BUF("# nothing\n"), "", NULL, "" },
		{ "merge keys are unknown to netplan", P_NETPLAN, NP "j.yaml",
		  BUF("network:\n  ethernets:\n    eth0:\n      <<: {dhcp4: true}\n"), "eth0@3 kind=ethernet names=eth0@3",
		  "4 (whole file): eth0: unknown key '<<' (netplan has no merge keys)", NULL },
		{ "version 1", P_NETPLAN, NP "k.yaml", BUF("network:\n  version: 1\n"), "", "2 (whole file): only version 2 is supported",
		  NULL },
		{ "not a mapping", P_NETPLAN, NP "l.yaml", BUF("- a\n"), "", "1 (whole file): expected mapping (check indentation)", NULL },
		{ "an empty netdef", P_NETPLAN, NP "m.yaml", BUF("network:\n  ethernets:\n    eth0:\n"), "eth0@3 kind=ethernet",
		  "3 (whole file): eth0: expected mapping (check indentation)", NULL },
		{ "an empty network", P_NETPLAN, NP "n.yaml", BUF("network:\n"), "",
		  "1 (whole file): network: expected mapping (check indentation)", NULL },
		{ "an unknown renderer", P_NETPLAN, NP "o.yaml", BUF("network:\n  version: 2\n  renderer: foo\n"), "",
		  "3 (whole file): unknown renderer 'foo'", NULL },
		{ "addresses not a list", P_NETPLAN, NP "p.yaml", BUF("network:\n  ethernets:\n    eth0:\n      addresses: 10.0.0.1/24\n"),
		  "eth0@3 kind=ethernet names=eth0@3", "4 (whole file): eth0: addresses: expected sequence", NULL },
		{ "a duplicate key: the later wins; an uppercase MAC", P_NETPLAN, NP "q.yaml",
		  BUF("network:\n  ethernets:\n    eth0:\n      dhcp4: true\n      dhcp4: false\n      macaddress: \"00:0C:29:AB:CD:EF\"\n"),
		  "eth0@3 kind=ethernet names=eth0@3 setmac=00:0c:29:ab:cd:ef@6 none@5", NULL, "" },
	};
	run_rows(rows, ARRAY_SIZE(rows));
}

static void t_netplan_merge(void **state)
{
	(void)state;
	const char *a = "network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n      match:\n"
			"        macaddress: 00:0c:29:ab:cd:ef\n      set-name: eth0\n";
	const char *b = "network:\n  ethernets:\n    eth0:\n      dhcp4: false\n      addresses: [10.0.0.2/24]\n"
			"    eth1:\n      dhcp4: true\n";
	struct nc_file f[2], m;
	nc_parse_netplan(NP "50-cloud-init.yaml", a, strlen(a), &f[0]);
	nc_parse_netplan(NP "90-local.yaml", b, strlen(b), &f[1]);
	nc_netplan_merge(f, 2, &m);
	char *got = describe_file(&m);
	EXPECT_STR(0, "merge", got,
		   "eth0@4 kind=ethernet match=00:0c:29:ab:cd:ef@7 rename=eth0@8 static@5 addr=10.0.0.2/24@5 ; "
		   "eth1@6 kind=ethernet names=eth1@6 dhcp@7");
	free(got);
	EXPECT_STR(0, "merge", m.v[0].mac_match_file, NP "50-cloud-init.yaml");
	EXPECT_STR(0, "merge", m.v[0].method_file, NP "90-local.yaml");
	EXPECT_STR(0, "merge", m.stop_reason, NULL);
	nc_file_free(&m);
	/* one refused file refuses everything */
	nc_file_free(&f[1]);
	const char *bad = "network:\n  ethernets:\n    eth0: {dhcp4: perhaps}\n";
	nc_parse_netplan(NP "99-bad.yaml", bad, strlen(bad), &f[1]);
	nc_netplan_merge(f, 2, &m);
	assert_non_null(m.stop_reason);
	assert_non_null(strstr(m.stop_reason, NP "99-bad.yaml"));
	nc_file_free(&m);
	nc_file_free(&f[0]);
	nc_file_free(&f[1]);
}

/* ---- the questions ---- */

static void t_applies(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		enum parser parser;
		const char *path, *text, *name, *mac;
		bool applies, pinned;
	} rows[] = {
		{ "a plain DHCP stanza", P_IFUPDOWN, IF, "iface eth0 inet dhcp\n", "eth0", NULL, true, false },
		{ "another name", P_IFUPDOWN, IF, "iface ens192 inet dhcp\n", "eth0", NULL, false, false },
		{ "hwaddress sets a MAC: pinned", P_IFUPDOWN, IF, "iface eth0 inet dhcp\n hwaddress 00:0c:29:00:00:01\n", "eth0",
		  NULL, true, true },
		{ "HWADDR: not the new NIC", P_IFCFG, RH "eth0", "DEVICE=eth0\nHWADDR=00:0c:29:ab:cd:ef\n", "eth0", NULL, false, true },
		{ "HWADDR: the old NIC", P_IFCFG, RH "eth0", "DEVICE=eth0\nHWADDR=00:0c:29:ab:cd:ef\n", "eth0", "00:0C:29:AB:CD:EF",
		  true, true },
		{ "NM without interface-name applies to any", P_NM, NM "a", "[connection]\nid=a\ntype=ethernet\n", "eth0", NULL, true,
		  false },
		{ "NM excluded by a ! pattern", P_NM, NM "a", "[connection]\nid=a\n[match]\ninterface-name=!eth0\n", "eth0", NULL,
		  false, false },
		{ "NM ~ pattern", P_NM, NM "a", "[connection]\nid=a\n[match]\ninterface-name=~eth[0-3]\n", "eth0", NULL, true, false },
		{ "networkd glob", P_NETWORKD, ND "a.network", "[Match]\nName=e*\n", "eth0", NULL, true, false },
		{ "networkd inverted", P_NETWORKD, ND "a.network", "[Match]\nName=!eth0\n", "eth1", NULL, true, false },
		{ "netplan pinned by MAC", P_NETPLAN, NP "a.yaml",
		  "network:\n ethernets:\n  x:\n   match: {macaddress: '00:0c:29:ab:cd:ef'}\n   set-name: eth0\n", "eth0", NULL,
		  false, true },
		{ "udev rule", P_UDEV, UD, "ATTR{address}==\"00:0c:29:ab:cd:ef\", NAME=\"eth0\"\n", "eth0", NULL, false, true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct nc_file f;
		size_t n = strlen(rows[i].text);
		switch (rows[i].parser) {
		case P_IFUPDOWN:
			nc_parse_ifupdown(rows[i].path, rows[i].text, n, &f);
			break;
		case P_IFCFG:
			nc_parse_ifcfg(rows[i].path, rows[i].text, n, false, &f);
			break;
		case P_NM:
			nc_parse_nm_keyfile(rows[i].path, rows[i].text, n, &f);
			break;
		case P_NETWORKD:
			nc_parse_networkd(rows[i].path, rows[i].text, n, &f);
			break;
		case P_NETPLAN:
			nc_parse_netplan(rows[i].path, rows[i].text, n, &f);
			break;
		case P_UDEV:
			nc_parse_udev_rules(rows[i].path, rows[i].text, n, &f);
			break;
		default:
			fail();
		}
		assert_true(f.n >= 1);
		EXPECT_INT(i, rows[i].what, nc_iface_applies(&f.v[0], rows[i].name, rows[i].mac), rows[i].applies);
		EXPECT_INT(i, rows[i].what, nc_iface_pinned(&f.v[0]), rows[i].pinned);
		nc_file_free(&f);
	}
}

static void t_mac(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "00:0C:29:AB:CD:EF", "00:0c:29:ab:cd:ef" }, { "00-0c-29-ab-cd-ef", "00:0c:29:ab:cd:ef" },
		{ "000c.29ab.cdef", "00:0c:29:ab:cd:ef" },    { "0;12;41;171;205;239;", "00:0c:29:ab:cd:ef" },
		{ "0;12;41;171;205;239", "00:0c:29:ab:cd:ef" }, { " 00:0c:29:ab:cd:ef ", "00:0c:29:ab:cd:ef" },
		{ "00:0c:29:ab:cd", NULL },                   { "00:0c:29:ab:cd:eg", NULL },
		{ "00:0c-29:ab:cd:ef", NULL },                { "0;12;41;171;205;256;", NULL },
		{ "0;12;41;171;205", NULL },                  { "", NULL },
		{ "random", NULL },                           { "00:0c:29:ab:cd:ef:00", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = nc_mac_normalize(rows[i].in);
		EXPECT_STR(i, rows[i].in, got, rows[i].want);
		free(got);
	}
}

static void t_glob(void **state)
{
	(void)state;
	static const struct {
		const char *pat, *s;
		bool want;
	} rows[] = {
		{ "eth0", "eth0", true },   { "eth*", "eth0", true },     { "eth*", "ens3", false },  { "e*0", "eth0", true },
		{ "*", "", true },          { "?", "", false },           { "eth?", "eth10", false }, { "eth[0-3]", "eth2", true },
		{ "eth[!0-3]", "eth2", false }, { "eth[^0-3]", "eth5", true }, { "eth[", "eth[", true }, { "a\\*", "a*", true },
		{ "a\\*", "ab", false },    { "*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
		{ "[]]", "]", true },       { "[a-]", "-", true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		EXPECT_INT(i, rows[i].pat, nc_glob_match(rows[i].pat, rows[i].s), rows[i].want);
}

static void t_cmdline(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int ifnames, biosdevname;
	} rows[] = {
		{ NULL, -1, -1 },
		{ "", -1, -1 },
		{ "BOOT_IMAGE=/vmlinuz ro quiet", -1, -1 },
		{ "ro net.ifnames=0 biosdevname=0", 0, 0 },
		{ "net.ifnames=0 net.ifnames=1", 1, -1 },
		{ "net.ifnames=false", 0, -1 },
		{ "net_ifnames=0", -1, -1 },
		{ "net.ifnames", 1, -1 },
		{ "net.ifnames=maybe", -1, -1 },
		{ "net.ifnames=0 -- net.ifnames=1", 0, -1 },
		{ "biosdevname=1", -1, 1 },
		{ "biosdevname", -1, 1 },
		{ "biosdevname=yes", -1, 0 },
		{ "\"net.ifnames=0\"", 0, -1 },
		{ "xnet.ifnames=0 net.ifnamesx=0", -1, -1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct nc_cmdline c;
		nc_cmdline_parse(rows[i].in, &c);
		EXPECT_INT(i, rows[i].in ? rows[i].in : "(null)", c.net_ifnames, rows[i].ifnames);
		EXPECT_INT(i, rows[i].in ? rows[i].in : "(null)", c.biosdevname, rows[i].biosdevname);
	}
}

/* Every parser on every junk input: no crash, no leak, bounded (run under ASan too). */
static void t_junk(void **state)
{
	(void)state;
	static const struct buf inputs[] = {
		BUF(""), BUF("\0\0\0"), BUF("["), BUF("]"), BUF("=\n=\n"), BUF("\\"), BUF("\\\n\\\n\\"), BUF("\"\"\""),
		BUF("iface"), BUF("[Match]\nName="), BUF("{{{{"), BUF("network: {ethernets: {eth0: [1, {a: b}]}}"),
		BUF("NAME=\"x"), BUF("\xff\xfe\xfd\x80"), BUF("a: &a [*a, *a]\nnetwork: *a\n"), BUF("\r\r\r\n\n\r"),
	};
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		struct nc_file f;
		nc_parse_ifupdown(IF, inputs[i].p, inputs[i].n, &f);
		nc_file_free(&f);
		nc_parse_ifcfg(RH "eth0", inputs[i].p, inputs[i].n, false, &f);
		nc_file_free(&f);
		nc_parse_ifcfg(SUSE "eth0", inputs[i].p, inputs[i].n, true, &f);
		nc_file_free(&f);
		nc_parse_nm_keyfile(NM "x", inputs[i].p, inputs[i].n, &f);
		nc_file_free(&f);
		nc_parse_networkd(ND "x.network", inputs[i].p, inputs[i].n, &f);
		nc_file_free(&f);
		nc_parse_networkd(ND "x.link", inputs[i].p, inputs[i].n, &f);
		nc_file_free(&f);
		nc_parse_udev_rules(UD, inputs[i].p, inputs[i].n, &f);
		nc_file_free(&f);
		nc_parse_netplan(NP "x.yaml", inputs[i].p, inputs[i].n, &f);
		nc_file_free(&f);
	}
	/* a missing file is handed over as no bytes at all */
	struct nc_file m;
	nc_parse_ifupdown(IF, NULL, 0, &m);
	EXPECT_INT(0, "missing", m.n, 0);
	nc_file_free(&m);
	nc_parse_netplan(NP "x.yaml", NULL, 0, &m);
	EXPECT_INT(0, "missing", m.n, 0);
	EXPECT_STR(0, "missing", m.stop_reason, NULL);
	nc_file_free(&m);
	nc_parse_nm_keyfile(NM "x", NULL, 0, &m);
	nc_file_free(&m);
	nc_parse_networkd(ND "x.network", NULL, 0, &m);
	nc_file_free(&m);
	nc_parse_udev_rules(UD, NULL, 0, &m);
	nc_file_free(&m);
	nc_parse_ifcfg(RH "eth0", NULL, 0, false, &m);
	nc_file_free(&m);

	/*
	 * The path layer's bound (4 MiB) of the worst lines for each parser: fast, so linear. Under
	 * AddressSanitizer 256 KiB of it, whose quarantine would otherwise take half a gigabyte.
	 */
#if defined(__SANITIZE_ADDRESS__)
	const size_t worst_size = 256u << 10;
#else
	const size_t worst_size = 4u << 20;
#endif
	static const char *const worst[] = { "iface e inet dhcp\n address 1\n", "K%d=v\n", "[g%d]\nk=v\n", "Name=x%d\n",
					     "NAME=\"x%d\", ATTR{address}==\"00:00:00:00:00:01\"\n", "    e%d: {dhcp4: true}\n" };
	for (size_t w = 0; w < ARRAY_SIZE(worst); w++) {
		struct strbuf sb = STRBUF_INIT;
		if (w == 3)
			strbuf_addstr(&sb, "[Match]\n");
		if (w == 5)
			strbuf_addstr(&sb, "network:\n  ethernets:\n");
		for (int k = 0; sb.len < worst_size; k++)
			strbuf_addf(&sb, worst[w], k);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		struct nc_file g;
		nc_parse_ifupdown(IF, sb.buf, sb.len, &g);
		nc_file_free(&g);
		nc_parse_ifcfg(RH "eth0", sb.buf, sb.len, false, &g);
		nc_file_free(&g);
		nc_parse_nm_keyfile(NM "x", sb.buf, sb.len, &g);
		nc_file_free(&g);
		nc_parse_networkd(ND "x.network", sb.buf, sb.len, &g);
		nc_file_free(&g);
		nc_parse_udev_rules(UD, sb.buf, sb.len, &g);
		nc_file_free(&g);
		nc_parse_netplan(NP "x.yaml", sb.buf, sb.len, &g);
		nc_file_free(&g);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		/* generous for slow machines; a parser quadratic in lines takes minutes here */
		if (dt > 10.0)
			fail_msg("4 MiB of '%s' took %.1f s", worst[w], dt);
		strbuf_release(&sb);
	}

	/* many definitions: bounded, and said so */
	struct strbuf big = STRBUF_INIT;
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&big, "iface e%d inet dhcp\n", i);
	struct nc_file f;
	nc_parse_ifupdown(IF, big.buf, big.len, &f);
	EXPECT_INT(0, "big", f.n, 4096);
	char *notes = test_join(&f.notes);
	assert_non_null(strstr(notes, "more than 4096 definitions"));
	free(notes);
	nc_file_free(&f);
	strbuf_release(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_ifupdown),  cmocka_unit_test(t_ifupdown_reads), cmocka_unit_test(t_ifupdown_auto),
		cmocka_unit_test(t_ifcfg),     cmocka_unit_test(t_nm_keyfile),     cmocka_unit_test(t_networkd),
		cmocka_unit_test(t_udev),      cmocka_unit_test(t_netplan),        cmocka_unit_test(t_netplan_merge),
		cmocka_unit_test(t_applies),   cmocka_unit_test(t_mac),            cmocka_unit_test(t_glob),
		cmocka_unit_test(t_cmdline),   cmocka_unit_test(t_junk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
