#!/usr/bin/env bash
# Debian 12 on Proxmox (KVM), cloud-init installed, as "Learnt by booting" in import-rules.md
# found it: /etc/network/interfaces written by the installer without `source` of interfaces.d,
# and an initramfs-tools image made with MODULES=dep: the virtio disk driver is in it, the
# config drive's CD-ROM stack is not. Intel microcode in an early uncompressed archive, the main
# one zstd. Modules as real .ko files indexed by depmod. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
v=6.1.0-13-amd64
mkdir -p "$root/var/lib"
python3 "$mk" modules "$root" "/usr/lib/modules/$v" none \
	virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs e1000 sd_mod
python3 "$mk" initramfs "$root" "/boot/initrd.img-$v" "/usr/lib/modules/$v" zstd --early --style tools \
	virtio_blk virtio_pci virtio_net
