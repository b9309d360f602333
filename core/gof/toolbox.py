"""Theano's FunctionGraph features (``theano.gof.toolbox``)."""
from __future__ import annotations

from ..errors import InconsistencyError


class Feature:
    """A FunctionGraph listener: ``on_attach``, ``on_import``, ``on_prune``, ``on_change_input``."""

    def on_attach(self, fgraph):
        pass

    def on_detach(self, fgraph):
        pass


class ReplaceValidate(Feature):
    """Gives the graph ``replace_validate(r, new_r)`` and ``replace_all_validate(pairs)``:
    replacements that are undone when they would make a variable depend on itself."""

    def on_attach(self, fgraph):
        if getattr(fgraph, "_replace_validate", None) is not None:
            return
        fgraph._replace_validate = self
        fgraph.replace_validate = lambda r, new_r, reason=None, **kw: self.replace_all_validate(
            fgraph, [(r, new_r)], reason)
        fgraph.replace_all_validate = lambda pairs, reason=None, **kw: self.replace_all_validate(
            fgraph, pairs, reason)

    def replace_all_validate(self, fgraph, pairs, reason=None):
        for r, new_r in pairs:
            if _depends_on(new_r, r):
                raise InconsistencyError(f"replacing {r} by {new_r} would make {new_r} depend on itself")
        for r, new_r in pairs:
            fgraph.replace(r, new_r, reason=reason)


def _depends_on(var, target):
    from ..graph import ancestors

    return target in set(ancestors([var]))


class NodeFinder(Feature):
    """Gives the graph ``get_nodes(op)``: its nodes applying ``op`` (in topological order)."""

    def on_attach(self, fgraph):
        fgraph.get_nodes = lambda op: [n for n in fgraph.toposort() if n.op == op]


class PrintListener(Feature):
    """Prints the graph's changes as they happen."""

    def on_attach(self, fgraph):
        print("-- attaching to:", fgraph)

    def on_import(self, fgraph, node, reason):
        print("-- importing:", node, "reason:", reason)

    def on_prune(self, fgraph, node, reason):
        print("-- pruning:", node, "reason:", reason)

    def on_change_input(self, fgraph, r, new_r, reason):
        print("-- changing:", r, "->", new_r, "reason:", reason)
