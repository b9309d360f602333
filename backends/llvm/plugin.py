"""Registers the 'llvm' backend through arignote's plugin hook."""
from __future__ import annotations

from arignote.hookspecs import BackendRecord, RenderingRecord, hookimpl

from . import flags  # noqa: F401  (registers the llvm_* config flags, so ARIGNOTE_FLAGS can set them)


def available():
    """(ok, reason): llvmlite imports, and generated code can use this interpreter's object layout."""
    try:
        import llvmlite.binding  # noqa: F401
    except Exception as e:  # pragma: no cover - depends on the environment
        return False, f"llvmlite is not usable: {type(e).__name__}: {e}"
    from . import capi

    return capi.check()


def _factory():
    from .backend import LLVMBackend

    return LLVMBackend()


@hookimpl
def arignote_register_backends():
    return [BackendRecord("llvm", factory=_factory, available=available, priority=20,
                          description="LLVM IR JIT-compiled with llvmlite; vector math through libmvec")]


@hookimpl
def arignote_register_renderings():
    from .scalar_column import COLUMN

    return [RenderingRecord("llvm", op, recipe) for op, recipe in COLUMN.items()]
