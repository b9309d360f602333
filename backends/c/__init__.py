"""The C backend: kernels generated from the shared lowering, built with cffi, cached on disk.

``function(..., backend="c")`` compiles a graph's fused loops and reductions
into one extension module (cffi API mode, ``-O3 -march=native``, glibc's
libmvec for vectorised math when available, never ``-ffast-math``) and runs
the whole graph through the C runtime in one call.  See ``backend.py``.
"""
from __future__ import annotations

from .build import CompileError
from .cache import CacheError, CacheWarning

__all__ = ["CBackend", "CompileError", "CacheError", "CacheWarning", "FallbackWarning"]


def __getattr__(name):
    # importing the backend pulls in the lowering and the tensor ops: only on use
    if name in ("CBackend", "FallbackWarning"):
        from . import backend

        return getattr(backend, name)
    raise AttributeError(f"module 'arignote.backends.c' has no attribute {name!r}")
