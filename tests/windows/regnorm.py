#!/usr/bin/env python3
"""Normalise `wine regedit /E` exports for comparison: decode, and drop what Wine itself rewrites
at every start (Control\\ServiceCurrent, the display adapter's Video keys, the Display and Monitor
device classes its display driver recreates), so that a difference is one cvmprep made.
Usage: regnorm.py EXPORT... > text"""
import re
import sys

VOLATILE_SECTIONS = [re.compile(p, re.I) for p in [
    r"\\Control\\ServiceCurrent$",
    r"\\Control\\Video(\\|$)",
    r"\\Control\\Class\\\{4d36e968-e325-11ce-bfc1-08002be10318\}",  # Display
    r"\\Control\\Class\\\{4d36e96e-e325-11ce-bfc1-08002be10318\}",  # Monitor
]]
VOLATILE_VALUES = re.compile(r'^"DriverDate(Data)?"=', re.I)

for path in sys.argv[1:]:
    data = open(path, "rb").read()
    text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8", "replace")
    # Join continuation lines of hex values so each value is one line.
    text = re.sub(r"\\\r?\n\s*", "", text)
    section, keep = None, True
    for line in text.splitlines():
        if line.startswith("["):
            section = line
            keep = not any(p.search(line.rstrip("]")) for p in VOLATILE_SECTIONS)
        if keep and not VOLATILE_VALUES.match(line):
            print(line)
