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
/* cloud-init: installed, units, merged configuration, first-boot prediction, instance state. */
void probe_cloudinit(struct ctx *ctx, struct facts *f);
/* Network naming, MAC-binding udev rules, and the network stacks' files. */
void probe_net(struct ctx *ctx, struct facts *f);
/* Machine ID, SSH host keys, DHCP leases, shell histories (generalize.*). */
void probe_generalize(struct ctx *ctx, struct facts *f);
/* Installed kernels, their virtio modules (libkmod), images, configs and packages. */
void probe_kernels(struct ctx *ctx, struct facts *f);
/* The initramfs of each kernel's boot entry, and the virtio and CD-ROM modules inside (streamed). */
void probe_initramfs(struct ctx *ctx, struct facts *f);
/* Which of names the initramfs at path does not hold (for verifying a rebuild). 0 or -errno/-IRF_E*. */
int probe_initramfs_lacks(struct ctx *ctx, const char *path, const struct strvec *names, struct strvec *missing,
			  char **err);

/*
 * The UUID of the filesystem a device name means (live: probing it; mounted image: by partition
 * number on the image's disk when loc says it is there, or the filesystem mounted at --root for "/").
 * NULL with *why set.
 */
char *probe_uuid_for(struct ctx *ctx, const struct facts *f, const char *spec, const char *mountpoint,
		     enum disk_loc loc, char **why);

#endif
