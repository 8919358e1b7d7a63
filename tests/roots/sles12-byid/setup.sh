#!/usr/bin/env bash
# SLES 12 SP5: dracut's image (xz) with virtio.
# The module tree stays hand-made (modules.dep, no binary index), so the initramfs holds
# placeholder module files. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
python3 "$mk" initramfs "$root" /boot/initrd.img-4.12.14-122.183-default /lib/modules/4.12.14-122.183-default xz --style dracut --placeholders virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci
