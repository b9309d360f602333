"""Registers the shared lowering's built-in rules through the plugin hooks (entry point ``lowering``),
as an op pack registers its own."""
from __future__ import annotations

from arignote.hookspecs import LoweringRecord, hookimpl


@hookimpl
def arignote_register_lowerings():
    from .rules import BUILTIN

    return [LoweringRecord(op_type, lower) for op_type, lower in BUILTIN.items()]
