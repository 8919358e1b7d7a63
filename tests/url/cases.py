#!/usr/bin/env python3
"""The cases of tests/url. Each states what the local COS stand-in serves at an object path,
the url-check command line, and what url-check must conclude: the exit status, per check its
status, severity and import error code, words its evidence must contain, what stderr must say,
strings that must appear nowhere in the output (redaction), and what the server must (not)
have been asked (by the JSON run). Every case runs with the normal and the ASan/UBSan binary. TAP lines out.

usage: cases.py DIR   (DIR holds the certificates and images run.sh made)"""
import json
import os
import socket
import subprocess
import sys
import time

DIR = sys.argv[1]
TOP = os.environ.get("CVMPREP_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BINS = [os.environ.get("CVMPREP", os.path.join(TOP, "build", "cvmprep")),
        os.environ.get("CVMPREP_ASAN", os.path.join(TOP, "build", "asan", "cvmprep"))]
VALIDATE = os.path.join(TOP, "tests", "lib", "validate-report.py")

GZ = "bucket-1250000000.cos.ap-guangzhou.myqcloud.com"
HK = "hkbucket-1250000000.cos.ap-hongkong.myqcloud.com"
FSI = "fin-1250000000.cos.ap-shanghai-fsi.myqcloud.com"


def f(name):
    return {"file": os.path.join(DIR, name)}


PASS = "pass"
SKIP = "skip"
ERROR = "error"
B_URL = "fail:blocker:InvalidUrl"
W_URL = "fail:warning:InvalidUrl"
B_FMT = "fail:blocker:InvalidFormatSize"
W_FMT = "fail:warning"
W_SIZE = "fail:warning:InvalidFormatSize"
ALL_PASS = {"url.cos": PASS, "url.signature": PASS, "url.region": PASS, "url.readable": PASS,
            "url.format": PASS, "url.size": PASS}
SIGNED = ("q-sign-algorithm=sha1&q-ak=AKIDcvmprepSECRETak&q-sign-time=1700000000%3B1700003600"
          "&q-key-time=1700000000%3B1700003600&q-header-list=host&q-url-param-list="
          "&q-signature=cvmprepSECRETsignature0123456789abcdef&x-cos-security-token=cvmprepSECRETtoken")

# Each case: name, what is served {path: spec}, URL, extra arguments, expected exit status,
# {check: "status[:severity[:error_code]]"}, {check: [evidence substrings]}, extras.
CASES = [
    dict(name="qcow2", what="a qcow2 v3 image of an MBR disk, over https", site={"/images/disk.qcow2": f("disk.qcow2")},
         url=f"https://{GZ}/images/disk.qcow2", args=["--region", "ap-guangzhou"], rc=0, checks=ALL_PASS,
         evidence={"url.format": ["format: qcow2 v3", "virtual size: 67108864 bytes"],
                   "url.size": ["object size: "]},
         log=lambda reqs: all(r["user_agent"].startswith("cvmprep/") for r in reqs) and
         any(r["method"] == "HEAD" for r in reqs) and any(r["range"] == "bytes=0-65535" for r in reqs)),
    dict(name="vhd-fixed", what="a fixed vhd (footer only at the end: needs the last 512 bytes)",
         site={"/fixed.vhd": f("fixed.vhd")}, url=f"https://{GZ}/fixed.vhd", args=["--region", "ap-guangzhou"], rc=0,
         checks=ALL_PASS, evidence={"url.format": ["format: vhd fixed", "virtual size: 67125248 bytes"]},
         log=lambda reqs: any((r["range"] or "").startswith("bytes=67125248-") for r in reqs)),
    dict(name="vhd-dynamic", what="a dynamic vhd", site={"/dynamic.vhd": f("dynamic.vhd")},
         url=f"https://{GZ}/dynamic.vhd", args=["--region", "ap-guangzhou"], rc=0, checks=ALL_PASS,
         evidence={"url.format": ["format: vhd dynamic"]}),
    dict(name="vmdk", what="a streamOptimized vmdk", site={"/stream.vmdk": f("stream.vmdk")},
         url=f"https://{GZ}/stream.vmdk", args=["--region", "ap-guangzhou"], rc=0, checks=ALL_PASS,
         evidence={"url.format": ["format: vmdk streamOptimized", "virtual size: 67108864 bytes"]}),
    dict(name="raw-http", what="a raw MBR disk over plain http", site={"/mbr.raw": f("mbr.raw")},
         url=f"http://{GZ}/mbr.raw", args=["--region", "ap-guangzhou"], rc=0, checks=ALL_PASS,
         evidence={"url.format": ["format: raw"]}),
    dict(name="raw-nothing", what="a raw image of zeros: no partition table", site={"/none.raw": f("none.raw")},
         url=f"https://{GZ}/none.raw", args=["--region", "ap-guangzhou"], rc=1,
         checks={"url.readable": PASS, "url.format": W_FMT, "url.size": PASS}),
    dict(name="qcow2-backing", what="a qcow2 with a backing file (a snapshot delta)",
         site={"/backed.qcow2": f("backed.qcow2")}, url=f"https://{GZ}/backed.qcow2", rc=2,
         checks={"url.format": B_FMT}, evidence={"url.format": ["format: qcow2"]},
         summary={"url.format": "snapshot delta of 'disk.qcow2'"}),
    dict(name="vmdk-delta", what="a vmdk snapshot delta (parentCID)", site={"/disk-000001.vmdk": f("sparse-000001.vmdk")},
         url=f"https://{GZ}/disk-000001.vmdk", rc=2, checks={"url.format": B_FMT},
         evidence={"url.format": ["parentCID="]}),
    dict(name="iso", what="an ISO 9660 installer", site={"/installer.iso": f("installer.iso")},
         url=f"https://{GZ}/installer.iso", rc=2, checks={"url.format": B_FMT, "url.size": SKIP},
         summary={"url.format": "ISO 9660 is not"}),
    dict(name="vhdx", what="a vhdx image", site={"/disk.vhdx": f("disk.vhdx")}, url=f"https://{GZ}/disk.vhdx", rc=2,
         checks={"url.format": B_FMT}, summary={"url.format": "vhdx is not"}),
    dict(name="gzip", what="a gzip-compressed raw disk", site={"/disk.raw.gz": f("disk.raw.gz")},
         url=f"https://{GZ}/disk.raw.gz", rc=2, checks={"url.format": B_FMT}, summary={"url.format": "gzip is not"}),
    dict(name="truncated", what="a qcow2 object of 100 bytes (header cut)", site={"/trunc.qcow2": f("trunc.qcow2")},
         url=f"https://{GZ}/trunc.qcow2", rc=2, checks={"url.format": B_FMT},
         summary={"url.format": "damaged"}),
    dict(name="too-big", what="a qcow2 with a virtual size of 600 GiB", site={"/big.qcow2": f("big.qcow2")},
         url=f"https://{GZ}/big.qcow2", args=["--region", "ap-guangzhou"], rc=2,
         checks={"url.format": PASS, "url.size": B_FMT}, summary={"url.size": "over the 500 GB limit"}),
    dict(name="gb-not-gib", what="a qcow2 of 480 GiB: over 500 GB, under 500 GiB", site={"/between.qcow2": f("between.qcow2")},
         url=f"https://{GZ}/between.qcow2", args=["--region", "ap-guangzhou"], rc=1,
         checks={"url.format": PASS, "url.size": W_SIZE}, summary={"url.size": "powers of ten"}),
    dict(name="403", what="403 with COS's XML error body (AccessDenied): a private object",
         site={"/private.qcow2": {"status": 403, "code": "AccessDenied", "message": "Access Denied."}},
         url=f"https://{GZ}/private.qcow2", rc=2,
         checks={"url.cos": PASS, "url.readable": B_URL, "url.format": SKIP, "url.size": SKIP},
         evidence={"url.readable": ["HTTP status: 403", "COS error code: AccessDenied", "COS request id: "]}),
    dict(name="404", what="404 with NoSuchKey: a deleted object", site={},
         url=f"https://{GZ}/deleted.qcow2", rc=2, checks={"url.readable": B_URL, "url.format": SKIP},
         evidence={"url.readable": ["HTTP status: 404", "COS error code: NoSuchKey"]}),
    dict(name="416-empty", what="an empty object: HEAD says 0 bytes, the ranged GET gets 416",
         site={"/empty.qcow2": {"empty": True}}, url=f"https://{GZ}/empty.qcow2", rc=2,
         checks={"url.readable": PASS, "url.format": B_FMT}, summary={"url.format": "empty"},
         log=lambda reqs: any(r["range"] == "bytes=0-65535" for r in reqs)),
    dict(name="head-refused", what="HEAD answered 405: the ranged GET fallback",
         site={"/nohead.qcow2": dict(f("disk.qcow2"), head_status=405)}, url=f"https://{GZ}/nohead.qcow2",
         args=["--region", "ap-guangzhou"], rc=0, checks=ALL_PASS,
         evidence={"url.readable": ["HEAD was refused (HTTP 405)"]}),
    dict(name="slow", what="a response delayed 5 s, url-check --timeout 1", site={"/slow.qcow2": dict(f("disk.qcow2"), sleep=5)},
         url=f"https://{GZ}/slow.qcow2", args=["--timeout", "1"], rc=69,
         checks={"url.cos": PASS, "url.readable": ERROR, "url.format": SKIP}, stderr=["timeout 1 s"], max_seconds=4),
    dict(name="redirect-loop", what="302 to itself, forever", site={"/loop.qcow2": {"redirect": "/loop.qcow2"}},
         url=f"https://{GZ}/loop.qcow2", rc=2, checks={"url.readable": B_URL, "url.format": SKIP},
         summary={"url.readable": "redirects in a loop"},
         # the first request and 5 redirects, then libcurl's limit stops it
         log=lambda reqs: sum(1 for r in reqs if r["path"] == "/loop.qcow2") == 6),
    dict(name="signed", what="a signed URL (q-signature, x-cos-security-token) of a public qcow2",
         site={"/signed.qcow2": f("disk.qcow2")}, url=f"https://{GZ}/signed.qcow2?{SIGNED}",
         args=["--region", "ap-guangzhou"], rc=2,
         checks={"url.cos": PASS, "url.signature": B_URL, "url.readable": PASS, "url.format": PASS},
         summary={"url.signature": "q-signature"}, secrets=["SECRET"],
         log=lambda reqs: reqs and all("?" not in r["path"] for r in reqs)),
    dict(name="signed-private", what="a signed URL of a private object (403 once unsigned)",
         site={"/secret.qcow2": {"status": 403, "code": "AccessDenied"}},
         url=f"https://{GZ}/secret.qcow2?{SIGNED}&versionId=2", rc=2,
         checks={"url.signature": B_URL, "url.readable": B_URL}, secrets=["SECRET"],
         log=lambda reqs: reqs and all(r["path"] == "/secret.qcow2?versionId=2" for r in reqs)),
    dict(name="region-outside", what="bucket in ap-guangzhou, import to ap-hongkong (outside the mainland)",
         site={"/disk.qcow2": f("disk.qcow2")}, url=f"https://{GZ}/disk.qcow2", args=["--region", "ap-hongkong"],
         rc=2, checks={"url.region": B_URL, "url.readable": PASS, "url.format": PASS}),
    dict(name="region-finance", what="bucket in ap-shanghai-fsi, import to ap-guangzhou (a finance region)",
         site={"/disk.qcow2": f("disk.qcow2")}, url=f"https://{FSI}/disk.qcow2", args=["--region", "ap-guangzhou"],
         rc=2, checks={"url.region": B_URL}),
    dict(name="region-mainland", what="bucket in ap-guangzhou, import to ap-shanghai: a warning",
         site={"/disk.qcow2": f("disk.qcow2")}, url=f"https://{GZ}/disk.qcow2", args=["--region", "ap-shanghai"],
         rc=1, checks={"url.region": W_URL, "url.format": PASS}),
    dict(name="region-config", what="bucket in ap-hongkong; import region from the config file (ap-hongkong)",
         site={"/disk.qcow2": f("disk.qcow2")}, url=f"https://{HK}/disk.qcow2", config="[target]\nregion = ap-hongkong\n",
         rc=0, checks=ALL_PASS, evidence={"url.region": ["import region from "]}),
    dict(name="no-region", what="no --region and none configured", site={"/disk.qcow2": f("disk.qcow2")},
         url=f"https://{GZ}/disk.qcow2", rc=0, checks=dict(ALL_PASS, **{"url.region": SKIP})),
    dict(name="not-cos", what="a URL on another host (nothing may be requested)", site={},
         url="https://downloads.example.com/images/disk.qcow2", rc=2,
         checks={"url.cos": B_URL, "url.region": SKIP, "url.readable": SKIP, "url.format": SKIP},
         log=lambda reqs: reqs == []),
    dict(name="path-style", what="a path-style COS URL (bucket not in the host)", site={},
         url="https://cos.ap-guangzhou.myqcloud.com/bucket-1250000000/disk.qcow2", rc=2,
         checks={"url.cos": B_URL}, evidence={"url.cos": ["path-style"]}, log=lambda reqs: reqs == []),
    dict(name="not-a-url", what="text that is no URL", site={}, url="disk.qcow2", rc=2,
         checks={"url.cos": B_URL, "url.signature": SKIP}),
    dict(name="unreachable", what="the COS host mapped to a closed port: no answer", site={},
         url=f"https://{GZ}/disk.qcow2", rc=69, connect_to="closed",
         checks={"url.readable": ERROR}, stderr=["could not get an answer"]),
    dict(name="untrusted-cert", what="the server's certificate from a CA the client does not trust", site={},
         url=f"https://{GZ}/disk.qcow2", rc=69, cainfo="other-ca.pem",
         checks={"url.readable": ERROR}, stderr=["certificate"]),
]


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


failed = False


def tap(ok, name, diag=""):
    global failed
    print(("ok" if ok else "not ok") + " - url: " + name)
    if not ok:
        failed = True
        for line in diag.splitlines():
            print("# " + line)


site = {}
for c in CASES:
    site.update(c["site"])
with open(os.path.join(DIR, "site.json"), "w") as fh:
    json.dump(site, fh)
log = os.path.join(DIR, "requests.log")
portfile = os.path.join(DIR, "ports")
server = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "server.py"),
                           os.path.join(DIR, "site.json"), log, portfile, os.path.join(DIR, "server.pem"),
                           os.path.join(DIR, "server.key")])
try:
    for _ in range(100):
        if os.path.exists(portfile):
            break
        time.sleep(0.1)
    http_port, https_port = open(portfile).read().split()
    dead = closed_port()

    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    for c in CASES:
        connect = f":443:127.0.0.1:{dead},:80:127.0.0.1:{dead}" if c.get("connect_to") == "closed" \
            else f":443:127.0.0.1:{https_port},:80:127.0.0.1:{http_port}"
        cfg = os.path.join(DIR, "cvmprep.conf")
        with open(cfg, "w") as fh:
            fh.write(c.get("config", "# no settings\n"))
        e = dict(env, CVMPREP_TEST_CONNECT_TO=connect,
                 CVMPREP_TEST_CAINFO=os.path.join(DIR, c.get("cainfo", "ca.pem")))
        for b in BINS:
            tag = "asan" if "/asan/" in b else "normal"
            label = f"{c['name']}: {c['what']} [{tag}]"
            problems = []
            outputs = []
            for fmt in ("json", "text"):
                open(log, "w").close()
                argv = [b, "url-check", "--config", cfg, "--format", fmt] + (["--verbose"] if fmt == "text" else []) \
                    + c.get("args", []) + [c["url"]]
                t0 = time.monotonic()
                p = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=120)
                took = time.monotonic() - t0
                outputs.append((fmt, p))
                if fmt == "json":
                    reqs = [json.loads(line) for line in open(log)]
                if p.returncode != c["rc"]:
                    problems.append(f"{fmt}: exit status {p.returncode}, want {c['rc']}")
                if "Sanitizer" in p.stderr or "runtime error" in p.stderr:
                    problems.append(f"{fmt}: sanitizer report:\n{p.stderr[-3000:]}")
                if took > c.get("max_seconds", 60):
                    problems.append(f"{fmt}: took {took:.1f} s")
                for w in c.get("stderr", []):
                    if w not in p.stderr:
                        problems.append(f"{fmt}: stderr does not say '{w}': {p.stderr.strip()}")
                for s in c.get("secrets", []):
                    if s in p.stdout or s in p.stderr:
                        problems.append(f"{fmt}: '{s}' printed unredacted")
            jp = outputs[0][1]
            try:
                rep = json.loads(jp.stdout)
            except ValueError:
                tap(False, label, "\n".join(problems + ["no JSON report", jp.stdout[-2000:], jp.stderr[-2000:]]))
                continue
            rpath = os.path.join(DIR, "report.json")
            with open(rpath, "w") as fh:
                fh.write(jp.stdout)
            v = subprocess.run([sys.executable, VALIDATE, rpath], capture_output=True, text=True)
            if v.returncode:
                problems.append("schema: " + v.stdout + v.stderr)
            by_id = {x["id"]: x for x in rep["findings"]}
            for cid, exp in c["checks"].items():
                x = by_id.get(cid)
                if not x:
                    problems.append(f"{cid}: no finding")
                    continue
                got = [x["status"]] + ([x["severity"], x["error_code"]] if x["status"] == "fail" else [])
                parts = exp.split(":")
                if [str(g) for g in got[:len(parts)]] != parts:
                    problems.append(f"{cid}: got {':'.join(str(g) for g in got)}, want {exp} ({x['summary']})")
            for cid, words in c.get("evidence", {}).items():
                ev = " | ".join(by_id.get(cid, {}).get("evidence", []))
                for w in words:
                    if w not in ev:
                        problems.append(f"{cid}: evidence lacks '{w}': {ev}")
            for cid, w in c.get("summary", {}).items():
                sm = by_id.get(cid, {}).get("summary", "")
                if w not in sm:
                    problems.append(f"{cid}: summary lacks '{w}': {sm}")
            if "log" in c and not c["log"](reqs):
                problems.append("the server saw: " + json.dumps(reqs)[:1500])
            if tag == "normal":
                concl = "; ".join(f"{x['id']}={x['status']}" + (f"/{x['severity']}" if x["status"] == "fail" else "")
                                  for x in rep["findings"])
                print(f"# {c['name']}: exit {jp.returncode}: {concl}")
            tap(not problems, label, "\n".join(problems))
finally:
    server.terminate()
    server.wait(timeout=10)

sys.exit(1 if failed else 0)
