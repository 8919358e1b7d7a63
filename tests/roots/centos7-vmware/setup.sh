#!/usr/bin/env bash
# CentOS 7 on VMware: each kernel's modules (.ko.xz, real files indexed by depmod), and the
# initramfs dracut builds in its default host-only mode on VMware (gzip): the VMware storage
# path, no virtio. The rescue image's initramfs is generic (it has virtio), as dracut makes it.
# Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
# Directories git cannot hold: every system has them.
mkdir -p "$root/etc/dracut.conf.d" "$root/var/lib"
for v in 3.10.0-1160.95.1.el7.x86_64 3.10.0-1160.el7.x86_64; do
	python3 "$mk" modules "$root" "/usr/lib/modules/$v" xz \
		virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs \
		vmw_pvscsi mptspi vmxnet3 e1000 sd_mod xfs
	python3 "$mk" initramfs "$root" "/boot/initramfs-$v.img" "/usr/lib/modules/$v" gzip --style dracut \
		vmw_pvscsi mptspi sd_mod ata_piix xfs
done
python3 "$mk" initramfs "$root" /boot/initramfs-0-rescue-0b1a9a7e5c1d4f6e8a217d0c3e4b5a69.img \
	/usr/lib/modules/3.10.0-1160.el7.x86_64 gzip --style dracut \
	virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci vmw_pvscsi mptspi sd_mod xfs
