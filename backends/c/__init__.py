"""The C backend: kernels generated from the shared lowering, compiled with the system C compiler,
cached on disk, run by a small C runtime in one call per function call.

Pieces: ``backend.py`` (compile a FunctionGraph), ``render.py`` (C text of loops and reductions from
the scalar table), ``specs.py`` (kernel identities and op families), ``library.py`` (kernel lookup and
builds), ``build.py`` (compiler probe and flags: ``-O3 -march=native``, glibc's libmvec when it
works, never ``-ffast-math``), ``cache.py`` (the disk cache), ``program.py`` and ``runtime.c`` (the
runtime extension that executes a lowered program), ``plugin.py`` (registration as 'c').
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
