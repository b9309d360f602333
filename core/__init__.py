"""arignote: a symbolic tensor compiler in the line of Theano.

Write math on typed symbolic variables, then ``function()`` rewrites,
differentiates and compiles it for a backend (NumPy reference, C, LLVM, CUDA).
"""
from __future__ import annotations

__version__ = "0.1.0"

from .config import config
from . import tensor
from .graph import Apply, Constant, Op, Variable
from .types import TensorType, Type
from .shared import SharedVariable, shared
from .function import Function, In, MissingInputError, Out, Param, UnusedInputError, function
from .mode import Mode
from .gradient import grad
from . import gradient, printing
from .printing import pp, debugprint, pydotprint
from . import debug  # noqa: E402  (arignote.debug.fallbacks)
from .fg import FunctionGraph
from .clone import clone
from . import gof  # noqa: E402,F401  (Theano's graph/optimizer API; gives Apply its documented path)

__all__ = [
    "config", "tensor", "function", "shared", "In", "Out", "Param", "grad", "printing", "gradient", "pp",
    "debugprint", "pydotprint", "Mode", "Variable", "Constant", "Apply", "Op", "TensorType", "FunctionGraph",
    "SharedVariable", "MissingInputError", "UnusedInputError", "Function", "Type", "dot", "clone",
]

def dot(l, r):
    """Theano's ``theano.dot``: the dot product of ``l`` and ``r``, dense or sparse (a sparse operand's
    own ``__dot__``/``__rdot__`` first, else the tensor dot)."""
    for a, meth, b in ((l, "__dot__", r), (r, "__rdot__", l)):
        f = getattr(a, meth, None)
        if f is not None:
            out = f(b)
            if out is not NotImplemented:
                return out
    return tensor.dot(l, r)


# Theano's sub-packages, imported on first use (``arignote.gof``, ``arignote.sparse``, ...)
_LAZY_MODULES = ("gof", "compile", "scalar", "sparse", "typed_list", "sandbox")


_LAZY = {"scan": ".scan", "scan_module": ".scan_module", "map": ".scan", "reduce": ".scan", "foldl": ".scan",
         "foldr": ".scan", "scan_checkpoints": ".scan"}


def __getattr__(name):
    import importlib

    # later layers (scan, random streams) and Theano's sub-packages are imported on first use
    if name in _LAZY:
        mod = importlib.import_module(_LAZY[name], __name__)
        return mod if name in ("scan", "scan_module") else getattr(mod, name)
    if name in _LAZY_MODULES:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a layer not built yet: hasattr() answers False
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'arignote' has no attribute {name!r}")
