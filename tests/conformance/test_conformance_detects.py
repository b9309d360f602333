"""The conformance runner catches deliberately wrong implementations and reports
them with their inputs: a backend with a wrong kernel, a backend that mutates its
inputs, an op with a wrong gradient, a rewrite that changes values."""
from __future__ import annotations

import types

import numpy as np
import pytest

from arignote import plugin_manager as pm
from arignote.conformance import Elementwise, collect_cases, fuzz_backend, run_conformance
from arignote.graph import Apply, Op
from arignote.hookspecs import BackendRecord, OpRecord, RewriteRecord, hookimpl
from arignote.reference import make_thunk
from arignote.tensor.elemwise import Elemwise
from arignote.tensor.variable import as_tensor_variable
from arignote.testing import backend_params


def _elemwise_name(node):
    return node.op.scalar_op.name if isinstance(node.op, Elemwise) else None


class PatchedBackend:
    """The reference, except that ``patch(node)`` may return another perform."""

    def __init__(self, name, patch):
        self.name, self.patch = name, patch

    def compile(self, fgraph, **opts):
        return make_thunk(fgraph, node_runner=self.patch)


def fmax_maximum(node):
    """maximum through np.fmax: ignores nan instead of propagating it (a classic C bug)."""
    if _elemwise_name(node) == "maximum":
        def perform(node, inputs, out):
            out[0][0] = np.asarray(np.fmax(*inputs), dtype=node.outputs[0].dtype)
        return perform
    return None


def mutating_exp(node):
    """exp computed in place over its input."""
    if _elemwise_name(node) == "exp":
        def perform(node, inputs, out):
            (x,) = inputs
            np.exp(x, out=x)
            out[0][0] = x.copy()
        return perform
    return None


@pytest.fixture
def register():
    """Register plugin objects for one test."""
    names = []

    def add(name, **hooks):
        pm.register(types.SimpleNamespace(**{k: hookimpl(v) for k, v in hooks.items()}), name=name)
        names.append(name)

    yield add
    for name in names:
        pm.unregister(name)


def _backend(register, name, patch):
    register(f"plugin_{name}", arignote_register_backends=lambda: [
        BackendRecord(name, factory=lambda: PatchedBackend(name, patch), priority=-100)])


def test_wrong_kernel_is_reported_with_inputs(register):
    _backend(register, "wrong_fmax", fmax_maximum)
    report = run_conformance(backends=["py", "wrong_fmax"], ops=["maximum", "exp"], grad=False)
    assert not report.ok
    assert report.counts("py")["failed"] == 0
    bad = report.failures
    assert {r.op for r in bad} == {"maximum"} and {r.backend for r in bad} == {"wrong_fmax"}
    edge = [r for r in bad if r.case == "maximum[float64]:edge"]
    assert len(edge) == 2  # FAST_RUN and NO_REWRITES
    assert "want nan" in edge[0].message
    assert "input 0: float64 shape (23, 1)" in edge[0].inputs and "nan" in edge[0].inputs
    text = report.failures_text()
    assert "wrong_fmax" in text and "maximum[float64]:edge" in text and "input 1: float64 shape (1, 23)" in text
    assert "FAIL" in report.op_table()
    summary = report.summary().splitlines()
    assert any(line.split()[:3] == ["wrong_fmax", str(report.counts("wrong_fmax")["passed"]),
                                    str(len(bad))] for line in summary), summary


def test_fuzzer_shrinks_a_divergence_to_a_reproduction(register):
    pytest.importorskip("hypothesis")
    _backend(register, "wrong_fmax", fmax_maximum)
    result = fuzz_backend("wrong_fmax", 200, seed=3, ops=["maximum"])
    assert result.status == "failed", result.message
    assert "reproduction:" in result.message and "apply_op('maximum'" in result.message
    source = result.message.split("reproduction:\n", 1)[1]
    namespace = {}
    exec(compile(source, "<reproduction>", "exec"), namespace)  # the printed script runs as it is
    diverges = [not np.allclose(g, r, equal_nan=True) or type(g) is not type(r)
                for g, r in zip(namespace["got"], namespace["ref"])]
    assert any(diverges)


def test_backend_mutating_its_input_is_caught(register):
    _backend(register, "mutating", mutating_exp)
    report = run_conformance(backends=["mutating"], ops=["exp"], grad=False, modes=("NO_REWRITES",))
    assert not report.ok
    assert all("mutated input(s) [0]" in r.message for r in report.failures)


class WrongGradOp(Op):
    """x ** 3 whose gradient forgets the factor 3."""

    def make_node(self, x):
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[0] ** 3

    def L_op(self, inputs, outputs, output_grads):
        return [output_grads[0] * inputs[0] ** 2]


def test_wrong_gradient_is_caught_by_finite_differences(register):
    register("plugin_wrong_grad", arignote_register_ops=lambda: [
        OpRecord("wrong_cube", WrongGradOp(), Elementwise(1, ("float64",), edge=False))])
    report = run_conformance(backends=["py"], ops=["wrong_cube"], grad=True)
    fd = [r for r in report.failures if r.check == "fd-grad"]
    assert fd and all(r.op == "wrong_cube" for r in fd)
    assert "differs from finite differences" in fd[0].message and "input 0" in fd[0].inputs


def test_rewrite_that_changes_values_is_caught(register):
    from arignote.tensor import math as tm

    def exp_to_expm1(fgraph, mode):
        for node in list(fgraph.toposort()):
            if _elemwise_name(node) == "exp":
                fgraph.replace(node.outputs[0], tm.expm1(node.inputs[0]), reason="wrong")

    register("plugin_wrong_rule", arignote_register_rewrites=lambda: [
        RewriteRecord("exp_to_expm1", exp_to_expm1, phase="specialize", tags=("fast_run",))])
    report = run_conformance(backends=["py"], ops=["exp"], grad=False)
    assert not report.ok
    assert {r.mode for r in report.failures} == {"FAST_RUN"}  # without rewrites the op is right


def test_broken_case_declaration_is_reported_not_raised(register):
    register("plugin_bad_cases", arignote_register_ops=lambda: [
        OpRecord("bad_cases", WrongGradOp(), cases=[object()])])
    report = run_conformance(backends=["py"], ops=["bad_cases"])
    assert [r.case for r in report.failures] == ["(declaration)"]
    assert "OpCase" in report.failures[0].message


def test_unavailable_backend_is_skipped_with_its_reason(register):
    register("plugin_absent", arignote_register_backends=lambda: [
        BackendRecord("absent_be", factory=object, available=lambda: (False, "needs a frobnicator"))])
    report = run_conformance(backends=["absent_be"], ops=["exp"])
    n_cases = len(collect_cases(["exp"]))
    assert report.ok and report.counts("absent_be") == {"passed": 0, "failed": 0, "skipped": 2 * n_cases}
    assert "skipped: needs a frobnicator" in report.summary()


def test_unknown_names_are_usage_errors():
    with pytest.raises(ValueError, match="unknown backend.*nope.*registered backends: .*py"):
        run_conformance(backends=["nope"])
    with pytest.raises(ValueError, match="no registered op matches 'nope'"):
        run_conformance(backends=["py"], ops=["nope"])


@pytest.mark.parametrize("backend", [p for p in backend_params() if p.id in ("c", "llvm")])
def test_report_counts_native_and_fallback_cases(backend):
    report = run_conformance(backends=[backend], ops=["exp", "repeat"], modes=("NO_REWRITES",), grad=False)
    assert report.ok, report.failures_text(5)
    by_op = {op: {r.path for r in report.results if r.op == op and r.check == "value"} for op in ("exp", "repeat")}
    assert by_op == {"exp": {"native"}, "repeat": {"fallback"}}  # repeat runs its NumPy perform (cumsum is native now)
    n_exp, n_repeat = (len(collect_cases([op])) for op in ("exp", "repeat"))
    assert report.paths(backend) == {"native": n_exp, "fallback": n_repeat}
    row = next(line.split() for line in report.summary().splitlines() if line.split()[:1] == [backend])
    assert row[4:6] == [str(n_exp), str(n_repeat)]
    assert run_conformance(backends=["py"], ops=["exp"], grad=False).paths("py") is None  # py cannot tell
