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

from ..graph import Constant, Variable, ancestors, clone_graph
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
    from ..tensor import math as tm
    from ..tensor.variable import as_tensor_variable

    if not callable(fn):
        raise TypeError(f"scan: fn must be callable, got {type(fn).__name__}")
    seqs = _sequences(sequences, go_backwards)
    infos = _outputs_info(outputs_info)
    nonseqs = [_as_var(v, f"non_sequences[{k}]") for k, v in enumerate(_as_list(non_sequences))]

    # placeholders fn is called with
    args, slice_ph = [], []
    for var, taps, nm in seqs:
        t = TensorType(var.type.dtype, shape=var.type.shape[1:])
        phs = [_placeholder(t, _tap_name(var.name, tap)) for tap in taps]
        slice_ph.append(phs)
        args.extend(phs)
    rec = [(j, init, taps) for j, (init, taps) in enumerate(infos) if init is not None]
    tap_ph = []
    for j, init, taps in rec:
        base = init.name
        if taps == [-1]:
            t = _loose(init.type)
        else:
            if init.ndim < 1:
                raise ValueError(f"scan: outputs_info[{j}] has taps {taps}, so its initial value needs a leading "
                                 f"axis of at least {-taps[0]} entries; got {init} ({init.type})")
            t = _loose(TensorType(init.type.dtype, shape=init.type.shape[1:]))
        phs = [_placeholder(t, _tap_name(base, tap)) for tap in taps]
        tap_ph.append(phs)
        args.extend(phs)
    args.extend(nonseqs)

    outs, upd, cond = _parse_result(fn(*args))
    outs = [_as_var(o, f"output {k} of fn") for k, o in enumerate(outs)]
    if infos and len(outs) != len(infos):
        raise ValueError(f"scan: fn returned {len(outs)} output(s) but outputs_info describes {len(infos)}; "
                         "give one outputs_info entry per output (None for an output that is not fed back)")
    if not infos:
        infos = [(None, None)] * len(outs)

    # shared variables updated by fn become loop states; random generators updated by default too
    upd = OrderedDict((s, _as_var(e, f"the update of {s}")) for s, e in upd.items())
    for s in upd:
        if not isinstance(s, SharedVariable):
            raise TypeError(f"scan: fn returned an update for {s}, which is not a shared variable")
    exprs = outs + list(upd.values()) + ([cond] if cond is not None else [])
    blockers = [p for ps in slice_ph + tap_ph for p in ps] + nonseqs
    for v in ancestors(exprs, blockers=blockers):
        if isinstance(v, SharedVariable) and v not in upd and getattr(v, "default_update", None) is not None:
            upd[v] = v.default_update
            exprs = outs + list(upd.values()) + ([cond] if cond is not None else [])
    shared_states = list(upd)

    # type checks of the recurrent outputs against their states
    rec_out = [outs[j] for j, _, _ in rec]
    for (j, init, taps), phs, o in zip(rec, tap_ph, rec_out):
        _check_state(j, init, phs[0], o, strict)
    shared_ph = [_placeholder(s.type, s.name) for s in shared_states]
    shared_exprs = []
    for s, ph in zip(shared_states, shared_ph):
        e = upd[s]
        if e.type != s.type and not (hasattr(s.type, "is_super") and s.type.is_super(e.type)):
            if isinstance(e.type, TensorType) and isinstance(s.type, TensorType) and e.ndim == s.ndim:
                e = tm.cast(e, s.type.dtype) if e.type.dtype != s.type.dtype else e
            if not (e.type == s.type or s.type.is_super(e.type)):
                raise TypeError(f"scan: the update of shared variable {s} ({s.type}) has type {e.type}; cast it")
        shared_exprs.append(e)

    # implicit non-sequences: every other free variable the step uses
    all_exprs = rec_out + [outs[j] for j, (i, _) in enumerate(infos) if i is None] + shared_exprs + \
        ([cond] if cond is not None else [])
    explicit = set(nonseqs)
    implicit = []
    for v in ancestors(all_exprs, blockers=blockers + shared_states):
        if v.owner is None and not isinstance(v, Constant) and v not in explicit and v not in shared_states \
                and not any(v is p for ps in slice_ph + tap_ph for p in ps):
            if strict and not isinstance(v, SharedVariable):
                raise ValueError(f"scan(strict=True): fn uses {v} ({v.type}), which is neither an argument nor "
                                 "in non_sequences; pass it in non_sequences")
            if strict:
                raise ValueError(f"scan(strict=True): fn uses the shared variable {v}, which is not in "
                                 "non_sequences; pass it in non_sequences")
            implicit.append(v)
    outer_ns = nonseqs + implicit
    ns_ph = [_placeholder(v.type, f"{v.name}_copy" if v.name else None) for v in outer_ns]
    repl = dict(zip(shared_states, shared_ph))
    repl.update((v, p) for v, p in zip(outer_ns, ns_ph) if v not in repl)
    placeholders = [p for ps in slice_ph for p in ps] + [p for ps in tap_ph for p in ps] + shared_ph
    nit_out = [outs[j] for j, (i, _) in enumerate(infos) if i is None]
    inner_exprs = rec_out + shared_exprs + nit_out + ([tm.cast(cond, "bool")] if cond is not None else [])
    _, inner_outs, _ = clone_graph(placeholders, inner_exprs, replace=repl, copy_inputs=False)
    inner_ins = placeholders[:len(placeholders) - len(shared_ph)] + shared_ph + ns_ph
    # the inner inputs in the op's order: slices, rec taps, shared states, non-sequences
    seq_names = [nm for _, _, nm in seqs]
    out_names = [init.name or f"output {j}" for j, init, _ in rec] + [str(s.name or s) for s in shared_states] + \
        [f"output {j}" for j, (i, _) in enumerate(infos) if i is None]
    out_taps = [tuple(taps) for _, _, taps in rec] + \
        [(-1,) if isinstance(s.type, TensorType) else None for s in shared_states]
    op = Scan(inner_ins, inner_outs, [taps for _, taps, _ in seqs], out_taps, len(nit_out),
              as_while=cond is not None, truncate_gradient=truncate_gradient, go_backwards=go_backwards,
              name=name, mode=mode, n_shared=len(shared_states), seq_names=seq_names, out_names=out_names)

    n = _n_steps_input(n_steps, seqs)
    outer_inits = []
    for (j, init, taps), phs in zip(rec, tap_ph):
        x0 = init
        if taps == [-1]:
            x0 = x0.dimshuffle("x", *range(x0.ndim))
        outer_inits.append(x0)
    for s in shared_states:
        outer_inits.append(s.dimshuffle("x", *range(s.ndim)) if isinstance(s.type, TensorType) else s)
    results = op(n, *[v for v, _, _ in seqs], *outer_inits, *outer_ns)
    results = results if isinstance(results, list) else [results]
    nr = len(rec)
    rec_res = results[:nr]
    shared_res = results[nr:nr + len(shared_states)]
    nit_res = results[nr + len(shared_states):]
    user, ri, ni = [], iter(rec_res), iter(nit_res)
    for init, _ in infos:
        user.append(next(ri) if init is not None else next(ni))
    updates = OrderedUpdates()
    for s, r in zip(shared_states, shared_res):
        updates[s] = r[-1] if isinstance(s.type, TensorType) else r
    if name:
        for u in user:
            u.name = name
    if return_list:
        return user, updates
    if not user:
        return None, updates
    return (user[0] if len(user) == 1 else user), updates


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
