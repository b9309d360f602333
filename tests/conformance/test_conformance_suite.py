"""The conformance suite on every registered backend: each registered op's cases
against the reference (values and gradients, with and without rewrites), the
reference's gradients against finite differences, and the random-graph fuzzer.
An unavailable backend is skipped with its reason; the reference itself is run only
with rewrites (without them it would be compared with itself)."""
from __future__ import annotations

import os

import pytest

from arignote import plugin_manager as pm
from arignote.conformance import Elementwise, Reduction, fuzz_backend, run_conformance
from arignote.conformance.specs import resolve
from arignote.testing import REFERENCE, backend_params
from arignote.conformance.harness import builtin_backends

FUZZ_EXAMPLES = int(os.environ.get("ARIGNOTE_FUZZ_EXAMPLES", "40"))


def _backends(reference=False):
    names = [n for n, _ok, _why in builtin_backends()]      # every backend, opt-in ones included
    return [p for p in backend_params(names) if reference or p.id != REFERENCE]


def _groups():
    """Registered ops by kind: each group is compiled in a few batches per backend."""
    groups = {"elementwise": [], "reduction": [], "other": []}
    for name, rec in pm.ops().items():
        spec = resolve(rec.cases)
        kind = "elementwise" if isinstance(spec, Elementwise) else "reduction" if isinstance(spec, Reduction) \
            else "other"
        groups[kind].append(name)
    return groups


GROUPS = _groups()


@pytest.mark.parametrize("group", sorted(GROUPS))
@pytest.mark.parametrize("backend", _backends())
def test_ops_match_reference(backend, group):
    """Every op, a layout and dtype sample ('smoke'), compiled without rewrites: the
    backend's own implementation of each op (the fuzzer covers rewritten graphs)."""
    report = run_conformance(backends=[backend], ops=GROUPS[group], level="smoke", modes=("NO_REWRITES",),
                             grad=True, fd=False)
    assert report.ok, f"\n{report.summary()}\n\n{report.failures_text(limit=15)}"
    assert report.counts(backend)["passed"] > 0


def test_rewrites_keep_values_on_the_reference():
    """All cases compiled with every rewrite on the reference backend, against the reference."""
    report = run_conformance(backends=[REFERENCE], level="quick", modes=("FAST_RUN",), grad=True, fd=False)
    assert report.ok, report.failures_text(limit=15)


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(GROUPS))
@pytest.mark.parametrize("backend", _backends())
def test_sweep_every_layout_with_and_without_rewrites(backend, group):
    """Every dtype and layout of the 'quick' level, with and without rewrites (minutes on a
    compiled backend; ``arignote conformance --level full`` adds more dtypes)."""
    report = run_conformance(backends=[backend], ops=GROUPS[group], level="quick", grad=True, fd=False)
    assert report.ok, f"\n{report.summary()}\n\n{report.failures_text(limit=25)}"


def test_reference_gradients_match_finite_differences():
    report = run_conformance(backends=[], grad=False, fd=True)
    checked = [r for r in report.results if r.check == "fd-grad"]
    assert len(checked) > 100, "the built-in table should hold gradient cases for most float ops"
    assert report.ok, report.failures_text(limit=15)


def test_every_builtin_op_has_cases():
    report = run_conformance(backends=[], ops=None, grad=False, fd=False)
    assert not [n for n in report.notes if "without conformance cases" in n], report.notes
    assert report.ok, report.failures_text()


@pytest.mark.parametrize("backend", _backends(reference=True))
def test_fuzzer_finds_no_divergence(backend):
    pytest.importorskip("hypothesis")
    n = FUZZ_EXAMPLES if backend == REFERENCE else max(FUZZ_EXAMPLES // 3, 10)
    result = fuzz_backend(backend, n, seed=20240611)
    assert result.status == "passed", result.message
