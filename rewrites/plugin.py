"""The built-in rule sets, registered through the ``arignote_register_rewrites`` hook.

One RewriteRecord per phase: ``core.mode`` runs them in phase order, and each
phase runs the rules the mode selects by name and tag (so ``excluding=('canonicalize',)``
drops a phase and ``excluding=('local_log1p',)`` one rule).
"""
from __future__ import annotations

from arignote.hookspecs import RewriteRecord, hookimpl

from . import registry
from .driver import PhaseRunner


def load_rules():
    """Import the rule modules (registering their rules) and return the registry."""
    from . import (algebra, basic, canonicalize, fusion, random_inplace, scan, shape_feature,  # noqa: F401
                   specialize, stabilize)

    return registry


@hookimpl
def arignote_register_rewrites():
    load_rules()
    records = []
    for name in registry.PHASES:
        ph = registry.phase(name)
        if not ph.entries:
            continue
        tags = (name,) if name == "fusion" else (name, registry.FAST_COMPILE)
        records.append(RewriteRecord(name, rewrite=PhaseRunner(ph), phase=name, position=0.0, tags=tags))
    return records
