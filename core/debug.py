"""What of a compiled function still runs through Python: ``fallbacks(f)``, and per backend the ops
that have no native lowering (``arignote info --fallbacks``)."""
from __future__ import annotations

__all__ = ["fallbacks", "unlowered_ops"]


def fallbacks(f):
    """The Apply nodes of the compiled function ``f`` that its backend runs through their NumPy
    ``perform`` (a Python call per node and call) instead of native code; empty when none.  On the
    'py' backend every node runs in Python, so every node is listed."""
    from . import plugin_manager

    fgraph = f.maker.fgraph
    backend = plugin_manager.get_backend(f.backend)
    ask = getattr(backend, "fallback_nodes", None)
    if ask is not None:
        return list(ask(fgraph))
    return list(fgraph.toposort())


def unlowered_ops(backend):
    """Sorted names of the public Op classes of ``arignote.tensor`` that ``backend`` always runs
    through their NumPy ``perform``: for a backend built on the shared lowering (one that answers
    ``fallback_nodes``), the ops that are neither elementwise (fused loops) nor mapped to a step by a
    lowering rule; for any other backend (the 'py' reference), every op.  A rule may still decline
    some forms of an op it lowers (dtypes, index kinds): ``fallbacks(f)`` tells for a given graph."""
    from . import plugin_manager
    from .graph import Op
    from .tensor.elemwise import Elemwise

    classes, seen, stack = set(), set(), list(Op.__subclasses__())
    while stack:
        c = stack.pop()
        if c not in seen:
            seen.add(c)
            stack.extend(c.__subclasses__())
            if c.__module__.startswith("arignote.tensor.") and not c.__name__.startswith("_"):
                classes.add(c)
    if getattr(plugin_manager.get_backend(backend), "fallback_nodes", None) is None:
        return sorted(c.__name__ for c in classes)
    native = (Elemwise, *(rec.op_type for rec in plugin_manager.lowerings().values()))
    return sorted({c.__name__ for c in classes if not issubclass(c, native)})
