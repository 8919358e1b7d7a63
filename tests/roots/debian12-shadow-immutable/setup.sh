#!/usr/bin/env bash
# chattr +i /etc/shadow, as some hardening guides do. Needs root and a filesystem with inode flags.
# Args: ROOT OUTSIDE. teardown.sh clears the flag so that the scratch copy can be removed.
set -eu
[ "$(id -u)" -eq 0 ] || { echo "chattr +i needs root" >&2; exit 77; }
chattr +i "$1/etc/shadow" || { echo "this filesystem has no immutable flag" >&2; exit 77; }
