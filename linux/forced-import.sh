#!/bin/sh
# cvmprep-forced-import: for images imported into Tencent Cloud with "forced import" (no
# cloud-init). At each boot, read the config drive (label config-2) and apply what Tencent's
# qcloud_action/os.conf says: hostname, root password (already hashed), DNS servers and a static
# eth0 address. Installed by `cvmprep fix --forced-import`; removed by `cvmprep rollback`.
# Does nothing when no config drive is attached. Safe to run again: every step is idempotent.
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin
TAG=cvmprep-forced-import
log() {
	if command -v logger >/dev/null 2>&1; then logger -t "$TAG" -- "$*"; fi
	echo "$TAG: $*" >&2
}

find_drive() {
	dev=$(blkid -t LABEL=config-2 -o device 2>/dev/null | head -n 1)
	[ -n "$dev" ] || dev=$(blkid -t LABEL=CONFIG-2 -o device 2>/dev/null | head -n 1)
	[ -z "$dev" ] && [ -e /dev/disk/by-label/config-2 ] && dev=/dev/disk/by-label/config-2
	echo "$dev"
}

# os.conf is "key=value" shell syntax written by the platform; read it without executing it.
conf_get() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$conf" | tail -n 1 |
		sed -e 's/^"\(.*\)"[[:space:]]*$/\1/' -e "s/^'\\(.*\\)'[[:space:]]*\$/\\1/"
}

# 255.255.255.0 -> 24
mask_bits() {
	bits=0
	old_ifs=$IFS
	IFS=.
	for octet in $1; do
		case $octet in
		255) bits=$((bits + 8)) ;; 254) bits=$((bits + 7)) ;; 252) bits=$((bits + 6)) ;;
		248) bits=$((bits + 5)) ;; 240) bits=$((bits + 4)) ;; 224) bits=$((bits + 3)) ;;
		192) bits=$((bits + 2)) ;; 128) bits=$((bits + 1)) ;; 0) ;;
		*) IFS=$old_ifs; echo ""; return ;;
		esac
	done
	IFS=$old_ifs
	echo "$bits"
}

dev=$(find_drive)
if [ -z "$dev" ]; then
	log "no config drive (label config-2): nothing to do"
	exit 0
fi
mnt=$(mktemp -d /run/cvmprep-config-drive.XXXXXX 2>/dev/null || mktemp -d)
trap 'umount "$mnt" 2>/dev/null; rmdir "$mnt" 2>/dev/null' EXIT
if ! mount -o ro "$dev" "$mnt" 2>/dev/null; then
	log "could not mount the config drive $dev"
	exit 1
fi
conf="$mnt/qcloud_action/os.conf"
if [ ! -r "$conf" ]; then
	log "$dev has no qcloud_action/os.conf: nothing to do"
	exit 0
fi

name=$(conf_get hostname)
if [ -n "$name" ] && [ "$(hostname)" != "$name" ]; then
	if command -v hostnamectl >/dev/null 2>&1 && hostnamectl set-hostname "$name" 2>/dev/null; then :; else
		echo "$name" >/etc/hostname
		hostname "$name"
	fi
	log "hostname set to $name"
fi

password=$(conf_get password)
if [ -n "$password" ]; then
	current=$(awk -F: '$1 == "root" { print $2 }' /etc/shadow 2>/dev/null)
	if [ "$current" != "$password" ]; then
		if echo "root:$password" | chpasswd -e; then log "root password set"; else log "chpasswd failed"; fi
	fi
fi

dns=$(conf_get dns_nameserver)
if [ -n "$dns" ]; then
	want=$(for s in $dns; do echo "nameserver $s"; done)
	have=$(grep '^nameserver' /etc/resolv.conf 2>/dev/null)
	if [ "$want" != "$have" ]; then
		# resolv.conf may be a symlink into /run (resolvconf, systemd-resolved): write through it.
		{ grep -v '^nameserver' /etc/resolv.conf 2>/dev/null; echo "$want"; } >/etc/resolv.conf.cvmprep.new &&
			cat /etc/resolv.conf.cvmprep.new >/etc/resolv.conf
		rm -f /etc/resolv.conf.cvmprep.new
		log "DNS servers set to $dns"
	fi
fi

ip_addr=$(conf_get eth0_ip_addr)
netmask=$(conf_get eth0_netmask)
gateway=$(conf_get eth0_gateway)
if [ -n "$ip_addr" ] && [ -n "$netmask" ] && ip link show eth0 >/dev/null 2>&1; then
	bits=$(mask_bits "$netmask")
	if [ -n "$bits" ]; then
		ip link set eth0 up
		if ! ip -4 addr show dev eth0 | grep -q "inet $ip_addr/$bits"; then
			ip -4 addr flush dev eth0
			ip -4 addr add "$ip_addr/$bits" dev eth0
			log "eth0 address set to $ip_addr/$bits"
		fi
		[ -n "$gateway" ] && ip -4 route replace default via "$gateway" dev eth0
	else
		log "eth0_netmask '$netmask' is not a netmask"
	fi
fi
exit 0
