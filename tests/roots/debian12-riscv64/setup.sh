#!/usr/bin/env bash
# Debian 12 on riscv64: a hand-made module tree (modules.dep and modules.builtin only, no
# binary index: this host has no riscv64 modules for depmod), so cvmprep falls back on
# /boot/config-*; the initramfs-tools image (zstd) holds placeholder module files.
# Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
v=6.1.0-13-riscv64
mkdir -p "$root/var/lib"
python3 "$mk" initramfs "$root" "/boot/initrd.img-$v" "/usr/lib/modules/$v" zstd --style tools --placeholders \
	virtio_blk virtio_pci virtio_net sr_mod ahci isofs
