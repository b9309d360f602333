"""C-callable entries of compiled functions, for native code that calls a graph in a loop
without Python in between (the native NUTS kernel calls a model's logp and gradient so).

``native_entry(f)`` (also ``f.native_entry()``) asks ``f``'s backend for its entry: an object
with ``address`` (an int: a C function of :data:`SIGNATURE`), ``inputs`` ((name, dtype, ndim)
of each input: ``f``'s explicit inputs, then the shared variables it reads), ``outputs``
((dtype, ndim) each), ``shared_values()`` (the shared inputs' current values as C-contiguous
arrays) and ``new_scratch()`` (per-thread scratch cells; pass their ``address`` as the first
argument).  The entry holds no Python object and never takes the GIL, so threads may call it
concurrently, each with its own scratch.  It returns 0, or nonzero when a check failed (a
shape, an op NumPy would refuse): call ``f`` itself then for the error.

Raises :class:`NativeEntryUnavailable` (naming the cause) when the backend has no native
entry (``py``) or a node of the graph runs through its NumPy ``perform``
(``arignote.debug.fallbacks(f)`` lists those), or ``f`` has updates.
"""
from __future__ import annotations

import numpy as np

from .errors import NativeEntryUnavailable

__all__ = ["SIGNATURE", "native_entry", "NativeEntry", "NativeEntryUnavailable"]

#: the C signature of every native entry (cffi's spelling)
SIGNATURE = ("int32_t (*)(void *scratch, void *const *in_data, const int64_t *in_shapes, "
             "void *const *out_data, const int64_t *out_shapes)")


def native_entry(f):
    """The C-callable entry of the compiled function ``f`` (see the module docstring)."""
    from . import plugin_manager

    if f._update_cells or f._in_updates:
        raise NativeEntryUnavailable(f"{f!r} has updates; a native entry computes outputs only")
    backend = plugin_manager.get_backend(f.backend)
    make = getattr(backend, "native_entry", None)
    if make is None:
        raise NativeEntryUnavailable(f"the {f.backend!r} backend has no native entry")
    return NativeEntry(make(f.maker.fgraph), f)


class NativeEntry:
    """A backend's raw entry of ``f`` with what a caller needs to feed it."""

    def __init__(self, raw, f):
        self.raw = raw  # keeps the code alive
        self.address = raw.address
        self.inputs, self.outputs = list(raw.inputs), list(raw.outputs)
        self.n_explicit = f._n_in
        # the graph's inputs are f's explicit inputs then its shared ones; the backend's own
        # shared inputs (variables the graph reads without taking them as inputs) follow
        self._cells = list(f._shared_cells) + list(getattr(raw, "shared", ()))

    def new_scratch(self):
        """Scratch cells for one thread; pass ``.address`` as the entry's first argument."""
        return self.raw.new_scratch()

    def shared_values(self):
        """The shared inputs' current values (C-contiguous, native byte order), in order."""
        return [np.ascontiguousarray(c[0]) for c in self._cells]
