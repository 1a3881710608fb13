#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Independent validation corpus runner.

Every NAME.dts / NAME.dtb in this directory has a NAME.expect listing
exactly the findings `kerf validate` must produce, one per line:

    CHECK SEVERITY SUBJECT LINES ["fact" ...]

SUBJECT is the instance/device name or '-' (global finding).  LINES is a
comma-separated list of the line numbers of every location ('-': none);
a location in another file is written FILE:LINE.  Each quoted fact must
appear in the finding (message, details, suggestion, alternative or
candidates) in the JSON form and in its text block.  Lines starting with
'!' are options:

    !args ARG...   extra arguments for kerf validate
    !exit N        expected exit status (default: 1 with errors, else 0)

The comparison is exact: no finding missing, none extra.  With warnings
only, --werror must turn the exit status into 1.  The text form must hold
the same findings (header, check name, every "Line N:").  Two runs must
give identical output (stable order), and findings must come in the
check-table order of --list-checks.
"""
import json
import os
import re
import shlex
import subprocess
import sys

KERF = os.path.abspath(sys.argv[1])
HERE = sys.argv[2]
ENV = dict(os.environ, LC_ALL="C.UTF-8")
ENV.pop("KERF_SYSROOT", None)


def run(args):
    p = subprocess.run([KERF] + args, cwd=HERE, env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check_order():
    rc, out, _ = run(["validate", "--list-checks"])
    order = []
    for line in out.splitlines():
        m = re.match(r"\s*([a-z0-9-]+)\s", line)
        if m and m.group(1) not in order:
            order.append(m.group(1))
    return order


def parse_expect(path):
    exp, opts = [], {"args": [], "exit": None}
    with open(path) as fh:
        for ln in fh:
            ln = ln.strip()
            if not ln or ln.startswith("#"):
                continue
            if ln.startswith("!"):
                w = shlex.split(ln[1:])
                if w[0] == "args":
                    opts["args"] += w[1:]
                elif w[0] == "exit":
                    opts["exit"] = int(w[1])
                continue
            w = shlex.split(ln)
            lines = [] if w[3] == "-" else w[3].split(",")
            exp.append({"check": w[0], "sev": w[1], "subject": w[2],
                        "lines": sorted(lines), "facts": w[4:]})
    return exp, opts


def finding_text(f):
    parts = [f["message"] or ""] + f["details"]
    parts += [f["suggestion"] or "", f["alternative"] or ""]
    parts += [c["name"] for c in f["candidates"]]
    return "\n".join(parts)


KEYS = ["check", "severity", "subject", "message", "details", "suggestion",
        "alternative", "candidates", "locations"]


def text_blocks(out):
    """Split the text form into finding blocks keyed by their header."""
    blocks, cur = [], None
    for line in out.splitlines():
        m = re.match(r"\S+:(\d+):(\d+): (error|warning|note): (.*) "
                     r"\[([a-z0-9-]+)\]$", line)
        if m:
            # compiler form (load errors): file:line:col: severity: ...
            cur = {"sev": m.group(3), "head": m.group(4),
                   "check": m.group(5),
                   "body": ["Line %s: (compiler form)" % m.group(1)]}
            blocks.append(cur)
            continue
        m = re.match(r"(ERROR|WARNING|NOTE): (.*) \[([a-z0-9-]+)\]$", line)
        if m:
            cur = {"sev": m.group(1).lower(), "head": m.group(2),
                   "check": m.group(3), "body": []}
            blocks.append(cur)
        elif cur is not None:
            if re.match(r"^(✓|✗|OK|FAIL)", line):
                cur = None
            else:
                cur["body"].append(line)
    return blocks


def one(name, order, srclines):
    errs = []
    src = os.path.join(HERE, name)
    exp, opts = parse_expect(os.path.splitext(src)[0] + ".expect")
    args = ["validate", "--format", "json"] + opts["args"] + [name]
    rc, out, err = run(args)
    try:
        doc = json.loads(out)
    except ValueError:
        return ["json: not JSON (exit %d): %s %s" % (rc, out[:200], err[:300])]
    rc2, out2, _ = run(args)
    if out2 != out or rc2 != rc:
        errs.append("json output differs between two runs")
    for k in ("schema_version", "valid", "error_count", "warning_count",
              "findings"):
        if k not in doc:
            errs.append("json: top-level key %s missing" % k)
    if doc.get("schema_version") != 1:
        errs.append("json: schema_version != 1")
    got = []
    for f in doc.get("findings", []):
        for k in KEYS:
            if k not in f:
                errs.append("json: finding key %s missing" % k)
                return errs
        lines = []
        for loc in f["locations"]:
            for k in ("file", "line", "column", "text"):
                if k not in loc:
                    errs.append("json: location key %s missing" % k)
            if not isinstance(loc.get("line"), int) or \
               not isinstance(loc.get("column"), int):
                errs.append("json: line/column not numbers")
                continue
            fn = os.path.basename(loc["file"])
            lines.append(str(loc["line"]) if fn == name
                         else "%s:%d" % (fn, loc["line"]))
            # the quoted text is the source line, the column points into it
            path = os.path.join(HERE, loc["file"]) \
                if not os.path.isabs(loc["file"]) else loc["file"]
            if path not in srclines and os.path.exists(path):
                with open(path, errors="replace") as fh:
                    srclines[path] = fh.read().split("\n")
            sl = srclines.get(path)
            if sl and 1 <= loc["line"] <= len(sl):
                s = sl[loc["line"] - 1]
                if loc["text"] != s.strip():
                    errs.append("%s:%d: text %r is not the source line %r"
                                % (fn, loc["line"], loc["text"], s.strip()))
                c = loc["column"]
                if not (1 <= c <= len(s)) or s[c - 1].isspace():
                    errs.append("%s:%d: column %d does not point at text"
                                % (fn, loc["line"], c))
            elif sl is not None:
                errs.append("%s: line %d out of range" % (fn, loc["line"]))
        got.append({"check": f["check"], "sev": f["severity"],
                    "subject": f["subject"] or "-",
                    "lines": sorted(lines), "f": f})
    # exact multiset comparison
    left = list(got)
    for e in exp:
        key = (e["check"], e["sev"], e["subject"], e["lines"])
        for g in left:
            if (g["check"], g["sev"], g["subject"], g["lines"]) == key:
                left.remove(g)
                txt = finding_text(g["f"])
                for fact in e["facts"]:
                    if fact not in txt:
                        errs.append("%s %s: fact %r missing in json: %r"
                                    % (e["check"], e["subject"], fact, txt))
                e["got"] = g
                break
        else:
            errs.append("missing: %s %s %s lines=%s" %
                        (key[0], key[1], key[2], ",".join(e["lines"]) or "-"))
    for g in left:
        errs.append("extra: %s %s %s lines=%s: %s" %
                    (g["check"], g["sev"], g["subject"],
                     ",".join(g["lines"]) or "-", g["f"]["message"]))
    # counts, validity, exit status
    ne = sum(1 for g in got if g["sev"] == "error")
    nw = sum(1 for g in got if g["sev"] == "warning")
    if doc.get("error_count") != ne or doc.get("warning_count") != nw:
        errs.append("json: counts %s/%s != %d/%d" %
                    (doc.get("error_count"), doc.get("warning_count"), ne, nw))
    if doc.get("valid") != (ne == 0):
        errs.append("json: valid=%s with %d errors" % (doc.get("valid"), ne))
    nexp_err = sum(1 for e in exp if e["sev"] == "error")
    want = opts["exit"] if opts["exit"] is not None else \
        (1 if nexp_err else 0)
    if rc != want:
        errs.append("exit %d, want %d" % (rc, want))
    if nw and not ne:
        r, _, _ = run(["validate", "--werror"] + opts["args"] + [name])
        if r != 1:
            errs.append("--werror with warnings: exit %d, want 1" % r)
    # stable check-table order
    idx = [order.index(g["check"]) if g["check"] in order else -1
           for g in got]
    if idx != sorted(idx):
        errs.append("findings not in check-table order: %s" %
                    [g["check"] for g in got])
    # the text form holds the same findings
    rct, tout, terr = run(["validate", "--no-unicode"] + opts["args"] + [name])
    if rct != rc:
        errs.append("text exit %d != json exit %d" % (rct, rc))
    blocks = text_blocks(tout + "\n" + terr)
    if len(blocks) != len(got):
        errs.append("text has %d finding blocks, json %d"
                    % (len(blocks), len(got)))
    for g, b in zip(got, blocks):
        f = g["f"]
        head = (f["subject"] + ": " if f["subject"] else "") + f["message"]
        if (b["check"], b["sev"]) != (f["check"], f["severity"]) or \
           b["head"] != head:
            errs.append("text block %r [%s] != json %r [%s]" %
                        (b["head"], b["check"], head, f["check"]))
            continue
        body = "\n".join(b["body"])
        for loc in f["locations"]:
            if "Line %d: " % loc["line"] not in body:
                errs.append("text: %s lacks 'Line %d:'" %
                            (f["check"], loc["line"]))
        for d in f["details"] + [f["suggestion"] or "",
                                 f["alternative"] or ""]:
            if d and d not in body:
                errs.append("text: %s lacks %r" % (f["check"], d))
    if ne and not re.search(r"(✗|FAIL) Validation failed with %d error"
                            % ne, tout):
        errs.append("text: no failure summary with %d errors" % ne)
    if not ne and not re.search(r"(✓|OK) Validation passed", tout):
        errs.append("text: no pass summary")
    return errs


def init_report():
    """The seeds' example report numbers (cli.md, init --report)."""
    errs = []
    rc, out, err = run(["--no-unicode", "init", "--dry-run", "--report",
                        "--input", "seed-baseline.dts"])
    for want in ("Host reserved: 0-3 (4 CPUs, 12%)",
                 "Available: 4-31 (28 CPUs, 88%)",
                 "Memory: 16GB total",
                 "Host reserved: 2GB (12%)",
                 "Memory pool: 14GB at 0x80000000 (88%)",
                 "CPUs: 32 total"):
        if want not in out:
            errs.append("init --report lacks %r" % want)
    if rc != 0:
        errs.append("init --report exit %d: %s" % (rc, err))
    for fmt in ("json", "yaml"):
        rc, out, err = run(["init", "--dry-run", "--report", "--format", fmt,
                            "--input", "seed-baseline.dts"])
        for k in ("schema_version", "valid", "error_count", "warning_count",
                  "findings"):
            if k not in out:
                errs.append("init --report --format %s lacks %s" % (fmt, k))
    return errs


def main():
    order = check_order()
    srclines = {}
    names = sorted(n for n in os.listdir(HERE)
                   if n.endswith((".dts", ".dtb")) and
                   os.path.exists(os.path.join(
                       HERE, os.path.splitext(n)[0] + ".expect")))
    npass = nfail = 0
    for n in names:
        errs = one(n, order, srclines)
        if errs:
            nfail += 1
            print("FAIL %s" % n)
            for e in errs:
                print("    " + e)
        else:
            npass += 1
    errs = init_report()
    if errs:
        nfail += 1
        print("FAIL init-report")
        for e in errs:
            print("    " + e)
    else:
        npass += 1
    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
