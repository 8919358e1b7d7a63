#!/usr/bin/env bash
# Ubuntu 22.04: virtio built into the kernel (as Ubuntu's generic kernel has it), the rest as
# real .ko files indexed by depmod; initramfs-tools images (MODULES=most, zstd) that hold the
# config drive's CD-ROM stack. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
for v in 5.15.0-86-generic 5.15.0-88-generic; do
	python3 "$mk" modules "$root" "/usr/lib/modules/$v" none \
		sr_mod ata_piix ahci isofs virtio_scsi vmw_pvscsi vmxnet3 e1000 sd_mod
	python3 "$mk" initramfs "$root" "/boot/initrd.img-$v" "/usr/lib/modules/$v" zstd --style tools \
		sr_mod ata_piix ahci isofs virtio_scsi vmw_pvscsi vmxnet3 e1000 sd_mod
done
# Modes git does not keep.
chmod 0444 "$root/etc/machine-id"
chmod 0600 "$root"/etc/ssh/ssh_host_*_key "$root/root/.bash_history" "$root/home/ubuntu/.bash_history"
chmod 0700 "$root/root"
