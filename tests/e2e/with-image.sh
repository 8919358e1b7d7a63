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
devdir=""
devbound=""
cleanup() {
	# The host's /dev first again, so that detaching removes the partition nodes made there.
	[ -n "$devbound" ] && umount -R /dev 2>/dev/null
	[ -n "$devdir" ] && { umount "$devdir" 2>/dev/null; rmdir "$devdir" 2>/dev/null; }
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
# What udev would add on a normal host, and tools such as grub-mkconfig look for: the
# /dev/disk/by-uuid links of the image's partitions. This machine runs no udev, so the command
# gets a private copy of /dev (in this namespace only; the host's /dev is not changed) with them.
devdir=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/dev.XXXXXX")
if mount -t tmpfs -o mode=755 e2edev "$devdir" && cp -ax /dev/. "$devdir/" 2>/dev/null; then
	mkdir -p "$devdir/disk/by-uuid"
	for p in "$loop"p*; do
		u=$(blkid -s UUID -o value "$p" 2>/dev/null) || continue
		[ -n "$u" ] && ln -sf "../../$(basename "$p")" "$devdir/disk/by-uuid/$u"
	done
	mount --bind "$devdir" /dev && devbound=1 && mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts &&
		mount -t tmpfs tmpfs /dev/shm || { echo "with-image: cannot set up /dev" >&2; exit 125; }
else
	echo "with-image: cannot copy /dev" >&2
	exit 125
fi
E2E_ROOT=$mnt E2E_LOOP=$loop "$@"
exit $?
