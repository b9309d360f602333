"""Theano's optimizer API (``theano.gof.opt``) over arignote's FunctionGraph.

Global optimizers (``Optimizer.apply(fgraph)``) and local ones (``LocalOptimizer.transform(node)``
returning replacements for the node's outputs, or False), the navigator ``TopoOptimizer``
that runs local optimizers over a graph, the shortcuts ``OpSub``/``OpRemove``/``PatternSub``
(Theano's nested-tuple patterns), ``MergeOptimizer`` and ``EquilibriumOptimizer``.
Registering one with ``optdb`` or ``tensor.opt.register_*`` makes function() run it
(see :mod:`arignote.gof.optdb`).
"""
from __future__ import annotations

import inspect
import time

from ..graph import Constant, Variable
from ..errors import InconsistencyError


class Optimizer:
    """A global optimizer: ``apply(fgraph)`` rewrites the whole graph in place."""

    def add_requirements(self, fgraph):
        """Attach the features ``apply`` needs (e.g. ``toolbox.ReplaceValidate``)."""

    def apply(self, fgraph):
        raise NotImplementedError(f"{type(self).__name__} must define apply(fgraph)")

    def optimize(self, fgraph, *args, **kwargs):
        self.add_requirements(fgraph)
        return self.apply(fgraph, *args, **kwargs)

    def __call__(self, fgraph, mode=None):
        """As a rewrite of the registry: function() calls it with its mode."""
        return self.optimize(fgraph)

    def print_summary(self, stream=None, level=0, depth=-1):
        print(f"{' ' * level}{type(self).__name__} id={id(self)}", file=stream)


GlobalOptimizer = Optimizer


class LocalOptimizer:
    """A local optimizer: ``transform(node)`` returns the replacements of the node's
    outputs (a list, None for an unused output, or a dict old -> new), or False."""

    def tracks(self):
        """The Op classes/instances this optimizer looks at (None: every node)."""
        return None

    def transform(self, node):
        raise NotImplementedError(f"{type(self).__name__} must define transform(node)")

    def add_requirements(self, fgraph):
        pass

    def __call__(self, fgraph, mode=None):
        """Run alone over a graph (as a registered rewrite)."""
        return TopoOptimizer(self).optimize(fgraph)

    def print_summary(self, stream=None, level=0, depth=-1):
        print(f"{' ' * level}{type(self).__name__} id={id(self)}", file=stream)


def _takes_fgraph(fn):
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return False
    return len(params) >= 2


class FromFunctionLocalOptimizer(LocalOptimizer):
    """A local optimizer made from a function of the node (``local_optimizer``)."""

    def __init__(self, fn, tracks=None, requirements=()):
        self.fn = fn
        self._tracks = list(tracks) if tracks is not None else None
        self.requirements = tuple(requirements)
        self.__name__ = getattr(fn, "__name__", type(self).__name__)
        self._with_fgraph = _takes_fgraph(fn)

    def tracks(self):
        return self._tracks

    def transform(self, node, fgraph=None):
        if self._with_fgraph:  # the later spelling fn(fgraph, node)
            return self.fn(fgraph if fgraph is not None else _fgraph_of(node), node)
        return self.fn(node)

    def add_requirements(self, fgraph):
        for req in self.requirements:
            req(fgraph)

    def __str__(self):
        return self.__name__

    def __repr__(self):
        return f"<local_optimizer {self.__name__}>"


def _fgraph_of(node):
    try:
        return node.outputs[0].fgraph
    except AttributeError:
        return None


def local_optimizer(tracks, inplace=False, requirements=()):
    """Decorator making a local optimizer of ``fn(node)``; ``tracks`` lists the Op classes or
    instances it applies to (None: every node)."""
    if tracks is not None:
        if not isinstance(tracks, (list, tuple)):
            raise TypeError("local_optimizer(tracks): give a list of Op classes or instances, or None")
        if not tracks:
            raise ValueError("local_optimizer(tracks): use None, not an empty list, to track every node")

    def decorator(fn):
        return FromFunctionLocalOptimizer(fn, tracks, requirements)

    return decorator


def _matches(tracked, op):
    if not tracked:  # None, or Theano's "return []" of optimizers that check the op themselves
        return True
    for t in tracked:
        if isinstance(t, type):
            if isinstance(op, t):
                return True
        elif t == op:
            return True
    return False


def _replacements(node, result):
    """[(old, new)] from what a transform returned (a list aligned with the outputs, or a dict)."""
    if isinstance(result, dict):
        return [(k, v) for k, v in result.items() if isinstance(k, Variable) and v is not None]
    if isinstance(result, Variable):
        result = [result]
    result = list(result)
    if len(result) != len(node.outputs):
        raise ValueError(f"a local optimizer returned {len(result)} replacement(s) for {node}, which has "
                         f"{len(node.outputs)} output(s)")
    return [(o, n) for o, n in zip(node.outputs, result) if n is not None and n is not o]


def apply_local(fgraph, lopt, node):
    """Try ``lopt`` on ``node``; replace its outputs and return True when it fires."""
    if not _matches(lopt.tracks(), node.op):
        return False
    result = lopt.transform(node, fgraph) if isinstance(lopt, FromFunctionLocalOptimizer) else lopt.transform(node)
    if result is False or result is None:
        return False
    pairs = _replacements(node, result)
    if not pairs:
        return False
    for old, new in pairs:
        if old in fgraph:
            fgraph.replace(old, _fit(old, new), reason=str(lopt))
    return True


def _fit(old, new):
    """A replacement of another broadcast pattern, made to fit when it can (Theano's patternbroadcast)."""
    if new.type == old.type or not hasattr(old.type, "broadcastable"):
        return new
    try:
        from ..tensor.variable import as_tensor_variable

        new = as_tensor_variable(new)
        if getattr(new.type, "dtype", None) != old.type.dtype:
            from ..tensor.math import cast

            new = cast(new, old.type.dtype)
        if new.type.broadcastable != old.type.broadcastable and new.type.ndim == old.type.ndim:
            from ..tensor import patternbroadcast

            new = patternbroadcast(new, old.type.broadcastable)
    except Exception:  # leave the type check of fgraph.replace to report it
        return new
    return new


class NavigatorOptimizer(Optimizer):
    """Runs one local optimizer over the nodes of a graph."""

    def __init__(self, local_opt, ignore_newtrees=False, failure_callback=None):
        self.local_opt = local_opt
        self.ignore_newtrees = ignore_newtrees
        self.failure_callback = failure_callback

    def add_requirements(self, fgraph):
        self.local_opt.add_requirements(fgraph)


class TopoOptimizer(NavigatorOptimizer):
    """Applies a local optimizer to every node, inputs to outputs (``order='in_to_out'``) or
    outputs to inputs. ``optimize`` returns Theano's profile tuple
    ``(self, nb_changes, nb_nodes_start, nb_nodes_end, io_time, loop_time, callback_time)``."""

    def __init__(self, local_opt, order="in_to_out", ignore_newtrees=False, failure_callback=None):
        if order not in ("in_to_out", "out_to_in"):
            raise ValueError(f"TopoOptimizer order must be 'in_to_out' or 'out_to_in', got {order!r}")
        super().__init__(local_opt, ignore_newtrees, failure_callback)
        self.order = order

    def apply(self, fgraph, start_from=None):
        t0 = time.perf_counter()
        start = len(fgraph.apply_nodes)
        order = fgraph.toposort()
        if self.order == "out_to_in":
            order.reverse()
        t1 = time.perf_counter()
        changes = 0
        for node in order:
            if node not in fgraph.g:  # removed by an earlier replacement
                continue
            try:
                changes += apply_local(fgraph, self.local_opt, node)
            except InconsistencyError:
                if self.failure_callback is None:
                    raise
                self.failure_callback(None, self, [], self.local_opt, node)
        t2 = time.perf_counter()
        return (self, changes, start, len(fgraph.apply_nodes), t1 - t0, t2 - t1, 0.0)


def in2out(*local_opts, **kwargs):
    """A TopoOptimizer running the given local optimizers from inputs to outputs."""
    return TopoOptimizer(local_opts[0] if len(local_opts) == 1 else LocalOptGroup(*local_opts),
                         order="in_to_out", **kwargs)


def out2in(*local_opts, **kwargs):
    """A TopoOptimizer running the given local optimizers from outputs to inputs."""
    return TopoOptimizer(local_opts[0] if len(local_opts) == 1 else LocalOptGroup(*local_opts),
                         order="out_to_in", **kwargs)


class LocalOptGroup(LocalOptimizer):
    """Several local optimizers tried in turn on each node (the first that fires wins)."""

    def __init__(self, *optimizers):
        self.opts = list(optimizers)

    def tracks(self):
        tracked = []
        for o in self.opts:
            t = o.tracks()
            if t is None:
                return None
            tracked.extend(t)
        return tracked

    def transform(self, node, fgraph=None):
        for o in self.opts:
            if not _matches(o.tracks(), node.op):
                continue
            r = o.transform(node, fgraph) if isinstance(o, FromFunctionLocalOptimizer) else o.transform(node)
            if r is not False and r is not None:
                return r
        return False

    def add_requirements(self, fgraph):
        for o in self.opts:
            o.add_requirements(fgraph)


class OpSub(LocalOptimizer):
    """Replaces every application of ``op1`` by ``op2`` on the same inputs."""

    def __init__(self, op1, op2, transfer_tags=True):
        self.op1, self.op2, self.transfer_tags = op1, op2, transfer_tags

    def tracks(self):
        return [self.op1]

    def transform(self, node):
        if node.op != self.op1:
            return False
        return self.op2.make_node(*node.inputs).outputs

    def __str__(self):
        return f"{self.op1} -> {self.op2}"


class OpRemove(LocalOptimizer):
    """Removes ``op``: its outputs are replaced by its inputs, in order."""

    def __init__(self, op):
        self.op = op

    def tracks(self):
        return [self.op]

    def transform(self, node):
        if node.op != self.op:
            return False
        return list(node.inputs)

    def __str__(self):
        return f"{self.op}(x) -> x"


class PatternSub(LocalOptimizer):
    """Replaces a pattern by another, both written as Theano's nested tuples.

    A pattern is ``(op, sub_pattern, ...)``, a string (a variable, bound at its first
    use and required equal afterwards), a constant (matches an equal constant), or a dict
    ``{'pattern': p, 'constraint': fn(var) -> bool}``.  The output pattern is built with the
    ops called on the bound variables.  ``allow_multiple_clients=False`` (the default)
    leaves alone inner nodes that other nodes also use.
    """

    def __init__(self, in_pattern, out_pattern, allow_multiple_clients=False, skip_identities_fn=None,
                 name=None, pdb=False, tracks=(), get_nodes=None, values_eq_approx=None):
        self.in_pattern = in_pattern
        self.out_pattern = out_pattern
        if isinstance(in_pattern, (list, tuple)):
            self.op = in_pattern[0]
        elif isinstance(in_pattern, dict):
            self.op = in_pattern["pattern"][0]
        else:
            raise TypeError("PatternSub: the input pattern must be a tuple (op, ...) or a dict with 'pattern'")
        self.allow_multiple_clients = allow_multiple_clients
        self.skip_identities_fn = skip_identities_fn
        self.values_eq_approx = values_eq_approx
        self.__name__ = name or f"{_pattern_str(in_pattern)} -> {_pattern_str(out_pattern)}"
        self._tracks = list(tracks) if tracks else None

    def tracks(self):
        return self._tracks if self._tracks is not None else [self.op]

    def transform(self, node, fgraph=None):
        if node.op != self.op:
            return False
        fgraph = fgraph if fgraph is not None else _fgraph_of(node)
        u = _match(self.in_pattern, node.outputs[0], {}, fgraph, self.allow_multiple_clients, top=True)
        if u is None:
            return False
        new = _build(self.out_pattern, u)
        if isinstance(new, Variable) and new.type != node.outputs[0].type:
            new = _fit(node.outputs[0], new)
        return [new]

    def __str__(self):
        return self.__name__


def _op_of(p):
    return p[0] if isinstance(p, (list, tuple)) else None


def _match(pattern, expr, u, fgraph, multiple, top=False):
    """The bindings extending ``u`` under which ``expr`` matches ``pattern``, or None."""
    if isinstance(pattern, dict):
        u = _match(pattern["pattern"], expr, u, fgraph, multiple, top)
        if u is None:
            return None
        check = pattern.get("constraint")
        return u if check is None or check(expr) else None
    if isinstance(pattern, (list, tuple)):
        node = expr.owner
        if node is None or node.op != pattern[0] or len(node.inputs) != len(pattern) - 1:
            return None
        if not top and not multiple and fgraph is not None and len(fgraph.clients(expr)) > 1:
            return None
        for sub, inp in zip(pattern[1:], node.inputs):
            u = _match(sub, inp, u, fgraph, multiple)
            if u is None:
                return None
        return u
    if isinstance(pattern, str):
        if pattern in u:
            return u if _same(u[pattern], expr) else None
        return {**u, pattern: expr}
    if isinstance(pattern, Variable):
        return u if _same(pattern, expr) else None
    # a number: matches a constant of that value
    data = getattr(expr, "data", None)
    if isinstance(expr, Constant):
        import numpy as np

        try:
            return u if np.all(np.asarray(data) == pattern) else None
        except Exception:
            return None
    return None


def _same(a, b):
    if a is b:
        return True
    if isinstance(a, Constant) and isinstance(b, Constant):
        try:
            return a.signature() == b.signature()
        except Exception:
            return False
    return False


def _build(pattern, u):
    if isinstance(pattern, (list, tuple)):
        args = [_build(p, u) for p in pattern[1:]]
        return pattern[0](*args)
    if isinstance(pattern, dict):
        return _build(pattern["pattern"], u)
    if isinstance(pattern, str):
        if pattern not in u:
            raise KeyError(f"PatternSub: the output pattern uses {pattern!r}, which the input pattern does not bind")
        return u[pattern]
    return pattern


def _pattern_str(p):
    if isinstance(p, (list, tuple)):
        return f"{p[0]}({', '.join(_pattern_str(s) for s in p[1:])})"
    if isinstance(p, dict):
        return _pattern_str(p["pattern"])
    return str(p)


class MergeOptimizer(Optimizer):
    """Merges equal constants and nodes applying equal ops to the same inputs.

    ``optimize`` returns Theano's profile tuple ``(nb_fail, replace_time, validate_time,
    callback_time, callbacks_time, nb_merged, nb_constant)``."""

    def apply(self, fgraph):
        t0 = time.perf_counter()
        consts, merged_consts = {}, 0
        for node in fgraph.toposort():
            for v in node.inputs:
                if isinstance(v, Constant):
                    key = _const_key(v)
                    keep = consts.setdefault(key, v)
                    if keep is not v and v in fgraph:
                        fgraph.replace(v, keep, reason="MergeOptimizer")
                        merged_consts += 1
        seen, merged = {}, 0
        for node in fgraph.toposort():
            if node not in fgraph.g:
                continue
            key = (node.op, tuple(id(i) for i in node.inputs))
            other = seen.get(key)
            if other is None or other not in fgraph.g:
                seen[key] = node
                continue
            for old, new in zip(node.outputs, other.outputs):
                if old in fgraph:
                    fgraph.replace(old, new, reason="MergeOptimizer")
            merged += 1
        return (0, time.perf_counter() - t0, None, None, {}, merged, merged_consts)


def _const_key(c):
    try:
        sig = c.signature()
        hash(sig)
        return sig
    except TypeError:
        return (c.type, id(c))


class EquilibriumOptimizer(NavigatorOptimizer):
    """Applies local (and global) optimizers over the graph until none changes it."""

    def __init__(self, optimizers, failure_callback=None, ignore_newtrees=True, max_use_ratio=10.0):
        self.local_optimizers = [o for o in optimizers if isinstance(o, LocalOptimizer)]
        self.global_optimizers = [o for o in optimizers if not isinstance(o, LocalOptimizer)]
        self.max_use_ratio = max_use_ratio
        self.failure_callback = failure_callback

    def add_requirements(self, fgraph):
        for o in self.local_optimizers + self.global_optimizers:
            o.add_requirements(fgraph)

    def apply(self, fgraph):
        limit = max(1, int(self.max_use_ratio * max(1, len(fgraph.apply_nodes))))
        total = 0
        group = LocalOptGroup(*self.local_optimizers)
        while True:
            changed = 0
            for g in self.global_optimizers:
                before = len(fgraph.apply_nodes)
                g.optimize(fgraph)
                changed += before != len(fgraph.apply_nodes)
            if self.local_optimizers:
                changed += TopoOptimizer(group).apply(fgraph)[1]
            total += changed
            if not changed:
                return total
            if total > limit:
                import warnings

                warnings.warn(f"EquilibriumOptimizer stopped after {total} rewrites (max_use_ratio "
                              f"{self.max_use_ratio})", stacklevel=2)
                return total


class SeqOptimizer(Optimizer, list):
    """Optimizers applied one after the other."""

    def __init__(self, *opts, **kwargs):
        if len(opts) == 1 and isinstance(opts[0], (list, tuple)):
            opts = opts[0]
        list.__init__(self, opts)
        self.failure_callback = kwargs.get("failure_callback")

    def apply(self, fgraph):
        for opt in self:
            opt.optimize(fgraph) if hasattr(opt, "optimize") else opt(fgraph)

    __hash__ = object.__hash__
    __eq__ = object.__eq__

    def __repr__(self):
        return f"SeqOptimizer({list.__repr__(self)})"


__all__ = ["Optimizer", "GlobalOptimizer", "LocalOptimizer", "local_optimizer", "FromFunctionLocalOptimizer",
           "NavigatorOptimizer", "TopoOptimizer", "in2out", "out2in", "LocalOptGroup", "OpSub", "OpRemove",
           "PatternSub", "MergeOptimizer", "EquilibriumOptimizer", "SeqOptimizer"]
