/* The Windows checks and their probes. */
#ifndef CVMPREP_WINCHECKS_H
#define CVMPREP_WINCHECKS_H

#include "check.h"
#include "ctx.h"
#include "facts.h"

extern const struct check check_win_os;
extern const struct check check_win_firmware;
extern const struct check check_win_partition_table;
extern const struct check check_win_dynamic_disk;
extern const struct check check_win_filesystem;
extern const struct check check_win_disk_size;
extern const struct check check_win_virtio_installed;
extern const struct check check_win_virtio_boot_critical;
extern const struct check check_win_cbinit_installed;
extern const struct check check_win_cbinit_config;
extern const struct check check_win_cbinit_service;
extern const struct check check_win_network;
extern const struct check check_win_fast_startup;
extern const struct check check_win_pending_reboot;
extern const struct check check_win_guest_tools;
extern const struct check check_win_activation;

void probe_winver(struct ctx *ctx, struct facts *f);
void probe_win_firmware(struct ctx *ctx, struct facts *f);
/* The system disk and its partition table (the fake backend's image in tests). */
void probe_win_disk(struct ctx *ctx, struct facts *f);
void probe_win_volume(struct ctx *ctx, struct facts *f);
void probe_win_virtio(struct ctx *ctx, struct facts *f);
void probe_win_cbinit(struct ctx *ctx, struct facts *f);
void probe_win_net(struct ctx *ctx, struct facts *f);
void probe_win_power(struct ctx *ctx, struct facts *f);
void probe_win_reboot(struct ctx *ctx, struct facts *f);
void probe_win_tools(struct ctx *ctx, struct facts *f);

#endif
