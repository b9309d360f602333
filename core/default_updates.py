"""Default updates: the updates a shared variable asks for itself (``var.default_update``).

A random variable's generator is a shared variable whose default update is
the advanced generator, so ``function([], rv)`` draws anew on every call.
``function()`` adds these updates for every shared variable its graph reads,
unless the user updates the variable explicitly or turns them off:
``no_default_updates=True`` (all) or a list of shared variables (those).
"""
from __future__ import annotations

from .graph import ancestors
from .shared import SharedVariable


def default_updates(outputs, update_exprs, updated, inputs, no_default_updates=False):
    """(shared variable, default update) pairs to add to a function's updates.

    ``updated``: the variables the user already updates; ``inputs``: where the
    walk up the graph stops.  Default updates can read further shared
    variables with default updates of their own: those are added too.
    """
    if no_default_updates is True:
        return []
    if no_default_updates is False or no_default_updates is None:
        skip = set()
    elif isinstance(no_default_updates, (list, tuple, set, frozenset)):
        skip = set(no_default_updates)
        bad = [v for v in skip if not isinstance(v, SharedVariable)]
        if bad:
            raise TypeError(f"no_default_updates lists {bad[0]!r}, which is not a shared variable")
    else:
        raise TypeError("no_default_updates must be True, False or a list of shared variables, got "
                        f"{type(no_default_updates).__name__}")
    have = set(updated) | skip
    out, frontier = [], list(outputs) + list(update_exprs)
    while frontier:
        found = []
        for v in ancestors(frontier, blockers=inputs):
            if isinstance(v, SharedVariable) and v not in have and getattr(v, "default_update", None) is not None:
                have.add(v)
                out.append((v, v.default_update))
                found.append(v.default_update)
        frontier = found
    return out
