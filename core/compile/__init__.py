"""Theano's ``theano.compile``: function(), its inputs/outputs, modes and op helpers."""
from . import function as _function_module  # noqa: F401  (loaded first: the name below is the function, as in Theano)
from ..function import Function, function
from ..function_io import In, Out
from ..mode import Mode, get_mode
from ..shared import SharedVariable, shared
from . import debugmode, function_module, io, mode, monitormode, nanguardmode, ops, sharedvalue  # noqa: F401
from .debugmode import DebugMode
from .monitormode import MonitorMode
from .nanguardmode import NanGuardMode
from .ops import DeepCopyOp, FromFunctionOp, Shape_i, ViewOp, as_op, deep_copy_op  # noqa: F401
from ..gof.optdb import optdb  # noqa: E402

__all__ = ["Function", "function", "In", "Out", "Mode", "get_mode", "SharedVariable", "shared", "DebugMode",
           "MonitorMode", "NanGuardMode", "as_op", "ViewOp", "Shape_i", "DeepCopyOp", "deep_copy_op", "optdb"]
