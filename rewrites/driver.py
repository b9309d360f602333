"""Running rules: a phase runs the rules the mode selects, in order; local rules
to a fixpoint over a worklist, global rules once.  The registry only holds them.

The fixpoint visits nodes in topological order; after a rewrite the new
nodes and the clients of the replaced variables join the worklist, and a
final full sweep confirms that nothing more fires.  Identical nodes (same op,
same inputs, equal constants) are merged on the way when the ``merge`` rule is
enabled.  The number of rewrites is bounded (``config.optimizer_max_use_ratio``
per node); hitting the bound is reported with a :class:`RewriteLimitWarning`.

A rule that raises, or returns a replacement of another type, is a bug:
with ``config.on_opt_error == 'raise'`` it raises :class:`RewriteError`,
with 'warn' (the default) it is skipped with one warning per rule.
"""
from __future__ import annotations

import collections
import warnings

from arignote.config import config
from arignote.graph import Constant
from arignote.tensor.elemwise import Elemwise

from . import registry
from .utils import compatible

MAX_SWEEPS = 50


class RewriteError(RuntimeError):
    """A rewrite rule failed (raised when ``config.on_opt_error == 'raise'``)."""


class RewriteWarning(UserWarning):
    """A rewrite rule failed and was skipped."""


class RewriteLimitWarning(UserWarning):
    """A phase stopped at its iteration bound before reaching a fixpoint."""


_warned: set = set()


def rule_failed(rule_name, where, exc):
    """Apply the ``on_opt_error`` policy to a failure of ``rule_name``."""
    policy = config.on_opt_error
    msg = f"rewrite rule {rule_name!r} failed{where}: {type(exc).__name__}: {exc}"
    if policy == "raise":
        raise RewriteError(msg) from exc
    if policy == "warn" and rule_name not in _warned:
        _warned.add(rule_name)
        warnings.warn(msg + " (the rule is skipped; this warning is shown once per rule)", RewriteWarning,
                      stacklevel=3)


class _Tracker:
    """FunctionGraph feature collecting the nodes a replacement imports."""

    def __init__(self):
        self.imported = []

    def on_import(self, fgraph, node, reason):
        self.imported.append(node)


def _pairs(node, out):
    if isinstance(out, dict):
        return list(out.items())
    if not isinstance(out, (list, tuple)):
        out = [out]
    if len(out) != len(node.outputs):
        raise ValueError(f"returned {len(out)} replacements for a node with {len(node.outputs)} outputs")
    return [(o, n) for o, n in zip(node.outputs, out) if n is not None and n is not o]


def _short(v):
    from arignote.printing import pp

    try:
        s = pp(v)
    except Exception:  # printing must never break a rewrite
        s = str(v)
    return s if len(s) <= 200 else s[:197] + "..."


def apply_replacements(fgraph, pairs, rule_name, node=None):
    """Validate and perform ``pairs``; False (after reporting) when a pair is invalid."""
    for old, new in pairs:
        if not compatible(old.type, new.type):
            rule_failed(rule_name, f" on {node}" if node is not None else "",
                        TypeError(f"replacement {new} of type {new.type} does not keep the type {old.type} "
                                  f"of {old}"))
            return False
    verbose = config.optimizer_verbose
    for old, new in pairs:
        if verbose:
            print(f"rewrite {rule_name}: {_short(old)}  ->  {_short(new)}")
        fgraph.replace(old, new, reason=rule_name)
    return True


class _Merger:
    """Index of nodes by (op, inputs); constants compare by value."""

    def __init__(self):
        self.index = {}
        self.sigs = {}

    def key(self, node):
        sigs = self.sigs
        ins = []
        for v in node.inputs:
            if isinstance(v, Constant):
                s = sigs.get(v)
                if s is None:
                    try:
                        s = ("c", v.signature())
                        hash(s)
                    except Exception:
                        s = v
                    sigs[v] = s
                ins.append(s)
            else:
                ins.append(v)
        return (node.op, tuple(ins))

    def find(self, node, g):
        """An existing node computing the same thing as ``node`` (and register ``node`` otherwise)."""
        try:
            k = self.key(node)
            other = self.index.get(k)
        except TypeError:  # an op with unhashable props never merges
            return None
        if other is not None and other is not node and other in g and self.key(other) == k:
            if len(other.outputs) == len(node.outputs) and all(
                    compatible(a.type, b.type) for a, b in zip(node.outputs, other.outputs)):
                return other
        self.index[k] = node
        return None


class _Dispatch:
    """The rules to try on an op, cached per scalar op name (Elemwise) or op class; per op
    when a rule tracks op instances."""

    def __init__(self, rules):
        self.rules = rules
        self.cache = {}
        self.by_instance = any(not isinstance(t, (str, type)) for r in rules for t in (r.tracks or ()))

    def get(self, op):
        if getattr(op, "destroy_map", None):
            return ()  # an in-place node stays as the user wrote it (function() protects what it overwrites)
        if self.by_instance:
            key = op
        else:
            sop = getattr(op, "scalar_op", None)
            key = sop.name if sop is not None and isinstance(op, Elemwise) else type(op)
        try:
            return self.cache[key]
        except KeyError:
            r = self.cache[key] = [rule for rule in self.rules if rule.matches(op)]
            return r
        except TypeError:
            return [rule for rule in self.rules if rule.matches(op)]


def _merge_enabled(mode):
    try:
        rule = registry.get_rule("merge")
    except KeyError:
        return False
    return registry.enabled(rule, mode)


def run_local(fgraph, rules, mode=None, label="rewrite", merge=None):
    """Apply ``rules`` to a fixpoint; returns the number of rewrites made.  ``merge``: merge
    equal nodes on the way (default: when the mode enables the 'merge' rule; 'fresh': look up
    every node again)."""
    if merge is None:
        merge = _merge_enabled(mode)
    dispatch = _Dispatch(list(rules))
    merger = checked = None
    if merge:
        # the merge index lives on the graph from phase to phase: a node already looked up, whose
        # inputs have not changed since, is not looked up again (the 'merge' rule starts afresh)
        state = getattr(fgraph, "_rewrite_merge_state", None)
        if state is None or merge == "fresh":
            state = fgraph._rewrite_merge_state = (_Merger(), set())
        merger, checked = state
    tracker = _Tracker()
    fgraph.attach_feature(tracker)
    g = fgraph.g
    order = fgraph.toposort()
    budget = int(config.optimizer_max_use_ratio * max(len(order), 50))
    applied = 0
    counts = collections.Counter()
    try:
        queue = collections.deque(order)
        queued = set(order)
        for _sweep in range(MAX_SWEEPS):
            changed = False
            while queue:
                node = queue.popleft()
                queued.discard(node)
                if node not in g:
                    continue
                if merger is not None and node not in checked:
                    checked.add(node)
                    other = merger.find(node, g)
                    if other is not None:
                        name = "merge"
                        pairs = [(a, b) for a, b in zip(node.outputs, other.outputs) if a in g]
                    else:
                        name, pairs = _try_rules(fgraph, dispatch.get(node.op), node)
                else:
                    name, pairs = _try_rules(fgraph, dispatch.get(node.op), node)
                if not pairs:
                    continue
                del tracker.imported[:]
                moved = [c for old, _ in pairs if old in g for c in g.succ[old]]  # client nodes
                if not apply_replacements(fgraph, pairs, name, node):
                    continue
                changed = True
                applied += 1
                counts[name] += 1
                for n in tracker.imported:
                    if n not in queued:
                        queued.add(n)
                        queue.append(n)
                for c in moved:
                    if checked is not None:
                        checked.discard(c)
                    if c not in queued:
                        queued.add(c)
                        queue.append(c)
                if node in g and node not in queued:
                    queued.add(node)
                    queue.append(node)
                if applied >= budget:
                    _limit(label, f"{applied} rewrites", counts)
                    return applied
            if not changed:
                return applied
            order = fgraph.toposort()
            queue.extend(order)
            queued.update(order)
        _limit(label, f"{MAX_SWEEPS} sweeps", counts)
        return applied
    finally:
        fgraph.features.remove(tracker)


def _try_rules(fgraph, rules, node):
    for rule in rules:
        try:
            out = rule.fn(fgraph, node)
            if out is None or out is False or (isinstance(out, (list, tuple, dict)) and not out):
                continue
            pairs = _pairs(node, out)
        except RewriteError:
            raise
        except Exception as e:
            rule_failed(rule.name, f" on {node}", e)
            continue
        if pairs:
            return rule.name, pairs
    return None, None


def _limit(label, what, counts):
    top = ", ".join(f"{n} x{c}" for n, c in counts.most_common(4))
    warnings.warn(
        f"rewrite phase {label!r} stopped after {what} without reaching a fixpoint "
        f"(rules that fired most: {top}); raise config.optimizer_max_use_ratio or exclude one of them",
        RewriteLimitWarning, stacklevel=4)


def run_global(fgraph, rule, mode=None):
    """Run one global rule, applying the error policy."""
    try:
        return rule.fn(fgraph, mode)
    except RewriteError:
        raise
    except Exception as e:
        rule_failed(rule.name, "", e)
        return None


def run_rule(rule, fgraph, mode=None):
    """Run one rule on its own: a local rule to a fixpoint, a global rule once."""
    if isinstance(rule, registry.LocalRule):
        return run_local(fgraph, [rule], mode, label=rule.name)
    return run_global(fgraph, rule, mode)


def run_phase(phase, fgraph, mode=None):
    """Run the rules of ``phase`` that the mode selects, in order; neighbouring local rules
    share one fixpoint."""
    batch = []
    for rule in phase.rules:
        if not registry.enabled(rule, mode):
            continue
        if isinstance(rule, registry.LocalRule):
            batch.append(rule)
            continue
        if batch:
            run_local(fgraph, batch, mode, label=phase.name)
            batch = []
        run_global(fgraph, rule, mode)
    if batch:
        run_local(fgraph, batch, mode, label=phase.name)
    return fgraph


registry.Rule.runner = staticmethod(run_rule)


class PhaseRunner:
    """The ``rewrite`` of a phase's RewriteRecord: ``runner(fgraph, mode)`` runs the phase."""

    def __init__(self, phase):
        self.phase = phase

    def __call__(self, fgraph, mode=None):
        return run_phase(self.phase, fgraph, mode)

    def __repr__(self):
        return f"<run {self.phase!r}>"
