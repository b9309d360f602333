"""Fusion's limits, in one place.

Elementwise work is fused at two levels, and this module owns the bounds of both:

* the ``fusion`` rewrite (arignote.rewrites.fusion) turns a group of Elemwise nodes into one
  Elemwise of a ``Composite`` scalar op, the graph users see and print; it is bounded by the
  flags ``fusion_max_inputs`` and ``fusion_max_nodes`` and by ``REWRITE_SEARCH_LIMIT`` (nodes
  visited when checking that a group keeps the graph acyclic);
* the compiled backends' lowering (arignote.backends.lowering.grouping) runs neighbouring
  Elemwise nodes of one broadcast pattern, Composite ones and siblings reading the same operands
  included, as one loop; it is bounded by ``MAX_OPERANDS``, ``MAX_BODY`` and ``SEARCH_LIMIT``
  (units visited by its acyclicity check).

Both read these names when they run (``fusion.MAX_BODY``), so tuning one changes one place.
"""
from __future__ import annotations

from .config import config

MAX_OPERANDS = 64            # inputs + outputs of one loop of the lowering
MAX_BODY = 400               # scalar values in one loop body of the lowering
SEARCH_LIMIT = 4000          # units the lowering's grouping visits to keep the step graph acyclic
REWRITE_SEARCH_LIMIT = 2000  # nodes the fusion rewrite visits to keep the graph acyclic


def _positive(v):
    if v <= 0:
        raise ValueError(f"must be positive, got {v!r}")


for _name, _default, _doc in (
        ("fusion_max_inputs", 32, "most inputs (arrays) one fused elementwise kernel may take"),
        ("fusion_max_nodes", 256, "most scalar operations in one fused elementwise kernel (bounds generated code size)")):
    if _name not in config:
        config.register_flag(_name, _default, _positive, _doc)
