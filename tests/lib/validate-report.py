#!/usr/bin/env python3
"""Validate cvmprep JSON reports against tests/schema/report.schema.json, and check that the
summary counts agree with the findings. Usage: validate-report.py REPORT.json [...]"""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
schema = json.load(open(os.path.join(here, "..", "schema", "report.schema.json")))


def counts(findings):
    c = {"blockers": 0, "warnings": 0, "info": 0, "passed": 0, "skipped": 0, "errors": 0}
    for f in findings:
        if f["status"] == "pass":
            c["passed"] += 1
        elif f["status"] == "skip":
            c["skipped"] += 1
        elif f["status"] == "error":
            c["errors"] += 1
        elif f["status"] == "fail":
            c[{"blocker": "blockers", "warning": "warnings"}.get(f["severity"], "info")] += 1
    return c


bad = 0
for path in sys.argv[1:]:
    try:
        doc = json.load(open(path))
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
        want = counts(doc["findings"])
        for k, v in want.items():
            if k in doc["summary"] and doc["summary"][k] != v:
                raise ValueError(f"summary.{k} is {doc['summary'][k]}, findings say {v}")
        verdict = "not-ready" if want["blockers"] else (
            "ready-with-warnings" if want["warnings"] or want["errors"] else "ready")
        if doc["summary"]["verdict"] != verdict:
            raise ValueError(f"verdict {doc['summary']['verdict']}, findings say {verdict}")
    except Exception as e:  # noqa: BLE001 - any failure is a test failure, reported with the file
        print(f"{path}: {e}", file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
