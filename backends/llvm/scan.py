"""Scan loops in LLVM: the whole loop runs in one native entry (scan_entry.py).

The inner graph, as the loop's own inner function was rewritten, is lowered
once more and its steps are rendered inside the loop of a native entry: no
Python runs per iteration except for inner nodes without an LLVM rendering
(one call each per step).  The reference loop over the inner function runs
only on the entry's slow path (unusual inputs, failing steps, no step at all),
where it gives Theano's results and errors.
"""
from __future__ import annotations

import numpy as np

from arignote.backends import lowering as lw

from . import jit, scan_entry


def compile_scan(backend, op, mode):
    """A runner ``run(outer input values) -> outer output values`` for ``op`` on this backend;
    None (the reference loop) for a body the entry cannot hold (object states such as generators)."""
    if any(t is None for t in op.out_taps):
        return None
    fg = op.inner_fgraph(backend, mode)
    from .backend import lowering_target

    try:
        program = lw.lower(fg, lowering_target(jit.get_target(), fg))
    except Exception:  # a body the lowering refuses: the reference loop
        return None
    if not scan_entry.supported(op, program):
        return None

    def reference():
        return op.inner_thunk(backend, mode)

    return _Loop(*scan_entry.compile_loop(op, program, reference))


class _Loop:
    """Runs a whole loop in its native entry; ``python_nodes``: the inner nodes it calls back
    into Python for, one call per step each."""

    def __init__(self, native, python_nodes):
        self.native, self.python_nodes = native, python_nodes

    def __call__(self, inputs):
        inputs = [v if type(v) is np.ndarray else np.asarray(v) for v in inputs]  # the entry reads arrays
        return self.native(inputs)
