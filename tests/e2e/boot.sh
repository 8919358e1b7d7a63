#!/usr/bin/env bash
# Boot a disk image under QEMU (TCG; nested KVM hangs on this machine) and wait for a marker on
# the serial console:
#   boot.sh cvm IMG CONSOLE_LOG ISO   as CVM presents it: virtio-blk disk, virtio-net NIC with a
#                                     fixed MAC, the config drive as an IDE CD-ROM
#   boot.sh old IMG CONSOLE_LOG       as the old hypervisor did: SATA (AHCI) disk, e1000 NIC in
#                                     PCIe slot 33 (VMware's ens33)
# Waits for E2E_WAIT (default: the config drive's marker for cvm, the image's probe for old)
# up to E2E_BOOT_TIMEOUT seconds (300); ends early when the console shows that the boot is
# over (initramfs shell, emergency mode, kernel panic). Prints one line:
#   marker SECONDS LINE | stuck SECONDS WHAT | timeout SECONDS | qemu-died SECONDS |
#   nomarker SECONDS PROBE-LINE (the system came up, the probe reported, the marker did not follow)
# and exits 0 (marker), 1 (stuck), 2 (timeout), 3 (qemu died), 4 (no marker). QEMU is killed on
# every path.
# The user-mode network is restricted: the guest reaches nothing beyond QEMU's own DHCP.
# The disk is opened with -snapshot: what the guest writes goes to a temporary overlay in the
# scratch directory, so the image stays exactly as check, fix and rollback left it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-} img=${2:-} log=${3:-} iso=${4:-}
mac=${E2E_MAC:-52:54:00:c7:00:01}
timeout=${E2E_BOOT_TIMEOUT:-300}
case "$mode" in
cvm)
	[ -f "$iso" ] || e2e_die "boot.sh cvm needs the config drive ISO"
	wait_re=${E2E_WAIT:-CVMPREP-E2E-MARKER}
	hw=(-machine pc
		-drive "file=$img,format=raw,if=virtio,cache=unsafe"
		-drive "file=$iso,format=raw,media=cdrom,if=ide,readonly=on"
		-netdev user,id=n0,restrict=on -device "virtio-net-pci,netdev=n0,mac=$mac")
	;;
old)
	wait_re=${E2E_WAIT:-E2E-PROBE booted}
	hw=(-machine q35
		-drive "file=$img,format=raw,if=none,id=d0,cache=unsafe" -device ide-hd,drive=d0,bus=ide.0
		-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
		-device pcie-root-port,id=rp33,chassis=1,slot=33
		-netdev user,id=n0,restrict=on -device "e1000,netdev=n0,mac=$mac,bus=rp33")
	;;
*) e2e_die "usage: boot.sh cvm|old IMG CONSOLE_LOG [ISO]" ;;
esac
[ -f "$img" ] || e2e_die "no image '$img'"
command -v qemu-system-x86_64 >/dev/null || e2e_die "qemu-system-x86_64 is not installed"

# Lines that mean the boot is over without reaching userspace. A device job with no time limit
# that has waited 30 s is systemd in a dracut initramfs waiting forever for the root device.
stuck_re='Gave up waiting for root|Job dev-[^ ]+\.device/start running \(([0-9]+min [0-9]+s|[3-9][0-9]s) / no limit\)|Dropping to a shell|\(initramfs\) |Entering emergency mode|You are in emergency mode|Give root password for maintenance|Could not boot|Kernel panic|Cannot open root device|not syncing'

: >"$log"
qemu=""
finish() {
	if [ -n "$qemu" ] && kill -0 "$qemu" 2>/dev/null; then
		kill "$qemu" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$qemu" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$qemu" 2>/dev/null
	fi
	[ -n "$qemu" ] && wait "$qemu" 2>/dev/null
	qemu=""
}
trap finish EXIT
trap 'exit 130' INT TERM HUP

start=$SECONDS
TMPDIR="${CVMPREP_SCRATCH:-/tmp}" qemu-system-x86_64 -accel tcg -nodefaults -display none \
	-m 1024 -smp 1 -rtc base=utc -monitor none -serial "file:$log" -no-reboot -snapshot \
	"${hw[@]}" >"$log.qemu" 2>&1 &
qemu=$!
result="timeout"
rc=2
probe_at=""
while [ $((SECONDS - start)) -lt "$timeout" ]; do
	sleep 1
	if line=$(tr -d '\r' <"$log" | grep -a -m1 -E "$wait_re"); then
		result="marker $((SECONDS - start)) $line"
		rc=0
		break
	fi
	if what=$(tr -d '\r' <"$log" | grep -a -m1 -oE "$stuck_re"); then
		# Let the console show what follows (the shell prompt, the panic's reason) first.
		sleep 3
		result="stuck $((SECONDS - start)) $what"
		rc=1
		break
	fi
	# Up, but the marker is not coming: the probe has reported and cloud-init's final stage, which
	# runs after it, had E2E_GRACE seconds (90) more.
	if [ "$wait_re" != "E2E-PROBE booted" ] && [ -z "$probe_at" ] &&
		tr -d '\r' <"$log" | grep -aq 'E2E-PROBE booted'; then
		probe_at=$SECONDS
	fi
	if [ -n "$probe_at" ] && [ $((SECONDS - probe_at)) -ge "${E2E_GRACE:-90}" ]; then
		result="nomarker $((SECONDS - start)) $(tr -d '\r' <"$log" | grep -a -m1 -o 'E2E-PROBE booted.*')"
		rc=4
		break
	fi
	if ! kill -0 "$qemu" 2>/dev/null; then
		result="qemu-died $((SECONDS - start)) $(tail -3 "$log.qemu" | tr '\n' ' ')"
		rc=3
		break
	fi
done
[ $rc -eq 2 ] && result="timeout $((SECONDS - start))"
finish
echo "$result"
exit $rc
