"""arignote: a symbolic tensor compiler in the line of Theano.

Write math on typed symbolic variables, then ``function()`` rewrites,
differentiates and compiles it for a backend (NumPy reference, C, LLVM, CUDA).
"""
from __future__ import annotations

__version__ = "0.1.0"

from .config import config
from . import tensor
from .graph import Apply, Constant, Op, Variable
from .types import TensorType
from .shared import SharedVariable, shared
from .function import Function, In, MissingInputError, Out, Param, UnusedInputError, function
from .mode import Mode
from .gradient import grad
from . import gradient, printing
from .printing import pp, debugprint, pydotprint
from .fg import FunctionGraph

__all__ = [
    "config", "tensor", "function", "shared", "In", "Out", "Param", "grad", "printing", "gradient", "pp",
    "debugprint", "pydotprint", "Mode", "Variable", "Constant", "Apply", "Op", "TensorType", "FunctionGraph",
    "SharedVariable", "MissingInputError", "UnusedInputError", "Function",
]


_LAZY = {"scan": ".scan", "scan_module": ".scan_module", "map": ".scan", "reduce": ".scan", "foldl": ".scan",
         "foldr": ".scan", "scan_checkpoints": ".scan"}


def __getattr__(name):
    # later layers (scan, random streams) are imported on first use
    if name in _LAZY:
        import importlib

        mod = importlib.import_module(_LAZY[name], __name__)
        return mod if name in ("scan", "scan_module") else getattr(mod, name)
    if name == "sandbox":  # theano.sandbox.rng_mrg.MRG_RandomStreams without importing it first
        import importlib

        importlib.import_module("arignote.sandbox.rng_mrg")
        return importlib.import_module("arignote.sandbox")
    raise AttributeError(f"module 'arignote' has no attribute {name!r}")
