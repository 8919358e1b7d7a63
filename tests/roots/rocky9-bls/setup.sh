#!/usr/bin/env bash
# Rocky 9 built on KVM: modules as .ko.xz indexed by depmod (virtio, virtio_ring and virtio_pci
# are built in, as in RHEL 9's config); dracut's host-only images hold the virtio disk driver,
# with the early microcode archive in front (uncompressed) and the main one gzip-compressed, but
# no CD-ROM driver (the VM had none attached when they were built). The rescue image's
# initramfs is generic. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/etc/dracut.conf.d" "$root/var/lib"
for v in 5.14.0-162.6.1.el9_1.x86_64 5.14.0-284.11.1.el9_2.x86_64; do
	python3 "$mk" modules "$root" "/usr/lib/modules/$v" xz \
		virtio_blk virtio_net virtio_scsi virtio_console sr_mod ata_piix ahci isofs sd_mod e1000 xfs
	python3 "$mk" initramfs "$root" "/boot/initramfs-$v.img" "/usr/lib/modules/$v" gzip --early --style dracut \
		virtio_blk virtio_net virtio_console xfs
done
python3 "$mk" initramfs "$root" /boot/initramfs-0-rescue-8f3c2b1e4d5a6978a0b1c2d3e4f50617.img \
	/usr/lib/modules/5.14.0-284.11.1.el9_2.x86_64 gzip --style dracut \
	virtio_blk virtio_net virtio_scsi sr_mod ata_piix ahci isofs sd_mod e1000 xfs
