#!/usr/bin/env bash
# Debian 10: an initramfs-tools image (MODULES=most, gzip) with virtio and the CD-ROM stack.
# The module tree stays hand-made (modules.dep, no binary index), so the initramfs holds
# placeholder module files. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
python3 "$mk" initramfs "$root" /boot/initrd.img-4.19.0-25-amd64 /lib/modules/4.19.0-25-amd64 gzip --style tools --placeholders virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci isofs
