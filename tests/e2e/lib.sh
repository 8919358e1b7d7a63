# Shared helpers of the boot layer (sourced): cache location and keys, loop devices, chroot mounts.
# Everything is built under CVMPREP_SCRATCH or the cache directory; nothing of the host's /etc or
# /boot is read or written.

e2e_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CVMPREP_TOP:=$(cd "$e2e_dir/../.." && pwd)}"

# The cache: /var/cache/cvmprep-tests/e2e, or none with CVMPREP_E2E_CACHE=off (then everything
# is built in the scratch directory, as on a machine that never ran the tests).
e2e_cache_dir() {
	if [ "${CVMPREP_E2E_CACHE:-}" = off ]; then
		echo "${CVMPREP_SCRATCH:?}/e2e-cache"
	else
		echo "${CVMPREP_E2E_CACHE:-/var/cache/cvmprep-tests}/e2e"
	fi
}

# Debian mirror the roots are built from (the package registry this machine reaches).
: "${E2E_MIRROR:=http://deb.debian.org/debian}"
: "${E2E_SUITE:=bookworm}"

# Packages of the base root, one a line in packages.txt (comments after #).
e2e_packages() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$e2e_dir/packages.txt" | tr -s ' \t' '\n' | sed '/^$/d'; }

# A key over the files that decide what the base root is: change one and the cache misses.
e2e_base_key() {
	cat "$e2e_dir/build-base.sh" "$e2e_dir/packages.txt" | sha256sum | cut -c1-16
}

# The key of one variant's disk image: the base plus the image builder.
e2e_image_key() {
	{ e2e_base_key; cat "$e2e_dir/build-image.sh" "$e2e_dir/lib.sh"; echo "$1"; } | sha256sum | cut -c1-16
}

e2e_log() { echo "# e2e: $*" >&2; }
e2e_die() { echo "e2e: $*" >&2; exit 1; }

# attach IMAGE [ro]: attach with partitions (read-only with "ro"), print the loop device. Without udev the partition
# scan can lag and /dev nodes can be missing: ask again with partx and make the nodes.
e2e_attach() {
	local img=$1 dev n node p ro=()
	[ "${2:-}" = ro ] && ro=(-r)
	dev=$(losetup "${ro[@]}" -P -f --show "$img") || return 1
	n=$(sfdisk -l "$img" 2>/dev/null | grep -c "^$img")
	for _ in $(seq 50); do
		[ "$n" -eq 0 ] && break
		[ -e "/sys/class/block/$(basename "$dev")p$n" ] && break
		sleep 0.1
	done
	if [ "$n" -gt 0 ] && [ ! -e "/sys/class/block/$(basename "$dev")p$n" ]; then
		partx -a "$dev" 2>/dev/null
	fi
	for p in /sys/class/block/"$(basename "$dev")"p*; do
		[ -e "$p" ] || continue
		node="/dev/$(basename "$p")"
		[ -b "$node" ] || mknod "$node" b "$(cut -d: -f1 "$p/dev")" "$(cut -d: -f2 "$p/dev")"
	done
	echo "$dev"
}

# detach LOOPDEV: detach and remove partition nodes we may have made.
e2e_detach() {
	local dev=$1
	[ -n "$dev" ] || return 0
	losetup -d "$dev" 2>/dev/null
	rm -f "$dev"p[0-9]* 2>/dev/null
	return 0
}

# chroot_setup ROOT [LOOPDEV PART UUID]: what a chroot (on a mounted image) needs, without touching
# the host's /dev: a private /dev with the few nodes package scripts, update-initramfs, dracut and
# GRUB use, the loop disk and its partition, and the by-uuid link grub-mkconfig looks for (there
# is no udev here to make it); /proc, /sys, /run. Call only inside a private mount namespace
# (unshare -m), so that the mounts vanish with it on every exit path.
e2e_chroot_setup() {
	local r=$1 loop=${2:-} part=${3:-} uuid=${4:-} node
	mount -t tmpfs -o mode=755 e2edev "$r/dev" || return 1
	mknod -m 666 "$r/dev/null" c 1 3
	mknod -m 666 "$r/dev/zero" c 1 5
	mknod -m 666 "$r/dev/full" c 1 7
	mknod -m 666 "$r/dev/random" c 1 8
	mknod -m 666 "$r/dev/urandom" c 1 9
	mknod -m 666 "$r/dev/tty" c 5 0
	mkdir -p "$r/dev/pts" "$r/dev/shm" "$r/dev/disk/by-uuid"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts" || return 1
	ln -s pts/ptmx "$r/dev/ptmx"
	ln -s /proc/self/fd "$r/dev/fd"
	ln -s /proc/self/fd/0 "$r/dev/stdin"
	ln -s /proc/self/fd/1 "$r/dev/stdout"
	ln -s /proc/self/fd/2 "$r/dev/stderr"
	for node in $loop $part; do
		mknod "$r$node" b "$(cut -d: -f1 "/sys/class/block/$(basename "$node")/dev")" \
			"$(cut -d: -f2 "/sys/class/block/$(basename "$node")/dev")" || return 1
	done
	[ -z "$uuid" ] || ln -s "../../$(basename "$part")" "$r/dev/disk/by-uuid/$uuid"
	mount -t proc proc "$r/proc" && mount -t sysfs sysfs "$r/sys" && mount -t tmpfs tmpfs "$r/run"
}

# in_chroot ROOT CMD...: run a command in the chroot with a neutral environment; no service starts.
e2e_chroot() {
	local r=$1
	shift
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive \
		chroot "$r" "$@"
}
