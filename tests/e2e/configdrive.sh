#!/usr/bin/env bash
# Make a config drive ISO as CVM attaches it: configdrive.sh OUT.iso HOSTNAME MAC [forced].
# Label config-2, OpenStack layout (openstack/latest/meta_data.json, network_data.json with an
# ipv4_dhcp network for the NIC's MAC, user_data), and with "forced" also Tencent's
# qcloud_action/os.conf for images without cloud-init. The addresses are those of QEMU's user
# networking (10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, the guest gets 10.0.2.15).
# user_data's runcmd prints the marker line the boot test waits for:
#   CVMPREP-E2E-MARKER hostname=H eth0=A/N ifaces=lo,eth0,
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || e2e_die "usage: configdrive.sh OUT.iso HOSTNAME MAC [forced]"
out=$1 host=$2 mac=$3 forced=${4:-}
dir=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/configdrive.XXXXXX")
trap 'rm -rf "$dir"' EXIT
uuid=$(printf '%s' "$host" | sha256sum | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')

mkdir -p "$dir/openstack/latest"
cat >"$dir/openstack/latest/meta_data.json" <<EOF
{"uuid": "$uuid", "name": "$host", "hostname": "$host", "availability_zone": "ap-guangzhou-3",
 "launch_index": 0, "meta": {}, "public_keys": {}, "files": []}
EOF
cat >"$dir/openstack/latest/network_data.json" <<EOF
{"links": [{"id": "tap0", "type": "phy", "ethernet_mac_address": "$mac", "mtu": 1500}],
 "networks": [{"id": "network0", "type": "ipv4_dhcp", "link": "tap0", "network_id": "net-e2e"}],
 "services": [{"type": "dns", "address": "10.0.2.3"}]}
EOF
echo '{}' >"$dir/openstack/latest/vendor_data.json"
cat >"$dir/openstack/latest/user_data" <<'EOF'
#cloud-config
runcmd:
  - |
    i=0
    while [ $i -lt 30 ] && ! ip -4 -o addr show dev eth0 scope global 2>/dev/null | grep -q inet; do sleep 1; i=$((i + 1)); done
    a=$(ip -4 -o addr show dev eth0 scope global 2>/dev/null | awk '{print $4}' | head -n 1)
    echo "CVMPREP-E2E-MARKER hostname=$(hostname) eth0=${a:-none} ifaces=$(ls /sys/class/net | tr '\n' ',')" >/dev/ttyS0
EOF
if [ "$forced" = forced ]; then
	mkdir -p "$dir/qcloud_action"
	# Shell syntax, as Tencent's forced-import script reads it; password already hashed ("*": none).
	cat >"$dir/qcloud_action/os.conf" <<EOF
hostname=$host
password='*'
eth0_ip_addr=10.0.2.15
eth0_mac_addr=$mac
eth0_netmask=255.255.255.0
eth0_gateway=10.0.2.2
dns_nameserver="10.0.2.3"
EOF
fi
genisoimage -quiet -V config-2 -r -J -o "$out" "$dir"
