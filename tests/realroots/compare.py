#!/usr/bin/env python3
"""Compare a cvmprep JSON report with what the distribution's own tools say about the same tree.
Prints one "# ..." line per difference and exits 1 when there is one.

  compare.py modules REPORT LISTING ROOT KVER
      initramfs.virtio: every module cvmprep names (needed, found, and the CD-ROM stack of
      cloudinit.datasource) is found by cvmprep at PATH exactly when lsinitramfs/lsinitrd
      (LISTING: its output, either format) lists PATH; "early" in cloudinit.datasource means in
      that listing or in ROOT/lib/modules/KVER/modules.builtin.
  compare.py has LISTING MOD...
      every MOD is a module file in LISTING.
  compare.py datasource REPORT VIEW
      cloudinit.datasource's "datasource_list [ ... ] set by ..." equals the datasource_list
      cloud-init merged (VIEW: cloudinit-view.py's JSON).
  compare.py scenario LISTING ROOT KVER
      prints "visible" when the config drive's CD-ROM stack (sr_mod, cdrom, ata_piix and what they
      need: libata, scsi_mod, scsi_common) is in LISTING or built in, else "hidden": whether
      /dev/sr0 exists when cloud-init's generator runs ds-identify at the first boot on CVM.
  compare.py firstboot REPORT VIEW
      cloudinit.enabled and cloudinit.datasource both pass exactly when, at that first boot
      (VIEW: cloudinit-view.py's JSON for the scenario above), cloud-init's generator starts
      cloud-init, systemctl says its four units are enabled, and the datasource_list it then
      uses includes ConfigDrive; a failure is a blocker. cloudinit.enabled's unit states are
      systemctl's.
  compare.py findings REPORT ROW...
      ROW "ID STATUS [SEVERITY]": the findings of the checks under initramfs., cloudinit. and net.
      are exactly these rows (one row per finding; SEVERITY for fail only).
  compare.py remaining REPORT ALLOWED...
      after fix: every finding that is fail or error is in ALLOWED ("ID:SEVERITY")."""
import json
import os
import re
import sys

SCOPE = ("initramfs.", "cloudinit.", "net.")
MOD_RE = re.compile(r"(?:^|/)([^/]+?)\.ko(?:\.(?:xz|zst|gz))?$")


def load(path):
    with open(path) as f:
        return json.load(f)


def listing_modules(path):
    """{module name: path} from lsinitramfs (one path a line) or lsinitrd (ls -l lines)."""
    mods = {}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith(("=", " ")):
                continue
            fields = line.split()
            p = fields[-1] if len(fields) >= 9 and fields[0][:1] in "-dlcbps" else line
            m = MOD_RE.search(p)
            if m:
                mods[m.group(1).replace("-", "_")] = p.lstrip("./")
    return mods


def findings(report, cid):
    return [f for f in report["findings"] if f["id"] == cid]


def cmd_modules(report_path, listing_path, root, kver):
    report = load(report_path)
    listed = listing_modules(listing_path)
    bad = []
    irf = findings(report, "initramfs.virtio")
    if len(irf) != 1:
        print(f"# expected one initramfs.virtio finding, got {len(irf)}")
        return 1
    found, names = {}, set()
    for e in irf[0]["evidence"]:
        if e.startswith("found "):
            name, _, p = e[len("found "):].partition(": ")
            found[name] = p
            names.add(name)
        elif e.startswith("needed as modules of "):
            names.update(x.strip() for x in e.split(": ", 1)[1].split(","))
    early = {}
    for f in findings(report, "cloudinit.datasource"):
        for e in f["evidence"]:
            m = re.match(r"kernel \S+: (.*)$", e)
            if m and (" early" in m.group(1) or " late" in m.group(1)):
                for part in m.group(1).split(","):
                    n, _, state = part.strip().partition(" ")
                    early[n] = state
                    names.add(n)
    names.update(["virtio_net", "sr_mod", "cdrom", "ata_piix", "ahci"])
    builtin = builtin_modules(root, kver)
    for n in sorted(names):
        cv, dist = found.get(n), listed.get(n)
        if cv != dist:
            bad.append(f"{n}: cvmprep says {'found at ' + cv if cv else 'not in the initramfs'}, "
                       f"the distribution's tool lists {dist or 'nothing'}")
        if n in early:
            want = "early" if (n in listed or n in builtin) else "late"
            if early[n] != want:
                bad.append(f"{n}: cloudinit.datasource says {early[n]}, the listing says {want}")
    for b in bad:
        print("#", b)
    print(f"# compared {len(names)} modules: {' '.join(sorted(names))}")
    return 1 if bad else 0


def cmd_has(listing_path, *mods):
    listed = listing_modules(listing_path)
    missing = [m for m in mods if m not in listed]
    if missing:
        print("# not listed:", " ".join(missing))
    return 1 if missing else 0


CDROM_STACK = ("sr_mod", "cdrom", "ata_piix", "libata", "scsi_mod", "scsi_common")


def builtin_modules(root, kver):
    bpath = os.path.join(root, "lib/modules", kver, "modules.builtin")
    if not os.path.exists(bpath):
        return set()
    return {MOD_RE.search(l.strip()).group(1).replace("-", "_") for l in open(bpath) if MOD_RE.search(l.strip())}


def cmd_scenario(listing_path, root, kver):
    have = set(listing_modules(listing_path)) | builtin_modules(root, kver)
    print("visible" if all(m in have for m in CDROM_STACK) else "hidden")
    return 0


def cmd_firstboot(report_path, view_path):
    report = load(report_path)
    view = load(view_path)
    boot = view["boot"]
    units_on = all(v == "enabled" for v in view["units"].values())
    reaches = boot["generator"] == "enabled" and units_on and "ConfigDrive" in boot["datasource_list"]
    got = {cid: findings(report, cid) for cid in ("cloudinit.enabled", "cloudinit.datasource")}
    for cid, fs in got.items():
        if len(fs) < 1:
            print(f"# no {cid} finding")
            return 1
    bad = []
    # cloudinit.enabled's evidence names each unit's state, as systemctl does.
    for f in got["cloudinit.enabled"]:
        for e in f["evidence"]:
            m = re.match(r"(\S+\.service): (\w+)$", e)
            if m and view["units"].get(m.group(1)) != m.group(2):
                bad.append(f"{m.group(1)}: cvmprep says {m.group(2)}, systemctl is-enabled says {view['units'].get(m.group(1))}")
        if f["status"] == "fail" and f["subject"] in view["units"] and view["units"][f["subject"]] == "enabled":
            bad.append(f"{f['subject']}: cvmprep says {f['summary']}, systemctl is-enabled says enabled")
    fails = [f for fs in got.values() for f in fs if f["status"] != "pass"]
    says = not fails
    print(f"# config drive {boot['config_drive']}: the generator {boot['generator']} cloud-init (ds-identify: "
          f"{boot['ds_identify']}), units {'enabled' if units_on else view['units']}, list {boot['datasource_list']}; "
          f"cvmprep: {'pass' if says else ', '.join(f['id'] + ' ' + f['status'] + ' ' + str(f['severity']) for f in fails)}")
    if says != reaches:
        bad.append("cvmprep says cloud-init " + ("reads" if says else "does not read") + " the config drive, cloud-init's own tools say the opposite")
    for f in fails:
        if f["status"] != "fail" or f["severity"] != "blocker":
            bad.append(f"{f['id']}: {f['status']} {f['severity']}, expected a blocker: {f['summary']}")
    for b in bad:
        print("#  ", b)
    return 1 if bad else 0


def cmd_datasource(report_path, view_path):
    report = load(report_path)
    view = load(view_path)
    got = None
    for f in findings(report, "cloudinit.datasource"):
        for e in f["evidence"]:
            m = re.match(r"datasource_list \[(.*)\] set by (.*)$", e)
            if m:
                got = ([x.strip() for x in m.group(1).split(",") if x.strip()], m.group(2))
    if got is None:
        print("# cloudinit.datasource names no datasource_list")
        return 1
    want = view["datasource_list"]
    strings = [e for f in findings(report, "cloudinit.datasource") for e in f["evidence"] if "a string, not a list" in e]
    if isinstance(want, str) and got[0] == [want] and strings:
        # cloud-init keeps a string as it is (and walks its characters); cvmprep names it as
        # ds-identify reads it, and says it is a string.
        print(f"# both: the string {want!r} (cvmprep: set by {got[1]}, noted as a string)")
        return 0
    if got[0] != want:
        print(f"# cvmprep: {got[0]} (set by {got[1]}); cloud-init: {want}")
        return 1
    print(f"# both: {want} (cvmprep: set by {got[1]})")
    return 0


def cmd_findings(report_path, *rows):
    report = load(report_path)
    want = sorted(" ".join(r.split()) for r in rows)
    got = []
    for f in report["findings"]:
        if not f["id"].startswith(SCOPE):
            continue
        row = [f["id"], f["status"]]
        if f["status"] == "fail":
            row.append(f["severity"])
        got.append(" ".join(row))
    got.sort()
    if got == want:
        return 0
    for r in sorted(set(want) | set(got)):
        w, g = want.count(r), got.count(r)
        if w != g:
            print(f"# {r}: expected {w}, got {g}")
    for f in report["findings"]:
        if f["id"].startswith(SCOPE) and f["status"] != "pass":
            print(f"#   {f['id']} {f['status']} {f['severity']} {f['subject']}: {f['summary']}")
    return 1


def cmd_remaining(report_path, *allowed):
    report = load(report_path)
    bad = []
    for f in report["findings"]:
        if f["status"] not in ("fail", "error"):
            continue
        if f"{f['id']}:{f['severity']}" not in allowed:
            bad.append(f"{f['id']} {f['status']} {f['severity']} {f['subject']}: {f['summary']}")
    for b in bad:
        print("#", b)
    return 1 if bad else 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"modules": cmd_modules, "has": cmd_has, "scenario": cmd_scenario, "firstboot": cmd_firstboot,
          "datasource": cmd_datasource, "findings": cmd_findings, "remaining": cmd_remaining}[cmd]
    sys.exit(fn(*args))


if __name__ == "__main__":
    main()
