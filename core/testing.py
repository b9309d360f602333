"""Testing arignote ops and backends (the public face of :mod:`arignote.conformance`).

The harness (``OpCase``, ``run_case``, the comparison rules) and the
conformance runner live in :mod:`arignote.conformance`; this module only
re-exports them under the names users import::

    from arignote.testing import OpCase, run_case, run_conformance
    report = run_conformance(backends=["c"], ops=["exp", "sum"], fuzz=50)
    print(report.summary())
    assert report.ok, report.failures_text()
"""
from __future__ import annotations

from .conformance import (Elementwise, Explicit, FuzzOp, Reduction, Report, Result, apply_op, as_view,
                          collect_cases, edge_values, fuzz, run_conformance)
from .conformance.compare import mismatch
from .conformance.harness import (GRADIENT_BACKENDS, REFERENCE, REFERENCE_MODE, OpCase, _as_list, all_backends,
                                  assert_matches, available_backends, backend_params,
                                  builtin_backends, case_arrays, check_gradient, describe_inputs,
                                  precompute, reference_outputs, run_case, symbolic_inputs)

__all__ = ["OpCase", "run_case", "assert_matches", "mismatch", "check_gradient", "precompute", "reference_outputs",
           "symbolic_inputs", "case_arrays", "describe_inputs", "available_backends", "all_backends", "builtin_backends",
           "backend_params", "REFERENCE",
           "REFERENCE_MODE", "GRADIENT_BACKENDS", "run_conformance", "Report", "Result", "Elementwise", "Reduction",
           "Explicit", "FuzzOp", "fuzz", "apply_op", "collect_cases", "as_view", "edge_values", "_as_list"]
