"""Theano's ``theano.compile.monitormode``: call user functions around every node."""
from __future__ import annotations

from ..debugmode import _NodeModeBase


class _NodeRun:
    """What ``pre_func``/``post_func`` see as ``fn``: ``inputs``/``outputs`` storage cells."""

    def __init__(self, inputs, n_out):
        self.inputs = [[v] for v in inputs]
        self.outputs = [[None] for _ in range(n_out)]


class MonitorMode(_NodeModeBase):
    """Runs the graph node by node, calling ``pre_func(i, node, fn)`` before and
    ``post_func(i, node, fn)`` after node ``i`` (its index in the toposort), where
    ``fn.inputs``/``fn.outputs`` hold the values as one-element lists."""

    def __init__(self, pre_func=None, post_func=None, optimizer="default", linker=None, backend=None):
        super().__init__(linker, optimizer, backend)
        self.pre_func, self.post_func = pre_func, post_func
        self._index = {}

    def compile_graph(self, backend, fgraph):
        self._index.update({node: i for i, node in enumerate(fgraph.toposort())})
        return super().compile_graph(backend, fgraph)

    def _run_node(self, backend_name, node, run, inputs, storage):
        i = self._index.get(node, -1)
        fn = _NodeRun(inputs, len(node.outputs))
        if self.pre_func is not None:
            self.pre_func(i, node, fn)
        for k, g in enumerate(run(inputs)):
            fn.outputs[k][0] = g
            storage[k][0] = g
        if self.post_func is not None:
            self.post_func(i, node, fn)

    def __repr__(self):
        return f"MonitorMode(pre_func={self.pre_func!r}, post_func={self.post_func!r})"
