#!/usr/bin/env python3
"""The cases of tests/image: each names an image (made by run.sh in DIR), what it is, and what
`cvmprep image --format json` must conclude: the exit status, and per check its status,
severity and import error code (and words its summary must contain). For formats qemu reads,
the format and virtual size in the image.format evidence must equal `qemu-img info`; where
`estimate` is set, the qcow2 size estimate must be within 1 % of `qemu-img convert -O qcow2`.
Every case runs with the normal and the ASan/UBSan binary. Prints TAP lines.

usage: cases.py DIR"""
import json
import os
import re
import subprocess
import sys

DIR = sys.argv[1]
TOP = os.environ.get("CVMPREP_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BINS = [b for b in (os.environ.get("CVMPREP", os.path.join(TOP, "build", "cvmprep")),
                    os.environ.get("CVMPREP_ASAN", os.path.join(TOP, "build", "asan", "cvmprep")))]
VALIDATE = os.path.join(TOP, "tests", "lib", "validate-report.py")

PASS = "pass"
B_FMT = "fail:blocker:InvalidFormatSize"
B_PT = "fail:blocker:PartitionNotPresent"
B_ROOT = "fail:blocker:RootPartitionNotFound"
SKIP = "skip"

# (file, what it is, exit status, {check: expectation}, words in the failing summary,
#  compare with qemu-img info (True, or the -f format to give it), estimate)
CASES = [
    ("mbr.raw", "raw, MBR, ext4 (48 MiB of data) and NTFS partitions", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, True),
    ("ntfs.raw", "raw, MBR, one NTFS partition (a Windows disk)", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, True),
    ("data.raw", "raw, MBR with only a swap partition", 2,
     {"image.format": PASS, "image.partition-table": B_ROOT}, "no Linux or NTFS partition", True, True),
    ("gpt.raw", "raw, GPT with an ext4 partition", 2,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": B_PT}, "GPT", True, True),
    ("none.raw", "raw, all zeros: no partition table", 2,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": B_PT}, "no partition table", True, True),
    ("bare.raw", "raw, ext4 on the whole disk", 2,
     {"image.format": PASS, "image.partition-table": B_PT}, "ext4 filesystem on the whole disk", True, True),
    ("v2.qcow2", "qcow2 v2 (compat=0.10) of mbr.raw", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, False),
    ("v3.qcow2", "qcow2 v3 (compat=1.1) of mbr.raw", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, False),
    ("compressed.qcow2", "qcow2 with compressed clusters (convert -c)", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, False),
    ("v2-backed.qcow2", "qcow2 v2 with a backing file", 2,
     {"image.format": B_FMT, "image.partition-table": SKIP}, "snapshot delta of 'v2.qcow2'", True, False),
    ("v3-backed.qcow2", "qcow2 v3 with a backing file", 2,
     {"image.format": B_FMT, "image.partition-table": SKIP}, "snapshot delta of 'v3.qcow2'", True, False),
    ("dynamic.vhd", "vpc dynamic of mbr.raw", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, False),
    # qemu does not probe fixed vhd (its only footer is at the end): compare with qemu-img info -f vpc.
    ("fixed.vhd", "vpc fixed of mbr.raw", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", "vpc", True),
    ("forcesize.vhd", "vpc fixed, force_size (creator qem2: current size, not CHS)", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", "vpc", True),
    ("sparse.vmdk", "vmdk monolithicSparse of mbr.raw", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, False),
    ("flat.vmdk", "vmdk monolithicFlat: descriptor + flat extent file", 2,
     {"image.format": B_FMT, "image.size": PASS, "image.partition-table": PASS}, "other files", True, True),
    ("stream.vmdk", "vmdk streamOptimized (compressed grains) of mbr.raw", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, False),
    ("vmware-stream.vmdk", "streamOptimized the VMware way: grain directory found through the footer", 0,
     {"image.format": PASS, "image.size": PASS, "image.partition-table": PASS}, "", True, False),
    ("sparse-000001.vmdk", "vmdk snapshot delta (parentCID, parentFileNameHint)", 2,
     {"image.format": B_FMT, "image.partition-table": SKIP}, "snapshot delta of 'sparse.vmdk'", True, False),
    ("disk.vhdx", "vhdx", 2, {"image.format": B_FMT, "image.size": SKIP, "image.partition-table": SKIP},
     "vhdx is not a disk image format", False, False),
    ("disk.vdi", "VirtualBox vdi", 2, {"image.format": B_FMT}, "vdi is not", False, False),
    ("installer.iso", "ISO 9660 made by genisoimage", 2, {"image.format": B_FMT, "image.partition-table": SKIP},
     "ISO 9660 is not", False, False),
    ("disk.raw.gz", "gzip of a raw disk", 2, {"image.format": B_FMT}, "gzip is not", False, False),
    ("disk.raw.xz", "xz of a raw disk", 2, {"image.format": B_FMT}, "xz is not", False, False),
    ("appliance.ova", "an OVA (tar holding .ovf and .vmdk)", 2, {"image.format": B_FMT}, "tar ova is not", False, False),
    ("trunc.qcow2", "qcow2 cut after 40 bytes", 2, {"image.format": B_FMT, "image.partition-table": SKIP},
     "truncated", False, False),
    ("badcluster.qcow2", "qcow2 with cluster_bits 48", 2, {"image.format": B_FMT}, "cluster size", False, False),
    ("badl1.qcow2", "qcow2 whose L1 table offset is past the end", 2, {"image.format": B_FMT}, "L1 table",
     False, False),
    ("badl2.qcow2", "qcow2 whose first L2 table offset is past the end", 2, {"image.format": B_FMT}, "L2 table",
     False, False),
    ("trunc.vmdk", "vmdk sparse header cut after 60 bytes", 2, {"image.format": B_FMT}, "truncated", False, False),
    ("badgrain.vmdk", "vmdk with grain size 0", 2, {"image.format": B_FMT}, "grain size", False, False),
    ("trunc-stream.vmdk", "VMware-style streamOptimized vmdk missing its last 1536 bytes (footer)", 2, {"image.format": B_FMT},
     "footer", False, False),
    ("badsparse.vhd", "dynamic vhd with its cxsparse cookie overwritten", 2, {"image.format": B_FMT}, "cxsparse",
     False, False),
    ("trunc.vhd", "dynamic vhd cut after 300 bytes", 2, {"image.format": B_FMT}, "truncated", False, False),
    ("badcrc-gpt.raw", "GPT with a corrupted header checksum", 2, {"image.partition-table": B_PT},
     "GPT header is damaged", False, False),
    ("trunc-fixed.vhd", "fixed vhd cut to 1000000 bytes (footer lost: raw)", 2,
     {"image.format": PASS, "image.partition-table": B_ROOT}, "", True, False),
    ("empty.raw", "an empty file", 2, {"image.format": B_FMT}, "empty", False, False),
]

failed = False


def tap(ok, name, diag=""):
    global failed
    print(("ok" if ok else "not ok") + " - image: " + name)
    if not ok:
        failed = True
        for line in diag.splitlines():
            print("# " + line)


def qemu_info(path, fmt):
    out = subprocess.run(["qemu-img", "info", "--output=json"] + (["-f", fmt] if isinstance(fmt, str) else [])
                         + [path], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr.strip())
    j = json.loads(out.stdout)
    return j["format"], j["virtual-size"]


def qemu_qcow2_size(path, scratch, fmt):
    out = os.path.join(scratch, "measure.qcow2")
    subprocess.run(["qemu-img", "convert"] + (["-f", fmt] if isinstance(fmt, str) else []) + ["-O", "qcow2", path, out],
                   check=True, capture_output=True)
    size = os.path.getsize(out)
    os.unlink(out)
    return size


def evidence(finding, prefix):
    for e in finding["evidence"]:
        if e.startswith(prefix):
            return e[len(prefix):]
    return None


QEMU_NAME = {"vhd": "vpc"}

for (name, what, want_rc, want, words, compare, estimate) in CASES:
    path = os.path.join(DIR, name)
    results = []
    for b in BINS:
        tag = "asan" if "/asan/" in b else "normal"
        p = subprocess.run([b, "image", "--format", "json", path], capture_output=True, text=True)
        results.append((tag, p))
    for tag, p in results:
        label = f"{name} ({what}) [{tag}]"
        problems = []
        if p.returncode != want_rc:
            problems.append(f"exit status {p.returncode}, want {want_rc}")
        if "Sanitizer" in p.stderr or "runtime error" in p.stderr:
            problems.append("sanitizer report")
        try:
            rep = json.loads(p.stdout)
        except ValueError:
            tap(False, label, "\n".join(problems + ["no JSON report", p.stdout[-2000:], p.stderr[-2000:]]))
            continue
        rpath = os.path.join(DIR, "report.json")
        with open(rpath, "w") as fh:
            fh.write(p.stdout)
        v = subprocess.run([sys.executable, VALIDATE, rpath], capture_output=True, text=True)
        if v.returncode:
            problems.append("schema: " + v.stdout + v.stderr)
        by_id = {}
        for f in rep["findings"]:
            by_id.setdefault(f["id"], []).append(f)
        for cid, exp in want.items():
            parts = exp.split(":")
            fs = by_id.get(cid, [])
            if not fs:
                problems.append(f"{cid}: no finding")
                continue
            f = fs[0]
            got = [f["status"]] + ([f["severity"], f["error_code"]] if f["status"] == "fail" else [])
            if got[:len(parts)] != parts:
                problems.append(f"{cid}: got {':'.join(str(x) for x in got)}, want {exp} ({f['summary']})")
        if words:
            summaries = " | ".join(f["summary"] for f in rep["findings"] if f["status"] == "fail")
            if words not in summaries:
                problems.append(f"no failing summary says '{words}': {summaries}")
        fmt = by_id.get("image.format", [None])[0]
        if compare and tag == "normal" and fmt:
            try:
                qf, qs = qemu_info(path, compare)
                ours = (evidence(fmt, "format: ") or "").split(" ")[0]
                vs = evidence(fmt, "virtual size: ")
                ours_vs = int(vs.split(" ")[0]) if vs else None
                if QEMU_NAME.get(ours, ours) != qf:
                    problems.append(f"format {ours}, qemu-img says {qf}")
                if ours_vs != qs:
                    problems.append(f"virtual size {ours_vs}, qemu-img says {qs}")
                else:
                    print(f"# {name}: {ours} ({qf}), virtual size {ours_vs} = qemu-img {qs}")
            except Exception as e:  # noqa: BLE001 - any failure of the comparison is a test failure
                problems.append(f"qemu-img info comparison failed: {e}")
        if estimate and tag == "normal":
            size = by_id.get("image.size", [None])[0]
            est = None
            for e in (size or {}).get("evidence", []):
                m = re.match(r"size as qcow2: (\d+) bytes", e)
                if m:
                    est = int(m.group(1))
            real = qemu_qcow2_size(path, DIR, compare)
            if est is None:
                problems.append("no qcow2 estimate in image.size")
            else:
                dev = abs(est - real) / real * 100
                print(f"# {name}: qcow2 estimate {est}, qemu-img convert -O qcow2: {real} ({dev:.3f} %)")
                if dev > 1.0:
                    problems.append(f"qcow2 estimate {est} is {dev:.2f} % off qemu-img convert's {real}")
        tap(not problems, label, "\n".join(problems))

sys.exit(1 if failed else 0)
