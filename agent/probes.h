/*
 * Probes of the Linux checks (implemented in linux/). Each fills one section of struct facts
 * the first time it is called and does nothing afterwards, so checks can list what they need.
 */
#ifndef CVMPREP_PROBES_H
#define CVMPREP_PROBES_H

#include "ctx.h"
#include "facts.h"

void probe_os(struct ctx *ctx, struct facts *f);
void probe_fstab(struct ctx *ctx, struct facts *f);
void probe_boot(struct ctx *ctx, struct facts *f);
void probe_firmware(struct ctx *ctx, struct facts *f);
/* The system disk, its partition table and boot sector, and where fstab's entries and the system
 * mounts live (fills fstab's loc fields too). */
void probe_disk(struct ctx *ctx, struct facts *f);
void probe_fsusage(struct ctx *ctx, struct facts *f);
void probe_shadow(struct ctx *ctx, struct facts *f);
void probe_guest(struct ctx *ctx, struct facts *f);
/* Installed kernels, their virtio modules (libkmod), images, configs and packages. */
void probe_kernels(struct ctx *ctx, struct facts *f);

#endif
