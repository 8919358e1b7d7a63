#!/usr/bin/env bash
# Each file the checks read is a symlink to OUTSIDE/<name> (absolute, relative with many "..", or
# through /proc/self/root). OUTSIDE holds canaries; ROOT/OUTSIDE holds the benign twins that
# resolution inside the root must find instead. Args: ROOT OUTSIDE.
set -eu
root=$1 outside=$2
canary=$(cat "$outside/canary")
here=$(cd "$(dirname "$0")" && pwd)
up=../../../../../../../../../../../../../../../..

# The canaries, outside the root.
mkdir -p "$outside/grub/i386-pc" "$outside/EFI/$canary" "$outside/opt/VBoxGuestAdditions-$canary"
printf 'ID=canaryos\nVERSION_ID=%s\nPRETTY_NAME="%s"\n' "$canary" "$canary" > "$outside/os-release"
printf '/dev/sdz9 /%s ext4 defaults 0 0\n' "$canary" > "$outside/fstab"
printf "menuentry '%s' {\n\tlinux /vmlinuz root=/dev/sdz9 resume=/dev/sdz8\n}\n" "$canary" > "$outside/grub/grub.cfg"
printf 'GRUB_CMDLINE_LINUX="root=/dev/sdz9 %s"\nGRUB_DISABLE_LINUX_UUID=true\n' "$canary" > "$outside/default-grub"
printf 'Package: open-vm-tools\nStatus: install ok installed\nVersion: %s\n' "$canary" > "$outside/dpkg-status"
printf 'MZ' > "$outside/EFI/$canary/grubx64.efi"
mkfifo "$outside/shadow"
mkdir -p "$outside/modules/6.6.6-$canary"
printf 'kernel/drivers/block/virtio_blk.ko:\n' > "$outside/modules/6.6.6-$canary/modules.dep"
printf 'CONFIG_VIRTIO=y\n# CONFIG_VIRTIO_BLK is not set\n' > "$outside/config"
python3 -c 'import sys,struct; open(sys.argv[1],"wb").write(b"\x7fELF\x02\x02\x01\x00"+b"\0"*8+struct.pack(">HHI",3,22,1)+b"\0"*40)' "$outside/sh"

# The new checks' files: a cloud-init configuration, instance state, ifupdown's interfaces, udev
# rules binding a MAC, and an initramfs whose module paths carry the canary.
mkdir -p "$outside/cloud" "$outside/varlibcloud/instances/$canary" "$outside/rules.d"
printf 'datasource_list: [ %s ]\n' "$canary" > "$outside/cloud/cloud.cfg"
printf 'auto eth0\niface eth0 inet static\n    address 10.9.9.9\n# %s\n' "$canary" > "$outside/interfaces"
printf 'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="00:11:22:33:44:55", NAME="%s"\n' "$canary" \
	> "$outside/rules.d/70-persistent-net.rules"
python3 "$here/../_lib/mkkernel.py" initramfs "$outside" /initrd "/modules/6.6.6-$canary" gzip --placeholders virtio_blk

# The twins, at the same path inside the root.
mkdir -p "$root$outside"
cp -a "$here/twins/." "$root$outside/"
mkdir -p "$root$outside/varlibcloud" "$root$outside/rules.d"
python3 "$here/../_lib/mkkernel.py" initramfs "$root$outside" /initrd /modules/6.1.0-13-amd64 gzip --placeholders \
	--style tools virtio_blk virtio_pci virtio_net sr_mod ata_piix ahci

# The escapes.
mkdir -p "$root/etc/default" "$root/boot" "$root/var/lib/dpkg" "$root/usr/bin" "$root/lib" "$root/proc/self" \
	"$root/etc/network" "$root/etc/udev" "$root/usr/sbin"
# Inside the root, /proc/self/root is an ordinary symlink to the root itself (made here, not kept
# in git, where it would point at the host's /).
ln -s / "$root/proc/self/root"
ln -s "$outside/os-release" "$root/etc/os-release"
ln -s "$up$outside/fstab" "$root/etc/fstab"
ln -s "$outside/grub" "$root/boot/grub"
ln -s "/proc/self/root$outside/default-grub" "$root/etc/default/grub"
ln -s "$up$outside/shadow" "$root/etc/shadow"
ln -s "$outside/dpkg-status" "$root/var/lib/dpkg/status"
ln -s usr/bin "$root/bin"
ln -s "$up$outside/sh" "$root/usr/bin/sh"
ln -s "$outside/EFI" "$root/boot/efi"
ln -s "/proc/self/root$outside/opt" "$root/opt"
ln -s "$outside/modules" "$root/lib/modules"
ln -s "/proc/self/root$outside/config" "$root/boot/config-6.1.0-13-amd64"
ln -s "$up$outside/initrd" "$root/boot/initrd.img-6.1.0-13-amd64"
ln -s "/proc/self/root$outside/cloud" "$root/etc/cloud"
ln -s "$up$outside/varlibcloud" "$root/var/lib/cloud"
ln -s "$outside/interfaces" "$root/etc/network/interfaces"
ln -s "$outside/rules.d" "$root/etc/udev/rules.d"
# ifupdown is installed (a plain file: only its presence counts).
cp "$root$outside/sh" "$root/usr/sbin/ifup"
