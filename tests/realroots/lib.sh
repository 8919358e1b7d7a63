# Shared helpers of the real-roots layer (sourced): the cache, overlay mounts and chroot commands.
# The variants are overlayfs layers over the boot layer's Debian 12 base root: nothing is copied,
# and every mount lives in a private mount namespace that vanishes with its process.

rr_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CVMPREP_TOP:=$(cd "$rr_dir/../.." && pwd)}"
# The base root and the chroot set-up (/dev, /proc, /sys, /run) come from the boot layer.
. "$CVMPREP_TOP/tests/e2e/lib.sh"

# Every variant, in the order the layer runs them.
rr_all_variants="itools-ifupdown itools-nocloud-ifupdown dracut-nm dracut-nocloud-networkd itools-netplan"

# The cache: /var/cache/cvmprep-tests/realroots, or none (everything built in the scratch
# directory, as on a machine that never ran the tests) with CVMPREP_REALROOTS_CACHE=off or
# CVMPREP_E2E_CACHE=off (then the base root is not cached either).
rr_cache_dir() {
	if [ "${CVMPREP_REALROOTS_CACHE:-}" = off ] || [ "${CVMPREP_E2E_CACHE:-}" = off ]; then
		echo "${CVMPREP_SCRATCH:?}/realroots-cache"
	else
		echo "${CVMPREP_E2E_CACHE:-/var/cache/cvmprep-tests}/realroots"
	fi
}

# The key of one variant's layer: the base it sits on (its directory name carries the base's
# key), the builder, these helpers, and the variant.
rr_variant_key() {
	local base_dir=$1 v=$2
	{ basename "$base_dir"; cat "$rr_dir/build-variant.sh" "$rr_dir/lib.sh"; echo "$v"; } | sha256sum | cut -c1-16
}

rr_log() { echo "# realroots: $*" >&2; }
rr_die() { echo "realroots: $*" >&2; exit 1; }

# rr_mount_overlay LOWERS UPPER WORK MNT: an overlay of LOWERS (colon-separated, topmost first).
# redirect_dir=on: a directory renamed inside the tree (a state directory moved aside) is a
# rename, as on a real filesystem, not EXDEV. Call only inside a private mount namespace.
rr_mount_overlay() {
	mkdir -p "$2" "$3" "$4"
	mount -t overlay rroverlay -o "lowerdir=$1,upperdir=$2,workdir=$3,redirect_dir=on,metacopy=off,index=off" "$4"
}

# rr_chroot ROOT CMD...: CMD in the chroot, with /dev, /proc, /sys and /run mounted in a mount
# namespace of its own, so that they are gone when it ends (and cvmprep never sees the host's
# /proc or /sys inside the tree). A neutral environment; stdin and stdout are the caller's.
rr_chroot() {
	local r=$1
	shift
	unshare -m --propagation private bash -c '
		. "$1/tests/e2e/lib.sh"
		r=$2
		shift 2
		e2e_chroot_setup "$r" || { echo "realroots: cannot set up the chroot $r" >&2; exit 125; }
		e2e_chroot "$r" "$@"' bash "$CVMPREP_TOP" "$r" "$@"
}

# rr_stack_view TREE WORK: stack-view.py's line for a throwaway copy of TREE/root (an overlay
# over it, upper layer in WORK, removed afterwards): what cloud-init would render there and
# whether the network stack reads it, without changing the tree.
rr_stack_view() {
	local tree=$1 work=$2 rc
	rm -rf "$work"
	mkdir -p "$work"
	unshare -m --propagation private bash -c '
		. "$1/tests/realroots/lib.sh"
		rr_mount_overlay "$2" "$3/upper" "$3/work" "$3/m" || exit 125
		r=$3/m/root
		e2e_chroot_setup "$r" || exit 125
		e2e_chroot "$r" env DEBUG_PROC_CMDLINE= python3 - <"$1/tests/realroots/stack-view.py"' \
		bash "$CVMPREP_TOP" "$tree" "$work"
	rc=$?
	rm -rf "$work"
	return $rc
}
