"""Every op case table compiled without rewrites, against its NumPy reference.

``test_case[<backend>-*]`` of each table runs the cases in the default mode
(FAST_RUN, every rewrite); here the same cases run with no rewrite at all, so
both the rewritten and the unrewritten graphs are checked against NumPy (never
against each other: a rewrite and the perform it replaces could agree on a
wrong value)."""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

from arignote.conformance import index_table, shape_table
from arignote.testing import run_case

import cases as _cases_pkg


def _all_cases():
    out = [("shape_table", c) for c in shape_table.CASES] + [("index_table", c) for c in index_table.CASES]
    for info in sorted(pkgutil.iter_modules(_cases_pkg.__path__), key=lambda m: m.name):
        if not info.name.endswith("_cases"):
            continue
        mod = importlib.import_module(f"cases.{info.name}")
        out.extend((info.name, c) for c in getattr(mod, "CASES", []))
    return [(t, c) for t, c in out if c.mode is None]


CASES = _all_cases()


def test_tables_have_numpy_references():
    assert all(c.ref is not None for _, c in CASES), [c.id for _, c in CASES if c.ref is None][:5]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("table,case", CASES, ids=[f"{t}:{c.id}" for t, c in CASES])
def test_unrewritten_matches_numpy(table, case):
    run_case(dataclasses.replace(case, mode="NO_REWRITES"), backend="py", check_grad=False)
