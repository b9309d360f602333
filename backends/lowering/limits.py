"""The lowering's limits: the fusion limits live in :mod:`arignote.fusion` (one owner for both
fusion levels); arrays of more than ``MAX_NDIM`` dimensions run their perform."""
from __future__ import annotations

from arignote.fusion import MAX_BODY, MAX_OPERANDS, SEARCH_LIMIT  # noqa: F401

MAX_NDIM = 32
