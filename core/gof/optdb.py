"""Theano's optimizer database (``optdb``, ``Query``, ``SequenceDB``, ``EquilibriumDB``).

``optdb.register(name, optimizer, position, *tags)`` makes the optimizer a rewrite that
function() runs in every mode selecting one of its tags (``'fast_run'``: the default mode).
It goes through arignote's plugin hook ``arignote_register_rewrites``, at the phase that
matches Theano's position (0 merge, 1 canonicalize, 1.5 stabilize, 2 specialize,
49 fusion, 50 and above cleanup).  ``optdb.query(Query(include=[...]))`` returns an
optimizer running the mode's rewrites, as Theano's modes are built.
"""
from __future__ import annotations

import warnings

from .. import plugin_manager
from ..hookspecs import RewriteRecord, hookimpl
from .opt import EquilibriumOptimizer, LocalOptimizer, Optimizer, SeqOptimizer

_PHASE_STARTS = ((50, "cleanup"), (49, "fusion"), (2, "specialize"), (1.5, "stabilize"), (1, "canonicalize"))


def phase_of(position):
    """arignote's rewrite phase for a Theano optdb position."""
    for start, name in _PHASE_STARTS:
        if position >= start:
            return name
    return "merge"


class _OneRecord:
    """A plugin contributing one user rewrite record."""

    def __init__(self, record):
        self.record = record

    @hookimpl
    def arignote_register_rewrites(self):
        return [self.record]


def register_rewrite(name, optimizer, phase, position, tags):
    """Make ``optimizer`` (global or local) run in function()'s rewrites of ``phase``.

    Registering a name again replaces the earlier optimizer (with a warning), so re-running
    a script or notebook cell works; the names of arignote's own rewrites cannot be taken."""
    plugin_name = f"optdb:{name}"
    if name in plugin_manager.rewrites():
        if plugin_manager.get_plugin_manager().get_plugin(plugin_name) is None:
            raise ValueError(f"{name!r} names one of arignote's own rewrites; choose another name")
        warnings.warn(f"optimization {name!r} registered again: the new one replaces the old", stacklevel=3)
        plugin_manager.unregister(plugin_name)
    if isinstance(optimizer, LocalOptimizer):
        optimizer = EquilibriumOptimizer([optimizer])
    tags = tuple(t for t in tags if t != name)
    plugin_manager.register(_OneRecord(RewriteRecord(name, rewrite=optimizer, phase=phase, position=position,
                                                     tags=tags)), name=plugin_name)
    return optimizer


class Query:
    """Which optimizations to take: any of ``include``, all of ``require``, none of ``exclude``."""

    def __init__(self, include, require=None, exclude=None, subquery=None, position_cutoff=None):
        self.include = set(include or ())
        self.require = set(require or ())
        self.exclude = set(exclude or ())
        self.subquery = subquery or {}
        self.position_cutoff = position_cutoff

    def including(self, *tags):
        return Query(self.include | set(tags), self.require, self.exclude, self.subquery)

    def requiring(self, *tags):
        return Query(self.include, self.require | set(tags), self.exclude, self.subquery)

    def excluding(self, *tags):
        return Query(self.include, self.require, self.exclude | set(tags), self.subquery)

    def __repr__(self):
        return f"Query(include={sorted(self.include)}, require={sorted(self.require)}, exclude={sorted(self.exclude)})"


class _ModeRewrites(Optimizer):
    """The rewrites a Query selects, run as function() runs them."""

    def __init__(self, query):
        self.query = query

    def apply(self, fgraph):
        from ..mode import Mode

        tags = self.query.include
        optimizer = "fast_compile" if "fast_compile" in tags and "fast_run" not in tags else "fast_run"
        Mode(optimizer=optimizer, including=tuple(tags - {"fast_run", "fast_compile"}),
             excluding=tuple(self.query.exclude)).optimize(fgraph)

    def __repr__(self):
        return f"<optimizer of {self.query}>"


class DB:
    """Named optimizers with tags."""

    def __init__(self):
        self._names = {}

    def __contains__(self, name):
        return name in self._names

    def __getitem__(self, name):
        return self._names[name][0]

    def query(self, *tags, **kwtags):
        q = tags[0] if tags and isinstance(tags[0], Query) else Query(include=[t for t in tags if t[0] not in "+-"])
        return _ModeRewrites(q)


class SequenceDB(DB):
    """Optimizers at positions; registering one with optdb makes function() run it."""

    def register(self, name, obj, position, *tags, **kwargs):
        register_rewrite(name, obj, phase_of(float(position)), float(position), tags)
        self._names[name] = (obj, float(position), tags)


class EquilibriumDB(DB):
    """Local optimizers run together to a fixpoint, in one rewrite phase."""

    def __init__(self, phase="canonicalize", position=0.5):
        super().__init__()
        self.phase, self.position = phase, position

    def register(self, name, obj, *tags, **kwargs):
        register_rewrite(name, obj, self.phase, self.position, tags + (self.phase,))
        self._names[name] = (obj, self.position, tags)


optdb = SequenceDB()
canonicalize = EquilibriumDB("canonicalize")
stabilize = EquilibriumDB("stabilize")
specialize = EquilibriumDB("specialize")
uncanonicalize = EquilibriumDB("specialize", position=0.75)

__all__ = ["Query", "DB", "SequenceDB", "EquilibriumDB", "optdb", "canonicalize", "stabilize", "specialize",
           "phase_of", "register_rewrite", "SeqOptimizer"]
