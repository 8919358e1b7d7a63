#!/usr/bin/env bash
# Run every test layer; each prints TAP-style lines ("ok - name", "not ok - name", "# SKIP" ones).
# Ends with one line "N passed, N failed, N skipped" and exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export CVMPREP_TOP="$top"
export BUILD="${BUILD:-$top/build}"
export CVMPREP="$BUILD/cvmprep"
export CVMPREP_ASAN="$BUILD/asan/cvmprep"
export CVMPREP_EXE="$BUILD/win64/cvmprep.exe"
export LC_ALL=C TZ=UTC
# A layer that cannot run here (no root, no loop devices, a missing tool) fails: `make check`
# installs what the tests need first (tests/install-deps.sh). CI=false turns those failures
# into "# SKIP" lines, for a partial run on a machine that lacks something.
export CI="${CI:-true}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"
scratch=$(mktemp -d /tmp/cvmprep-tests.XXXXXX)
export CVMPREP_SCRATCH="$scratch"
export HOME="$scratch/home"
mkdir -p "$HOME"
trap 'rm -rf "$scratch"' EXIT

# Layers in order; a layer is an executable that prints TAP lines. Select with TESTS="unit roots".
layers=(${TESTS:-unit cli roots live blockdev fix url image initramfs realroots windows e2e packaging})
log="$scratch/all.tap"
: >"$log"
for layer in "${layers[@]}"; do
	script="$top/tests/$layer/run.sh"
	if [ ! -x "$script" ]; then
		echo "not ok - layer $layer: $script missing" | tee -a "$log"
		continue
	fi
	echo "# ---- $layer ----"
	"$script" 2>&1 | tee "$scratch/layer.tap"
	rc=${PIPESTATUS[0]}
	cat "$scratch/layer.tap" >>"$log"
	# A layer that dies without saying what failed must not pass silently.
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$scratch/layer.tap"; then
		echo "not ok - layer $layer exited with status $rc" | tee -a "$log"
	fi
done
passed=$(grep -E '^ok ' "$log" | grep -vc '# SKIP')
skipped=$(grep -E '^ok .*# SKIP' "$log" | wc -l)
failed=$(grep -c '^not ok' "$log")
echo
if [ "$failed" -gt 0 ]; then
	echo "failures:"
	grep '^not ok' "$log" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
