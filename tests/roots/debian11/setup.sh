#!/usr/bin/env bash
# Debian 11: four kernels, modules as real .ko files indexed by depmod; initramfs-tools images
# (MODULES=most, gzip) with virtio and the CD-ROM stack. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
for v in 5.10.0-9-amd64 5.10.0-21-amd64 5.10.0-23-amd64 5.10.0-26-amd64; do
	python3 "$mk" modules "$root" "/lib/modules/$v" none \
		virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs e1000 sd_mod
	python3 "$mk" initramfs "$root" "/boot/initrd.img-$v" "/lib/modules/$v" gzip --style tools \
		virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs e1000 sd_mod
done
