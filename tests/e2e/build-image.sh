#!/usr/bin/env bash
# Write one boot-test variant as a bootable raw disk: build-image.sh VARIANT BASE_ROOT OUT.img.
# A sparse disk with an MBR table and one ext4 partition, the base root copied in and changed
# as the variant says (in a chroot on the mounted image), GRUB installed into the MBR.
# Variants:
#   vmware-itools  exported from VMware: initramfs-tools MODULES=list with IDE/SATA drivers
#                  only (no virtio), /dev/sda1 in fstab and root=, ifupdown on ens33 without
#                  interfaces.d, cloud-init datasource_list [ NoCloud, None ], open-vm-tools
#   vmware-dracut  the same with a dracut host-only initramfs
#   vmware-nocloud the same as vmware-itools without cloud-init (for --forced-import)
#   control        clean and cloud-ready: UUIDs, virtio in the initramfs (MODULES=most),
#                  net.ifnames=0, ConfigDrive datasource, interfaces sourcing interfaces.d
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || e2e_die "usage: build-image.sh VARIANT BASE_ROOT OUT.img"
variant=$1 base=$2 out=$3
case "$variant" in
vmware-itools | vmware-dracut | vmware-nocloud | control) ;;
*) e2e_die "unknown variant '$variant'" ;;
esac
[ -d "$base/boot" ] || e2e_die "'$base' is not a base root"

# Every mount lives in a private mount namespace: it vanishes with this process, whatever
# way it ends. Loop devices do not, hence the trap.
if [ -z "${E2E_IN_NS:-}" ]; then
	exec env E2E_IN_NS=1 unshare -m --propagation private "$0" "$@"
fi

work=$(mktemp -d "$(dirname "$out")/.build-$variant.XXXXXX")
mnt="$work/mnt"
loop=""
cleanup() {
	set +e
	if [ -d "$mnt" ]; then
		umount -R "$mnt" 2>/dev/null || umount -R -l "$mnt" 2>/dev/null
	fi
	e2e_detach "$loop"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

start=$SECONDS
img="$work/disk.img"
truncate -s 3G "$img"
sfdisk -q "$img" <<<$'label: dos\nstart=2048, type=83, bootable' >/dev/null
loop=$(e2e_attach "$img")
part="${loop}p1"
[ -b "$part" ] || e2e_die "no partition node '$part'"
mkfs.ext4 -q "$part"
uuid=$(blkid -s UUID -o value "$part")
mkdir -p "$mnt"
mount "$part" "$mnt"
cp -a "$base/." "$mnt/"

e2e_chroot_setup "$mnt" "$loop" "$part" "$uuid"
printf '#!/bin/sh\nexit 101\n' >"$mnt/usr/sbin/policy-rc.d"
chmod 755 "$mnt/usr/sbin/policy-rc.d"

in_root() { e2e_chroot "$mnt" "$@"; }
kver=$(basename "$(ls -d "$mnt"/lib/modules/* | head -n 1)")

# ---- what the old hypervisor left (all VMware variants) ----
vmware_common() {
	in_root apt-get install -y -q --no-install-recommends --no-download open-vm-tools
	cat >"$mnt/etc/fstab" <<'EOF'
# /etc/fstab: static file system information.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
/dev/sda1       /               ext4    errors=remount-ro 0       1
EOF
	# A hand-written ifupdown configuration for VMware's NIC name, without the
	# interfaces.d include that would read what cloud-init renders.
	cat >"$mnt/etc/network/interfaces" <<'EOF'
# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug ens33
iface ens33 inet dhcp
EOF
	# The kernel command line names the disk as the old hypervisor presents it.
	echo 'GRUB_DISABLE_LINUX_UUID=true' >>"$mnt/etc/default/grub"
}

# cloud-init's datasource list as `dpkg-reconfigure cloud-init` writes it.
set_datasources() {
	echo "cloud-init cloud-init/datasources multiselect $1" | in_root debconf-set-selections
	in_root dpkg-reconfigure -f noninteractive cloud-init
}

# initramfs-tools with only the drivers VMware's disk needs (IDE/SATA), no virtio.
itools_list() {
	sed -i 's/^MODULES=.*/MODULES=list/' "$mnt/etc/initramfs-tools/initramfs.conf"
	cat >>"$mnt/etc/initramfs-tools/modules" <<'EOF'
ata_piix
ahci
sd_mod
ext4
EOF
	in_root update-initramfs -u -k "$kver"
	in_root lsinitramfs "/boot/initrd.img-$kver" >"$work/initrd.list"
}

case "$variant" in
vmware-itools)
	vmware_common
	set_datasources "NoCloud, None"
	itools_list
	;;
vmware-nocloud)
	vmware_common
	in_root apt-get purge -y -q --autoremove cloud-init
	rm -rf "$mnt/etc/cloud" "$mnt/var/lib/cloud"
	itools_list
	;;
vmware-dracut)
	vmware_common
	set_datasources "NoCloud, None"
	mkdir -p "$mnt/etc/dracut.conf.d"
	echo 'hostonly="yes"' >"$mnt/etc/dracut.conf.d/10-hostonly.conf"
	# Host-only as made on the VMware guest: that guest's drivers (IDE/SATA) and no virtio.
	# This build machine is itself a virtio guest, so for the one dracut run of the package's
	# installation its virtio drivers are left out by a configuration file that is removed
	# afterwards (it is not part of the image), and the command line it would record is not
	# the build machine's.
	cat >"$mnt/etc/dracut.conf.d/00-e2e-build.conf" <<'EOF'
hostonly_cmdline="no"
add_drivers+=" ata_piix ahci sd_mod "
omit_drivers+=" virtio virtio_ring virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio_blk virtio_scsi virtio_net virtio_console virtio_balloon "
EOF
	in_root apt-get install -y -q --no-install-recommends --no-download dracut
	rm "$mnt/etc/dracut.conf.d/00-e2e-build.conf"
	in_root lsinitrd "/boot/initrd.img-$kver" >"$work/initrd.list"
	;;
control)
	cat >"$mnt/etc/fstab" <<EOF
# /etc/fstab: static file system information.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
UUID=$uuid /               ext4    errors=remount-ro 0       1
EOF
	cat >"$mnt/etc/network/interfaces" <<'EOF'
source /etc/network/interfaces.d/*
EOF
	sed -i 's/^GRUB_CMDLINE_LINUX="\(.*\)"/GRUB_CMDLINE_LINUX="\1 net.ifnames=0 biosdevname=0"/' "$mnt/etc/default/grub"
	# Tencent's recommended cloud-init configuration.
	cat >"$mnt/etc/cloud/cloud.cfg.d/99-tencentcloud.cfg" <<'EOF'
datasource_list: [ ConfigDrive, TencentCloud ]
datasource:
  ConfigDrive:
    dsmode: local
  TencentCloud:
    metadata_urls: ['http://169.254.0.23', 'http://metadata.tencentyun.com']
EOF
	# MODULES=most (Debian's default) keeps virtio and the CD-ROM stack in the initramfs.
	in_root update-initramfs -u -k "$kver"
	in_root lsinitramfs "/boot/initrd.img-$kver" >"$work/initrd.list"
	;;
esac

# The initramfs is what the variant says it is: the old hypervisor's disk drivers and no virtio
# for the VMware variants, virtio for the control.
if [ "$variant" = control ]; then
	grep -qE '/virtio_blk\.ko' "$work/initrd.list" || e2e_die "the initramfs of $variant lacks virtio_blk"
else
	if grep -E '/virtio[^/]*\.ko' "$work/initrd.list"; then
		e2e_die "the initramfs of $variant has virtio drivers"
	fi
	grep -qE '/ahci\.ko' "$work/initrd.list" || e2e_die "the initramfs of $variant lacks ahci"
fi

in_root apt-get clean
rm -f "$mnt/usr/sbin/policy-rc.d"
in_root grub-install --target=i386-pc "$loop"
in_root update-grub
if [ "$variant" != control ]; then
	# grub-mkconfig named the build machine's loop partition; on VMware it was /dev/sda1.
	sed -i "s|root=$part |root=/dev/sda1 |" "$mnt/boot/grub/grub.cfg"
fi
grep -q "root=" "$mnt/boot/grub/grub.cfg" || e2e_die "grub.cfg has no kernel command line"
if grep -q "$(basename "$loop")" "$mnt/boot/grub/grub.cfg"; then
	e2e_die "grub.cfg still names the build machine's loop device"
fi

umount -R "$mnt"
e2e_detach "$loop"
loop=""
mv "$img" "$out"
e2e_log "image $variant built in $((SECONDS - start)) s"
