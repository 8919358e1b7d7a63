#!/usr/bin/env bash
# Build one real-roots variant as an overlayfs upper layer over the Debian 12 base root:
# build-variant.sh VARIANT BASE_DIR OUT_DIR. BASE_DIR holds root/ (tests/e2e/build-base.sh);
# OUT_DIR/upper/root/ receives what the variant changes (packages installed or purged, the
# initramfs rebuilt, the source VM's configuration written). The variants are Debian 12 systems
# as exported from VMware, not yet prepared for CVM:
#   itools-ifupdown         initramfs-tools MODULES=list (IDE/SATA only), cloud-init with
#                           datasource_list [ VMware, OVF, None ] and state left from VMware,
#                           ifupdown: ens33 static with hwaddress, interfaces.d not sourced
#   itools-nocloud-ifupdown initramfs-tools MODULES=list, no cloud-init, ifupdown eth0 by DHCP
#                           kept by a 70-persistent-net.rules MAC binding (an upgraded system)
#   dracut-nm               dracut host-only (no virtio, no CD-ROM), cloud-init with the list
#                           set in cloud.cfg itself, NetworkManager keyfile for ens33 with a MAC
#                           and a static address (ifupdown as the installer leaves it: lo only)
#   dracut-nocloud-networkd dracut host-only, no cloud-init, no ifupdown, systemd-networkd with
#                           a .network matching the old MAC
#   itools-netplan          initramfs-tools MODULES=list, cloud-init as Ubuntu's installer
#                           leaves it (99-installer.cfg [ None ], networking disabled), no
#                           ifupdown, netplan.io with match: macaddress + set-name ens33, static
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || rr_die "usage: build-variant.sh VARIANT BASE_DIR OUT_DIR"
variant=$1 base=$2 out=$3
case " $rr_all_variants " in
*" $variant "*) ;;
*) rr_die "unknown variant '$variant'" ;;
esac
[ -d "$base/root/boot" ] || rr_die "'$base' holds no base root"

# Every mount lives in a private mount namespace: it vanishes with this process, whatever way
# it ends.
if [ -z "${RR_IN_NS:-}" ]; then
	exec env RR_IN_NS=1 unshare -m --propagation private "$0" "$@"
fi

work=$(mktemp -d "$(dirname "$out")/.build-$variant.XXXXXX")
cleanup() {
	set +e
	umount -R "$work/mnt" 2>/dev/null || umount -R -l "$work/mnt" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

start=$SECONDS
rr_mount_overlay "$base" "$work/upper" "$work/ovl-work" "$work/mnt" || rr_die "cannot mount the overlay"
r="$work/mnt/root"
e2e_chroot_setup "$r" || rr_die "cannot set up the chroot"
# No daemon may start inside the chroot while packages are installed.
printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
chmod 755 "$r/usr/sbin/policy-rc.d"
in_root() { e2e_chroot "$r" "$@"; }
kver=$(basename "$(ls -d "$r"/lib/modules/* | head -n 1)")

# apt-get install from the Debian registry; the base's package lists may be older than the
# registry, so a failed download is retried after an update.
# The base has no resolver configuration (its images get one by DHCP): the build host's, for
# the time of the download only.
apt_install() {
	local rc=0
	cp -L /etc/resolv.conf "$r/etc/resolv.conf"
	in_root apt-get install -y -q --no-install-recommends "$@" ||
		{ in_root apt-get update -q && in_root apt-get install -y -q --no-install-recommends "$@"; } || rc=$?
	rm -f "$r/etc/resolv.conf"
	return $rc
}

fstab() { # fstab SPEC: the root filesystem as the source VM names it
	cat >"$r/etc/fstab" <<EOF
# /etc/fstab: static file system information.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
$1 /               ext4    errors=remount-ro 0       1
EOF
}

# initramfs-tools with the drivers VMware's disk needs (IDE/SATA) and no virtio, no CD-ROM.
itools_list() {
	sed -i 's/^MODULES=.*/MODULES=list/' "$r/etc/initramfs-tools/initramfs.conf"
	cat >>"$r/etc/initramfs-tools/modules" <<'EOF'
ata_piix
ahci
sd_mod
ext4
EOF
	in_root update-initramfs -u -k "$kver"
}

# dracut in host-only mode as run on the VMware guest: that guest's drivers (IDE/SATA), no
# virtio. This build machine is itself a virtio guest, so for the one dracut run of the
# package's installation its virtio drivers are left out by a file that is removed afterwards
# (it is not part of the source VM), as tests/e2e/build-image.sh does.
dracut_hostonly() {
	mkdir -p "$r/etc/dracut.conf.d"
	echo 'hostonly="yes"' >"$r/etc/dracut.conf.d/10-hostonly.conf"
	cat >"$r/etc/dracut.conf.d/00-realroots-build.conf" <<'EOF'
hostonly_cmdline="no"
add_drivers+=" ata_piix ahci sd_mod "
omit_drivers+=" virtio virtio_ring virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio_blk virtio_scsi virtio_net virtio_console virtio_balloon "
EOF
	in_root apt-get install -y -q --no-install-recommends --no-download dracut
	rm "$r/etc/dracut.conf.d/00-realroots-build.conf"
}

purge_cloudinit() {
	in_root apt-get purge -y -q --autoremove cloud-init
	rm -rf "$r/etc/cloud" "$r/var/lib/cloud"
}

# What cloud-init leaves after its first boot on VMware (the OVF datasource's instance).
cloudinit_state() {
	local iid=vmware-42a1b3c4-d5e6-7f80-91a2-b3c4d5e6f708 d="$r/var/lib/cloud"
	mkdir -p "$d/instances/$iid/handlers" "$d/instances/$iid/scripts" "$d/instances/$iid/sem" \
		"$d/data" "$d/handlers" "$d/scripts/per-boot" "$d/scripts/per-instance" "$d/scripts/per-once" "$d/sem"
	echo "DataSourceOVF: OVF (/dev/sr0)" >"$d/instances/$iid/datasource"
	printf '#cloud-config\nhostname: srcvm\n' >"$d/instances/$iid/user-data.txt"
	echo "v1 2024-03-01 10:00:00 UTC" >"$d/instances/$iid/boot-finished"
	echo "$iid" >"$d/data/instance-id"
	echo "$iid" >"$d/data/previous-instance-id"
	echo "OVF" >"$d/data/previous-datasource"
	ln -s "/var/lib/cloud/instances/$iid" "$d/instance"
}

case "$variant" in
itools-ifupdown)
	fstab /dev/sda1
	itools_list
	# An administrator's choice of VMware's own datasources.
	cat >"$r/etc/cloud/cloud.cfg.d/95-vmware.cfg" <<'EOF'
# Datasources of our VMware templates (guestinfo, then the OVF environment).
datasource_list: [ VMware, OVF, None ]
EOF
	cloudinit_state
	cat >"$r/etc/network/interfaces" <<'EOF'
# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug ens33
iface ens33 inet static
	address 192.168.10.25/24
	gateway 192.168.10.1
	hwaddress ether 00:0c:29:3a:5b:7c
	dns-nameservers 192.168.10.1
EOF
	;;
itools-nocloud-ifupdown)
	fstab UUID=6c0a6b1e-5f0e-4c2a-9d5e-1b2c3d4e5f60
	purge_cloudinit
	itools_list
	# Upgraded from Debian 8: the old rule generator's binding kept the NIC's name eth0.
	cat >"$r/etc/udev/rules.d/70-persistent-net.rules" <<'EOF'
# This file was automatically generated by the /lib/udev/write_net_rules
# program, run by the persistent-net-generator.rules rules file.
#
# You can modify it, as long as you keep each rule on a single
# line, and change only the value of the NAME= key.

# PCI device 0x15ad:0x07b0 (vmxnet3)
SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="00:0c:29:3a:5b:7c", ATTR{dev_id}=="0x0", ATTR{type}=="1", KERNEL=="eth*", NAME="eth0"
EOF
	cat >"$r/etc/network/interfaces" <<'EOF'
# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug eth0
iface eth0 inet dhcp
EOF
	;;
dracut-nm)
	fstab UUID=6c0a6b1e-5f0e-4c2a-9d5e-1b2c3d4e5f61
	dracut_hostonly
	# The list edited into cloud.cfg itself (no drop-in).
	cat >>"$r/etc/cloud/cloud.cfg" <<'EOF'

# Local: the datasources our VMware and OpenStack templates use.
datasource_list: [ NoCloud, ConfigDrive, OpenStack, None ]
EOF
	apt_install network-manager
	# As Debian's installer leaves it when NetworkManager manages the NIC: lo only.
	cat >"$r/etc/network/interfaces" <<'EOF'
# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback
EOF
	# nmtui's profile for the VMware NIC: name and MAC, a static address.
	install -m 600 /dev/null "$r/etc/NetworkManager/system-connections/ens33.nmconnection"
	cat >"$r/etc/NetworkManager/system-connections/ens33.nmconnection" <<'EOF'
[connection]
id=ens33
uuid=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03
type=ethernet
interface-name=ens33

[ethernet]
mac-address=00:0C:29:3A:5B:7C

[ipv4]
address1=192.168.10.26/24,192.168.10.1
dns=192.168.10.1;
method=manual

[ipv6]
addr-gen-mode=default
method=auto

[proxy]
EOF
	;;
dracut-nocloud-networkd)
	fstab UUID=6c0a6b1e-5f0e-4c2a-9d5e-1b2c3d4e5f62
	purge_cloudinit
	dracut_hostonly
	in_root apt-get purge -y -q --autoremove ifupdown
	rm -rf "$r/etc/network/interfaces" "$r/etc/network/interfaces.d"
	cat >"$r/etc/systemd/network/10-vmnic.network" <<'EOF'
# The VMware NIC, by its MAC address.
[Match]
MACAddress=00:0c:29:3a:5b:7c

[Network]
DHCP=ipv4
EOF
	in_root systemctl enable systemd-networkd.service
	;;
itools-netplan)
	fstab UUID=6c0a6b1e-5f0e-4c2a-9d5e-1b2c3d4e5f63
	itools_list
	# What Ubuntu's installer (subiquity) leaves: the install-time datasource, and cloud-init's
	# networking turned off because the installer wrote the netplan file.
	cat >"$r/etc/cloud/cloud.cfg.d/90_dpkg.cfg" <<'EOF'
# to update this file, run dpkg-reconfigure cloud-init
datasource_list: [ NoCloud, ConfigDrive, OpenStack, None ]
EOF
	cat >"$r/etc/cloud/cloud.cfg.d/99-installer.cfg" <<'EOF'
datasource:
  None:
    metadata:
      instance-id: 0e7a1c5e-7a1f-4f3a-9c9e-6d1f0b2a3c4d
    userdata_raw: "#cloud-config\ngrowpart:\n  mode: 'off'\nlocale: C.UTF-8\npreserve_hostname: true\n"
datasource_list: [None]
EOF
	cat >"$r/etc/cloud/cloud.cfg.d/subiquity-disable-cloudinit-networking.cfg" <<'EOF'
network: {config: disabled}
EOF
	apt_install netplan.io
	in_root apt-get purge -y -q --autoremove ifupdown
	rm -rf "$r/etc/network/interfaces" "$r/etc/network/interfaces.d"
	mkdir -p "$r/etc/netplan"
	install -m 600 /dev/null "$r/etc/netplan/00-installer-config.yaml"
	cat >"$r/etc/netplan/00-installer-config.yaml" <<'EOF'
# This is the network config written by 'subiquity'
network:
  ethernets:
    ens33:
      match:
        macaddress: 00:0c:29:3a:5b:7c
      set-name: ens33
      addresses:
      - 192.168.10.27/24
      routes:
      - to: default
        via: 192.168.10.1
      nameservers:
        addresses: [192.168.10.1]
  version: 2
EOF
	;;
esac

# The initramfs is what the variant says (after every package installed since, which may have
# rebuilt it): the old hypervisor's disk drivers, no virtio.
if [ -x "$r/usr/bin/lsinitrd" ]; then
	in_root lsinitrd "/boot/initrd.img-$kver" >"$work/initrd.list"
else
	in_root lsinitramfs "/boot/initrd.img-$kver" >"$work/initrd.list"
fi
if grep -E '/virtio[^/]*\.ko' "$work/initrd.list"; then
	rr_die "the initramfs of $variant has virtio drivers"
fi
grep -qE '/ahci\.ko' "$work/initrd.list" || rr_die "the initramfs of $variant lacks ahci"

rm -f "$r/usr/sbin/policy-rc.d"
umount -R "$work/mnt"
rm -rf "$out"
mkdir -p "$out"
mv "$work/upper" "$out/upper"
touch "$out/done"
rr_log "variant $variant built in $((SECONDS - start)) s"
