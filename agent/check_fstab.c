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

static void rule_fstab_device_names(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct fstab_facts *ft = &facts->fstab;
	if (!fstab_usable(ft, c, r))
		return;
	size_t bad = 0;
	for (size_t i = 0; i < ft->n; i++) {
		const struct fstab_entry *e = &ft->v[i];
		enum devname_kind k = devname_classify(e->spec, e->type);
		if (devname_stable(k))
			continue;
		char *subject = xasprintf("/etc/fstab:%u", e->line);
		struct finding *f = report_add(r, c, ST_FAIL, subject, "%s (%s) is a %s; on CVM the disk is a virtio disk",
					       e->spec, e->file, devname_kind_name(k));
		finding_evidence(f, "/etc/fstab:%u: %s %s %s %s", e->line, e->spec, e->file, e->type, e->opts);
		free(subject);
		bad++;
	}
	if (bad)
		return;
	struct finding *f = report_add(r, c, ST_PASS, "/etc/fstab",
				       "all %zu entries name filesystems by UUID, label or LVM (or are not disks)", ft->n);
	add_bad_lines(f, ft);
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

static void rule_fstab_other_disks(const struct facts *facts, const struct check *c, struct report *r)
{
	const struct fstab_facts *ft = &facts->fstab;
	if (!fstab_usable(ft, c, r))
		return;
	size_t bad = 0, unknown = 0;
	for (size_t i = 0; i < ft->n; i++) {
		const struct fstab_entry *e = &ft->v[i];
		if (e->loc == LOC_UNKNOWN && devname_classify(e->spec, e->type) != DEV_NONE)
			unknown++;
		if (e->loc != LOC_OTHER || is_system_mount(e->file))
			continue;
		if (fstab_has_option(e->opts, "nofail") || fstab_has_option(e->opts, "noauto"))
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
	if (bad)
		return;
	struct finding *f = report_add(r, c, ST_PASS, "/etc/fstab",
				       "every fstab entry outside the system disk has nofail or noauto");
	if (unknown)
		finding_evidence(f, "%zu entr%s could not be placed on a disk", unknown, unknown == 1 ? "y" : "ies");
	for (size_t i = 0; i < ft->n; i++)
		if (ft->v[i].loc_evidence && ft->v[i].loc != LOC_NONE)
			finding_evidence(f, "%s: %s", ft->v[i].file, ft->v[i].loc_evidence);
	add_bad_lines(f, ft);
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
		"then drops to an emergency shell, and the instance is unreachable.\n\n"
		"By hand: blkid shows each filesystem's UUID; write UUID=... (or LABEL=...) instead of the\n"
		"device name, and check with findmnt --verify.",
	.probes = { probe_fstab, probe_disk },
	.rule = rule_fstab_device_names,
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
		"kernel device names such as /dev/sdb1).\n\n"
		"Why: only the system disk is imported. A data disk mounted without nofail is missing on\n"
		"the instance, and systemd stops the boot in emergency mode waiting for it.\n\n"
		"By hand: add nofail to the options of those lines (defaults,nofail), attach the data as\n"
		"a CBS disk after import, or remove the lines.",
	.probes = { probe_fstab, probe_disk },
	.rule = rule_fstab_other_disks,
};
