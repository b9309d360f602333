"""The lowering's limits: the fusion limits live in :mod:`arignote.fusion` (one owner for both
fusion levels); arrays of more than ``MAX_NDIM`` dimensions run their perform."""
from __future__ import annotations

from arignote.fusion import MAX_BODY, MAX_OPERANDS, SEARCH_LIMIT  # noqa: F401

MAX_NDIM = 32
# a graph with this many elementwise nodes passes its constants to its loops as operands instead of
# inlining them: loops that differ only in constants (thousands of outputs ``exp(x * c_k)``) then
# share one kernel, and compile time stops growing with their number; small graphs keep literals
SHARE_KERNELS_AT = 1024
