"""The 'py' backend object: a graph run node by node through the ops' NumPy ``perform``."""
from __future__ import annotations

from arignote.reference import make_thunk


class PyBackend:
    """Backend object registered under the name 'py'."""

    name = "py"
    skip_phases = ("fusion",)  # fused Composites run slower than separate ufunc calls here

    def compile(self, fgraph, **opts):
        return make_thunk(fgraph)
