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
from .fg import FunctionGraph
from . import gof  # noqa: E402,F401  (Theano's graph/optimizer API; gives Apply its documented path)

__all__ = [
    "config", "tensor", "function", "shared", "In", "Out", "Param", "grad", "printing", "gradient", "pp",
    "debugprint", "pydotprint", "Mode", "Variable", "Constant", "Apply", "Op", "TensorType", "FunctionGraph",
    "SharedVariable", "MissingInputError", "UnusedInputError", "Function", "Type",
]

# Theano's sub-packages, imported on first use (``arignote.gof``, ``arignote.sparse``, ...)
_LAZY_MODULES = ("gof", "compile", "scalar", "sparse", "typed_list")


def __getattr__(name):
    import importlib

    # later layers (scan, random streams) are imported on first use; a layer not built
    # yet answers AttributeError, so hasattr(arignote, "scan") is False rather than an error
    if name == "scan":
        try:
            from .scan import scan
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.scan":
                raise
            raise AttributeError(f"module 'arignote' has no attribute 'scan'") from None
        return scan
    if name in _LAZY_MODULES:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'arignote' has no attribute {name!r}")
