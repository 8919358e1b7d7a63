#!/usr/bin/env bash
# Ubuntu 20.04: virtio is built into the kernel; the initramfs-tools image (MODULES=most, lz4, Ubuntu's default since 19.10) holds the CD-ROM stack.
# The module tree stays hand-made (modules.dep, no binary index), so the initramfs holds
# placeholder module files. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
python3 "$mk" initramfs "$root" /boot/initrd.img-5.4.0-167-generic /usr/lib/modules/5.4.0-167-generic lz4 --style tools --placeholders sr_mod ata_piix ahci isofs
