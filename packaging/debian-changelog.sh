#!/bin/sh
# Print debian/changelog for a build: debian-changelog.sh VERSION EPOCH CONTROL. The version is
# the VERSION file's (the package is native), the signer the Maintainer of debian/control.
set -eu
version=$1 epoch=$2 control=$3
maint=$(sed -n 's/^Maintainer:[[:space:]]*//p' "$control")
[ -n "$maint" ] || { echo "debian-changelog.sh: no Maintainer in '$control'" >&2; exit 1; }
cat <<END
cvmprep ($version) unstable; urgency=medium

  * Release $version, built from the project's tree.

 -- $maint  $(LC_ALL=C date -u -R -d "@$epoch")
END
