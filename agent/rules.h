/* The Linux checks: their registry entries and pure rules (facts in, findings out). */
#ifndef CVMPREP_RULES_H
#define CVMPREP_RULES_H

#include <stdbool.h>

#include "check.h"
#include "facts.h"
#include "report.h"

extern const struct check check_os_release;
extern const struct check check_boot_firmware;
extern const struct check check_boot_loader;
extern const struct check check_boot_root_device;
extern const struct check check_disk_partition_table;
extern const struct check check_disk_layout;
extern const struct check check_disk_size;
extern const struct check check_disk_free_space;
extern const struct check check_fstab_device_names;
extern const struct check check_fstab_other_disks;
extern const struct check check_security_shadow;
extern const struct check check_guest_tools;
extern const struct check check_kernel_virtio;
extern const struct check check_kernel_native;
extern const struct check check_initramfs_virtio;
extern const struct check check_cloudinit_installed;
extern const struct check check_cloudinit_enabled;
extern const struct check check_cloudinit_datasource;
extern const struct check check_cloudinit_state;
extern const struct check check_net_ifnames;
extern const struct check check_net_persistent_rules;
extern const struct check check_net_config;
extern const struct check check_generalize_machine_id;
extern const struct check check_generalize_ssh_host_keys;
extern const struct check check_generalize_dhcp_leases;
extern const struct check check_generalize_shell_history;

/* The state of a module in kernel k (libkmod's answer, or /boot/config's when there is no index). */
enum mod_state kernel_mod_state(const struct kernel_info *k, const char *name, const struct kmod_fact **out);
/* Whether the kernel's initramfs holds module name; whether it is there before the root (built in too). */
bool kernel_irf_has(const struct kernel_info *k, const char *name);
bool kernel_early(const struct kernel_info *k, const char *name);

/* Fix planners (agent/fix_*.c). */
struct plan;
struct ctx;
int plan_fstab_device_names(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_fstab_other_disks(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_security_shadow(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_boot_root_device(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_guest_tools(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_initramfs_virtio(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_cloudinit_installed(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_cloudinit_enabled(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_cloudinit_datasource(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_cloudinit_state(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_net_ifnames(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_net_persistent_rules(struct ctx *ctx, const struct facts *f, struct plan *p);
int plan_net_config(struct ctx *ctx, const struct facts *f, struct plan *p);
/* Make kernel k's initramfs hold mods (persistent generator config + rebuild + verify). */
int plan_initramfs_add(struct ctx *ctx, const struct facts *f, struct plan *p, const struct check *c,
		       const struct kernel_info *k, const char *const *mods);

/* Import limits, in bytes (import-rules.md: GB may mean 10^9 or 2^30). */
#define LIMIT_VIRTUAL_SI (500ull * 1000 * 1000 * 1000)
#define LIMIT_VIRTUAL_IEC (500ull << 30)
#define LIMIT_QCOW2_SI (50ull * 1000 * 1000 * 1000)
#define LIMIT_QCOW2_IEC (50ull << 30)

#endif
