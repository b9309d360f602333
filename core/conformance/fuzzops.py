"""How the random-graph fuzzer may apply an op: which operands it takes from the
pool of values built so far, and which parameters it draws.

A selector is ``select(choose, pool, exact_args) -> (operand indices, params)``
or None when nothing in the pool fits.  ``choose`` draws numbers (the fuzzer
backs it with hypothesis, so every choice shrinks); ``pool`` entries have
``.var``, ``.value`` (the reference value) and ``.exact`` (identical on every
backend: inputs, and results of exact ops on exact values).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass
class FuzzOp:
    """An op the fuzzer may use: ``kind`` is 'elemwise', 'reduction', 'shape' or
    'index'; ``exact`` ops give bit-identical results for identical inputs;
    operands at ``exact_args`` must be exact (discontinuous ops: comparisons,
    floor, argmax, ...)."""

    name: str
    kind: str
    select: Callable
    exact: bool = False
    exact_args: tuple = ()


def _bcast_flags(entry, ndim):
    b = tuple(entry.var.type.broadcastable)
    return (True,) * (ndim - len(b)) + b


def _padded(shape, ndim):
    return (1,) * (ndim - len(shape)) + tuple(shape)


def broadcast_compatible(a, b):
    """Whether Elemwise accepts ``a`` and ``b`` together: equal sizes, or a size-1
    axis that its type declares broadcastable."""
    nd = max(a.value.ndim, b.value.ndim)
    sa, sb = _padded(a.value.shape, nd), _padded(b.value.shape, nd)
    fa, fb = _bcast_flags(a, nd), _bcast_flags(b, nd)
    for x, y, bx, by in zip(sa, sb, fa, fb):
        if x == y or (x == 1 and bx) or (y == 1 and by):
            continue
        return False
    return True


def _fits(entry, kinds, exact):
    return entry.value.dtype.kind in kinds and (entry.exact or not exact)


def select_elemwise(nin, kinds="f"):
    """Operands of accepted dtype kinds (one string, or one per input) that broadcast together."""
    per_input = [kinds] * nin if isinstance(kinds, str) else list(kinds)

    def select(choose, pool, exact_args=()):
        args = []
        for k in range(nin):
            ok = [i for i, e in enumerate(pool) if _fits(e, per_input[k], k in exact_args)
                  and all(broadcast_compatible(pool[j], e) for j in args)]
            if not ok:
                return None
            args.append(choose.element(ok))
        return args, {}

    return select


def select_reduction(empty_ok=True, keepdims=True):
    """One operand and an axis (None, one axis, or several); keepdims drawn too."""

    def select(choose, pool, exact_args=()):
        ok = [i for i, e in enumerate(pool) if e.exact or not exact_args]
        if not ok:
            return None
        i = choose.element(ok)
        shape = pool[i].value.shape
        nd = len(shape)
        options = [None] + list(range(-nd, nd)) + ([tuple(range(0, nd, 2))] if nd >= 3 else [])
        axis = choose.element(options)
        reduced = range(nd) if axis is None else ([axis % nd] if isinstance(axis, int) else axis)
        if not empty_ok and any(shape[a] == 0 for a in reduced):
            return None
        params = {"axis": axis}
        if keepdims:
            params["keepdims"] = choose.boolean()
        return [i], params

    return select


def _any(choose, pool, min_ndim=0):
    ok = [i for i, e in enumerate(pool) if e.value.ndim >= min_ndim]
    return choose.element(ok) if ok else None


def select_reshape(choose, pool, exact_args=()):
    i = _any(choose, pool)
    if i is None:
        return None
    shape = list(pool[i].value.shape)
    size = int(np.prod(shape, dtype=np.int64))
    options = [(size,), tuple([1] + shape), tuple(reversed(shape))]
    if len(shape) >= 2:
        k = choose.integer(0, len(shape) - 2)
        options.append(tuple(shape[:k] + [shape[k] * shape[k + 1]] + shape[k + 2:]))
    new = list(choose.element(options))
    if size and new and choose.boolean():
        new[choose.integer(0, len(new) - 1)] = -1
    return [i], {"shape": tuple(new)}


def select_transpose(choose, pool, exact_args=()):
    i = _any(choose, pool, 2)
    if i is None:
        return None
    return [i], {"axes": tuple(choose.permutation(pool[i].value.ndim))}


def select_expand_dims(choose, pool, exact_args=()):
    i = _any(choose, pool)
    if i is None:
        return None
    return [i], {"axis": choose.integer(0, pool[i].value.ndim)}


def select_concatenate(choose, pool, exact_args=()):
    i = _any(choose, pool, 1)
    if i is None:
        return None
    a = pool[i].value
    axis = choose.integer(0, a.ndim - 1)
    ok = [j for j, e in enumerate(pool) if e.value.ndim == a.ndim and e.value.dtype == a.dtype
          and all(s == t for d, (s, t) in enumerate(zip(e.value.shape, a.shape)) if d != axis)]
    return [i, choose.element(ok)], {"axis": axis}


def _index_entry(choose, n, allow_int=True):
    kind = choose.integer(0, 2 if allow_int and n > 0 else 1)
    if kind == 0:
        return slice(None)
    if kind == 2:
        return choose.integer(-n, n - 1)
    bounds = [None] + list(range(-n - 1, n + 2))
    step = choose.element([None, 1, 2, -1, -2, 3])
    return slice(choose.element(bounds), choose.element(bounds), step)


def select_basic_index(choose, pool, exact_args=()):
    i = _any(choose, pool, 1)
    if i is None:
        return None
    shape = pool[i].value.shape
    k = choose.integer(1, len(shape))
    return [i], {"idx": tuple(_index_entry(choose, shape[d]) for d in range(k))}


def select_advanced_index(choose, pool, exact_args=()):
    ok = [j for j, e in enumerate(pool) if e.value.ndim >= 1 and e.value.shape[0] > 0]
    if not ok:
        return None
    i = choose.element(ok)
    n = pool[i].value.shape[0]
    picks = [choose.integer(-n, n - 1) for _ in range(choose.integer(1, 4))]
    return [i], {"idx": picks}


def select_set_subtensor(choose, pool, exact_args=()):
    """x, a basic index of slices, and a value broadcastable to the selected region."""
    i = _any(choose, pool, 1)
    if i is None:
        return None
    x = pool[i].value
    idx = tuple(_index_entry(choose, x.shape[d], allow_int=False) for d in range(choose.integer(1, x.ndim)))
    region = np.empty(x.shape, dtype=np.int8)[idx].shape
    ok = [j for j, e in enumerate(pool) if e.value.ndim <= len(region)
          and np.can_cast(e.value.dtype, x.dtype, "same_kind")
          and all(s == r or (s == 1 and b) for s, r, b in zip(e.value.shape[::-1], region[::-1],
                                                             e.var.type.broadcastable[::-1]))]
    if not ok:
        return None
    return [i, choose.element(ok)], {"idx": idx}
