/*
 * cloud-init's configuration as cloud-init and its boot-time helper ds-identify read it, and a
 * prediction of the first boot on CVM: is cloud-init enabled, which datasources does it try,
 * does it reach Tencent's config drive. Every setting carries the file and line that decided it.
 *
 * Pure: the caller reads the files through the path layer and hands over (path, bytes). The
 * YAML loader is libyaml and lives in linux/cloudinit_yaml.c (ci_config_add_file and
 * ci_config_set_cmdline); the merge, ds-identify's reading and the predictions are portable.
 *
 * Calling sequence:
 *     struct ci_config c;
 *     ci_config_init(&c);
 *     c.version = ...;                           (the packaged cloud-init's version, if known)
 *     ci_config_add_file(&c, "/etc/cloud/cloud.cfg", data, len);      (if it exists)
 *     dir = ci_conf_d(&c);                       (usually /etc/cloud/cloud.cfg.d; NULL: none)
 *     for each name in dir, sorted bytewise, with ci_confd_wanted(name) and a regular file:
 *         ci_config_add_file(&c, path, data, len);
 *     ci_config_set_dsidentify(&c, "/etc/cloud/ds-identify.cfg", data, len);  (if it exists)
 *     ci_config_set_cmdline(&c, cmdline);        (of the default boot entry)
 *     ci_evaluate(&c, &e);  ...  ci_boot_predict(&c, &e, &env, &boot);
 */
#ifndef CVMPREP_CLOUDINIT_H
#define CVMPREP_CLOUDINIT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"
#include "ydoc.h"

/* cloud-init's version decides how ds-identify reads its inputs. 0.0.0: unknown (newest). */
struct ci_version {
	int major, minor, patch;
};
/* "22.4.2-1+deb12u1", "23.4-7.el9_4.5", "20.1.0011": true when a major.minor was found. */
bool ci_version_parse(const char *s, struct ci_version *v);

/* One configuration source. */
struct ci_file {
	char *path;
	char *data; /* a copy of the bytes: ds-identify reads lines, not YAML */
	size_t len;
	struct ydoc doc;
	bool usable;      /* cloud-init takes settings from it */
	char *error;      /* why cloud-init ignores it (malformed YAML, not a mapping), or NULL */
	unsigned error_line;
	bool too_big;     /* error is one of our bounds: left out, although cloud-init may read it */
	unsigned merge_how_line; /* a merge_how/merge_type key: cloud-init merges it differently */
};

struct ci_config {
	struct ci_file *files; /* cloud.cfg, then the cloud.cfg.d drop-ins: lowest priority first */
	size_t n, alloc;
	struct ci_file cc; /* "cc: ... end_cc" of the kernel command line: the highest priority */
	bool has_cc;
	char *cmdline;   /* kernel command line; NULL: unknown */
	char *dsi_path;  /* ds-identify.cfg */
	char *dsi_data;
	size_t dsi_len;
	struct ci_version version;
	bool no_dmi_arch; /* not x86: ds-identify's default policy differs before 25.2 */
};

void ci_config_init(struct ci_config *c);
void ci_config_free(struct ci_config *c);
/*
 * Linux (libyaml). Add one file, in cloud-init's order. A broken file is kept with its error and
 * contributes nothing, as cloud-init skips it and goes on with the others.
 */
void ci_config_add_file(struct ci_config *c, const char *path, const char *data, size_t len);
/* Linux (libyaml). The kernel command line: ds=, ci.ds=, cloud-init=, ci.di.policy=, cc: ... end_cc. */
void ci_config_set_cmdline(struct ci_config *c, const char *cmdline);
/* Portable core of the two above: the YAML already loaded (doc moved in; err NULL or its error). */
void ci_config_add_loaded(struct ci_config *c, const char *path, const char *data, size_t len,
			  struct ydoc *doc, const struct yerr *err);
void ci_config_set_cmdline_loaded(struct ci_config *c, const char *cmdline, struct ydoc *cc_doc,
				  const struct yerr *cc_err);
void ci_config_set_dsidentify(struct ci_config *c, const char *path, const char *data, size_t len);

/* The YAML text of "cc: ... end_cc" parts of a command line (percent-decoded), or NULL if none. */
char *ci_cmdline_cc(const char *cmdline);
/*
 * The drop-in directory cloud-init reads after cloud.cfg: cloud.cfg's conf_d if set (NULL when
 * set empty or to a non-string: then none is read), else "/etc/cloud/cloud.cfg.d". Call after
 * adding cloud.cfg (a file whose path ends in "/cloud.cfg"). Caller frees.
 */
char *ci_conf_d(const struct ci_config *c);
/* cloud-init reads the entries of the drop-in directory whose names end in ".cfg". */
bool ci_confd_wanted(const char *name);

/* Where a setting came from: file NULL means cloud-init's built-in default. */
struct ci_origin {
	char *file;
	unsigned line;
};

/* The effective value at a path of the merged configuration ({"datasource", "ConfigDrive", "dsmode", NULL}). */
struct ci_found {
	const struct ci_file *file; /* the source that decided it (on -E2BIG: the one we gave up on) */
	size_t key, value;          /* node ids in file->doc */
	unsigned line;              /* of the key */
};
/* 1 found, 0 not set (or a level above is not a mapping), -E2BIG: merge keys too deep to follow. */
int ci_lookup(const struct ci_config *c, const char *const *path, struct ci_found *out);

/*
 * A datasource_list. names: the names as written (a mapping: its keys, as cloud-init iterates
 * them; a string: split at commas, which only ds-identify does); entries that are not strings
 * are left out and named in problem.
 */
struct ci_dslist {
	struct strvec names;
	struct ci_origin at;
	bool is_default;  /* nothing set it: the built-in list of that version */
	bool from_string; /* a string, not a list: cloud-init itself would iterate its characters */
	char *problem;    /* why cloud-init cannot use it as written, or NULL */
};

enum ci_mode { CI_MODE_SEARCH, CI_MODE_REPORT, CI_MODE_ENABLED, CI_MODE_DISABLED };
struct ci_policy {
	enum ci_mode mode;
	bool found_first;      /* found=first (else all) */
	bool maybe_all;        /* maybe=all (else none) */
	bool notfound_enabled; /* notfound=enabled (else disabled) */
	char *text;            /* as written; NULL: the default */
	struct ci_origin at;   /* ds-identify.cfg line, or file "kernel command line" */
};

enum ci_switch { CI_SWITCH_UNSET, CI_SWITCH_ENABLED, CI_SWITCH_DISABLED };

struct ci_setting {
	bool set;
	char *value;          /* scalar text; a list joined with ", " */
	struct strvec list;   /* a list's scalar items */
	struct ci_origin at;
};

struct ci_eval {
	struct ci_dslist dslist;     /* cloud-init's merged datasource_list */
	struct ci_dslist dsi_dslist; /* what ds-identify reads from the same files, line by line */
	struct ci_setting configdrive_dsmode;     /* datasource: ConfigDrive: dsmode */
	struct ci_setting tencent_metadata_urls;  /* datasource: TencentCloud: metadata_urls */
	struct ci_setting network_config;         /* network: config (e.g. "disabled") */
	struct ci_setting renderers;              /* system_info: network: renderers */
	char *cmdline_ds;                         /* ds=/ci.ds=/ci.datasource= as cloud-init reads it */
	char *dsi_dsname;                         /* the datasource ds-identify is told to use */
	struct ci_origin dsi_dsname_at;
	struct ci_policy policy;
	enum ci_switch cmdline_switch; /* cloud-init=enabled|disabled, as the systemd generator reads it */
	struct strvec notes;           /* "file:line: message" */
};

/*
 * Merge and read everything. 0, or -E2BIG when part of the configuration exceeded our bounds
 * (a file too large or too deeply nested, merge keys too deep to follow): the result leaves that
 * part out and the notes say which.
 */
int ci_evaluate(const struct ci_config *c, struct ci_eval *e);
void ci_eval_free(struct ci_eval *e);

/* The list names ConfigDrive or TencentCloud (Tencent's build), the datasources that read the config drive. */
bool ci_list_reaches_config_drive(const struct strvec *names);
/* ds-identify's rule: one entry, or two with None second: it skips detection and uses the list. */
bool ci_list_is_single(const struct strvec *names);

/* What the first boot on CVM depends on beyond the configuration. */
struct ci_boot_env {
	bool marker_enabled;       /* /etc/cloud/cloud-init.enabled */
	bool marker_disabled;      /* /etc/cloud/cloud-init.disabled */
	bool has_ds_identify;      /* the generator runs ds-identify (when the generator is there) */
	bool config_drive_visible; /* /dev/sr0 with label config-2 exists when the generator runs */
	bool seed_config_drive;    /* /var/lib/cloud/seed/config_drive (leftover) */
	bool manual_clean;         /* /var/lib/cloud/instance/manual-clean */
};

enum ci_boot_why {
	CI_WHY_CMDLINE_DISABLED,  /* cloud-init=disabled on the kernel command line */
	CI_WHY_MARKER_DISABLED,   /* /etc/cloud/cloud-init.disabled */
	CI_WHY_POLICY_DISABLED,   /* ds-identify policy mode disabled */
	CI_WHY_NOTFOUND_DISABLED, /* detection found nothing, policy notfound=disabled */
	CI_WHY_NO_DS_IDENTIFY,    /* no ds-identify: cloud-init runs with its own list */
	CI_WHY_POLICY_ENABLED,    /* ds-identify policy mode enabled: no detection */
	CI_WHY_POLICY_REPORT,     /* report mode: ds-identify writes nothing cloud-init reads */
	CI_WHY_DSNAME,            /* a datasource named on the command line or in ds-identify.cfg */
	CI_WHY_MANUAL_CLEAN,      /* manual_cache_clean: ds-identify writes no list */
	CI_WHY_SINGLE,            /* a single-entry list: no detection */
	CI_WHY_SINGLE_UNREADABLE, /* ...written back as YAML cloud-init cannot load: its own list */
	CI_WHY_FOUND,             /* detection found the config drive */
	CI_WHY_NOTFOUND_ENABLED,  /* detection found nothing, policy notfound=enabled */
	CI_WHY_GENERATOR_FAILS,   /* no ds-identify with the generator of 23.4 and later: nothing starts cloud-init */
};
const char *ci_boot_why_text(enum ci_boot_why w);

struct ci_boot {
	bool enabled;
	enum ci_boot_why why;
	bool detection_skipped;   /* ds-identify did not look for datasources */
	struct strvec dslist;     /* what cloud-init then tries, in order (empty when disabled) */
	bool reaches_config_drive;
};
/*
 * Predict the first boot on CVM (x86_64 KVM whose only datasource is the config drive: other
 * datasources' detection is assumed to find nothing there). Order as the systemd generator and
 * ds-identify decide: command line switch, marker files, ds-identify's policy, named datasource,
 * single-entry list, detection.
 */
void ci_boot_predict(const struct ci_config *c, const struct ci_eval *e, const struct ci_boot_env *env,
		     struct ci_boot *out);
void ci_boot_free(struct ci_boot *b);

#endif
