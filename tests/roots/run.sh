#!/usr/bin/env bash
# The fixture-root layer: `cvmprep check --root` against hand-made system trees, compared with
# golden files beside each case (after kmod's testsuite/rootfs-pristine). TAP lines out.
#
# A case is a directory tests/roots/CASE/ with
#   root/         the tree (only the files the checks read), copied fresh for every run
#   modes         optional: lines "MODE PATH" (octal, PATH relative to root/) set after the copy:
#                 git keeps only the executable bit, so a 0600 file must be named here
#   setup.sh      optional: ROOT OUTSIDE; makes what git cannot hold (device nodes, FIFOs, sparse
#                 files, symlinks to the absolute scratch path of OUTSIDE). Exit 77: cannot run here.
#   teardown.sh   optional: ROOT OUTSIDE; undoes what would stop the scratch copy being removed
#   expect.json   the identified system and each finding's (id, subject, status, severity,
#                 error_code), as tests/roots/findings.py prints them
#   expect.exit   the exit status
#   timeout       optional: seconds a run may take (default 30)
#
# A case with after/ (or fix.changes) is also fixed, with each binary on a fresh copy:
#   fix.args      optional: more arguments for fix (e.g. --generalize)
#   fix.exit      the exit status of `cvmprep fix --yes --root COPY --config /dev/null`
#   fix.expect.json  the fix report's findings and messages (what the plan could not do, and why)
#   fix.changes   every path fix added (A), modified (M), moved away (D) or whose inode flags it
#                 changed (F), outside /var/lib/cvmprep, as tests/roots/fixdiff.py prints them:
#                 nothing else may change
#   after/        the expected content of every file fix added or modified, byte for byte
# then a second fix must say "nothing to change" and change nothing, and `rollback` must give
# back the original tree exactly (content, modes, owners, timestamps, inode flags; treehash.py).
#
# Every case runs with the normal and the sanitizer binary and must give exactly the expected
# exit status and findings, a report that validates against the schema, no sanitizer report,
# the same exit status in text format, no byte of the canary that OUTSIDE holds in any output,
# and an untouched tree (check changes nothing).
#
#   tests/roots/run.sh [CASE...]          run the cases (all by default)
#   tests/roots/run.sh --regen CASE...    rewrite expect.json and expect.exit (and for a case with
#                                         after/: fix.exit, fix.expect.json, fix.changes, after/)
#                                         from what the tool now does; review the diff before
#                                         committing it
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${CVMPREP_TOP:-$(cd "$here/../.." && pwd)}
bin=${CVMPREP:-$top/build/cvmprep}
asan=${CVMPREP_ASAN:-$top/build/asan/cvmprep}
export LC_ALL=C TZ=UTC
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
validate="$top/tests/lib/validate-report.py"
findings="$here/findings.py"
treehash="$top/tests/lib/treehash.py"
fixdiff="$here/fixdiff.py"

regen=false
if [ "${1:-}" = "--regen" ]; then
	regen=true
	shift
	if [ $# -eq 0 ]; then
		echo "usage: $0 --regen CASE... (expected files are rewritten only for the cases named)" >&2
		exit 64
	fi
fi

own_scratch=
if [ -n "${CVMPREP_SCRATCH:-}" ]; then
	scratch="$CVMPREP_SCRATCH/roots"
else
	own_scratch=$(mktemp -d /tmp/cvmprep-roots.XXXXXX)
	scratch="$own_scratch"
fi
mkdir -p "$scratch"
cleanup() { [ -n "$own_scratch" ] && rm -rf "$own_scratch"; }
trap cleanup EXIT

failed=0
say() { printf '%s\n' "$*"; }
comment() { sed 's/^/# /'; }

# Which cases: the named ones, or every directory here.
cases=()
if [ $# -gt 0 ]; then
	for c in "$@"; do
		c=${c%/}
		c=${c##*/}
		if [ ! -d "$here/$c" ]; then
			say "not ok - roots/$c: no such case in $here"
			failed=1
			continue
		fi
		cases+=("$c")
	done
else
	for d in "$here"/*/; do
		d=$(basename "$d")
		case $d in _* | .*) continue ;; esac
		cases+=("$d")
	done
fi

for b in "$bin" "$asan"; do
	if [ ! -x "$b" ]; then
		say "not ok - roots: $b is missing (make all asan)"
		exit 1
	fi
done
for tool in timeout python3 cp find diff; do
	if ! command -v "$tool" >/dev/null; then
		say "not ok - roots: $tool is not installed"
		exit 1
	fi
done

# The state of a tree: type, mode, size, mtime, inode and link target of every entry. Reading the
# content of a 2 GB sparse file is not needed to see whether anything wrote to it.
snapshot() {
	find "$1" -printf '%P %y %m %s %T@ %i %l\n' 2>&1 | sort
}

sanitizer_said() {
	grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$1"
}

# run_one TAG BINARY WORK TIMEOUT FORMAT... -> $WORK/TAG.out, $WORK/TAG.err; sets rc
run_one() {
	local tag=$1 b=$2 work=$3 t=$4
	shift 4
	timeout -k 2 "$t" "$b" check --root "$work/root" --config /dev/null "$@" \
		>"$work/$tag.out" 2>"$work/$tag.err"
	rc=$?
}

# Prepare $scratch/CASE: a fresh copy of root/, an outside directory with a canary, setup.sh.
# Returns 0, or 77 (cannot run here: reason in $work/setup.log), or 1.
prepare() {
	local c=$1 work=$2
	rm -rf "$work"
	mkdir -p "$work/outside"
	# A token that appears nowhere else: if any output contains it, something read outside the root.
	printf 'CANARY-%s-%s\n' "$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')" "$c" >"$work/outside/canary"
	if [ -d "$here/$c/root" ]; then
		cp -a "$here/$c/root" "$work/root" || return 1
	else
		mkdir "$work/root"
	fi
	if [ -f "$here/$c/modes" ]; then
		local m p
		while read -r m p; do
			case $m in '#'*|'') continue ;; esac
			chmod "$m" "$work/root/$p" || return 1
		done <"$here/$c/modes"
	fi
	if [ -e "$here/$c/setup.sh" ]; then
		"$here/$c/setup.sh" "$work/root" "$work/outside" >"$work/setup.log" 2>&1
		local s=$?
		[ $s -eq 0 ] || return $s
	fi
	return 0
}

teardown() {
	local c=$1 work=$2
	if [ -e "$here/$c/teardown.sh" ]; then
		"$here/$c/teardown.sh" "$work/root" "$work/outside" >/dev/null 2>&1
	fi
}

run_case() {
	local c=$1
	local dir="$here/$c" work="$scratch/$c"
	local t=30
	[ -f "$dir/timeout" ] && t=$(cat "$dir/timeout")
	if [ ! -f "$dir/expect.json" ] || [ ! -f "$dir/expect.exit" ]; then
		say "not ok - roots/$c: expect.json or expect.exit is missing (write them, or: $0 --regen $c)"
		failed=1
		return
	fi
	local want_rc
	want_rc=$(tr -d ' \n' <"$dir/expect.exit")

	prepare "$c" "$work"
	local p=$?
	if [ $p -ne 0 ]; then
		if [ $p -eq 77 ] && [ "${CI:-}" != true ]; then
			say "ok - roots/$c # SKIP $(tail -n1 "$work/setup.log" 2>/dev/null)"
		else
			say "not ok - roots/$c: setup failed (status $p)"
			comment <"$work/setup.log" 2>/dev/null
			failed=1
		fi
		teardown "$c" "$work"
		return
	fi
	local canary
	canary=$(cat "$work/outside/canary")
	local before
	before=$(snapshot "$work/root"; snapshot "$work/outside")

	local tag b json_rc=
	for tag in cvmprep asan; do
		b=$bin
		[ $tag = asan ] && b=$asan
		local problems=()
		local start=$SECONDS
		run_one "$tag" "$b" "$work" "$t" --format json
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			problems+=("did not finish within ${t}s (exit $rc)")
		elif [ $rc -eq 99 ] || sanitizer_said "$work/$tag.err"; then
			problems+=("sanitizer report (exit $rc)")
		fi
		if [ "$rc" != "$want_rc" ]; then
			problems+=("exit status $rc, expected $want_rc")
		fi
		[ $tag = cvmprep ] && json_rc=$rc
		if ! python3 "$validate" "$work/$tag.out" >"$work/$tag.validate" 2>&1; then
			problems+=("the report does not validate: $(head -c 300 "$work/$tag.validate")")
		fi
		if python3 "$findings" "$work/$tag.out" "$work/root" "$work/outside" >"$work/$tag.findings" 2>"$work/$tag.ferr"; then
			if ! diff -u "$dir/expect.json" "$work/$tag.findings" >"$work/$tag.diff"; then
				problems+=("findings differ from expect.json (- expected, + got):")
			fi
		else
			problems+=("$(cat "$work/$tag.ferr")")
			: >"$work/$tag.diff"
		fi
		if grep -qF "$canary" "$work/$tag.out" "$work/$tag.err"; then
			problems+=("the output contains the canary of the outside directory: a file outside the root was read")
		fi
		if [ ${#problems[@]} -eq 0 ]; then
			say "ok - roots/$c: $tag check --format json (exit $rc, $((SECONDS - start))s)"
		else
			say "not ok - roots/$c: $tag check --format json"
			printf '%s\n' "${problems[@]}" | comment
			[ -s "$work/$tag.diff" ] && tail -n +3 "$work/$tag.diff" | comment
			[ -s "$work/$tag.err" ] && head -n 40 "$work/$tag.err" | comment
			failed=1
		fi
	done

	# The text report once, with evidence, from the sanitizer build: same verdict, no crash.
	local problems=()
	run_one text "$asan" "$work" "$t" --format text --verbose --color never
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		problems+=("did not finish within ${t}s")
	elif [ $rc -eq 99 ] || sanitizer_said "$work/text.err"; then
		problems+=("sanitizer report (exit $rc)")
	fi
	[ "$rc" = "$json_rc" ] || problems+=("exit status $rc, but $json_rc with --format json")
	grep -q '^Verdict: ' "$work/text.out" || problems+=("no verdict line in the text report")
	if grep -qF "$canary" "$work/text.out" "$work/text.err"; then
		problems+=("the output contains the canary of the outside directory")
	fi
	if [ ${#problems[@]} -eq 0 ]; then
		say "ok - roots/$c: asan check --format text --verbose (exit $rc)"
	else
		say "not ok - roots/$c: asan check --format text --verbose"
		printf '%s\n' "${problems[@]}" | comment
		head -n 40 "$work/text.err" | comment
		failed=1
	fi

	local after
	after=$(snapshot "$work/root"; snapshot "$work/outside")
	if [ "$before" = "$after" ]; then
		say "ok - roots/$c: check left the tree and the outside directory untouched"
	else
		say "not ok - roots/$c: check changed the tree or the outside directory"
		diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -n 20 | comment
		failed=1
	fi
	teardown "$c" "$work"
	rm -rf "$work"
	has_fix "$c" && run_fix_case "$c" "$t"
}

has_fix() { [ -d "$here/$1/after" ] || [ -f "$here/$1/fix.changes" ]; }

# The state fix is compared against: the listing of every entry (without timestamps, for the
# changes), the digest with timestamps (for rollback), and the inode flags.
fix_snapshot() { # ROOT PREFIX
	python3 "$treehash" "$1" --exclude var/lib/cvmprep --list --no-mtime >"$2.list"
	python3 "$treehash" "$1" --exclude var/lib/cvmprep >"$2.hash"
	python3 "$fixdiff" flags "$1" >"$2.flags"
}

# fix_one TAG BINARY WORK T: fix, a second fix, rollback on WORK/root; results in WORK/TAG.*,
# problems in the array problems.
fix_one() {
	local tag=$1 b=$2 work=$3 t=$4 c=$5
	local dir="$here/$c" root="$work/root"
	local args=()
	[ -f "$dir/fix.args" ] && read -r -a args <"$dir/fix.args"
	fix_snapshot "$root" "$work/before"
	timeout -k 2 "$t" "$b" fix --yes --root "$root" --config /dev/null --format json "${args[@]}" \
		>"$work/$tag.fix.out" 2>"$work/$tag.fix.err"
	fix_rc=$?
	fix_snapshot "$root" "$work/fixed"
	python3 "$fixdiff" changes "$work/before.list" "$work/fixed.list" "$work/before.flags" "$work/fixed.flags" \
		>"$work/$tag.changes"
	python3 "$findings" "$work/$tag.fix.out" "$root" "$work/outside" --messages >"$work/$tag.fix.findings" \
		2>"$work/$tag.fix.ferr"
	find_rc=$?
	# The fixed tree against after/ now, before the second fix and rollback (for --regen: the
	# golden files of what this fix wrote).
	if $regen; then
		python3 "$fixdiff" regen-after "$work/after.regen" "$root" "$work/$tag.changes"
	else
		python3 "$fixdiff" after "$dir/after" "$root" "$work/$tag.changes" >"$work/$tag.after" 2>&1
	fi
	after_rc=$?
	tmp_left=$(find "$root" -name '*.cvmprep-tmp-*' | head -n 5)
	runs_after=$(ls "$root/var/lib/cvmprep/runs" 2>/dev/null | wc -l)
	# A second fix: nothing to change, nothing changed, no new run.
	timeout -k 2 "$t" "$b" fix --yes --root "$root" --config /dev/null --format text --color never "${args[@]}" \
		>"$work/$tag.fix2.out" 2>"$work/$tag.fix2.err"
	fix2_rc=$?
	fix_snapshot "$root" "$work/fixed2"
	runs_after2=$(ls "$root/var/lib/cvmprep/runs" 2>/dev/null | wc -l)
	# rollback: the tree as it was before fix.
	timeout -k 2 "$t" "$b" rollback --root "$root" --config /dev/null --format json \
		>"$work/$tag.rollback.out" 2>"$work/$tag.rollback.err"
	rb_rc=$?
	fix_snapshot "$root" "$work/rolledback"
}

run_fix_case() {
	local c=$1 t=$2
	local dir="$here/$c"
	local want_rc tag b
	if [ "$(id -u)" -ne 0 ]; then
		if [ "${CI:-}" = true ]; then
			say "not ok - roots/$c: fix: fix needs root"
			failed=1
		else
			say "ok - roots/$c: fix # SKIP fix needs root"
		fi
		return
	fi
	want_rc=$(tr -d ' \n' <"$dir/fix.exit" 2>/dev/null)
	for tag in cvmprep asan; do
		b=$bin
		[ $tag = asan ] && b=$asan
		local work="$scratch/$c.fix-$tag"
		local problems=()
		prepare "$c" "$work"
		local p=$?
		if [ $p -ne 0 ]; then
			say "not ok - roots/$c: $tag fix: setup failed (status $p)"
			comment <"$work/setup.log" 2>/dev/null
			failed=1
			teardown "$c" "$work"
			continue
		fi
		local canary
		canary=$(cat "$work/outside/canary")
		fix_one "$tag" "$b" "$work" "$t" "$c"
		for f in fix.exit fix.expect.json fix.changes; do
			[ -f "$dir/$f" ] || problems+=("$f is missing (write it, or: $0 --regen $c)")
		done
		if [ $fix_rc -eq 124 ] || [ $fix_rc -eq 137 ]; then
			problems+=("fix did not finish within ${t}s")
		elif [ $fix_rc -eq 99 ] || sanitizer_said "$work/$tag.fix.err"; then
			problems+=("sanitizer report from fix (exit $fix_rc)")
		fi
		[ "$fix_rc" = "$want_rc" ] || problems+=("fix exit status $fix_rc, expected $want_rc")
		python3 "$validate" "$work/$tag.fix.out" >"$work/$tag.fix.validate" 2>&1 ||
			problems+=("the fix report does not validate: $(head -c 300 "$work/$tag.fix.validate")")
		if [ $find_rc -ne 0 ]; then
			problems+=("$(cat "$work/$tag.fix.ferr")")
		elif ! diff -u "$dir/fix.expect.json" "$work/$tag.fix.findings" >"$work/$tag.fix.diff"; then
			problems+=("the fix report differs from fix.expect.json (- expected, + got):")
			problems+=("$(tail -n +3 "$work/$tag.fix.diff")")
		fi
		if ! diff -u "$dir/fix.changes" "$work/$tag.changes" >"$work/$tag.changes.diff"; then
			problems+=("fix changed other paths than fix.changes names (- expected, + got):")
			problems+=("$(tail -n +3 "$work/$tag.changes.diff")")
		fi
		if [ $after_rc -ne 0 ]; then
			problems+=("the tree after fix differs from after/:")
			problems+=("$(head -n 40 "$work/$tag.after")")
		fi
		[ -z "$tmp_left" ] || problems+=("temporary files left by fix: $tmp_left")
		grep -qF "$canary" "$work/$tag.fix.out" "$work/$tag.fix.err" "$work/$tag.fix2.out" "$work/$tag.fix2.err" \
			"$work/$tag.rollback.out" "$work/$tag.rollback.err" &&
			problems+=("the output contains the canary of the outside directory")
		if [ ${#problems[@]} -eq 0 ]; then
			say "ok - roots/$c: $tag fix gives the tree in after/ and fix.changes (exit $fix_rc)"
		else
			say "not ok - roots/$c: $tag fix"
			printf '%s\n' "${problems[@]}" | comment
			head -n 20 "$work/$tag.fix.err" | comment
			failed=1
		fi
		problems=()
		sanitizer_said "$work/$tag.fix2.err" && problems+=("sanitizer report from the second fix")
		grep -q "nothing to change" "$work/$tag.fix2.out" ||
			problems+=("the second fix did not say \"nothing to change\": $(head -c 300 "$work/$tag.fix2.out")")
		cmp -s "$work/fixed.hash" "$work/fixed2.hash" || problems+=("the second fix changed the tree")
		[ "$runs_after" = "$runs_after2" ] || problems+=("the second fix started a journal run")
		[ "$fix2_rc" = "$want_rc" ] || problems+=("second fix exit status $fix2_rc, expected $want_rc")
		if [ ${#problems[@]} -eq 0 ]; then
			say "ok - roots/$c: $tag a second fix changes nothing and says so"
		else
			say "not ok - roots/$c: $tag second fix"
			printf '%s\n' "${problems[@]}" | comment
			failed=1
		fi
		problems=()
		if [ $rb_rc -eq 99 ] || sanitizer_said "$work/$tag.rollback.err"; then
			problems+=("sanitizer report from rollback (exit $rb_rc)")
		fi
		[ "$rb_rc" = 0 ] || problems+=("rollback exit status $rb_rc: $(head -c 300 "$work/$tag.rollback.err")")
		if ! cmp -s "$work/before.hash" "$work/rolledback.hash" || ! cmp -s "$work/before.flags" "$work/rolledback.flags"; then
			python3 "$treehash" "$work/root" --exclude var/lib/cvmprep --list >"$work/rolledback.mlist"
			problems+=("rollback did not restore the tree exactly; what differs from the original:")
			problems+=("$(python3 "$fixdiff" changes "$work/before.list" "$work/rolledback.list" "$work/before.flags" \
				"$work/rolledback.flags" | head -n 20)")
			problems+=("(paths that differ only in their timestamps are not listed above)")
		fi
		if [ ${#problems[@]} -eq 0 ]; then
			say "ok - roots/$c: $tag rollback restores the original tree exactly"
		else
			say "not ok - roots/$c: $tag rollback"
			printf '%s\n' "${problems[@]}" | comment
			failed=1
		fi
		teardown "$c" "$work"
		rm -rf "$work"
	done
}

regen_fix_case() {
	local c=$1 t=$2
	local dir="$here/$c" work="$scratch/$c.fix-regen"
	prepare "$c" "$work"
	local p=$?
	if [ $p -ne 0 ]; then
		echo "$c: setup failed (status $p); fix goldens not written" >&2
		teardown "$c" "$work"
		failed=1
		return
	fi
	fix_one cvmprep "$bin" "$work" "$t" "$c"
	if [ $find_rc -ne 0 ]; then
		echo "$c: fix gave no usable report (exit $fix_rc); fix goldens not written" >&2
		head -n 20 "$work/cvmprep.fix.err" >&2
		teardown "$c" "$work"
		failed=1
		return
	fi
	case $fix_rc in
	0 | 1 | 2 | 3) ;;
	*)
		echo "$c: fix exit status $fix_rc is not a verdict; fix goldens not written" >&2
		head -n 20 "$work/cvmprep.fix.err" >&2
		teardown "$c" "$work"
		failed=1
		return
		;;
	esac
	[ -f "$dir/fix.expect.json" ] && diff -u "$dir/fix.expect.json" "$work/cvmprep.fix.findings"
	[ -f "$dir/fix.changes" ] && diff -u "$dir/fix.changes" "$work/cvmprep.changes"
	cp "$work/cvmprep.fix.findings" "$dir/fix.expect.json"
	cp "$work/cvmprep.changes" "$dir/fix.changes"
	echo "$fix_rc" >"$dir/fix.exit"
	rm -rf "$dir/after"
	cp -a "$work/after.regen" "$dir/after"
	grep -q . "$work/cvmprep.fix2.out" && ! grep -q "nothing to change" "$work/cvmprep.fix2.out" &&
		echo "$c: warning: the second fix did not say \"nothing to change\"" >&2
	echo "$c: wrote fix.exit ($fix_rc), fix.expect.json, fix.changes and after/; review with git diff and git status" >&2
	teardown "$c" "$work"
	rm -rf "$work"
}

regen_case() {
	local c=$1
	local dir="$here/$c" work="$scratch/$c"
	local t=30
	[ -f "$dir/timeout" ] && t=$(cat "$dir/timeout")
	prepare "$c" "$work"
	local p=$?
	if [ $p -ne 0 ]; then
		echo "$c: setup failed (status $p); nothing written" >&2
		cat "$work/setup.log" >&2 2>/dev/null
		teardown "$c" "$work"
		failed=1
		return
	fi
	local tag b rcs=()
	for tag in cvmprep asan; do
		b=$bin
		[ $tag = asan ] && b=$asan
		run_one "$tag" "$b" "$work" "$t" --format json
		rcs+=("$rc")
		python3 "$findings" "$work/$tag.out" "$work/root" "$work/outside" >"$work/$tag.findings" || {
			echo "$c: $tag gave no usable report (exit $rc); nothing written" >&2
			head -n 20 "$work/$tag.err" >&2
			teardown "$c" "$work"
			failed=1
			return
		}
	done
	teardown "$c" "$work"
	if [ "${rcs[0]}" != "${rcs[1]}" ] || ! cmp -s "$work/cvmprep.findings" "$work/asan.findings"; then
		echo "$c: the normal and the sanitizer build disagree (exit ${rcs[0]} vs ${rcs[1]}); nothing written" >&2
		diff -u "$work/cvmprep.findings" "$work/asan.findings" >&2
		failed=1
		return
	fi
	case ${rcs[0]} in
	0 | 1 | 2) ;;
	*)
		echo "$c: exit status ${rcs[0]} is not a verdict; nothing written" >&2
		head -n 20 "$work/cvmprep.err" >&2
		failed=1
		return
		;;
	esac
	[ -f "$dir/expect.json" ] && diff -u "$dir/expect.json" "$work/cvmprep.findings"
	cp "$work/cvmprep.findings" "$dir/expect.json"
	echo "${rcs[0]}" >"$dir/expect.exit"
	echo "$c: wrote expect.json and expect.exit (exit ${rcs[0]}); review with git diff" >&2
	rm -rf "$work"
	has_fix "$c" && regen_fix_case "$c" "$t"
}

for c in "${cases[@]}"; do
	if $regen; then
		regen_case "$c"
	else
		run_case "$c"
	fi
done
exit $failed
