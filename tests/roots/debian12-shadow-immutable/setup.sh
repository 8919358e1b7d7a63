#!/usr/bin/env bash
# chattr +i /etc/shadow, as some hardening guides do. Needs root and a filesystem with inode flags.
# The rest is a Debian 12 prepared for the import: modules as real .ko files indexed by depmod,
# an initramfs-tools image (MODULES=most, zstd) with virtio and the CD-ROM stack.
# Args: ROOT OUTSIDE. teardown.sh clears the flag so that the scratch copy can be removed.
set -eu
[ "$(id -u)" -eq 0 ] || { echo "chattr +i needs root" >&2; exit 77; }
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
v=6.1.0-13-amd64
python3 "$mk" modules "$root" "/usr/lib/modules/$v" none \
	virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs e1000 sd_mod
python3 "$mk" initramfs "$root" "/boot/initrd.img-$v" "/usr/lib/modules/$v" zstd --style tools \
	virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs e1000 sd_mod
mkdir -p "$root/var/lib"
chattr +i "$1/etc/shadow" || { echo "this filesystem has no immutable flag" >&2; exit 77; }
