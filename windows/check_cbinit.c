/*
 * win.cloudbase-init.installed, .config and .service: cloudbase-init present, both configuration
 * files with Tencent's settings (judged as oslo.config reads them, agent/cbconf.c), and the
 * service starting automatically as LocalSystem; with their planners.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "rootfs.h"
#include "winchecks.h"
#include "winfacts.h"
#include "winplan.h"
#include "winsys.h"
#include "banned.h"

static const struct win_cbinit *cbi_of(const struct facts *facts, const struct check *c, struct report *r)
{
	if (!facts->win || facts->win->cbi.s.state == FS_UNPROBED) {
		report_add(r, c, ST_SKIP, NULL, "not checked");
		return NULL;
	}
	return &facts->win->cbi;
}

static void rule_win_cbinit_installed(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct win_cbinit *cb = cbi_of(facts, c, r);
	if (!cb)
		return;
	struct finding *f;
	if (cb->installed) {
		f = report_add(r, c, ST_PASS, "cloudbase-init", "the cloudbase-init service is installed");
		if (cb->image_path) {
			char *p = str_printable(cb->image_path, 400);
			finding_evidence(f, "%s\\ImagePath = %s", cb->service_key, p);
			free(p);
		}
	} else {
		f = report_add(r, c, ST_FAIL, "cloudbase-init",
			       "cloudbase-init is not installed: nothing sets the password, host name and network from "
			       "the config drive");
		finding_evidence(f, "no service key %s", cb->service_key);
	}
}

static void rule_win_cbinit_config(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct win_cbinit *cb = cbi_of(facts, c, r);
	if (!cb)
		return;
	if (!cb->installed) {
		report_add(r, c, ST_SKIP, "cloudbase-init", "cloudbase-init is not installed (win.cloudbase-init.installed)");
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		const struct win_cbconf *cf = &cb->conf[i];
		struct finding *f;
		if (cf->s.state == FS_ABSENT) {
			if (cf->unattend) {
				f = report_add(r, c, ST_PASS, cf->path, "the unattend configuration does not exist, so it is not used");
			} else {
				f = report_add(r, c, ST_FAIL, cf->path,
					       "the configuration file the service reads does not exist: cloudbase-init does "
					       "not start");
				finding_evidence(f, "path from %s", cb->conf_source);
			}
			continue;
		}
		if (rule_section_unusable(&cf->s, c, r, cf->path))
			continue;
		if (cf->ev.problems.n) {
			f = report_add(r, c, ST_FAIL, cf->path, "%s %s",
				       !cf->ev.readable ? "cloudbase-init cannot read this file, and it lacks Tencent's settings:"
							: "not Tencent's settings:",
				       cf->ev.problems.v[0]);
			for (size_t k = 1; k < cf->ev.problems.n; k++)
				finding_evidence(f, "%s", cf->ev.problems.v[k]);
		} else {
			f = report_add(r, c, ST_PASS, cf->path,
				       "uses the config drive with Tencent's settings");
		}
		if (!cf->unattend)
			finding_evidence(f, "path from %s", cb->conf_source);
		for (size_t k = 0; k < cf->ev.evidence.n; k++)
			finding_evidence(f, "%s", cf->ev.evidence.v[k]);
	}
}

static bool is_local_system(const char *account)
{
	return !account || str_casecmp(account, "LocalSystem") == 0 || str_casecmp(account, ".\\LocalSystem") == 0 ||
	       str_casecmp(account, "NT AUTHORITY\\SYSTEM") == 0;
}

static void rule_win_cbinit_service(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct win_cbinit *cb = cbi_of(facts, c, r);
	if (!cb)
		return;
	if (!cb->installed) {
		report_add(r, c, ST_SKIP, "cloudbase-init", "cloudbase-init is not installed (win.cloudbase-init.installed)");
		return;
	}
	bool autostart = cb->start_known && cb->start == 2;
	bool system = is_local_system(cb->object_name);
	struct finding *f;
	static const char *const starts[] = { "boot", "system", "automatic", "manual", "disabled" };
	const char *st = !cb->start_known ? "not set" : cb->start < 5 ? starts[cb->start] : "unknown";
	if (autostart && system)
		f = report_add(r, c, ST_PASS, "cloudbase-init", "the service starts automatically%s as LocalSystem",
			       cb->delayed ? " (delayed)" : "");
	else if (!autostart && !system)
		f = report_add(r, c, ST_FAIL, "cloudbase-init",
			       "the service starts %s and runs as %s: it should start automatically as LocalSystem", st,
			       cb->object_name);
	else if (!autostart)
		f = report_add(r, c, ST_FAIL, "cloudbase-init",
			       "the service's start type is %s: it does not run at the first boot", st);
	else
		f = report_add(r, c, ST_FAIL, "cloudbase-init",
			       "the service runs as %s, not LocalSystem: that account's password does not survive "
			       "generalisation and it may lack the rights to set the Administrator password",
			       cb->object_name);
	finding_evidence(f, "%s\\Start = %s%s", cb->service_key,
			 cb->start_known ? (cb->start < 5 ? starts[cb->start] : "?") : "(absent)",
			 cb->start_known ? "" : "");
	finding_evidence(f, "%s\\ObjectName = %s", cb->service_key, cb->object_name ? cb->object_name : "(absent: LocalSystem)");
}

/* ---- planners ---- */

static int plan_win_cbinit_installed(struct ctx *ctx, const struct facts *facts, struct plan *p)
{
	(void)facts;
	struct winplan *wp = winplan_of(p);
	const struct check *c = &check_win_cbinit_installed;
	const char *inst = ctx->cfg.cloudbase_init_installer;
	if (!inst || !*inst) {
		plan_note(p, "%s: set cloudbase_init_installer in the [windows] section of %s to CloudbaseInitSetup_x64.msi",
			  c->id, ctx->cfg.path ? ctx->cfg.path : "the configuration file");
		return 0;
	}
	size_t n = strlen(inst);
	if (n < 4 || str_casecmp(inst + n - 4, ".msi") != 0) {
		plan_note(p, "%s: cloudbase_init_installer '%s' is not an .msi; cvmprep runs Cloudbase's MSI only", c->id, inst);
		return 0;
	}
	struct rootfs_stat st;
	if (rootfs_stat(ctx->rfs, inst, true, &st) < 0 || st.type != RFT_REG) {
		plan_note(p, "%s: cloudbase_init_installer '%s' does not exist", c->id, inst);
		return 0;
	}
	struct wstep *s = winplan_step(wp, WS_MSI, c, inst, "install cloudbase-init silently, its service as LocalSystem");
	char *sys32 = win_system32();
	strvec_push_nodup(&s->argv, win_path_join(sys32, "msiexec.exe"));
	free(sys32);
	strvec_push(&s->argv, "/i");
	strvec_push(&s->argv, inst);
	strvec_push(&s->argv, "/qn");
	strvec_push(&s->argv, "/norestart");
	/* Cloudbase's installer properties: the service account and the user it manages. */
	strvec_push(&s->argv, "RUN_SERVICE_AS_LOCAL_SYSTEM=1");
	strvec_push(&s->argv, "USERNAME=Administrator");
	return 0;
}

static int plan_win_cbinit_config(struct ctx *ctx, const struct facts *facts, struct plan *p)
{
	(void)ctx;
	struct winplan *wp = winplan_of(p);
	const struct check *c = &check_win_cbinit_config;
	const struct win_cbinit *cb = &facts->win->cbi;
	if (!cb->installed)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		const struct win_cbconf *cf = &cb->conf[i];
		if (cf->s.state == FS_ABSENT && cf->unattend)
			continue;
		if (cf->s.state != FS_OK && cf->s.state != FS_ABSENT)
			continue;
		if (cf->s.state == FS_OK && !cf->ev.problems.n)
			continue;
		const char *data = NULL;
		size_t len = 0;
		int e = plan_content(p, cf->path, &data, &len);
		if (e < 0 && e != -ENOENT) {
			plan_note(p, "%s: %s could not be read: %s", c->id, cf->path, rootfs_strerror(e));
			continue;
		}
		char *out = NULL, *why = NULL;
		size_t olen = 0;
		if (cb_fix(e == 0 ? data : NULL, len, "\r\n", &out, &olen, &why) < 0) {
			plan_note(p, "%s: %s is not edited: %s", c->id, cf->path, why);
			free(why);
			continue;
		}
		winplan_file(wp, c, cf->path, out, olen,
			     "Tencent's cloudbase-init settings: the config drive, Administrator, no reboot (other lines kept)");
		free(out);
	}
	return 0;
}

static int plan_win_cbinit_service(struct ctx *ctx, const struct facts *facts, struct plan *p)
{
	(void)ctx;
	struct winplan *wp = winplan_of(p);
	const struct check *c = &check_win_cbinit_service;
	const struct win_cbinit *cb = &facts->win->cbi;
	if (!cb->installed)
		return 0;
	if (!(cb->start_known && cb->start == 2))
		winplan_reg_dword(wp, c, cb->service_key, "Start", 2, "start cloudbase-init automatically at boot");
	if (!is_local_system(cb->object_name))
		winplan_reg_sz(wp, c, cb->service_key, "ObjectName", RT_SZ, "LocalSystem",
			       "run cloudbase-init as LocalSystem (the service control manager reads it at the next start)");
	return 0;
}

const struct check check_win_cbinit_installed = {
	.id = "win.cloudbase-init.installed",
	.title = "cloudbase-init is installed",
	.severity = SEV_BLOCKER,
	.error_code = "CloudInitNotInstalled",
	.fix = FIX_OPT_IN,
	.opt_in = "--install-packages",
	.fix_description = "run the MSI named by cloudbase_init_installer silently",
	.explain = "Looks at: the cloudbase-init service (HKLM\\SYSTEM\\CurrentControlSet\\Services\\\n"
		   "cloudbase-init).\n\n"
		   "Why: on CVM, cloudbase-init reads the config drive and sets the Administrator password,\n"
		   "the host name and the network; without it the import fails with\n"
		   "CloudInitNotInstalled.\n\n"
		   "By hand: install CloudbaseInitSetup_x64.msi from cloudbase.it (msiexec /i\n"
		   "CloudbaseInitSetup_x64.msi /qn RUN_SERVICE_AS_LOCAL_SYSTEM=1); 'cvmprep fix\n"
		   "--install-packages' does it with cloudbase_init_installer set in [windows].",
	.probes = { probe_win_cbinit },
	.rule = rule_win_cbinit_installed,
	.plan = plan_win_cbinit_installed,
};

const struct check check_win_cbinit_config = {
	.id = "win.cloudbase-init.config",
	.title = "cloudbase-init.conf and cloudbase-init-unattend.conf use the config drive with Tencent's settings",
	.severity = SEV_BLOCKER,
	.fix = FIX_AUTO,
	.fix_description = "set Tencent's settings in [DEFAULT] and comment out lines cloudbase-init cannot parse, "
			   "keeping every other line",
	.explain = "Looks at: the file the service's command line names with --config-file (default\n"
		   "<Program Files>\\Cloudbase Solutions\\Cloudbase-Init\\conf\\cloudbase-init.conf) and\n"
		   "cloudbase-init-unattend.conf beside it, read as cloudbase-init's oslo.config reads them.\n"
		   "Tencent's settings: metadata_services = ...configdrive.ConfigDriveService; the config\n"
		   "drive searched on CD-ROM, raw disk and VFAT; username = Administrator; groups with\n"
		   "Administrators; inject_user_password = true; first_logon_behaviour = no;\n"
		   "netbios_host_name_compatibility = false; allow_reboot = false; plugins including\n"
		   "ExtendVolumes, NetworkConfig, SetHostName, SetUserPassword, LocalScripts, UserData.\n\n"
		   "Why: otherwise the instance keeps its old password and name, or waits for a metadata\n"
		   "service that is not there. A line oslo.config cannot parse (or a UTF-8 byte order mark)\n"
		   "stops cloudbase-init altogether.\n\n"
		   "By hand: edit both files in [DEFAULT]; save them as UTF-8 without a byte order mark.",
	.probes = { probe_win_cbinit },
	.rule = rule_win_cbinit_config,
	.plan = plan_win_cbinit_config,
};

const struct check check_win_cbinit_service = {
	.id = "win.cloudbase-init.service",
	.title = "the cloudbase-init service starts automatically as LocalSystem",
	.severity = SEV_WARNING,
	.fix = FIX_AUTO,
	.fix_description = "set the service's start type to automatic and its account to LocalSystem",
	.explain = "Looks at: Start and ObjectName of the cloudbase-init service.\n\n"
		   "Why: the service must run at the first boot on CVM, with the rights to change the\n"
		   "Administrator password; the installer's own account ('cloudbase-init') has a password\n"
		   "that sysprep and the import do not carry over.\n\n"
		   "By hand: sc config cloudbase-init start= auto obj= LocalSystem",
	.probes = { probe_win_cbinit },
	.rule = rule_win_cbinit_service,
	.plan = plan_win_cbinit_service,
};
