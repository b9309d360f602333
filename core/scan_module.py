"""Theano's ``theano.scan_module``: scan, until and the loop helpers under their old home."""
from __future__ import annotations

from .scan import OrderedUpdates, Scan, foldl, foldr, map, reduce, scan, scan_checkpoints, until  # noqa: F401,A004

__all__ = ["scan", "until", "map", "reduce", "foldl", "foldr", "scan_checkpoints", "Scan"]
