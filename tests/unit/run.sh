#!/usr/bin/env bash
# Unit tests (cmocka), in the normal and the sanitizer build; TAP lines out.
set -u
build="${BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}"
status=0
shopt -s nullglob
bins=("$build"/tests/test_* "$build"/asan/tests/test_*)
if [ ${#bins[@]} -eq 0 ]; then
	echo "not ok - unit: no test binaries under $build/tests (run make unit)"
	exit 1
fi
for bin in "${bins[@]}"; do
	[ -x "$bin" ] || continue
	case "$bin" in */asan/*) tag="unit-asan" ;; *) tag="unit" ;; esac
	name="$tag $(basename "$bin")"
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
	rc=$?
	# cmocka's TAP: "ok 1 - name" / "not ok 2 - name"; keep diagnostics as comments.
	printf '%s\n' "$out" | sed -nE "s/^(not ok|ok) [0-9]+ - (.*)$/\1 - $name: \2/p"
	printf '%s\n' "$out" | grep -vE '^(not ok|ok) [0-9]+ - |^1\.\.[0-9]+$' | sed 's/^/# /'
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		echo "not ok - $name exited with status $rc"
	fi
	[ $rc -eq 0 ] || status=1
done
exit $status
