#!/usr/bin/env bash
# The command line as a user meets it: help and version, usage errors and their exit codes,
# explain for every check, --only/--skip by ID and prefix, --output written atomically, the
# configuration file's warnings and errors (file and line), colour only on request or a terminal.
# Runs the normal and the sanitizer binary. TAP lines out.
set -u
top="${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
scratch=$(mktemp -d "${CVMPREP_SCRATCH:-/tmp}/cli.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail=0
ok() { echo "ok - cli: $1"; }
nok() { echo "not ok - cli: $1"; fail=1; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

# A small tree that gives a known verdict: /dev/sdb1 without nofail is a blocker.
tree="$scratch/tree"
mkdir -p "$tree/etc" "$tree/bin"
printf 'ID=debian\nVERSION_ID=12\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$tree/etc/os-release"
printf 'UUID=0a3407de-014b-458b-b5c1-848e92a327a3 / ext4 defaults 0 1\n/dev/sdb1 /data ext4 defaults 0 2\n' >"$tree/etc/fstab"
cp /bin/sh "$tree/bin/sh"

for bin in "${CVMPREP:-$top/build/cvmprep}" "${CVMPREP_ASAN:-$top/build/asan/cvmprep}"; do
	t=""; case "$bin" in */asan/*) t=" (asan)" ;; esac
	run() { "$bin" "$@" 2>"$scratch/err"; }
	version=$(cat "$top/VERSION")

	out=$(run --version); rc=$?
	check "--version prints the VERSION file$t" '[ $rc -eq 0 ] && [ "$out" = "cvmprep $version" ]'
	run --help >"$scratch/help"; rc=$?
	check "--help lists every command and exits 0$t" \
		'[ $rc -eq 0 ] && for c in check fix rollback explain url-check image; do grep -q "^  $c " "$scratch/help" || exit 1; done'
	run >/dev/null; rc=$?
	check "no command is a usage error (64)$t" '[ $rc -eq 64 ]'
	run frobnicate >/dev/null; rc=$?
	check "an unknown command exits 64 and says so$t" '[ $rc -eq 64 ] && grep -q "unknown command .frobnicate." "$scratch/err"'
	for c in check fix rollback explain; do
		run "$c" --help >"$scratch/h"; rc=$?
		check "$c --help answers$t" '[ $rc -eq 0 ] && grep -q "^usage: cvmprep $c" "$scratch/h"'
	done
	run check --bogus >/dev/null; rc=$?
	check "an unknown option exits 64$t" '[ $rc -eq 64 ]'
	run check --format yaml >/dev/null; rc=$?
	check "a bad --format value exits 64 naming it$t" '[ $rc -eq 64 ] && grep -q yaml "$scratch/err"'
	run check --root "$scratch/nonexistent" >/dev/null; rc=$?
	check "a missing --root exits 64 naming it$t" '[ $rc -eq 64 ] && grep -q nonexistent "$scratch/err"'
	run check --root "$tree" --only no.such >/dev/null; rc=$?
	check "--only with an unknown ID exits 64$t" '[ $rc -eq 64 ] && grep -q "no.such" "$scratch/err"'

	# explain: every check of the list explains itself with the three parts.
	run explain --list >"$scratch/list"
	n=$(wc -l <"$scratch/list")
	bad=0
	while read -r id _; do
		run explain "$id" >"$scratch/e" || bad=1
		grep -q "^Looks at:" "$scratch/e" && grep -q "^Why:" "$scratch/e" && grep -q "^By hand:" "$scratch/e" || bad=1
	done <"$scratch/list"
	check "explain --list has $n checks and each explains what it looks at, why, and how by hand$t" '[ $n -ge 20 ] && [ $bad -eq 0 ]'
	run explain no.such >/dev/null; rc=$?
	check "explain of an unknown ID exits 64$t" '[ $rc -eq 64 ]'

	# --only / --skip by ID and prefix.
	run check --root "$tree" --config /dev/null --format json --only fstab. >"$scratch/o.json"; rc=$?
	ids=$(python3 -c 'import json,sys; print(" ".join(sorted({f["id"] for f in json.load(open(sys.argv[1]))["findings"]})))' "$scratch/o.json")
	check "--only fstab. runs exactly the fstab checks, and the blocker gives 2$t" \
		'[ "$ids" = "fstab.device-names fstab.other-disks" ] && [ $rc -eq 2 ]'
	run check --root "$tree" --config /dev/null --format json --only fstab --skip fstab.other-disks >"$scratch/o.json"; rc=$?
	ids=$(python3 -c 'import json,sys; print(" ".join(sorted({f["id"] for f in json.load(open(sys.argv[1]))["findings"]})))' "$scratch/o.json")
	check "--skip removes a check the --only prefix selected$t" \
		'[ "$ids" = "fstab.device-names" ] && [ $rc -eq 2 ]'

	# --output: the report goes to the file (atomically: no temporary file left), nothing to stdout.
	run check --root "$tree" --config /dev/null --format json --output "$scratch/report.json" >"$scratch/stdout"; rc=$?
	check "--output writes a valid report and nothing to stdout$t" \
		'[ $rc -eq 2 ] && [ ! -s "$scratch/stdout" ] && python3 "$top/tests/lib/validate-report.py" "$scratch/report.json" &&
		 [ -z "$(ls -a "$scratch" | grep "^\.report.json")" ]'
	run check --root "$tree" --config /dev/null --output "$scratch/nodir/r.json" >/dev/null; rc=$?
	check "--output into a missing directory fails with a message$t" '[ $rc -ne 0 ] && [ $rc -ne 2 ] && grep -q "could not write" "$scratch/err"'

	# The configuration file: unknown keys warn with file and line, malformed ones stop with 64.
	printf '[target]\nregion = ap-guangzhou ; inline comment\n[checks]\nskip = fstab.other-disks\nbogus = 1\n' >"$scratch/warn.conf"
	run check --root "$tree" --config "$scratch/warn.conf" --format json >"$scratch/c.json"; rc=$?
	check "config: unknown key warns with file:line, skip list applies$t" \
		'grep -q "warn.conf:5: unknown key .bogus." "$scratch/err" && ! grep -q other-disks "$scratch/c.json" && [ $rc -eq 2 ]'
	printf '[fix]\ngeneralize = maybe\n' >"$scratch/bool.conf"
	run check --root "$tree" --config "$scratch/bool.conf" >/dev/null; rc=$?
	check "config: a bad boolean exits 64 with file:line$t" '[ $rc -eq 64 ] && grep -q "bool.conf:2:" "$scratch/err"'
	printf '[checks]\nskip = fstab.\nthis is junk\n' >"$scratch/junk.conf"
	run check --root "$tree" --config "$scratch/junk.conf" >/dev/null; rc=$?
	check "config: a malformed line exits 64 with file:line$t" '[ $rc -eq 64 ] && grep -q "junk.conf:3:" "$scratch/err"'
	run check --root "$tree" --config "$scratch/missing.conf" >/dev/null; rc=$?
	check "config: a named file that is missing exits 64$t" '[ $rc -eq 64 ]'
	printf '[checks]\nskip = fstab.\n' >"$scratch/skip.conf"
	run check --root "$tree" --config "$scratch/skip.conf" --only fstab.device-names --format json >"$scratch/c.json"; rc=$?
	check "config: an explicit --only wins over the config file's skip$t" 'grep -q fstab.device-names "$scratch/c.json"'

	# Colour: never in a pipe or in JSON unless asked; always when asked.
	run check --root "$tree" --config /dev/null >"$scratch/plain.txt"
	run check --root "$tree" --config /dev/null --color always >"$scratch/color.txt"
	check "colour only on request when not on a terminal$t" \
		'! grep -q $'"'"'\033\['"'"' "$scratch/plain.txt" && grep -q $'"'"'\033\['"'"' "$scratch/color.txt"'
	check "the text report ends with the verdict line$t" 'tail -n 1 "$scratch/plain.txt" | grep -q "^Verdict: NOT READY"'
	run check --root "$tree" --config /dev/null --quiet >"$scratch/quiet.txt"
	check "--quiet prints only what is wrong and the verdict$t" \
		'! grep -q "^Passed" "$scratch/quiet.txt" && grep -q "^Blockers" "$scratch/quiet.txt"'

	# fix and rollback refuse without root privileges (77), and fix --dry-run works without them.
	if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
		# A place an unprivileged user can reach (the scratch directory is private).
		pub=$(mktemp -d /tmp/cvmprep-cli-pub.XXXXXX)
		cp -a "$tree" "$pub/tree" && chmod -R a+rX "$pub"
		setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" fix --root "$pub/tree" --config /dev/null --yes >/dev/null 2>&1; rc=$?
		check "fix without root privileges exits 77$t" '[ $rc -eq 77 ]'
		setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" fix --root "$pub/tree" --config /dev/null --dry-run >/dev/null 2>&1; rc=$?
		check "fix --dry-run needs no root privileges$t" '[ $rc -eq 2 ]'
		rm -rf "$pub"
	fi
done
exit $fail
