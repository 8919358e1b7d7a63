#!/usr/bin/env python3
"""The comparable part of a cvmprep JSON report, as the fixture-root layer stores it in expect.json:
the identified system (target.os) and each finding's (id, subject, status, severity, error_code),
sorted. Paths of the scratch copy are replaced by @ROOT@ and @OUTSIDE@ so that the file does not
depend on where the test ran.

Usage: findings.py REPORT.json ROOT OUTSIDE [--messages]   (prints the normalised form on standard output)
  --messages   also the report's messages, in order (for fix: what the plan could not do, and why)
"""
import json
import sys

FIELDS = ("id", "subject", "status", "severity", "error_code")
OS_FIELDS = ("id", "version_id", "pretty_name", "arch")


def render(os_ident, findings, messages=None):
    """The text of an expect.json: one finding per line, so that a diff names the finding."""
    rows = sorted((list(f) for f in findings), key=json.dumps)
    lines = ["{", '  "os": %s,' % json.dumps({k: os_ident.get(k) for k in OS_FIELDS}), '  "findings": [']
    lines.append(",\n".join("    " + json.dumps(r) for r in rows))
    if messages is None:
        lines += ["  ]", "}"]
    elif not messages:
        lines += ["  ],", '  "messages": []', "}"]
    else:
        lines += ["  ],", '  "messages": [']
        lines.append(",\n".join("    " + json.dumps(m) for m in messages))
        lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def normalise(report, root, outside, messages=False):
    def norm(v):
        if isinstance(v, str):
            # The outside directory is not under the root, but replace the longer path first anyway.
            for path, tag in sorted(((root, "@ROOT@"), (outside, "@OUTSIDE@")), key=lambda p: -len(p[0])):
                if path:
                    v = v.replace(path, tag)
        return v

    os_ident = {k: norm(report["target"]["os"].get(k)) for k in OS_FIELDS}
    findings = [[norm(f.get(k)) for k in FIELDS] for f in report["findings"]]
    msgs = [norm(m) for m in report.get("messages", [])] if messages else None
    return render(os_ident, findings, msgs)


def main():
    messages = len(sys.argv) == 5 and sys.argv[4] == "--messages"
    if len(sys.argv) != 4 and not messages:
        print(__doc__, file=sys.stderr)
        return 64
    try:
        with open(sys.argv[1], "rb") as fp:
            report = json.loads(fp.read().decode("utf-8"))
        sys.stdout.write(normalise(report, sys.argv[2], sys.argv[3], messages))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        print("%s: not a cvmprep JSON report: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
