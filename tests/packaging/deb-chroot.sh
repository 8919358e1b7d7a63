#!/usr/bin/env bash
# The .deb in a fresh Debian 12 minbase root: `apt-get install ./cvmprep_*.deb` resolves its
# dependencies from the registry; cvmprep runs there (--version, check, a fix and its rollback);
# `apt-get remove` keeps the changed conffile, `apt-get purge` and autoremove leave the tree as it
# was before the install. deb-chroot.sh BASE DEB VERSION WORK; TAP lines out. Runs itself in a
# private mount namespace.
set -u
if [ -z "${PACKAGING_IN_NS:-}" ]; then
	PACKAGING_IN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
base=$1 deb=$2 version=$3 work=$4
status=0
rm -rf "$work"
mkdir -p "$work"
r=$(overlay_root "$work" "$base") || {
	notok "deb: overlay over the base root"
	exit 1
}

if ! in_root "$r" apt-get update -q >"$work/update.log" 2>&1; then
	notok "deb: apt-get update in the root"
	note <"$work/update.log" | tail -n 10
	exit 1
fi
cp "$deb" "$r/tmp/"
debname=$(basename "$deb")
python3 "$here/snapshot.py" "$r" >"$work/before"
installed() { in_root "$r" dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 ~ /^.i/ { print $2 }' | sort; }
installed >"$work/packages.before"

# The install: one command, dependencies from the registry.
if in_root "$r" sh -c "cd /tmp && apt-get install -y -q ./$debname" >"$work/install.log" 2>&1; then
	ok "deb: apt-get install ./$debname in a fresh Debian 12 minbase root"
else
	notok "deb: apt-get install ./$debname in a fresh Debian 12 minbase root"
	note <"$work/install.log" | tail -n 20
	exit 1
fi
got=$(in_root "$r" dpkg-query -W -f='${Status} ${Version}' cvmprep 2>&1)
check "deb: dpkg says 'install ok installed $version' ($got)" [ "$got" = "install ok installed $version" ]
# Every library the package depends on came in with it.
deps=$(in_root "$r" dpkg-query -W -f='${Depends}' cvmprep | tr ',' '\n' | sed 's/([^)]*)//; s/[[:space:]]//g' | sed '/^$/d')
missing=""
for p in $deps; do
	in_root "$r" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
check "deb: its Depends are installed ($(echo $deps | wc -w) packages)${missing:+, missing:$missing}" [ -z "$missing" ]

out=$(in_root "$r" cvmprep --version 2>&1)
check "deb: cvmprep --version in the root prints 'cvmprep $version' ($out)" [ "$out" = "cvmprep $version" ]
in_root "$r" cvmprep check --format json --output /tmp/report.json >"$work/check.out" 2>&1
rc=$?
if [ $rc -le 2 ] && why=$(report_ok "$r/tmp/report.json" "$version"); then
	ok "deb: cvmprep check in the root: exit $rc, a JSON report of version $version ($(json_get "$r/tmp/report.json" 'r["summary"]["verdict"]'))"
else
	notok "deb: cvmprep check in the root: exit $rc $why"
	note <"$work/check.out" | tail -n 10
fi
os=$(json_get "$r/tmp/report.json" 'r["target"]["os"]["id"] + " " + r["target"]["os"]["version_id"]' 2>/dev/null)
check "deb: the report describes the root (os '$os')" [ "$os" = "debian 12" ]
out=$(in_root "$r" cvmprep check --only os.release 2>&1)
rc=$?
check "deb: cvmprep check (text) exits 0 for os.release on Debian 12 (exit $rc)" [ $rc -eq 0 ]

# What the package put on the system.
conffiles=$(in_root "$r" dpkg-query -W -f='${Conffiles}' cvmprep | awk 'NF { print $1 }' | paste -sd' ')
check "deb: the conffiles are '/etc/cvmprep/cvmprep.conf' ($conffiles)" [ "$conffiles" = /etc/cvmprep/cvmprep.conf ]
mode=$(stat -c '%a %U' "$r/var/lib/cvmprep")
check "deb: /var/lib/cvmprep is 700 root ($mode)" [ "$mode" = "700 root" ]
check "deb: the manual page and the completion are installed" \
	test -f "$r/usr/share/man/man8/cvmprep.8.gz" -a -f "$r/usr/share/bash-completion/completions/cvmprep"

# A real fix run, journaled under /var/lib/cvmprep, and its rollback.
mkdir -p "$r/etc/udev/rules.d"
rule=$r/etc/udev/rules.d/70-persistent-net.rules
printf '%s\n' 'SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="52:54:00:12:34:56", ATTR{type}=="1", KERNEL=="eth*", NAME="eth0"' >"$rule"
cp -p "$rule" "$work/rule.orig"
in_root "$r" cvmprep fix --yes --only net.persistent-rules </dev/null >"$work/fix.out" 2>&1
rc=$?
runs=$(in_root "$r" cvmprep rollback --list 2>&1 | grep -c ' complete ')
if [ $rc -eq 0 ] && [ ! -e "$rule" ] && [ "$runs" -eq 1 ]; then
	ok "deb: cvmprep fix --yes moved the MAC-bound udev rule into a journaled run"
else
	notok "deb: cvmprep fix --yes (exit $rc, rule still there: $([ -e "$rule" ] && echo yes || echo no), runs: $runs)"
	note <"$work/fix.out" | tail -n 10
fi
in_root "$r" cvmprep rollback </dev/null >"$work/rollback.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && cmp -s "$rule" "$work/rule.orig"; then
	ok "deb: cvmprep rollback put the rule back byte for byte"
else
	notok "deb: cvmprep rollback (exit $rc)"
	note <"$work/rollback.out" | tail -n 10
fi
rm -f "$rule"
rmdir "$r/etc/udev/rules.d" "$r/etc/udev" 2>/dev/null

# remove keeps the (changed) conffile, purge takes it and the journal.
echo '# changed by the administrator' >>"$r/etc/cvmprep/cvmprep.conf"
in_root "$r" apt-get remove -y -q cvmprep >"$work/remove.log" 2>&1
st=$(in_root "$r" dpkg-query -W -f='${Status}' cvmprep 2>&1)
if [ "$st" = "deinstall ok config-files" ] && [ ! -e "$r/usr/sbin/cvmprep" ] &&
	grep -q 'changed by the administrator' "$r/etc/cvmprep/cvmprep.conf"; then
	ok "deb: apt-get remove takes the program and keeps the changed conffile ($st)"
else
	notok "deb: apt-get remove (status '$st')"
	note <"$work/remove.log" | tail -n 10
fi
in_root "$r" apt-get purge -y -q cvmprep >"$work/purge.log" 2>&1 &&
	in_root "$r" apt-get autoremove --purge -y -q >>"$work/purge.log" 2>&1
rc=$?
st=$(in_root "$r" dpkg-query -W -f='${Status}' cvmprep 2>&1)
if [ $rc -eq 0 ] && [ ! -e "$r/etc/cvmprep" ] && [ ! -e "$r/var/lib/cvmprep" ]; then
	ok "deb: apt-get purge removes /etc/cvmprep and the journals under /var/lib/cvmprep ($st)"
else
	notok "deb: apt-get purge (exit $rc, status '$st')"
	note <"$work/purge.log" | tail -n 10
fi
# What autoremove keeps by apt's policy: packages the base system recommends (apt recommends
# ca-certificates) that came in as dependencies' recommendations. Each must be marked automatic and
# wanted by a package that stays; then they go too, and the tree must be as before.
installed >"$work/packages.after"
extra=$(comm -13 "$work/packages.before" "$work/packages.after")
auto=$(in_root "$r" apt-mark showauto)
unjustified=""
for p in $extra; do
	wanted=$(in_root "$r" apt-cache rdepends --installed --no-suggests --no-conflicts --no-breaks --no-replaces \
		--no-enhances "$p" 2>/dev/null | sed -n 's/^ \{1,\}|\{0,1\}//p' | grep -vx "$p" | sort -u | paste -sd' ')
	if ! printf '%s\n' "$auto" | grep -qx "$p" || [ -z "$wanted" ]; then
		unjustified="$unjustified $p"
	fi
	echo "# kept by apt's policy: $p (automatic; wanted by: $wanted)"
done
check "deb: autoremove keeps only automatic packages another installed package wants ($(echo ${extra:-none}))" \
	[ -z "$unjustified" ]
[ -z "$extra" ] || in_root "$r" apt-get purge -y -q $extra >>"$work/purge.log" 2>&1
rm -f "$r/tmp/$debname" "$r/tmp/report.json"
python3 "$here/snapshot.py" "$r" >"$work/after"
if diff "$work/before" "$work/after" >"$work/purge.diff"; then
	ok "deb: after purge the root is as before the install (logs and apt/dpkg records aside)"
else
	notok "deb: after purge the root differs from before the install"
	note <"$work/purge.diff" | head -n 30
fi
exit $status
