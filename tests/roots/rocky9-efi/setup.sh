#!/usr/bin/env bash
# Rocky 9 (EFI): dracut's image (gzip) with the virtio disk driver.
# The module tree stays hand-made (modules.dep, no binary index), so the initramfs holds
# placeholder module files. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
python3 "$mk" initramfs "$root" /boot/initramfs-5.14.0-284.11.1.el9_2.x86_64.img /usr/lib/modules/5.14.0-284.11.1.el9_2.x86_64 gzip --style dracut --placeholders virtio_blk virtio_net sr_mod ata_piix ahci
