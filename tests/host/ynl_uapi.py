#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The uAPI header the kernel's YNL generator makes of uapi/iopgt.yaml
(tools/net/ynl/pyynl/ynl_gen_c.py --mode uapi --header) against the
hand-written uapi/linux/iopgt.h: every constant the generator emits has the
same value in the hand-written header (compiled by both with CC and printed),
and the hand-written header has no netlink constant (attribute, command,
family) or member of a spec'd enum that the spec lacks.

The spec's definitions say `header: linux/iopgt.h` (the generator then skips
them); a second run with those lines removed makes it emit the enums and
flags too, so they are compared as well.

The generator comes from the kernel source `scripts/ynl.sh source` caches
(IOPGT_YNL_SRC: a tree with tools/net/ynl, Documentation/netlink and
MAINTAINERS instead); without it the test is one SKIP line saying why.

  ynl_uapi.py [REPO]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CC = os.environ.get("CC", "cc")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from uapi_parse import Tap, header_items, strip_comments  # noqa: E402

tap = Tap()
ok, done = tap.ok, tap.done


def skip_all(why):
    tap.skip_all("ynl_uapi", why)


try:
    import yaml  # noqa: F401 (the generator needs it)
except ImportError:
    skip_all("python3 has no yaml module (Debian: apt install python3-yaml python3-jsonschema)")

src = os.environ.get("IOPGT_YNL_SRC")
if not src:
    r = subprocess.run([os.path.join(REPO, "scripts", "ynl.sh"), "source"], capture_output=True, text=True)
    if r.returncode:
        why = [l.split("error: ", 1)[-1] for l in r.stderr.splitlines() if "error" in l] or r.stderr.splitlines()[-1:]
        skip_all("no kernel YNL generator: %s" % (why[0] if why else "scripts/ynl.sh source failed"))
    src = r.stdout.strip().splitlines()[-1]
gen = os.path.join(src, "tools", "net", "ynl", "pyynl", "ynl_gen_c.py")
if not os.path.isfile(gen):
    skip_all("no %s" % gen)
print("# generator: %s" % os.path.relpath(gen, os.path.dirname(os.path.dirname(src))))

tmp = tempfile.mkdtemp(prefix="iopgt-ynl-uapi.")


def generate(tag, spec_text):
    """The generator's uapi header of spec_text, or None (reason printed)."""
    root = os.path.join(tmp, tag)
    # the generator wants the schema two folders above the spec and the
    # kernel root (MAINTAINERS) above that: a scratch copy of the tree
    shutil.copytree(os.path.join(src, "Documentation", "netlink"), os.path.join(root, "Documentation", "netlink"))
    shutil.copytree(os.path.join(src, "tools", "net", "ynl"), os.path.join(root, "tools", "net", "ynl"))
    shutil.copy(os.path.join(src, "MAINTAINERS"), root)
    spec = os.path.join(root, "Documentation", "netlink", "specs", "iopgt.yaml")
    with open(spec, "w") as f:
        f.write(spec_text)
    out = os.path.join(tmp, tag + "-gen", "linux", "iopgt.h")
    os.makedirs(os.path.dirname(out))
    r = subprocess.run([sys.executable, os.path.join(root, "tools", "net", "ynl", "pyynl", "ynl_gen_c.py"),
                        "--mode", "uapi", "--header", "--spec", spec, "-o", out],
                       cwd=os.path.join(root, "tools", "net", "ynl", "generated"), capture_output=True, text=True)
    if not ok(r.returncode == 0 and os.path.isfile(out), "ynl_gen_c.py --mode uapi accepts the spec (%s)" % tag,
              (r.stdout + r.stderr)[-3000:]):
        return None
    return out


def constants(path):
    """[(group, name)] of a header: #define names and enum members."""
    return [(g, nm) for g, nm, _ in header_items(strip_comments(open(path).read()))]


def values(include_dir, names):
    """{name: value as text} as CC sees them through <linux/iopgt.h>."""
    c = os.path.join(tmp, "print.c")
    with open(c, "w") as f:
        f.write("#include <stdio.h>\n#include <linux/iopgt.h>\n")
        f.write("static void ps(const char *n, const char *v) { printf(\"%s \\\"%s\\\"\\n\", n, v); }\n")
        f.write("static void pi(const char *n, long long v) { printf(\"%s %lld\\n\", n, v); }\n")
        f.write("#define P(x) _Generic((x), char *: ps, const char *: ps, default: pi)(#x, x)\n")
        f.write("int main(void)\n{\n")
        for nm in names:
            f.write("#ifdef %s\n\tP(%s);\n#else\n\tP(%s);\n#endif\n" % (nm, nm, nm))
        f.write("\treturn 0;\n}\n")
    exe = os.path.join(tmp, "print")
    r = subprocess.run([CC, "-std=gnu11", "-w", "-I" + include_dir, "-o", exe, c], capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr
    r = subprocess.run([exe], capture_output=True, text=True, check=True)
    return dict(line.split(" ", 1) for line in r.stdout.splitlines()), ""


try:
    spec_text = open(os.path.join(REPO, "uapi", "iopgt.yaml")).read()
    hand = os.path.join(REPO, "uapi", "linux", "iopgt.h")
    hand_consts = constants(hand)
    hand_names = {nm for _, nm in hand_consts}
    # the generator's guard and the hand-written one differ in name only
    guard = {"_UAPI_LINUX_IOPGT_H", "_LINUX_IOPGT_H", "_UAPI_IOPGT_H"}
    full = re.sub(r"^\s*header: linux/iopgt\.h\n", "", spec_text, flags=re.M)
    ok(full != spec_text, "the spec's definitions name linux/iopgt.h as their header")
    for tag, text in (("as-is", spec_text), ("with-definitions", full)):
        out = generate(tag, text)
        if not out:
            continue
        gconsts = [(g, nm) for g, nm in constants(out) if nm not in guard]
        names = [nm for _, nm in gconsts]
        gv, err = values(os.path.dirname(os.path.dirname(out)), names)
        ok(gv is not None, "%s: the generated header compiles with %s" % (tag, CC), err)
        hv, err = values(os.path.join(REPO, "uapi"), [nm for nm in names if nm in hand_names])
        hv_all, _ = values(os.path.join(REPO, "uapi"), sorted(hand_names))
        ok(hv is not None, "%s: uapi/linux/iopgt.h compiles with %s" % (tag, CC), err)
        if gv is None or hv is None:
            continue
        groups = []
        for g, nm in gconsts:
            if g not in groups:
                groups.append(g)
        for g in groups:
            mem = [nm for gg, nm in gconsts if gg == g]
            diff = ["%s: generated %s, uapi/linux/iopgt.h %s" % (nm, gv[nm], hv.get(nm, "(missing)"))
                    for nm in mem if hv.get(nm) != gv[nm]]
            ok(not diff, "%s: %s: %d constants identical (%s .. %s)" % (tag, g, len(mem), mem[0], mem[-1]),
               "\n".join(diff))
        gset = set(names)
        # the other way: the hand-written header's netlink constants and the
        # members of its enums the spec declares are all generated
        extra = []
        for g, nm in hand_consts:
            netlink = re.match(r"_*IOPGT_(A|NL_CMD|GENL)_", nm)
            spec_enum = g.startswith("enum ") and g in groups
            flags = tag == "with-definitions" and re.match(r"IOPGT_(FMT_F|AS_INFO)_", nm)
            if not (netlink or spec_enum or flags) or nm in gset:
                continue
            # YNL numbers attributes and commands from 1 and has no
            # counter for a plain enum: a 0 *_UNSPEC and the *_COUNT one
            # past an enum's last member are the hand-written header's own
            v = hv_all.get(nm)
            mem = [x for gg, x in hand_consts if gg == g]
            if nm.endswith("_UNSPEC") and v == "0" and mem[0] == nm:
                print("# %s: %s = 0 (hand-written only, YNL starts at 1)" % (tag, nm))
            elif nm.endswith("_COUNT") and mem[-1] == nm and len(mem) > 1 and \
                    hv_all.get(mem[-2]) is not None and int(v) == int(hv_all[mem[-2]]) + 1:
                print("# %s: %s = %s (hand-written only, one past %s)" % (tag, nm, v, mem[-2]))
            else:
                extra.append("%s (%s)" % (nm, g))
        ok(not extra, "%s: uapi/linux/iopgt.h has no constant of the spec's families the spec lacks" % tag,
           "only in uapi/linux/iopgt.h: " + ", ".join(extra))
        print("# %s: %d constants compared" % (tag, len(names)))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
done()
