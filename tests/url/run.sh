#!/usr/bin/env bash
# `cvmprep url-check` against a local stand-in for COS (tests/url/server.py: HTTP and HTTPS on
# 127.0.0.1 with a throwaway CA made here by openssl), never the internet: the COS host names
# of the test URLs are mapped to loopback through the test-only CVMPREP_TEST_CONNECT_TO, and
# the throwaway CA is trusted through CVMPREP_TEST_CAINFO. Each case in cases.py states what is
# served and what url-check must conclude. Runs the normal and the sanitizer binary. TAP out.
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
here="$top/tests/url"
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/url.XXXXXX")
# CVMPREP_KEEP=1 keeps the files for a look after a failure.
trap '[ -n "${CVMPREP_KEEP:-}" ] || rm -rf "$scratch"' EXIT

missing=()
for tool in qemu-img openssl python3 sfdisk genisoimage gzip; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok - url: missing tools: ${missing[*]} (tests/deps-test.txt)"
		exit 1
	fi
	echo "ok - url: all cases # SKIP missing tools: ${missing[*]}"
	exit 0
fi

d="$scratch/srv"
mkdir -p "$d"
cd "$d" || exit 1
log="$scratch/make.log"
set -e
{
	# The throwaway CA, a server certificate for the COS host names the cases use, and a
	# second CA that is not trusted (to show that verification is on).
	cat >ext.cnf <<'CNF'
subjectAltName=DNS:*.cos.ap-guangzhou.myqcloud.com,DNS:*.cos.ap-hongkong.myqcloud.com,DNS:*.cos.ap-shanghai-fsi.myqcloud.com
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
CNF
	for ca in ca other-ca; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $ca.key \
			-out $ca.pem -days 2 -subj "/CN=cvmprep test $ca" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
	done
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
		-subj "/CN=*.cos.ap-guangzhou.myqcloud.com"
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
		-extfile ext.cnf

	# Real images: a small MBR disk in the import's formats, and the wrong kinds.
	truncate -s 64M mbr.raw
	printf 'label: dos\n2048,,83,*\n' | sfdisk -q mbr.raw
	mkfs.ext4 -q -F -E offset=1048576 mbr.raw 63M
	truncate -s 64M none.raw
	qemu-img convert -O qcow2 mbr.raw disk.qcow2
	qemu-img create -q -f qcow2 -b disk.qcow2 -F qcow2 backed.qcow2
	qemu-img convert -O vpc -o subformat=fixed mbr.raw fixed.vhd
	qemu-img convert -O vpc -o subformat=dynamic mbr.raw dynamic.vhd
	qemu-img convert -O vmdk -o subformat=streamOptimized mbr.raw stream.vmdk
	qemu-img convert -O vmdk -o subformat=monolithicSparse mbr.raw sparse.vmdk
	qemu-img create -q -f vmdk -b sparse.vmdk -F vmdk sparse-000001.vmdk
	qemu-img create -q -f vhdx disk.vhdx 1G
	qemu-img create -q -f qcow2 big.qcow2 600G
	qemu-img create -q -f qcow2 between.qcow2 480G
	mkdir -p iso && echo installer >iso/readme
	genisoimage -quiet -V INSTALL -o installer.iso iso
	gzip -1 -c mbr.raw >disk.raw.gz
	head -c 100 disk.qcow2 >trunc.qcow2
} >"$log" 2>&1 || {
	echo "not ok - url: building the server files failed"
	sed 's/^/# /' "$log"
	exit 1
}
set +e

python3 "$here/cases.py" "$d"
