#!/bin/sh
# Install the Debian packages cvmprep needs to build (build) or to build and run every test (all).
# Only what is missing is installed; nothing happens when everything is there.
set -eu
what=${1:-all}
here=$(dirname "$0")
pkgs=$(sed -e 's/#.*//' "$here/deps-build.txt")
if [ "$what" = all ]; then
	pkgs="$pkgs $(sed -e 's/#.*//' "$here/deps-test.txt")"
fi
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: these packages are missing and installing them needs root:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || { echo "install-deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
