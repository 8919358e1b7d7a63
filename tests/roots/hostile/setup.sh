#!/usr/bin/env bash
# What git cannot hold: device nodes, FIFOs, a sparse 2 GB file, symlink loops, and symlinks that
# try to leave the root for canaries in the outside directory. Args: ROOT OUTSIDE.
set -eu
root=$1 outside=$2
canary=$(cat "$outside/canary")
[ "$(id -u)" -eq 0 ] || { echo "mknod needs root" >&2; exit 77; }
mkdir -p "$root/dev" "$root/etc/default" "$root/var/lib/dpkg" "$root/usr/bin" "$root/usr/sbin" "$root/boot/grub"

# /etc/fstab -> /dev/zero, and inside the root /dev/zero really is the zero device.
mknod "$root/dev/zero" c 1 5
mknod "$root/dev/null" c 1 3
ln -s /dev/zero "$root/etc/fstab"
# A 2 GB sparse os-release (no fallback to /usr/lib/os-release: /etc wins when it exists).
truncate -s 2G "$root/etc/os-release"
# grub.cfg is a FIFO nobody writes to: opening it for reading would block forever.
mkfifo "$root/boot/grub/grub.cfg"
# /etc/shadow is a symlink to itself; /etc/default/grub.d is a directory loop.
ln -s shadow "$root/etc/shadow"
ln -s grub.d "$root/etc/default/grub.d"
# The shells the arch probe tries first are a FIFO and the zero device; /sbin/init is a real ELF.
mkfifo "$root/usr/bin/sh"
ln -s /dev/zero "$root/usr/bin/env"

# A kernel whose module index is a 2 GB sparse file, a FIFO and the zero device, and whose config
# is a symlink out of the root (the canary config would vouch for virtio).
md="$root/usr/lib/modules/6.1.0-13-amd64"
mkdir -p "$md" "$root/boot"
truncate -s 2G "$md/modules.dep.bin"
mkfifo "$md/modules.dep"
ln -s /dev/zero "$md/modules.builtin"

# Escapes, relative and absolute, to canaries that would change the report if they were read.
mkdir -p "$outside/EFI/$canary" "$outside/opt/VBoxGuestAdditions-$canary"
printf 'MZ' > "$outside/EFI/$canary/grubx64.efi"
printf 'Package: open-vm-tools\nStatus: install ok installed\nVersion: %s\n' "$canary" > "$outside/dpkg-status"
printf 'canary %s\n' "$canary" > "$outside/VBoxService"
printf 'CONFIG_VIRTIO=y\nCONFIG_VIRTIO_PCI=y\nCONFIG_VIRTIO_BLK=y\nCONFIG_VIRTIO_NET=y\n# %s\n' "$canary" > "$outside/config"
up=../../../../../../../../../../../../../../../..
ln -s "$up$outside/EFI" "$root/boot/efi"
ln -s "$outside/opt" "$root/opt"
ln -s "$up$outside/dpkg-status" "$root/var/lib/dpkg/status"
ln -s "$outside/VBoxService" "$root/usr/sbin/VBoxService"
ln -s "$up$outside/config" "$root/boot/config-6.1.0-13-amd64"

# The new checks' files. A second kernel, sane, whose initramfs is a zstd archive cut short.
md14="$root/usr/lib/modules/6.1.0-14-amd64"
mkdir -p "$md14"
printf 'kernel/drivers/virtio/virtio.ko:\nkernel/drivers/virtio/virtio_ring.ko:\nkernel/drivers/virtio/virtio_pci.ko:\nkernel/drivers/block/virtio_blk.ko:\nkernel/drivers/net/virtio_net.ko:\n' >"$md14/modules.dep"
printf 'CONFIG_VIRTIO=m\nCONFIG_VIRTIO_PCI=m\nCONFIG_VIRTIO_BLK=m\nCONFIG_VIRTIO_NET=m\n' >"$root/boot/config-6.1.0-14-amd64"
printf 'placeholder for the kernel image of 6.1.0-14-amd64\n' >"$root/boot/vmlinuz-6.1.0-14-amd64"
python3 "$(dirname "$0")/../_lib/mkkernel.py" initramfs "$root" /boot/initrd.full /usr/lib/modules/6.1.0-14-amd64 zstd \
	--placeholders virtio_blk virtio_pci
head -c 200 "$root/boot/initrd.full" >"$root/boot/initrd.img-6.1.0-14-amd64"
rm "$root/boot/initrd.full"
# cloud-init: cloud.cfg is the zero device, a drop-in is a YAML alias bomb, another a directory
# loop; the instance state is a symlink to the canaries outside.
mkdir -p "$root/etc/cloud/cloud.cfg.d" "$root/var/lib" "$outside/cloud-instances/$canary"
ln -s /dev/zero "$root/etc/cloud/cloud.cfg"
{
	echo 'a: &a ["x","x","x","x","x","x","x","x","x"]'
	for l in b c d e f g h i j k l m; do
		prev=$(printf '%s' "$l" | tr 'b-m' 'a-l')
		printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' "$l" "$l" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev"
	done
	echo 'datasource_list: *m'
} >"$root/etc/cloud/cloud.cfg.d/50-bomb.cfg"
ln -s . "$root/etc/cloud/cloud.cfg.d/60-loop.cfg"
mkdir -p "$root/var/lib/cloud"
ln -s "$up$outside/cloud-instances" "$root/var/lib/cloud/instances"
# Network: interfaces is a FIFO (with ifup installed), a netplan file is 2 GB of nothing, the udev
# rules directory loops onto itself.
mkdir -p "$root/etc/network" "$root/etc/netplan" "$root/etc/udev" "$root/sbin"
mkfifo "$root/etc/network/interfaces"
cp "$root/usr/sbin/init" "$root/sbin/ifup" 2>/dev/null || printf '\177ELF' >"$root/sbin/ifup"
truncate -s 2G "$root/etc/netplan/01-netcfg.yaml"
ln -s rules.d "$root/etc/udev/rules.d"
# cloud-init is installed (the program and its Python package), so the bomb is evaluated.
mkdir -p "$root/usr/lib/python3/dist-packages/cloudinit"
printf '#!/usr/bin/python3\n' >"$root/usr/bin/cloud-init"
