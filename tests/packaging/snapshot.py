#!/usr/bin/env python3
"""The state of a root tree, one line per file: path, type, mode, owner, size and content hash.
snapshot.py ROOT: what the purge test compares before installing and after purging. Mount points
inside ROOT (/proc, /dev/pts) and the state apt and dpkg keep about themselves are left out."""
import hashlib
import os
import stat
import sys

# Logs, caches and the package managers' own records: they change by installing anything.
VOLATILE = (
    "/var/log/", "/var/cache/apt/", "/var/cache/debconf/", "/var/cache/ldconfig/",
    "/var/lib/apt/", "/var/lib/dpkg/", "/tmp/", "/var/tmp/", "/root/", "/etc/ld.so.cache",
)


def main():
    root = sys.argv[1].rstrip("/")
    dev = os.lstat(root).st_dev
    for d, dirs, files in os.walk(root):
        rel_d = d[len(root):] or "/"
        keep = []
        for name in sorted(dirs):
            p = os.path.join(d, name)
            if os.lstat(p).st_dev == dev:
                keep.append(name)
        dirs[:] = keep
        for name in sorted(dirs) + sorted(files):
            p = os.path.join(d, name)
            rel = os.path.join(rel_d, name)
            if any(rel.startswith(v) if v.endswith("/") else rel == v for v in VOLATILE):
                continue
            st = os.lstat(p)
            extra = ""
            if stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(p, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                extra = f"{st.st_size} {h.hexdigest()[:16]}"
            elif stat.S_ISLNK(st.st_mode):
                extra = "-> " + os.readlink(p)
            print(f"{rel} {stat.filemode(st.st_mode)} {st.st_uid}:{st.st_gid} {extra}".rstrip())


main()
