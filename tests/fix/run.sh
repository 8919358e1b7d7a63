#!/usr/bin/env bash
# fix and rollback, on a plain offline tree and on a loop-mounted disk image: the files after fix,
# a second fix that changes nothing, --dry-run that writes nothing, rollback that restores the
# tree exactly (content, mode, owner, timestamps), and a crash test that SIGKILLs fix at every
# step in turn. Runs the normal and the sanitizer binary. TAP lines out.
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/fix.XXXXXX")
treehash="$top/tests/lib/treehash.py"
fail=0
loops=()
mounts=()
cleanup() {
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}" 2>/dev/null; done
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	chattr -R -i -a "$scratch" 2>/dev/null
	rm -rf "$scratch"
}
trap cleanup EXIT
ok() { echo "ok - fix: $1"; }
nok() { echo "not ok - fix: $1"; fail=1; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { nok "fix tests need root"; exit 1; }
	echo "ok - fix: all cases # SKIP fix needs root"
	exit 0
fi

hash() { python3 "$treehash" "$1" --exclude var/lib/cvmprep; }
# The fixed state is compared without file timestamps: each fix run writes at its own time.
chash() { python3 "$treehash" "$1" --exclude var/lib/cvmprep --no-mtime; }
tmpfiles() { find "$1" -name '*.cvmprep-tmp-*' | wc -l; }
finding() { # JSON ID [SUBJECT] -> "status severity" of the first finding of ID (with that subject)
	python3 -c 'import json,sys; f=[x for x in json.load(open(sys.argv[1]))["findings"] if x["id"]==sys.argv[2] and (len(sys.argv) < 4 or x["subject"]==sys.argv[3])]; print(f[0]["status"], f[0]["severity"]) if f else print("none")' "$@"
}

# A Debian-like tree with something for each fixer that works without the image's disk.
make_tree() {
	local r=$1
	mkdir -p "$r"/etc/systemd/system/multi-user.target.wants "$r"/usr/bin "$r"/bin "$r"/var/lib/dpkg \
		"$r"/lib/systemd/system "$r"/boot/extlinux
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' >"$r/etc/os-release"
	cp /bin/sh "$r/bin/sh"
	cat >"$r/etc/fstab" <<-'EOF'
	# /etc/fstab: static file system information.
	#
	# <file system>                           <mount point> <type> <options>          <dump> <pass>
	/dev/sda1                                 /             ext4   errors=remount-ro  0      1
	/dev/sdb1                                 /data         ext4   defaults           0      2
	proc                                      /proc         proc   defaults           0      0
	EOF
	printf 'root:$y$j9T$abc:19000:0:99999:7:::\n' >"$r/etc/shadow"
	chmod 640 "$r/etc/shadow"
	cat >"$r/boot/extlinux/extlinux.conf" <<-'EOF'
	DEFAULT debian
	LABEL debian
	    KERNEL /boot/vmlinuz-6.1.0-13-amd64
	    APPEND root=/dev/sda1 ro quiet
	    INITRD /boot/initrd.img-6.1.0-13-amd64
	EOF
	printf 'Package: open-vm-tools\nStatus: install ok installed\nVersion: 2:12.2.0-1\n\n' >"$r/var/lib/dpkg/status"
	printf '#!/bin/sh\n' >"$r/usr/bin/vmtoolsd"
	printf '[Unit]\nDescription=Service for virtual machines hosted on VMware\n' >"$r/lib/systemd/system/open-vm-tools.service"
	ln -s /lib/systemd/system/open-vm-tools.service "$r/etc/systemd/system/multi-user.target.wants/open-vm-tools.service"
	ln -s /lib/systemd/system/open-vm-tools.service "$r/etc/systemd/system/vmtoolsd.service"
	touch -d '2021-06-01 12:00:00' "$r"/etc/fstab "$r"/etc/shadow "$r"/boot/extlinux/extlinux.conf
	chattr +i "$r/etc/shadow"
}

for bin in "${CVMPREP:-$top/build/cvmprep}" "${CVMPREP_ASAN:-$top/build/asan/cvmprep}"; do
	tag=""; case "$bin" in */asan/*) tag=" (asan)" ;; esac
	run() { timeout 300 "$bin" "$@" --config /dev/null 2>>"$scratch/stderr"; }

	# ---- a plain offline tree ----
	r="$scratch/tree$RANDOM"
	make_tree "$r"
	h0=$(hash "$r")
	cp "$r/etc/fstab" "$scratch/fstab.orig"
	run fix --root "$r" --dry-run >"$scratch/dry.txt"
	check "dry run changes nothing and writes no journal$tag" \
		'[ "$(hash "$r")" = "$h0" ] && [ ! -e "$r/var/lib/cvmprep" ]'
	check "dry run shows the fstab edit as a diff$tag" \
		'grep -q "^+/dev/sdb1 .*defaults,nofail" "$scratch/dry.txt" && grep -q "^-/dev/sdb1" "$scratch/dry.txt"'
	run fix --root "$r" </dev/null >/dev/null
	check "fix without --yes off a terminal refuses (64) and changes nothing$tag" '[ $? -eq 64 ] && [ "$(hash "$r")" = "$h0" ]'

	run fix --root "$r" --yes --format json >"$scratch/fix.json"
	rc=$?
	check "fix exits 2 (blockers without an offline fix remain)$tag" '[ $rc -eq 2 ]'
	check "fix report validates$tag" 'python3 "$top/tests/lib/validate-report.py" "$scratch/fix.json"'
	check "fstab: only /data gained nofail, every other byte kept$tag" \
		'[ "$(diff "$scratch/fstab.orig" "$r/etc/fstab" | grep -c "^[<>]")" = 2 ] &&
		 grep -q "^/dev/sdb1                                 /data         ext4   defaults,nofail           0      2$" "$r/etc/fstab" &&
		 grep -q "^/dev/sda1                                 /             ext4   errors=remount-ro  0      1$" "$r/etc/fstab"'
	check "shadow is no longer immutable, content unchanged$tag" \
		'! lsattr "$r/etc/shadow" | cut -d" " -f1 | grep -q i && grep -q "^root:" "$r/etc/shadow"'
	check "open-vm-tools units are disabled (links moved into the journal)$tag" \
		'[ ! -e "$r/etc/systemd/system/multi-user.target.wants/open-vm-tools.service" ] &&
		 [ ! -L "$r/etc/systemd/system/vmtoolsd.service" ] && [ -f "$r/lib/systemd/system/open-vm-tools.service" ]'
	check "findings after fix: fstab.other-disks and security.shadow fixed$tag" \
		'[ "$(finding "$scratch/fix.json" fstab.other-disks)" = "fixed None" ] &&
		 [ "$(finding "$scratch/fix.json" security.shadow)" = "fixed None" ]'
	check "the /dev/sdb1 name stays (its UUID is not on this tree), now only a warning$tag" \
		'[ "$(finding "$scratch/fix.json" fstab.device-names /etc/fstab:5)" = "fail warning" ]'
	check "changes list the writes$tag" \
		'python3 -c "import json,sys; c=json.load(open(sys.argv[1]))[\"changes\"]; assert any(x[\"path\"]==\"/etc/fstab\" for x in c), c" "$scratch/fix.json"'
	check "no temporary files are left$tag" '[ "$(tmpfiles "$r")" = 0 ]'
	h1=$(hash "$r")
	runs1=$(ls "$r/var/lib/cvmprep/runs" | wc -l)
	run fix --root "$r" --yes >"$scratch/second.txt"
	check "a second fix changes nothing and says so$tag" \
		'grep -q "nothing to change" "$scratch/second.txt" && [ "$(hash "$r")" = "$h1" ] &&
		 [ "$(ls "$r/var/lib/cvmprep/runs" | wc -l)" = "$runs1" ]'
	run rollback --root "$r" --list >"$scratch/list.txt"
	check "rollback --list shows the run as complete$tag" 'grep -q "fix *complete" "$scratch/list.txt"'
	run rollback --root "$r" >/dev/null
	rc=$?
	check "rollback restores the tree exactly (content, modes, owners, timestamps)$tag" \
		'[ $rc -eq 0 ] && [ "$(hash "$r")" = "$h0" ]'
	check "rollback gives /etc/shadow its immutable flag back$tag" 'lsattr "$r/etc/shadow" | cut -d" " -f1 | grep -q i'
	run rollback --root "$r" >/dev/null
	check "a second rollback has nothing to undo (64)$tag" '[ $? -eq 64 ]'

	# A file changed after the fix: rollback refuses, naming it, unless --force.
	run fix --root "$r" --yes >/dev/null
	echo "# edited by the admin" >>"$r/etc/fstab"
	: >"$scratch/stderr"
	run rollback --root "$r" >/dev/null
	rc=$?
	check "rollback refuses (3) when a file changed after the fix, naming it$tag" \
		'[ $rc -eq 3 ] && grep -q "/etc/fstab" "$scratch/stderr" && grep -q "edited by the admin" "$r/etc/fstab"'
	run rollback --root "$r" --force >/dev/null
	check "rollback --force restores the original$tag" '[ $? -eq 0 ] && [ "$(hash "$r")" = "$h0" ]'
	chattr -i "$r/etc/shadow"
done

# ---- a disk image: kernel names become UUIDs through the image's partition table ----
img="$scratch/disk.img"
truncate -s 1G "$img"
sfdisk -q "$img" <<<$'label: dos\n,700M,L,*\n,,S' >/dev/null
dev=$(losetup -P -f --show "$img")
loops+=("$dev")
for _ in $(seq 30); do [ -e "/sys/class/block/$(basename "$dev")p2" ] && break; sleep 0.1; done
[ -e "/sys/class/block/$(basename "$dev")p2" ] || partx -a "$dev"
for p in 1 2; do
	node="${dev}p$p"; sys="/sys/class/block/$(basename "$node")"
	[ -b "$node" ] || mknod "$node" b "$(cut -d: -f1 "$sys/dev")" "$(cut -d: -f2 "$sys/dev")"
done
mkfs.ext4 -q "${dev}p1"
mkswap -q "${dev}p2" >/dev/null
u1=$(blkid -s UUID -o value "${dev}p1")
u2=$(blkid -s UUID -o value "${dev}p2")
m="$scratch/img"
mkdir -p "$m" && mount "${dev}p1" "$m" && mounts+=("$m")
make_tree "$m"
sed -i 's|^proc .*|/dev/sda2 none swap sw 0 0|' "$m/etc/fstab"
sed -i 's|root=/dev/sda1 ro quiet|root=/dev/sda1 resume=/dev/sda2 ro quiet|' "$m/boot/extlinux/extlinux.conf"
touch -d '2021-06-01 12:00:00' "$m/etc/fstab" "$m/boot/extlinux/extlinux.conf"
orig="$scratch/orig"
mkdir -p "$orig"
cp -a "$m/." "$orig/" 2>/dev/null || true
chattr -i "$orig/etc/shadow" 2>/dev/null
reset_image() {
	chattr -i "$m/etc/shadow" 2>/dev/null
	find "$m" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
	cp -a "$orig/." "$m/"
	chattr +i "$m/etc/shadow"
}
reset_image
h0=$(hash "$m")
bin="${CVMPREP:-$top/build/cvmprep}"
timeout 300 "$bin" fix --root "$m" --yes --format json --config /dev/null >"$scratch/img.json" 2>"$scratch/img.err"
check "image: fstab names the root and the swap by UUID" \
	'grep -q "^UUID=$u1 " "$m/etc/fstab" && grep -q "^UUID=$u2 none swap" "$m/etc/fstab"'
check "image: extlinux.conf has root=UUID and resume=UUID, nothing else changed" \
	'[ "$(diff "$orig/boot/extlinux/extlinux.conf" "$m/boot/extlinux/extlinux.conf" | grep -c "^[<>]")" = 2 ] &&
	 grep -q "APPEND root=UUID=$u1 resume=UUID=$u2 ro quiet" "$m/boot/extlinux/extlinux.conf"'
check "image: / and swap no longer flagged, /data (other disk, nofail) is a warning, boot.root-device fixed" \
	'[ "$(finding "$scratch/img.json" fstab.device-names /etc/fstab:4)" = none ] &&
	 [ "$(finding "$scratch/img.json" fstab.device-names /etc/fstab:6)" = none ] &&
	 [ "$(finding "$scratch/img.json" fstab.device-names /etc/fstab:5)" = "fail warning" ] &&
	 [ "$(finding "$scratch/img.json" boot.root-device)" = "fixed None" ]'
fixed_hash=$(chash "$m")
timeout 300 "$bin" rollback --root "$m" --config /dev/null >/dev/null 2>&1
check "image: rollback restores the image's tree exactly" '[ "$(hash "$m")" = "$h0" ]'

# ---- --install-packages: the package manager runs in the target, and rollback says it cannot undo it ----
r="$scratch/pkgtree"
make_tree "$r"
mkdir -p "$r/var/log" "$r/usr/bin"
if ! cc -static -O2 -o "$r/usr/bin/apt-get" "$top/tests/fix/fake-apt-get.c" 2>"$scratch/cc.err"; then
	nok "install-packages: cannot build the static fake apt-get ($(head -n 1 "$scratch/cc.err"))"
else
	bin="${CVMPREP:-$top/build/cvmprep}"
	timeout 300 "$bin" fix --root "$r" --yes --install-packages --only cloudinit.installed,guest.tools \
		--config /dev/null >"$scratch/pkg.txt" 2>&1
	rc=$?
	check "install-packages: apt-get update, install cloud-init and purge open-vm-tools ran inside the target" \
		'[ "$(cat "$r/var/log/fake-apt.log" 2>/dev/null)" = "$(printf "update\ninstall -y --no-install-recommends cloud-init\n-y purge open-vm-tools open-vm-tools-desktop")" ]'
	check "install-packages: check after fix sees cloud-init installed (exit $rc)" \
		'grep -A1 "^Fixed" "$scratch/pkg.txt" | grep -q "^  cloudinit.installed  *cloud-init 22.4.2-1 is installed$"'
	check "install-packages: the plan says rollback does not undo the package changes" \
		'grep -q "rollback does not uninstall the packages installed here" "$scratch/pkg.txt" &&
		 grep -q "rollback does not reinstall the packages removed here" "$scratch/pkg.txt"'
	timeout 300 "$bin" rollback --root "$r" --config /dev/null >/dev/null 2>&1
	check "install-packages: rollback restores the unit links; cloud-init stays installed, as the plan said" \
		'[ -L "$r/etc/systemd/system/multi-user.target.wants/open-vm-tools.service" ] &&
		 grep -q "^Package: cloud-init" "$r/var/lib/dpkg/status"'
fi

# ---- crash safety: SIGKILL at each step of fix in turn ----
n=1
completed=0
crash_fail=0
while [ $n -le 60 ]; do
	reset_image
	sh -c 'CVMPREP_TEST_CRASH_AT=$1 timeout 300 "$2" fix --root "$3" --yes --config /dev/null >/dev/null 2>&1; exit $?' sh "$n" "$bin" "$m"
	rc=$?
	if [ $rc -ne 137 ]; then
		completed=$n
		break
	fi
	# (a) rollback after the crash gives back the original tree, with no temporary file left.
	timeout 300 "$bin" rollback --root "$m" --config /dev/null >/dev/null 2>"$scratch/rb.err"
	if [ "$(hash "$m")" != "$h0" ] || [ "$(tmpfiles "$m")" != 0 ]; then
		nok "crash at step $n: rollback did not restore the original tree"
		python3 "$treehash" "$orig" --list >"$scratch/a"; python3 "$treehash" "$m" --exclude var/lib/cvmprep --list >"$scratch/b"
		diff "$scratch/a" "$scratch/b" | head -10 | sed 's/^/# /'
		crash_fail=1
	fi
	# (b) a fix run again after the crash completes the job: the fully fixed tree, nothing left over.
	reset_image
	sh -c 'CVMPREP_TEST_CRASH_AT=$1 timeout 300 "$2" fix --root "$3" --yes --config /dev/null >/dev/null 2>&1; exit $?' sh "$n" "$bin" "$m"
	timeout 300 "$bin" fix --root "$m" --yes --config /dev/null >/dev/null 2>&1
	if [ "$(chash "$m")" != "$fixed_hash" ] || [ "$(tmpfiles "$m")" != 0 ]; then
		# Paths moved aside have no content to compare beyond their absence; the hash covers it.
		nok "crash at step $n: a second fix did not reach the fixed tree"
		crash_fail=1
	fi
	n=$((n + 1))
done
check "crash test reached a run that completes (after $((completed - 1)) crash points)" '[ $completed -gt 1 ]'
check "crash test: after a SIGKILL at any of the $((completed - 1)) steps, rollback restores and re-running fix completes" \
	'[ $crash_fail -eq 0 ]'
exit $fail
