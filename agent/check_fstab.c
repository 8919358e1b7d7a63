/* fstab.*: stable device names, and nofail on anything that is not on the exported disk. */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

static bool fstab_usable(const struct fstab_facts *ft, const struct check *c, struct report *r)
{
	if (rule_section_unusable(&ft->s, c, r, "/etc/fstab"))
		return false;
	if (ft->s.state == FS_ABSENT) {
		report_add(r, c, ST_PASS, "/etc/fstab", "there is no /etc/fstab");
		return false;
	}
	return true;
}

static void add_bad_lines(struct finding *f, const struct fstab_facts *ft)
{
	for (size_t i = 0; i < ft->bad_lines.n; i++)
		finding_evidence(f, "/etc/fstab:%s (line ignored)", ft->bad_lines.v[i]);
}

/* Mount points the disk.layout check owns: these must be on the system disk, not merely nofail. */
static bool is_system_mount(const char *mp)
{
	static const char *const sys[] = { "/", "/boot", "/usr", "/var", "/opt", "/usr/local", "/var/log" };
	for (size_t i = 0; i < ARRAY_SIZE(sys); i++)
		if (strcmp(mp, sys[i]) == 0)
			return true;
	return false;
}

static bool optional_mount(const struct fstab_entry *e)
{
	return fstab_has_option(e->opts, "nofail") || fstab_has_option(e->opts, "noauto");
}

/* /dev/sr0, /dev/scd0: an optical drive has only its kernel name (a medium has no fixed UUID), and
 * on CVM the config drive is one, so such a line is not bound to the old disks. */
static bool is_optical_drive(const char *spec)
{
	const char *n = NULL;
	if (str_starts_with(spec, "/dev/sr"))
		n = spec + 7;
	else if (str_starts_with(spec, "/dev/scd"))
		n = spec + 8;
	if (!n || !*n)
		return false;
	for (; *n; n++)
		if (*n < '0' || *n > '9')
			return false;
	return true;
}

static void rule_fstab_device_names(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct fstab_facts *ft = &facts->fstab;
	if (!fstab_usable(ft, c, r))
		return;
	size_t bad = 0;
	struct strvec optical = STRVEC_INIT;
	for (size_t i = 0; i < ft->n; i++) {
		const struct fstab_entry *e = &ft->v[i];
		enum devname_kind k = devname_classify(e->spec, e->type);
		if (devname_stable(k))
			continue;
		if (k == DEV_KERNEL && is_optical_drive(e->spec)) {
			strvec_pushf(&optical, "/etc/fstab:%u: %s is an optical drive; it has no filesystem UUID to use instead",
				     e->line, e->spec);
			continue;
		}
		char *subject = xasprintf("/etc/fstab:%u", e->line);
		struct finding *f = report_add(r, c, ST_FAIL, subject, "%s (%s) is a %s; on CVM the disk is a virtio disk",
					       e->spec, e->file, devname_kind_name(k));
		/*
		 * The instance fails to boot only where systemd (or the init scripts) wait for the device:
		 * swap is given up after the device timeout, and nofail/noauto mounts outside the system
		 * directories are skipped. Those still name the wrong device, but the instance comes up.
		 */
		if (strcmp(e->type, "swap") == 0) {
			f->severity = SEV_WARNING;
			finding_evidence(f, "a missing swap device delays the boot by the device timeout; the system "
					    "then runs without it");
		} else if (optional_mount(e) && !is_system_mount(e->file)) {
			f->severity = SEV_WARNING;
			finding_evidence(f, "%s has %s: the boot does not wait for it, but it will not be mounted", e->file,
					 fstab_has_option(e->opts, "nofail") ? "nofail" : "noauto");
		}
		finding_evidence(f, "/etc/fstab:%u: %s %s %s %s", e->line, e->spec, e->file, e->type, e->opts);
		free(subject);
		bad++;
	}
	if (!bad) {
		struct finding *f = report_add(r, c, ST_PASS, "/etc/fstab",
					       "all %zu entries name filesystems by UUID, label or LVM (or are not disks)",
					       ft->n);
		for (size_t i = 0; i < optical.n; i++)
			finding_evidence(f, "%s", optical.v[i]);
		add_bad_lines(f, ft);
	}
	strvec_clear(&optical);
}

static void rule_fstab_other_disks(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct fstab_facts *ft = &facts->fstab;
	if (!fstab_usable(ft, c, r))
		return;
	/* An entry with the same source as / is the root filesystem again (a btrfs subvolume). */
	const char *root_spec = NULL;
	for (size_t i = 0; i < ft->n; i++)
		if (strcmp(ft->v[i].file, "/") == 0)
			root_spec = ft->v[i].spec;
	size_t bad = 0;
	struct strvec unknown = STRVEC_INIT;
	for (size_t i = 0; i < ft->n; i++) {
		const struct fstab_entry *e = &ft->v[i];
		if (is_system_mount(e->file) || optional_mount(e))
			continue;
		if (e->loc == LOC_UNKNOWN && devname_classify(e->spec, e->type) != DEV_NONE &&
		    !(root_spec && strcmp(e->spec, root_spec) == 0)) {
			strvec_pushf(&unknown, "/etc/fstab:%u: %s %s%s%s", e->line, e->spec, e->file,
				     e->loc_evidence ? ": " : "", e->loc_evidence ? e->loc_evidence : "");
			continue;
		}
		if (e->loc != LOC_OTHER)
			continue;
		bool swap = strcmp(e->type, "swap") == 0;
		char *subject = xasprintf("/etc/fstab:%u", e->line);
		struct finding *f = report_add(r, c, ST_FAIL, subject,
					       swap ? "swap %s is on another disk and has no nofail: boot waits for it"
						    : "%s on %s is on another disk and has no nofail: boot stops in emergency mode",
					       e->spec, e->file);
		if (swap)
			f->severity = SEV_WARNING;
		if (e->loc_evidence)
			finding_evidence(f, "%s", e->loc_evidence);
		finding_evidence(f, "/etc/fstab:%u: %s %s %s %s", e->line, e->spec, e->file, e->type, e->opts);
		free(subject);
		bad++;
	}
	struct finding *f = NULL;
	if (!bad && unknown.n) {
		/* A pass would claim what was not seen: name the entries that could not be placed, and why. */
		f = report_add(r, c, ST_SKIP, "/etc/fstab", "could not tell which disk holds %zu fstab entr%s without nofail",
			       unknown.n, unknown.n == 1 ? "y" : "ies");
		for (size_t i = 0; i < unknown.n; i++)
			finding_evidence(f, "%s", unknown.v[i]);
		if (facts->disk.s.state != FS_OK && facts->disk.s.reason)
			finding_evidence(f, "%s", facts->disk.s.reason);
	} else if (!bad) {
		f = report_add(r, c, ST_PASS, "/etc/fstab", "every fstab entry outside the system disk has nofail or noauto");
		for (size_t i = 0; i < ft->n; i++)
			if (ft->v[i].loc_evidence && ft->v[i].loc != LOC_NONE)
				finding_evidence(f, "%s: %s", ft->v[i].file, ft->v[i].loc_evidence);
	}
	if (f)
		add_bad_lines(f, ft);
	strvec_clear(&unknown);
}

const struct check check_fstab_device_names = {
	.id = "fstab.device-names",
	.title = "fstab names filesystems by UUID or label, not by kernel device names",
	.severity = SEV_BLOCKER,
	.fix = FIX_AUTO,
	.fix_description = "replace each device name with the filesystem's UUID= (libblkid)",
	.explain =
		"Looks at: every /etc/fstab entry's first field: /dev/sdX, /dev/hdX, /dev/xvdX, /dev/vdX,\n"
		"/dev/nvmeXnY and other kernel names, and /dev/disk/by-path or /dev/disk/by-id links.\n\n"
		"Why: CVM attaches the system disk as a virtio disk (/dev/vda). Kernel names and\n"
		"by-path/by-id links from the old hypervisor no longer exist; systemd waits for the device,\n"
		"then drops to an emergency shell, and the instance is unreachable. Swap, and nofail or\n"
		"noauto mounts outside /, /boot, /usr and /var, only delay the boot or stay unmounted: a\n"
		"warning. Optical drives (/dev/sr0) have no filesystem UUID and are left alone.\n\n"
		"By hand: blkid shows each filesystem's UUID; write UUID=... (or LABEL=...) instead of the\n"
		"device name, and check with findmnt --verify.",
	.probes = { probe_fstab, probe_disk },
	.rule = rule_fstab_device_names,
	.plan = plan_fstab_device_names,
};

const struct check check_fstab_other_disks = {
	.id = "fstab.other-disks",
	.title = "fstab entries on disks that are not exported have nofail",
	.severity = SEV_BLOCKER,
	.fix = FIX_AUTO,
	.fix_description = "add nofail to those entries",
	.explain =
		"Looks at: every /etc/fstab entry for a filesystem or swap that is not on the system disk\n"
		"(resolved with libblkid on the running system or the mounted image; offline, judged by\n"
		"kernel device names such as /dev/sdb1; an entry that cannot be placed makes the check\n"
		"skip, naming it).\n\n"
		"Why: only the system disk is imported. A data disk mounted without nofail is missing on\n"
		"the instance, and systemd stops the boot in emergency mode waiting for it.\n\n"
		"By hand: add nofail to the options of those lines (defaults,nofail), attach the data as\n"
		"a CBS disk after import, or remove the lines.",
	.probes = { probe_fstab, probe_disk },
	.rule = rule_fstab_other_disks,
	.plan = plan_fstab_other_disks,
};
