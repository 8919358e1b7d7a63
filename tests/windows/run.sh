#!/usr/bin/env bash
# The Windows build under Wine: --version, check (text and JSON), explain, usage errors, --output,
# and win.os against the Windows versions Wine can pretend to be. TAP lines out.
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
exe="${CVMPREP_EXE:-$top/build/win64/cvmprep.exe}"
wine=/usr/lib/wine/wine64
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/wine.XXXXXX")
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
export HOME="$scratch"
fail=0
ok() { echo "ok - windows: $1"; }
nok() { echo "not ok - windows: $1"; fail=1; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

if [ ! -x "$wine" ]; then
	nok "wine64 not found at $wine (install wine64)"
	exit 1
fi
if [ ! -f "$exe" ]; then
	nok "$exe not built (make windows)"
	exit 1
fi
# The first start creates the prefix (slow): do it once, quietly.
timeout 300 "$wine" wineboot --init >/dev/null 2>&1
run() { timeout 120 "$wine" "$exe" "$@" 2>"$scratch/stderr"; }

version=$(cat "$top/VERSION")
out=$(run --version | tr -d '\r')
check "--version prints the VERSION file's version" '[ "$out" = "cvmprep $version" ]'

run check --format json >"$scratch/report.json"
rc=$?
check "check --format json validates against the report schema" \
	'python3 "$top/tests/lib/validate-report.py" "$scratch/report.json"'
check "check --format json: platform windows, win.os and win.activation reported" \
	'python3 - "$scratch/report.json" <<PY
import json, sys
d = json.load(open(sys.argv[1]))
ids = [f["id"] for f in d["findings"]]
assert d["target"]["platform"] == "windows", d["target"]
assert d["target"]["os"]["id"] == "windows"
assert "win.os" in ids and "win.activation" in ids, ids
act = [f for f in d["findings"] if f["id"] == "win.activation"][0]
assert act["status"] == "fail" and act["severity"] == "info", act
PY'
expect_rc=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(2 if s["blockers"] else 1 if s["warnings"] or s.get("errors") else 0)' "$scratch/report.json")
check "check exit status ($rc) agrees with the findings ($expect_rc)" '[ "$rc" = "$expect_rc" ]'

run check >"$scratch/report.txt"
check "check (text) ends with a verdict line" 'grep -q "^Verdict: " "$scratch/report.txt"'

run check --root /tmp >/dev/null; rc=$?
check "--root is refused on Windows with exit 64" '[ $rc -eq 64 ]'
run bogus >/dev/null; rc=$?
check "an unknown command exits 64" '[ $rc -eq 64 ]'
run check --only no.such.check >/dev/null; rc=$?
check "--only with an unknown ID exits 64" '[ $rc -eq 64 ]'
run explain win.os >"$scratch/explain.txt"; rc=$?
check "explain win.os explains" '[ $rc -eq 0 ] && grep -q "RtlGetVersion" "$scratch/explain.txt"'

out_file="$scratch/prefix/drive_c/report.json"
run check --format json --output 'C:\report.json' >/dev/null
check "--output writes the report file (and no temporary file is left)" \
	'python3 "$top/tests/lib/validate-report.py" "$out_file" && ! ls "$scratch/prefix/drive_c/" | grep -q cvmprep-tmp'

printf '[target]\nregion = ap-guangzhou\n[checks]\nbogus_key = 1\n' >"$scratch/prefix/drive_c/warn.conf"
run check --config 'C:\warn.conf' >/dev/null
check "config: an unknown key warns with file and line" 'grep -q "warn.conf:4: unknown key .bogus_key." "$scratch/stderr"'
printf '[target]\nthis line is junk\n' >"$scratch/prefix/drive_c/bad.conf"
run check --config 'C:\bad.conf' >/dev/null
rc=$?
check "config: a malformed file exits 64 naming file and line" '[ $rc -eq 64 ] && grep -q "bad.conf:2:" "$scratch/stderr"'

# win.os against the versions Wine can report.
for row in "win2008r2:pass:Windows Server 2008 R2" "win2008:pass:Windows Server 2008" \
	"win2003:fail-blocker:Windows Server 2003" "win10:fail-warning:Windows 10" "win7:fail-warning:Windows 7"; do
	ver=${row%%:*}; rest=${row#*:}; want=${rest%%:*}; name=${rest#*:}
	timeout 120 "$wine" winecfg /v "$ver" >/dev/null 2>&1
	run check --only win.os --format json >"$scratch/v.json"
	got=$(python3 -c 'import json,sys; f=[x for x in json.load(open(sys.argv[1]))["findings"] if x["id"]=="win.os"][0]; print(f["status"] + ("-"+f["severity"] if f["severity"] else ""), f["subject"], sep=":")' "$scratch/v.json")
	check "win.os as $ver: $want ($name)" '[ "$got" = "$want:$name" ]'
done

rm -rf "$scratch"
exit $fail
