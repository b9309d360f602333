"""Running a graph node by node through each op's NumPy ``perform``: the reference.

The 'py' backend (arignote.backends.py) is this and nothing more; compiled
backends run their fallback nodes with it, and the checking modes
(mode='check', 'nanguard') run every node through it.  A call takes a
set of storage cells, one per variable, from a pool (a set is used by one call
at a time, so calls may overlap in threads), fills the input cells and walks the
program bound to that set: (perform, node, input cells, output cells).
"""
from __future__ import annotations

import numpy as np

from .graph import Constant
from .labels import node_summary
from .storage import to_host


class NodeRuntimeError:
    """Builds the error raised when a node fails at run time."""

    @staticmethod
    def wrap(exc, node, values):
        msg = f"{exc}\n{node_summary(node, values)}"
        new = None
        for etype in type(exc).__mro__:  # the error's own type, else the nearest that takes a message
            if issubclass(etype, Exception):
                try:
                    new = etype(msg)
                    break
                except Exception:
                    continue
        if new is None:  # pragma: no cover - Exception itself takes a message
            new = ValueError(msg)
        new.__cause__ = exc
        new.node = node
        return new


_errstate = np.errstate


def make_thunk(fgraph, node_runner=None):
    """A callable ``thunk(input_values) -> output values`` running ``fgraph`` node by node.

    ``node_runner(node)`` may return a replacement for ``node.op.perform``
    (compiled backends use this to mix their kernels with the reference).
    A call takes a storage set no other call is using (a new one only when
    every set is in use), so one thunk may run in many threads at once.
    """
    slot = {}
    init = []

    def cell(v, value=None):
        if v not in slot:
            slot[v] = len(init)
            init.append(value)

    for v in fgraph.inputs:
        cell(v)
    order = fgraph.toposort()
    for node in order:
        for v in node.inputs:
            cell(v, v.data if isinstance(v, Constant) else None)
        for v in node.outputs:
            cell(v)
    for v in fgraph.outputs:
        cell(v, v.data if isinstance(v, Constant) else None)
    program = []
    for node in order:
        perform = node_runner(node) if node_runner else None
        if perform is None:
            perform = node.op.perform
        program.append((perform, node, [slot[v] for v in node.inputs], [slot[v] for v in node.outputs]))
    out_slots = [slot[v] for v in fgraph.outputs]
    shared_const = [(slot[v], v.container) for v in fgraph.outputs if getattr(v, "_is_shared", False)
                    and v not in fgraph.inputs]
    n_in = len(fgraph.inputs)
    free = []  # storage sets no call is using; a call pops one (atomic) and gives it back when done

    def new_set():
        """A new storage set: its cells, and the program bound to them."""
        cells = [[v] for v in init]
        bound = [(perform, node, [cells[i] for i in ins], [cells[j] for j in outs])
                 for perform, node, ins, outs in program]
        return cells[:n_in], [cells[i] for i in out_slots], [(cells[i], c) for i, c in shared_const], bound

    def thunk(values):
        try:
            store = free.pop()
        except IndexError:  # every set is in use (or none made yet): calls overlap in threads
            store = new_set()
        in_cells, out_cells, consts, bound = store
        try:
            for c, v in zip(in_cells, values):
                c[0] = v
            for c, cont in consts:
                c[0] = to_host(cont[0])
            step = None
            try:
                with _errstate(all="ignore"):  # nan/inf are values here, as in compiled code, not warnings
                    for step in bound:
                        perform, node, ins, outs = step
                        perform(node, [c[0] for c in ins], outs)
            except Exception as e:  # name the node, its inputs and where it was made
                if step is None:
                    raise
                raise NodeRuntimeError.wrap(e, node, [c[0] for c in ins]) from e
            return [c[0] for c in out_cells]
        finally:
            free.append(store)

    thunk.program = program
    thunk.pool = free  # the storage sets not in use (tests read it)
    return thunk
