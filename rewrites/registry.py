"""The rewrite registry: ordered phases holding named, tagged rules.

This module holds data only: records of rules (name, tags, phases, what a
local rule matches) and the ordered phases they sit in.  Running them is the
job of :mod:`arignote.rewrites.driver`, and choosing them that of the mode
(:func:`arignote.mode.selects`, the one selection rule for records and rules).

A *local* rule declares what it matches (``tracks``: scalar op names of
Elemwise nodes, Op classes or Op instances; None for every node) and maps one
node to replacements; the local rules of a phase run together to a fixpoint.
A *global* rule sees the whole FunctionGraph.  A mode selects rules by name
and tag: ``excluding`` (and ``config.optimizer_excluding``) drops them,
``including`` turns on rules that are off by default, and the fast-compile
optimizer keeps only rules tagged ``fast_compile``.  Tags are checked when a
rule is made (one string is one tag).

Third-party code adds rules with :func:`register` (they then join a phase's
fixpoint), or returns RewriteRecords from the ``arignote_register_rewrites``
hook (they run on their own at their position).
"""
from __future__ import annotations

import itertools

from arignote.config import config
from arignote.hookspecs import check_tags
from arignote.mode import FAST_COMPILE, PHASES, selects  # noqa: F401  (the rule modules take FAST_COMPILE from here)

_order = itertools.count()


def _register_flag(name, default, validator, doc):
    try:
        getattr(config, name)
    except AttributeError:
        config.register_flag(name, default, validator, doc)


def _error_policy(v):
    if v not in ("warn", "raise", "ignore"):
        raise ValueError(f"must be 'warn', 'raise' or 'ignore', got {v!r}")


def _positive(v):
    if v <= 0:
        raise ValueError(f"must be positive, got {v!r}")


_register_flag("on_opt_error", "warn", _error_policy,
               "what a failing rewrite rule does: 'warn' once per rule (and skip it), 'raise', or 'ignore'")
_register_flag("optimizer_max_use_ratio", 10.0, _positive,
               "a phase stops (with a warning) after this many rewrites per node of the graph")
_register_flag("constant_folding_max_size", 10000, _positive,
               "constant folding leaves results with more elements than this uncomputed, unless they take no\n"
               "more memory than the constant inputs they replace")


class Rule:
    """A named rule with tags; ``default=False`` rules run only when a mode includes them.

    A rule is also a rewrite a plugin's RewriteRecord may hold: ``rule(fgraph, mode)`` runs it
    alone, through the runner :mod:`arignote.rewrites.driver` installs (it imports this module)."""

    kind = "rule"
    runner = None  # driver.run_rule, installed by the driver

    def __call__(self, fgraph, mode=None):
        return type(self).runner(self, fgraph, mode)

    def __init__(self, name, fn, tags=(), default=True):
        self.name = name
        self.fn = fn
        self.tags = check_tags(f"rewrite rule {name!r}", tags)
        self.default = default
        self.phases = []
        self.__doc__ = getattr(fn, "__doc__", None)

    def __repr__(self):
        return f"<{self.kind} rule {self.name}>"


class LocalRule(Rule):
    """``fn(fgraph, node)`` -> None, a list of replacements for ``node.outputs`` (None
    entries are kept) or a dict {old variable: new variable}."""

    kind = "local"

    def __init__(self, name, fn, tracks=None, tags=(), default=True):
        super().__init__(name, fn, tags, default)
        self.tracks = None if tracks is None else tuple(tracks)

    def matches(self, op):
        if self.tracks is None:
            return True
        from arignote.tensor.elemwise import Elemwise

        sname = op.scalar_op.name if isinstance(op, Elemwise) else None
        for t in self.tracks:
            if isinstance(t, str):
                if t == sname:
                    return True
            elif isinstance(t, type):
                if isinstance(op, t):
                    return True
            elif t == op:
                return True
        return False


class GlobalRule(Rule):
    """``fn(fgraph, mode)`` rewrites the whole graph."""

    kind = "global"


class Phase:
    """An ordered list of rules; local rules next to each other share one fixpoint."""

    def __init__(self, name):
        self.name = name
        self.entries = []  # (position, serial, rule)

    def add(self, rule, position=None):
        self.entries.append((0.0 if position is None else float(position), next(_order), rule))
        self.entries.sort(key=lambda e: (e[0], e[1]))

    @property
    def rules(self):
        return [r for _, _, r in self.entries]

    def __repr__(self):
        return f"<phase {self.name}: {len(self.entries)} rules>"


_PHASES = {name: Phase(name) for name in PHASES}
_RULES: dict[str, Rule] = {}


def phase(name):
    """The Phase called ``name``."""
    try:
        return _PHASES[name]
    except KeyError:
        raise ValueError(f"unknown rewrite phase {name!r}; phases are {', '.join(PHASES)}") from None


def register(rule, *phases, position=None):
    """Add ``rule`` to ``phases`` (at ``position`` within each; default 0, ties in registration order)."""
    if not phases:
        raise ValueError(f"register({rule.name!r}): name at least one phase ({', '.join(PHASES)})")
    known = _RULES.get(rule.name)
    if known is not None and known is not rule:
        raise ValueError(f"a rewrite rule named {rule.name!r} is already registered")
    _RULES[rule.name] = rule
    for p in phases:
        phase(p).add(rule, position)
        if p not in rule.phases:
            rule.phases.append(p)
    return rule


def local_rule(tracks, *phases, name=None, tags=(), position=None, default=True):
    """Decorator: register ``fn(fgraph, node)`` as a local rule in ``phases``."""

    def deco(fn):
        rule = LocalRule(name or fn.__name__, fn, tracks, tags, default)
        register(rule, *phases, position=position)
        return rule

    return deco


def global_rule(*phases, name=None, tags=(), position=None, default=True):
    """Decorator: register ``fn(fgraph, mode)`` as a global rule in ``phases``."""

    def deco(fn):
        rule = GlobalRule(name or fn.__name__, fn, tags, default)
        register(rule, *phases, position=position)
        return rule

    return deco


def unregister(name):
    """Remove the rule called ``name`` from the registry and its phases."""
    rule = _RULES.pop(name, None)
    if rule is None:
        raise KeyError(f"no rewrite rule named {name!r}")
    for p in rule.phases:
        ph = phase(p)
        ph.entries = [e for e in ph.entries if e[2] is not rule]
    rule.phases = []
    return rule


def rules():
    """name -> Rule of every registered rule."""
    return dict(_RULES)


def get_rule(name):
    try:
        return _RULES[name]
    except KeyError:
        raise KeyError(f"no rewrite rule named {name!r}") from None


def enabled(rule, mode):
    """Whether ``mode`` runs ``rule`` (mode None: the default selection)."""
    return selects(mode, rule.name, rule.tags, rule.default)
