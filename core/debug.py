"""What of a compiled function still runs through Python: ``fallbacks(f)``, and per backend the ops
that have no native lowering (``arignote info --fallbacks``)."""
from __future__ import annotations

__all__ = ["fallbacks", "unlowered_ops", "unrendered_scalar_forms"]


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



#: the dtype that stands for each input kind when asking a backend about an elementwise op
_KIND_DTYPES = {"b": "bool", "i": "int64", "u": "uint8", "f": "float64", "c": "complex128"}


def unrendered_scalar_forms(backend):
    """Sorted ``'op[kind]'`` forms of the built-in elementwise ops that ``backend`` runs through their
    NumPy ``perform``: for each input kind ('b', 'i', 'u', 'f', 'c') that NumPy's ufunc of the op
    has a loop for and that arignote accepts (a kind it refuses at graph build is no fallback), the
    op's node on inputs of that kind, lowered as the backend lowers it.  Empty for a backend not
    built on the shared lowering."""
    import numpy as np

    from . import plugin_manager
    from . import scalar as ps
    from .fg import FunctionGraph
    from .tensor import math as tm
    from .types import TensorType

    ask = getattr(plugin_manager.get_backend(backend), "fallback_nodes", None)
    if ask is None:
        return []
    out = []
    for name, sop in sorted(ps.all_scalar_ops().items()):
        if not isinstance(sop.loop, np.ufunc) or not sop.public or name not in ps.BUILTIN:
            continue
        kinds = {np.dtype(t[0]).kind for t in sop.loop.types if t[0] not in "OmMgG"} & set(_KIND_DTYPES)
        for k in sorted(kinds):
            ins = [TensorType(_KIND_DTYPES[k], shape=(None,))() for _ in range(max(sop.nin, 1) if sop.nin > 0 else 2)]
            try:
                z = tm.elemwise(name)(*ins)
            except TypeError:  # refused at graph build, as NumPy refuses it
                continue
            if ask(FunctionGraph(ins, [z], clone=False)):
                out.append(f"{name}[{k}]")
    return out
