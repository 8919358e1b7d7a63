#!/usr/bin/env bash
# CentOS 7 as a kickstart leaves the chroot before the bootloader is configured: two kernels
# (the updated one installed beside the original), no GRUB configuration yet. Modules .ko.xz
# indexed by depmod; dracut's initramfs (gzip) with virtio. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
for v in 3.10.0-1160.el7.x86_64 3.10.0-1160.95.1.el7.x86_64; do
	python3 "$mk" modules "$root" "/usr/lib/modules/$v" xz virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci
	python3 "$mk" initramfs "$root" "/boot/initramfs-$v.img" "/usr/lib/modules/$v" gzip --style dracut \
		virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci
done
