# Shared helpers of the packaging layer (sourced): TAP lines, overlays over the base root, chroots.
# shellcheck shell=bash disable=SC2034
# Mounts are made only inside a private mount namespace (unshare -m), so that they vanish with
# it on every exit path; nothing is mounted on the host.

ok() { echo "ok - packaging: $*"; }
notok() {
	echo "not ok - packaging: $*"
	status=1
}
# check NAME CMD...: ok when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}
note() { sed 's/^/# /'; }

# overlay_root WORK BASE: a writable root at WORK/root, an overlay over the read-only BASE, with
# /proc, a private /dev/pts and the host's resolver (for apt); prints the root's path.
overlay_root() {
	local w=$1 base=$2
	mkdir -p "$w/upper" "$w/work" "$w/root"
	mount -t overlay overlay -o "lowerdir=$base,upperdir=$w/upper,workdir=$w/work" "$w/root" || return 1
	mount -t proc proc "$w/root/proc" || return 1
	mkdir -p "$w/root/dev/pts"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$w/root/dev/pts" || return 1
	echo "$w/root"
}

# in_root ROOT CMD...: run CMD in the chroot with a neutral environment.
in_root() {
	local r=$1
	shift
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive \
		chroot "$r" "$@"
}

# report_ok FILE VERSION: FILE is a cvmprep JSON report of this version (prints why not).
report_ok() {
	python3 - "$1" "$2" <<'PY'
import json, sys
path, version = sys.argv[1], sys.argv[2]
try:
    with open(path) as f:
        r = json.load(f)
except (OSError, ValueError) as e:
    print(f"{path}: {e}")
    sys.exit(1)
bad = []
if r.get("schema") != "cvmprep.report/1":
    bad.append(f"schema {r.get('schema')!r}")
if r.get("tool", {}).get("version") != version:
    bad.append(f"tool.version {r.get('tool', {}).get('version')!r}, not {version!r}")
if not r.get("findings"):
    bad.append("no findings")
if "verdict" not in r.get("summary", {}):
    bad.append("no summary.verdict")
if bad:
    print(f"{path}: " + "; ".join(bad))
    sys.exit(1)
PY
}

# json_get FILE EXPR: a Python expression over the report `r`, printed.
json_get() {
	python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
