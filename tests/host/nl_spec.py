#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The module's generic netlink family against its spec, uapi/iopgt.yaml.

Reads the C of the module (every module/*.c that holds the family: found by
its contents, not by file name) and the YAML, and checks, one TAP line each:
the family's name, version and maxattr; the operations (one C op per spec
op and back, the command, do/dump, flags); per operation the request policy
(the attributes it accepts, their types and min/max checks, maxattr) and
the reply (the attributes the dump callback puts, reached through the
functions it calls, and their nla_put_* types).

  nl_spec.py [REPO]       (default: two folders above this file)
"""
import glob
import os
import re
import sys

REPO = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from uapi_parse import Tap, header_items, strip_comments  # noqa: E402

tap = Tap()
ok, done = tap.ok, tap.done


def unreadable(etype, value, tb):
    """C or YAML this test cannot read is a failure, not a crash."""
    import traceback
    ok(False, "nl_spec reads module/ and uapi/iopgt.yaml", "".join(traceback.format_exception(etype, value, tb)))
    print("1..%d" % tap.n)
    sys.exit(1)


sys.excepthook = unreadable

try:
    import yaml
except ImportError:
    tap.skip_all("nl_spec", "python3 has no yaml module (Debian: apt install python3-yaml)")


# ---- the uapi header: #define and enum constants ----
hdr_path = os.path.join(REPO, "uapi", "linux", "iopgt.h")
hdr = strip_comments(open(hdr_path).read())
consts = {}


def c_eval(expr, where):
    """Value of a C constant expression over the header's names."""
    e = expr.strip()
    e = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]*\b", lambda m: str(int(m.group(1), 0)), e)
    names = set(re.findall(r"\b[A-Za-z_]\w*\b", e))
    for name in names:
        if name not in consts:
            raise ValueError("%s: '%s' is not a constant of %s" % (where, name, os.path.relpath(hdr_path, REPO)))
    e = re.sub(r"\b[A-Za-z_]\w*\b", lambda m: "(%d)" % consts[m.group(0)], e)
    if not re.fullmatch(r"[0-9()+\-*/<>|&~ ]*", e):
        raise ValueError("%s: cannot evaluate '%s'" % (where, expr))
    return int(eval(e.replace("/", "//")))


items = header_items(hdr)
defines = [(nm, val) for g, nm, val in items if g == "#define"]
for nm, val in defines:
    try:
        consts[nm] = c_eval(val, nm)
    except (ValueError, SyntaxError):
        pass
prev = {}
for g, nm, val in items:
    if g.startswith("enum "):
        consts[nm] = prev[g] = c_eval(val, nm) if val else prev.get(g, -1) + 1
# re-evaluate defines that use enum constants (IOPGT_A_MAX = __IOPGT_A_MAX - 1)
for nm, val in defines:
    if nm not in consts:
        try:
            consts[nm] = c_eval(val, nm)
        except (ValueError, SyntaxError):
            pass

# ---- the spec ----
spec_path = os.path.join(REPO, "uapi", "iopgt.yaml")
spec = yaml.safe_load(open(spec_path))


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


aset = spec["attribute-sets"][0]
attr_prefix = aset.get("name-prefix", spec["name"] + "-a-")
y_attrs = {a["name"]: a for a in aset["attributes"]}
y_attr_by_c = {c_name(attr_prefix, a): a for a in y_attrs}
op_prefix = spec["operations"].get("name-prefix", spec["name"] + "-cmd-")
y_ops = {c_name(op_prefix, o["name"]): o for o in spec["operations"]["list"]}

# ---- the module's C: every file of module/ that is part of the family ----
srcs = [f for f in sorted(glob.glob(os.path.join(REPO, "module", "**", "*.c"), recursive=True))
        if re.search(r"\bstruct\s+(genl_family|genl_ops|genl_small_ops|genl_split_ops|nla_policy)\b",
                     open(f).read())]
if not ok(srcs, "module/ has C with the generic netlink family",
          "no module/*.c declares struct genl_family / genl_ops / nla_policy"):
    done()
print("# C: %s; spec: %s" % (" ".join(os.path.relpath(f, REPO) for f in srcs), os.path.relpath(spec_path, REPO)))
csrc = "\n".join(strip_comments(open(f).read()) for f in srcs)


def split_top(s, sep=","):
    """Split s at sep outside parentheses and braces."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return [x.strip() for x in out if x.strip()]


def block_after(start):
    """The text inside the braces that open at or after csrc[start]."""
    i = csrc.index("{", start)
    depth = 0
    for j in range(i, len(csrc)):
        if csrc[j] == "{":
            depth += 1
        elif csrc[j] == "}":
            depth -= 1
            if depth == 0:
                return csrc[i + 1:j]
    raise ValueError("unbalanced braces")


def fields(init):
    """{ .a = x, .b = y } -> {'a': 'x', 'b': 'y'}"""
    d = {}
    for f in split_top(init.strip().strip("{}")):
        m = re.fullmatch(r"\.(\w+)\s*=\s*(.+)", f, re.S)
        if not m:
            raise ValueError("cannot read initializer '%s'" % f)
        d[m.group(1)] = " ".join(m.group(2).split())
    return d


NLA_TYPES = {"NLA_U8": "u8", "NLA_U16": "u16", "NLA_U32": "u32", "NLA_U64": "u64",
             "NLA_S8": "s8", "NLA_S16": "s16", "NLA_S32": "s32", "NLA_S64": "s64",
             "NLA_UINT": "uint", "NLA_SINT": "sint", "NLA_STRING": "string",
             "NLA_NUL_STRING": "string", "NLA_FLAG": "flag", "NLA_BINARY": "binary",
             "NLA_NESTED": "nest", "NLA_NESTED_ARRAY": "indexed-array"}
PUT_TYPES = {"u8": "u8", "u16": "u16", "u32": "u32", "u64_64bit": "u64", "u64": "u64",
             "s8": "s8", "s16": "s16", "s32": "s32", "s64": "s64", "uint": "uint", "sint": "sint",
             "string": "string", "flag": "flag", "": "binary", "be32": "u32", "be16": "u16"}


def policy_entry(where, val):
    """An nla_policy initializer -> (type, {'min':..,'max':..})."""
    checks = {}
    m = re.fullmatch(r"NLA_POLICY_(MIN|MAX|RANGE)\((\w+),\s*(.+)\)", val)
    if m:
        t = m.group(2)
        args = split_top(m.group(3))
        if m.group(1) == "MIN":
            checks["min"] = c_eval(args[0], where)
        elif m.group(1) == "MAX":
            checks["max"] = c_eval(args[0], where)
        else:
            checks["min"], checks["max"] = c_eval(args[0], where), c_eval(args[1], where)
    else:
        f = fields(val)
        t = f.pop("type", None)
        if "len" in f:
            checks["max-len"] = c_eval(f.pop("len"), where)
        if f or t is None:
            raise ValueError("%s: cannot read policy '%s'" % (where, val))
    if t not in NLA_TYPES:
        raise ValueError("%s: unknown policy type %s" % (where, t))
    return NLA_TYPES[t], checks


policies = {}
for m in re.finditer(r"struct\s+nla_policy\s+(\w+)\s*\[[^\]]*\]\s*=", csrc):
    pol = {}
    for e in split_top(block_after(m.end())):
        pm = re.fullmatch(r"\[\s*(\w+)\s*\]\s*=\s*(.+)", e, re.S)
        if not pm:
            raise ValueError("%s: cannot read entry '%s'" % (m.group(1), e))
        pol[pm.group(1)] = policy_entry("%s[%s]" % (m.group(1), pm.group(1)), " ".join(pm.group(2).split()))
    policies[m.group(1)] = pol

c_ops = {}
for m in re.finditer(r"struct\s+genl_(?:small_|split_)?ops\s+(\w+)\s*\[[^\]]*\]\s*=", csrc):
    for op in split_top(block_after(m.end())):
        f = fields(op)
        c_ops[f.get("cmd", "?")] = f

fam = None
for m in re.finditer(r"struct\s+genl_family\s+(\w+)\s*=", csrc):
    fam = fields("{" + block_after(m.end()) + "}")

# function bodies (kernel style: the body's braces at column 0)
funcs = {}
for m in re.finditer(r"^[A-Za-z_][^;\n]*?\b(\w+)\((?:[^;{)]|\n)*\)\s*\n\{\n(.*?)\n\}", csrc, re.M | re.S):
    funcs[m.group(1)] = m.group(2)


def puts_of(fn):
    """Attributes an entry point puts: {C name: (type, pad)} over every
    function of the family's files it names (calls or passes on)."""
    seen, todo, puts = set(), [fn], {}
    while todo:
        f = todo.pop()
        if f in seen or f not in funcs:
            continue
        seen.add(f)
        body = funcs[f]
        for pm in re.finditer(r"\bnla_put_?(\w*)\(", body):
            depth, j = 1, pm.end()
            while depth and j < len(body):
                depth += {"(": 1, ")": -1}.get(body[j], 0)
                j += 1
            args = split_top(body[pm.end():j - 1])
            kind, attr = pm.group(1), args[1] if len(args) > 1 else "?"
            pad = args[-1] if kind == "u64_64bit" else None
            puts[attr] = (PUT_TYPES.get(kind, "?" + kind), pad)
        todo.extend(w for w in re.findall(r"\b\w+\b", body) if w in funcs)
    return puts


# ---- family ----
ok(fam is not None, "C declares one struct genl_family")
fam = fam or {}
ok(consts.get(fam.get("name"), fam.get("name")) == '"%s"' % spec["name"] or
   re.search(r'#define\s+%s\s+"%s"' % (re.escape(fam.get("name", "?")), re.escape(spec["name"])), hdr),
   "family name is the spec's name '%s'" % spec["name"], "C: .name = %s" % fam.get("name"))
ok(c_eval(fam.get("version", "-1"), "family.version") == spec.get("version", 1),
   "family version %s" % spec.get("version", 1), "C: .version = %s" % fam.get("version"))
attr_max = c_name("", aset.get("attr-max-name", attr_prefix + "max"))
ok(fam.get("maxattr") == attr_max, "family maxattr is %s" % attr_max, "C: .maxattr = %s" % fam.get("maxattr"))

# ---- the attribute set's names against the header's values ----
y_order = [c_name(attr_prefix, a["name"]) for a in aset["attributes"]]
c_vals = [(consts.get(x)) for x in y_order]
ok(c_vals == list(range(1, len(y_order) + 1)),
   "attribute set: %d attributes in the spec's order in %s" % (len(y_order), os.path.relpath(hdr_path, REPO)),
   "\n".join("%s = %s (spec: %d)" % (x, v, i + 1) for i, (x, v) in enumerate(zip(y_order, c_vals)) if v != i + 1))

# ---- operations ----
ok(sorted(c_ops) == sorted(y_ops), "operations: C ops %s = spec ops" % " ".join(sorted(y_ops)),
   "only in C: %s\nonly in the spec: %s" % (" ".join(sorted(set(c_ops) - set(y_ops))) or "-",
                                            " ".join(sorted(set(y_ops) - set(c_ops))) or "-"))
FLAGS = {"GENL_ADMIN_PERM": "admin-perm", "GENL_UNS_ADMIN_PERM": "uns-admin-perm",
         "GENL_DONT_VALIDATE_STRICT": "dont-validate-strict", "GENL_DONT_VALIDATE_DUMP": "dont-validate-dump"}
per_op = spec.get("kernel-policy", "split") == "per-op"
for cname in sorted(set(c_ops) & set(y_ops)):
    c, y = c_ops[cname], y_ops[cname]
    nm = y["name"]
    cflags = sorted(FLAGS.get(x.strip(), x.strip()) for x in c.get("flags", "0").split("|") if x.strip() != "0")
    ok(cflags == sorted(y.get("flags", [])), "%s: flags %s" % (nm, " ".join(sorted(y.get("flags", []))) or "none"),
       "C: %s" % c.get("flags"))
    for kind, cb in (("do", "doit"), ("dump", "dumpit")):
        ok((kind in y) == (cb in c), "%s: %s %s" % (nm, kind, "in both" if kind in y else "in neither"),
           "spec %s '%s', C %s .%s" % ("has" if kind in y else "has no", kind, "has" if cb in c else "has no", cb))
    ok(not per_op or c.get("maxattr") == attr_max, "%s: maxattr %s" % (nm, attr_max), "C: .maxattr = %s" % c.get("maxattr"))
    kind = "dump" if "dump" in y else "do"
    req = y.get(kind, {}).get("request", {}).get("attributes", [])
    pol = policies.get(c.get("policy"), {}) if per_op else {}
    if not ok(c.get("policy") in policies or not req, "%s: C policy %s found" % (nm, c.get("policy")),
              "no struct nla_policy %s in the family's C" % c.get("policy")):
        continue
    ypol = {c_name(attr_prefix, a): a for a in req}
    ok(sorted(pol) == sorted(ypol), "%s: request attributes %s" % (nm, " ".join(req)),
       "only in C %s: %s\nonly in the spec: %s" % (c.get("policy"), " ".join(sorted(set(pol) - set(ypol))) or "-",
                                                   " ".join(sorted(set(ypol) - set(pol))) or "-"))
    for an in sorted(set(pol) & set(ypol)):
        ya = y_attrs[ypol[an]]
        t, checks = pol[an]
        ok(t == ya["type"], "%s: request %s is %s" % (nm, ya["name"], ya["type"]), "C policy type: %s" % t)
        ychecks = {k: v for k, v in ya.get("checks", {}).items()}
        ok(checks == ychecks, "%s: request %s checks %s" % (nm, ya["name"], ychecks or "none"),
           "C policy checks: %s" % (checks or "none"))
    rep = y.get(kind, {}).get("reply", {}).get("attributes", [])
    puts = puts_of(c.get(kind + "it", "?"))
    yrep = {c_name(attr_prefix, a): a for a in rep}
    ok(sorted(puts) == sorted(yrep), "%s: reply attributes %s" % (nm, " ".join(rep)),
       "put by .%sit %s only: %s\nonly in the spec: %s" % (kind, c.get(kind + "it"), " ".join(sorted(set(puts) - set(yrep))) or "-",
                                                           " ".join(sorted(set(yrep) - set(puts))) or "-"))
    for an in sorted(set(puts) & set(yrep)):
        ya = y_attrs[yrep[an]]
        t, pad = puts[an]
        ok(t == ya["type"], "%s: reply %s is %s" % (nm, ya["name"], ya["type"]), "C puts it with nla_put_* as %s" % t)
        if pad is not None:
            pa = y_attrs.get(y_attr_by_c.get(pad))
            ok(pa is not None and pa["type"] == "pad", "%s: reply %s pads with %s, a pad attribute" % (nm, ya["name"], pad),
               "spec: %s" % (pa and pa["type"]))
done()
