#!/usr/bin/env bash
# The bash completion against the program it completes: completion.sh COMPLETION CVMPREP; TAP
# lines out. Commands, each command's options, option values and check IDs must be exactly what
# the program offers, and every option offered must be one the program accepts.
set -u
comp=$1 prog=$2
status=0
ok() { echo "ok - packaging: completion: $*"; }
notok() {
	echo "not ok - packaging: completion: $*"
	status=1
}
# shellcheck source=/dev/null
. "$comp"
# complete WORDS...: what TAB offers after WORDS (the last one is the word being completed), sorted.
complete_words() {
	COMP_WORDS=("$prog" "$@")
	COMP_CWORD=$#
	COMP_LINE="$prog $*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_cvmprep "$prog" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort
}
same() {
	local name=$1 got=$2 want=$3
	if [ "$got" = "$want" ] && [ -n "$want" ]; then
		ok "$name ($(echo "$got" | wc -l) words)"
	else
		notok "$name"
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /' | head -n 10
	fi
}

commands=$("$prog" --help | awk '/^commands:/ { f = 1; next } f && NF == 0 { exit } f { print $1 }' | LC_ALL=C sort)
same "cvmprep TAB: the commands of cvmprep --help" "$(complete_words "")" "$commands"
same "cvmprep -TAB: --help --version" "$(complete_words -)" "$(printf '%s\n' --help --version)"
ids=$("$prog" explain --list | awk 'NF { print $1 }' | LC_ALL=C sort)
same "explain TAB: the IDs of explain --list" "$(complete_words explain "")" "$ids"

for c in $commands; do
	# The options of the command's --help: its usage lines and its option lines.
	want=$("$prog" "$c" --help | awk '
		/^usage:/ { u = 1 }
		u && NF == 0 { u = 0 }
		{ s = $0 }
		u || /^[ \t]+-/ { while (match(s, /--[a-z][a-z0-9-]*/)) { print substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH) } }' |
		LC_ALL=C sort -u)
	got=$(complete_words "$c" --)
	same "$c --TAB: the options of '$c --help'" "$got" "$want"
	# Each one is accepted: getopt takes it (with a value where it needs one), then --help exits 0.
	bad=""
	for o in $got; do
		case $o in
		--root) v=(/nonexistent) ;; --only | --skip) v=(os.release) ;; --format) v=(json) ;;
		--color) v=(never) ;; --output | --config) v=(/dev/null) ;; --run) v=(none) ;;
		--region) v=(ap-guangzhou) ;; --timeout) v=(5) ;; *) v=() ;;
		esac
		[ "$o" = --list ] && [ "$c" = explain ] && { "$prog" explain --list >/dev/null 2>&1 || bad="$bad $o"; continue; }
		"$prog" "$c" "$o" "${v[@]}" --help >/dev/null 2>&1 || bad="$bad $o"
	done
	if [ -z "$bad" ]; then ok "$c: every option completed is accepted by cvmprep $c"; else notok "$c: not accepted:$bad"; fi
done

same "check --only net.TAB: the net. checks and the prefix" "$(complete_words check --only net.)" \
	"$( (echo net.; echo "$ids" | grep '^net\.') | LC_ALL=C sort)"
first=$(echo "$ids" | head -n 1)
same "check --skip ID,bTAB completes the list's last element" "$(complete_words check --skip "$first,b")" \
	"$( (echo "$ids" | grep '^b'; echo "$ids" | grep '^b' | sed 's/\.[^.]*$/./' | sort -u) | sed "s/^/$first,/" | LC_ALL=C sort)"
same "check --format TAB: text json" "$(complete_words check --format "")" "$(printf '%s\n' json text)"
same "check --format=jTAB: json" "$(complete_words check --format = j)" json
same "fix --color TAB: auto always never" "$(complete_words fix --color "")" "$(printf '%s\n' always auto never)"
d=$(mktemp -d "${TMPDIR:-/tmp}/comp.XXXXXX")
mkdir "$d/dir1" && touch "$d/file1"
same "check --root TAB: directories only" "$(complete_words check --root "$d/")" "$d/dir1"
same "image TAB: files" "$(complete_words image "$d/f")" "$d/file1"
rm -rf "$d"
exit $status
