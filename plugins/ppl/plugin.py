"""Registers the built-in distributions through the ``arignote_register_distributions`` hook."""
from __future__ import annotations

from arignote.hookspecs import DistributionRecord, hookimpl


@hookimpl
def arignote_register_distributions():
    from . import distributions as d

    return [DistributionRecord(name=n, factory=getattr(d, n)) for n in d.BUILTIN]
