#!/usr/bin/env bash
# Arch Linux: one kernel, seen twice by name. The image is /boot/vmlinuz-linux (named after the
# package, pkgbase "linux") and the module directory /usr/lib/modules/6.6.1-arch1-1 holds the
# package's copy as vmlinuz. Modules as .ko.zst indexed by depmod; mkinitcpio's images (zstd):
# the autodetected one of a KVM guest (virtio, no CD-ROM) and the fallback with everything.
# Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
m=/usr/lib/modules/6.6.1-arch1-1
mkdir -p "$root/var/lib"
python3 "$mk" modules "$root" $m zst virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs sd_mod e1000
python3 "$mk" initramfs "$root" /boot/initramfs-linux.img $m zstd --style mkinitcpio virtio_blk virtio_pci virtio_net
python3 "$mk" initramfs "$root" /boot/initramfs-linux-fallback.img $m zstd --style mkinitcpio \
	virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs sd_mod e1000
