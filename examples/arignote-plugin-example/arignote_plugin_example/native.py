"""C and LLVM renderings of swish, registered into the compiled backends' tables.

Filled in once the backends' registries are known; see register()."""
from __future__ import annotations


def register():
    """Register the renderings; returns the names of the backends that got one."""
    return []
