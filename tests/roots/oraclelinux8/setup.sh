#!/usr/bin/env bash
# Oracle Linux 8 with RHCK and UEK: dracut images with virtio, made with --bzip2 (RHCK) and
# --lzma (UEK), compressions the reader must know too. The module trees stay hand-made
# (modules.dep, no binary index), so the images hold placeholder module files. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
python3 "$mk" initramfs "$root" /boot/initramfs-4.18.0-477.10.1.el8_8.x86_64.img \
	/usr/lib/modules/4.18.0-477.10.1.el8_8.x86_64 bzip2 --style dracut --placeholders virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci
python3 "$mk" initramfs "$root" /boot/initramfs-5.15.0-101.103.2.1.el8uek.x86_64.img \
	/usr/lib/modules/5.15.0-101.103.2.1.el8uek.x86_64 lzma --style dracut --placeholders virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci
