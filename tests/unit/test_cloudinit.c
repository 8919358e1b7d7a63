/*
 * Unit tests: cloud-init's merged configuration, ds-identify's reading of the same files, the
 * boot prediction, and the YAML graph underneath (typing, merge keys, PyYAML's refusals, bounds).
 * The expected datasource lists were checked against cloud-init 22.4's own read_conf_with_confd
 * and against ds-identify 22.4 and 24.4 sourced with DI_MAIN=noop on the same trees.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "unit.h"

#include "cloudinit.h"
#include "ydoc.h"
#include "banned.h"

#define CFG_DEBIAN                                        \
	"# cloud.cfg\n"                                   \
	"users:\n"                                        \
	"  - default\n"                                   \
	"datasource_list: [ NoCloud, ConfigDrive, OpenStack, None ]\n" \
	"system_info:\n"                                  \
	"  distro: debian\n"

#define DEBIAN_LIST "NoCloud|ConfigDrive|OpenStack|None"
#define DSI_DEFAULT "(default)"

struct cfile {
	const char *path; /* NULL ends the list */
	const char *text;
};

#define MAXF 5
struct merge_row {
	const char *what;
	const char *version;
	struct cfile files[MAXF];
	const char *cmdline;
	/* expected */
	const char *dslist;    /* names joined with '|', "(default)" for the built-in list */
	const char *dslist_at; /* "file:line" */
	const char *problem;   /* a substring of dslist.problem, or NULL for none */
	const char *dsi;       /* ds-identify's list, "(default)" for its default */
	const char *dsi_at;
	const char *dsmode;
	const char *dsmode_at;
	const char *urls;
	const char *notes; /* a substring of the notes joined, or NULL for no notes */
};

#define C(name) "/etc/cloud/cloud.cfg.d/" name

static void load(struct ci_config *c, const struct cfile *files, const char *version, const char *cmdline)
{
	ci_config_init(c);
	if (version)
		assert_true(ci_version_parse(version, &c->version));
	for (size_t i = 0; i < MAXF && files[i].path; i++)
		ci_config_add_file(c, files[i].path, files[i].text, strlen(files[i].text));
	if (cmdline)
		ci_config_set_cmdline(c, cmdline);
}

static char *joined(const struct ci_dslist *l)
{
	if (l->is_default)
		return xstrdup(DSI_DEFAULT);
	return test_join(&l->names);
}

static char *at(const struct ci_origin *o)
{
	if (!o->file)
		return NULL;
	return xasprintf("%s:%u", o->file, o->line);
}

static void t_merge(void **state)
{
	(void)state;
	static const struct merge_row rows[] = {
		{ "Ubuntu installer's 99-installer.cfg wins", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90_dpkg.cfg"), "# to update this file, run dpkg-reconfigure cloud-init\n"
					"datasource_list: [ NoCloud, ConfigDrive, OpenStack, None ]\n" },
		    { C("99-installer.cfg"), "datasource_list: [ None ]\n" } },
		  NULL, "None", C("99-installer.cfg") ":1", NULL, "None", C("99-installer.cfg") ":1", NULL, NULL, NULL,
		  NULL },
		{ "Tencent's recommended drop-in", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("99-tencent.cfg"), "datasource_list: [ ConfigDrive, TencentCloud ]\n"
					   "datasource:\n"
					   "  ConfigDrive:\n"
					   "    dsmode: local\n"
					   "  TencentCloud:\n"
					   "    metadata_urls: ['http://169.254.0.23', 'http://metadata.tencentyun.com']\n" } },
		  NULL, "ConfigDrive|TencentCloud", C("99-tencent.cfg") ":1", NULL, "ConfigDrive|TencentCloud",
		  C("99-tencent.cfg") ":1", "local", C("99-tencent.cfg") ":4",
		  "http://169.254.0.23, http://metadata.tencentyun.com", NULL },
		{ "the lexically last drop-in wins (9-c after 50-b)", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("05-a.cfg"), "datasource_list: [ ConfigDrive ]\n" },
		    { C("50-b.cfg"), "datasource_list: [ NoCloud ]\n" },
		    { C("9-c.cfg"), "datasource_list: [ Ec2 ]\n" } },
		  NULL, "Ec2", C("9-c.cfg") ":1", NULL, "Ec2", C("9-c.cfg") ":1", NULL, NULL, NULL, NULL },
		{ "mappings merge key by key across files", "22.4",
		  { { "/etc/cloud/cloud.cfg", "datasource:\n"
					      "  ConfigDrive:\n"
					      "    dsmode: net\n"
					      "  TencentCloud:\n"
					      "    metadata_urls: [ 'http://169.254.0.23' ]\n" },
		    { C("50-x.cfg"), "datasource:\n  ConfigDrive: { dsmode: local }\n" } },
		  NULL, DSI_DEFAULT, NULL, NULL, DSI_DEFAULT, NULL, "local", C("50-x.cfg") ":2", "http://169.254.0.23",
		  NULL },
		{ "nothing sets datasource_list", "22.4",
		  { { "/etc/cloud/cloud.cfg", "users: [default]\n" },
		    { C("10-x.cfg"), "datasource:\n  ConfigDrive: {dsmode: local}\n" } },
		  NULL, DSI_DEFAULT, NULL, NULL, DSI_DEFAULT, NULL, "local", C("10-x.cfg") ":2", NULL, NULL },
		{ "anchors and aliases (ds-identify reads the alias as a name)", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("50-a.cfg"), "lists:\n"
				     "  tc: &tc [ ConfigDrive, TencentCloud ]\n"
				     "base: &b { dsmode: local }\n"
				     "datasource_list: *tc\n"
				     "datasource:\n"
				     "  ConfigDrive:\n"
				     "    <<: *b\n" } },
		  NULL, "ConfigDrive|TencentCloud", C("50-a.cfg") ":4", NULL, "*tc", C("50-a.cfg") ":4", "local",
		  C("50-a.cfg") ":3", NULL, NULL },
		{ "merge keys: a list's first map wins, explicit keys win, nested merges", "22.4",
		  { { "/etc/cloud/cloud.cfg", "a: &a { dsmode: a1, x: 1 }\n"
					      "b: &b { dsmode: b1, y: 2 }\n"
					      "c: &c { <<: *a }\n"
					      "datasource:\n"
					      "  ConfigDrive:\n"
					      "    <<: [ *b, *a ]\n"
					      "  TencentCloud:\n"
					      "    <<: *c\n"
					      "    metadata_urls: [ u ]\n" } },
		  NULL, DSI_DEFAULT, NULL, NULL, DSI_DEFAULT, NULL, "b1", "/etc/cloud/cloud.cfg:2", "u", NULL },
		{ "a malformed drop-in is skipped, the others count", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("50-ok.cfg"), "datasource_list: [ ConfigDrive, None ]\n" },
		    { C("99-bad.cfg"), "datasource_list: [ None\nfoo: bar\n" } },
		  NULL, "ConfigDrive|None", C("50-ok.cfg") ":1", NULL, "None", C("99-bad.cfg") ":1", NULL, NULL, NULL,
		  C("99-bad.cfg") ":2: did not find expected ',' or ']'" },
		{ "a drop-in that is a list, not a mapping", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("50-list.cfg"), "- datasource_list\n- None\n" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, "NoCloud|ConfigDrive|OpenStack|None",
		  "/etc/cloud/cloud.cfg:4", NULL, NULL, NULL, C("50-list.cfg") ":1: the document is not a mapping" },
		{ "a comma string: cloud-init iterates characters, ds-identify splits", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-s.cfg"), "datasource_list: ConfigDrive, None\n" } },
		  NULL, "ConfigDrive|None", C("90-s.cfg") ":1", "a string, not a list", "ConfigDrive|None",
		  C("90-s.cfg") ":1", NULL, NULL, NULL, NULL },
		{ "a block sequence: ds-identify cannot read it", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-b.cfg"), "datasource_list:\n  - ConfigDrive\n  - None\n" } },
		  NULL, "ConfigDrive|None", C("90-b.cfg") ":1", NULL, DSI_DEFAULT, NULL, NULL, NULL, NULL,
		  "ds-identify cannot read this datasource_list" },
		{ "CRLF: ds-identify 22.4 keeps the carriage return", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-w.cfg"), "datasource_list: [ ConfigDrive, None ]\r\ndatasource:\r\n  ConfigDrive:\r\n"
				     "    dsmode: local\r\n" } },
		  NULL, "ConfigDrive|None", C("90-w.cfg") ":1", NULL, "ConfigDrive|None|]\r", C("90-w.cfg") ":1",
		  "local", C("90-w.cfg") ":4", NULL, NULL },
		{ "CRLF: ds-identify 24.4 trims it", "24.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-w.cfg"), "datasource_list: [ ConfigDrive, None ]\r\n" } },
		  NULL, "ConfigDrive|None", C("90-w.cfg") ":1", NULL, "ConfigDrive|None", C("90-w.cfg") ":1", NULL, NULL,
		  NULL, NULL },
		{ "no final newline: ds-identify 22.4's read loop never sees the line", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-n.cfg"), "datasource_list: [ ConfigDrive ]" } },
		  NULL, "ConfigDrive", C("90-n.cfg") ":1", NULL, "NoCloud|ConfigDrive|OpenStack|None",
		  "/etc/cloud/cloud.cfg:4", NULL, NULL, NULL, NULL },
		{ "no final newline: ds-identify 24.4's grep sees it", "24.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-n.cfg"), "datasource_list: [ ConfigDrive ]" } },
		  NULL, "ConfigDrive", C("90-n.cfg") ":1", NULL, "ConfigDrive", C("90-n.cfg") ":1", NULL, NULL, NULL,
		  NULL },
		{ "a trailing comment: ds-identify 22.4 reads ']' as a name", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-c.cfg"), "datasource_list: [ ConfigDrive, None ] # for tencent\n" } },
		  NULL, "ConfigDrive|None", C("90-c.cfg") ":1", NULL, "ConfigDrive|None|]", C("90-c.cfg") ":1", NULL,
		  NULL, NULL, NULL },
		{ "a trailing comment: ds-identify 24.4", "24.4.1-0ubuntu0~22.04.1",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-c.cfg"), "datasource_list: [ ConfigDrive, None ] # for tencent\n" } },
		  NULL, "ConfigDrive|None", C("90-c.cfg") ":1", NULL, "ConfigDrive|None", C("90-c.cfg") ":1", NULL, NULL,
		  NULL, NULL },
		{ "a duplicate key: the last one wins", "22.4",
		  { { "/etc/cloud/cloud.cfg", "datasource_list: [ ConfigDrive ]\ndatasource_list: [ NoCloud, None ]\n" } },
		  NULL, "NoCloud|None", "/etc/cloud/cloud.cfg:2", NULL, "NoCloud|None", "/etc/cloud/cloud.cfg:2", NULL,
		  NULL, NULL, NULL },
		{ "empty and comment-only drop-ins", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("50-empty.cfg"), "" }, { C("60-comments.cfg"), "# nothing\n\n" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, NULL,
		  NULL, NULL },
		{ "two documents: cloud-init refuses the file, ds-identify does not", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-d.cfg"), "datasource_list: [ None ]\n---\nfoo: 1\n" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, "None", C("90-d.cfg") ":1", NULL, NULL, NULL,
		  C("90-d.cfg") ":2: expected a single document" },
		{ "a python tag: safe_load refuses the file", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-t.cfg"), "datasource_list: [ None ]\nx: !!python/object:os.system [ 'true' ]\n" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, "None", C("90-t.cfg") ":1", NULL, NULL, NULL,
		  C("90-t.cfg") ":2: could not determine a constructor" },
		{ "a list above a mapping: the mapping below replaces it", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("50-d.cfg"), "datasource:\n  ConfigDrive:\n    dsmode: local\n" },
		    { C("99-l.cfg"), "datasource: [ oops ]\n" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", "local",
		  C("50-d.cfg") ":3", NULL, NULL },
		{ "a string above a mapping: the mapping below replaces it too", "22.4",
		  { { "/etc/cloud/cloud.cfg", "datasource:\n  ConfigDrive:\n    dsmode: local\n" },
		    { C("01-x.cfg"), "{datasource: {ConfigDrive: s}}\n" } },
		  NULL, DSI_DEFAULT, NULL, NULL, DSI_DEFAULT, NULL, "local", "/etc/cloud/cloud.cfg:3", NULL, NULL },
		{ "a number above a mapping stays", "22.4",
		  { { "/etc/cloud/cloud.cfg", "datasource:\n  ConfigDrive:\n    dsmode: local\n" },
		    { C("01-x.cfg"), "{datasource: {ConfigDrive: 5}}\n" } },
		  NULL, DSI_DEFAULT, NULL, NULL, DSI_DEFAULT, NULL, NULL, NULL, NULL, NULL },
		{ "an empty datasource_list", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-null.cfg"), "datasource_list:\n" } },
		  NULL, "", C("90-null.cfg") ":1", "is not a list", DSI_DEFAULT, NULL, NULL, NULL, NULL,
		  "ds-identify cannot read" },
		{ "cyclic aliases do not hang", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-cy.cfg"), "loop: &l [ *l ]\nm: &m { self: *m, <<: *m }\ndatasource_list: [ ConfigDrive, None ]\n" } },
		  NULL, "ConfigDrive|None", C("90-cy.cfg") ":3", NULL, "ConfigDrive|None", C("90-cy.cfg") ":3", NULL, NULL,
		  NULL, NULL },
		{ "quoted names", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-q.cfg"), "datasource_list: [ 'ConfigDrive', \"None\" ]\n" } },
		  NULL, "ConfigDrive|None", C("90-q.cfg") ":1", NULL, "ConfigDrive|None", C("90-q.cfg") ":1", NULL, NULL,
		  NULL, NULL },
		{ "a nested datasource_list: only ds-identify takes it", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-nest.cfg"), "somewhere:\n  datasource_list: [ None ]\n" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, "None", C("90-nest.cfg") ":2", NULL, NULL, NULL,
		  NULL },
		{ "a dotfile: only cloud-init reads it", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C(".hidden.cfg"), "datasource_list: [ None ]\n" } },
		  NULL, "None", C(".hidden.cfg") ":1", NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, NULL, NULL, NULL },
		{ "a tab after the colon: PyYAML refuses the file, ds-identify 22.4 ignores the line", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-tab.cfg"), "datasource_list:\t[ None ]\n" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, NULL,
		  NULL, C("90-tab.cfg") ":1: found character '\\t'" },
		{ "a tab after the colon: ds-identify 24.4 takes the line", "24.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-tab.cfg"), "datasource_list:\t[ None ]\n" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, "None", C("90-tab.cfg") ":1", NULL, NULL, NULL,
		  C("90-tab.cfg") ":1: found character '\\t'" },
		{ "entries that are not names", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-ns.cfg"), "datasource_list: [ ConfigDrive, ~, 42 ]\n" } },
		  NULL, "ConfigDrive", C("90-ns.cfg") ":1", "entry '~' (line 1) is not a datasource name",
		  "ConfigDrive|~|42", C("90-ns.cfg") ":1", NULL, NULL, NULL, NULL },
		{ "a mapping: cloud-init takes its keys", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-m.cfg"), "datasource_list: { ConfigDrive: 1, None: 2 }\n" } },
		  NULL, "ConfigDrive|None", C("90-m.cfg") ":1", "a mapping", "{|ConfigDrive:|1|None:|2|}",
		  C("90-m.cfg") ":1", NULL, NULL, NULL, NULL },
		{ "a mapping: ds-identify 24.4 reads what follows the last colon", "24.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-m.cfg"), "datasource_list: { ConfigDrive: 1, None: 2 }\n" } },
		  NULL, "ConfigDrive|None", C("90-m.cfg") ":1", "a mapping", "2|}", C("90-m.cfg") ":1", NULL, NULL, NULL,
		  NULL },
		{ "a backslash: the shell's read joins the lines", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-bs.cfg"), "datasource_list: [ Config\\\nDrive ]\n" } },
		  NULL, "Config\\ Drive", C("90-bs.cfg") ":1", NULL, "ConfigDrive", C("90-bs.cfg") ":1", NULL, NULL, NULL,
		  NULL },
		{ "the kernel command line's cc: wins over every file", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("99-installer.cfg"), "datasource_list: [ None ]\n" } },
		  "ro quiet cc: datasource_list: [ ConfigDrive, None ] end_cc", "ConfigDrive|None",
		  "kernel command line:1", NULL, "ConfigDrive|None", "kernel command line:0", NULL, NULL, NULL, NULL },
		{ "no cloud.cfg at all", "22.4", { { C("99-tencent.cfg"), "datasource_list: [ ConfigDrive ]\n" } }, NULL,
		  "ConfigDrive", C("99-tencent.cfg") ":1", NULL, "ConfigDrive", C("99-tencent.cfg") ":1", NULL, NULL,
		  NULL, NULL },
		{ "invalid UTF-8 and UTF-16", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("80-latin1.cfg"), "datasource_list: [ None ]\n# caf\xe9\n" },
		    { C("81-utf16.cfg"), "\xff\xfe" "d\0s\0" } },
		  NULL, DEBIAN_LIST, "/etc/cloud/cloud.cfg:4", NULL, "None", C("80-latin1.cfg") ":1", NULL, NULL, NULL,
		  C("80-latin1.cfg") ":2: incomplete UTF-8 octet sequence" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct merge_row *r = &rows[i];
		struct ci_config c;
		struct ci_eval e;
		load(&c, r->files, r->version, r->cmdline);
		assert_int_equal(ci_evaluate(&c, &e), 0);
		char *got = joined(&e.dslist);
		EXPECT_STR(i, r->what, got, r->dslist);
		free(got);
		got = at(&e.dslist.at);
		EXPECT_STR(i, r->what, got, r->dslist_at);
		free(got);
		if (r->problem) {
			if (!e.dslist.problem || !strstr(e.dslist.problem, r->problem))
				fail_msg("row %zu (%s): problem '%s' lacks '%s'", i, r->what,
					 e.dslist.problem ? e.dslist.problem : "(null)", r->problem);
		} else {
			EXPECT_STR(i, r->what, e.dslist.problem, NULL);
		}
		got = joined(&e.dsi_dslist);
		EXPECT_STR(i, r->what, got, r->dsi);
		free(got);
		got = at(&e.dsi_dslist.at);
		EXPECT_STR(i, r->what, got, r->dsi_at);
		free(got);
		EXPECT_STR(i, r->what, e.configdrive_dsmode.value, r->dsmode);
		got = at(&e.configdrive_dsmode.at);
		EXPECT_STR(i, r->what, got, r->dsmode_at);
		free(got);
		EXPECT_STR(i, r->what, e.tencent_metadata_urls.value, r->urls);
		char *notes = test_join(&e.notes);
		if (r->notes ? !strstr(notes, r->notes) : e.notes.n != 0)
			fail_msg("row %zu (%s): notes '%s', want '%s'", i, r->what, notes, r->notes ? r->notes : "");
		free(notes);
		ci_eval_free(&e);
		ci_config_free(&c);
	}
}

/* ---- ds-identify.cfg, the command line, the policy ---- */

struct policy_row {
	const char *what, *version, *dsi_cfg, *cmdline;
	enum ci_mode mode;
	bool notfound_enabled, maybe_all;
	const char *dsname, *dsname_at, *policy_at;
	enum ci_switch sw;
	const char *cmdline_ds;
};

static void t_policy(void **state)
{
	(void)state;
	static const struct policy_row rows[] = {
		{ "defaults", "22.4", NULL, "ro quiet", CI_MODE_SEARCH, false, true, NULL, NULL, NULL, CI_SWITCH_UNSET, NULL },
		{ "maybe=none is the default since 25.2", "25.2", NULL, NULL, CI_MODE_SEARCH, false, false, NULL, NULL, NULL,
		  CI_SWITCH_UNSET, NULL },
		{ "policy: enabled", "22.4", "policy: enabled\n", NULL, CI_MODE_ENABLED, false, true, NULL, NULL,
		  "/etc/cloud/ds-identify.cfg:1", CI_SWITCH_UNSET, NULL },
		{ "a full policy", "22.4", "# comment\npolicy: search,found=all,maybe=none,notfound=enabled\n", NULL,
		  CI_MODE_SEARCH, true, false, NULL, NULL, "/etc/cloud/ds-identify.cfg:2", CI_SWITCH_UNSET, NULL },
		{ "a quoted datasource with a comment", "22.4", "datasource: 'ConfigDrive'  # x\n", NULL, CI_MODE_SEARCH,
		  false, true, "ConfigDrive", "/etc/cloud/ds-identify.cfg:1", NULL, CI_SWITCH_UNSET, NULL },
		{ "the command line's policy wins; a bad notfound keeps the default", "22.4",
		  "policy: search,notfound=bogus\n", "ci.di.policy=disabled", CI_MODE_DISABLED, false, true, NULL, NULL,
		  "kernel command line:0", CI_SWITCH_UNSET, NULL },
		{ "ds= is read since 23.2, cut at ';' since 23.3; the last one wins", "24.4", NULL,
		  "ro ci.ds=ConfigDrive ds=nocloud;s=http://x/", CI_MODE_SEARCH, false, true, "nocloud",
		  "kernel command line:0", NULL, CI_SWITCH_UNSET, "nocloud" },
		{ "22.4 reads ci.ds= and ci.datasource= only, uncut", "22.4", NULL, "ds=nocloud ci.datasource=OpenStack;x",
		  CI_MODE_SEARCH, false, true, "OpenStack;x", "kernel command line:0", NULL, CI_SWITCH_UNSET, NULL },
		{ "a bare 'ds' names the datasource 'ds' (shell quirk)", "24.4", NULL, "ci.datasource=OpenStack ds",
		  CI_MODE_SEARCH, false, true, "ds", "kernel command line:0", NULL, CI_SWITCH_UNSET, "OpenStack" },
		{ "a last line without a newline is not read", "22.4", "policy: enabled", NULL, CI_MODE_SEARCH, false, true,
		  NULL, NULL, NULL, CI_SWITCH_UNSET, NULL },
		{ "cloud-init=disabled, generator of 22.4", "22.4", NULL, "ro cloud-init=disabled quiet", CI_MODE_SEARCH,
		  false, true, NULL, NULL, NULL, CI_SWITCH_DISABLED, NULL },
		{ "the last cloud-init= wins in 22.4", "22.4", NULL, "cloud-init=disabled cloud-init=enabled",
		  CI_MODE_SEARCH, false, true, NULL, NULL, NULL, CI_SWITCH_ENABLED, NULL },
		{ "since 23.4 any cloud-init=disabled disables", "23.4.4", NULL, "cloud-init=disabled cloud-init=enabled",
		  CI_MODE_SEARCH, false, true, NULL, NULL, NULL, CI_SWITCH_DISABLED, NULL },
		{ "a non-x86 default before 25.2: notfound=enabled", "22.4", NULL, NULL, CI_MODE_SEARCH, true, true, NULL,
		  NULL, NULL, CI_SWITCH_UNSET, NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct policy_row *r = &rows[i];
		struct ci_config c;
		struct ci_eval e;
		static const struct cfile none[MAXF] = { { NULL, NULL } };
		load(&c, none, r->version, r->cmdline);
		c.no_dmi_arch = strstr(r->what, "non-x86") != NULL;
		if (r->dsi_cfg)
			ci_config_set_dsidentify(&c, "/etc/cloud/ds-identify.cfg", r->dsi_cfg, strlen(r->dsi_cfg));
		assert_int_equal(ci_evaluate(&c, &e), 0);
		EXPECT_INT(i, r->what, e.policy.mode, r->mode);
		EXPECT_INT(i, r->what, e.policy.notfound_enabled, r->notfound_enabled);
		EXPECT_INT(i, r->what, e.policy.maybe_all, r->maybe_all);
		EXPECT_STR(i, r->what, e.dsi_dsname, r->dsname);
		char *got = at(&e.dsi_dsname_at);
		EXPECT_STR(i, r->what, got, r->dsname_at);
		free(got);
		got = at(&e.policy.at);
		EXPECT_STR(i, r->what, got, r->policy_at);
		free(got);
		EXPECT_INT(i, r->what, e.cmdline_switch, r->sw);
		EXPECT_STR(i, r->what, e.cmdline_ds, r->cmdline_ds);
		ci_eval_free(&e);
		ci_config_free(&c);
	}
}

/* ---- the first boot on CVM ---- */

struct boot_row {
	const char *what, *version;
	struct cfile files[MAXF];
	const char *cmdline, *dsi_cfg;
	struct ci_boot_env env;
	bool enabled;
	enum ci_boot_why why;
	bool skipped;
	const char *dslist;
	bool reaches;
};

#define TENCENT_CFG C("99-tencent.cfg"), "datasource_list: [ ConfigDrive, TencentCloud ]\n"
/* env: marker_enabled, marker_disabled, has_ds_identify, config_drive_visible, seed, manual_clean */
#define VISIBLE { false, false, true, true, false, false }
#define HIDDEN { false, false, true, false, false, false }

static void t_boot(void **state)
{
	(void)state;
	static const struct boot_row rows[] = {
		{ "Tencent's list, config drive visible", "22.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } },
		  NULL, NULL, VISIBLE, true, CI_WHY_FOUND, false, "ConfigDrive|None", true },
		{ "Tencent's list, no CD-ROM driver in the initramfs: disabled for the boot", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } }, NULL, NULL, HIDDEN, false,
		  CI_WHY_NOTFOUND_DISABLED, false, "", false },
		{ "a single-entry list skips detection", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("99-cd.cfg"), "datasource_list: [ ConfigDrive ]\n" } },
		  NULL, NULL, HIDDEN, true, CI_WHY_SINGLE, true, "ConfigDrive|None", true },
		{ "[ X, None ] counts as single", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("99-cd.cfg"), "datasource_list: [ ConfigDrive, None ]\n" } },
		  NULL, NULL, HIDDEN, true, CI_WHY_SINGLE, true, "ConfigDrive|None", true },
		{ "the installer's [ None ]: enabled but reaches nothing", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("99-installer.cfg"), "datasource_list: [ None ]\n" } },
		  NULL, NULL, VISIBLE, true, CI_WHY_SINGLE, true, "None", false },
		{ "policy: enabled keeps cloud-init on with its own list", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } }, NULL, "policy: enabled\n", HIDDEN, true,
		  CI_WHY_POLICY_ENABLED, true, "ConfigDrive|TencentCloud", true },
		{ "notfound=enabled keeps cloud-init on", "22.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } },
		  NULL, "policy: search,found=all,maybe=all,notfound=enabled\n", HIDDEN, true, CI_WHY_NOTFOUND_ENABLED,
		  false, "ConfigDrive|TencentCloud", true },
		{ "cloud-init=disabled", "22.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } },
		  "ro cloud-init=disabled", NULL, VISIBLE, false, CI_WHY_CMDLINE_DISABLED, true, "", false },
		{ "the disabled marker", "22.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } }, NULL, NULL,
		  { false, true, true, true, false, false }, false, CI_WHY_MARKER_DISABLED, true, "", false },
		{ "22.4: cloud-init=enabled overrides the disabled marker", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } }, "cloud-init=enabled", NULL,
		  { false, true, true, true, false, false }, true, CI_WHY_FOUND, false, "ConfigDrive|None", true },
		{ "24.4: the disabled marker wins", "24.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } },
		  "cloud-init=enabled", NULL, { false, true, true, true, false, false }, false, CI_WHY_MARKER_DISABLED, true,
		  "", false },
		{ "a datasource on the command line", "22.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN } },
		  "ci.ds=ConfigDrive", NULL, HIDDEN, true, CI_WHY_DSNAME, true, "ConfigDrive|None", true },
		{ "the policy disables cloud-init", "22.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } },
		  NULL, "policy: disabled\n", VISIBLE, false, CI_WHY_POLICY_DISABLED, true, "", false },
		{ "no ds-identify: cloud-init's own list", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-s.cfg"), "datasource_list: ConfigDrive, None\n" } },
		  NULL, NULL, { false, false, false, false, false, false }, true, CI_WHY_NO_DS_IDENTIFY, true, "", false },
		{ "no ds-identify with a 24.4 generator: nothing starts cloud-init", "24.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } }, NULL, NULL,
		  { false, false, false, true, false, false }, false, CI_WHY_GENERATOR_FAILS, true, "", false },
		{ "a comma string works through ds-identify", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("90-s.cfg"), "datasource_list: ConfigDrive, None\n" } },
		  NULL, NULL, HIDDEN, true, CI_WHY_SINGLE, true, "ConfigDrive|None", true },
		{ "an alias: ds-identify writes [ *ds, None ], cloud-init cannot load it and keeps its list", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("50-a.cfg"), "ds: &ds [ ConfigDrive, Ec2 ]\ndatasource_list: *ds\n" } },
		  NULL, NULL, HIDDEN, true, CI_WHY_SINGLE_UNREADABLE, true, "ConfigDrive|Ec2", true },
		{ "a leftover seed directory counts as found", "22.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } },
		  NULL, NULL, { false, false, true, false, true, false }, true, CI_WHY_FOUND, false, "ConfigDrive|None", true },
		{ "block list: ds-identify searches its default list", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN },
		    { C("90-b.cfg"), "datasource_list:\n  - ConfigDrive\n  - TencentCloud\n" } },
		  NULL, NULL, VISIBLE, true, CI_WHY_FOUND, false, "ConfigDrive|None", true },
		{ "manual_cache_clean", "22.4", { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { TENCENT_CFG } }, NULL, NULL,
		  { false, false, true, false, false, true }, true, CI_WHY_MANUAL_CLEAN, true, "ConfigDrive|TencentCloud",
		  true },
		{ "report mode: ds-identify's result is not read", "22.4",
		  { { "/etc/cloud/cloud.cfg", CFG_DEBIAN }, { C("99-installer.cfg"), "datasource_list: [ None ]\n" } },
		  NULL, "policy: report\n", VISIBLE, true, CI_WHY_POLICY_REPORT, true, "None", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct boot_row *r = &rows[i];
		struct ci_config c;
		struct ci_eval e;
		struct ci_boot b;
		load(&c, r->files, r->version, r->cmdline);
		if (r->dsi_cfg)
			ci_config_set_dsidentify(&c, "/etc/cloud/ds-identify.cfg", r->dsi_cfg, strlen(r->dsi_cfg));
		assert_int_equal(ci_evaluate(&c, &e), 0);
		ci_boot_predict(&c, &e, &r->env, &b);
		EXPECT_INT(i, r->what, b.enabled, r->enabled);
		EXPECT_STR(i, r->what, ci_boot_why_text(b.why), ci_boot_why_text(r->why));
		EXPECT_INT(i, r->what, b.detection_skipped, r->skipped);
		EXPECT_LIST(i, r->what, &b.dslist, r->dslist);
		EXPECT_INT(i, r->what, b.reaches_config_drive, r->reaches);
		ci_boot_free(&b);
		ci_eval_free(&e);
		ci_config_free(&c);
	}
}

static void t_default_lists(void **state)
{
	(void)state;
	static const struct {
		const char *version;
		const char *py_last3, *dsi_last3;
	} rows[] = {
		{ "22.4", "VMware|NWCS|None", "VMware|LXD|NWCS" },
		{ "23.3", "NWCS|Akamai|None", "LXD|NWCS|Akamai" },
		{ "24.4", "WSL|CloudCIX|None", "Akamai|WSL|CloudCIX" },
		{ "26.1", "WSL|CloudCIX|None", "Akamai|WSL|CloudCIX" },
		{ "20.1", "VMware|NWCS|None", "VMware|LXD|NWCS" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ci_config c;
		struct ci_eval e;
		static const struct cfile none[MAXF] = { { NULL, NULL } };
		load(&c, none, rows[i].version, NULL);
		assert_int_equal(ci_evaluate(&c, &e), 0);
		assert_true(e.dslist.is_default && e.dsi_dslist.is_default);
		assert_true(e.dslist.names.n > 3 && e.dsi_dslist.names.n > 3);
		char *p = xasprintf("%s|%s|%s", e.dslist.names.v[e.dslist.names.n - 3], e.dslist.names.v[e.dslist.names.n - 2],
				    e.dslist.names.v[e.dslist.names.n - 1]);
		char *d = xasprintf("%s|%s|%s", e.dsi_dslist.names.v[e.dsi_dslist.names.n - 3],
				    e.dsi_dslist.names.v[e.dsi_dslist.names.n - 2], e.dsi_dslist.names.v[e.dsi_dslist.names.n - 1]);
		EXPECT_STR(i, rows[i].version, p, rows[i].py_last3);
		EXPECT_STR(i, rows[i].version, d, rows[i].dsi_last3);
		EXPECT_INT(i, rows[i].version, ci_list_reaches_config_drive(&e.dslist.names), true);
		EXPECT_INT(i, rows[i].version, ci_list_is_single(&e.dsi_dslist.names), false);
		free(p);
		free(d);
		ci_eval_free(&e);
		ci_config_free(&c);
	}
}

static void t_list_rules(void **state)
{
	(void)state;
	static const struct {
		const char *list;
		bool single, reaches;
	} rows[] = {
		{ "None", true, false },
		{ "ConfigDrive", true, true },
		{ "ConfigDrive,None", true, true },
		{ "None,ConfigDrive", false, true },
		{ "ConfigDrive,TencentCloud", false, true },
		{ "TencentCloud", true, true },
		{ "NoCloud,OpenStack,None", false, false },
		{ "", false, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct strvec sv = STRVEC_INIT;
		str_split(&sv, rows[i].list, ",");
		EXPECT_INT(i, rows[i].list, ci_list_is_single(&sv), rows[i].single);
		EXPECT_INT(i, rows[i].list, ci_list_reaches_config_drive(&sv), rows[i].reaches);
		strvec_clear(&sv);
	}
}

/* ---- conf_d, versions, cc: ---- */

static void t_conf_d(void **state)
{
	(void)state;
	static const struct {
		const char *cfg, *want;
	} rows[] = {
		{ NULL, "/etc/cloud/cloud.cfg.d" },
		{ "users: [default]\n", "/etc/cloud/cloud.cfg.d" },
		{ "conf_d: /etc/cloud/other.d \n", "/etc/cloud/other.d" },
		{ "conf_d: ''\n", NULL },
		{ "conf_d:\n", NULL },
		{ "conf_d: [ a ]\n", NULL },
		{ "conf_d: [ broken\n", "/etc/cloud/cloud.cfg.d" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ci_config c;
		ci_config_init(&c);
		if (rows[i].cfg)
			ci_config_add_file(&c, "/etc/cloud/cloud.cfg", rows[i].cfg, strlen(rows[i].cfg));
		char *got = ci_conf_d(&c);
		EXPECT_STR(i, rows[i].cfg ? rows[i].cfg : "(none)", got, rows[i].want);
		free(got);
		ci_config_free(&c);
	}
	/* a file handed over without bytes reads as empty, as cloud-init reads an empty file */
	struct ci_config c;
	struct ci_eval e;
	ci_config_init(&c);
	ci_config_add_file(&c, "/etc/cloud/cloud.cfg", NULL, 0);
	assert_int_equal(ci_evaluate(&c, &e), 0);
	assert_true(e.dslist.is_default);
	EXPECT_INT(0, "null", e.notes.n, 0);
	ci_eval_free(&e);
	ci_config_free(&c);
	EXPECT_INT(0, "confd", ci_confd_wanted("90_dpkg.cfg"), true);
	EXPECT_INT(0, "confd", ci_confd_wanted("README"), false);
	EXPECT_INT(0, "confd", ci_confd_wanted("x.cfg.dpkg-old"), false);
}

static void t_version(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		int major, minor, patch;
	} rows[] = {
		{ "22.4.2-1+deb12u1", true, 22, 4, 2 },
		{ "23.4-7.el9_4.5", true, 23, 4, 0 },
		{ "20.1.0011", true, 20, 1, 11 },
		{ "24.4.1-0ubuntu0~22.04.1", true, 24, 4, 1 },
		{ "1:22.4-1", true, 22, 4, 0 },
		{ "22", false, 0, 0, 0 },
		{ "", false, 0, 0, 0 },
		{ "abc", false, 0, 0, 0 },
		{ "99999999999999.1", true, 100000, 1, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ci_version v;
		EXPECT_INT(i, rows[i].in, ci_version_parse(rows[i].in, &v), rows[i].ok);
		EXPECT_INT(i, rows[i].in, v.major, rows[i].major);
		EXPECT_INT(i, rows[i].in, v.minor, rows[i].minor);
		EXPECT_INT(i, rows[i].in, v.patch, rows[i].patch);
	}
}

static void t_cmdline_cc(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "ro quiet", NULL },
		{ "cc: a: 1 end_cc", "a: 1 " },
		{ "x cc:ssh: [a] end_cc cc:runcmd: [ls] end_cc", "ssh: [a] \nruncmd: [ls] " },
		{ "cc: datasource_list: %5BConfigDrive%5D", "datasource_list: [ConfigDrive]" },
		{ "cc: a: 1\\nb: 2 end_cc", "a: 1\nb: 2 " },
		{ "cc: bad %zz %4", "bad %zz %4" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = ci_cmdline_cc(rows[i].in);
		EXPECT_STR(i, rows[i].in, got, rows[i].want);
		free(got);
	}
}

/* ---- the YAML graph ---- */

static void t_scalar_types(void **state)
{
	(void)state;
	/* checked against PyYAML 6.0's SafeLoader */
	static const struct {
		const char *yaml;
		enum yscalar_type type;
		int boolean;
	} rows[] = {
		{ "k: ", YS_NULL, -1 },         { "k: ~", YS_NULL, -1 },        { "k: Null", YS_NULL, -1 },
		{ "k: nULL", YS_STR, -1 },      { "k: yes", YS_BOOL, 1 },       { "k: YES", YS_BOOL, 1 },
		{ "k: yEs", YS_STR, -1 },       { "k: y", YS_STR, -1 },         { "k: Off", YS_BOOL, 0 },
		{ "k: 0", YS_INT, -1 },         { "k: -0", YS_INT, -1 },        { "k: 012", YS_INT, -1 },
		{ "k: 09", YS_STR, -1 },        { "k: 0o12", YS_STR, -1 },      { "k: 0x1F", YS_INT, -1 },
		{ "k: 0b101", YS_INT, -1 },     { "k: 1_000", YS_INT, -1 },     { "k: 190:20:30", YS_INT, -1 },
		{ "k: 3:60", YS_STR, -1 },      { "k: 1e3", YS_STR, -1 },       { "k: 1.0e3", YS_STR, -1 },
		{ "k: 1.0e+3", YS_FLOAT, -1 },  { "k: .5", YS_FLOAT, -1 },      { "k: -.5", YS_STR, -1 },
		{ "k: +.inf", YS_FLOAT, -1 },   { "k: .NaN", YS_FLOAT, -1 },    { "k: -.nan", YS_STR, -1 },
		{ "k: 1.", YS_FLOAT, -1 },      { "k: 2001-12-14", YS_OTHER, -1 }, { "k: 2001-1-1x", YS_STR, -1 },
		{ "k: 2001-1-1 1:02:03", YS_OTHER, -1 }, { "k: None", YS_STR, -1 }, { "k: 'yes'", YS_STR, -1 },
		{ "k: !!str yes", YS_STR, -1 }, { "k: !!bool yes", YS_BOOL, 1 }, { "k: ! 12", YS_STR, -1 },
		{ "k: \"\"", YS_STR, -1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ydoc d;
		struct yerr err;
		assert_int_equal(ydoc_load(rows[i].yaml, strlen(rows[i].yaml), &d, &err), 0);
		size_t v = 0;
		assert_int_equal(ymap_lookup(&d, d.root, "k", NULL, &v), 1);
		EXPECT_INT(i, rows[i].yaml, ynode_scalar_type(ydoc_node(&d, v)), rows[i].type);
		EXPECT_INT(i, rows[i].yaml, ynode_bool11(ydoc_node(&d, v)), rows[i].boolean);
		ydoc_free(&d);
		yerr_free(&err);
	}
}

static void t_load_errors(void **state)
{
	(void)state;
	static const struct {
		const char *yaml;
		int load;           /* ydoc_load's result */
		const char *err;    /* substring */
		unsigned line;
		int safe;           /* ydoc_check_safe_load's result when loaded */
		int tabs;           /* ydoc_check_pyyaml_text's result */
	} rows[] = {
		{ "a: 1\n", 0, NULL, 0, 0, 0 },
		{ "", 0, NULL, 0, 0, 0 },
		{ "a: [1, 2\n", -EINVAL, "did not find expected", 2, 0, 0 },
		{ "a: 1\n---\nb: 2\n", -EINVAL, "single document", 2, 0, 0 },
		{ "a: *nope\n", -EINVAL, "undefined alias", 1, 0, 0 },
		{ "a: &x 1\nb: &x 2\n", -EINVAL, "duplicate anchor", 2, 0, 0 },
		{ "a: &x [ *x ]\n", 0, NULL, 0, 0, 0 },
		{ "? [a]\n: 1\n", 0, NULL, 0, -EINVAL, 0 },
		{ "a: 1\n<<: 5\n", 0, NULL, 0, -EINVAL, 0 },
		{ "a: !!int abc\n", 0, NULL, 0, -EINVAL, 0 },
		{ "a: !custom x\n", 0, NULL, 0, -EINVAL, 0 },
		{ "a: !!set { x, y }\n", 0, NULL, 0, 0, 0 },
		{ "a: \"b\tc\"\n", 0, NULL, 0, 0, 0 },
		{ "a: |\n  x\ty\n", 0, NULL, 0, 0, 0 },
		{ "#\tcomment\na: b # c\td\n", 0, NULL, 0, 0, 0 },
		{ "a: b\tc\n", 0, NULL, 0, 0, -EINVAL },
		{ "a: b\t# c\n", 0, NULL, 0, 0, -EINVAL },
		{ "a: [ \"x\",\t\"y\" ]\n", 0, NULL, 0, 0, -EINVAL },
		{ "a: 1\n  \t\nb: 2\n", 0, NULL, 0, 0, -EINVAL },
		{ "a: x\xc3\xa9\ty\n", 0, NULL, 0, 0, -EINVAL },
		{ "a: \x01\n", -EINVAL, "control characters", 1, 0, 0 },
		{ "a: caf\xe9\n", -EINVAL, "UTF-8", 1, 0, 0 },
		{ "\xef\xbb\xbf" "a: 1\n", 0, NULL, 0, 0, 0 },
		{ "u: [http://x/?a=b]\n", 0, NULL, 0, 0, -EINVAL },
		{ "u: ['http://x/?a=b']\nv: a?b\n", 0, NULL, 0, 0, 0 },
		{ "a: <<\n", 0, NULL, 0, -EINVAL, 0 },
		{ "a: [=]\n=: 1\n", 0, NULL, 0, -EINVAL, 0 },
		{ "=: 1\n", 0, NULL, 0, 0, 0 },
		{ "j: >\t\n  x\n", 0, NULL, 0, 0, -EINVAL },
		{ "j: > #\tc\n  x\n", 0, NULL, 0, 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ydoc d;
		struct yerr err;
		int r = ydoc_load(rows[i].yaml, strlen(rows[i].yaml), &d, &err);
		EXPECT_INT(i, rows[i].yaml, r, rows[i].load);
		if (rows[i].err) {
			if (!err.msg || !strstr(err.msg, rows[i].err))
				fail_msg("row %zu: error '%s' lacks '%s'", i, err.msg ? err.msg : "(null)", rows[i].err);
			EXPECT_INT(i, rows[i].yaml, err.line, rows[i].line);
		}
		yerr_free(&err);
		if (r == 0) {
			EXPECT_INT(i, rows[i].yaml, ydoc_check_safe_load(&d, &err), rows[i].safe);
			yerr_free(&err);
			EXPECT_INT(i, rows[i].yaml, ydoc_check_pyyaml_text(rows[i].yaml, strlen(rows[i].yaml), &err),
				   rows[i].tabs);
			yerr_free(&err);
		}
		ydoc_free(&d);
	}
}

static void t_merge_keys(void **state)
{
	(void)state;
	const char *y = "a: &a { k: a, only_a: 1 }\n"
			"b: &b { k: b }\n"
			"m1: { <<: [ *a, *b ] }\n"
			"m2: { <<: [ *b, *a ] }\n"
			"m3: { <<: *a, k: own }\n"
			"m4: { <<: *a, <<: *b }\n"
			"m5: { k: 1, k: 2 }\n";
	static const struct {
		const char *map, *key, *want;
	} rows[] = {
		{ "m1", "k", "a" }, { "m2", "k", "b" }, { "m3", "k", "own" }, { "m4", "k", "b" },
		{ "m1", "only_a", "1" }, { "m5", "k", "2" }, { "m3", "none", NULL },
	};
	struct ydoc d;
	struct yerr err;
	assert_int_equal(ydoc_load(y, strlen(y), &d, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		size_t m = 0, v = 0;
		assert_int_equal(ymap_lookup(&d, d.root, rows[i].map, NULL, &m), 1);
		int r = ymap_lookup(&d, m, rows[i].key, NULL, &v);
		EXPECT_INT(i, rows[i].key, r, rows[i].want ? 1 : 0);
		EXPECT_STR(i, rows[i].key, v ? ydoc_node(&d, v)->str : NULL, rows[i].want);
	}
	/* the dict PyYAML builds: first position, last value */
	size_t m3 = 0;
	assert_int_equal(ymap_lookup(&d, d.root, "m3", NULL, &m3), 1);
	struct ypair *p = NULL;
	size_t n = 0;
	assert_int_equal(ymap_pairs(&d, m3, &p, &n), 0);
	assert_int_equal(n, 2);
	EXPECT_STR(0, "pairs", ydoc_node(&d, p[0].key)->str, "k");
	EXPECT_STR(0, "pairs", ydoc_node(&d, p[0].val)->str, "own");
	EXPECT_STR(1, "pairs", ydoc_node(&d, p[1].key)->str, "only_a");
	free(p);
	ydoc_free(&d);
	yerr_free(&err);
}

/* ---- bounds: alias bombs and friends finish fast, in little memory ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void t_bombs(void **state)
{
	(void)state;
	struct strbuf laughs = STRBUF_INIT, merges = STRBUF_INIT, deep = STRBUF_INIT, wide = STRBUF_INIT;
	strbuf_addstr(&laughs, "a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
	for (int i = 1; i < 10; i++) {
		strbuf_addf(&laughs, "a%d: &a%d [", i, i);
		for (int j = 0; j < 9; j++)
			strbuf_addf(&laughs, "%s*a%d", j ? "," : "", i - 1);
		strbuf_addstr(&laughs, "]\n");
	}
	strbuf_addstr(&laughs, "datasource_list: [ ConfigDrive, None ]\ndatasource: { ConfigDrive: *a9 }\n");
	strbuf_addstr(&merges, "m0: &m0 {k0: v}\n");
	for (int i = 1; i < 12; i++) {
		strbuf_addf(&merges, "m%d: &m%d {<<: [", i, i);
		for (int j = 0; j < 9; j++)
			strbuf_addf(&merges, "%s*m%d", j ? "," : "", i - 1);
		strbuf_addf(&merges, "], k%d: v}\n", i);
	}
	strbuf_addstr(&merges, "datasource: {ConfigDrive: {<<: *m11}, TencentCloud: {metadata_urls: [u]}}\n");
	strbuf_addstr(&deep, "x: ");
	for (int i = 0; i < 100000; i++)
		strbuf_addch(&deep, '[');
	for (int i = 0; i < 100000; i++)
		strbuf_addch(&deep, ']');
	strbuf_addstr(&deep, "\ndatasource_list: [ None ]\n");
	strbuf_addstr(&wide, "datasource_list: [ None ]\nx: [a");
	for (int i = 0; i < 300000; i++)
		strbuf_addstr(&wide, ",a");
	strbuf_addstr(&wide, "]\n");

	double t0 = now();
	struct ci_config c;
	ci_config_init(&c);
	ci_config_add_file(&c, "/etc/cloud/cloud.cfg", CFG_DEBIAN, strlen(CFG_DEBIAN));
	ci_config_add_file(&c, C("50-laughs.cfg"), laughs.buf, laughs.len);
	ci_config_add_file(&c, C("60-merges.cfg"), merges.buf, merges.len);
	ci_config_add_file(&c, C("70-deep.cfg"), deep.buf, deep.len);
	ci_config_add_file(&c, C("80-wide.cfg"), wide.buf, wide.len);
	/* the billion laughs is held as written: 10 sequences, 9 scalars and a few more */
	assert_true(c.files[1].usable);
	assert_true(c.files[1].doc.n < 64);
	/* the nesting and the size are refused before they are built */
	assert_false(c.files[3].usable);
	assert_true(c.files[3].too_big);
	assert_false(c.files[4].usable);
	assert_true(c.files[4].too_big);
	assert_null(c.files[4].doc.v);

	struct ci_eval e;
	assert_int_equal(ci_evaluate(&c, &e), -E2BIG);
	double dt = now() - t0;
	EXPECT_LIST(0, "bombs", &e.dslist.names, "ConfigDrive|None");
	EXPECT_STR(0, "bombs", e.dslist.at.file, C("50-laughs.cfg"));
	/* ConfigDrive is a list of lists (left as is), urls found past the merge-key bomb's sibling */
	EXPECT_STR(0, "bombs", e.configdrive_dsmode.value, NULL);
	EXPECT_STR(0, "bombs", e.tencent_metadata_urls.value, "u");
	char *notes = test_join(&e.notes);
	if (!strstr(notes, "60-merges.cfg: merge keys (<<) too deep to follow for 'datasource.ConfigDrive.dsmode'") ||
	    !strstr(notes, "70-deep.cfg:1: nested deeper than 200 levels") ||
	    !strstr(notes, "80-wide.cfg:2: more than 100000 nodes"))
		fail_msg("notes: %s", notes);
	free(notes);
	/* generous for sanitizer builds on a slow machine; a non-bounded walk takes minutes */
	if (dt > 5.0)
		fail_msg("bombs took %.2f s", dt);
	ci_eval_free(&e);
	ci_config_free(&c);
	strbuf_release(&laughs);
	strbuf_release(&merges);
	strbuf_release(&deep);
	strbuf_release(&wide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_merge),        cmocka_unit_test(t_policy),      cmocka_unit_test(t_boot),
		cmocka_unit_test(t_list_rules),   cmocka_unit_test(t_default_lists), cmocka_unit_test(t_conf_d),      cmocka_unit_test(t_version),
		cmocka_unit_test(t_cmdline_cc),   cmocka_unit_test(t_scalar_types), cmocka_unit_test(t_load_errors),
		cmocka_unit_test(t_merge_keys),   cmocka_unit_test(t_bombs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
