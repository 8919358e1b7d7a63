#!/usr/bin/env bash
# CentOS 6 (i686): hand-made module trees (modules.dep, no binary index: this host has no i686
# modules for depmod); dracut 004's generic initramfs (gzip), which has virtio, with placeholder
# module files. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
for v in 2.6.32-754.el6.i686 2.6.32-754.35.1.el6.i686; do
	python3 "$mk" initramfs "$root" "/boot/initramfs-$v.img" "/lib/modules/$v" gzip --style dracut --placeholders \
		virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci isofs
done
