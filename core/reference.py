"""Running a graph node by node through each op's NumPy ``perform``: the reference.

The 'py' backend (arignote.backends.py) is this and nothing more; compiled
backends run their fallback nodes with it, and the checking modes
(mode='check', 'nanguard') run every node through it.  Storage is one cell per
variable, allocated once at compile time; a call fills the input cells and
walks a precomputed program of (perform, node, input cells, output cells).
"""
from __future__ import annotations

import numpy as np

from .graph import Constant
from .labels import node_summary


class NodeRuntimeError:
    """Builds the error raised when a node fails at run time."""

    @staticmethod
    def wrap(exc, node, values):
        msg = f"{exc}\n{node_summary(node, values)}"
        etype = type(exc)
        try:
            new = etype(msg)
        except Exception:
            new = ValueError(msg)
        new.__cause__ = exc
        new.node = node
        return new


_errstate = np.errstate


def make_thunk(fgraph, node_runner=None):
    """A callable ``thunk(input_values) -> output values`` running ``fgraph`` node by node.

    ``node_runner(node)`` may return a replacement for ``node.op.perform``
    (compiled backends use this to mix their kernels with the reference).
    """
    cells = {}
    for v in fgraph.inputs:
        cells[v] = [None]
    order = fgraph.toposort()
    for node in order:
        for v in node.inputs:
            if v not in cells:
                cells[v] = [v.data if isinstance(v, Constant) else None]
        for v in node.outputs:
            cells[v] = [None]
    for v in fgraph.outputs:
        if v not in cells:
            cells[v] = [v.data if isinstance(v, Constant) else None]
    program = []
    for node in order:
        perform = node_runner(node) if node_runner else None
        if perform is None:
            perform = node.op.perform
        program.append((perform, node, [cells[v] for v in node.inputs], [cells[v] for v in node.outputs]))
    in_cells = [cells[v] for v in fgraph.inputs]
    out_cells = [cells[v] for v in fgraph.outputs]
    shared_const = [(cells[v], v.container) for v in fgraph.outputs if getattr(v, "_is_shared", False)
                    and v not in fgraph.inputs]

    def thunk(values):
        for c, v in zip(in_cells, values):
            c[0] = v
        for c, cont in shared_const:
            c[0] = cont[0]
        step = None
        try:
            with _errstate(all="ignore"):  # nan/inf are values here, as in compiled code, not warnings
                for step in program:
                    perform, node, ins, outs = step
                    perform(node, [c[0] for c in ins], outs)
        except Exception as e:  # name the node, its inputs and where it was made
            if step is None:
                raise
            raise NodeRuntimeError.wrap(e, step[1], [c[0] for c in step[2]]) from e
        return [c[0] for c in out_cells]

    thunk.program = program
    return thunk

