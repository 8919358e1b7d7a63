#!/usr/bin/env python3
"""Assert findings of a cvmprep JSON report: expect.py REPORT 'ID[@SUBJECT]=STATUS[/SEVERITY]' ...

Without @SUBJECT every finding of the ID must have the status (and there must be one). STATUS is
pass, fail, skip, fixed or error. Prints what differs and exits 1."""
import json
import sys

report = json.load(open(sys.argv[1]))
bad = []
for want in sys.argv[2:]:
    lhs, rhs = want.split("=", 1)
    cid, _, subject = lhs.partition("@")
    status, _, severity = rhs.partition("/")
    found = [f for f in report["findings"] if f["id"] == cid and (not subject or f["subject"] == subject)]
    if not found:
        bad.append("%s: no finding" % lhs)
    for f in found:
        got = f["status"] + ("/" + f["severity"] if severity else "")
        if got != rhs:
            bad.append("%s (%s): %s, want %s: %s" % (lhs, f["subject"], got, rhs, f["summary"]))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
