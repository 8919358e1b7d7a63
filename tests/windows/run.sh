#!/usr/bin/env bash
# The Windows build under Wine: --version, check (text and JSON), explain, usage errors, --output,
# win.os against the Windows versions Wine can pretend to be; then every win.* check, fix and
# rollback on Wine made to look like Windows Server 2008 R2, 2012 R2 and 2016 (registry states
# from mkstate.py, disks and driver staging from the test-only fake backend), the unit tests
# cross-compiled for Windows, the 32-bit build, and the MSI installed and removed by msiexec.
# TAP lines out.
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


# ---- every win.* check, fix and rollback ----
here="$top/tests/windows"
drive_c="$WINEPREFIX/drive_c"
export CVMPREP_TEST_WINFAKE='C:\cvmprep-fake'
fakedir="$drive_c/cvmprep-fake"
conf='C:\cvmprep-test.conf'
mkdir -p "$fakedir"
printf '[windows]\r\nvirtio_source = C:\\virtio\r\ncloudbase_init_installer = C:\\cbinit-test.msi\r\n' >"$drive_c/cvmprep-test.conf"
wine_q() { timeout 120 "$wine" "$@" >/dev/null 2>&1; }
cv() { timeout 300 "$wine" "$exe" "$@" 2>"$scratch/stderr"; }

# The disks, as real partition tables made by sfdisk: MBR, GPT (protective MBR), MBR with an LDM partition.
mkdisk() { # name size sfdisk-script
	rm -f "$fakedir/$1"
	truncate -s "$2" "$fakedir/$1" && printf "$3" | sfdisk -q "$fakedir/$1" >/dev/null 2>&1
}
mkdisk mbr.img 64M 'label: dos\n2048,40960,7,*\n,,7\n' &&
	mkdisk gpt.img 64M 'label: gpt\n,10M,C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n,8M,E3C9E316-0B5C-4DB8-817D-F92DF00215AE\n,,EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' &&
	mkdisk ldm.img 64M 'label: dos\n2048,2048,42\n,,42\n' &&
	mkdisk big.img 600G 'label: dos\n2048,,7,*\n'
check "sfdisk made the MBR, GPT, LDM and 600 GB sector images" '[ -s "$fakedir/ldm.img" ] && [ -s "$fakedir/big.img" ]'
fake() { # image partition used-GiB [firmware]
	{
		printf '[disk]\nimage = %s\nsystem_partition = %s\n' "$1" "$2"
		printf '[volume]\ntotal = %s\nfree = %s\n' $((80 << 30)) $(((80 - $3) << 30))
		[ -n "${4:-}" ] && printf '[firmware]\ntype = %s\n' "$4"
		printf '[drivers]\ninstall = fake\n'
	} >"$fakedir/fake.ini"
}
fake mbr.img 2 20

# virtio_source: the virtio-win ISO's layout, each package with a catalog signed by a throwaway key.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$scratch/signer.key" -out "$scratch/signer.pem" -days 30 \
	-subj "/CN=cvmprep test driver signer" >/dev/null 2>&1
thumb=$(openssl x509 -in "$scratch/signer.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
python3 - "$here" "$drive_c/virtio" <<'PY'
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("mkstate", os.path.join(sys.argv[1], "mkstate.py"))
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
for drv, folder in (("viostor", "viostor"), ("netkvm", "NetKVM")):
    for osdir in ("2k8R2", "2k12R2", "2k16"):
        d = os.path.join(sys.argv[2], folder, osdir, "amd64")
        m.write(os.path.join(d, drv + ".inf"), m.inf_text(drv))
        m.write(os.path.join(d, drv + ".sys"), m.sys_bytes(drv))
PY
for inf in "$drive_c"/virtio/*/*/amd64/*.inf; do
	openssl smime -sign -binary -in "$inf" -signer "$scratch/signer.pem" -inkey "$scratch/signer.key" \
		-outform DER -nodetach -out "${inf%.inf}.cat" 2>/dev/null
done
check "virtio_source laid out like the virtio-win ISO, catalogs signed" '[ -s "$drive_c/virtio/viostor/2k16/amd64/viostor.cat" ]'

# The adapters Wine reports (the host's): their GUIDs, for DHCP settings in the registry.
cv check --only win.network --format json >"$scratch/net.json"
guids=$(python3 -c 'import json,re,sys; print(",".join(sorted({g for f in json.load(open(sys.argv[1]))["findings"] for e in f["evidence"] for g in re.findall(r"\{[0-9A-Fa-f-]+\}", e)})))' "$scratch/net.json")

state() { # version key=value...
	python3 "$here/mkstate.py" "$drive_c" "$@" dhcp="$guids" >"$drive_c/state.reg" && wine_q reg import 'C:\state.reg'
}
snapshot() { # name: the registry (SYSTEM, certificate stores) and the files fix may touch
	wine_q regedit /E 'C:\snap-sys.reg' 'HKEY_LOCAL_MACHINE\SYSTEM'
	wine_q regedit /E 'C:\snap-cert.reg' 'HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\SystemCertificates'
	python3 "$here/regnorm.py" "$drive_c/snap-sys.reg" "$drive_c/snap-cert.reg" >"$scratch/$1.reg"
	(cd "$drive_c" && find "Program Files/Cloudbase Solutions" windows/system32/DriverStore windows/inf \
		windows/system32/drivers -type f 2>/dev/null | LC_ALL=C sort | xargs -d '\n' -r sha256sum) >"$scratch/$1.files"
}
same_as() { # name: the state now is the snapshot's, byte for byte
	snapshot now && diff "$scratch/$1.reg" "$scratch/now.reg" >"$scratch/diff.txt" &&
		diff "$scratch/$1.files" "$scratch/now.files" >>"$scratch/diff.txt"
}
expect() { python3 "$here/expect.py" "$@"; }
regq() { timeout 60 "$wine" reg query "$@" 2>/dev/null | tr -d '\r'; }
cbconf="$drive_c/Program Files/Cloudbase Solutions/Cloudbase-Init/conf"
gold="$here/fixtures/cbinit"
# CVMPREP_REGEN=1 rewrites the golden files from what fix wrote (review the diff before committing).
golden() { # file golden-name
	[ "${CVMPREP_REGEN:-}" = 1 ] && cp "$1" "$gold/$2"
	cmp -s "$1" "$gold/$2"
}

for ver in 2008r2 2012r2 2016; do
	case $ver in 2008r2) name="Windows Server 2008 R2" ;; 2012r2) name="Windows Server 2012 R2" ;; *) name="Windows Server 2016" ;; esac
	# A: drivers missing, cloudbase-init with the installer's default files, Fast Startup (or hibernation) on.
	state $ver drivers=missing cbinit=default power=on
	cv check --config "$conf" --format json >"$scratch/a.json"; rc=$?
	check "$ver A: check sees $name; virtio missing, default cloudbase-init files, hibernation on (exit $rc)" \
		'[ $rc -eq 2 ] && expect "$scratch/a.json" "win.os=pass" "win.firmware=pass" "win.partition-table=pass" \
		"win.dynamic-disk=pass" "win.filesystem=pass" "win.disk-size=pass" "win.virtio.installed=fail/blocker" \
		"win.virtio.boot-critical=fail/blocker" "win.cloudbase-init.installed=pass" \
		"win.cloudbase-init.config=fail/blocker" "win.cloudbase-init.service=fail/warning" "win.network=pass" \
		"win.fast-startup@hibernation=fail/warning" "win.pending-reboot=pass" "win.guest-tools=pass" \
		"win.activation=fail/info" && grep -q "\"pretty_name\": \"$name\"" "$scratch/a.json"'
	snapshot "a-$ver"
	cv fix --config "$conf" --yes --format json >"$scratch/afix.json"; rc=$?
	check "$ver A: fix stages the drivers, makes viostor boot-critical, rewrites both conf files, fixes the service and power (exit $rc)" \
		'[ $rc -eq 0 ] && expect "$scratch/afix.json" "win.virtio.installed=fixed" "win.virtio.boot-critical=fixed" \
		"win.cloudbase-init.config=fixed" "win.cloudbase-init.service=fixed" "win.fast-startup=fixed"'
	check "$ver A: viostor's service starts at boot (Start 0, Type 1, Group SCSI miniport)" \
		'regq "HKLM\\SYSTEM\\CurrentControlSet\\Services\\viostor" >"$scratch/q" && grep -q "Start *REG_DWORD *0x0$" "$scratch/q" &&
		grep -q "Type *REG_DWORD *0x1$" "$scratch/q" && grep -q "Group *REG_SZ *SCSI miniport" "$scratch/q" &&
		cmp -s "$drive_c/windows/system32/drivers/viostor.sys" "$drive_c/virtio/viostor/2k16/amd64/viostor.sys"'
	if [ $ver = 2008r2 ]; then
		check "$ver A: CriticalDeviceDatabase binds PCI\\VEN_1AF4&DEV_1001 and DEV_1042 to viostor" \
			'regq "HKLM\\SYSTEM\\CurrentControlSet\\Control\\CriticalDeviceDatabase\\pci#ven_1af4&dev_1001" | grep -q "Service *REG_SZ *viostor" &&
			regq "HKLM\\SYSTEM\\CurrentControlSet\\Control\\CriticalDeviceDatabase\\pci#ven_1af4&dev_1042" | grep -q "ClassGUID *REG_SZ *{4D36E97B"'
	else
		check "$ver A: DriverDatabase binds PCI\\VEN_1AF4&DEV_1001 and DEV_1042 to the staged viostor package" \
			'regq "HKLM\\SYSTEM\\DriverDatabase\\DeviceIds\\PCI\\VEN_1AF4&DEV_1001" | grep -q "oem[0-9]*.inf *REG_BINARY *01FF0000" &&
			regq "HKLM\\SYSTEM\\DriverDatabase\\DeviceIds\\PCI\\VEN_1AF4&DEV_1042" | grep -q "oem[0-9]*.inf"'
	fi
	check "$ver A: the signer of the packages' catalog is a trusted publisher" \
		'regq "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\TrustedPublisher\\Certificates\\$thumb" | grep -q Blob'
	check "$ver A: cloudbase-init.conf is the default file with Tencent's settings, every other byte kept" \
		'golden "$cbconf/cloudbase-init.conf" default.fixed.conf'
	check "$ver A: cloudbase-init-unattend.conf likewise" 'golden "$cbconf/cloudbase-init-unattend.conf" default-unattend.fixed.conf'
	check "$ver A: the service runs as LocalSystem, hibernation is off" \
		'regq "HKLM\\SYSTEM\\CurrentControlSet\\Services\\cloudbase-init" /v ObjectName | grep -q "REG_SZ *LocalSystem" &&
		regq "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Power" /v HibernateEnabled | grep -q "0x0$"'
	cv fix --config "$conf" --yes >"$scratch/again.txt"; rc=$?
	check "$ver A: a second fix changes nothing and says so (exit $rc)" '[ $rc -eq 0 ] && grep -q "nothing to change" "$scratch/again.txt"'
	cv rollback --format json >"$scratch/arb.json"; rc=$?
	check "$ver A: rollback restores the registry (regedit export) and the files exactly (exit $rc)" \
		'[ $rc -eq 0 ] && same_as "a-$ver" || { sed "s/^/# /" "$scratch/diff.txt" | head -20; false; }'

	# B: drivers staged but not boot-critical, cloudbase-init with Tencent's files, power off.
	state $ver drivers=staged cbinit=tencent power=off
	cv check --config "$conf" --format json >"$scratch/b.json"; rc=$?
	check "$ver B: drivers installed but not boot-critical; Tencent's conf files pass (exit $rc)" \
		'[ $rc -eq 2 ] && expect "$scratch/b.json" "win.virtio.installed=pass" "win.virtio.boot-critical=fail/blocker" \
		"win.cloudbase-init.config=pass" "win.cloudbase-init.service=pass" "win.fast-startup=pass"'
	snapshot "b-$ver"
	cv fix --config "$conf" --yes --format json >"$scratch/bfix.json"; rc=$?
	check "$ver B: fix makes the staged viostor boot-critical (exit $rc)" \
		'[ $rc -eq 0 ] && expect "$scratch/bfix.json" "win.virtio.boot-critical=fixed" "win.virtio.installed=pass"'
	cv rollback >/dev/null; rc=$?
	check "$ver B: rollback restores the registry and files exactly (exit $rc)" \
		'[ $rc -eq 0 ] && same_as "b-$ver" || { sed "s/^/# /" "$scratch/diff.txt" | head -20; false; }'

	# C: everything right.
	state $ver drivers=bootcritical cbinit=tencent power=off
	cv check --config "$conf" --format json >"$scratch/c.json"; rc=$?
	check "$ver C: a prepared system passes every check (exit $rc)" \
		'[ $rc -eq 0 ] && expect "$scratch/c.json" "win.virtio.installed=pass" "win.virtio.boot-critical=pass" \
		"win.cloudbase-init.installed=pass" "win.cloudbase-init.config=pass" "win.cloudbase-init.service=pass" \
		"win.fast-startup=pass" "win.partition-table=pass" "win.firmware=pass"'
	cv fix --config "$conf" --yes >"$scratch/c.txt"; rc=$?
	check "$ver C: fix has nothing to change (exit $rc)" '[ $rc -eq 0 ] && grep -q "nothing to change" "$scratch/c.txt"'
done

# ---- more states, on 2016 ----
# A hand-edited cloudbase-init.conf: comments, continuation lines, a junk line, no final newline.
state 2016 drivers=bootcritical cbinit=messy power=off
cv check --config "$conf" --format json >"$scratch/m.json"; rc=$?
check "messy conf: oslo.config would refuse the junk line; the service is on demand (exit $rc)" \
	'[ $rc -eq 2 ] && expect "$scratch/m.json" "win.cloudbase-init.config@C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\conf\\cloudbase-init.conf=fail/blocker" \
	"win.cloudbase-init.config@C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\conf\\cloudbase-init-unattend.conf=pass" \
	"win.cloudbase-init.service=fail/warning" && grep -q "refuses the file" "$scratch/m.json"'
snapshot messy
cv fix --config "$conf" --dry-run >"$scratch/dry.txt"; rc=$?
check "fix --dry-run shows the diff and changes nothing (exit $rc)" \
	'[ $rc -eq 2 ] && grep -q "^+allow_reboot = false" "$scratch/dry.txt" && grep -q "^-this line is junk" "$scratch/dry.txt" &&
	same_as messy && [ ! -d "$drive_c/ProgramData/cvmprep/runs" ]'
cv fix --config "$conf" </dev/null >/dev/null; rc=$?
check "fix without --yes and no terminal refuses with exit 64, changing nothing" '[ $rc -eq 64 ] && same_as messy'
cv fix --config "$conf" --yes >/dev/null; rc=$?
check "messy conf: fix keeps every other line, comment and continuation line, comments out the junk (exit $rc)" \
	'[ $rc -eq 0 ] && golden "$cbconf/cloudbase-init.conf" messy.fixed.conf'
printf '\n# edited after the fix\n' >>"$cbconf/cloudbase-init.conf"
cp "$cbconf/cloudbase-init.conf" "$scratch/edited.conf"
cv rollback >/dev/null; rc=$?
check "rollback refuses with exit 3, naming the file changed since the fix, and changes nothing" \
	'[ $rc -eq 3 ] && grep -q "cloudbase-init.conf.* changed after cvmprep fix wrote it" "$scratch/stderr" &&
	cmp -s "$cbconf/cloudbase-init.conf" "$scratch/edited.conf" &&
	regq "HKLM\\SYSTEM\\CurrentControlSet\\Services\\cloudbase-init" /v Start | grep -q "0x2$"'
cv rollback --force >/dev/null; rc=$?
check "rollback --force puts the originals back exactly (exit $rc)" \
	'[ $rc -eq 0 ] && same_as messy || { sed "s/^/# /" "$scratch/diff.txt" | head; false; }'
cv rollback --list >"$scratch/list.txt"; rc=$?
check "rollback --list shows the run as rolled back" '[ $rc -eq 0 ] && grep -q "fix  *rolled-back" "$scratch/list.txt"'
cv rollback >/dev/null; rc=$?
check "rollback with nothing left to roll back exits 64" '[ $rc -eq 64 ]'

# Killed at every step of a fix (files and registry values): rollback always gets the original back.
state 2016 drivers=bootcritical cbinit=messy power=on
snapshot crash
crashed=0 restored=0
for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
	CVMPREP_TEST_CRASH_AT=$n cv fix --config "$conf" --yes >/dev/null; rc=$?
	[ $rc -eq 0 ] && break # past the last step: the fix completed
	crashed=$((crashed + 1))
	cv rollback >/dev/null && same_as crash && restored=$((restored + 1))
	ls "$cbconf" | grep -q cvmprep-tmp && restored=$((restored - 1))
done
cv rollback >/dev/null
check "a fix killed at each of its $crashed steps is rolled back to the exact original state every time ($restored)" \
	'[ $crashed -ge 8 ] && [ $restored -eq $crashed ] && same_as crash'

# cloudbase-init missing: the opt-in fix runs the installer (a stand-in MSI built by wixl), then plans the rest.
if command -v wixl >/dev/null; then
	(cd "$here/fixtures/msi" && wixl --arch x64 -o "$drive_c/cbinit-test.msi" cbinit-test.wxs) 2>/dev/null
	state 2016 drivers=bootcritical cbinit=none power=off
	# Services were added and removed in the registry behind the service manager's back: restart
	# Wine so that its service manager reads them again, as Windows would at boot.
	timeout 60 /usr/lib/wine/wineserver -k >/dev/null 2>&1
	snapshot noinit
	cv fix --config "$conf" --yes --format json >"$scratch/i0.json"; rc=$?
	check "without --install-packages, cloudbase-init stays missing and the report says what enables it (exit $rc)" \
		'[ $rc -eq 2 ] && expect "$scratch/i0.json" "win.cloudbase-init.installed=fail/blocker" && same_as noinit'
	cv fix --config "$conf" --yes --install-packages --format json >"$scratch/i1.json"; rc=$?
	check "fix --install-packages runs the MSI silently, then rewrites its conf files and service (exit $rc)" \
		'[ $rc -eq 0 ] && expect "$scratch/i1.json" "win.cloudbase-init.installed=fixed" "win.cloudbase-init.config=fixed" \
		"win.cloudbase-init.service=fixed" && golden "$cbconf/cloudbase-init.conf" default.fixed.conf ||
		{ sed "s/^/# /" "$scratch/stderr"; false; }'
	cv rollback >/dev/null; rc=$?
	check "rollback uninstalls the MSI (msiexec /x) and the registry is as before (exit $rc)" \
		'[ $rc -eq 0 ] && same_as noinit || { sed "s/^/# /" "$scratch/diff.txt" | head; false; }'
else
	nok "wixl not found (install wixl): the cloudbase-init installer test needs it"
fi

# virtio-win's MSI does not install on 2008 R2: fix says so and does nothing.
state 2008r2 drivers=missing cbinit=tencent power=off
cp "$drive_c/cbinit-test.msi" "$drive_c/virtio-win-gt-x64.msi" 2>/dev/null || : >"$drive_c/virtio-win-gt-x64.msi"
printf '[windows]\r\nvirtio_source = C:\\virtio-win-gt-x64.msi\r\n' >"$drive_c/msi-source.conf"
snapshot msisrc
cv fix --config 'C:\msi-source.conf' --yes >"$scratch/msisrc.txt"; rc=$?
check "2008r2: a virtio-win MSI as virtio_source is refused with the reason, nothing changed (exit $rc)" \
	'[ $rc -eq 2 ] && grep -q "installs on Windows 8 / Server 2012 and later only" "$scratch/msisrc.txt" && same_as msisrc'

# Adapters: one with a static address (the persistent TCP/IP setting) is a warning naming it.
first=${guids%%,*}
if [ -n "$first" ]; then
	state 2016 drivers=bootcritical cbinit=tencent static="$first"
	cv check --only win.network --format json >"$scratch/n.json"; rc=$?
	check "adapters: the static one is a warning, the DHCP ones pass (exit $rc)" \
		'[ $rc -eq 1 ] && python3 - "$scratch/n.json" "$first" <<PY
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
bad = [x for x in f if x["status"] == "fail"]
assert len(bad) == 1 and bad[0]["severity"] == "warning" and sys.argv[2] in " ".join(bad[0]["evidence"]), bad
assert all(x["status"] == "pass" for x in f if x not in bad), f
PY'
else
	ok "adapters # SKIP Wine reports no Ethernet adapter on this machine"
fi

# Fast Startup on (2016) and hibernation only (2008 R2 has no Fast Startup).
state 2016 drivers=bootcritical cbinit=tencent power=on
cv check --only win.fast-startup --format json >"$scratch/p.json"; rc=$?
check "Fast Startup and hibernation on: two warnings (exit $rc)" \
	'[ $rc -eq 1 ] && expect "$scratch/p.json" "win.fast-startup@Fast Startup=fail/warning" "win.fast-startup@hibernation=fail/warning"'
state 2016 drivers=bootcritical cbinit=tencent power=off
cv check --only win.fast-startup --format json >"$scratch/p.json"; rc=$?
check "Fast Startup and hibernation off: pass (exit $rc)" '[ $rc -eq 0 ] && expect "$scratch/p.json" "win.fast-startup=pass"'

# Disks from the fake backend's sector images.
fake gpt.img 3 20
cv check --only win.partition-table,win.dynamic-disk --format json >"$scratch/d.json"; rc=$?
check "GPT system disk: PartitionNotPresent blocker, its protective MBR not taken for MBR (exit $rc)" \
	'[ $rc -eq 2 ] && expect "$scratch/d.json" "win.partition-table=fail/blocker" "win.dynamic-disk=pass" &&
	grep -q "\"error_code\": \"PartitionNotPresent\"" "$scratch/d.json"'
fake ldm.img 2 20
cv check --only win.partition-table,win.dynamic-disk --format json >"$scratch/d.json"; rc=$?
check "MBR disk with LDM partitions (0x42): dynamic disk blocker (exit $rc)" \
	'[ $rc -eq 2 ] && expect "$scratch/d.json" "win.partition-table=pass" "win.dynamic-disk=fail/blocker"'
fake big.img 1 20
cv check --only win.disk-size --format json >"$scratch/d.json"; rc=$?
check "600 GB disk: InvalidFormatSize blocker (exit $rc)" \
	'[ $rc -eq 2 ] && expect "$scratch/d.json" "win.disk-size=fail/blocker" && grep -q InvalidFormatSize "$scratch/d.json"'
fake mbr.img 2 52
cv check --only win.disk-size --format json >"$scratch/d.json"; rc=$?
check "52 GiB in use: over 50 GB as qcow2, a blocker (exit $rc)" '[ $rc -eq 2 ] && expect "$scratch/d.json" "win.disk-size=fail/blocker"'
fake mbr.img 2 47
cv check --only win.disk-size --format json >"$scratch/d.json"; rc=$?
check "47 GiB in use: over 50 GB in powers of ten only, a warning (exit $rc)" '[ $rc -eq 1 ] && expect "$scratch/d.json" "win.disk-size=fail/warning"'

# Firmware: GetFirmwareType (the backend's answer), else the BCD store's loader (Wine 8 has no GetFirmwareType).
fake mbr.img 2 20 uefi
cv check --only win.firmware --format json >"$scratch/f.json"; rc=$?
check "GetFirmwareType says UEFI: blocker (exit $rc)" '[ $rc -eq 2 ] && expect "$scratch/f.json" "win.firmware=fail/blocker"'
fake mbr.img 2 20
state 2016 drivers=bootcritical cbinit=tencent bcd=uefi
cv check --only win.firmware --format json >"$scratch/f.json"; rc=$?
check "BCD default entry loads winload.efi: blocker (exit $rc)" \
	'[ $rc -eq 2 ] && expect "$scratch/f.json" "win.firmware=fail/blocker" && grep -q "winload.efi" "$scratch/f.json"'
state 2016 drivers=bootcritical cbinit=tencent bcd=bios
cv check --only win.firmware --format json >"$scratch/f.json"; rc=$?
check "BCD default entry loads winload.exe: pass (exit $rc)" '[ $rc -eq 0 ] && expect "$scratch/f.json" "win.firmware=pass"'

# Pending reboot and guest tools.
state 2016 drivers=bootcritical cbinit=tencent pending=1 tools=1
cv check --only win.pending-reboot,win.guest-tools --format json >"$scratch/g.json"; rc=$?
check "a pending reboot and VMware Tools: two warnings (exit $rc)" \
	'[ $rc -eq 1 ] && expect "$scratch/g.json" "win.pending-reboot=fail/warning" "win.guest-tools=fail/warning"'
cv explain --list >"$scratch/ids.txt"
check "explain --list names every win.* check of the spec" \
	'missing=0; for id in win.os win.firmware win.partition-table win.dynamic-disk win.filesystem win.disk-size \
		win.virtio.installed win.virtio.boot-critical win.cloudbase-init.installed win.cloudbase-init.config \
		win.cloudbase-init.service win.network win.fast-startup win.pending-reboot win.guest-tools win.activation; do
		grep -q "^$id " "$scratch/ids.txt" || missing=1; done; [ $missing -eq 0 ]'
cv check --format json >"$scratch/all.json"
check "the full report validates against the report schema" 'python3 "$top/tests/lib/validate-report.py" "$scratch/all.json"'

# ---- unit tests cross-compiled for Windows (shared sources and windows/), under Wine ----
build="${BUILD:-$top/build}"
shopt -s nullglob
units=("$build"/win64/tests/test_*.exe)
if [ ${#units[@]} -eq 0 ]; then
	nok "unit tests for Windows not built (make windows-unit)"
fi
for t in "${units[@]}"; do
	name=$(basename "$t" .exe)
	out=$(timeout 300 "$wine" "$t" 2>&1 | tr -d '\r')
	rc=$?
	printf '%s\n' "$out" | sed -nE "s/^(not ok|ok) [0-9]+ - (.*)$/\1 - windows-unit $name: \2/p"
	printf '%s\n' "$out" | grep -E '^# .*:[0-9]+: ' | sed 's/^/# /'
	if ! printf '%s\n' "$out" | grep -q '^1\.\.[0-9]'; then
		nok "windows-unit $name did not run (exit $rc)"
	elif printf '%s\n' "$out" | grep -q '^not ok'; then
		fail=1
	fi
done

# ---- the 32-bit build ----
exe32="$build/win32/cvmprep.exe"
check "the i686 build is a 32-bit Windows executable (Wine here runs 64-bit programs only)" \
	'[ -f "$exe32" ] && i686-w64-mingw32-objdump -f "$exe32" 2>/dev/null | grep -q "file format pei-i386"'

# ---- the MSI, built by wixl, installed and removed by msiexec /qn ----
if command -v wixl >/dev/null && command -v msibuild >/dev/null; then
	msi1="$drive_c/cvmprep-old.msi" msi2="$drive_c/cvmprep.msi"
	sh "$top/packaging/msi/build-msi.sh" "$exe" 0.0.1 "$msi1" >/dev/null 2>&1
	sh "$top/packaging/msi/build-msi.sh" "$exe" "$version" "$msi2" >/dev/null 2>&1
	check "the MSI builds with wixl" '[ -s "$msi1" ] && [ -s "$msi2" ]'
	pf="$drive_c/Program Files/cvmprep" pdata="$drive_c/ProgramData/cvmprep"
	uninst() { regq 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' /s | grep -E 'DisplayName *REG_SZ *cvmprep$|DisplayVersion'; }
	timeout 300 "$wine" msiexec /i 'C:\cvmprep-old.msi' /qn >/dev/null 2>&1; rc=$?
	out=$(timeout 60 "$wine" 'C:\Program Files\cvmprep\cvmprep.exe' --version 2>/dev/null | tr -d '\r')
	check "msiexec /i /qn installs cvmprep.exe under Program Files and it runs from there (exit $rc)" \
		'[ $rc -eq 0 ] && [ "$out" = "cvmprep $version" ]'
	check "the example configuration is in ProgramData, with the [windows] settings, CRLF" \
		'grep -q "^\[windows\]" "$pdata/cvmprep.conf" && grep -q "virtio_source" "$pdata/cvmprep.conf" && grep -q $'"'"'\r$'"'"' "$pdata/cvmprep.conf"'
	printf '[checks]\r\nskip = win.network\r\n' >>"$pdata/cvmprep.conf"
	cp "$pdata/cvmprep.conf" "$scratch/edited-conf"
	timeout 300 "$wine" msiexec /i 'C:\cvmprep.msi' /qn >/dev/null 2>&1; rc=$?
	check "an upgrade (msiexec /i of a newer MSI) replaces the old version and keeps the edited configuration (exit $rc)" \
		'[ $rc -eq 0 ] && [ "$(uninst | grep -c DisplayVersion)" = 1 ] && uninst | grep -q "DisplayVersion *REG_SZ *$version" &&
		cmp -s "$pdata/cvmprep.conf" "$scratch/edited-conf" && [ -x "$pf/cvmprep.exe" ]'
	timeout 300 "$wine" msiexec /x 'C:\cvmprep.msi' /qn >/dev/null 2>&1; rc=$?
	check "msiexec /x /qn removes the program, its uninstall entry and App Paths, and leaves the configuration (exit $rc)" \
		'[ $rc -eq 0 ] && [ ! -e "$pf/cvmprep.exe" ] && [ -z "$(uninst)" ] &&
		! regq "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cvmprep.exe" | grep -q cvmprep &&
		cmp -s "$pdata/cvmprep.conf" "$scratch/edited-conf"'
else
	nok "wixl and msibuild not found (install wixl and msitools): the MSI is not tested"
fi

# Our prefix's wineserver (and the services it started) must be gone before its files can go.
timeout 60 /usr/lib/wine/wineserver -k >/dev/null 2>&1
[ -n "${CVMPREP_KEEP:-}" ] || rm -rf "$scratch"
exit $fail
