"""A small backend, 'counting': runs the reference ``perform`` of every node and
counts how often each op ran (``backend.counts``), e.g. to check what a
rewrite removed."""
from __future__ import annotations

from collections import Counter

from arignote.reference import make_thunk


class CountingBackend:
    """Backend object: ``compile(fgraph)`` returns ``thunk(input values) -> output values``."""

    name = "counting"

    def __init__(self):
        self.counts = Counter()

    def compile(self, fgraph, **opts):
        counts = self.counts

        def node_runner(node):
            perform, key = node.op.perform, str(node.op)

            def counted(node, inputs, output_storage):
                counts[key] += 1
                perform(node, inputs, output_storage)

            return counted

        return make_thunk(fgraph, node_runner=node_runner)

    def reset(self):
        self.counts.clear()
