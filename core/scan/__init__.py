"""Symbolic loops, as Theano's ``theano.scan``.

``arignote.scan`` is this module, and calling it runs :func:`scan`: so both
``arignote.scan(fn, ...)`` and ``arignote.scan.until(cond)`` work, as in
Theano.  ``map``, ``reduce``, ``foldl`` and ``foldr`` are special cases.
"""
from __future__ import annotations

import sys
import types

from .build import OrderedUpdates, scan, until
from .op import Scan
from .views import foldl, foldr, map, reduce, scan_checkpoints  # noqa: A004 (Theano's names)

__all__ = ["scan", "until", "map", "reduce", "foldl", "foldr", "scan_checkpoints", "Scan", "OrderedUpdates"]


class _CallableModule(types.ModuleType):
    """The module ``arignote.scan``, callable as the function ``scan``."""

    def __call__(self, *args, **kwargs):
        return scan(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
