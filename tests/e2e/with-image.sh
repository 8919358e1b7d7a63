#!/usr/bin/env bash
# Run a command with a disk image's first partition mounted: with-image.sh IMG CMD [ARG...].
# The mount point is in $E2E_ROOT (and the loop device in $E2E_LOOP); E2E_RO=1 mounts read-only. The mount lives in a
# private mount namespace, and the loop device is detached on every exit path. Exits with the
# command's status (or 125 when the image could not be mounted).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || { echo "usage: with-image.sh IMG CMD [ARG...]" >&2; exit 125; }
if [ -z "${E2E_IN_NS:-}" ]; then
	exec env E2E_IN_NS=1 unshare -m --propagation private "$0" "$@"
fi
unset E2E_IN_NS
img=$1
shift
mnt=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/mnt.XXXXXX")
loop=""
cleanup() {
	umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
	e2e_detach "$loop"
	rmdir "$mnt" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
opts=rw
[ "${E2E_RO:-}" = 1 ] && opts=ro
loop=$(e2e_attach "$img" "$opts") || { echo "with-image: cannot attach '$img'" >&2; exit 125; }
mount -o "$opts" "${loop}p1" "$mnt" || { echo "with-image: cannot mount '${loop}p1'" >&2; exit 125; }
E2E_ROOT=$mnt E2E_LOOP=$loop "$@"
exit $?
