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
