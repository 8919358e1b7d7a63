#!/usr/bin/env python3
"""Kernels and initramfs images for the fixture roots, made by the tools that make them for real.

  mkkernel.py modules ROOT MODDIR COMPRESS MODULE...
      Puts real module files into ROOT/MODDIR (e.g. /usr/lib/modules/3.10.0-1160.el7.x86_64):
      each MODULE named and, from the host's modules.dep, every module it depends on, except the
      ones the case lists in ROOT/MODDIR/modules.builtin (those are built into that kernel).
      The files come from the host's Debian kernel (package linux-image-amd64), decompressed and
      compressed again as COMPRESS says (none, xz, zst, gz: .ko, .ko.xz, .ko.zst, .ko.gz, as the
      distribution ships them). Then `depmod -b` indexes the tree (modules.dep, modules.dep.bin,
      ...), so that cvmprep reads the kernel's dependencies through libkmod as on a real system.

  mkkernel.py initramfs ROOT IMAGE MODDIR COMPRESS [--early] [--style dracut|tools|mkinitcpio]
                        [--without MODULE]... [--placeholders] MODULE...
      Writes ROOT/IMAGE: a newc cpio archive made by `cpio -H newc -o` of a small initramfs tree
      (init, the style's own files, lib/modules/VERSION/ with the module files named, taken from
      ROOT/MODDIR at their modules.dep path, and the index files), compressed by the compressor's
      own program (COMPRESS: gzip, xz, lzma, zstd, lz4, bzip2, none). --early puts an uncompressed
      archive with kernel/x86/microcode/GenuineIntel.bin in front, as dracut and initramfs-tools
      do when microcode is installed. Each module comes with its dependencies (as the generators
      add them), except those named by --without MODULE (an archive that lacks one). A module
      that is not a file in ROOT/MODDIR is an error, unless --placeholders: then the archive
      holds an empty file of that name (for hand-made trees with modules.dep only, such as an
      i686 or riscv64 kernel this host has no modules of).

Exit status 77 when the host has no kernel module tree to take modules from (outside CI that
makes the case a skip); 1 on any other failure.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

EXT = {"none": ".ko", "xz": ".ko.xz", "zst": ".ko.zst", "gz": ".ko.gz"}


def die(msg, code=1):
    print("mkkernel: %s" % msg, file=sys.stderr)
    sys.exit(code)


def norm(name):
    return name.replace("-", "_")


def modname(path):
    return norm(os.path.basename(path).split(".", 1)[0])


def host_tree():
    """The host's module directory with virtio_blk as a module (Debian's linux-image-amd64)."""
    want = os.environ.get("CVMPREP_HOST_MODULES")
    cands = [want] if want else sorted(glob.glob("/lib/modules/*"), reverse=True)
    for d in cands:
        if d and os.path.isfile(os.path.join(d, "modules.dep")) and \
                glob.glob(os.path.join(d, "kernel/drivers/block/virtio_blk.ko*")):
            return d
    die("no kernel module tree with virtio_blk under /lib/modules (install linux-image-amd64)", 77)


def read_dep(path):
    """modules.dep as {name: (relative path, [dependency names])}."""
    deps = {}
    with open(path) as f:
        for line in f:
            if ":" not in line:
                continue
            mod, rest = line.split(":", 1)
            deps[modname(mod)] = (mod.strip(), [modname(d) for d in rest.split()])
    return deps


def read_builtin(path):
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {modname(l.strip()) for l in f if l.strip()}


def decompressed(path):
    """The bytes of a module file, whatever the host compressed it with."""
    for suffix, cmd in ((".xz", ["xz", "-dc"]), (".zst", ["zstd", "-dcq"]), (".gz", ["gzip", "-dc"])):
        if path.endswith(suffix):
            return subprocess.run(cmd + [path], check=True, stdout=subprocess.PIPE).stdout
    with open(path, "rb") as f:
        return f.read()


def compress_to(data, dest, how):
    cmd = {"xz": ["xz", "-c", "-1", "--check=crc32"], "zst": ["zstd", "-c", "-q"], "gz": ["gzip", "-c", "-n"]}.get(how)
    if cmd:
        data = subprocess.run(cmd, input=data, check=True, stdout=subprocess.PIPE).stdout
    with open(dest, "wb") as f:
        f.write(data)


def modules(root, moddir, how, names):
    if how not in EXT:
        die("compression %r: none, xz, zst or gz" % how)
    host = host_tree()
    hdeps = read_dep(os.path.join(host, "modules.dep"))
    target = os.path.join(root, moddir.lstrip("/"))
    version = os.path.basename(moddir.rstrip("/"))
    builtin = read_builtin(os.path.join(target, "modules.builtin"))
    todo, chosen = [norm(n) for n in names], []
    while todo:
        n = todo.pop(0)
        if n in builtin or n in chosen:
            continue
        if n not in hdeps:
            die("module %s is not in %s/modules.dep" % (n, host))
        chosen.append(n)
        todo.extend(hdeps[n][1])
    with tempfile.TemporaryDirectory(prefix="mkkernel.") as tmp:
        base = os.path.join(tmp, "lib/modules", version)
        os.makedirs(base)
        if builtin:
            shutil.copy(os.path.join(target, "modules.builtin"), base)
        for n in chosen:
            rel = hdeps[n][0]
            stem = rel[: rel.index(".ko")]
            dest = os.path.join(base, stem + EXT[how])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            compress_to(decompressed(os.path.join(host, rel)), dest, how)
        r = subprocess.run(["depmod", "-b", tmp, version], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            die("depmod -b failed: %s" % r.stdout.decode(errors="replace"))
        os.makedirs(target, exist_ok=True)
        for entry in os.listdir(base):
            src, dst = os.path.join(base, entry), os.path.join(target, entry)
            if os.path.isdir(src):
                shutil.copytree(src, dst, dirs_exist_ok=True)
            elif entry != "modules.builtin":
                shutil.copy(src, dst)


STYLE_FILES = {
    # What each generator puts beside the modules, enough to make the archive look like its own.
    "dracut": {"init": b"#!/bin/sh\n# dracut init\n", "usr/lib/dracut/build-parameter.txt": b" --kver VERSION\n",
               "usr/lib/dracut/hostonly-files": b"", "etc/initrd-release": b"NAME=dracut\n"},
    "tools": {"init": b"#!/bin/sh\n# initramfs-tools init\n", "conf/initramfs.conf": b"MODULES=most\n",
              "scripts/init-top/udev": b"#!/bin/sh\n"},
    "mkinitcpio": {"init": b"#!/usr/bin/ash\n# mkinitcpio init\n", "config": b"HOOKS=(base udev autodetect)\n"},
}

COMPRESSORS = {
    "gzip": ["gzip", "-c", "-n", "-9"], "xz": ["xz", "-c", "--check=crc32"], "lzma": ["lzma", "-c"],
    "zstd": ["zstd", "-c", "-q", "-19"], "lz4": ["lz4", "-c", "-l", "-q"], "bzip2": ["bzip2", "-c"], "none": None,
}


def cpio_of(tree):
    """`find . | cpio -H newc -o` in tree, as the generators do (sorted, owned by root)."""
    names = []
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames.sort()
        rel = os.path.relpath(dirpath, tree)
        for n in sorted(dirnames + filenames):
            names.append(os.path.normpath(os.path.join(rel, n)))
    listing = ("\n".join(["."] + names) + "\n").encode()
    r = subprocess.run(["cpio", "-H", "newc", "-o", "--quiet", "-R", "0:0", "--reproducible"], cwd=tree,
                       input=listing, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        die("cpio failed: %s" % r.stderr.decode(errors="replace"))
    return r.stdout


def initramfs(root, image, moddir, how, args):
    early, style, names, without, placeholders = False, "dracut", [], set(), False
    while args:
        a = args.pop(0)
        if a == "--early":
            early = True
        elif a == "--style":
            style = args.pop(0)
        elif a == "--without":
            without.add(norm(args.pop(0)))
        elif a == "--placeholders":
            placeholders = True
        else:
            names.append(norm(a))
    if how not in COMPRESSORS or style not in STYLE_FILES:
        die("compression %r or style %r unknown" % (how, style))
    src = os.path.join(root, moddir.lstrip("/"))
    version = os.path.basename(moddir.rstrip("/"))
    dep = read_dep(os.path.join(src, "modules.dep"))
    # What the generators do (modprobe --show-depends): each module with its dependencies.
    todo, names = names, []
    while todo:
        n = todo.pop(0)
        if n in names or n in without:
            continue
        if n not in dep:
            die("module %s is not a module file of %s" % (n, moddir))
        names.append(n)
        todo.extend(dep[n][1])
    out = b""
    with tempfile.TemporaryDirectory(prefix="mkinitrd.") as tmp:
        if early:
            ucode = os.path.join(tmp, "early/kernel/x86/microcode/GenuineIntel.bin")
            os.makedirs(os.path.dirname(ucode))
            with open(ucode, "wb") as f:
                f.write(b"\x01\x00\x00\x00" + bytes(range(256)) * 16)
            with open(os.path.join(tmp, "early/early_cpio"), "wb") as f:
                f.write(b"1\n")
            out += cpio_of(os.path.join(tmp, "early"))
        main = os.path.join(tmp, "main")
        for rel, content in STYLE_FILES[style].items():
            p = os.path.join(main, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(content.replace(b"VERSION", version.encode()))
        mdir = os.path.join(main, "usr/lib/modules" if style != "tools" else "lib/modules", version)
        os.makedirs(mdir)
        for n in names:
            if n not in dep:
                die("module %s is not a module file of %s" % (n, moddir))
            rel = dep[n][0]
            os.makedirs(os.path.join(mdir, os.path.dirname(rel)), exist_ok=True)
            if placeholders and not os.path.exists(os.path.join(src, rel)):
                open(os.path.join(mdir, rel), "wb").close()
            else:
                shutil.copy(os.path.join(src, rel), os.path.join(mdir, rel))
        for idx in ("modules.dep", "modules.dep.bin", "modules.builtin", "modules.builtin.bin", "modules.alias.bin"):
            if os.path.exists(os.path.join(src, idx)):
                shutil.copy(os.path.join(src, idx), mdir)
        data = cpio_of(main)
    if COMPRESSORS[how]:
        data = subprocess.run(COMPRESSORS[how], input=data, check=True, stdout=subprocess.PIPE).stdout
    dest = os.path.join(root, image.lstrip("/"))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(out + data)
    os.chmod(dest, 0o600)


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "modules":
        modules(a[1], a[2], a[3], a[4:])
    elif len(a) >= 5 and a[0] == "initramfs":
        initramfs(a[1], a[2], a[3], a[4], a[5:])
    else:
        print(__doc__, file=sys.stderr)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main())
