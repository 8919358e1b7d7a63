#!/bin/sh
# Build cvmprep's MSI with wixl (and msibuild, both from msitools): build-msi.sh CVMPREP.EXE VERSION OUT.msi
# The example configuration is packaging/cvmprep.conf with a Windows first line and CRLF endings.
set -eu
exe=$1 version=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
case $out in /*) ;; *) out=$PWD/$out ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	printf '# %%ProgramData%%\\cvmprep\\cvmprep.conf: settings of cvmprep.exe, read by every command (INI).\n'
	sed 1d "$here/../cvmprep.conf"
} | sed 's/$/\r/' >"$tmp/cvmprep.conf"
cp "$exe" "$tmp/cvmprep.exe"
cp "$here/cvmprep.wxs" "$tmp/"
# wixl finds sources relative to the directory it runs in.
(cd "$tmp" && wixl --arch x64 -D Version="$version" -D Exe=cvmprep.exe -D Conf=cvmprep.conf -o "$out" cvmprep.wxs)
# wixl knows neither NeverOverwrite nor Permanent: set them on the configuration's component
# (256 64-bit + 128 never overwrite + 16 permanent), so that an upgrade or a reinstall keeps
# the user's settings and uninstalling leaves them (and the fix journal beside them) in place.
msibuild "$out" -q "UPDATE \`Component\` SET \`Attributes\` = 400 WHERE \`Component\` = 'Config'"
