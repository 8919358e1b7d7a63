/* cloudinit.*: installed, enabled, configured to reach Tencent's config drive, and free of old state. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

static const char *unit_state_name(enum unit_state s)
{
	switch (s) {
	case UNIT_ENABLED:
		return "enabled";
	case UNIT_DISABLED:
		return "disabled";
	case UNIT_MASKED:
		return "masked";
	case UNIT_STATIC:
		return "static";
	case UNIT_MISSING:
		break;
	}
	return "missing";
}

static void rule_installed(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct cloudinit_facts *ci = &facts->cloudinit;
	if (rule_section_unusable(&ci->s, c, r, NULL))
		return;
	struct finding *f;
	if (ci->installed) {
		f = report_add(r, c, ST_PASS, "cloud-init", "cloud-init is installed%s%s", ci->version ? " (" : "",
			       ci->version ? ci->version : "");
		if (ci->version)
			finding_set_summary(f, "cloud-init %s is installed", ci->version);
	} else if (ci->forced_import) {
		f = report_add(r, c, ST_FAIL, "cloud-init",
			       "cloud-init is not installed; cvmprep's forced-import boot script is: choose forced import "
			       "when importing");
		f->severity = SEV_WARNING;
		f->error_code = NULL;
		finding_evidence(f, "/usr/local/sbin/cvmprep-forced-import applies the config drive's qcloud_action/os.conf "
				    "at boot");
	} else {
		f = report_add(r, c, ST_FAIL, "cloud-init",
			       "cloud-init is not installed: the import is refused (or use forced import)");
	}
	for (size_t i = 0; i < ci->install_evidence.n; i++)
		finding_evidence(f, "%s", ci->install_evidence.v[i]);
}

static void rule_enabled(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct cloudinit_facts *ci = &facts->cloudinit;
	if (rule_section_unusable(&ci->s, c, r, NULL))
		return;
	if (!ci->installed) {
		report_add(r, c, ST_SKIP, "cloud-init", "cloud-init is not installed (see cloudinit.installed)");
		return;
	}
	size_t bad = 0;
	/*
	 * Before 23.4 the systemd generator takes cloud-init=enabled on the command line, then
	 * /etc/cloud/cloud-init.enabled, before the disabled marker; since then ds-identify's
	 * is_disabled takes the disabled marker first.
	 */
	const struct ci_version *v = &ci->cfg.version;
	bool known = v->major || v->minor || v->patch;
	bool old_generator = known && (v->major < 23 || (v->major == 23 && v->minor < 4));
	bool cmdline_enabled = ci->evaluated && ci->eval.cmdline_switch == CI_SWITCH_ENABLED;
	bool overridden = old_generator && (ci->marker_enabled || cmdline_enabled);
	if (ci->marker_disabled && !overridden) {
		struct finding *f = report_add(r, c, ST_FAIL, "/etc/cloud/cloud-init.disabled",
					       "/etc/cloud/cloud-init.disabled exists: cloud-init does not run");
		finding_evidence(f, "the systemd generator checks this file first");
		bad++;
	}
	if (ci->evaluated && ci->eval.cmdline_switch == CI_SWITCH_DISABLED) {
		struct finding *f = report_add(r, c, ST_FAIL, ci->cmdline_source,
					       "the kernel command line says cloud-init=disabled");
		finding_evidence(f, "%s: %s", ci->cmdline_source ? ci->cmdline_source : "?", ci->cmdline ? ci->cmdline : "");
		bad++;
	}
	for (size_t i = 0; i < ci->nunits && ci->systemd; i++) {
		const struct unit_fact *u = &ci->units[i];
		if (u->state == UNIT_ENABLED || u->state == UNIT_STATIC)
			continue;
		/* Newer cloud-init renamed cloud-init.service to cloud-init-network.service. */
		if (u->state == UNIT_MISSING && strcmp(u->name, "cloud-init.service") == 0)
			continue;
		struct finding *f = report_add(r, c, ST_FAIL, u->name, "%s is %s", u->name, unit_state_name(u->state));
		if (u->evidence)
			finding_evidence(f, "%s", u->evidence);
		bad++;
	}
	if (bad)
		return;
	struct finding *f = report_add(r, c, ST_PASS, "cloud-init", "cloud-init is enabled");
	if (ci->marker_disabled)
		finding_evidence(f, "/etc/cloud/cloud-init.disabled exists, but the generator of cloud-init %s takes %s first",
				 ci->version ? ci->version : "?",
				 cmdline_enabled ? "cloud-init=enabled on the kernel command line" : "/etc/cloud/cloud-init.enabled");
	for (size_t i = 0; i < ci->nunits && ci->systemd; i++)
		finding_evidence(f, "%s: %s", ci->units[i].name, unit_state_name(ci->units[i].state));
	if (!ci->systemd)
		finding_evidence(f, "no systemd in the target: unit states not checked");
}

static char *join(const struct strvec *v)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addch(&sb, '[');
	for (size_t i = 0; i < v->n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : " ", v->v[i]);
	strbuf_addstr(&sb, v->n ? " ]" : "]");
	return strbuf_detach(&sb);
}

/* ConfigDrive, or TencentCloud where this cloud-init has that datasource (or we cannot tell). */
static bool list_reaches(const struct cloudinit_facts *ci, const struct strvec *names)
{
	if (strvec_contains(names, "ConfigDrive"))
		return true;
	return ci_list_reaches_config_drive(names) && !(ci->ds_tencentcloud_known && !ci->ds_tencentcloud);
}

static void rule_datasource(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct cloudinit_facts *ci = &facts->cloudinit;
	if (rule_section_unusable(&ci->s, c, r, NULL))
		return;
	if (!ci->installed) {
		report_add(r, c, ST_SKIP, "cloud-init", "cloud-init is not installed (see cloudinit.installed)");
		return;
	}
	const struct ci_dslist *dl = &ci->eval.dslist;
	char *list = join(&dl->names);
	char *where = dl->is_default ? xstrdup("cloud-init's built-in default")
		      : dl->at.file ? xasprintf("%s:%u", dl->at.file, dl->at.line)
				    : xstrdup("?");
	struct finding *f;
	bool reaches = list_reaches(ci, &dl->names);
	/*
	 * The first boot decides, not the configured list: where ds-identify detects datasources,
	 * the list it writes to /run/cloud-init/cloud.cfg comes first in cloud-init's merge. A list
	 * ds-identify cannot read (several lines, empty) makes it search its own default list,
	 * which finds the config drive.
	 */
	bool at_boot = ci->boot.enabled && list_reaches(ci, &ci->boot.dslist);
	if (!reaches && !at_boot) {
		f = report_add(r, c, ST_FAIL, where, "datasource_list %s does not include ConfigDrive: cloud-init never reads "
						    "Tencent's config drive",
			       list);
	} else if (!reaches) {
		char *boot_list = join(&ci->boot.dslist);
		f = report_add(r, c, ST_PASS, where,
			       "at the first boot on CVM cloud-init uses %s, which reaches the config drive (%s)", boot_list,
			       ci_boot_why_text(ci->boot.why));
		finding_evidence(f, "cloud-init's configured datasource_list %s lacks ConfigDrive, but ds-identify's list in "
				    "/run/cloud-init/cloud.cfg comes first in cloud-init's merge",
				 list);
		for (size_t i = 0; i < ci->cdrom_evidence.n; i++)
			finding_evidence(f, "%s", ci->cdrom_evidence.v[i]);
		free(boot_list);
	} else if (!at_boot) {
		f = report_add(r, c, ST_FAIL, where, "at the first boot on CVM cloud-init will not read the config drive: %s",
			       ci_boot_why_text(ci->boot.why));
		for (size_t i = 0; i < ci->cdrom_evidence.n; i++)
			finding_evidence(f, "%s", ci->cdrom_evidence.v[i]);
		if (!ci->cdrom_early)
			finding_evidence(f, "ds-identify runs before udev loads sr_mod/cdrom: /dev/sr0 does not exist yet, so "
					    "it finds no config-2 filesystem");
	} else {
		f = report_add(r, c, ST_PASS, where, "datasource_list %s reaches the config drive (%s)", list,
			       ci_boot_why_text(ci->boot.why));
		for (size_t i = 0; i < ci->cdrom_evidence.n; i++)
			finding_evidence(f, "%s", ci->cdrom_evidence.v[i]);
	}
	finding_evidence(f, "datasource_list %s set by %s", list, where);
	if (ci->ds_tencentcloud_known && !ci->ds_tencentcloud &&
	    (strvec_contains(&dl->names, "TencentCloud") || strvec_contains(&ci->boot.dslist, "TencentCloud")))
		finding_evidence(f, "this cloud-init has no TencentCloud datasource (only Tencent's build does): it skips "
				    "that name");
	if (dl->problem)
		finding_evidence(f, "%s", dl->problem);
	if (ci->eval.policy.text)
		finding_evidence(f, "ds-identify policy '%s' (%s:%u)", ci->eval.policy.text,
				 ci->eval.policy.at.file ? ci->eval.policy.at.file : "?", ci->eval.policy.at.line);
	for (size_t i = 0; i < ci->eval.notes.n; i++)
		finding_evidence(f, "%s", ci->eval.notes.v[i]);
	for (size_t i = 0; i < ci->notes.n; i++)
		finding_evidence(f, "%s", ci->notes.v[i]);
	free(list);
	free(where);
}

static void rule_state(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct cloudinit_facts *ci = &facts->cloudinit;
	if (rule_section_unusable(&ci->s, c, r, NULL))
		return;
	if (!ci->state_paths.n) {
		report_add(r, c, ST_PASS, "/var/lib/cloud", "no instance state from the source environment");
		return;
	}
	struct finding *f = report_add(r, c, ST_FAIL, "/var/lib/cloud",
				       "/var/lib/cloud holds instance state from the source environment");
	for (size_t i = 0; i < ci->state_paths.n; i++)
		finding_evidence(f, "%s", ci->state_paths.v[i]);
}

const struct check check_cloudinit_installed = {
	.id = "cloudinit.installed",
	.title = "cloud-init is installed",
	.severity = SEV_BLOCKER,
	.error_code = "CloudInitNotInstalled",
	.fix = FIX_OPT_IN,
	.opt_in = "--install-packages or --forced-import",
	.fix_description = "install cloud-init with the package manager (--install-packages), or install the "
			   "forced-import boot script (--forced-import)",
	.explain =
		"Looks at: dpkg's package database for cloud-init, and /usr/bin/cloud-init with its\n"
		"Python package (cloudinit) for any other installation.\n\n"
		"Why: Tencent's import refuses an image without cloud-init (CloudInitNotInstalled): it\n"
		"is what sets the hostname, the password and the network from the config drive at the\n"
		"first boot. Images that cannot have it can be imported with 'forced import', which\n"
		"needs a boot script that reads qcloud_action/os.conf from the config drive instead.\n\n"
		"By hand: apt-get install cloud-init / dnf install cloud-init / zypper install\n"
		"cloud-init; or 'cvmprep fix --forced-import' for the boot script.",
	.probes = { probe_cloudinit },
	.rule = rule_installed,
	.plan = plan_cloudinit_installed,
};

const struct check check_cloudinit_enabled = {
	.id = "cloudinit.enabled",
	.title = "cloud-init is not disabled (marker file, kernel command line, units)",
	.severity = SEV_BLOCKER,
	.error_code = "CloudInitNotInstalled",
	.fix = FIX_AUTO,
	.fix_description = "move /etc/cloud/cloud-init.disabled into the journal, unmask and enable the units",
	.explain =
		"Looks at: /etc/cloud/cloud-init.disabled, cloud-init=disabled on the default boot\n"
		"entry's kernel command line, and the systemd units cloud-init-local, cloud-init,\n"
		"cloud-config and cloud-final (enabled, disabled, masked or missing).\n\n"
		"Why: a disabled cloud-init is as good as none: the instance keeps the source's hostname\n"
		"and password and gets no network configuration.\n\n"
		"By hand: rm /etc/cloud/cloud-init.disabled; systemctl unmask and enable the four units;\n"
		"remove cloud-init=disabled from GRUB_CMDLINE_LINUX and regenerate grub.cfg.",
	.probes = { probe_cloudinit },
	.rule = rule_enabled,
	.plan = plan_cloudinit_enabled,
};

const struct check check_cloudinit_datasource = {
	.id = "cloudinit.datasource",
	.title = "cloud-init reads Tencent's config drive at the first boot",
	.severity = SEV_BLOCKER,
	.fix = FIX_AUTO,
	.fix_description = "a drop-in /etc/cloud/cloud.cfg.d/99-cvmprep-tencentcloud.cfg (ConfigDrive, TencentCloud), "
			   "later overrides commented out, and the CD-ROM drivers into the initramfs",
	.explain =
		"Looks at: the effective datasource_list as cloud-init merges /etc/cloud/cloud.cfg and\n"
		"cloud.cfg.d/*.cfg (the file and line that decided it), ds= on the kernel command line,\n"
		"/etc/cloud/ds-identify.cfg, and whether the config drive's CD-ROM (sr_mod, cdrom and\n"
		"ata_piix: CVM attaches it to the IDE controller) is built in or in the initramfs.\n\n"
		"Why: on CVM the instance's settings come on a config drive (a CD-ROM labelled\n"
		"config-2). cloud-init reads it only through the ConfigDrive datasource (Tencent's own\n"
		"build also has TencentCloud). Ubuntu's installer leaves datasource_list: [ None ].\n"
		"And cloud-init's systemd generator runs ds-identify before udev loads drivers: with a\n"
		"minimal initramfs there is no /dev/sr0 yet, ds-identify finds nothing and disables\n"
		"cloud-init for that boot, unless the list has a single entry.\n\n"
		"By hand: write datasource_list: [ ConfigDrive, TencentCloud ] to a file that sorts last\n"
		"in /etc/cloud/cloud.cfg.d, and add sr_mod and cdrom to the initramfs (dracut\n"
		"add_drivers, /etc/initramfs-tools/modules) and rebuild it.",
	.probes = { probe_cloudinit },
	.rule = rule_datasource,
	.plan = plan_cloudinit_datasource,
};

const struct check check_cloudinit_state = {
	.id = "cloudinit.state",
	.title = "no cloud-init instance state from the source environment",
	.severity = SEV_WARNING,
	.fix = FIX_AUTO,
	.fix_description = "move the instance state under /var/lib/cloud into the journal",
	.explain =
		"Looks at: /var/lib/cloud/instances/*, /var/lib/cloud/instance, data/instance-id and\n"
		"sem/.\n\n"
		"Why: with the source environment's instance state cloud-init may take the first boot\n"
		"on CVM for a reboot of the old instance and skip the per-instance setup (hostname,\n"
		"password, SSH keys). Tencent's own steps remove /var/lib/cloud.\n\n"
		"By hand: rm -rf /var/lib/cloud/instances /var/lib/cloud/instance /var/lib/cloud/sem (or\n"
		"cloud-init clean).",
	.probes = { probe_cloudinit },
	.rule = rule_state,
	.plan = plan_cloudinit_state,
};
