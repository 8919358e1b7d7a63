#!/usr/bin/env bash
# The packaging layer: make dist, make deb and make rpm from a clean copy of the tree (the dist
# tarball unpacked), lintian and rpmlint clean, the packages' contents, dependencies and
# scriptlets, make install, the manual page (renders without warnings, lists every check ID and
# option), the bash completion, the example configuration, the .deb installed into a fresh
# Debian 12 root and purged again, and the examples/ run there (Ansible for real). TAP lines out;
# "# time:" lines say how long each step took.
# Env: CVMPREP_PACKAGING_CACHE (the base root's cache directory, default
# /var/cache/cvmprep-tests/packaging; "off": build it in the scratch directory).
set -u
top=${CVMPREP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${BUILD:-$top/build}
scratch=${CVMPREP_SCRATCH:-$(mktemp -d /tmp/cvmprep-pkg.XXXXXX)}
export CVMPREP_SCRATCH=$scratch
here=$top/tests/packaging
work=$scratch/packaging
rm -rf "$work"
mkdir -p "$work/tmp" "$work/home"
# Every tool's temporary files (lintian, rpm, man, dpkg-buildpackage) go to the scratch directory.
export TMPDIR=$work/tmp HOME=$work/home LC_ALL=C TZ=UTC
unset MAKEFLAGS MAKELEVEL
. "$here/lib.sh"
status=0
layer_start=$SECONDS
# timed NAME CMD...: run CMD, say how long it took (on the layer's output, fd 3, whatever CMD's
# output is redirected to).
exec 3>&1
timed() {
	local name=$1 t0=$SECONDS rc
	shift
	"$@"
	rc=$?
	echo "# time: $name: $((SECONDS - t0)) s" >&3
	return $rc
}
missing() {
	if [ "${CI:-}" = true ]; then notok "$1: $2"; else ok "$1 # SKIP $2"; fi
}

for t in git dpkg-buildpackage dh lintian rpmbuild rpmlint rpm debootstrap ansible-playbook packer man unshare \
	python3 gzip; do
	if ! command -v "$t" >/dev/null; then
		missing "tool $t" "'$t' is not installed (tests/deps-test.txt)"
		exit $status
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	missing "root" "the chroot tests need root"
	exit $status
fi

version=$(cat "$top/VERSION")
name=cvmprep-$version

# ---- make dist, and the clean copy everything else is built from ----
if ! timed "make dist" make -s -C "$top" BUILD="$work/top" dist >"$work/dist.log" 2>&1; then
	notok "make dist"
	note <"$work/dist.log" | tail -n 20
	exit 1
fi
tarball=$work/top/packages/$name.tar.gz
tar -tzf "$tarball" | sed -n "s|^$name/||p" | LC_ALL=C sort >"$work/dist.list"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files | while IFS= read -r f; do [ -e "$top/$f" ] && echo "$f"; done | LC_ALL=C sort >"$work/git.list"
	if cmp -s "$work/dist.list" "$work/git.list"; then
		ok "make dist: $name.tar.gz holds exactly the $(wc -l <"$work/git.list") files git tracks, under $name/"
	else
		notok "make dist: the tarball's files are not the ones git tracks"
		diff "$work/git.list" "$work/dist.list" | note | head -n 20
	fi
else
	ok "make dist: files as git tracks them # SKIP $top is not a git work tree"
fi
# Symbolic links keep their targets (tar's name transformation must not touch them).
badlinks=$(tar -tvzf "$tarball" | awk '$1 ~ /^l/ { print $6, $8 }' | while read -r p t; do
	[ "$t" = "$(readlink "$top/${p#"$name"/}")" ] || echo "$p"
done | paste -sd' ')
check "make dist: symbolic links keep their targets${badlinks:+ (not: $badlinks)}" [ -z "$badlinks" ]
cp "$tarball" "$work/first.tar.gz"
make -s -C "$top" BUILD="$work/top" dist >/dev/null 2>&1
check "make dist: a second run gives the same bytes" cmp -s "$tarball" "$work/first.tar.gz"
mkdir -p "$work/src"
tar -xzf "$tarball" -C "$work/src"
src=$work/src/$name
pkgs=$src/build/packages

# ---- make deb, make rpm in the copy ----
# make deb with a build directory of the caller's (BUILD, as run-tests.sh sets it): the packages
# go there, and the package build, with its `make clean`, must leave it alone.
caller=$work/caller-build
mkdir -p "$caller"
echo keep >"$caller/marker"
if timed "make deb" env BUILD="$caller" make -C "$src" deb >"$work/deb.log" 2>&1; then
	ok "make deb from a clean copy of the tree"
else
	notok "make deb from a clean copy of the tree"
	note <"$work/deb.log" | tail -n 30
fi
check "make deb leaves the caller's BUILD directory alone" [ -f "$caller/marker" ]
# The copy, a tarball, makes its own dist without git: it must be the same tarball.
check "make dist in the unpacked tarball (no git) gives the same bytes" cmp -s "$caller/packages/$name.tar.gz" "$tarball"
if timed "make rpm" env -u BUILD make -C "$src" rpm >"$work/rpm.log" 2>&1; then
	ok "make rpm from a clean copy of the tree"
else
	notok "make rpm from a clean copy of the tree"
	note <"$work/rpm.log" | tail -n 30
fi
arch=$(dpkg --print-architecture)
deb=$caller/packages/cvmprep_${version}_$arch.deb
changes=$caller/packages/cvmprep_${version}_$arch.changes
rpmfile=$(ls "$pkgs"/cvmprep-"$version"-1.*.rpm 2>/dev/null | head -n 1)
if [ ! -f "$deb" ] || [ -z "$rpmfile" ]; then
	notok "the packages: $deb, $pkgs/cvmprep-$version-1.*.rpm"
	exit 1
fi

# ---- lintian: no error, no warning; exactly the overrides that have a reason ----
timed lintian lintian -I -E --pedantic --show-overrides "$changes" >"$work/lintian.out" 2>&1
grep -v '^running with root privileges' "$work/lintian.out" | note
bad=$(grep -cE '^[EW]: ' "$work/lintian.out")
unused=$(grep -cE 'unused-override|mismatched-override' "$work/lintian.out")
overrides=$(sed -n 's/^O: cvmprep: \([a-z0-9-]*\).*/\1/p' "$work/lintian.out" | LC_ALL=C sort | paste -sd' ')
check "lintian: no error or warning ($bad), no unused override ($unused)" [ "$bad" -eq 0 -a "$unused" -eq 0 ]
check "lintian: the overridden tags are the two with a written reason ($overrides)" \
	[ "$overrides" = "non-standard-dir-perm uses-dpkg-database-directly" ]

# ---- rpmlint: no error; the warnings are the known ones (no URL, no licence chosen yet) ----
timed rpmlint rpmlint -c "$src/packaging/rpmlint.toml" "$rpmfile" "$pkgs/cvmprep.spec" >"$work/rpmlint.out" 2>&1
note <"$work/rpmlint.out" | grep -E ': [EW]: |errors'
errors=$(sed -n 's/.* \([0-9]*\) errors, .*/\1/p' "$work/rpmlint.out")
unknown=$(grep -E ': W: ' "$work/rpmlint.out" | grep -vE 'W: (no-url-tag|invalid-url Source0|invalid-license)' | wc -l)
check "rpmlint: 0 errors (${errors:-no summary line})" [ "${errors:-x}" = 0 ]
check "rpmlint: no warning but no-url-tag, invalid-url Source0 and invalid-license ($unknown others)" [ "$unknown" -eq 0 ]

# ---- the .deb's contents and dependencies ----
debroot=$work/debroot
dpkg-deb -x "$deb" "$debroot"
dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }' | sed 's|\./|/|; s|/$||' | LC_ALL=C sort -k3 >"$work/deb.contents"
expect_deb=$(
	cat <<END
drwxr-xr-x root/root /etc/cvmprep
-rw-r--r-- root/root /etc/cvmprep/cvmprep.conf
-rwxr-xr-x root/root /usr/sbin/cvmprep
-rw-r--r-- root/root /usr/share/bash-completion/completions/cvmprep
-rw-r--r-- root/root /usr/share/doc/cvmprep/README.md.gz
-rw-r--r-- root/root /usr/share/doc/cvmprep/changelog.gz
-rw-r--r-- root/root /usr/share/doc/cvmprep/copyright
-rw-r--r-- root/root /usr/share/lintian/overrides/cvmprep
-rw-r--r-- root/root /usr/share/man/man8/cvmprep.8.gz
drwx------ root/root /var/lib/cvmprep
END
	(cd "$src" && find examples -type f) | sed 's|^|-rw-r--r-- root/root /usr/share/doc/cvmprep/|'
)
got=$(grep -v '^d' "$work/deb.contents" | grep -v ' /usr/share/doc/cvmprep/examples$'
	grep -E '^d.* (/etc/cvmprep|/var/lib/cvmprep)$' "$work/deb.contents")
if [ "$(echo "$got" | LC_ALL=C sort -k3)" = "$(echo "$expect_deb" | LC_ALL=C sort -k3)" ]; then
	ok "deb: its files and modes are the expected list ($(echo "$expect_deb" | wc -l) entries)"
else
	notok "deb: its files differ from the expected list"
	diff <(echo "$expect_deb" | LC_ALL=C sort -k3) <(echo "$got" | LC_ALL=C sort -k3) | note
fi
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null | paste -sd' ')
check "deb: conffiles: /etc/cvmprep/cvmprep.conf ($conffiles)" [ "$conffiles" = /etc/cvmprep/cvmprep.conf ]
check "deb: the installed configuration file is packaging/cvmprep.conf" \
	cmp -s "$debroot/etc/cvmprep/cvmprep.conf" "$src/packaging/cvmprep.conf"
# Depends (from dh_shlibdeps): exactly the packages holding the libraries the binary links.
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/([^)]*)//; s/[[:space:]]//g' | sed '/^$/d' | LC_ALL=C sort)
libpkgs=$(objdump -p "$debroot/usr/sbin/cvmprep" | awk '$1 == "NEEDED" { print $2 }' | while read -r soname; do
	so=$(ldd "$debroot/usr/sbin/cvmprep" | awk -v n="$soname" '$1 == n { print $3 }')
	dpkg -S "$so" 2>/dev/null || dpkg -S "$(readlink -f "$so")" 2>/dev/null || echo "unknown-$soname"
done | cut -d: -f1 | LC_ALL=C sort -u)
if [ -n "$libpkgs" ] && [ "$depends" = "$libpkgs" ]; then
	ok "deb: Depends are the packages of the libraries it links ($(echo $depends))"
else
	notok "deb: Depends differ from the packages of the linked libraries"
	diff <(echo "$libpkgs") <(echo "$depends") | note
fi
# Build-Depends name every -dev package of tests/deps-build.txt.
bdeps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$src/packaging/debian/control" | grep -o '[a-z0-9][a-z0-9.+-]*-dev' | LC_ALL=C sort -u)
devs=$(sed -e 's/#.*//' "$src/tests/deps-build.txt" | grep -o '[a-z0-9][a-z0-9.+-]*-dev' | grep -vx libc6-dev | LC_ALL=C sort -u)
missing_dev=$(comm -13 <(echo "$bdeps") <(echo "$devs") | paste -sd' ')
check "deb: Build-Depends has every -dev package of tests/deps-build.txt${missing_dev:+ (not: $missing_dev)}" [ -z "$missing_dev" ]

# ---- the .rpm: files, requirements, scriptlets against the expected lists ----
rpmq() { rpm --dbpath "$work/rpmdb" -qp "$@" "$rpmfile" 2>"$work/rpm.err"; }
expect_rpm=$(
	cat <<END
/etc/cvmprep
/etc/cvmprep/cvmprep.conf
/usr/sbin/cvmprep
/usr/share/bash-completion/completions/cvmprep
/usr/share/doc/$name
/usr/share/doc/$name/README.md
/usr/share/man/man8/cvmprep.8.gz
/var/lib/cvmprep
END
	(cd "$src" && find examples | sed "s|^|/usr/share/doc/$name/|")
)
got=$(rpmq -l | grep -v '^/usr/lib/\.build-id')
if [ "$(echo "$got" | LC_ALL=C sort)" = "$(echo "$expect_rpm" | LC_ALL=C sort)" ]; then
	ok "rpm: rpm -qlp is the expected list ($(echo "$got" | wc -l) files, build-id links aside)"
else
	notok "rpm: rpm -qlp differs from the expected list"
	diff <(echo "$expect_rpm" | LC_ALL=C sort) <(echo "$got" | LC_ALL=C sort) | note
fi
# Requirements by soname (the versioned-symbol ones aside): the same on RHEL, Fedora and SUSE.
expect_req=$(
	cat <<END
config(cvmprep) = $version-1
libblkid.so.1()(64bit)
libbz2.so.1.0()(64bit)
libc.so.6()(64bit)
libcurl.so.4()(64bit)
libinih.so.1()(64bit)
libisal.so.2()(64bit)
libkmod.so.2()(64bit)
liblz4.so.1()(64bit)
liblzma.so.5()(64bit)
libyaml-0.so.2()(64bit)
libz.so.1()(64bit)
libzstd.so.1()(64bit)
rpmlib(CompressedFileNames) <= 3.0.4-1
rpmlib(FileDigests) <= 4.6.0-1
rpmlib(PayloadFilesHavePrefix) <= 4.0-1
rtld(GNU_HASH)
END
)
got=$(rpmq -R | grep -vE '^lib[^ ]*\.so[^ ]*\([A-Za-z_][^)]*\)\(64bit\)$' | LC_ALL=C sort -u)
if [ "$got" = "$(echo "$expect_req" | LC_ALL=C sort)" ]; then
	ok "rpm: rpm -qpR is the expected list (sonames, config, rpmlib)"
else
	notok "rpm: rpm -qpR differs from the expected list"
	diff <(echo "$expect_req" | LC_ALL=C sort) <(echo "$got") | note
fi
needed=$(objdump -p "$debroot/usr/sbin/cvmprep" | awk '$1 == "NEEDED" { print $2 "()(64bit)" }' | LC_ALL=C sort)
check "rpm: the sonames required are the binary's NEEDED entries" \
	[ "$needed" = "$(echo "$got" | grep '\.so' | LC_ALL=C sort)" ]
scripts=$(rpmq --scripts)
check "rpm: no scriptlets (rpm -qp --scripts prints nothing)" [ -z "$scripts" ]
flags=$(rpmq --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' |
	grep -E ' (/etc/cvmprep/cvmprep.conf|/var/lib/cvmprep|/usr/sbin/cvmprep)$' | tr -s ' ' | LC_ALL=C sort -k4)
want=$(printf '%s\n' '-rw-r--r-- root:root cn /etc/cvmprep/cvmprep.conf' '-rwxr-xr-x root:root /usr/sbin/cvmprep' \
	'drwx------ root:root /var/lib/cvmprep' | LC_ALL=C sort -k4)
check "rpm: %config(noreplace) cvmprep.conf, /var/lib/cvmprep 0700, the binary 0755 ($(echo $flags))" \
	[ "$flags" = "$want" ]

# ---- make install with every directory moved; an existing configuration is kept ----
dest=$work/destdir
if make -s -C "$top" BUILD="$build" install DESTDIR="$dest" PREFIX=/opt/cv SBINDIR=/opt/cv/bin MANDIR=/opt/cv/man \
	SYSCONFDIR=/opt/cv/etc LOCALSTATEDIR=/opt/cv/var BASHCOMPDIR=/opt/cv/bash >"$work/install.log" 2>&1; then
	got=$(cd "$dest" && find . -mindepth 1 \( -type f -o -path ./opt/cv/var/lib/cvmprep \) -printf '%M %p\n' | LC_ALL=C sort -k2)
	want=$(printf '%s\n' '-rwxr-xr-x ./opt/cv/bin/cvmprep' '-rw-r--r-- ./opt/cv/man/man8/cvmprep.8' \
		'-rw-r--r-- ./opt/cv/bash/cvmprep' '-rw-r--r-- ./opt/cv/etc/cvmprep/cvmprep.conf' \
		'drwx------ ./opt/cv/var/lib/cvmprep' | LC_ALL=C sort -k2)
	check "make install: DESTDIR, PREFIX, SBINDIR, MANDIR, SYSCONFDIR, LOCALSTATEDIR, BASHCOMPDIR honoured" [ "$got" = "$want" ]
	echo '# mine' >>"$dest/opt/cv/etc/cvmprep/cvmprep.conf"
	make -s -C "$top" BUILD="$build" install DESTDIR="$dest" PREFIX=/opt/cv SYSCONFDIR=/opt/cv/etc >>"$work/install.log" 2>&1
	check "make install again keeps the changed configuration file" grep -q '^# mine$' "$dest/opt/cv/etc/cvmprep/cvmprep.conf"
else
	notok "make install"
	note <"$work/install.log" | tail -n 20
fi

# ---- the manual page, as the .deb ships it ----
page=$debroot/usr/share/man/man8/cvmprep.8.gz
prog=$debroot/usr/sbin/cvmprep
warn=$( {
	man --warnings -l "$page" >/dev/null
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" >/dev/null
} 2>&1)
check "man: cvmprep(8) renders without warnings (man --warnings -l; lintian's -Tutf8 run)${warn:+: $warn}" [ -z "$warn" ]
if out=$(python3 "$here/mancheck.py" "$page" "$prog" "$src/agent/config.c" 2>"$work/mancheck.err"); then
	ok "man: every check ID, command, option, exit status, file and configuration key is on the page ($(cat "$work/mancheck.err"))"
else
	notok "man: the page misses: $(echo $out)"
fi
# The same check on a page with one check ID's row and one option taken out must name both.
first=$("$prog" explain --list | awk 'NF { print $1; exit }')
row=$(printf '%s' "$first" | sed 's/-/\\\\-/g')
zcat "$page" | awk -v row="$row" '$0 == row "\tT{" { skip = 3 } skip > 0 { skip--; next } { print }' |
	sed '/^\.B \\-\\-dry\\-run$/,+1d' >"$work/broken.8"
out=$(python3 "$here/mancheck.py" "$work/broken.8" "$prog" "$src/agent/config.c" 2>/dev/null)
check "man: a page without the row of $first and without fix's --dry-run fails the check ($(echo $out))" \
	[ "$out" = "$(printf 'check ID %s\noption --dry-run of fix' "$first")" ]

# ---- bash completion, as the .deb ships it, against the program ----
bash "$here/completion.sh" "$debroot/usr/share/bash-completion/completions/cvmprep" "$prog" || status=1

# ---- the example configuration: every key, commented out, and each one real ----
conf=$debroot/etc/cvmprep/cvmprep.conf
keys=$(grep -oE 'K\("[a-z-]+", *"[a-z_]+"' "$src/agent/config.c" | sed -E 's/K\("([a-z-]+)", *"([a-z_]+)"/\1 \2/')
absent=$(echo "$keys" | while read -r s k; do
	awk -v s="[$s]" -v k="$k" '$0 == s { in_s = 1; next } /^\[/ { in_s = 0 } in_s && $0 ~ "^; " k " = " { found = 1 } END { exit !found }' \
		"$conf" || echo "[$s] $k"
done | paste -sd' ')
check "config: each of the $(echo "$keys" | wc -l) keys of agent/config.c is in its section, commented out${absent:+ (not: $absent)}" \
	[ -z "$absent" -a -n "$keys" ]
check "config: no key is set in the installed file" [ -z "$(grep -E '^[a-z_]+ *=' "$conf")" ]
msgs=$("$prog" check --config "$conf" --only os.release --format json | python3 -c 'import json, sys; print(json.load(sys.stdin).get("messages", []))')
check "config: the installed file reads without a warning ($msgs)" [ "$msgs" = "[]" ]
sed -E 's/^; ([a-z_]+ = )/\1/' "$conf" >"$work/all-keys.conf"
"$prog" check --config "$work/all-keys.conf" --format json >"$work/all-keys.json" 2>"$work/all-keys.err"
rc=$?
res=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
ids = {f["id"] for f in r["findings"]}
print(r.get("messages", []), sorted(ids & {"guest.tools", "os.release"}))' "$work/all-keys.json" 2>&1)
check "config: with every key uncommented it reads without a warning and its skip list applies (exit $rc; $res)" \
	[ $rc -le 2 -a "$res" = "[] []" ]

# ---- Packer: the fragment validates (Debian's packer) beside a stand-in source ----
mkdir -p "$work/packer"
cp "$src/examples/packer/cvmprep.pkr.hcl" "$work/packer/"
cp "$deb" "$work/packer/"
cat >"$work/packer/source.pkr.hcl" <<'END'
source "qemu" "golden" {
  iso_url      = "golden.iso"
  iso_checksum = "none"
  ssh_username = "root"
  ssh_password = "test"
}
END
if (cd "$work/packer" && packer fmt -check cvmprep.pkr.hcl && packer validate -var "cvmprep_package=$(basename "$deb")" .) \
	>"$work/packer.log" 2>&1; then
	ok "packer: examples/packer/cvmprep.pkr.hcl is formatted (packer fmt -check) and validates (packer validate)"
else
	notok "packer: packer fmt -check, packer validate"
	note <"$work/packer.log" | tail -n 20
fi

# ---- the .deb in a fresh Debian 12 root, and the examples there ----
base=$(timed "base root (debootstrap, or the cache)" "$here/base-root.sh" 2>"$work/base.err")
if [ -z "$base" ] || [ ! -d "$base" ]; then
	notok "a Debian 12 minbase root (debootstrap)"
	note <"$work/base.err" | tail -n 20
	exit 1
fi
ok "a Debian 12 minbase root: $base"
timed "deb in the root" "$here/deb-chroot.sh" "$base" "$deb" "$version" "$work/deb-root" || status=1
timed "examples in the root" "$here/examples-chroot.sh" "$base" "$deb" "$version" "$src/examples" "$work/examples-root" || status=1

echo "# time: packaging layer: $((SECONDS - layer_start)) s" >&3
exit $status
