"""The conformance suite: every registered op on every backend against the NumPy reference.

* :func:`run_conformance` -- op cases × backends × dtypes (+ gradients, + fuzzing), a :class:`Report`;
* :class:`Elementwise`, :class:`Reduction`, :class:`Explicit` -- how an ``OpRecord`` declares its samples;
* :func:`fuzz_backend` -- the hypothesis random-graph fuzzer on one backend;
* :func:`apply_op`, :func:`as_view` -- used by the reproductions the fuzzer prints.

``arignote conformance`` is the command line of the same runner.
"""
from __future__ import annotations

from .fuzzops import FuzzOp
from .report import Report, Result
from .runner import DEFAULT_MODES, apply_op, collect_cases, run_conformance
from .specs import Elementwise, Explicit, Reduction
from .values import as_view, edge_values


def fuzz_backend(*args, **kwargs):
    """See :func:`arignote.conformance.fuzz.fuzz_backend` (imports hypothesis on first use)."""
    from .fuzz import fuzz_backend as run

    return run(*args, **kwargs)


fuzz = fuzz_backend

__all__ = ["run_conformance", "Report", "Result", "Elementwise", "Reduction", "Explicit", "FuzzOp", "fuzz",
           "fuzz_backend", "apply_op", "collect_cases", "as_view", "edge_values", "DEFAULT_MODES"]
