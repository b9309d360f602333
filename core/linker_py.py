"""Theano's name for the node-by-node reference run; it lives in :mod:`arignote.reference`.

Kept so that ``from arignote.linker_py import make_thunk`` (plugins, pickles) goes on working;
the 'py' backend itself is ``arignote.backends.py``."""
from __future__ import annotations

from .reference import NodeRuntimeError, make_thunk  # noqa: F401
