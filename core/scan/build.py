"""``scan()``: turn a Python step function into a Scan node, with Theano's conventions.

``fn`` is called once, on symbolic placeholders: the sequence slices (one per
tap), the past values of the recurrent outputs (one per tap), then the
non-sequences themselves.  Whatever else its result uses from outside (shared
variables, other variables of the outer graph) becomes an implicit
non-sequence; shared variables that ``fn`` updates become loop states whose
final values come back in the updates.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..graph import Constant, Variable, ancestors, clone_graph, io_toposort
from ..shared import SharedVariable
from ..types import TensorType
from .op import Scan


class until:
    """Stop the loop after the step in which ``condition`` (a scalar) becomes true."""

    def __init__(self, condition):
        from ..tensor.variable import as_tensor_variable

        c = as_tensor_variable(condition)
        if c.ndim != 0:
            raise TypeError(f"until: the condition must be a scalar, got {c} ({c.type})")
        self.condition = c


class OrderedUpdates(OrderedDict):
    """The updates scan returns: shared variable -> its value after the loop."""


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _as_var(x, what):
    from ..tensor.variable import as_tensor_variable

    if isinstance(x, Variable):
        return x
    try:
        return as_tensor_variable(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"scan: {what} must be a symbolic variable (or an array-like), got "
                        f"{type(x).__name__}: {x!r} ({e})") from None


def _placeholder(t, name):
    return t.make_variable(name=name) if hasattr(t, "make_variable") else Variable(t, name=name)


def _loose(t):
    """The type of a loop state from its initial value's: static sizes other than 1 are forgotten."""
    if isinstance(t, TensorType):
        return TensorType(t.dtype, shape=tuple(1 if s == 1 else None for s in t.shape))
    return t


def _tap_name(base, tap):
    if base is None:
        return None  # printed as its type, as Theano does
    return f"{base}[t]" if tap == 0 else f"{base}[t{tap:+d}]"


def _sequences(sequences, go_backwards):
    """[(outer variable, taps, name)] from scan's ``sequences`` argument."""
    out = []
    for i, s in enumerate(_as_list(sequences)):
        if isinstance(s, dict):
            if "input" not in s:
                raise ValueError(f"scan: sequence {i} is a dict without an 'input' entry: {s!r}")
            var, taps = s["input"], s.get("taps", [0])
        else:
            var, taps = s, [0]
        var = _as_var(var, f"sequence {i}")
        taps = sorted(set(int(t) for t in _as_list(taps if taps is not None else [0])))
        if not taps:
            raise ValueError(f"scan: sequence {i} has an empty list of taps")
        if not isinstance(var.type, TensorType) or var.ndim < 1:
            raise TypeError(f"scan: sequence {i} ({var}, {var.type}) must have at least one dimension to loop over")
        if go_backwards:
            var = var[::-1]
        out.append((var, taps, var.name or f"sequence {i}"))
    return out


def _outputs_info(outputs_info):
    """[(initial value or None, taps or None)] in the user's order (None: not fed back)."""
    out = []
    for j, o in enumerate(_as_list(outputs_info)):
        if o is None:
            out.append((None, None))
            continue
        if isinstance(o, dict):
            init = o.get("initial")
            if init is None:
                out.append((None, None))
                continue
            taps = o.get("taps", [-1])
            taps = sorted(set(int(t) for t in _as_list(taps))) if taps is not None else None
            if not taps:
                out.append((None, None))  # no taps: the output is not fed back (Theano's rule)
                continue
            if any(t >= 0 for t in taps):
                raise ValueError(f"scan: outputs_info[{j}] has taps {taps}; output taps must be negative "
                                 "(a step sees only earlier values)")
            out.append((_as_var(init, f"outputs_info[{j}]['initial']"), taps))
        else:
            out.append((_as_var(o, f"outputs_info[{j}]"), [-1]))
    return out


def _parse_result(res):
    """(outputs, updates, condition) from whatever ``fn`` returned: an output, a list of them, an
    updates dict, an ``until``, or a tuple mixing these."""
    outs, updates, cond = [], OrderedDict(), None
    if isinstance(res, tuple) and not any(isinstance(x, (dict, until, list, tuple)) for x in res):
        return list(res), updates, cond
    for it in (res if isinstance(res, tuple) else (res,)):
        if isinstance(it, until):
            cond = it.condition
        elif isinstance(it, dict):
            updates.update(it)
        elif isinstance(it, (list, tuple)):
            outs.extend(it)
        elif it is not None:
            outs.append(it)
    return outs, updates, cond


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None, truncate_gradient=-1,
         go_backwards=False, mode=None, name=None, profile=False, allow_gc=None, strict=False, return_list=False):
    """Loop ``fn`` over sequences and/or a number of steps, as Theano's ``theano.scan``.

    Returns ``(outputs, updates)``: the outputs' histories (one variable, a
    list, or None when ``fn`` returns none; always a list with
    ``return_list``) and an ordered dict of shared-variable updates to pass
    to ``function(updates=...)``.
    """
    if not callable(fn):
        raise TypeError(f"scan: fn must be callable, got {type(fn).__name__}")
    seqs = _sequences(sequences, go_backwards)
    nonseqs = [_as_var(v, f"non_sequences[{k}]") for k, v in enumerate(_as_list(non_sequences))]
    step = _StepGraph(fn, seqs, _outputs_info(outputs_info), nonseqs, strict)
    inner_ins, inner_outs = step.inner_graph()
    op = Scan(inner_ins, inner_outs, [taps for _, taps, _ in seqs], step.out_taps(), len(step.nit_out),
              as_while=step.cond is not None, truncate_gradient=truncate_gradient, go_backwards=go_backwards,
              name=name, mode=mode, n_shared=len(step.shared), seq_names=[nm for _, _, nm in seqs],
              out_names=step.out_names())
    results = op(_n_steps_input(n_steps, seqs), *[v for v, _, _ in seqs], *step.outer_inits(), *step.outer_ns)
    user, updates = step.sort_results(results if isinstance(results, list) else [results])
    if name:
        for u in user:
            u.name = name
    if return_list:
        return user, updates
    if not user:
        return None, updates
    return (user[0] if len(user) == 1 else user), updates


class _StepGraph:
    """``fn`` called once on placeholders, and its result sorted into the loop's parts: recurrent
    outputs (``rec``: (position, initial value, taps)), outputs not fed back, shared-variable
    states, the ``until`` condition, and the free variables the step uses (``outer_ns``)."""

    def __init__(self, fn, seqs, infos, nonseqs, strict):
        self.seqs, self.nonseqs = seqs, nonseqs
        self.slice_ph = [[_placeholder(TensorType(v.type.dtype, shape=v.type.shape[1:]), _tap_name(v.name, tap))
                          for tap in taps] for v, taps, _ in seqs]
        self.rec = [(j, init, taps) for j, (init, taps) in enumerate(infos) if init is not None]
        self.tap_ph = [[_placeholder(_state_type(j, init, taps), _tap_name(init.name, tap)) for tap in taps]
                       for j, init, taps in self.rec]
        args = [p for ps in self.slice_ph + self.tap_ph for p in ps] + nonseqs
        outs, upd, self.cond = _parse_result(fn(*args))
        outs = [_as_var(o, f"output {k} of fn") for k, o in enumerate(outs)]
        if infos and len(outs) != len(infos):
            raise ValueError(f"scan: fn returned {len(outs)} output(s) but outputs_info describes {len(infos)}; "
                             "give one outputs_info entry per output (None for an output that is not fed back)")
        self.infos = infos or [(None, None)] * len(outs)
        self.rec_out = [outs[j] for j, _, _ in self.rec]
        self.nit_out = [outs[j] for j, (init, _) in enumerate(self.infos) if init is None]
        for (j, init, _), phs, o in zip(self.rec, self.tap_ph, self.rec_out):
            _check_state(j, init, phs[0], o, strict)
        self._states(upd)
        self._free_variables(strict)

    def _cond(self):
        return [self.cond] if self.cond is not None else []

    def _placeholders(self):
        return [p for ps in self.slice_ph + self.tap_ph for p in ps]

    def _states(self, upd):
        """Shared variables updated by fn become loop states; random generators (shared variables with
        a default update) used by the step are advanced by it too."""
        upd = OrderedDict((s, _as_var(e, f"the update of {s}")) for s, e in upd.items())
        for s in upd:
            if not isinstance(s, SharedVariable):
                raise TypeError(f"scan: fn returned an update for {s}, which is not a shared variable")
        exprs = self.rec_out + self.nit_out + list(upd.values()) + self._cond()
        for v in ancestors(exprs, blockers=self._placeholders() + self.nonseqs):
            if isinstance(v, SharedVariable) and v not in upd and getattr(v, "default_update", None) is not None:
                upd[v] = v.default_update
        self.shared = list(upd)
        self.shared_ph = [_placeholder(s.type, s.name) for s in self.shared]
        self.shared_exprs = [_fit_shared_update(s, e) for s, e in upd.items()]

    def _free_variables(self, strict):
        """Implicit non-sequences: every other free variable the step uses (Theano finds them itself)."""
        exprs = self.rec_out + self.nit_out + self.shared_exprs + self._cond()
        known = set(self.nonseqs) | set(self.shared) | set(self._placeholders())
        implicit = []
        for v in ancestors(exprs, blockers=self._placeholders() + self.nonseqs + self.shared):
            if v.owner is None and not isinstance(v, Constant) and v not in known:
                if strict:
                    raise _strict_error(v, exprs)
                implicit.append(v)
        self.outer_ns = self.nonseqs + implicit
        self.ns_ph = [_placeholder(v.type, f"{v.name}_copy" if v.name else None) for v in self.outer_ns]

    def inner_graph(self):
        """(inner inputs, inner outputs) in the op's order: slices, state taps, shared states,
        non-sequences; recurrent outputs, shared updates, outputs not fed back, condition."""
        from ..tensor import math as tm

        repl = dict(zip(self.shared, self.shared_ph))
        repl.update((v, p) for v, p in zip(self.outer_ns, self.ns_ph) if v not in repl)
        placeholders = self._placeholders() + self.shared_ph
        exprs = self.rec_out + self.shared_exprs + self.nit_out + [tm.cast(c, "bool") for c in self._cond()]
        _, inner_outs, _ = clone_graph(placeholders, exprs, replace=repl, copy_inputs=False)
        return placeholders + self.ns_ph, inner_outs

    def out_taps(self):
        return [tuple(taps) for _, _, taps in self.rec] + \
            [(-1,) if isinstance(s.type, TensorType) else None for s in self.shared]

    def out_names(self):
        return [init.name or f"output {j}" for j, init, _ in self.rec] + [str(s.name or s) for s in self.shared] + \
            [f"output {j}" for j, (init, _) in enumerate(self.infos) if init is None]

    def outer_inits(self):
        """The initial states as the op takes them: with a leading axis of past taps."""
        inits = [init.dimshuffle("x", *range(init.ndim)) if taps == [-1] else init for _, init, taps in self.rec]
        return inits + [s.dimshuffle("x", *range(s.ndim)) if isinstance(s.type, TensorType) else s
                        for s in self.shared]

    def sort_results(self, results):
        """(outputs in the user's order, updates) from the op's outputs."""
        nr, ns = len(self.rec), len(self.shared)
        rec_res, nit_res = iter(results[:nr]), iter(results[nr + ns:])
        user = [next(rec_res) if init is not None else next(nit_res) for init, _ in self.infos]
        updates = OrderedUpdates()
        for s, r in zip(self.shared, results[nr:nr + ns]):
            updates[s] = r[-1] if isinstance(s.type, TensorType) else r
        return user, updates


def _state_type(j, init, taps):
    """The type of the values a recurrent output's taps give fn."""
    if taps == [-1]:
        return _loose(init.type)
    if init.ndim < 1:
        raise ValueError(f"scan: outputs_info[{j}] has taps {taps}, so its initial value needs a leading "
                         f"axis of at least {-taps[0]} entries; got {init} ({init.type})")
    return _loose(TensorType(init.type.dtype, shape=init.type.shape[1:]))


def _fit_shared_update(s, e):
    """The update ``e`` of shared variable ``s``, cast to its dtype where only that differs."""
    from ..tensor import math as tm

    if e.type == s.type or (hasattr(s.type, "is_super") and s.type.is_super(e.type)):
        return e
    if isinstance(e.type, TensorType) and isinstance(s.type, TensorType) and e.ndim == s.ndim:
        e = tm.cast(e, s.type.dtype)
        if e.type == s.type or s.type.is_super(e.type):
            return e
    raise TypeError(f"scan: the update of shared variable {s} ({s.type}) has type {e.type}; cast it")


def _strict_error(v, exprs):
    """Theano's MissingInputError for a variable that fn uses but strict=True did not get passed."""
    from ..errors import MissingInputError

    user = next((n for n in io_toposort([v], exprs) if v in n.inputs), None)
    what = "the shared variable " if isinstance(v, SharedVariable) else ""
    return MissingInputError(
        f"An input of the graph, used to compute {user}, was not provided and not given a value. "
        f"scan(strict=True): fn uses {what}{v} ({v.type}), which is not in non_sequences; pass it in non_sequences")


def _check_state(j, init, ph, out, strict):
    """The output ``fn`` computes for a recurrent state must have the state's type."""
    st, ot = ph.type, out.type
    if st == ot or (hasattr(st, "is_super") and st.is_super(ot)):
        return
    name = init.name or f"#{j}"
    if not isinstance(st, TensorType) or not isinstance(ot, TensorType):
        raise TypeError(f"scan: output {j} of fn ({out}) has type {ot}, but its initial state {name} "
                        f"(outputs_info[{j}]) has type {st}")
    if st.ndim != ot.ndim:
        raise TypeError(f"scan: output {j} of fn ({out}) has {ot.ndim} dimension(s) ({ot}), but its initial state "
                        f"{name} (outputs_info[{j}]) has {st.ndim} ({st}); they must match")
    if st.dtype != ot.dtype:
        raise TypeError(f"scan: output {j} of fn ({out}) has dtype {ot.dtype} ({ot}), but its initial state {name} "
                        f"(outputs_info[{j}]) has dtype {st.dtype} ({st}); the step must not upcast or downcast "
                        f"the state: cast one of them (e.g. T.cast(..., '{st.dtype}'))")
    raise TypeError(f"scan: output {j} of fn ({out}) has broadcast pattern {ot.broadcastable} ({ot}), but its initial "
                    f"state {name} (outputs_info[{j}]) has {st.broadcastable} ({st}); use T.unbroadcast(initial, "
                    f"{', '.join(str(i) for i, (a, b) in enumerate(zip(st.broadcastable, ot.broadcastable)) if a != b)})"
                    " on the initial value, or T.patternbroadcast on the output")


def _n_steps_input(n_steps, seqs):
    from ..tensor.variable import as_tensor_variable

    if n_steps is None:
        if not seqs:
            raise ValueError("scan: give n_steps or at least one sequence, otherwise the number of steps is unknown")
        return as_tensor_variable(np.asarray(-1, dtype="int64"))
    if isinstance(n_steps, (int, np.integer)) and not isinstance(n_steps, bool):
        n_steps = as_tensor_variable(np.asarray(n_steps, dtype="int64"))
    n = n_steps if isinstance(n_steps, Variable) else _as_var(n_steps, "n_steps")
    if n.ndim != 0 or not n.type.dtype.startswith(("int", "uint")):
        raise TypeError(f"scan: n_steps must be an integer scalar, got {n} ({n.type})")
    if isinstance(n, Constant) and int(n.data) < 0:
        raise ValueError(f"scan: n_steps is negative ({int(n.data)}); give a number of steps >= 0")
    return n
