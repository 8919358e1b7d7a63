#!/usr/bin/env python3
"""What the manual page misses: mancheck.py PAGE CVMPREP CONFIG_C prints one line per missing
item (a check ID, a command, an option of a command, an exit status, a file, a configuration key)
and exits 1 when there is one. Everything expected is read from the program (its --help, each
command's --help, 'explain --list') and the configuration keys from agent/config.c, never from
a copied list. PAGE is rendered with man(1) in the C locale on a wide line."""
import os
import re
import subprocess
import sys


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, LC_ALL="C")).stdout


def sections(text):
    """{"NAME": text, ..., "COMMANDS/check": text, ...}: sections and their subsections."""
    out, sec, sub = {}, None, None
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]+$", line):
            sec, sub = line.strip(), None
            out[sec] = ""
            continue
        m = re.match(r"^ {3}(\S.*)$", line)
        if m and sec:
            sub = f"{sec}/{m.group(1).strip()}"
            out[sub] = ""
            continue
        if sec:
            out[sec] += line + "\n"
        if sub:
            out[sub] += line + "\n"
    return out


def options_of(help_text):
    """The options a --help shows: those of its usage lines and those its option lines start with."""
    opts, usage = set(), False
    for line in help_text.splitlines():
        if line.startswith("usage:"):
            usage = True
        elif usage and not line.strip():
            usage = False
        if usage:
            opts.update(re.findall(r"--[a-z][a-z0-9-]*", line))
            continue
        if re.match(r"^\s+-", line):
            for w in line.split():
                w = w.rstrip(",")
                if re.fullmatch(r"--?[a-zA-Z][a-z0-9-]*", w):
                    opts.add(w)
                elif not re.fullmatch(r"[A-Z][A-Z_]*", w):
                    break
    return opts


def has(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def main():
    page, prog, config_c = sys.argv[1:4]
    text = subprocess.run(["man", "-l", page], capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C", MANWIDTH="1000")).stdout
    sec = sections(text)
    missing = []
    main_help = run(prog, "--help")

    # Check IDs: each one a row of the CHECKS table.
    ids = [line.split()[0] for line in run(prog, "explain", "--list").splitlines() if line.strip()]
    if not ids:
        missing.append("(explain --list printed no check ID)")
    for i in ids:
        if not re.search(r"^\s+" + re.escape(i) + r"\s", sec.get("CHECKS", ""), re.M):
            missing.append(f"check ID {i}")

    # Commands and their options: in the command's subsection or among the common options.
    m = re.search(r"^commands:\n((?:  \S.*\n)+)", main_help, re.M)
    commands = [line.split()[0] for line in m.group(1).splitlines()] if m else []
    if not commands:
        missing.append("(cvmprep --help lists no command)")
    common = sec.get("COMMANDS/Common options", "")
    for c in commands:
        body = sec.get(f"COMMANDS/{c}")
        if body is None:
            missing.append(f"command {c}")
            continue
        for o in sorted(options_of(run(prog, c, "--help"))):
            if not has(body, o) and not has(common, o):
                missing.append(f"option {o} of {c}")
    # The program's own options, and every option any --help names, somewhere on the page.
    for o in sorted(options_of(main_help)):
        if not has(common, o):
            missing.append(f"option {o}")
    everything = main_help + "".join(run(prog, c, "--help") for c in commands)
    for o in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", everything))):
        if not has(text, o):
            missing.append(f"option {o} (named by a --help)")

    # Exit statuses: those the program's --help lists.
    m = re.search(r"^exit status:(.*(?:\n\s+.*)*)", main_help, re.M)
    codes = re.findall(r"(?<![\w-])(\d+) ", m.group(1)) if m else []
    if not codes:
        missing.append("(cvmprep --help lists no exit status)")
    for code in codes:
        if not re.search(r"^\s+" + code + r"\s", sec.get("EXIT STATUS", ""), re.M):
            missing.append(f"exit status {code}")

    # Files, and every key of the configuration file.
    for f in ("/etc/cvmprep/cvmprep.conf", "/var/lib/cvmprep/runs"):
        if f not in sec.get("FILES", ""):
            missing.append(f"file {f}")
    keys = re.findall(r'K\("([\w-]+)",\s*"(\w+)"', open(config_c).read())
    if not keys:
        missing.append("(no configuration key found in agent/config.c)")
    for s, k in keys:
        if not has(sec.get("FILES", ""), k) or not has(sec.get("FILES", ""), f"[{s}]".strip("[]")):
            missing.append(f"configuration key [{s}] {k}")

    version = (run(prog, "--version").split() or ["?"])[-1]
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or f"cvmprep {version}" not in lines[-1]:
        missing.append(f"version {version} in the footer")

    nopts = sum(len(options_of(run(prog, c, "--help"))) for c in commands)
    print(f"checked {len(ids)} check IDs, {len(commands)} commands, {nopts} command options, "
          f"{len(codes)} exit statuses, {len(keys)} configuration keys", file=sys.stderr)
    for m in missing:
        print(m)
    sys.exit(1 if missing else 0)


main()
