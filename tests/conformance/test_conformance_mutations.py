"""Mutation checks: each test plants one bug that once slipped through the suite, through
the hooks a plugin uses (a replaced rendering row, an LLVM recipe, a rewrite rule),
and asserts that the conformance runner reports it on the op it breaks, and only
there.  If one of these fails, the harness has gone blind to that kind of bug."""
from __future__ import annotations

import contextlib
import dataclasses
import types

import pytest

from arignote import plugin_manager as pm
from arignote.conformance import run_conformance
from arignote.hookspecs import RewriteRecord, hookimpl
from arignote.tensor.elemwise import Elemwise
from arignote.testing import builtin_backends

_STATUS = {n: (ok, why) for n, ok, why in builtin_backends()}


def _needs(name):
    ok, why = _STATUS.get(name, (False, "not registered"))
    return pytest.mark.skipif(not ok, reason=f"backend {name!r} is not available: {why}")


@contextlib.contextmanager
def planted(op, backend, kind, rendering, recipe=None):
    """The rendering table with op's ``backend`` column changed for inputs of ``kind`` (a copy of
    the row, put in with ``scalar_table.register(..., replace=True)`` as a plugin would; for llvm,
    ``recipe`` = (name, fn) added with ``register_recipe``), restored afterwards."""
    from arignote.backends import scalar_table

    original = scalar_table.row_of(op)
    had_row = op in scalar_table._added
    if recipe is not None:
        from arignote.backends.llvm import scalar_ir

        scalar_ir.register_recipe(*recipe)
    column = dict(getattr(original, backend) or {})
    column[kind] = rendering
    scalar_table.register(dataclasses.replace(original, **{backend: column}), replace=True)
    try:
        yield
    finally:
        if had_row:
            scalar_table.register(original, replace=True)
        else:
            scalar_table.unregister(op)
        if recipe is not None:
            scalar_ir.RECIPES.pop(recipe[0], None)
            scalar_ir._plugin_recipes.pop(recipe[0], None)
        scalar_table.table_changed()
        assert scalar_table.row_of(op) == original


def _check(backend, op, expect, modes=("NO_REWRITES",)):
    """Run op's cases on backend; assert failures on op only, with ``expect`` in a message."""
    report = run_conformance(backends=[backend], ops=[op], modes=modes, grad=False)
    bad = report.failures
    assert bad, f"the planted bug in {op} on {backend} went unreported:\n{report.summary()}"
    assert {(r.backend, r.op) for r in bad} == {(backend, op)}, report.failures_text(5)
    assert any(expect in r.message for r in bad), report.failures_text(5)
    return bad


@_needs("c")
def test_c_log1p_computed_as_log_of_one_plus_x():
    with planted("log1p", "c", "f", "log{F}(({T})1 + {0})"):
        bad = _check("c", "log1p", "want 1e-300")
    assert any(r.case.endswith(":small") for r in bad)
    assert run_conformance(backends=["c"], ops=["log1p"], modes=("NO_REWRITES",), grad=False).ok


@_needs("c")
def test_c_neg_computed_as_zero_minus_x():
    with planted("neg", "c", "f", "(({T})0 - {0})"):
        bad = _check("c", "neg", "(sign of zero)")
    assert {r.case for r in bad} == {"neg[float64]:edge", "neg[float32]:edge"}


def _maxnum(em, args, dtypes, out):
    """llvm.maxnum: the larger of two floats, ignoring a nan (C's fmax, not NumPy's maximum)."""
    return em.intr("llvm.maxnum", args)


@_needs("llvm")
def test_llvm_maximum_ignoring_nan():
    with planted("maximum", "llvm", "f", "planted.maxnum", recipe=("planted.maxnum", _maxnum)):
        bad = _check("llvm", "maximum", "want nan")
    assert any(r.case == "maximum[float64]:edge" for r in bad)


def _sqrt_of_square_to_x(fgraph, mode=None):
    """sqrt(x ** 2) -> x: the abs forgotten."""
    for node in list(fgraph.toposort()):
        if not (isinstance(node.op, Elemwise) and node.op.scalar_op.name == "sqrt"):
            continue
        inner = node.inputs[0].owner
        if inner is None or not isinstance(inner.op, Elemwise) or inner.op.scalar_op.name not in ("pow", "sqr"):
            continue
        if inner.op.scalar_op.name == "pow":
            exponent = getattr(inner.inputs[1], "data", None)
            if exponent is None or exponent.size != 1 or float(exponent.ravel()[0]) != 2:
                continue
        x = inner.inputs[0]
        if x.type == node.outputs[0].type:
            fgraph.replace(node.outputs[0], x, reason="planted_sqrt_of_square")


def test_rewrite_sqrt_of_square_to_x():
    plugin = types.SimpleNamespace(arignote_register_rewrites=hookimpl(lambda: [
        RewriteRecord("planted_sqrt_of_square", _sqrt_of_square_to_x, phase="canonicalize", tags=("fast_run",))]))
    pm.register(plugin, name="planted_rewrite")
    try:
        bad = _check("py", "identities", "want", modes=("FAST_RUN",))
    finally:
        pm.unregister("planted_rewrite")
    assert {r.case.split(":")[1] for r in bad} == {"sqrt-of-square", "sqrt-of-sqr"}
    assert run_conformance(backends=["py"], ops=["identities"], modes=("FAST_RUN",), grad=False).ok
