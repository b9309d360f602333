"""Write tests/theano_docs/test_doc_<page>.py from a Theano doc tree (run once per doc update).

Usage: python tests/tools/write_doc_tests.py DOC_ROOT

Each module holds its page's examples and test blocks (``theano`` renamed ``arignote``)
and the examples left out, each with its reason: scan (its own issue; its examples are
kept unless WITH_SCAN is set empty), and the documented behaviours
listed in REASONS below.  A failing example with
no reason stops the script, so nothing is left out silently.
"""
from __future__ import annotations

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("WITH_SCAN", "1")  # arignote.scan exists: its examples are kept
import theano_doc_examples as tool  # noqa: E402  (puts tests/theano_docs on sys.path)
from doc_runner import run_text  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "theano_docs")

REASONS = {
    ("tutorial/adding.txt", "x = arignote.tensor.ivector()"):
        "the page uses theano before importing it, inside an RST comment ('.. note:' with one colon) "
        "that Sphinx never ran",
    ("tutorial/printing_drawing.txt", "arignote.printing.debugprint(predict)  # doctest: +NORMALIZE_WHITESPACE, +ELLIPSIS"):
        "the optimized graph differs: arignote fuses the logistic into another Composite and has no "
        "Gemv/AllocEmpty ops",
    ("tutorial/shape_info.txt", ("arignote.printing.debugprint(f) # doctest: +NORMALIZE_WHITESPACE", 2)):
        "Theano's compiled graph adds the shapes in place (Elemwise{Add}[(0, 0)], its inplace_elemwise "
        "rewrite); arignote has no automatic in-place rewrite (its in-place ops are the user's, "
        "arignote.tensor.inplace), so it prints Elemwise{add,no_inplace}",
    ("tutorial/using_gpu.txt", "from arignote import function, config, shared, tensor"):
        "GPU-only: uses Variable.transfer to a GPU context",
}


def _reason(rel, line):
    return REASONS.get((rel, line))


def module_text(rel, examples, left_out):
    name = "doc/" + rel
    lines = ['"""Theano\'s ' + name + ", run on arignote: its ``>>>`` examples and test blocks as in the docs",
             "(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.",
             '"""', "from doc_runner import check_page", "", f'PAGE = "{name}"', "", "LEFT_OUT = {"]
    for first, why in sorted(left_out.items(), key=lambda kv: repr(kv[0])):
        lines.append(f"    {first!r}:\n        {why!r},")
    lines += ["}", "", "EXAMPLES = r'''", examples.rstrip(), "'''", "", "", "def test_examples():",
              "    check_page(EXAMPLES, PAGE, LEFT_OUT)", ""]
    return "\n".join(lines)


def main(root):
    for rel in sorted(tool.pages(root)):
        text = tool._read(os.path.join(root, rel))
        examples = tool.extract(text)
        if "'''" in examples:
            raise SystemExit(f"{rel}: examples contain ''' (cannot be kept in a raw string)")
        left_out = {}
        for first in tool.left_out_of(text):
            left_out[first] = _reason(rel, first) or "scan (issue 15), or uses what a scan example computed"
        res = run_text(examples, rel, left_out)
        for (src, why), at in zip(res["failed"], res["failed_at"]):
            first = src.replace("<testcode>\n", "").strip().splitlines()[0].strip()
            reason = _reason(rel, first)
            if reason is None and at is not None and _reason(rel, at) is not None:
                first, reason = at, _reason(rel, at)  # only the n-th example beginning so
            if reason is None:
                raise SystemExit(f"{rel}: failing example without a reason: {first!r}: {why[:300]}")
            left_out[first] = reason
        res = run_text(examples, rel, left_out)
        if res["failed"]:
            raise SystemExit(f"{rel}: still failing after leaving out: {res['failed'][:2]}")
        slug = re.sub(r"\W", "_", rel[:-4])
        with open(os.path.join(OUT, f"test_doc_{slug}.py"), "w", encoding="utf-8") as fh:
            fh.write(module_text(rel, examples, left_out))
        print(f"{rel}: {res['passed']} examples, {len(left_out)} left out")


if __name__ == "__main__":
    main(sys.argv[1])
