#!/usr/bin/env bash
# TencentOS 3: dracut's image (gzip) with virtio.
# The module tree stays hand-made (modules.dep, no binary index), so the initramfs holds
# placeholder module files. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
python3 "$mk" initramfs "$root" /boot/initrd.img-5.4.119-19.0009.28.tl3.x86_64 /usr/lib/modules/5.4.119-19.0009.28.tl3.x86_64 gzip --style dracut --placeholders virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci
