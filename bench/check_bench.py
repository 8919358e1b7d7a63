#!/usr/bin/env python3
"""The whole `cvmprep check --root` on a real Debian 12 root (initramfs-tools, zstd initramfs)
against, in the same run, lsinitramfs of the same initramfs and the plain decompressor of it to
/dev/null: medians over N runs, ratios, and each command's peak RSS (wait4's ru_maxrss).

Usage: check_bench.py CVMPREP ROOT [RUNS]   (issue 7's targets: check >= 2x faster than
lsinitramfs, <= 1.1x plain decompression, < 16 MiB peak RSS)."""
import glob
import shutil
import os
import statistics
import subprocess
import sys
import time

cvmprep, root = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 11
initrds = sorted(glob.glob(os.path.join(root, "boot", "initrd.img-*")))
if not initrds:
    sys.exit(f"bench: no /boot/initrd.img-* in {root}")
initrd = initrds[-1]

size = os.path.getsize(initrd)
with open(initrd, "rb") as f:
    data = f.read(1 << 20)  # the head only: this process stays small, so do its children
# The main archive: after an optional uncompressed early cpio (microcode), by magic number.
magics = {b"\x28\xb5\x2f\xfd": ["zstd", "-dc"], b"\x1f\x8b": ["gzip", "-dc"], b"\xfd7zXZ": ["xz", "-dc"],
          b"\x02\x21\x4c\x18": ["lz4", "-dc"], b"\x04\x22\x4d\x18": ["lz4", "-dc"], b"BZh": ["bzip2", "-dc"]}
offset, decomp = None, None
for m, cmd in magics.items():
    i = data.find(m)
    if i >= 0 and (offset is None or i < offset):
        offset, decomp = i, cmd
if decomp is None:
    sys.exit(f"bench: cannot tell the compression of {initrd}")
main = f"/tmp/cvmprep-bench-main.{os.getpid()}"
with open(initrd, "rb") as src, open(main, "wb") as dst:
    src.seek(offset)
    shutil.copyfileobj(src, dst)
del data


def run(argv, stdin=None):
    """Wall time (s) and peak RSS (KiB) of one run, output discarded. The RSS comes from GNU
    time's wait4 (a fork of this Python process would count Python's own pages as the child's)."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %x"] + argv, stdin=fin, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    t = time.perf_counter() - t0
    if fin is not subprocess.DEVNULL:
        fin.close()
    last = p.stderr.strip().splitlines()[-1].split()
    return t, int(last[0]), int(last[1])


cases = [
    ("cvmprep check --root (all checks)", [cvmprep, "check", "--root", root, "--format", "json", "--config", "/dev/null"], None),
    ("cvmprep check --only initramfs.virtio", [cvmprep, "check", "--root", root, "--only", "initramfs.virtio",
                                               "--format", "json", "--config", "/dev/null"], None),
    ("lsinitramfs", ["lsinitramfs", initrd], None),
    (" ".join(decomp) + " (main archive)", decomp, main),
]
results = {}
try:
    for name, argv, stdin in cases:
        run(argv, stdin)  # warm the page cache
        times, rss = [], []
        for _ in range(runs):
            t, r, code = run(argv, stdin)
            if code not in (0, 1, 2):
                sys.exit(f"bench: {name} exited {code}")
            times.append(t)
            rss.append(r)
        results[name] = (statistics.median(times), max(rss))
finally:
    os.unlink(main)

print(f"# {initrd} ({size} bytes; main archive {decomp[0]} at {offset}), {runs} runs each, medians")
for name, (t, r) in results.items():
    print(f"{name:42s} {t * 1000:9.1f} ms   peak RSS {r / 1024:6.1f} MiB")
check_t, check_rss = results[cases[0][0]]
ls_t = results["lsinitramfs"][0]
dec_t = results[cases[3][0]][0]
print(f"check / lsinitramfs      = {check_t / ls_t:.3f}  (target <= 0.5)")
print(f"check / plain decompress = {check_t / dec_t:.3f}  (target <= 1.1)")
print(f"check peak RSS           = {check_rss / 1024:.1f} MiB  (target < 16)")
