"""The c backend's native entry: a compiled graph callable from C with no Python in between.

The entry is one C function of the runtime module (``ar_native_entry`` in runtime.c, built and
cached with it), with the fixed signature of :data:`arignote.native_entry.SIGNATURE`.  It runs
the program the c backend already encoded for the graph, through the same step runners and the
same generated kernels as the ordinary thunk, over a per-thread scratch (an instance of the
program whose slots hold no Python object and whose buffers are plain memory kept between
calls).  So it never takes the GIL.  A graph with a step that needs Python (a node running its
NumPy ``perform``, a Scan) has no entry: :class:`NativeEntryUnavailable` names the nodes.
"""
from __future__ import annotations

import numpy as np

from arignote.errors import NativeEntryUnavailable

from ..lowering import FallbackStep


class CNativeEntry:
    """The raw entry of one compiled graph; keeps its program (code, constants, kernels) alive."""

    def __init__(self, rt, template, program, inputs):
        self._rt, self._template = rt, template
        self.address = rt.native_entry_address()
        self.inputs = [(v.name, v.type.dtype, v.type.ndim) for v in inputs]
        self.shared = [program.containers[v] for v in inputs[len(program.inputs):]]
        self.outputs = [(v.type.dtype, v.type.ndim) for v in program.outputs]

    def new_scratch(self):
        """One thread's scratch (its buffers are freed with the returned object)."""
        return _Scratch(*self._rt.native_scratch(self._template))


class _Scratch:
    def __init__(self, capsule, address):
        self._capsule, self.address = capsule, address


def _describe(steps):
    return "; ".join(f"{n.op} ({', '.join(str(i.type) for i in n.inputs)})" for s in steps for n in s.nodes)


def native_entry(fgraph, runtime):
    """The :class:`CNativeEntry` of ``fgraph`` (compiled by the c backend); NativeEntryUnavailable
    naming the nodes that need Python, or an input/output that is not a tensor."""
    program, encoded = getattr(fgraph, "lowered", None), getattr(fgraph, "c_encoded", None)
    if program is None or encoded is None:
        raise NativeEntryUnavailable("c: the graph was not compiled by the c backend")
    python = [s for s in program.steps if isinstance(s, FallbackStep)]
    if python:
        raise NativeEntryUnavailable(
            f"c: {len(python)} step(s) run their NumPy perform or a Python loop, so the graph has no native "
            f"entry: {_describe(python)}")
    inputs = list(program.inputs) + list(program.containers)
    for v in inputs + list(program.outputs):
        if not hasattr(v.type, "ndim") or not hasattr(v.type, "numpy_dtype"):
            raise NativeEntryUnavailable(f"c: {v} is not a tensor ({v.type}); no native entry")
    esize = np.array([np.dtype(v.type.numpy_dtype).itemsize if hasattr(v.type, "numpy_dtype") else 0
                      for v in program.variables], dtype=np.int64)
    stat = np.array([-1 if d is None else int(d) for v in inputs for d in v.type.shape], dtype=np.int64)
    code, objs = encoded
    try:
        template = runtime.make_native(code, objs, esize.tobytes(), stat.tobytes())
    except ValueError as e:
        raise NativeEntryUnavailable(f"c: cannot make a native entry: {e}") from e
    return CNativeEntry(runtime, template, program, inputs)
