#!/bin/sh
# Render the manual page: mkman.sh TEMPLATE CVMPREP VERSION > cvmprep.8. The check table comes
# from the built binary ('CVMPREP explain --list'), so the page lists exactly the checks it has.
set -eu
template=$1 bin=$2 version=$3

# The page's date: the release's (SOURCE_DATE_EPOCH, as dpkg-buildpackage and rpmbuild set it),
# else the last commit of the template, else its modification time: never the build's clock,
# so that two builds of one source give the same page.
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
elif date=$(git -C "$(dirname "$template")" log -1 --format=%cs -- "$(basename "$template")" 2>/dev/null) &&
	[ -n "$date" ]; then
	:
else
	date=$(date -u -r "$template" +%Y-%m-%d)
fi

list=$("$bin" explain --list) || {
	echo "mkman.sh: '$bin explain --list' failed" >&2
	exit 1
}
# One tbl row per check: the ID (its hyphens as \- so that it can be copied from the page) and
# its title as a text block, escaped for roff.
table=$(printf '%s\n' "$list" | awk '
	NF == 0 { next }
	$1 !~ /^[a-z][a-z0-9.-]*[a-z0-9*]$/ { bad = bad " " $1; next }
	{
		id = $1
		title = $0
		sub(/^[^ \t]+[ \t]+/, "", title)
		gsub(/\\/, "\\e", title)
		gsub(/--/, "\\-\\-", title)
		if (title ~ /^[.\047]/) title = "\\&" title
		gsub(/-/, "\\-", id)
		printf "%s\tT{\n%s\nT}\n", id, title
		n++
	}
	END {
		if (bad != "") { print "mkman.sh: not check IDs in explain --list:" bad > "/dev/stderr"; exit 1 }
		if (n == 0) { print "mkman.sh: explain --list printed no check" > "/dev/stderr"; exit 1 }
	}')

printf '%s\n' "$table" >"${TMPDIR:-/tmp}/mkman.$$"
trap 'rm -f "${TMPDIR:-/tmp}/mkman.$$"' EXIT
awk -v version="$version" -v date="$date" -v tablefile="${TMPDIR:-/tmp}/mkman.$$" '
	/^@CHECKS@$/ {
		print ".nh"
		print ".TS"
		print "tab(\t);"
		print "lB lx."
		print "ID\tpasses when"
		print "_"
		while ((getline line < tablefile) > 0) print line
		print ".TE"
		print ".hy"
		next
	}
	{ gsub(/@VERSION@/, version); gsub(/@DATE@/, date); print }' "$template"
