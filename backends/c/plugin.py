"""Registers the 'c' backend through the plugin hooks (entry point ``c``)."""
from __future__ import annotations

from arignote.hookspecs import BackendRecord, RenderingRecord, hookimpl

from . import build  # noqa: F401  (registers the c_* config flags, so ARIGNOTE_FLAGS can set them)

_status = None


def available():
    """(ok, reason), computed once per process: a working C compiler and Python headers."""
    global _status
    if _status is None:
        from .build import available as check

        _status = check()
    return _status


def _factory():
    from .backend import CBackend

    return CBackend()


@hookimpl
def arignote_register_backends():
    return [BackendRecord("c", factory=_factory, available=available, priority=10,
                          description="generated C: fused loops with vector math, reductions, BLAS; one call per graph")]


@hookimpl
def arignote_register_renderings():
    from .scalar_c import COLUMN

    return [RenderingRecord("c", op, template) for op, template in COLUMN.items()]
