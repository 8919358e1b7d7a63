#!/usr/bin/env bash
# `make bench`: time the initramfs reader on a real initramfs against lsinitramfs and the plain
# decompressor, and on the same image recompressed as mkinitramfs would with gzip (and, with
# BENCH_COMPRESSIONS, others). Usage: bench/run.sh BENCH_BINARY [INITRD]
set -eu
bin=$1
initrd=${2:-}
runs=${BENCH_RUNS:-11}
comps=${BENCH_COMPRESSIONS:-gzip}

tmp=$(mktemp -d /tmp/cvmprep-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for tool in lsinitramfs cpio; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench: '$tool' is missing (apt-get install initramfs-tools-core cpio)" >&2
		exit 1
	fi
done

if [ -z "$initrd" ]; then
	# The newest initramfs this machine has (read only); otherwise build one from its modules.
	initrd=$(ls -t /boot/initrd.img-* 2>/dev/null | head -n1 || true)
	if [ -z "$initrd" ]; then
		kver=$(ls /lib/modules 2>/dev/null | sort -V | tail -n1)
		if [ -z "$kver" ] || ! command -v mkinitramfs >/dev/null; then
			echo "bench: no initramfs under /boot and no kernel modules to build one (apt-get install linux-image-amd64 initramfs-tools-core)" >&2
			exit 1
		fi
		conf=$tmp/conf
		mkdir -p "$conf/conf.d" "$conf/hooks" "$conf/scripts"
		printf 'MODULES=most\nBUSYBOX=auto\nCOMPRESS=zstd\n' >"$conf/initramfs.conf"
		: >"$conf/modules"
		echo "# building an initramfs for $kver with mkinitramfs (MODULES=most, zstd)"
		mkinitramfs -d "$conf" -o "$tmp/initrd.img-$kver" "$kver"
		initrd=$tmp/initrd.img-$kver
	fi
fi

echo "# $(uname -srm), $(nproc) CPUs; $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "# command: $bin bench -n $runs FILE"
echo
status=0
"$bin" bench -n "$runs" "$initrd" || status=$?

# The same image with its main archive recompressed, as mkinitramfs -c would compress it.
main=$("$bin" scan "$initrd" | sed -n 's/^segment [0-9]*: \([a-z0-9 ]*\) at \([0-9]*\),.*/\1 \2/p' | grep -v '^uncompressed' | tail -n1)
kind=${main% *}
off=${main##* }
case "$kind" in
gzip) unpack="gzip -dc" ;; zstd) unpack="zstd -dc" ;; xz) unpack="xz -dc" ;; lzma) unpack="xz -dc" ;;
bzip2) unpack="bzip2 -dc" ;; "lz4 legacy" | "lz4 frame") unpack="lz4 -dc" ;;
*) echo "bench: cannot tell the main archive of $initrd" >&2; exit 1 ;;
esac
for c in $comps; do
	case "$c" in
	gzip) pack="gzip -n" ;; xz) pack="xz --check=crc32 --threads=0" ;; lz4) pack="lz4 -9 -l" ;;
	zstd) pack="zstd -q -9 -T0" ;; bzip2) pack="bzip2" ;; lzma) pack="lzma" ;;
	*) echo "bench: unknown compression '$c'" >&2; exit 1 ;;
	esac
	[ "${kind% *}" = "$c" ] && continue
	out=$tmp/initrd.$c
	head -c "$off" "$initrd" >"$out"
	tail -c "+$((off + 1))" "$initrd" | $unpack | $pack >>"$out"
	echo
	echo "# $initrd with its main archive recompressed: $pack"
	"$bin" bench -n "$runs" "$out" || status=1
done
exit $status
