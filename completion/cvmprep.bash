# bash completion for cvmprep(8): commands, options, option values and check IDs.
# shellcheck shell=bash
# Everything is read from the program being completed ('cvmprep --help', 'cvmprep COMMAND
# --help', 'cvmprep explain --list'), so that it always matches the installed version.

# The commands: the "commands:" block of 'cvmprep --help'.
_cvmprep_commands()
{
	"$1" --help 2>/dev/null | awk '/^commands:/ { f = 1; next } f && NF == 0 { exit } f { print $1 }'
}

# The long options of a command, from its --help: those of its usage lines and those that
# start its option lines ("  -q, --quiet   print only...").
_cvmprep_options()
{
	"$1" "$2" --help 2>/dev/null | awk '
		/^usage:/ { u = 1 }
		u && NF == 0 { u = 0 }
		u {
			s = $0
			while (match(s, /--[a-z][a-z0-9-]*/)) { print substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH) }
			next
		}
		/^[ \t]+-/ {
			for (i = 1; i <= NF && ($i ~ /^-/ || $i ~ /^[A-Z][A-Z_]*$/); i++)
				if ($i ~ /^--[a-z]/) { w = $i; sub(/,$/, "", w); print w }
		}' | sort -u
}

# The argument an option takes, as its --help line names it (DIR, FILE, IDS...), or nothing.
_cvmprep_optarg()
{
	"$1" "$2" --help 2>/dev/null | awk -v opt="$3" '
		/^[ \t]+-/ {
			for (i = 1; i < NF; i++) {
				w = $i
				sub(/,$/, "", w)
				if (w == opt && $(i + 1) ~ /^[A-Z][A-Z_]*$/) { print $(i + 1); exit }
			}
		}'
}

# Check IDs, and their prefixes ("net."), which --only and --skip take too.
_cvmprep_ids()
{
	"$1" explain --list 2>/dev/null | awk 'NF { print $1; p = $1; sub(/\.[^.]*$/, ".", p); if (p != $1) print p }' |
		sort -u
}

# Recorded fix runs, for rollback --run.
_cvmprep_runs()
{
	"$1" rollback --list "${@:2}" 2>/dev/null | awk '/ change.* started / { print $1 }'
}

_cvmprep()
{
	local prog=$1 cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd="" i arg
	COMPREPLY=()
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# "--opt=value": bash splits it at '=' into "--opt" "=" "value".
	if [ "$cur" = "=" ]; then
		cur=""
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	# The command is the first word that is not an option (no option before it takes a value).
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--help --version" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_cvmprep_commands "$prog")" -- "$cur")
		fi
		return 0
	fi

	# The value of an option that takes one.
	if [[ $prev == --* ]]; then
		arg=$(_cvmprep_optarg "$prog" "$cmd" "$prev")
		case $arg in
		"") ;;
		DIR)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return 0
			;;
		FILE)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
			;;
		IDS)
			# A comma-separated list: complete its last element.
			local head="" last=$cur
			if [[ $cur == *,* ]]; then
				head=${cur%,*},
				last=${cur##*,}
			fi
			mapfile -t COMPREPLY < <(compgen -P "$head" -W "$(_cvmprep_ids "$prog")" -- "$last")
			return 0
			;;
		FMT)
			mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur")
			return 0
			;;
		WHEN)
			mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
			return 0
			;;
		RUN_ID)
			local root=() j
			for ((j = 1; j < COMP_CWORD - 1; j++)); do
				[ "${COMP_WORDS[j]}" = --root ] && root=(--root "${COMP_WORDS[j + 1]}")
			done
			mapfile -t COMPREPLY < <(compgen -W "$(_cvmprep_runs "$prog" "${root[@]}")" -- "$cur")
			return 0
			;;
		*)
			# A value nothing can guess (REGION, SECONDS): offer nothing.
			return 0
			;;
		esac
	fi

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_cvmprep_options "$prog" "$cmd")" -- "$cur")
		return 0
	fi
	case $cmd in
	explain)
		mapfile -t COMPREPLY < <(compgen -W "$("$prog" explain --list 2>/dev/null | awk 'NF { print $1 }')" -- "$cur")
		;;
	image)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	esac
	return 0
}

complete -F _cvmprep cvmprep
