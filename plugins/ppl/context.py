"""The stack of models entered with ``with Model():`` (one stack per thread)."""
from __future__ import annotations

import threading

_local = threading.local()

NO_MODEL = ("No model on context stack, which is needed to instantiate distributions. Add variable inside "
            "a 'with model:' block, or use the '.dist' syntax for a standalone distribution.")


def stack():
    s = getattr(_local, "stack", None)
    if s is None:
        s = _local.stack = []
    return s


def current(error_if_none=True):
    s = stack()
    if s:
        return s[-1]
    if error_if_none:
        raise TypeError("No model on context stack.")
    return None


def modelcontext(model=None):
    """``model`` if given, else the model of the innermost ``with`` block (TypeError when none)."""
    if model is not None:
        return model
    return current()
