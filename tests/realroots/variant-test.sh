#!/usr/bin/env bash
# One real-roots variant, start to end: variant-test.sh VARIANT BASE_DIR LAYER_DIR OUT_DIR.
# Mounts the variant (its cached layer over the base root, a fresh upper layer in OUT_DIR) in a
# private mount namespace and prints TAP lines "ok - realroots: VARIANT: ...":
#   check         the findings of initramfs.*, cloudinit.* and net.* are the expected ones
#                 (below, each with its reason), with the normal and the sanitizer binary
#   agreement     initramfs.virtio's modules = what lsinitramfs/lsinitrd lists in the chroot;
#                 cloudinit.datasource's list = what cloud-init's own merge gives in the chroot
#   fix           fix --yes; check again: those checks pass or only the explained findings stay;
#                 lsinitramfs/lsinitrd list virtio_blk, virtio_pci, sr_mod, cdrom, ata_piix;
#                 cloud-init's merge gives [ ConfigDrive, TencentCloud ]; agreement again
#   idempotence   a second fix changes nothing
#   rollback      /etc, /boot and /var/lib/cloud are restored exactly (tests/lib/treehash.py)
# Writes OUT_DIR/summary (one line for the layer's table). Exits 0 when every line was ok.
set -u
variant=$1 base=$2 layer=$3 out=$4
. "$(dirname "$0")/lib.sh"
if [ -z "${RR_IN_NS:-}" ]; then
	exec env RR_IN_NS=1 unshare -m --propagation private "$0" "$@"
fi
cvmprep=${CVMPREP:?}
asan=${CVMPREP_ASAN:-}
treehash="$CVMPREP_TOP/tests/lib/treehash.py"
compare="$CVMPREP_TOP/tests/realroots/compare.py"
fail=0
ok() { echo "ok - realroots: $variant: $1"; }
nok() {
	echo "not ok - realroots: $variant: $1"
	fail=1
}
# expect NAME CMD...: ok when CMD succeeds; its output (the differences) goes under the line.
expect() {
	local name=$1 o rc
	shift
	o=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name"; else nok "$name"; fi
	[ -n "$o" ] && printf '%s\n' "$o" | sed -e 's/^# //' -e 's/^/#   /' | head -n 40
	return $rc
}

cleanup() { umount -R "$out/m" 2>/dev/null || umount -R -l "$out/m" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$out"
if ! rr_mount_overlay "$layer/upper:$base" "$out/upper" "$out/work" "$out/m"; then
	nok "cannot mount the variant's overlay"
	exit 1
fi
R="$out/m/root"
kver=$(basename "$(ls -d "$R"/lib/modules/* | head -n 1)")
initrd="/boot/initrd.img-$kver"

# ---- what each variant must show, and why ----
# Before fix: every finding of initramfs.*, cloudinit.* and net.* ("ID STATUS [SEVERITY]").
# Common to all: the initramfs was built without virtio (MODULES=list with the IDE/SATA drivers,
# or dracut host-only on the VMware guest) and the kernel's virtio drivers are modules:
# initramfs.virtio is a blocker. A chroot tree has no boot entry, so nothing puts
# net.ifnames=0 on the kernel command line: net.ifnames is a warning.
common_before=("initramfs.virtio fail blocker" "net.ifnames fail warning")
# Without cloud-init: its other checks skip, and the missing package is the import's
# CloudInitNotInstalled.
nocloud_before=("cloudinit.installed fail blocker" "cloudinit.enabled skip" "cloudinit.datasource skip"
	"cloudinit.state pass")
fix_opts=()
case "$variant" in
itools-ifupdown)
	# [ VMware, OVF, None ] never reads the config drive; the OVF instance's state is left.
	# Network: cloud-init's renderer is eni (ifupdown is installed; the test asks cloud-init),
	# it writes eth0 to interfaces.d/50-cloud-init, which this interfaces file never sources
	# (a blocker); hwaddress pins ens33's MAC (a warning).
	before=("cloudinit.installed pass" "cloudinit.enabled pass" "cloudinit.datasource fail blocker"
		"cloudinit.state fail warning" "net.persistent-rules pass" "net.config fail blocker"
		"net.config fail warning")
	want_renderer=eni
	;;
itools-nocloud-ifupdown)
	# The old generator's rule binds eth0 to the VMware MAC (a warning); interfaces gives eth0
	# DHCP: net.config passes. Fixed with --forced-import, the user's choice for an image
	# without cloud-init.
	before=("${nocloud_before[@]}" "net.persistent-rules fail warning" "net.config pass")
	fix_opts=(--forced-import)
	;;
dracut-nm)
	# ConfigDrive is listed, but with three other entries ds-identify must find the drive, and
	# the host-only initramfs has no sr_mod/cdrom: cloud-init is disabled at the first boot (a
	# blocker). Network: cloud-init's renderer is eni (ifupdown is still installed, as Debian's
	# installer leaves it), interfaces sources interfaces.d, so eth0 is configured; the
	# NetworkManager profile's mac-address pins the old NIC (a warning).
	before=("cloudinit.installed pass" "cloudinit.enabled pass" "cloudinit.datasource fail blocker"
		"cloudinit.state pass" "net.persistent-rules pass" "net.config fail warning")
	want_renderer=eni
	;;
dracut-nocloud-networkd)
	# The only stack is systemd-networkd; its .network matches the old MAC (a warning). Fixed
	# without any opt-in: cloud-init stays missing.
	before=("${nocloud_before[@]}" "net.persistent-rules pass" "net.config fail warning")
	;;
itools-netplan)
	# The installer's 99-installer.cfg sorts last with [ None ] (a blocker). Its netplan file
	# matches the old MAC and renames the NIC (two warnings). cloud-init's networking is
	# disabled (the test asks cloud-init), so nothing renders eth0.
	before=("cloudinit.installed pass" "cloudinit.enabled pass" "cloudinit.datasource fail blocker"
		"cloudinit.state pass" "net.persistent-rules pass" "net.config fail warning" "net.config fail warning")
	want_renderer=netplan
	;;
esac
before+=("${common_before[@]}")

# What the target's own network tools do with eth0 on CVM (stack-view.py: cloud-init renders the
# config drive's eth0 where it renders at all, then ifquery / netplan generate are asked), before
# and after fix. systemd-networkd cannot be asked offline: dracut-nocloud-networkd has no line
# beyond "nothing rendered".
case "$variant" in
itools-ifupdown)
	# The blocker, by ifupdown itself: eth0 is rendered but ifquery does not know it; fix's
	# source line makes it known.
	view_before="rendered=eni ifupdown-eth0=no" view_after="rendered=eni ifupdown-eth0=yes" ;;
itools-nocloud-ifupdown)
	view_before="rendered=none ifupdown-eth0=yes" view_after=$view_before ;;
dracut-nm)
	view_before="rendered=eni ifupdown-eth0=yes" view_after=$view_before ;;
dracut-nocloud-networkd)
	view_before="rendered=none" view_after=$view_before ;;
itools-netplan)
	# cloud-init renders nothing, netplan gives eth0 nothing and renames the old NIC; after fix
	# netplan's own generator gives eth0 DHCP and renames nothing.
	view_before="rendered=disabled netplan-eth0=no netplan-renames=ens33"
	view_after="rendered=disabled netplan-eth0=dhcp netplan-renames=none" ;;
esac

# After fix: what may still fail, anywhere in the report ("ID:SEVERITY"), each with its reason.
# - boot.loader: a chroot tree has GRUB's files but no disk with GRUB in its MBR and no grub.cfg
#   (the boot layer proves the bootloader fixes on disk images).
# - net.ifnames: no bootloader configuration to add net.ifnames=0 to (fix says so in a note).
allowed=(boot.loader:blocker net.ifnames:warning)
case "$variant" in
itools-ifupdown)
	# /dev/sda1 in fstab cannot be turned into a UUID without the image's disk (a note).
	allowed+=(fstab.device-names:blocker)
	;;
itools-nocloud-ifupdown)
	# Forced import replaces cloud-init: the warning says to choose it when importing.
	allowed+=(cloudinit.installed:warning)
	;;
dracut-nocloud-networkd)
	# Installing cloud-init is opt-in (--install-packages); the .network matching the old MAC is
	# left to the user (fix notes it: without its MAC the [Match] would match every NIC), and
	# fix gives eth0 DHCP in a file of its own.
	allowed+=(cloudinit.installed:blocker net.config:warning)
	;;
esac

# ---- helpers ----
t_start=$SECONDS
in_chroot() { rr_chroot "$R" "$@"; }
# listing FILE: the distribution's own listing of the initramfs, as its documentation says.
lister=lsinitramfs
[ -x "$R/usr/bin/lsinitrd" ] && lister=lsinitrd
listing() {
	if [ "$lister" = lsinitrd ]; then
		in_chroot lsinitrd "$initrd" >"$1" 2>"$1.err"
	else
		in_chroot lsinitramfs "$initrd" >"$1" 2>"$1.err"
	fi
}
has_cloudinit() { [ -x "$R/usr/bin/cloud-init" ]; }
# ci_view FILE SCENARIO: cloud-init's own merge in the chroot, then ds-identify and the merge as
# at the first boot on CVM with the config drive visible or hidden (cloudinit-view.py); no kernel
# command line (a chroot tree has no boot entry, so cvmprep sees none either).
ci_view() { in_chroot env DEBUG_PROC_CMDLINE= python3 - "$2" <"$CVMPREP_TOP/tests/realroots/cloudinit-view.py" >"$1" 2>"$1.err"; }
# ci_checks WHEN REPORT LISTING: cvmprep's datasource_list against cloud-init's merge, and its
# cloudinit.datasource verdict against ds-identify at the first boot, the config drive visible
# or not as the initramfs (the distribution's listing) decides.
ci_checks() {
	local when=$1 report=$2 list=$3 scenario
	scenario=$(python3 "$compare" scenario "$list" "$R" "$kver")
	if ! ci_view "$out/ci.$when.json" "$scenario"; then
		nok "$when fix: cloud-init's own merge or ds-identify failed in the chroot"
		sed 's/^/#   /' "$out/ci.$when.json.err" | tail -n 5
		return 1
	fi
	expect "$when fix datasource_list agrees with cloud-init's own merge" \
		python3 "$compare" datasource "$report" "$out/ci.$when.json"
	expect "$when fix cloudinit.datasource agrees with ds-identify at the first boot (config drive $scenario)" \
		python3 "$compare" firstboot "$report" "$out/ci.$when.json"
}
# tree FILE: /etc, /boot and /var/lib/cloud, every entry with mode, owner, size, mtime, content.
tree() {
	local d
	for d in etc boot var/lib/cloud; do
		[ -e "$R/$d" ] || continue
		python3 "$treehash" "$R/$d" --list | sed "s|^|$d/|"
	done >"$1"
}
check_json() { # check_json BIN OUT: check --format json; the exit status is in OUT.rc
	"$1" check --root "$R" --format json --config /dev/null >"$2" 2>"$2.err"
	echo $? >"$2.rc"
}
sanitizer_clean() { ! grep -q -e Sanitizer -e 'runtime error' "$1.err" && [ "$(cat "$1.rc")" != 99 ]; }
same_findings() { # the normal and the sanitizer binary report the same findings (else: the differences)
	python3 -c 'import json,sys
a, b = (json.load(open(p))["findings"] for p in sys.argv[1:3])
if a == b:
    sys.exit(0)
for x, y in zip(a, b):
    if x != y:
        print("#   normal:", json.dumps(x, sort_keys=True)[:400])
        print("#   asan:  ", json.dumps(y, sort_keys=True)[:400])
if len(a) != len(b):
    print("#   %d findings against %d" % (len(a), len(b)))
sys.exit(1)' "$1" "$2"
}
# asan_check WHEN: the sanitizer binary on the same tree gives no report and the findings of
# $out/WHEN.json.
asan_check() {
	local w=$1
	[ -n "$asan" ] && [ -x "$asan" ] || return 0
	check_json "$asan" "$out/$w.asan.json"
	if sanitizer_clean "$out/$w.asan.json" && same_findings "$out/$w.json" "$out/$w.asan.json"; then
		ok "check $w fix under ASan+UBSan: no report, the same findings"
	else
		nok "check $w fix under ASan+UBSan: a sanitizer report or other findings"
		grep -A5 -e Sanitizer -e 'runtime error' "$out/$w.asan.json.err" | head -n 10 | sed 's/^/#   /'
	fi
}
# stack_view WHEN EXPECTED REPORT: the network tools' view is the expected one, and cvmprep's
# net.config has its ifupdown blocker exactly when cloud-init renders eni and ifquery lacks eth0.
stack_view() {
	local when=$1 want=$2 report=$3 got blocker says
	got=$(rr_stack_view "$out/m" "$out/view-$when" 2>"$out/view-$when.err")
	if [ "$got" = "$want" ]; then
		ok "$when fix the network tools say: $got"
	else
		nok "$when fix the network tools say '$got', expected '$want'"
		tail -n 5 "$out/view-$when.err" | sed 's/^/#   /'
	fi
	blocker=$(python3 -c 'import json,sys; print(any(f["id"] == "net.config" and f["status"] == "fail" and f["severity"] == "blocker" for f in json.load(open(sys.argv[1]))["findings"]))' "$report")
	says=False
	case " $got " in *" rendered=eni "*"ifupdown-eth0=no "*) says=True ;; esac
	if [ "$blocker" = "$says" ]; then
		ok "$when fix net.config's blocker ($blocker) agrees with cloud-init and ifquery"
	else
		nok "$when fix net.config's blocker is $blocker, cloud-init and ifquery say $says"
	fi
}
verdict() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["summary"]["verdict"])' "$1" 2>/dev/null || echo "?"; }

# ---- 1. check before fix, and agreement with the distribution's tools ----
tree "$out/tree.before"
check_json "$cvmprep" "$out/before.json"
rc=$(cat "$out/before.json.rc")
if [ "$rc" -ne 2 ] || ! python3 "$CVMPREP_TOP/tests/lib/validate-report.py" "$out/before.json" 2>"$out/verr"; then
	nok "check before fix: exit $rc (expected 2, not ready) or an invalid report"
	sed 's/^/#   /' "$out/verr" "$out/before.json.err" | head -n 10
else
	expect "check before fix: the initramfs, cloud-init and network findings are the expected ones" \
		python3 "$compare" findings "$out/before.json" "${before[@]}"
fi
asan_check before
listing "$out/list.before"
expect "initramfs.virtio's modules agree with $lister $initrd in the chroot" \
	python3 "$compare" modules "$out/before.json" "$out/list.before" "$R" "$kver"
if has_cloudinit; then
	if ci_checks before "$out/before.json" "$out/list.before"; then
		renderer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["renderer"])' "$out/ci.before.json")
		netcfg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["network_config"])' "$out/ci.before.json")
		if [ "$renderer" = "${want_renderer:-}" ]; then
			ok "cloud-init would render the network with '$renderer' (network: config: $netcfg), as the expected net.config findings assume"
		else
			nok "cloud-init would render the network with '$renderer', the expected net.config findings assume '${want_renderer:-}'"
		fi
	fi
fi

stack_view before "$view_before" "$out/before.json"

# ---- 2. fix, check again, and the distribution's tools again ----
t_fix=$SECONDS
"$cvmprep" fix --yes --root "$R" --format json --config /dev/null "${fix_opts[@]}" >"$out/fix.json" 2>"$out/fix.err"
rc=$?
fix_s=$((SECONDS - t_fix))
run1=$("$cvmprep" rollback --list --root "$R" 2>/dev/null | awk 'NR == 1 {print $1}')
if [ "$rc" -gt 2 ] || [ -z "$run1" ]; then
	nok "fix --yes ${fix_opts[*]}: exit $rc (run '${run1:-none}')"
	tail -n 8 "$out/fix.err" | sed 's/^/#   /'
else
	ok "fix --yes ${fix_opts[*]}: exit $rc, run $run1, $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["changes"]))' "$out/fix.json") changes in $fix_s s"
fi
check_json "$cvmprep" "$out/after.json"
rc=$(cat "$out/after.json.rc")
if ! python3 "$CVMPREP_TOP/tests/lib/validate-report.py" "$out/after.json" 2>"$out/verr"; then
	nok "check after fix: invalid report"
	sed 's/^/#   /' "$out/verr" | head -n 5
fi
expect "check after fix (exit $rc): only the explained findings remain (${allowed[*]})" \
	python3 "$compare" remaining "$out/after.json" "${allowed[@]}"
asan_check after
listing "$out/list.after"
expect "after fix $lister lists virtio_blk, virtio_pci, virtio_net, sr_mod, cdrom, ata_piix" \
	python3 "$compare" has "$out/list.after" virtio_blk virtio_pci virtio_net sr_mod cdrom ata_piix
expect "after fix initramfs.virtio's modules agree with $lister" \
	python3 "$compare" modules "$out/after.json" "$out/list.after" "$R" "$kver"
# The rebuild keeps the drivers for future kernels: they are in the generator's configuration.
if [ -x "$R/usr/bin/dracut" ]; then
	conf=$(cat "$R"/etc/dracut.conf.d/*.conf 2>/dev/null | grep '^add_drivers')
else
	conf=$(grep -v '^#' "$R/etc/initramfs-tools/modules" | tr '\n' ' ')
fi
missing=""
for m in virtio_blk virtio_pci sr_mod cdrom ata_piix; do
	echo " $conf " | grep -qE "[ \"]$m[ \"]" || missing="$missing $m"
done
if [ -z "$missing" ]; then
	ok "the generator's own configuration lists the drivers for future rebuilds"
else
	nok "the generator's configuration lacks:$missing"
fi
if has_cloudinit && ci_checks after "$out/after.json" "$out/list.after"; then
	if python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(d["datasource_list"] != ["ConfigDrive", "TencentCloud"] or d["boot"]["config_drive"] != "visible"
         or d["boot"]["ds_identify"] != "enabled" or "ConfigDrive" not in d["boot"]["datasource_list"])' "$out/ci.after.json"; then
		ok "cloud-init's own merge now gives [ ConfigDrive, TencentCloud ]; at the first boot ds-identify sees the config drive and enables cloud-init with $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["boot"]["datasource_list"])' "$out/ci.after.json")"
	else
		nok "cloud-init after fix: $(head -c 400 "$out/ci.after.json")"
	fi
fi

stack_view after "$view_after" "$out/after.json"

# ---- 3. a second fix changes nothing ----
tree "$out/tree.fixed"
"$cvmprep" fix --yes --root "$R" --format json --config /dev/null "${fix_opts[@]}" >"$out/fix2.json" 2>"$out/fix2.err"
rc=$?
tree "$out/tree.fixed2"
nchanges=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["changes"]))' "$out/fix2.json" 2>/dev/null || echo "?")
runs=$("$cvmprep" rollback --list --root "$R" 2>/dev/null | grep -c .)
if [ "$rc" -le 2 ] && [ "$nchanges" = 0 ] && [ "$runs" -eq 1 ] && cmp -s "$out/tree.fixed" "$out/tree.fixed2"; then
	ok "a second fix changes nothing (exit $rc, no changes, no new run, the same tree)"
else
	nok "a second fix: exit $rc, $nchanges changes, $runs runs recorded"
	diff "$out/tree.fixed" "$out/tree.fixed2" | head -n 10 | sed 's/^/#   /'
fi

# ---- 4. rollback restores the tree ----
"$cvmprep" rollback --root "$R" --run "$run1" >"$out/rollback.out" 2>&1
rc=$?
tree "$out/tree.after"
if [ "$rc" -eq 0 ] && cmp -s "$out/tree.before" "$out/tree.after"; then
	ok "rollback restores /etc, /boot and /var/lib/cloud exactly"
else
	nok "rollback: exit $rc; the tree differs"
	tail -n 5 "$out/rollback.out" | sed 's/^/#   /'
	diff "$out/tree.before" "$out/tree.after" | head -n 20 | sed 's/^/#   /'
fi

echo "$variant $(verdict "$out/before.json") $(verdict "$out/after.json") $fix_s $((SECONDS - t_start))" >"$out/summary"
exit $fail
