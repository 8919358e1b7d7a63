#!/usr/bin/env bash
# Datasource cases: datasource-cases.sh BASE_DIR LAYER_DIR|- OUT_DIR. On a real root with
# cloud-init 22.4 (the base root, or a variant's layer over it), one fresh overlay per case with
# the case's files in /etc/cloud (the variant's own drop-in removed first), then `cvmprep check
# --only cloudinit.enabled,cloudinit.datasource` against cloud-init itself in the chroot (cloudinit-view.py): the
# datasource_list cvmprep reports must be the one cloud-init's merge gives, and its verdict the
# one ds-identify gives at the first boot on CVM (the config drive visible or not as the tree's
# initramfs decides: the base's MODULES=most has the CD-ROM stack, MODULES=list has not).
# TAP lines out.
set -u
base=$1 layer=$2 out=$3
. "$(dirname "$0")/lib.sh"
if [ -z "${RR_IN_NS:-}" ]; then
	exec env RR_IN_NS=1 unshare -m --propagation private "$0" "$@"
fi
fail=0
compare="$CVMPREP_TOP/tests/realroots/compare.py"

# write_case NAME DIR: the case's files under DIR (the tree's /etc/cloud).
write_case() {
	local d=$2/cloud.cfg.d
	case "$1" in
	later-file-wins)
		echo 'datasource_list: [ NoCloud, None ]' >"$d/50-a.cfg"
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/60-b.cfg"
		;;
	cloud-cfg-then-drop-in)
		printf '\ndatasource_list: [ NoCloud, None ]\n' >>"$2/cloud.cfg"
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/10-a.cfg"
		;;
	only-cfg-suffix)
		# Only *.cfg files count: backups, editor files and other case do not.
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		echo 'datasource_list: [ None ]' >"$d/99-b.cfg.dpkg-old"
		echo 'datasource_list: [ None ]' >"$d/99-c.cfg~"
		echo 'datasource_list: [ None ]' >"$d/99-d.CFG"
		echo 'datasource_list: [ None ]' >"$d/99-e.conf"
		;;
	directory-named-cfg)
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		mkdir "$d/99-dir.cfg"
		echo 'datasource_list: [ None ]' >"$d/99-dir.cfg/x.cfg"
		;;
	lexical-not-numeric)
		# 9-x sorts after 10-x.
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/9-a.cfg"
		echo 'datasource_list: [ NoCloud, None ]' >"$d/10-b.cfg"
		;;
	block-sequence)
		printf 'datasource_list:\n  - ConfigDrive\n  - OpenStack\n  - None\n' >"$d/50-a.cfg"
		;;
	block-sequence-without-configdrive)
		# ds-identify reads only one-line lists: it searches its own default list instead.
		printf 'datasource_list:\n  - NoCloud\n  - OpenStack\n  - None\n' >"$d/50-a.cfg"
		;;
	tencentcloud-only)
		# Tencent's datasource exists only in Tencent's build of cloud-init.
		echo 'datasource_list: [ TencentCloud ]' >"$d/50-a.cfg"
		;;
	anchor-alias)
		printf 'ds: &ds [ ConfigDrive, Ec2 ]\ndatasource_list: *ds\n' >"$d/50-a.cfg"
		;;
	merge-key)
		printf 'base: &b {datasource_list: [ ConfigDrive, None ]}\n<<: *b\n' >"$d/50-a.cfg"
		;;
	duplicate-key)
		printf 'datasource_list: [ NoCloud ]\ndatasource_list: [ ConfigDrive, None ]\n' >"$d/50-a.cfg"
		;;
	quoted-and-comment)
		printf "datasource_list: [ 'ConfigDrive', \"OpenStack\" ]   # Tencent\n" >"$d/50-a.cfg"
		;;
	flow-mapping-file)
		printf '{datasource_list: [ConfigDrive, None], datasource: {ConfigDrive: {dsmode: local}}}\n' >"$d/50-a.cfg"
		;;
	nested-key-ignored)
		printf 'system_info:\n  datasource_list: [ None ]\n' >"$d/50-a.cfg"
		;;
	crlf)
		printf 'datasource_list: [ ConfigDrive, None ]\r\n' >"$d/50-a.cfg"
		;;
	bom)
		printf '\xef\xbb\xbfdatasource_list: [ ConfigDrive, None ]\n' >"$d/50-a.cfg"
		;;
	malformed-later-file)
		# cloud-init skips a file it cannot parse, whole.
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		printf 'datasource_list: [ NoCloud, None ]\nfoo: [ unclosed\n' >"$d/60-bad.cfg"
		;;
	malformed-file-sorting-last)
		# A file after fix's drop-in that cloud-init cannot parse, but ds-identify reads line by line.
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		printf 'datasource_list: [ NoCloud, None ]\nfoo: [ unclosed\n' >"$d/99-zz-local.cfg"
		;;
	tab-indented-later-file)
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		printf 'datasource_list:\n\t- NoCloud\n' >"$d/60-bad.cfg"
		;;
	multi-document-later-file)
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		printf -- '---\ndatasource_list: [ NoCloud ]\n---\ndatasource_list: [ None ]\n' >"$d/60-multi.cfg"
		;;
	empty-list)
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		echo 'datasource_list: []' >"$d/60-empty.cfg"
		;;
	scalar-value)
		echo 'datasource_list: ConfigDrive' >"$d/50-a.cfg"
		;;
	null-later-value)
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		echo 'datasource_list:' >"$d/60-null.cfg"
		;;
	empty-later-file)
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		: >"$d/60-empty.cfg"
		printf '# only a comment\n' >"$d/61-comment.cfg"
		;;
	symlinked-file)
		mkdir -p "$2/../../usr/local/share/cloud"
		echo 'datasource_list: [ ConfigDrive, None ]' >"$2/../../usr/local/share/cloud/tencent.cfg"
		ln -s /usr/local/share/cloud/tencent.cfg "$d/50-a.cfg"
		;;
	marker-disabled)
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		: >"$2/cloud-init.disabled"
		;;
	marker-enabled-and-disabled)
		# The generator looks for cloud-init.enabled first.
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		: >"$2/cloud-init.disabled"
		: >"$2/cloud-init.enabled"
		;;
	unit-masked)
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		ln -s /dev/null "$2/../systemd/system/cloud-init.service"
		;;
	kernel-cmdline-disabled)
		# No grub.cfg in a chroot tree: cvmprep takes what grub-mkconfig would write.
		echo 'datasource_list: [ ConfigDrive, None ]' >"$d/50-a.cfg"
		sed -i 's/^GRUB_CMDLINE_LINUX="/GRUB_CMDLINE_LINUX="cloud-init=disabled /' "$2/../default/grub"
		case_cmdline="cloud-init=disabled $(sed -n 's/^GRUB_CMDLINE_LINUX="cloud-init=disabled \(.*\)"$/\1/p' "$2/../default/grub")"
		;;
	*) return 1 ;;
	esac
}
cases="later-file-wins cloud-cfg-then-drop-in only-cfg-suffix directory-named-cfg lexical-not-numeric block-sequence
	block-sequence-without-configdrive tencentcloud-only anchor-alias merge-key duplicate-key quoted-and-comment flow-mapping-file nested-key-ignored crlf bom
	malformed-later-file malformed-file-sorting-last tab-indented-later-file multi-document-later-file empty-list scalar-value null-later-value empty-later-file
	symlinked-file marker-disabled marker-enabled-and-disabled unit-masked kernel-cmdline-disabled"

lowers=$base
tag=base
if [ "$layer" != - ]; then
	lowers="$layer/upper:$base"
	tag=$(basename "$layer" | sed 's/-[0-9a-f]\{16\}$//')
fi
# Whether the config drive is visible at the first boot: the distribution's listing of the
# tree's initramfs, once.
w="$out/listing"
mkdir -p "$w"
rr_mount_overlay "$lowers" "$w/upper" "$w/work" "$w/m" || { echo "not ok - realroots: datasource cases on $tag: cannot mount the overlay"; exit 1; }
kver=$(basename "$(ls -d "$w"/m/root/lib/modules/* | head -n 1)")
rr_chroot "$w/m/root" lsinitramfs "/boot/initrd.img-$kver" >"$out/listing.txt" 2>/dev/null
scenario=$(python3 "$compare" scenario "$out/listing.txt" "$w/m/root" "$kver")
umount "$w/m"
rm -rf "$w"

# What fix leaves to the user, with a note: the kernel command line of a tree without a
# bootloader configuration.
fix_leaves="kernel-cmdline-disabled"

n=0
for c in $cases; do
	w="$out/$c"
	mkdir -p "$w"
	if ! rr_mount_overlay "$lowers" "$w/upper" "$w/work" "$w/m"; then
		echo "not ok - realroots: datasource case $c: cannot mount the overlay"
		fail=1
		continue
	fi
	R="$w/m/root"
	rm -f "$R"/etc/cloud/cloud.cfg.d/9*.cfg
	o2=""
	case_cmdline=""
	write_case "$c" "$R/etc/cloud"
	"$CVMPREP" check --root "$R" --only cloudinit.enabled,cloudinit.datasource --format json --config /dev/null >"$w/report.json" 2>"$w/err"
	rr_chroot "$R" env DEBUG_PROC_CMDLINE="$case_cmdline" python3 - "$scenario" <"$CVMPREP_TOP/tests/realroots/cloudinit-view.py" \
		>"$w/view.json" 2>"$w/view.err"
	if o=$(python3 "$compare" datasource "$w/report.json" "$w/view.json" 2>&1) &&
		o2=$(python3 "$compare" firstboot "$w/report.json" "$w/view.json" 2>&1); then
		echo "ok - realroots: datasource case $c on $tag: ${o#\# both: }"
		echo "$o2" | sed 's/^# /#   /'
		n=$((n + 1))
	else
		echo "not ok - realroots: datasource case $c on $tag"
		printf '%s\n%s\n' "$o" "${o2:-}" | sed '/^$/d; s/^# //; s/^/#   /'
		tail -n 3 "$w/view.err" | sed 's/^/#   view: /'
		python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print("#   cvmprep:", f["status"], f["summary"])
    for e in f["evidence"]: print("#     -", e)' "$w/report.json" 2>/dev/null | head -n 12
		fail=1
	fi
	# Where the config drive is visible, fix repairs the datasource alone (no initramfs rebuild):
	# afterwards cvmprep must pass it and cloud-init, ds-identify included, must agree.
	if [ "$scenario" = visible ]; then
		"$CVMPREP" fix --yes --root "$R" --only cloudinit.enabled,cloudinit.datasource --format json --config /dev/null >"$w/fix.json" 2>"$w/fix.err"
		"$CVMPREP" check --root "$R" --only cloudinit.enabled,cloudinit.datasource --format json --config /dev/null >"$w/after.json" 2>"$w/err"
		rr_chroot "$R" env DEBUG_PROC_CMDLINE="$case_cmdline" python3 - "$scenario" <"$CVMPREP_TOP/tests/realroots/cloudinit-view.py" \
			>"$w/view-after.json" 2>"$w/view.err"
		st=$(python3 -c 'import json,sys; print(" ".join(sorted(set(f["status"] for f in json.load(open(sys.argv[1]))["findings"]))))' "$w/after.json" 2>/dev/null)
		want=pass
		[[ " $fix_leaves " == *" $c "* ]] && want=fail
		if [ "$st" = "$want" ] && o=$(python3 "$compare" firstboot "$w/after.json" "$w/view-after.json" 2>&1); then
			if [ "$want" = pass ]; then
				echo "ok - realroots: datasource case $c on $tag: after fix cvmprep and cloud-init agree: it reads the config drive"
			else
				echo "ok - realroots: datasource case $c on $tag: after fix cvmprep and cloud-init agree: still off (fix leaves it to the user)"
				grep '^note:' "$w/fix.err" | sed 's/^/#   /'
			fi
		else
			echo "not ok - realroots: datasource case $c on $tag: after fix cvmprep says '$st'"
			echo "${o:-}" | sed '/^$/d; s/^# //; s/^/#   /'
			grep -v '^$' "$w/fix.err" | tail -n 12 | sed 's/^/#   fix: /'
			fail=1
		fi
	fi
	umount "$w/m"
	rm -rf "$w"
done
echo "# datasource cases on $tag (config drive $scenario at the first boot): $n of $(echo $cases | wc -w) agree with cloud-init's merge and ds-identify"
exit $fail
