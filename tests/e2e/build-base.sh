#!/usr/bin/env bash
# Build (or find in the cache) the Debian 12 base root every boot-test variant is copied from;
# prints its path. Keyed by this script and packages.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cache=$(e2e_cache_dir)
key=$(e2e_base_key)
out="$cache/base-$key"
if [ -f "$out/done" ]; then
	echo "$out/root"
	exit 0
fi
mkdir -p "$cache"
# One builder at a time; a second run waits and then finds the result.
exec 9>"$cache/.lock-base"
flock 9
if [ -f "$out/done" ]; then
	echo "$out/root"
	exit 0
fi
# Older bases are replaced, not accumulated.
rm -rf "$cache"/base-*
tmp="$cache/base-$key.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
root="$tmp/root"

start=$SECONDS
e2e_log "debootstrap $E2E_SUITE into $root"
if ! debootstrap --variant=minbase --include="$(e2e_packages | paste -sd,)" \
	"$E2E_SUITE" "$root" "$E2E_MIRROR" >"$tmp/debootstrap.log" 2>&1; then
	tail -30 "$tmp/debootstrap.log" >&2
	e2e_die "debootstrap failed (log: $tmp/debootstrap.log)"
fi
e2e_log "debootstrap took $((SECONDS - start)) s"

# What the build host leaked into the tree (debootstrap copies its hostname and resolver).
echo srcvm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tsrcvm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# No daemon may start inside the chroot while packages are installed.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# cloud-init through apt in the chroot (debootstrap --include cannot resolve it); dracut and
# open-vm-tools only downloaded, for the variants to install without the network.
unshare -m --propagation private bash -euo pipefail -c '
	. "$1/lib.sh"
	root=$2
	e2e_chroot_setup "$root"
	e2e_chroot "$root" apt-get update -q
	e2e_chroot "$root" apt-get install -y -q --no-install-recommends cloud-init
	e2e_chroot "$root" apt-get install -y -q --no-install-recommends --download-only dracut open-vm-tools
' bash "$e2e_dir" "$root" >"$tmp/apt.log" 2>&1 || {
	tail -30 "$tmp/apt.log" >&2
	e2e_die "apt-get in the base root failed (log: $tmp/apt.log)"
}
rm -f "$root/usr/sbin/policy-rc.d"
# The build host's resolver must not travel into the images; the guests get theirs by DHCP.
rm -f "$root/etc/resolv.conf"

# GRUB on the serial console, a short menu timeout, no "quiet" so the console shows the boot.
sed -i -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=1/' \
	-e 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT=""/' \
	-e 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8"/' \
	"$root/etc/default/grub"
cat >>"$root/etc/default/grub" <<'EOF'
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
EOF

# The test's probe (not part of what cvmprep judges): once the system is up, say so on the serial
# console with the hostname, the interfaces and their IPv4 addresses. It tells "booted, but
# cloud-init did not run" apart from "did not boot", and it is the marker of the old-hypervisor
# boot, where no config drive is attached.
cat >"$root/usr/local/sbin/e2e-probe" <<'EOF'
#!/bin/sh
# cvmprep boot test probe: report the booted system on the serial console.
i=0
while [ $i -lt 20 ] && ! ip -4 -o addr show scope global | grep -q inet; do sleep 1; i=$((i + 1)); done
addrs=$(ip -4 -o addr show scope global | awk '{printf "%s=%s ", $2, $4}')
echo "E2E-PROBE booted hostname=$(hostname) ifaces=$(ls /sys/class/net | tr '\n' ',') addrs=${addrs:-none}" >/dev/ttyS0
EOF
chmod 755 "$root/usr/local/sbin/e2e-probe"
cat >"$root/etc/systemd/system/e2e-probe.service" <<'EOF'
[Unit]
Description=cvmprep boot test probe
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/e2e-probe

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/e2e-probe.service "$root/etc/systemd/system/multi-user.target.wants/e2e-probe.service"

ls "$root"/boot/vmlinuz-* >/dev/null || e2e_die "no kernel in the base root"
ls "$root"/var/cache/apt/archives/dracut_*.deb >/dev/null || e2e_die "dracut was not downloaded"
mv "$tmp" "$out"
touch "$out/done"
e2e_log "base root built in $((SECONDS - start)) s"
echo "$out/root"
