"""Count how many of the ``>>>`` examples of Theano's documentation run on arignote.

Usage: ``python tests/tools/theano_doc_examples.py DOC_ROOT [PAGE ...]`` where DOC_ROOT is
the ``doc/`` folder of a Theano source tree (e.g. the sdist of Theano 1.0.5) and PAGE a path
relative to it (default: every page of tutorial/, library/ and extending/ with examples).

Each page runs in a fresh subprocess, as Sphinx's doctest builder would: ``testsetup`` and
``testcode`` blocks are executed in order, ``>>>`` examples are checked with ELLIPSIS and
NORMALIZE_WHITESPACE, ``theano`` is renamed ``arignote`` and NumPy prints in its 1.13 mode.
Examples of scan and random streams (their own issues) are left out of the count.
"""
from __future__ import annotations

import doctest
import json
import os
import re
import subprocess
import sys
import textwrap

SECTIONS = ("tutorial", "library", "extending")
LEFT_OUT_PAGES = {"library/scan.txt", "tutorial/loop.txt", "extending/scan.txt",
                  "library/tensor/shared_randomstreams.txt", "library/tensor/raw_random.txt",
                  "library/sandbox/rng_mrg.txt"}
LEFT_OUT_EXAMPLE = re.compile(r"RandomStreams|srng\b|rv_[un]\b|\bscan\(|MRG_")
DIRECTIVE = re.compile(r"^(\s*)\.\. (testsetup|testcode|testoutput|doctest|code-block|code)::(.*)$")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def rename(text: str) -> str:
    return re.sub(r"\btheano\b", "arignote", text)


def segments(text: str):
    """Yield ('code', source) for testsetup/testcode bodies and ('doc', text) for the rest."""
    lines = text.splitlines()
    i, doc = 0, []
    while i < len(lines):
        m = DIRECTIVE.match(lines[i])
        skip = bool(m) and m.group(2) == "doctest" and "+SKIP" in "".join(lines[i + 1:i + 3])
        if not m or m.group(2) not in ("testsetup", "testcode", "testoutput") and not skip:
            doc.append(lines[i])
            i += 1
            continue
        indent = len(m.group(1))
        body, i = [], i + 1
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
            body.append(lines[i])
            i += 1
        body = [b for b in body if not re.match(r"^\s*:\w+:", b)]
        if doc:
            yield "doc", "\n".join(doc)
            doc = []
        if skip:
            yield "skip", "\n".join(body)
        elif m.group(2) != "testoutput":
            yield "code", textwrap.dedent("\n".join(body))
    if doc:
        yield "doc", "\n".join(doc)


class _Recorder(doctest.DocTestRunner):
    def __init__(self):
        super().__init__(optionflags=FLAGS, verbose=False)
        self.failed = []

    def report_failure(self, out, test, example, got):
        self.failed.append((example.source.strip(), "got: " + got.strip()[:200]))

    def report_unexpected_exception(self, out, test, example, exc_info):
        self.failed.append((example.source.strip(), f"{exc_info[0].__name__}: {str(exc_info[1])[:200]}"))


def run_page(path: str) -> dict:
    """Run one page's examples in this process; return counts and the failing examples."""
    import numpy as np

    np.set_printoptions(legacy="1.13")
    with open(path, encoding="utf-8") as fh:
        text = rename(fh.read())
    globs = {"__name__": "__doc_page__"}
    runner, parser = _Recorder(), doctest.DocTestParser()
    total = skipped = 0
    for kind, body in segments(text):
        if kind == "code":
            try:
                exec(compile(body, path, "exec"), globs)
            except Exception as exc:  # a setup failure shows up as failing examples below
                runner.failed.append(("<testcode>", f"{type(exc).__name__}: {str(exc)[:200]}"))
            continue
        if kind == "skip":
            skipped += len(parser.get_examples(body))
            continue
        examples = []
        for ex in parser.get_examples(body):
            if LEFT_OUT_EXAMPLE.search(ex.source):
                skipped += 1
                continue
            examples.append(ex)
        total += len(examples)
        if examples:
            test = doctest.DocTest(examples, globs, path, path, 0, None)
            test.globs = globs  # one namespace for the page, as Sphinx shares it
            runner.run(test, out=lambda s: None, clear_globs=False)
    failed = [f for f in runner.failed if f[0] != "<testcode>"]
    return {"total": total, "passed": total - len(failed), "left_out": skipped, "failed": runner.failed}


def pages(root: str):
    for section in SECTIONS:
        for dirpath, _, files in os.walk(os.path.join(root, section)):
            for name in sorted(files):
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                if name.endswith(".txt") and rel not in LEFT_OUT_PAGES:
                    with open(os.path.join(root, rel), encoding="utf-8") as fh:
                        if re.search(r"^\s*>>>", fh.read(), re.M):
                            yield rel


def main(argv):
    if len(argv) >= 2 and argv[0] == "--one":
        print(json.dumps(run_page(argv[1])))
        return 0
    root, chosen = argv[0], argv[1:] or sorted(pages(argv[0]))
    grand = [0, 0]
    verbose = os.environ.get("VERBOSE")
    for rel in chosen:
        try:
            proc = subprocess.run([sys.executable, __file__, "--one", os.path.join(root, rel)],
                                  capture_output=True, text=True, timeout=300)
            res = json.loads(proc.stdout.strip().splitlines()[-1])
        except Exception as exc:  # crash or hang of a whole page
            res = {"total": 0, "passed": 0, "left_out": 0, "failed": [("<page>", repr(exc)[:200])]}
        grand[0] += res["passed"]
        grand[1] += res["total"]
        print(f"{rel:45s} {res['passed']:4d} / {res['total']:4d}   (left out {res['left_out']})")
        if verbose:
            for src, why in res["failed"]:
                print("    FAIL", src.replace("\n", " | ")[:100], "->", why.replace("\n", " ")[:160])
    print(f"{'TOTAL':45s} {grand[0]:4d} / {grand[1]:4d}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
