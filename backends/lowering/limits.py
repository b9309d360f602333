"""The limits of the lowering, read at use (``limits.MAX_BODY``) so one place sets them."""
from __future__ import annotations

MAX_NDIM = 32          # arrays of more dimensions run their perform
MAX_OPERANDS = 64      # inputs + outputs of one fused loop
MAX_BODY = 400         # scalar values in one fused loop body
SEARCH_LIMIT = 4000    # units visited when checking that a fusion keeps the graph acyclic
