#!/usr/bin/env bash
# The examples/ against a Debian 12 root: the Ansible playbook runs for real (ansible-playbook
# through the community.general.chroot connection), then the Packer provisioners' commands, the
# kickstart %post and the preseed late_command run there as their tools would run them. Each must
# pass when no blocker remains and fail when one does, leaving a report that parses.
# examples-chroot.sh BASE DEB VERSION EXAMPLES WORK; TAP lines out. Runs itself in a private
# mount namespace.
set -u
if [ -z "${PACKAGING_IN_NS:-}" ]; then
	PACKAGING_IN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
base=$1 deb=$2 version=$3 examples=$4 work=$5
status=0
rm -rf "$work"
mkdir -p "$work"
r=$(overlay_root "$work" "$base") || {
	notok "examples: overlay over the base root"
	exit 1
}
# Ansible's modules need Python in the target (apt's module also python3-apt).
if ! { in_root "$r" apt-get update -q && in_root "$r" apt-get install -y -q --no-install-recommends python3 python3-apt; } \
	>"$work/python.log" 2>&1; then
	notok "examples: python3 in the root"
	note <"$work/python.log" | tail -n 10
	exit 1
fi
# A udev rule binding eth0 to the old MAC: the fix must move it aside.
rule=$r/etc/udev/rules.d/70-persistent-net.rules
mkdir -p "$(dirname "$rule")"
printf '%s\n' 'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="52:54:00:aa:bb:cc", NAME="eth0"' >"$rule"

# ---- Ansible ----
export ANSIBLE_CONFIG=$work/ansible.cfg HOME=$work/home
mkdir -p "$HOME" "$work/ansible-local"
cat >"$ANSIBLE_CONFIG" <<END
[defaults]
nocolor = True
retry_files_enabled = False
local_tmp = $work/ansible-local
remote_tmp = /tmp/.ansible
interpreter_python = /usr/bin/python3
END
cat >"$work/inventory" <<END
[golden]
target ansible_host=$r ansible_connection=community.general.chroot ansible_become=false
END
# The chroot connection hands its environment to the target: no TMPDIR of the host's scratch
# directory there. Ansible wants a UTF-8 locale.
playbook() {
	env -u TMPDIR LC_ALL=C.UTF-8 ansible-playbook -i "$work/inventory" "$examples/ansible/cvmprep.yml" -e "cvmprep_report_dir=$work/reports" "$@"
}
recap() { sed -n 's/^target *: *//p' "$1" | tr -s ' '; }
# The state (ok, changed, failed...) of the fix task in a log.
fixstate() { awk '/^TASK \[Fix what cvmprep can repair\]/ { getline; sub(/:.*/, ""); print; exit }' "$1"; }
count() { recap "$1" | grep -o "$2=[0-9]*" | cut -d= -f2; }

playbook -e "cvmprep_package=$deb" >"$work/ansible-1.log" 2>&1
rc=$?
rep=$work/reports/target.json
blockers=$(json_get "$rep" '" ".join(sorted({f["id"] for f in r["findings"] if f["status"] == "fail" and f["severity"] == "blocker"}))' 2>/dev/null)
if [ $rc -eq 2 ] && why=$(report_ok "$rep" "$version") && [ -n "$blockers" ] && grep -q 'not ready for import' "$work/ansible-1.log" &&
	[ "$(count "$work/ansible-1.log" failed)" = 1 ]; then
	ok "ansible: the playbook installs cvmprep, fixes, fetches a report that parses and fails the host on its blockers ($blockers)"
else
	notok "ansible: the playbook on a root with blockers (exit $rc, want 2; recap '$(recap "$work/ansible-1.log")') ${why:-}"
	note <"$work/ansible-1.log" | tail -n 30
fi
missing=""
for b in $blockers; do grep -q "$b" "$work/ansible-1.log" || missing="$missing $b"; done
check "ansible: the failure names every blocker of the report${missing:+ (not:$missing)}" [ -n "$blockers" -a -z "$missing" ]
got=$(in_root "$r" dpkg-query -W -f='${Status} ${Version}' cvmprep 2>&1)
check "ansible: cvmprep $version installed by the playbook ($got)" [ "$got" = "install ok installed $version" ]
st=$(json_get "$rep" '",".join(f["status"] for f in r["findings"] if f["id"] == "net.persistent-rules")' 2>/dev/null)
if [ ! -e "$rule" ] && [ "$st" = pass ] && [ "$(fixstate "$work/ansible-1.log")" = changed ]; then
	ok "ansible: the fix task (changed) moved the MAC-bound rule aside and the report says net.persistent-rules pass"
else
	notok "ansible: fix effect (rule still there: $([ -e "$rule" ] && echo yes || echo no), net.persistent-rules '$st', fix task '$(fixstate "$work/ansible-1.log")')"
fi

# The same machine with its blockers skipped in the configuration file: the play passes, and a
# second fix changes nothing.
conf=$r/etc/cvmprep/cvmprep.conf
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./etc/cvmprep/cvmprep.conf >"$work/cvmprep.conf.packaged"
mkdir -p "$(dirname "$conf")"
printf '[checks]\nskip = %s\n' "$(echo "$blockers" | tr ' ' ',')" >"$work/cvmprep.conf.ready"
cp "$work/cvmprep.conf.ready" "$conf"
rm -f "$rep"
playbook >"$work/ansible-2.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && report_ok "$rep" "$version" >/dev/null && [ "$(json_get "$rep" 'r["summary"]["blockers"]')" = 0 ] &&
	[ "$(count "$work/ansible-2.log" failed)" = 0 ] && [ "$(fixstate "$work/ansible-2.log")" = ok ]; then
	ok "ansible: with no blocker left the play passes, the report parses, the second fix changes nothing ($(recap "$work/ansible-2.log"))"
else
	notok "ansible: the playbook on a ready root (exit $rc; recap '$(recap "$work/ansible-2.log")')"
	note <"$work/ansible-2.log" | tail -n 30
fi

# ---- Packer: the shell provisioners' commands, as Packer runs them (sudo aside: root here) ----
mkdir -p "$work/packer"
n=$(python3 "$here/hcl_shell.py" "$examples/packer/cvmprep.pkr.hcl" "$work/packer" \
	"cvmprep_package=$deb" "cvmprep_report=reports/cvmprep-report.json" 2>"$work/packer/err")
check "packer: the template has the install and the cvmprep shell provisioners (${n:-0})" [ "${n:-0}" = 2 ]
# provisioner N: run shell-N.sh in the root with shell-N.env, as `env VARS SCRIPT`.
packer_shell() {
	cp "$work/packer/shell-$1.sh" "$r/tmp/packer-shell-$1.sh"
	chmod +x "$r/tmp/packer-shell-$1.sh"
	mapfile -t vars <"$work/packer/shell-$1.env"
	in_root "$r" env "${vars[@]}" "/tmp/packer-shell-$1.sh"
}
cp "$deb" "$r/tmp/"
packer_shell 1 >"$work/packer/1.log" 2>&1
rc=$?
check "packer: the install provisioner installs the uploaded .deb and removes it (exit $rc)" \
	[ $rc -eq 0 -a ! -e "$r/tmp/$(basename "$deb")" ]
rep=$r/var/tmp/cvmprep-report.json
packer_shell 2 >"$work/packer/2.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && report_ok "$rep" "$version" >/dev/null; then
	ok "packer: the cvmprep provisioner passes on a ready machine and leaves the report to download"
else
	notok "packer: the cvmprep provisioner on a ready machine (exit $rc)"
	note <"$work/packer/2.log" | tail -n 20
fi
cp "$work/cvmprep.conf.packaged" "$conf"
rm -f "$rep"
packer_shell 2 >"$work/packer/3.log" 2>&1
rc=$?
if [ $rc -eq 2 ] && report_ok "$rep" "$version" >/dev/null && grep -q 'not ready for import' "$work/packer/3.log"; then
	ok "packer: the cvmprep provisioner fails the build with exit status 2 when a blocker remains"
else
	notok "packer: the cvmprep provisioner with blockers (exit $rc, want 2)"
	note <"$work/packer/3.log" | tail -n 20
fi

# ---- kickstart: the %post body, run by /bin/sh in the installed system (a chroot) ----
awk '/^%post/ { f = 1; next } /^%end/ { f = 0 } f' "$examples/kickstart/cvmprep.ks" >"$r/tmp/ks-post.sh"
# preseed: the late_command, continuation lines joined; in-target is a chroot into /target.
late=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$examples/preseed/cvmprep.preseed" |
	sed -n 's/^d-i preseed\/late_command string //p')
check "kickstart and preseed: a %post body and a late_command to run" [ -s "$r/tmp/ks-post.sh" -a -n "$late" ]
preseed() {
	ROOT=$r bash -c 'in-target() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C chroot "$ROOT" "$@"; }
'"$late"
}
rep=$r/root/cvmprep-report.json
for state in blocked ready; do
	if [ $state = ready ]; then cp "$work/cvmprep.conf.ready" "$conf"; else cp "$work/cvmprep.conf.packaged" "$conf"; fi
	rm -f "$rep"
	in_root "$r" /bin/sh /tmp/ks-post.sh >"$work/ks-$state.log" 2>&1
	rc=$?
	if { [ $state = ready ] && [ $rc -eq 0 ]; } || { [ $state = blocked ] && [ $rc -ne 0 ]; } &&
		report_ok "$rep" "$version" >/dev/null; then
		ok "kickstart: %post --erroronfail exits $rc on a $state machine and keeps /root/cvmprep-report.json"
	else
		notok "kickstart: %post on a $state machine (exit $rc)"
		note <"$work/ks-$state.log" | tail -n 20
	fi
	rm -f "$rep"
	preseed >"$work/preseed-$state.log" 2>&1
	rc=$?
	if { [ $state = ready ] && [ $rc -eq 0 ]; } || { [ $state = blocked ] && [ $rc -ne 0 ]; } &&
		report_ok "$rep" "$version" >/dev/null; then
		ok "preseed: late_command exits $rc on a $state machine and keeps /root/cvmprep-report.json"
	else
		notok "preseed: late_command on a $state machine (exit $rc)"
		note <"$work/preseed-$state.log" | tail -n 20
	fi
done
exit $status
