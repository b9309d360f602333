"""Count how many of the ``>>>`` examples of Theano's documentation run on arignote.

Usage:
  python tests/tools/theano_doc_examples.py DOC_ROOT [PAGE ...]       count per page
  python tests/tools/theano_doc_examples.py --extract DOC_ROOT PAGE   print a page's examples

DOC_ROOT is the ``doc/`` folder of a Theano source tree (e.g. the sdist of Theano 1.0.5:
``pip download Theano==1.0.5 --no-deps --no-binary :all:``), PAGE a path relative to it
(default: every page of tutorial/, library/ and extending/ with examples).  Each page runs
in a fresh subprocess (see tests/theano_docs/doc_runner.py for how).  Examples of scan are
left out of the count (``WITH_SCAN=1`` counts them);
``VERBOSE=1`` lists failures.
``--extract`` prints the examples and test blocks of a page (``theano`` renamed), the
text the page's test module in tests/theano_docs keeps.
"""
from __future__ import annotations

import doctest
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "theano_docs"))
from doc_runner import first_line, rename, run_text, segments  # noqa: E402

SECTIONS = ("tutorial", "library", "extending")
SCAN_PAGES = {"library/scan.txt", "tutorial/loop.txt", "extending/scan.txt"}
# WITH_SCAN=1 counts scan's pages and examples too (once arignote.scan exists); random streams count
WITH_SCAN = bool(os.environ.get("WITH_SCAN"))
LEFT_OUT_PAGES = set() if WITH_SCAN else SCAN_PAGES
LEFT_OUT_EXAMPLE = re.compile(r"(?!)" if WITH_SCAN else r"\bscan\(")


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return rename(fh.read())


def _assigned(source):
    """Names a piece of code binds at top level (``a, b = ...``, ``def f``, ``class C``)."""
    names = set()
    for m in re.finditer(r"^(?:def|class)\s+(\w+)|^([\w, ]+?)\s*=(?!=)", source, re.M):
        names.update(n.strip() for n in (m.group(1) or m.group(2)).split(",") if n.strip())
    return names


def left_out_of(text):
    """First lines of the scan examples of a page, and of the examples
    using what those compute (a name bound by a left-out example stays left out until rebound)."""
    parser, out, tainted = doctest.DocTestParser(), set(), set()
    for kind, body in segments(text):
        pieces = [body] if kind == "code" else [ex.source for ex in parser.get_examples(body)] if kind == "doc" else []
        for src in pieces:
            rhs = re.sub(r"^[\w, ]+?\s*=(?!=)", "", src, flags=re.M)
            uses = any(re.search(rf"\b{re.escape(n)}\b", rhs) for n in tainted)
            if LEFT_OUT_EXAMPLE.search(src) or uses:
                tainted |= _assigned(src)
                if src.strip():
                    out.add(first_line(src))
            else:
                tainted -= _assigned(src)
    return out


def extract(text):
    """The page reduced to its test blocks and ``>>>`` examples with their outputs."""
    parser, out = doctest.DocTestParser(), []
    for kind, body in segments(text):
        if kind == "code":
            out.append(".. testcode::\n\n" + "\n".join("   " + ln if ln else "" for ln in body.splitlines()) + "\n")
        elif kind == "doc":
            for ex in parser.get_examples(body):
                src = ex.source.rstrip("\n").splitlines()
                lines = [">>> " + src[0]] + ["... " + s for s in src[1:]]
                lines += [w for w in ex.want.rstrip("\n").splitlines()]
                out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def pages(root):
    for section in SECTIONS:
        for dirpath, _, files in os.walk(os.path.join(root, section)):
            for name in sorted(files):
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                if name.endswith(".txt") and rel not in LEFT_OUT_PAGES and re.search(
                        r"^\s*>>>", _read(os.path.join(root, rel)), re.M):
                    yield rel


def main(argv):
    if argv and argv[0] == "--one":
        text = _read(argv[1])
        res = run_text(text, argv[1], left_out_of(text))
        res["failed"] = [(s, w[:300]) for s, w in res["failed"]]
        print(json.dumps(res))
        return 0
    if argv and argv[0] == "--extract":
        print(extract(_read(os.path.join(argv[1], argv[2]))))
        return 0
    root, chosen = argv[0], argv[1:] or sorted(pages(argv[0]))
    grand = [0, 0]
    for rel in chosen:
        try:
            proc = subprocess.run([sys.executable, __file__, "--one", os.path.join(root, rel)],
                                  capture_output=True, text=True, timeout=300)
            res = json.loads(proc.stdout.strip().splitlines()[-1])
        except Exception as exc:  # a crash or hang of a whole page
            res = {"total": 0, "passed": 0, "left_out": 0, "failed": [("<page>", repr(exc)[:200])]}
        grand[0] += res["passed"]
        grand[1] += res["total"]
        print(f"{rel:45s} {res['passed']:4d} / {res['total']:4d}   (left out {res['left_out']})")
        if os.environ.get("VERBOSE"):
            for src, why in res["failed"]:
                print("    FAIL", src.replace("\n", " | ")[:100], "->", why.replace("\n", " ")[:200])
    print(f"{'TOTAL':45s} {grand[0]:4d} / {grand[1]:4d}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
