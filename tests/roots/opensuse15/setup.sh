#!/usr/bin/env bash
# openSUSE Leap 15.5 on VMware: modules as .ko.zst indexed by depmod. The newest kernel's
# initramfs was rebuilt by dracut (host-only, xz) after 10-virtio.conf was added: it has virtio
# and everything it depends on. The older one was made by hand with only the modules named,
# without the dependencies libkmod names for virtio_pci. Args: ROOT OUTSIDE.
set -eu
root=$1
mk="$(dirname "$0")/../_lib/mkkernel.py"
mkdir -p "$root/var/lib"
for v in 5.14.21-150500.55.31-default 5.14.21-150500.55.39-default; do
	python3 "$mk" modules "$root" "/lib/modules/$v" zst \
		virtio_blk virtio_pci virtio_net virtio_scsi sr_mod ata_piix ahci isofs vmw_pvscsi vmxnet3 sd_mod
done
python3 "$mk" initramfs "$root" /boot/initrd-5.14.21-150500.55.39-default /lib/modules/5.14.21-150500.55.39-default \
	xz --style dracut virtio_blk virtio_pci virtio_net ahci sd_mod vmw_pvscsi
python3 "$mk" initramfs "$root" /boot/initrd-5.14.21-150500.55.31-default /lib/modules/5.14.21-150500.55.31-default \
	xz --style dracut --without virtio_pci_modern_dev --without virtio_pci_legacy_dev virtio_blk virtio_pci ahci sd_mod vmw_pvscsi
