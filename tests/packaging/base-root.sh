#!/usr/bin/env bash
# Build (or find in the cache) the fresh Debian 12 minbase root the packages are installed into;
# prints its path. The tests never change it: each works on an overlay above it.
# Cache: $CVMPREP_PACKAGING_CACHE (default /var/cache/cvmprep-tests/packaging), keyed by this
# script; "off" builds it under $CVMPREP_SCRATCH, as on a machine that never ran the tests.
set -euo pipefail
: "${PACKAGING_MIRROR:=http://deb.debian.org/debian}"
suite=bookworm

if [ "${CVMPREP_PACKAGING_CACHE:-}" = off ]; then
	cache=${CVMPREP_SCRATCH:?}/packaging-cache
else
	cache=${CVMPREP_PACKAGING_CACHE:-/var/cache/cvmprep-tests/packaging}
fi
key=$({ cat "$0"; echo "$suite $PACKAGING_MIRROR"; } | sha256sum | cut -c1-16)
out=$cache/minbase-$key
if [ -f "$out/done" ]; then
	echo "$out/root"
	exit 0
fi
mkdir -p "$cache"
# One builder at a time; a second run waits, then finds the result.
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/done" ]; then
	echo "$out/root"
	exit 0
fi
# Older roots are replaced, not accumulated.
rm -rf "$cache"/minbase-*
tmp=$cache/minbase-$key.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
if ! debootstrap --variant=minbase "$suite" "$tmp/root" "$PACKAGING_MIRROR" >"$tmp/debootstrap.log" 2>&1; then
	tail -n 20 "$tmp/debootstrap.log" >&2
	echo "base-root.sh: debootstrap failed (log: $tmp/debootstrap.log)" >&2
	exit 1
fi
# debootstrap copies the build host's name into the tree; the tests do not want it.
echo pkgtest >"$tmp/root/etc/hostname"
# No daemon may start inside the chroot when packages are installed.
printf '#!/bin/sh\nexit 101\n' >"$tmp/root/usr/sbin/policy-rc.d"
chmod 755 "$tmp/root/usr/sbin/policy-rc.d"
rm -rf "$tmp/root/var/cache/apt/archives/"*.deb
mv "$tmp" "$out"
touch "$out/done"
echo "$out/root"
