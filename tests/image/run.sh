#!/usr/bin/env bash
# `cvmprep image` against images made here by qemu-img (create/convert) in every format the
# import knows, the formats it rejects, and truncated or corrupted headers. Each case in
# cases.py states what the image is and what cvmprep must conclude; format and virtual size are
# compared with `qemu-img info --output=json`, the qcow2 estimate of raw images with the size of
# `qemu-img convert -O qcow2`. Runs the normal and the sanitizer binary. TAP lines out.
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
here="$top/tests/image"
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/image.XXXXXX")
# CVMPREP_KEEP=1 keeps the images for a look after a failure.
trap '[ -n "${CVMPREP_KEEP:-}" ] || rm -rf "$scratch"' EXIT

missing=()
for tool in qemu-img sfdisk mkfs.ext4 mkntfs genisoimage python3 gzip xz tar; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok - image: missing tools: ${missing[*]} (tests/deps-test.txt)"
		exit 1
	fi
	echo "ok - image: all cases # SKIP missing tools: ${missing[*]}"
	exit 0
fi

d="$scratch/img"
mkdir -p "$d"
cd "$d" || exit 1
log="$scratch/make.log"
set -e
{
	# A system-like disk: MBR, an ext4 partition filled with 48 MiB of incompressible files,
	# and an NTFS partition. Partition filesystems are made in files, then copied in place.
	mkdir -p tree/etc tree/data
	echo 'ID=debian' >tree/etc/os-release
	for i in 1 2 3; do head -c 16M /dev/urandom >"tree/data/blob$i"; done
	truncate -s 256M mbr.raw
	printf 'label: dos\n2048,160M,83,*\n,64M,7\n' | sfdisk -q mbr.raw
	truncate -s 160M p1.ext4
	mkfs.ext4 -q -F -d tree p1.ext4
	dd if=p1.ext4 of=mbr.raw bs=1M seek=1 conv=notrunc,sparse status=none
	truncate -s 64M p2.ntfs
	mkntfs -q -F -Q -L winsys p2.ntfs >/dev/null
	dd if=p2.ntfs of=mbr.raw bs=512 seek=$((2048 + 160 * 2048)) conv=notrunc,sparse status=none
	rm -f p1.ext4 p2.ntfs

	# Only an NTFS partition (a Windows disk), and a data-only disk (swap partition).
	truncate -s 64M ntfs.raw
	printf 'label: dos\n2048,,7,*\n' | sfdisk -q ntfs.raw
	truncate -s 63M p.ntfs
	mkntfs -q -F -Q p.ntfs >/dev/null
	dd if=p.ntfs of=ntfs.raw bs=1M seek=1 conv=notrunc,sparse status=none
	rm -f p.ntfs
	truncate -s 64M data.raw
	printf 'label: dos\n2048,,82\n' | sfdisk -q data.raw

	truncate -s 128M gpt.raw
	printf 'label: gpt\n2048,,0FC63DAF-8483-4772-8E79-3D69D8477DE4\n' | sfdisk -q gpt.raw
	mkfs.ext4 -q -F -E offset=1048576 gpt.raw 100M
	truncate -s 64M none.raw
	truncate -s 64M bare.raw
	mkfs.ext4 -q -F bare.raw

	qemu-img convert -O qcow2 -o compat=0.10 mbr.raw v2.qcow2
	qemu-img convert -O qcow2 -o compat=1.1 mbr.raw v3.qcow2
	qemu-img convert -c -O qcow2 mbr.raw compressed.qcow2
	qemu-img create -q -f qcow2 -o compat=0.10 -b v2.qcow2 -F qcow2 v2-backed.qcow2
	qemu-img create -q -f qcow2 -b v3.qcow2 -F qcow2 v3-backed.qcow2
	qemu-img convert -O vpc -o subformat=dynamic mbr.raw dynamic.vhd
	qemu-img convert -O vpc -o subformat=fixed mbr.raw fixed.vhd
	qemu-img convert -O vpc -o subformat=fixed,force_size=on mbr.raw forcesize.vhd
	qemu-img convert -O vmdk -o subformat=monolithicSparse mbr.raw sparse.vmdk
	qemu-img convert -O vmdk -o subformat=monolithicFlat mbr.raw flat.vmdk
	qemu-img convert -O vmdk -o subformat=streamOptimized mbr.raw stream.vmdk
	qemu-img create -q -f vmdk -b sparse.vmdk -F vmdk sparse-000001.vmdk
	qemu-img create -q -f vhdx disk.vhdx 1G
	qemu-img create -q -f vdi disk.vdi 1G
	mkdir -p iso/boot && echo installer >iso/boot/readme
	genisoimage -quiet -V DEBIAN_INSTALL -o installer.iso iso
	gzip -k -1 -c none.raw >disk.raw.gz
	xz -0 -T1 -c none.raw >disk.raw.xz
	printf '<Envelope/>\n' >disk.ovf
	tar cf appliance.ova disk.ovf sparse.vmdk

	# Damaged headers: truncated files and corrupted fields.
	head -c 40 v3.qcow2 >trunc.qcow2
	cp v3.qcow2 badcluster.qcow2 && printf '\x00\x00\x00\x30' | dd of=badcluster.qcow2 bs=1 seek=20 conv=notrunc status=none
	cp v3.qcow2 badl1.qcow2 && printf '\x7f\xff\xff\xff\xff\xff\x00\x00' | dd of=badl1.qcow2 bs=1 seek=40 conv=notrunc status=none
	cp v3.qcow2 badl2.qcow2 && printf '\x00\x00\x7f\xff\xff\xff\x00\x00' | dd of=badl2.qcow2 bs=1 seek=$(( $(od -An -tu8 -j40 -N8 --endian=big v3.qcow2) )) conv=notrunc status=none
	head -c 60 sparse.vmdk >trunc.vmdk
	cp sparse.vmdk badgrain.vmdk && printf '\x00\x00\x00\x00\x00\x00\x00\x00' | dd of=badgrain.vmdk bs=1 seek=20 conv=notrunc status=none
	# VMware writes streamOptimized with the grain directory at the end (gdOffset = GD_AT_END)
	# and the real header in a footer; qemu does not: make one the VMware way, then lose its tail.
	python3 - stream.vmdk vmware-stream.vmdk <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
hdr = bytes(data[:512])
assert data[-512:] == bytes(512)                 # qemu ends with the end-of-stream marker
body = data[:-512]
body[56:64] = struct.pack("<Q", 0xFFFFFFFFFFFFFFFF)  # gdOffset: GD_AT_END
footer_marker = struct.pack("<QII", 1, 0, 3).ljust(512, b"\0")
out = bytes(body) + footer_marker + hdr + bytes(512)
open(sys.argv[2], "wb").write(out)
PY
	head -c $(( $(stat -c %s vmware-stream.vmdk) - 1536 )) vmware-stream.vmdk >trunc-stream.vmdk
	cp dynamic.vhd badsparse.vhd && printf 'XXXXXXXX' | dd of=badsparse.vhd bs=1 seek=512 conv=notrunc status=none
	head -c 300 dynamic.vhd >trunc.vhd
	cp gpt.raw badcrc-gpt.raw && printf '\xff' | dd of=badcrc-gpt.raw bs=1 seek=$((512 + 40)) conv=notrunc status=none
	head -c 1000000 fixed.vhd >trunc-fixed.vhd
	: >empty.raw
} >"$log" 2>&1 || {
	echo "not ok - image: building the images failed"
	sed 's/^/# /' "$log"
	exit 1
}
set +e

python3 "$here/cases.py" "$d"
