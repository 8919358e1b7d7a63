#!/usr/bin/env python3
"""Print a digest of a directory tree: every entry's path, type, mode, owner, size, mtime (files
and symlinks) and content (or link target). Directory timestamps are left out: creating and
renaming files inside a directory changes them, and rollback restores files, not directories.
Usage: treehash.py ROOT [--exclude REL]... [--list]"""
import hashlib
import os
import stat
import sys

args = sys.argv[1:]
root = args.pop(0)
excludes, listing, mtimes = [], False, True
while args:
    a = args.pop(0)
    if a == "--exclude":
        excludes.append(args.pop(0).strip("/"))
    elif a == "--list":
        listing = True
    elif a == "--no-mtime":
        mtimes = False
rows = []
for dirpath, dirnames, filenames in os.walk(root):
    rel_dir = os.path.relpath(dirpath, root)
    dirnames[:] = sorted(d for d in dirnames
                         if not any(os.path.normpath(os.path.join(rel_dir, d)).startswith(e) for e in excludes))
    for name in sorted(dirnames + filenames):
        p = os.path.join(dirpath, name)
        rel = os.path.normpath(os.path.join(rel_dir, name))
        if any(rel == e or rel.startswith(e + "/") for e in excludes):
            continue
        st = os.lstat(p)
        kind = stat.S_IFMT(st.st_mode)
        row = [rel, oct(kind), oct(stat.S_IMODE(st.st_mode)), str(st.st_uid), str(st.st_gid)]
        if stat.S_ISREG(kind):
            with open(p, "rb") as f:
                row += [str(st.st_size), str(st.st_mtime_ns) if mtimes else "-", hashlib.sha256(f.read()).hexdigest()]
        elif stat.S_ISLNK(kind):
            row += [os.readlink(p), str(st.st_mtime_ns) if mtimes else "-"]
        rows.append("\t".join(row))
if listing:
    print("\n".join(rows))
else:
    print(hashlib.sha256("\n".join(rows).encode()).hexdigest())
