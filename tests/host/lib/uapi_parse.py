# SPDX-License-Identifier: GPL-2.0
"""What the host checks of the uapi share: TAP output and reading the
constants of a C header (#define lines and enum members).

Imported by tests/host/nl_spec.py and tests/host/ynl_uapi.py.
"""
import re
import sys


class Tap:
    """One TAP stream: ok() per check, done() prints the plan and exits."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, why=""):
        """One TAP line; on failure the diagnostic lines say what differs."""
        self.n += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, desc))
        if not cond:
            self.failed += 1
            for line in str(why).splitlines():
                print("#   " + line)
        return cond

    def done(self):
        print("1..%d" % self.n)
        if self.failed:
            print("# %d of %d failed" % (self.failed, self.n))
        sys.exit(1 if self.failed else 0)

    def skip_all(self, name, why):
        """The whole program is one SKIP line (nothing to check here)."""
        print("ok 1 - %s # SKIP %s" % (name, why))
        print("1..1")
        sys.exit(0)


def strip_comments(s):
    """C text without /* */ and // comments."""
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    return re.sub(r"//[^\n]*", "", s)


def header_items(text):
    """[(group, name, expr)] of C header text (comments already stripped):
    group "#define" for a #define with a value, "enum TAG" (or "enum
    {FIRST...}" for an anonymous enum) for an enum member; expr is the
    value's text, "" for an enum member without one."""
    out = []
    for m in re.finditer(r"^#define[ \t]+(\w+)[ \t]+(\S.*)$", text, re.M):
        out.append(("#define", m.group(1), m.group(2).strip()))
    for m in re.finditer(r"\benum\s*(\w*)\s*\{(.*?)\}", text, re.S):
        items = [i.strip() for i in m.group(2).split(",") if i.strip()]
        if not items:
            continue
        group = "enum " + (m.group(1) or "{%s...}" % items[0].split("=")[0].strip())
        for item in items:
            name, _, val = item.partition("=")
            out.append((group, name.strip(), val.strip()))
    return out
