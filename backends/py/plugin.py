"""Registers the 'py' backend through the plugin hooks (entry point ``py``)."""
from __future__ import annotations

from arignote.hookspecs import BackendRecord, hookimpl

from .backend import PyBackend


@hookimpl
def arignote_register_backends():
    return [BackendRecord("py", factory=PyBackend, priority=0,
                          description="NumPy reference: each node's perform, in order")]
