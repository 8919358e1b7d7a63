#!/usr/bin/env python3
"""What `cvmprep fix` changed in a fixture tree, in the form the golden files of a case keep.

  fixdiff.py flags ROOT
      every regular file with the immutable (i) or append-only (a) inode flag: "PATH FLAGS"
  fixdiff.py changes BEFORE.list AFTER.list BEFORE.flags AFTER.flags
      the changes between two `treehash.py --list --no-mtime` listings and two flag listings,
      one per line, sorted (the format of a case's fix.changes):
        A PATH file MODE | A PATH dir MODE | A PATH link -> TARGET    added
        M PATH file MODE | M PATH link -> TARGET                      content, mode, owner or type changed
        D PATH                                                        gone (moved into the journal)
        F PATH FLAGS-BEFORE -> FLAGS-AFTER                            inode flags changed
  fixdiff.py after AFTER_DIR ROOT CHANGES
      every file under AFTER_DIR (the case's after/) must be byte for byte the file at the same
      path in ROOT, and every file the changes add or modify must have its golden file there;
      prints what differs and exits 1
  fixdiff.py regen-after AFTER_DIR ROOT CHANGES
      rewrites AFTER_DIR from ROOT: the files the changes add or modify
"""
import fcntl
import filecmp
import os
import shutil
import stat
import struct
import sys

FS_IOC_GETFLAGS = 0x80086601
FLAGS = ((0x10, "i"), (0x20, "a"))


def flags(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            if not stat.S_ISREG(os.lstat(p).st_mode):
                continue
            try:
                fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
            except OSError:
                continue
            try:
                v = struct.unpack("l", fcntl.ioctl(fd, FS_IOC_GETFLAGS, struct.pack("l", 0)))[0]
            except OSError:
                v = 0
            finally:
                os.close(fd)
            f = "".join(c for bit, c in FLAGS if v & bit)
            if f:
                out.append("%s %s" % (os.path.relpath(p, root), f))
    print("\n".join(out))


def rows(path):
    """treehash rows: path -> (kind, mode, uid, gid, rest...)."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                cols = line.split("\t")
                out[cols[0]] = cols[1:]
    return out


def describe(row):
    kind = int(row[0], 8)
    mode = "%04o" % int(row[1], 8)
    if stat.S_ISLNK(kind):
        return "link -> %s" % row[4]
    if stat.S_ISDIR(kind):
        return "dir %s" % mode
    if stat.S_ISREG(kind):
        return "file %s" % mode
    return "other %s" % mode


def read_flags(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                p, fl = line.rstrip("\n").rsplit(" ", 1)
                out[p] = fl
    return out


def changes(bl, al, bf, af):
    b, a = rows(bl), rows(al)
    lines = []
    for p in sorted(set(b) | set(a)):
        if p not in a:
            lines.append("D %s" % p)
        elif p not in b:
            lines.append("A %s %s" % (p, describe(a[p])))
        elif b[p] != a[p]:
            lines.append("M %s %s" % (p, describe(a[p])))
    fb, fa = read_flags(bf), read_flags(af)
    for p in sorted(set(fb) | set(fa)):
        if fb.get(p, "") != fa.get(p, ""):
            lines.append("F %s %s -> %s" % (p, fb.get(p, "-"), fa.get(p, "-")))
    print("\n".join(lines))


def written(changes_file):
    """Paths of regular files that the changes add or modify."""
    out = []
    with open(changes_file) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[0] in ("A", "M") and parts[2] == "file":
                out.append(parts[1])
    return out


def golden_files(after):
    out = []
    for dirpath, dirnames, filenames in os.walk(after):
        for name in filenames:
            out.append(os.path.relpath(os.path.join(dirpath, name), after))
    return sorted(out)


def check_after(after, root, changes_file):
    problems = []
    want = set(written(changes_file))
    for rel in golden_files(after):
        p = os.path.join(root, rel)
        if not os.path.lexists(p):
            problems.append("after/%s: the file does not exist after fix" % rel)
        elif not os.path.isfile(p) or os.path.islink(p):
            problems.append("after/%s: not a regular file after fix" % rel)
        elif not filecmp.cmp(os.path.join(after, rel), p, shallow=False):
            problems.append("after/%s differs from the tree after fix:" % rel)
            with open(os.path.join(after, rel), "rb") as f1, open(p, "rb") as f2:
                import difflib
                d = difflib.unified_diff(f1.read().decode(errors="replace").splitlines(),
                                         f2.read().decode(errors="replace").splitlines(),
                                         "after/" + rel, "fixed/" + rel, lineterm="")
                problems.extend(list(d)[:30])
        want.discard(rel)
    for rel in sorted(want):
        problems.append("%s was written by fix but has no golden file in after/" % rel)
    if problems:
        print("\n".join(problems))
        return 1
    return 0


def regen_after(after, root, changes_file):
    if os.path.isdir(after):
        shutil.rmtree(after)
    os.makedirs(after)
    for rel in written(changes_file):
        dst = os.path.join(after, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(os.path.join(root, rel), dst)
    return 0


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "flags":
        flags(a[1])
    elif len(a) == 5 and a[0] == "changes":
        changes(*a[1:])
    elif len(a) == 4 and a[0] == "after":
        return check_after(*a[1:])
    elif len(a) == 4 and a[0] == "regen-after":
        return regen_after(*a[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main())
