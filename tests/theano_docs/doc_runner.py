"""Run the ``>>>`` examples of a page of Theano's documentation on arignote.

A page's examples are kept as text (``EXAMPLES`` in its test module), as they stand in
Theano's docs with ``theano`` renamed ``arignote``.  They run as Sphinx's doctest builder
runs them: ``testsetup``/``testcode`` blocks executed in order, all in one namespace,
``>>>`` examples checked with ELLIPSIS and NORMALIZE_WHITESPACE, NumPy printing in its
1.13 (legacy) mode as when the docs were written.
"""
from __future__ import annotations

import doctest
import re
import textwrap

DIRECTIVE = re.compile(r"^(\s*)\.\. (testsetup|testcode|testoutput|doctest|code-block|code)::(.*)$")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def rename(text: str) -> str:
    return re.sub(r"\btheano\b", "arignote", text)


def segments(text: str):
    """('code', source) for testsetup/testcode bodies, ('skip', text) for ``+SKIP`` doctest
    blocks, ('doc', text) for the rest, in page order."""
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
        self.failed_at = []  # (first line, occurrence) of each failed example

    def report_failure(self, out, test, example, got):
        self.failed.append((example.source.strip(), "expected:\n" + example.want + "got:\n" + got))
        self.failed_at.append(getattr(example, "occurrence", None))

    def report_unexpected_exception(self, out, test, example, exc_info):
        self.failed.append((example.source.strip(), f"{exc_info[0].__name__}: {exc_info[1]}"))
        self.failed_at.append(getattr(example, "occurrence", None))


def first_line(example_source: str) -> str:
    return example_source.strip().splitlines()[0].strip()


def run_text(text: str, name: str = "<page>", left_out=(), globs=None) -> dict:
    """Run a page's examples; ``left_out`` names examples not to run: by first line (every
    example beginning so), or by (first line, n) for the n-th of them (from 1).
    Returns counts, the failures [(source, why)] and, in ``failed_at``, which (first line, n)
    each failed example was."""
    import os
    import tempfile

    import numpy as np

    old, cwd = np.get_printoptions(), os.getcwd()
    np.set_printoptions(legacy="1.13")
    scratch = tempfile.TemporaryDirectory()  # pages save files (obj.save, ...): keep them out of the tree
    os.chdir(scratch.name)
    try:
        globs = {"__name__": "__doc_page__"} if globs is None else globs
        runner, parser = _Recorder(), doctest.DocTestParser()
        total = skipped = 0
        seen = {}  # first line -> how many examples began with it so far
        for kind, body in segments(text):
            if kind == "code":
                if body.strip() and first_line(body) in left_out:
                    continue
                try:
                    exec(compile(body, name, "exec"), globs)
                except Exception as exc:
                    runner.failed.append(("<testcode>\n" + body, f"{type(exc).__name__}: {exc}"))
                    runner.failed_at.append(None)
                continue
            if kind == "skip":
                continue
            examples = []
            for ex in parser.get_examples(body):
                first = first_line(ex.source)
                seen[first] = seen.get(first, 0) + 1
                if first in left_out or (first, seen[first]) in left_out:
                    skipped += 1
                    continue
                ex.occurrence = (first, seen[first])
                examples.append(ex)
            total += len(examples)
            if examples:
                test = doctest.DocTest(examples, globs, name, name, 0, None)
                test.globs = globs  # one namespace for the page, as Sphinx shares it
                runner.run(test, out=lambda s: None, clear_globs=False)
    finally:
        np.set_printoptions(**old)
        os.chdir(cwd)
        scratch.cleanup()
    n_failed = sum(1 for src, _ in runner.failed if not src.startswith("<testcode>"))
    return {"total": total, "passed": total - n_failed, "left_out": skipped, "failed": runner.failed,
            "failed_at": runner.failed_at}


def _registered():
    from arignote import plugin_manager

    return {n for n, _ in plugin_manager.plugin_names()}


def check_page(examples: str, name: str, left_out: dict) -> None:
    """Assert that every example of the page, except those left out, runs and prints as documented.
    Optimizers a page registers (``optdb.register``) are unregistered afterwards."""
    from arignote import plugin_manager

    before = _registered()
    try:
        res = run_text(examples, name, left_out)
    finally:
        for added in _registered() - before:
            plugin_manager.unregister(added)
    if res["failed"]:
        lines = [f"{len(res['failed'])} of the examples of {name} fail:"]
        for src, why in res["failed"]:
            lines.append(f"--- {src}\n{why}")
        raise AssertionError("\n".join(lines))
    assert res["total"] > 0
