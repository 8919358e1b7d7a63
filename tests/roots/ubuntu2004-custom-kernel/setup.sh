#!/usr/bin/env bash
# Ubuntu 20.04 with a self-built kernel beside the stock one: initramfs-tools images (lz4); the custom kernel has no virtio_blk at all.
# The module tree stays hand-made (modules.dep, no binary index), so the initramfs holds
# placeholder module files. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
python3 "$mk" initramfs "$root" /boot/initrd.img-5.4.0-167-generic /usr/lib/modules/5.4.0-167-generic lz4 --style tools --placeholders sr_mod ata_piix ahci isofs
python3 "$mk" initramfs "$root" /boot/initrd.img-5.15.0-custom /usr/lib/modules/5.15.0-custom lz4 --style tools --placeholders sr_mod ata_piix ahci isofs
