#!/usr/bin/env bash
# Ubuntu 22.04 as Ubuntu's server installer (subiquity) leaves it on VMware, then disabled by
# hand: virtio built in, the rest as real .ko files indexed by depmod; initramfs-tools image
# (MODULES=most) with the early microcode archive in front and the main one zstd-compressed.
# Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
v=5.15.0-88-generic
python3 "$mk" modules "$root" "/usr/lib/modules/$v" none sr_mod ata_piix ahci isofs vmw_pvscsi vmxnet3 e1000 sd_mod
python3 "$mk" initramfs "$root" "/boot/initrd.img-$v" "/usr/lib/modules/$v" zstd --early --style tools \
	sr_mod ata_piix ahci isofs vmw_pvscsi vmxnet3 e1000 sd_mod
