#!/usr/bin/env bash
# Block-device tests: real disk images (sparse files partitioned with sfdisk, filesystems made
# with mkfs.ext4/mkfs.xfs, attached with losetup -P, mounted), checked with
# `cvmprep check --root MOUNTPOINT`, so that libblkid reads real partition tables and boot
# sectors. Runs both the normal and the sanitizer binary. TAP lines out.
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
bins=("${CVMPREP:-$top/build/cvmprep}" "${CVMPREP_ASAN:-$top/build/asan/cvmprep}")
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/blockdev.XXXXXX")
fail=0
loops=()
mounts=()

cleanup() {
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}" 2>/dev/null; done
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$scratch"
}
trap cleanup EXIT

# The trees here hold what the disk and boot checks read; kernels, cloud-init and the network
# are other layers' business (tests/roots, tests/e2e).
only="os.,boot.,disk.,fstab.,security.,guest."
ok() { echo "ok - blockdev: $1"; }
nok() { echo "not ok - blockdev: $1"; fail=1; }

need_root() {
	if [ "$(id -u)" -ne 0 ] || ! losetup -f >/dev/null 2>&1; then
		if [ "${CI:-}" = true ]; then
			nok "loop devices are not available (needs root and /dev/loop-control)"
			exit 1
		fi
		echo "ok - blockdev: all cases # SKIP loop devices need root"
		exit 0
	fi
}
need_root

# attach IMAGE: print the loop device, partitions visible in sysfs and /dev. It runs in a
# command substitution (a subshell): the caller records the device for cleanup with track.
attach() {
	local img=$1 dev n
	dev=$(losetup -P -f --show "$img") || return 1
	n=$(sfdisk -l "$img" 2>/dev/null | grep -c "^$img")
	for _ in $(seq 50); do
		[ "$n" -eq 0 ] && break
		[ -e "/sys/class/block/$(basename "$dev")p$n" ] && break
		sleep 0.1
	done
	# Without udev the partition scan can lag; ask again, and make missing nodes ourselves.
	[ "$n" -gt 0 ] && [ ! -e "/sys/class/block/$(basename "$dev")p$n" ] && partx -a "$dev" 2>/dev/null
	for p in /sys/class/block/"$(basename "$dev")"p*; do
		[ -e "$p" ] || continue
		node="/dev/$(basename "$p")"
		[ -b "$node" ] || mknod "$node" b "$(cut -d: -f1 "$p/dev")" "$(cut -d: -f2 "$p/dev")"
	done
	echo "$dev"
}

# A minimal Debian-like tree with real UUIDs: enough for every check of this layer.
populate() {
	local mnt=$1 rootspec=$2
	mkdir -p "$mnt"/etc "$mnt"/bin "$mnt"/boot/grub/i386-pc "$mnt"/var/lib/dpkg
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' \
		>"$mnt/etc/os-release"
	cp /bin/sh "$mnt/bin/sh"
	printf 'root:*:19000:0:99999:7:::\n' >"$mnt/etc/shadow"
	chmod 640 "$mnt/etc/shadow"
	: >"$mnt/var/lib/dpkg/status"
	cat >"$mnt/boot/grub/grub.cfg" <<EOF
set default="0"
menuentry 'Debian GNU/Linux' --class debian \$menuentry_id_option 'gnulinux-simple' {
	linux	/boot/vmlinuz-6.1.0-13-amd64 root=$rootspec ro quiet
	initrd	/boot/initrd.img-6.1.0-13-amd64
}
EOF
}

# expect CASE JSON "id status severity error_code" ...: every finding of each named ID must match.
expect() {
	local name=$1 json=$2
	shift 2
	python3 - "$json" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {}
for row in sys.argv[2:]:
    i, st, sev, code = row.split()
    want.setdefault(i, []).append((st, None if sev == "-" else sev, None if code == "-" else code))
bad = []
for i, rows in want.items():
    got = [(f["status"], f["severity"], f["error_code"]) for f in d["findings"] if f["id"] == i]
    if sorted(got, key=str) != sorted(rows, key=str):
        bad.append(f"{i}: expected {rows}, got {got}: " +
                   "; ".join(f["summary"] for f in d["findings"] if f["id"] == i))
if bad:
    print("\n".join("# " + b for b in bad))
    sys.exit(1)
PY
}

# run_case NAME MOUNTPOINT EXPECTED_EXIT "id status severity code"...
run_case() {
	local name=$1 mnt=$2 want_rc=$3
	shift 3
	for bin in "${bins[@]}"; do
		local tag
		tag=$(basename "$(dirname "$bin")")
		[ "$tag" = asan ] && tag="$name (asan)" || tag="$name"
		if [ ! -x "$bin" ]; then
			nok "$tag: $bin not built"
			continue
		fi
		timeout 60 "$bin" check --root "$mnt" --only "$only" --format json --config /dev/null >"$scratch/out.json" 2>"$scratch/err"
		local rc=$?
		if [ $rc -eq 99 ] || grep -q 'Sanitizer' "$scratch/err"; then
			nok "$tag: sanitizer report"
			sed 's/^/# /' "$scratch/err" | head -30
		elif [ $rc -ne "$want_rc" ]; then
			nok "$tag: exit status $rc, expected $want_rc"
			python3 -c 'import json,sys; [print("#", f["id"], f["status"], f["severity"], f["summary"]) for f in json.load(open(sys.argv[1]))["findings"]]' "$scratch/out.json" 2>/dev/null
		elif ! python3 "$top/tests/lib/validate-report.py" "$scratch/out.json" 2>"$scratch/verr"; then
			nok "$tag: report does not validate"
			sed 's/^/# /' "$scratch/verr"
		elif expect "$name" "$scratch/out.json" "$@"; then
			ok "$tag"
		else
			nok "$tag: findings differ"
		fi
	done
}

track() { loops+=("$1"); }

mkimg() { truncate -s "$2" "$scratch/$1.img" && echo "$scratch/$1.img"; }

# ---- 1. A good disk: MBR, ext4 root, GRUB's boot.img in the MBR, UUIDs everywhere ----
img=$(mkimg good 1G)
sfdisk -q "$img" <<<$'label: dos\n,,L,*' >/dev/null
dd if=/usr/lib/grub/i386-pc/boot.img of="$img" bs=440 count=1 conv=notrunc status=none
dev=$(attach "$img")
track "$dev"
mkfs.ext4 -q "${dev}p1"
uuid=$(blkid -s UUID -o value "${dev}p1")
mnt="$scratch/good"
mkdir -p "$mnt" && mount "${dev}p1" "$mnt" && mounts+=("$mnt")
populate "$mnt" "UUID=$uuid"
printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$uuid" >"$mnt/etc/fstab"
run_case "MBR disk with GRUB and UUIDs is ready" "$mnt" 0 \
	"disk.partition-table pass - -" "boot.loader pass - -" "disk.layout pass - -" "disk.size pass - -" \
	"disk.free-space pass - -" "fstab.device-names pass - -" "fstab.other-disks pass - -" \
	"boot.root-device pass - -" "boot.firmware pass - -"

# ---- 2. GPT: its protective MBR must not pass as MBR ----
img=$(mkimg gpt 128M)
sfdisk -q "$img" <<<$'label: gpt\n,,L' >/dev/null
dev=$(attach "$img")
track "$dev"
mkfs.ext4 -q "${dev}p1"
uuid=$(blkid -s UUID -o value "${dev}p1")
mnt="$scratch/gpt"
mkdir -p "$mnt" && mount "${dev}p1" "$mnt" && mounts+=("$mnt")
populate "$mnt" "UUID=$uuid"
printf 'UUID=%s / ext4 defaults 0 1\n' "$uuid" >"$mnt/etc/fstab"
run_case "GPT disk is PartitionNotPresent" "$mnt" 2 \
	"disk.partition-table fail blocker PartitionNotPresent" "boot.loader fail blocker PartitionNotPresent" \
	"disk.layout pass - -"

# ---- 3. A filesystem on the whole disk, no partition table (like this machine's /dev/vda) ----
img=$(mkimg whole 96M)
mkfs.ext4 -q -F "$img"
dev=$(attach "$img")
track "$dev"
mnt="$scratch/whole"
mkdir -p "$mnt" && mount "$dev" "$mnt" && mounts+=("$mnt")
uuid=$(blkid -s UUID -o value "$dev")
populate "$mnt" "UUID=$uuid"
printf 'UUID=%s / ext4 defaults 0 1\n' "$uuid" >"$mnt/etc/fstab"
run_case "whole-disk filesystem is PartitionNotPresent" "$mnt" 2 \
	"disk.partition-table fail blocker PartitionNotPresent" "boot.loader fail blocker PartitionNotPresent"

# ---- 4. MBR without boot code; xfs root; /var and /data on a second disk ----
img=$(mkimg nocode 400M)
sfdisk -q "$img" <<<$'label: dos\n,,L' >/dev/null
dev=$(attach "$img")
track "$dev"
mkfs.xfs -q -f "${dev}p1"
uuid=$(blkid -s UUID -o value "${dev}p1")
img2=$(mkimg data 128M)
sfdisk -q "$img2" <<<$'label: dos\n,60M,L\n,,L' >/dev/null
dev2=$(attach "$img2")
track "$dev2"
mkfs.ext4 -q "${dev2}p1"
mkfs.ext4 -q -L cvmdata "${dev2}p2"
uvar=$(blkid -s UUID -o value "${dev2}p1")
mnt="$scratch/twodisks"
mkdir -p "$mnt" && mount "${dev}p1" "$mnt" && mounts+=("$mnt")
populate "$mnt" "/dev/sda1"
cat >"$mnt/etc/fstab" <<EOF
# <file system> <mount point> <type> <options> <dump> <pass>
UUID=$uuid / xfs defaults 0 1
UUID=$uvar /var ext4 defaults 0 2
LABEL=cvmdata /data ext4 defaults 0 2
EOF
run_case "second disk: /var off the system disk, /data without nofail, no boot code" "$mnt" 2 \
	"disk.partition-table pass - -" "boot.loader fail blocker PartitionNotPresent" \
	"disk.layout fail blocker RootPartitionNotFound" "fstab.other-disks fail blocker -" \
	"boot.root-device fail blocker -" "fstab.device-names pass - -"

# The same with /var moved home and nofail on /data: layout and other-disks pass.
sed -i -e '/ \/var /d' -e 's/ext4 defaults 0 2$/ext4 defaults,nofail 0 2/' "$mnt/etc/fstab"
run_case "second disk: /data with nofail passes" "$mnt" 2 \
	"disk.layout pass - -" "fstab.other-disks pass - -"

# ---- 5. Sizes: a 600 GiB sparse disk (blocker), 480 GiB = 515 GB (warning) ----
for row in "huge 600G 2 fail blocker InvalidFormatSize" "between 480G 1 fail warning InvalidFormatSize"; do
	set -- $row
	img=$(mkimg "$1" "$2")
	sfdisk -q "$img" <<<$'label: dos\n,64M,L,*' >/dev/null
	dd if=/usr/lib/grub/i386-pc/boot.img of="$img" bs=440 count=1 conv=notrunc status=none
	dev=$(attach "$img")
	track "$dev"
	mkfs.ext4 -q "${dev}p1"
	uuid=$(blkid -s UUID -o value "${dev}p1")
	mnt="$scratch/$1"
	mkdir -p "$mnt" && mount "${dev}p1" "$mnt" && mounts+=("$mnt")
	populate "$mnt" "UUID=$uuid"
	printf 'UUID=%s / ext4 defaults 0 1\n' "$uuid" >"$mnt/etc/fstab"
	run_case "disk of $2: disk.size $4 $5" "$mnt" "$3" "disk.size $4 $5 $6" "disk.partition-table pass - -"
done

# ---- 6. A full root filesystem: disk.free-space warns ----
img=$(mkimg full 96M)
sfdisk -q "$img" <<<$'label: dos\n,,L,*' >/dev/null
dd if=/usr/lib/grub/i386-pc/boot.img of="$img" bs=440 count=1 conv=notrunc status=none
dev=$(attach "$img")
track "$dev"
mkfs.ext4 -q -m 0 "${dev}p1"
uuid=$(blkid -s UUID -o value "${dev}p1")
mnt="$scratch/full"
mkdir -p "$mnt" && mount "${dev}p1" "$mnt" && mounts+=("$mnt")
populate "$mnt" "UUID=$uuid"
printf 'UUID=%s / ext4 defaults 0 1\n' "$uuid" >"$mnt/etc/fstab"
dd if=/dev/zero of="$mnt/filler" bs=1M status=none 2>/dev/null
sync
run_case "full root filesystem: disk.free-space warns" "$mnt" 1 "disk.free-space fail warning -" \
	"disk.partition-table pass - -"

exit $fail
