#!/usr/bin/env bash
# Live mode (no --root) on this machine, inside a private mount namespace where the files the
# checks read are bind-mounted from scratch copies: nothing of the host's /etc is read or written
# beyond what the namespace shows. TAP lines out.
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
bins=("${CVMPREP:-$top/build/cvmprep}" "${CVMPREP_ASAN:-$top/build/asan/cvmprep}")
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/live.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail=0
ok() { echo "ok - live: $1"; }
nok() { echo "not ok - live: $1"; fail=1; }

if ! unshare -m true 2>/dev/null; then
	if [ "${CI:-}" = true ]; then nok "unshare -m is not available"; exit 1; fi
	echo "ok - live: all cases # SKIP needs unshare -m (root)"
	exit 0
fi

printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' >"$scratch/os-release"
printf '# test fstab\n/dev/sdb1 /data ext4 defaults 0 2\nproc /proc proc defaults 0 0\n' >"$scratch/fstab"

for bin in "${bins[@]}"; do
	tag=""; case "$bin" in */asan/*) tag=" (asan)" ;; esac
	unshare -m sh -c '
		mount --bind "$1/os-release" /etc/os-release &&
		( [ -e /etc/fstab ] || exit 3 ) &&
		mount --bind "$1/fstab" /etc/fstab &&
		exec "$2" check --format json --config /dev/null' sh "$scratch" "$bin" >"$scratch/out.json" 2>"$scratch/err"
	rc=$?
	if [ $rc -eq 3 ]; then
		echo "ok - live: fstab case$tag # SKIP this machine has no /etc/fstab to bind over"
		continue
	fi
	if [ $rc -eq 99 ]; then nok "sanitizer report$tag"; sed 's/^/# /' "$scratch/err" | head -20; continue; fi
	if ! python3 "$top/tests/lib/validate-report.py" "$scratch/out.json"; then nok "report validates$tag"; continue; fi
	ok "report validates$tag"
	python3 - "$scratch/out.json" "$rc" <<'PY' && ok "live findings as expected$tag" || nok "live findings as expected$tag"
import json, os, sys
d = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
f = {}
for x in d["findings"]:
    f.setdefault(x["id"], []).append(x)
errs = []
def want(cond, msg):
    if not cond:
        errs.append(msg)
want(d["target"]["root"] == "/", "target.root is /")
want(d["target"]["os"]["id"] == "debian", "os from the bound os-release")
dn = f.get("fstab.device-names", [])
want(any(x["status"] == "fail" and x["subject"] == "/etc/fstab:2" for x in dn), f"fstab.device-names flags line 2: {dn}")
fw = f["boot.firmware"][0]
want(fw["status"] == ("fail" if os.path.exists("/sys/firmware/efi") else "pass"), f"boot.firmware agrees with /sys/firmware/efi: {fw}")
# This machine's root is a filesystem on the whole disk /dev/vda, with no partition table.
mi = [l.split() for l in open("/proc/self/mountinfo")]
root = [l for l in mi if l[4] == "/"][-1]
src = root[root.index("-") + 2]
dev = os.path.basename(src)
whole = os.path.exists(f"/sys/class/block/{dev}") and not os.path.exists(f"/sys/class/block/{dev}/partition")
pt = f["disk.partition-table"][0]
if whole:
    want(pt["status"] == "fail" and pt["error_code"] == "PartitionNotPresent", f"whole-disk root is PartitionNotPresent: {pt}")
want(rc == (2 if d["summary"]["blockers"] else 1 if d["summary"]["warnings"] or d["summary"].get("errors") else 0), "exit code matches")
for e in errs:
    print("#", e)
sys.exit(1 if errs else 0)
PY
done
exit $fail
