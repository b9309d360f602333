"""arignote.tensor (imported as ``T``): tensor types, constructors and ops."""
from __future__ import annotations

import numpy as np

from ..types import TensorType
from .variable import TensorConstant, TensorVariable, as_tensor, as_tensor_variable, constant
from .elemwise import DimShuffle, Elemwise
from .math import *  # noqa: F401,F403
from .math import abs, all, any, max, min, pow, round, sum  # noqa: F401  (shadow builtins on purpose)
from .reduction import Argmax, CumOp, Reduce
from .linalg import Dot, Matmul, batched_dot, dot, matmul, outer, tensordot
from .shape_ops import *  # noqa: F401,F403
from .basic import *  # noqa: F401,F403
from .extra_ops import *  # noqa: F401,F403
from .subtensor import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from . import nnet  # noqa: F401
from .nnet import *  # noqa: F401,F403
from .constructors import *  # noqa: F401,F403
from .rebroadcast import *  # noqa: F401,F403
from .sort import *  # noqa: F401,F403
from .extras import *  # noqa: F401,F403
from .specify_shape import SpecifyShape, specify_shape  # noqa: F401
from . import nlinalg, slinalg  # noqa: F401,E402  (Theano's T.nlinalg / T.slinalg; SciPy is loaded on use)

dimshuffle = lambda x, *pattern: as_tensor_variable(x).dimshuffle(*pattern)  # noqa: E731

from ..gradient import consider_constant, disconnected_grad, grad, grad_clip, zero_grad  # noqa: E402,F401

def _load_var_module():
    """Import Theano's module path ``arignote.tensor.var`` (where ``type(x)`` says TensorVariable
    lives) while keeping ``T.var``, the variance, as the package attribute (as in Theano)."""
    import importlib

    variance = globals()["var"]
    importlib.import_module(f"{__name__}.var")
    globals()["var"] = variance


_load_var_module()


def __getattr__(name):
    # jacobian, hessian, Rop, Lop, verify_grad live in arignote.gradient
    from .. import gradient

    if name in ("jacobian", "hessian", "Rop", "Lop", "verify_grad"):
        return getattr(gradient, name)
    if name in ("shared_randomstreams", "random", "raw_random"):  # T.shared_randomstreams.RandomStreams
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name == "TensorSharedVariable":  # arignote.shared imports this package: look it up on use
        from ..shared import TensorSharedVariable

        return TensorSharedVariable
    if name in ("opt",):  # Theano's optimizer registration module, imported on use
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    from . import math

    try:  # a public scalar op a plugin registered after this package was imported
        return getattr(math, name)
    except AttributeError:
        pass
    raise AttributeError(f"module 'arignote.tensor' has no attribute {name!r}")
