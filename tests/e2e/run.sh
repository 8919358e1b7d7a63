#!/usr/bin/env bash
# Boot layer: real Debian 12 disk images (debootstrap, MBR, ext4, GRUB) that mimic VMs exported
# from VMware, and a cloud-ready control, checked with `cvmprep check --root` and booted under
# QEMU (TCG) as the old hypervisor and as CVM presents them (virtio disk and NIC, config drive).
# Proves that the blockers cvmprep reports are real: the unprepared images do not boot as CVM,
# the control does. TAP lines out; ends with a table variant x (verdict, boots, seconds).
#
# Environment: CVMPREP (binary), CVMPREP_SCRATCH; E2E_VARIANTS (default: all), E2E_JOBS (boots
# and builds at once, default: the number of cores), E2E_BOOT_TIMEOUT (seconds per boot, 300),
# CVMPREP_E2E_CACHE (cache directory, default /var/cache/cvmprep-tests; "off": build everything
# in scratch), E2E_FIX=0 (leave out the fix/rollback steps, see "Steps after check" below).
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
here="$top/tests/e2e"
cvmprep="${CVMPREP:-$top/build/cvmprep}"
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/e2e.XXXXXX")
# The helpers put their temporary files under ours.
export CVMPREP_SCRATCH="$scratch"
. "$here/lib.sh"
layer_start=$SECONDS
fail=0

cleanup() {
	# Background boots and builds kill their QEMU and detach their loop devices on TERM.
	local p
	for p in $(jobs -p); do kill -TERM -- "-$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ok() { echo "ok - e2e: $1"; }
nok() {
	echo "not ok - e2e: $1"
	fail=1
}
skip() { echo "ok - e2e: $1 # SKIP $2"; }
note() { echo "# $*"; }

# ---- prerequisites: a missing one is a skip, or a failure under CI ----
missing=""
[ "$(id -u)" -eq 0 ] || missing="$missing root"
for t in debootstrap qemu-system-x86_64 genisoimage sfdisk partx losetup unshare mkfs.ext4 blkid python3; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -x "$cvmprep" ] || missing="$missing $cvmprep"
if [ -z "$missing" ] && ! losetup -f >/dev/null 2>&1; then missing="$missing loop-devices"; fi
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		nok "prerequisites missing:$missing"
		exit 1
	fi
	skip "boot tests" "missing:$missing"
	exit 0
fi

variants=(${E2E_VARIANTS:-vmware-itools vmware-dracut vmware-nocloud control})
jobs_max=${E2E_JOBS:-$(nproc)}
mac=52:54:00:c7:00:01
export E2E_MAC=$mac

# run_parallel CMD...: each argument is one shell command; at most $jobs_max at once. Each runs
# in a process group of its own, which cleanup ends (boot.sh kills its QEMU on TERM).
run_parallel() {
	local c
	for c in "$@"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
		setsid bash -c "$c" &
	done
	wait
}

# ---- 1. the base root (debootstrap, cached by its inputs) ----
t0=$SECONDS
if base=$("$here/build-base.sh" 2>"$scratch/base.err"); then
	ok "Debian 12 base root ready ($((SECONDS - t0)) s)"
else
	nok "Debian 12 base root could not be built"
	sed 's/^/# /' "$scratch/base.err" | tail -30
	exit 1
fi
base_s=$((SECONDS - t0))

# ---- 2. one disk image per variant (cached by base, builder and variant) ----
cache=$(e2e_cache_dir)
t0=$SECONDS
builds=()
for v in "${variants[@]}"; do
	key=$(e2e_image_key "$v")
	img="$cache/img-$v-$key.img"
	echo "$img" >"$scratch/$v.cached"
	[ -f "$img" ] && continue
	# Only the current image of a variant is kept.
	builds+=("rm -f '$cache'/img-$v-*.img; '$here/build-image.sh' '$v' '$base' '$img' >'$scratch/$v.build.log' 2>&1; echo \$? >'$scratch/$v.build.rc'")
done
[ ${#builds[@]} -gt 0 ] && run_parallel "${builds[@]}"
images_s=$((SECONDS - t0))
ready=()
for v in "${variants[@]}"; do
	img=$(cat "$scratch/$v.cached")
	if [ -f "$scratch/$v.build.rc" ] && [ "$(cat "$scratch/$v.build.rc")" != 0 ]; then
		nok "$v: disk image could not be built"
		grep -v '^\(Selecting\|Preparing\|Unpacking\|Setting up\)' "$scratch/$v.build.log" | tail -25 | sed 's/^/# /'
		continue
	fi
	# The tests work on a copy: the cached image stays as built.
	if ! cp --sparse=always "$img" "$scratch/$v.img"; then
		nok "$v: cannot copy the image"
		continue
	fi
	ok "$v: disk image ready$([ -f "$scratch/$v.build.rc" ] && echo " (built)" || echo " (cached)")"
	ready+=("$v")
done

# ---- 3. (a) cvmprep check --root on the mounted image ----
registered=$("$cvmprep" explain --list 2>/dev/null | awk '{print $1}')

# check_image VARIANT TAG: run check on the mounted image; JSON to $scratch/VARIANT.TAG.json,
# exit status to $scratch/VARIANT.TAG.rc.
check_image() {
	local v=$1 tag=$2
	"$here/with-image.sh" "$scratch/$v.img" sh -c 'exec "$1" check --root "$E2E_ROOT" --format json --config /dev/null' \
		sh "$cvmprep" >"$scratch/$v.$tag.json" 2>"$scratch/$v.$tag.err"
	echo $? >"$scratch/$v.$tag.rc"
}

# expect_findings JSON ROW...: ROW is "ID STATUS SEVERITY CODE [if-registered]" ("-": any). Every
# finding of ID must match, and there must be one; no blocker may come from another check. Rows marked if-registered are for checks that
# are not written yet: they are asserted as soon as `cvmprep explain --list` names the check.
expect_findings() {
	local json=$1
	shift
	python3 - "$json" "$registered" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
registered = set(sys.argv[2].split())
bad = []
for row in sys.argv[3:]:
    f = row.split()
    cid, st, sev, code = f[:4]
    if len(f) > 4 and f[4] == "if-registered" and cid not in registered:
        print(f"# TODO: {cid} is not a check yet; expected once it is: {st} {sev} {code}")
        continue
    got = [x for x in d["findings"] if x["id"] == cid]
    if not got:
        bad.append(f"{cid}: no finding")
    for x in got:
        if x["status"] != st or (sev != "-" and x["severity"] != sev) or (code != "-" and x["error_code"] != code):
            bad.append(f"{cid}: expected {st} {sev} {code}, got {x['status']} {x['severity']} {x['error_code']}: {x['summary']}")
# No blocker beyond those expected: each one here is proved real by the boot below.
want_blockers = set()
for row in sys.argv[3:]:
    f = row.split()
    if f[2] == "blocker" and (len(f) < 5 or f[0] in registered):
        want_blockers.add(f[0])
for x in d["findings"]:
    if x["status"] == "fail" and x["severity"] == "blocker" and x["id"] not in want_blockers:
        bad.append(f"{x['id']}: unexpected blocker: {x['summary']}")
for b in bad:
    print("#", b)
sys.exit(1 if bad else 0)
PY
}

verdict_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["verdict"])' "$1" 2>/dev/null || echo "?"; }
blockers_of() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(",".join(sorted({f["id"] for f in d["findings"] if f["status"] == "fail" and f["severity"] == "blocker"})) or "-")' "$1" 2>/dev/null || echo "?"
}

# What each variant's report must say before any fix. Today's checks see the kernel device
# names, the missing virtio drivers and the VMware tools; the cloud-init and network rows
# become assertions when those checks exist.
vmware_rows=(
	"boot.root-device fail blocker -"
	"fstab.device-names fail blocker -"
	"initramfs.virtio fail blocker VirtioNotInstall if-registered"
	"kernel.virtio pass - -"
	"guest.tools fail warning -"
	"boot.loader pass - -"
	"disk.partition-table pass - -"
	"disk.layout pass - -"
	"net.ifnames fail warning - if-registered"
)
declare -A rows
# With cloud-init: the datasource list [ NoCloud, None ] and a minimal initramfs keep it from the
# config drive, and ifupdown names ens33 and never reads what cloud-init renders.
rows[vmware-itools]="cloudinit.installed pass - - if-registered|cloudinit.datasource fail blocker - if-registered|net.config fail blocker - if-registered"
rows[vmware-dracut]=${rows[vmware-itools]}
# Without cloud-init nothing is rendered that ifupdown could miss: net.config is only a warning.
rows[vmware-nocloud]="cloudinit.installed fail blocker CloudInitNotInstalled if-registered|net.config fail warning - if-registered"

declare -A verdict_before boot_before boot_before_s old_boot verdict_after boot_after boot_after_s rollback_res
for v in "${ready[@]}"; do
	check_image "$v" before
	rc=$(cat "$scratch/$v.before.rc")
	verdict_before[$v]="$(verdict_of "$scratch/$v.before.json") (exit $rc)"
	if [ "$rc" -eq 99 ] || grep -q Sanitizer "$scratch/$v.before.err"; then
		nok "$v: check: sanitizer report"
		continue
	fi
	if ! python3 "$top/tests/lib/validate-report.py" "$scratch/$v.before.json" 2>"$scratch/verr"; then
		nok "$v: check: report does not validate"
		sed 's/^/# /' "$scratch/verr" "$scratch/$v.before.err" | head -20
		continue
	fi
	if [ "$v" = control ]; then
		# Clean and cloud-ready: every check that exists passes, without any fix.
		if [ "$rc" -eq 0 ] && [ "$(verdict_of "$scratch/$v.before.json")" = ready ]; then
			ok "$v: check says ready without any fix"
		else
			nok "$v: check exit status $rc, expected 0 (ready)"
			python3 -c 'import json,sys; [print("#", f["id"], f["status"], f["severity"], f["summary"]) for f in json.load(open(sys.argv[1]))["findings"] if f["status"] != "pass"]' "$scratch/$v.before.json"
		fi
		continue
	fi
	IFS='|' read -r -a extra <<<"${rows[$v]:-}"
	if [ "$rc" -ne 2 ]; then
		nok "$v: check exit status $rc, expected 2 (not ready)"
	elif expect_findings "$scratch/$v.before.json" "${vmware_rows[@]}" "${extra[@]}"; then
		ok "$v: check says not ready: $(blockers_of "$scratch/$v.before.json")"
	else
		nok "$v: check findings differ"
	fi
done

# ---- 4. (b) boots: as the old hypervisor (the source image works there) and as CVM ----
for v in "${ready[@]}"; do
	forced=""
	[ "$v" = vmware-nocloud ] && forced=forced
	"$here/configdrive.sh" "$scratch/$v.iso" "cvm-e2e-$v" "$mac" $forced || nok "$v: config drive"
done

# boot_cmd NAME MODE VARIANT [WAIT]: the command line of one boot, for run_parallel.
boot_cmd() {
	local name=$1 mode=$2 v=$3 wait=${4:-}
	local iso=""
	[ "$mode" = cvm ] && iso="$scratch/$v.iso"
	echo "E2E_WAIT='$wait' '$here/boot.sh' $mode '$scratch/$v.img' '$scratch/$name.console' '$iso' >'$scratch/$name.result'; echo \$? >'$scratch/$name.rc'"
}

# console_says NAME: the last lines of a console that tell how a boot ended.
console_says() {
	clean_console "$1" |
		grep -a -E 'ALERT!|Gave up waiting|Dropping to a shell|Job dev-.*no limit|Kernel panic|emergency|not syncing|Could not boot|does not exist' |
		sed -E 's/^\[[ *]+\] //' | uniq | tail -n 3 | sed 's/^/#   console: /'
}

# clean_console NAME: the console without carriage returns, escape sequences and blank lines.
clean_console() {
	tr -d '\r' <"$scratch/$1.console" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[A-Za-z]//g' | grep -av '^\s*$' | cut -c1-200
}

# boot_rc NAME / boot_line NAME: the outcome of a finished boot.
boot_rc() { cat "$scratch/$1.rc" 2>/dev/null || echo 9; }
boot_line() { cat "$scratch/$1.result" 2>/dev/null; }

# boot_summary NAME: a boot's outcome in a few words, for the table.
boot_summary() {
	local line
	line=$(boot_line "$1")
	case "$line" in
	marker*CVMPREP-E2E-MARKER*) echo "marker" ;;
	marker*) echo "probe" ;;
	stuck*"Gave up waiting for root"*) echo "no: initramfs gave up on root" ;;
	stuck*"Job dev-"*) echo "no: waits forever for $(echo "$line" | sed 's/.*Job \(dev-[^ ]*\)\.device.*/\1/')" ;;
	stuck*) echo "no: $(echo "$line" | cut -d' ' -f3- | cut -c1-30)" ;;
	nomarker*) echo "up, no marker" ;;
	*) echo "${line:-?}" | cut -c1-36 ;;
	esac
}

# marker_ok LINE HOST: the marker (or probe) names HOST, eth0 has a 10.0.2.x DHCP address from
# QEMU's user network, and the only interfaces are eth0 and lo.
marker_ok() {
	local line=$1 host=$2
	case "$line" in
	*CVMPREP-E2E-MARKER*)
		echo "$line" | grep -qE "hostname=$host eth0=10\.0\.2\.[0-9]+/24 ifaces=eth0,lo,\$"
		;;
	*E2E-PROBE*)
		echo "$line" | grep -qE "hostname=$host ifaces=eth0,lo, addrs=eth0=10\.0\.2\.[0-9]+/24 \$"
		;;
	*) return 1 ;;
	esac
}

# expect_no_boot NAME VARIANT WHAT: the image must not come up as CVM; says what the console shows.
expect_no_boot() {
	local name=$1 v=$2 what=$3 rc line
	rc=$(boot_rc "$name")
	line=$(boot_line "$name")
	if grep -aq -e CVMPREP-E2E-MARKER -e 'E2E-PROBE booted' "$scratch/$name.console"; then
		nok "$v: $what: reached userspace, but the blockers say it cannot"
		tr -d '\r' <"$scratch/$name.console" | grep -a E2E- | sed 's/^/# /'
	elif [ "$rc" -eq 1 ]; then
		ok "$v: $what: does not boot (${line#stuck })"
	else
		# No marker, but not the expected end either (timeout, QEMU failure): say so.
		nok "$v: $what: no marker, but the boot did not end as expected: $line"
		clean_console "$name" | tail -n 8 | sed 's/^/# /'
	fi
	console_says "$name"
}

# expect_boot NAME VARIANT WHAT HOST: the marker came, with HOST, eth0 by DHCP and no other NIC.
expect_boot() {
	local name=$1 v=$2 what=$3 host=$4 rc line
	rc=$(boot_rc "$name")
	line=$(boot_line "$name")
	if [ "$rc" -eq 0 ] && marker_ok "${line#marker * }" "$host"; then
		ok "$v: $what: boots in $(echo "$line" | awk '{print $2}') s: $(echo "$line" | cut -d' ' -f3-)"
	else
		nok "$v: $what: expected the marker with hostname $host, eth0 10.0.2.x/24 and no other NIC: $line"
		clean_console "$name" | tail -n 12 | sed 's/^/# /'
	fi
}

boots=()
for v in "${ready[@]}"; do
	boots+=("$(boot_cmd "$v.cvm-before" cvm "$v")")
	[ "$v" = control ] || boots+=("$(boot_cmd "$v.old" old "$v")")
done
t0=$SECONDS
run_parallel "${boots[@]}"
boots_s=$((SECONDS - t0))

for v in "${ready[@]}"; do
	if [ "$v" != control ]; then
		# On the old hypervisor the image's own configuration works: SATA disk, ens33 by DHCP.
		line=$(boot_line "$v.old")
		if [ "$(boot_rc "$v.old")" -eq 0 ] && echo "$line" | grep -qE 'hostname=srcvm .*addrs=ens33=10\.0\.2\.[0-9]+/24'; then
			ok "$v: boots on the old hypervisor (SATA, e1000 as ens33) in $(echo "$line" | awk '{print $2}') s: $(echo "$line" | cut -d' ' -f3-)"
			old_boot[$v]="ok $(echo "$line" | awk '{print $2}') s"
		else
			nok "$v: does not boot on the old hypervisor: $line"
			old_boot[$v]="FAIL"
			clean_console "$v.old" | tail -n 12 | sed 's/^/# /'
		fi
		expect_no_boot "$v.cvm-before" "$v" "unprepared, booted as CVM"
	else
		old_boot[$v]="-"
		expect_boot "$v.cvm-before" "$v" "booted as CVM" "cvm-e2e-$v"
	fi
	boot_before[$v]=$(boot_summary "$v.cvm-before")
	boot_before_s[$v]=$(boot_line "$v.cvm-before" | awk '{print $2}')
done

# ---- 5. Steps after check: (c) fix, (d) re-check, (e) boot after fix, (f) rollback ----
# On by default (E2E_FIX=0 leaves them out, e.g. to time the boots alone). Where fix leaves a
# blocker, the image is still booted and must not print the marker. Each step is the same kind of call as above:
#   (c) fix:        with-image.sh IMG cvmprep fix --yes --root "$E2E_ROOT" [--forced-import]
#   (d) re-check:   check_image VARIANT after       -> exit 0 (or 1 with explained warnings)
#   (e) boot after: boot_cmd VARIANT.cvm-after cvm VARIANT -> expect_boot (forced import: the
#                   probe line, as no cloud-init runs the config drive's user_data)
#   (f) rollback:   with-image.sh IMG cvmprep rollback --root "$E2E_ROOT", the tree compared with
#                   the unprepared image, then boot_cmd VARIANT.cvm-rollback -> expect_no_boot
# Warnings allowed after fix ("VARIANT:CHECK_ID"), each with its reason:
# - guest.tools: fix disables the VMware tools' services but leaves the packages installed unless
#   --install-packages (a warning by contract: the instance works).
# - cloudinit.installed on vmware-nocloud: forced import replaces cloud-init; the warning says to
#   choose forced import when importing.
allowed_warnings="vmware-itools:guest.tools vmware-dracut:guest.tools vmware-nocloud:guest.tools
	vmware-nocloud:cloudinit.installed"

# tree_of IMG OUT: every file under /etc and /boot with type, mode, owner, size, mtime and content
# hash (directories without mtime: adding and removing files changes it), the image mounted
# read-only.
tree_of() {
	E2E_RO=1 "$here/with-image.sh" "$1" sh -c 'cd "$E2E_ROOT" &&
		find etc boot ! -type d -printf "%p %y %m %u %g %s %T@ %l\n" | sort &&
		find etc boot -type d -printf "%p %y %m %u %g\n" | sort &&
		find etc boot -type f -print0 | sort -z | xargs -0 sha256sum' >"$2" 2>/dev/null
}

if [ "${E2E_FIX:-1}" = 1 ]; then
	fixed=()
	declare -A blocked
	for v in "${ready[@]}"; do
		[ "$v" = control ] && continue
		verdict_after[$v]="-"
		boot_after[$v]="-"
		rollback_res[$v]="-"
		opt=""
		[ "$v" = vmware-nocloud ] && opt=--forced-import
		# (c) fix
		"$here/with-image.sh" "$scratch/$v.img" sh -c 'exec "$1" fix --yes --root "$E2E_ROOT" --config /dev/null --format json $2' \
			sh "$cvmprep" "$opt" >"$scratch/$v.fix.json" 2>"$scratch/$v.fix.err"
		rc=$?
		if [ "$rc" -eq 2 ]; then
			# Applied, but blockers remain: still boot it below, where they must prove real.
			nok "$v: fix left blockers (exit 2)"
			python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    if f["status"] in ("fail", "error") and f["severity"] == "blocker":
        print("#  still:", f["id"], f["summary"])
        for e in f.get("evidence") or []:
            print("#    -", e)' "$scratch/$v.fix.json" 2>/dev/null | tail -20
			verdict_after[$v]="$(verdict_of "$scratch/$v.fix.json") (fix exit $rc)"
			blocked[$v]=1
			fixed+=("$v")
			continue
		elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
			nok "$v: fix exit status $rc"
			sed 's/^/# /' "$scratch/$v.fix.err" | tail -6
			python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for c in d.get("changes", []):
    print("#  change:", c["action"], c["path"], c.get("detail") or "")
for f in d["findings"]:
    if f["status"] in ("fail", "error") and f["severity"] == "blocker":
        print("#  still:", f["id"], f["summary"])
        for e in f.get("evidence") or []:
            print("#    -", e)' "$scratch/$v.fix.json" 2>/dev/null | tail -30
			verdict_after[$v]="$(verdict_of "$scratch/$v.fix.json") (fix exit $rc)"
			continue
		fi
		ok "$v: fix --yes (exit $rc)"
		# (d) re-check
		check_image "$v" after
		rc=$(cat "$scratch/$v.after.rc")
		verdict_after[$v]="$(verdict_of "$scratch/$v.after.json") (exit $rc)"
		unexplained=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
allowed = set(sys.argv[3].split())
for f in d["findings"]:
    if f["status"] in ("fail", "error") and (f["severity"] == "blocker" or sys.argv[2] + ":" + f["id"] not in allowed):
        print(f["id"], f["status"], f["severity"], f["summary"])' "$scratch/$v.after.json" "$v" "$allowed_warnings" 2>&1)
		if [ "$rc" -le 1 ] && [ -z "$unexplained" ]; then
			ok "$v: check after fix says ready"
		else
			nok "$v: check after fix: exit $rc"
			echo "$unexplained" | sed 's/^/# /'
		fi
		fixed+=("$v")
	done
	boots=()
	for v in "${fixed[@]}"; do
		w=""
		[ "$v" = vmware-nocloud ] && w="E2E-PROBE booted"
		boots+=("$(boot_cmd "$v.cvm-after" cvm "$v" "$w")")
	done
	[ ${#boots[@]} -gt 0 ] && run_parallel "${boots[@]}"
	for v in "${fixed[@]}"; do
		# (e) boot after fix; where fix left a blocker, the marker must not come
		if [ -n "${blocked[$v]:-}" ]; then
			if grep -aq CVMPREP-E2E-MARKER "$scratch/$v.cvm-after.console"; then
				nok "$v: fix left a blocker, yet the image booted as CVM with the marker"
			else
				ok "$v: the blocker fix left is real: booted as CVM, no marker ($(boot_line "$v.cvm-after" | cut -c1-120))"
			fi
		else
			expect_boot "$v.cvm-after" "$v" "fixed, booted as CVM" "cvm-e2e-$v"
		fi
		boot_after[$v]=$(boot_summary "$v.cvm-after")
		boot_after_s[$v]=$(boot_line "$v.cvm-after" | awk '{print $2}')
		# (f) rollback: the tree is the unprepared one again, and it again does not boot as CVM
		"$here/with-image.sh" "$scratch/$v.img" sh -c 'exec "$1" rollback --root "$E2E_ROOT"' sh "$cvmprep" \
			>"$scratch/$v.rollback.out" 2>&1
		rc=$?
		tree_of "$(cat "$scratch/$v.cached")" "$scratch/$v.tree.before"
		tree_of "$scratch/$v.img" "$scratch/$v.tree.after"
		if [ "$rc" -ne 0 ]; then
			nok "$v: rollback exit status $rc"
			tail -10 "$scratch/$v.rollback.out" | sed 's/^/# /'
			rollback_res[$v]="FAIL"
		elif ! diff -q "$scratch/$v.tree.before" "$scratch/$v.tree.after" >/dev/null; then
			nok "$v: rollback did not restore /etc and /boot"
			diff "$scratch/$v.tree.before" "$scratch/$v.tree.after" | head -20 | sed 's/^/# /'
			rollback_res[$v]="differs"
		else
			ok "$v: rollback restores /etc and /boot byte for byte"
			rollback_res[$v]="restored"
		fi
	done
	boots=()
	for v in "${fixed[@]}"; do boots+=("$(boot_cmd "$v.cvm-rollback" cvm "$v")"); done
	[ ${#boots[@]} -gt 0 ] && run_parallel "${boots[@]}"
	for v in "${fixed[@]}"; do
		expect_no_boot "$v.cvm-rollback" "$v" "rolled back, booted as CVM"
		[ "$(boot_rc "$v.cvm-rollback")" -eq 1 ] && rollback_res[$v]="${rollback_res[$v]}, no boot"
	done
else
	for v in "${ready[@]}"; do
		[ "$v" = control ] && continue
		skip "$v: fix, re-check, boot after fix, rollback" "E2E_FIX=0"
	done
fi

# ---- the table ----
note
note "variant         verdict before      old hypervisor  CVM boot before                     s    verdict after                  CVM boot after  s    rollback"
for v in "${variants[@]}"; do
	printf '# %-15s %-19s %-15s %-35s %-4s %-30s %-15s %-4s %s\n' "$v" "${verdict_before[$v]:-?}" "${old_boot[$v]:-?}" \
		"${boot_before[$v]:-?}" "${boot_before_s[$v]:--}" "${verdict_after[$v]:--}" "${boot_after[$v]:--}" \
		"${boot_after_s[$v]:--}" "${rollback_res[$v]:--}"
done
note
note "e2e: $((SECONDS - layer_start)) s in all (base root $base_s s, images $images_s s, boots before fix $boots_s s, $jobs_max at once)"
exit $fail
