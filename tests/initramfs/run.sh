#!/usr/bin/env bash
# The initramfs reader against real images: the host's own (read only), images that mkinitramfs
# and dracut build from the installed kernel, and archives made with the real cpio and every
# compressor. What it lists must be exactly what lsinitramfs lists, the modules it finds exactly
# those lsinitramfs shows, in the plain and the sanitizer build. TAP lines out.
set -u
top=${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${BUILD:-$top/build}
scratch=${CVMPREP_SCRATCH:-$(mktemp -d /tmp/cvmprep-irf.XXXXXX)}
work=$scratch/initramfs
rm -rf "$work"
mkdir -p "$work/tmp"
# mkinitramfs, dracut and unmkinitramfs write their temporary files here, not to /var/tmp.
export TMPDIR=$work/tmp LC_ALL=C TZ=UTC
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
status=0

ok() { echo "ok - initramfs: $*"; }
notok() { echo "not ok - initramfs: $*"; status=1; }
# A missing prerequisite: a failure under CI, a skip elsewhere.
missing() {
	if [ "${CI:-}" = true ]; then notok "$1: $2"; else echo "ok - initramfs: $1 # SKIP $2"; fi
}

bin=$build/bench/initramfs_bench
asan=$build/asan/bench/initramfs_bench
if ! make -s -C "$top" BUILD="$build" "$bin" "$asan" >"$work/make.log" 2>&1; then
	notok "build initramfs_bench"
	sed 's/^/# /' "$work/make.log" | tail -n 30
	exit 1
fi

need_tools=(cpio lsinitramfs gzip xz lzma zstd lz4 bzip2)
for t in "${need_tools[@]}"; do
	if ! command -v "$t" >/dev/null; then
		missing "tool $t" "'$t' is not installed (tests/deps-test.txt)"
		exit $status
	fi
done

# Paths as lsinitramfs prints them, sorted (a path in two archives, like ".", counts twice).
ls_paths() { lsinitramfs "$1" | sort; }
# Modules lsinitramfs shows: "name<TAB>path" for base names *.ko[.xz|.zst|.gz], '-' as '_'.
ls_modules() {
	lsinitramfs "$1" 2>/dev/null | awk '{
		n = split($0, p, "/"); b = p[n]
		if (b ~ /\.ko(\.xz|\.zst|\.gz)?$/) { sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", b); gsub(/-/, "_", b); if (b != "") print b "\t" $0 }
	}'
}
wanted=(virtio virtio_ring virtio_pci virtio_blk virtio_net sr_mod cdrom ata_piix ahci)

# compare NAME FILE [EXPECT...]: the entry list and the modules agree with lsinitramfs, in both
# builds; each EXPECT is "module=path" or "module=missing" that the scan must report, or
# "segments~TEXT" that its description of the file must contain.
compare() {
	local name=$1 f=$2
	shift 2
	local d=$work/cmp.$$
	mkdir -p "$d"
	ls_paths "$f" >"$d/theirs" 2>"$d/ls.err"
	local rc_list
	"$bin" list "$f" >"$d/ours.raw" 2>"$d/ours.err"
	rc_list=$?
	sort "$d/ours.raw" >"$d/ours"
	if [ $rc_list -eq 0 ] && [ -s "$d/theirs" ] && cmp -s "$d/ours" "$d/theirs"; then
		ok "$name: entry list identical to lsinitramfs ($(wc -l <"$d/ours") paths)"
	else
		notok "$name: entry list differs from lsinitramfs (exit $rc_list, ours $(wc -l <"$d/ours"), lsinitramfs $(wc -l <"$d/theirs"))"
		diff "$d/ours" "$d/theirs" | head -n 20 | sed 's/^/# /'
		sed 's/^/# /' "$d/ours.err" "$d/ls.err" | head -n 5
	fi

	# The scan: each wanted module found exactly when lsinitramfs shows one, at one of its paths.
	"$bin" scan "$f" "${wanted[@]}" >"$d/scan" 2>&1
	local rc_scan=$? bad="" m found=0
	ls_modules "$f" >"$d/mods"
	for m in "${wanted[@]}"; do
		local got
		got=$(sed -n "s/^module $m: //p" "$d/scan")
		if grep -q "^$m	" "$d/mods"; then
			found=$((found + 1))
			grep -qxF "$m	$got" "$d/mods" || bad="$bad $m(ours: $got)"
		else
			[ "$got" = missing ] || bad="$bad $m(ours: $got, lsinitramfs: none)"
		fi
	done
	local want_rc=1
	[ $found -eq ${#wanted[@]} ] && want_rc=0
	[ $rc_scan -eq $want_rc ] || bad="$bad exit=$rc_scan(want $want_rc)"
	if [ $found -eq ${#wanted[@]} ] && ! grep -q '(stopped early)' "$d/scan"; then
		bad="$bad did-not-stop-early"
	fi
	local e
	for e in "$@"; do
		case "$e" in
		segments~*) grep '^segments: ' "$d/scan" | grep -qF "${e#segments~}" || bad="$bad expected:$e" ;;
		*) grep -qxF "module ${e%%=*}: ${e#*=}" "$d/scan" || bad="$bad expected:$e" ;;
		esac
	done
	if [ -z "$bad" ]; then
		ok "$name: modules agree with lsinitramfs ($found of ${#wanted[@]} present; $(sed -n 's/^segments: //p' "$d/scan"))"
	else
		notok "$name: modules disagree with lsinitramfs:$bad"
		sed 's/^/# /' "$d/scan" | head -n 20
	fi

	# The sanitizer build reads the same file to the same result, without a report.
	local a1 a2
	"$asan" list "$f" >"$d/asan.list" 2>"$d/asan.err"
	a1=$?
	"$asan" scan "$f" "${wanted[@]}" >"$d/asan.scan" 2>>"$d/asan.err"
	a2=$?
	if [ $a1 -eq $rc_list ] && [ $a2 -eq $rc_scan ] && cmp -s "$d/asan.list" "$d/ours.raw" &&
		cmp -s "$d/asan.scan" "$d/scan" && [ ! -s "$d/asan.err" ]; then
		ok "$name: sanitizer build agrees, no report"
	else
		notok "$name: sanitizer build (list exit $a1, scan exit $a2)"
		head -n 30 "$d/asan.err" | sed 's/^/# /'
	fi
	rm -rf "$d"
}

# expect_error NAME FILE KIND: the scan fails cleanly (exit 2, "error: KIND"), also under the sanitizers.
expect_error() {
	local name=$1 f=$2 kind=$3 b out rc
	for b in "$bin" "$asan"; do
		out=$("$b" scan "$f" "${wanted[@]}" 2>&1)
		rc=$?
		if [ $rc -ne 2 ] || ! printf '%s\n' "$out" | grep -q "^error: $kind: "; then
			notok "$name: ${b##*/build/} exit $rc, want 2 with 'error: $kind'"
			printf '%s\n' "$out" | tail -n 15 | sed 's/^/# /'
			return
		fi
	done
	ok "$name: $(printf '%s\n' "$out" | sed -n 's/^error: //p' | head -n1)"
}

# ---- 1. the host's own initramfs files, read only ----
shopt -s nullglob
host=(/boot/initrd.img-* /boot/initramfs-*.img)
shopt -u nullglob
if [ ${#host[@]} -eq 0 ]; then
	echo "ok - initramfs: host images # SKIP no initramfs under /boot"
fi
for f in "${host[@]}"; do
	[ -f "$f" ] && [ -r "$f" ] || continue
	compare "host ${f##*/}" "$f"
done

# ---- 2. a real module tree ----
kver=""
for d in /lib/modules/*/kernel/drivers/virtio; do
	[ -e "$d/virtio.ko" ] || [ -e "$d/virtio.ko.xz" ] || [ -e "$d/virtio.ko.zst" ] || continue
	k=${d#/lib/modules/}
	kver=${k%%/*}
done
if [ -z "$kver" ]; then
	missing "kernel module tree" "no /lib/modules/*/kernel/drivers/virtio (apt-get install linux-image-amd64)"
	exit $status
fi
mods=/lib/modules/$kver/kernel/drivers
kd=usr/lib/modules/$kver/kernel/drivers

# ---- 3. archives made with the real cpio and each compressor from that tree ----
tree=$work/tree
mkdir -p "$tree/$kd"/{virtio,block,net,cdrom,scsi,ata} "$tree/usr/bin" "$tree/etc"
plain() { # the module's ELF, whatever the tree compressed it with
	local f=$mods/$1.ko
	if [ -e "$f" ]; then cat "$f"; elif [ -e "$f.xz" ]; then xz -dc "$f.xz"; elif [ -e "$f.zst" ]; then zstd -dc "$f.zst"; else return 1; fi
}
plain virtio/virtio >"$tree/$kd/virtio/virtio.ko"
plain virtio/virtio_ring | zstd -q -19 >"$tree/$kd/virtio/virtio_ring.ko.zst"
plain virtio/virtio_pci | gzip -n >"$tree/$kd/virtio/virtio_pci.ko.gz"
plain block/virtio_blk | xz --check=crc32 >"$tree/$kd/block/virtio_blk.ko.xz"
plain cdrom/cdrom >"$tree/$kd/cdrom/cdrom.ko"
plain scsi/sr_mod | xz --check=crc32 >"$tree/$kd/scsi/sr_mod.ko.xz"
plain ata/ata_piix >"$tree/$kd/ata/ata-piix.ko" # a dash, as some module files have
cp /bin/true "$tree/usr/bin/true"
ln -s usr/bin "$tree/bin"
printf 'root:x:0:0::/root:/bin/sh\n' >"$tree/etc/passwd"
(cd "$tree" && find . | sort | cpio --quiet -o -H newc -R 0:0) >"$work/main.cpio"
(cd "$tree" && find . | sort | cpio --quiet -o -H crc -R 0:0) >"$work/main-crc.cpio"
early=$work/early
mkdir -p "$early/kernel/x86/microcode"
printf 'not really microcode\n' >"$early/kernel/x86/microcode/GenuineIntel.bin"
(cd "$early" && find . | sort | cpio --quiet -o -H newc -R 0:0) >"$work/early.cpio"
expect=("virtio=$kd/virtio/virtio.ko" "virtio_ring=$kd/virtio/virtio_ring.ko.zst" "virtio_pci=$kd/virtio/virtio_pci.ko.gz"
	"virtio_blk=$kd/block/virtio_blk.ko.xz" "virtio_net=missing" "sr_mod=$kd/scsi/sr_mod.ko.xz" "cdrom=$kd/cdrom/cdrom.ko"
	"ata_piix=$kd/ata/ata-piix.ko" "ahci=missing")
cp "$work/main.cpio" "$work/cpio-stored"
compare "cpio newc, uncompressed" "$work/cpio-stored" "${expect[@]}" "segments~cpio (uncompressed, "
cat "$work/early.cpio" "$work/main.cpio" >"$work/cpio-early-stored"
compare "cpio early + main, both uncompressed" "$work/cpio-early-stored" "${expect[@]}"
for c in "gzip -n:gzip" "bzip2:bzip2" "lzma:lzma" "xz --check=crc32:xz" "lz4 -l:lz4 legacy" "lz4:lz4 frame" "zstd -q:zstd"; do
	cmd=${c%%:*} kind=${c#*:}
	f=$work/cpio-early-${kind// /-}
	{ cat "$work/early.cpio"; $cmd <"$work/main.cpio"; } >"$f"
	compare "cpio early + $kind main ($cmd)" "$f" "${expect[@]}" \
		"segments~early cpio (uncompressed, 5 entries), then $kind cpio (25 entries)"
done
gzip -n <"$work/main-crc.cpio" >"$work/cpio-crc-gzip"
compare "cpio crc format, gzip" "$work/cpio-crc-gzip" "${expect[@]}" "segments~gzip cpio (25 entries)"

# ---- 4. images built by mkinitramfs (initramfs-tools) from the installed kernel ----
if ! command -v mkinitramfs >/dev/null || [ ! -e "/boot/config-$kver" ]; then
	missing "mkinitramfs" "mkinitramfs or /boot/config-$kver missing (apt-get install initramfs-tools-core linux-image-amd64)"
else
	conf=$work/itconf
	mkdir -p "$conf/conf.d" "$conf/hooks" "$conf/scripts"
	# MODULES=list: the modules asked for and what the hooks add, so that images build in seconds.
	printf 'MODULES=list\nBUSYBOX=auto\nCOMPRESS=zstd\n' >"$conf/initramfs.conf"
	printf 'virtio_blk\nvirtio_net\nvirtio_pci\nsr_mod\nata_piix\n' >"$conf/modules"
	mi_expect=("virtio_blk=usr/lib/modules/$kver/kernel/drivers/block/virtio_blk.ko" "ahci=missing")
	for c in zstd:zstd gzip:gzip xz:xz lz4:"lz4 legacy" bzip2:bzip2 lzma:lzma; do
		kind=${c#*:} c=${c%%:*}
		f=$work/mkinitramfs-$c.img
		if mkinitramfs -d "$conf" -c "$c" -o "$f" "$kver" >"$work/mkinitramfs.log" 2>&1; then
			compare "mkinitramfs -c $c" "$f" "${mi_expect[@]}" "segments~$kind cpio ("
		else
			notok "mkinitramfs -c $c failed"
			tail -n 20 "$work/mkinitramfs.log" | sed 's/^/# /'
		fi
	done
	# With early microcode prepended, as initramfs-tools does when a microcode package is installed.
	if [ -e "$work/mkinitramfs-gzip.img" ]; then
		cat "$work/early.cpio" "$work/mkinitramfs-gzip.img" >"$work/mkinitramfs-early.img"
		compare "early cpio + mkinitramfs gzip image" "$work/mkinitramfs-early.img" "${mi_expect[@]}" \
			"segments~early cpio (uncompressed, 5 entries), then gzip cpio ("
	fi
	# No virtio asked for, none present: the scan must say missing, as lsinitramfs shows.
	printf 'ata_piix\n' >"$conf/modules"
	f=$work/mkinitramfs-novirtio.img
	if mkinitramfs -d "$conf" -c gzip -o "$f" "$kver" >"$work/mkinitramfs.log" 2>&1; then
		compare "mkinitramfs without virtio" "$f" "virtio_blk=missing" "virtio_net=missing"
	else
		notok "mkinitramfs without virtio failed"
	fi

	# Damaged real images: a clean error, never a crash or a hang.
	if [ -e "$work/mkinitramfs-gzip.img" ]; then
		size=$(stat -c %s "$work/mkinitramfs-gzip.img")
		head -c $((size / 2)) "$work/mkinitramfs-gzip.img" >"$work/cut.img"
		expect_error "mkinitramfs gzip image cut in half" "$work/cut.img" "truncated archive"
		cp "$work/mkinitramfs-xz.img" "$work/flip.img" 2>/dev/null &&
			printf '\xa5\x5a\xa5\x5a' | dd of="$work/flip.img" bs=1 seek=$(($(stat -c %s "$work/flip.img") / 3)) conv=notrunc status=none &&
			expect_error "mkinitramfs xz image with 4 bytes damaged" "$work/flip.img" "decompression error"
	fi
fi

# ---- 5. images built by dracut (no host-only: this container is not the target) ----
if ! command -v dracut >/dev/null; then
	missing "dracut" "dracut is not installed (apt-get install dracut-core)"
else
	mkdir -p "$work/dracut.conf.d"
	dr_expect=("virtio_blk=usr/lib/modules/$kver/kernel/drivers/block/virtio_blk.ko" "ahci=missing")
	for c in zstd:zstd gzip:gzip xz:xz lz4:"lz4 legacy"; do
		kind=${c#*:} c=${c%%:*}
		f=$work/dracut-$c.img
		if dracut --quiet --no-hostonly --kver "$kver" --conf /dev/null --confdir "$work/dracut.conf.d" \
			--tmpdir "$work/tmp" -m base --add-drivers "virtio_blk virtio_net virtio_pci sr_mod ata_piix" \
			--compress "$c" --force "$f" >"$work/dracut.log" 2>&1; then
			compare "dracut --compress $c" "$f" "${dr_expect[@]}" "segments~$kind cpio ("
		else
			notok "dracut --compress $c failed"
			tail -n 20 "$work/dracut.log" | sed 's/^/# /'
		fi
	done
fi

rm -rf "$work"
exit $status
