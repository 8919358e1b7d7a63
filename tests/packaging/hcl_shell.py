#!/usr/bin/env python3
"""The shell provisioners of a Packer HCL template as Packer would run them, for tests/packaging.
hcl_shell.py TEMPLATE OUTDIR VAR=VALUE...: for the Nth `provisioner "shell"` block writes
OUTDIR/shell-N.sh (inline_shebang "/bin/sh -e", then each inline command on its own line, as
Packer writes its temporary script) and OUTDIR/shell-N.env (its environment_vars, one a line).
Only the interpolations the examples use are evaluated (var.NAME, basename(var.NAME)); any
other ${...} is an error, so that the test never runs something Packer would not."""
import json
import os
import re
import sys

STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def block(text, start):
    """The text of the {...} block whose opening brace is at or after start."""
    i = text.index("{", start)
    depth, j, in_str = 0, i, False
    while j < len(text):
        c = text[j]
        if in_str:
            if c == "\\":
                j += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "#":
            j = text.index("\n", j)
            continue
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1:j]
        j += 1
    raise SystemExit("unbalanced braces")


def strings_of(body, attr):
    m = re.search(r"^\s*" + attr + r"\s*=\s*\[", body, re.M)
    if not m:
        return []
    i = m.end()
    out = []
    while True:
        while body[i] in " \t\r\n,":
            i += 1
        if body[i] == "]":
            return out
        s = STRING.match(body, i)
        if not s:
            raise SystemExit(f"{attr}: not a list of strings near {body[i:i + 40]!r}")
        out.append(json.loads('"' + s.group(1) + '"'))
        i = s.end()


def interpolate(s, variables):
    def one(m):
        expr = m.group(1).strip()
        v = re.fullmatch(r"var\.(\w+)", expr)
        if v and v.group(1) in variables:
            return variables[v.group(1)]
        v = re.fullmatch(r"basename\(var\.(\w+)\)", expr)
        if v and v.group(1) in variables:
            return os.path.basename(variables[v.group(1)])
        raise SystemExit(f"interpolation the test cannot evaluate: ${{{expr}}}")
    s = re.sub(r"(?<!\$)\$\{([^}]*)\}", one, s)
    return s.replace("$${", "${")


def main():
    template, outdir = sys.argv[1], sys.argv[2]
    variables = dict(a.split("=", 1) for a in sys.argv[3:])
    text = open(template).read()
    n = 0
    for m in re.finditer(r'^\s*provisioner\s+"shell"\s*\{', text, re.M):
        body = block(text, m.start())
        n += 1
        with open(os.path.join(outdir, f"shell-{n}.sh"), "w") as f:
            f.write("#!/bin/sh -e\n")
            for cmd in strings_of(body, "inline"):
                f.write(interpolate(cmd, variables) + "\n")
        with open(os.path.join(outdir, f"shell-{n}.env"), "w") as f:
            for e in strings_of(body, "environment_vars"):
                f.write(interpolate(e, variables) + "\n")
    print(n)


main()
