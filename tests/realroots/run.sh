#!/usr/bin/env bash
# Real-roots layer: Debian 12 trees made from the boot layer's debootstrap base (overlayfs
# variants: initramfs-tools MODULES=list or dracut host-only, with and without cloud-init, with
# ifupdown, NetworkManager, systemd-networkd or netplan, each with a VMware source VM's
# configuration). For each: `cvmprep check --root` agrees with the distribution's own tools
# (lsinitramfs/lsinitrd, cloud-init's own configuration merge, ifquery, netplan generate); `fix`
# makes the checks pass, which those tools confirm; a second fix changes nothing; rollback restores
# the tree exactly. Then the datasource cases: tricky cloud.cfg.d contents, cvmprep's
# datasource_list against cloud-init's. TAP lines out; ends with a table of the variants.
#
# Environment: CVMPREP, CVMPREP_ASAN (binaries), CVMPREP_SCRATCH; RR_VARIANTS (default: all);
# RR_JOBS (variants at once, default: the number of cores); CVMPREP_REALROOTS_CACHE=off or
# CVMPREP_E2E_CACHE=off: build everything in scratch (default cache:
# /var/cache/cvmprep-tests/realroots, keyed by the base root, the builder and the variant).
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
export CVMPREP_TOP="$top"
here="$top/tests/realroots"
export CVMPREP="${CVMPREP:-$top/build/cvmprep}"
export CVMPREP_ASAN="${CVMPREP_ASAN:-$top/build/asan/cvmprep}"
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/realroots.XXXXXX")
export CVMPREP_SCRATCH="$scratch"
. "$here/lib.sh"
layer_start=$SECONDS
fail=0

cleanup() {
	# Each background job is a process group (setsid); its mounts live in its own namespace.
	local p
	for p in $(jobs -p); do kill -TERM -- "-$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ok() { echo "ok - realroots: $1"; }
nok() {
	echo "not ok - realroots: $1"
	fail=1
}
skip() { echo "ok - realroots: $1 # SKIP $2"; }

# ---- prerequisites: a missing one is a skip, or a failure under CI ----
missing=""
[ "$(id -u)" -eq 0 ] || missing="$missing root"
for t in debootstrap unshare mount chroot flock python3 sha256sum; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -x "$CVMPREP" ] || missing="$missing $CVMPREP"
grep -qw overlay /proc/filesystems 2>/dev/null || modprobe overlay 2>/dev/null ||
	grep -qw overlay /proc/filesystems 2>/dev/null || missing="$missing overlayfs"
python3 -c 'import jsonschema' 2>/dev/null || missing="$missing python3-jsonschema"
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		nok "prerequisites missing:$missing"
		exit 1
	fi
	skip "real roots" "missing:$missing"
	exit 0
fi

variants=(${RR_VARIANTS:-$rr_all_variants})
jobs_max=${RR_JOBS:-$(nproc)}

# run_parallel CMD...: each argument is one shell command; at most $jobs_max at once, each in a
# process group of its own (cleanup ends them).
run_parallel() {
	local c
	for c in "$@"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
		setsid bash -c "$c" &
	done
	wait
}

# ---- 1. the base root (tests/e2e/build-base.sh: debootstrap, cached by its inputs) ----
t0=$SECONDS
if base_root=$("$top/tests/e2e/build-base.sh" 2>"$scratch/base.err"); then
	ok "Debian 12 base root ready ($((SECONDS - t0)) s)"
else
	nok "Debian 12 base root could not be built"
	sed 's/^/# /' "$scratch/base.err" | tail -n 30
	exit 1
fi
base_s=$((SECONDS - t0))
base=$(dirname "$base_root")

# ---- 2. the variants' layers (cached by base, builder and variant) ----
cache=$(rr_cache_dir)
mkdir -p "$cache"
t0=$SECONDS
builds=()
for v in "${variants[@]}"; do
	key=$(rr_variant_key "$base" "$v")
	echo "$cache/$v-$key" >"$scratch/$v.layer"
	[ -f "$cache/$v-$key/done" ] && continue
	# One builder per variant at a time; only the current layer of a variant is kept.
	builds+=("exec 9>'$cache/.lock-$v'; flock 9; if [ ! -f '$cache/$v-$key/done' ]; then
		rm -rf '$cache/$v'-*; '$here/build-variant.sh' '$v' '$base' '$cache/$v-$key' >'$scratch/$v.build.log' 2>&1
		echo \$? >'$scratch/$v.build.rc'; fi")
done
[ ${#builds[@]} -gt 0 ] && run_parallel "${builds[@]}"
layers_s=$((SECONDS - t0))
ready=()
for v in "${variants[@]}"; do
	layer=$(cat "$scratch/$v.layer")
	if [ ! -f "$layer/done" ]; then
		nok "$v: the variant could not be built"
		grep -v -e '^\(Selecting\|Preparing\|Unpacking\|Setting up\|Get:\)' -e 'Reading database' "$scratch/$v.build.log" 2>/dev/null |
			tail -n 25 | sed 's/^/# /'
		continue
	fi
	ok "$v: variant ready$([ -f "$scratch/$v.build.rc" ] && echo " (built)" || echo " (cached)")"
	ready+=("$v")
done

# ---- 3. each variant: check, agreement, fix, agreement, second fix, rollback ----
t0=$SECONDS
tests=()
for v in "${ready[@]}"; do
	tests+=("'$here/variant-test.sh' '$v' '$base' '$(cat "$scratch/$v.layer")' '$scratch/$v' >'$scratch/$v.tap' 2>'$scratch/$v.err'")
done
[ ${#tests[@]} -gt 0 ] && run_parallel "${tests[@]}"
variants_s=$((SECONDS - t0))
for v in "${ready[@]}"; do
	cat "$scratch/$v.tap"
	grep -q '^not ok' "$scratch/$v.tap" && fail=1
	if ! grep -q '^ok - realroots: .*rollback restores' "$scratch/$v.tap" && ! grep -q '^not ok' "$scratch/$v.tap"; then
		nok "$v: the variant's test ended early"
		tail -n 10 "$scratch/$v.err" | sed 's/^/# /'
	fi
done

# ---- 4. datasource cases: cloud.cfg.d contents, cvmprep against cloud-init's own merge ----
t0=$SECONDS
if [ -f "$scratch/itools-ifupdown.layer" ] && [ -f "$(cat "$scratch/itools-ifupdown.layer")/done" ]; then
	"$here/datasource-cases.sh" "$base" "$(cat "$scratch/itools-ifupdown.layer")" "$scratch/dscases" || fail=1
else
	skip "datasource cases" "the itools-ifupdown variant is not selected or not built"
fi
cases_s=$((SECONDS - t0))

# ---- the table ----
echo "#"
echo "# variant                  verdict before  verdict after  fix s  total s"
for v in "${variants[@]}"; do
	read -r _ vb va fs ts <"$scratch/$v/summary" 2>/dev/null || { vb="?" va="?" fs="-" ts="-"; }
	printf '# %-24s %-15s %-14s %-6s %s\n' "$v" "$vb" "$va" "$fs" "$ts"
done
echo "#"
echo "# realroots: $((SECONDS - layer_start)) s in all (base root $base_s s, variant layers $layers_s s, variant tests $variants_s s with $jobs_max at once, datasource cases $cases_s s)"
exit $fail
