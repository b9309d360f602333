"""``Minibatch`` (random slices of a data array, new on every call) and the ``total_size``
scaling of log-densities computed on minibatches (PyMC3 3.11's rules).

A variable given ``total_size`` has its summed log-density multiplied by
``total_size / batch size`` along the axes it names, so a minibatch ELBO estimates the
full-data one.  ``total_size`` is an int (the first axis) or a tuple of ints and ``None``
(axes left as they are) with at most one ``Ellipsis`` (the axes it skips; entries after
it count from the last axis).
"""
from __future__ import annotations

import collections
import copy
import numbers

import numpy as np

import arignote
import arignote.tensor as T
from arignote.tensor.shared_randomstreams import RandomStreams

from .theanof import smartfloatX
from .variables import retype

__all__ = ["Minibatch", "align_minibatches", "get_scaling"]


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def check_total_size(total_size):
    """TypeError/ValueError for a ``total_size`` that is none of the forms above."""
    if total_size is None or _is_int(total_size):
        return
    if not isinstance(total_size, (list, tuple)):
        raise TypeError(f"Unrecognized `total_size` type, expected int or list of ints, got {total_size!r}")
    if not all(_is_int(t) for t in total_size if t is not Ellipsis and t is not None):
        raise TypeError(f"Unrecognized `total_size` type, expected int or list of ints, got {total_size!r}")
    if list(total_size).count(Ellipsis) > 1:
        raise ValueError(f"Double Ellipsis in `total_size` is restricted, got {total_size!r}")


def _split_ellipsis(sizes):
    sizes = list(sizes)
    if Ellipsis in sizes:
        sep = sizes.index(Ellipsis)
        return sizes[:sep], sizes[sep + 1:]
    return sizes, []


def get_scaling(total_size, value):
    """The factor (a float64 scalar tensor) that scales ``value``'s log-density to ``total_size``."""
    check_total_size(total_size)
    value = T.as_tensor_variable(value)
    ndim = value.ndim
    if total_size is None:
        return T.constant(1.0)
    if _is_int(total_size):
        return T.constant(float(total_size)) / (_dim(value, 0) if ndim >= 1 else 1.0)
    begin, end = _split_ellipsis(total_size)
    if len(begin) + len(end) > ndim:
        raise ValueError(f"Length of `total_size` is too big, number of scalings is bigger that ndim, "
                         f"got {total_size!r} for a value of {ndim} dimension(s)")
    axes = [(i, t) for i, t in enumerate(begin)] + [(ndim - len(end) + i, t) for i, t in enumerate(end)]
    coef = T.constant(1.0)
    for axis, t in axes:
        if t is not None:
            coef = coef * (float(t) / _dim(value, axis))
    return coef


def _dim(value, axis):
    """Length of ``value`` along ``axis`` as a float: static where known, else from its shape."""
    n = value.type.shape[axis]
    return float(n) if n is not None else T.cast(T.shape(value)[axis], "float64")


class Minibatch(T.TensorVariable):
    """Random rows (or blocks) of ``data``, a fresh draw in every compiled call.

    ``batch_size`` is an int (rows of the first axis) or a list with one entry per leading
    axis: an int size, a ``(size, random_seed)`` pair, ``None`` (keep the axis whole) and at
    most one ``Ellipsis`` (keep the axes it skips).  Minibatches made with the same
    ``random_seed`` (default 42) and sizes draw the same indices, so ``Minibatch(X)`` and
    ``Minibatch(y)`` stay aligned.  The data lives in ``self.shared``; ``set_value`` replaces
    it; ``in_memory_size`` keeps only a leading slice of it in memory.
    """

    RNG = collections.defaultdict(list)  # id(minibatch) -> its random streams (align_minibatches)

    def __new__(cls, data, batch_size=128, dtype=None, broadcastable=None, name="Minibatch",
                random_seed=42, update_shared_f=None, in_memory_size=None):
        data = smartfloatX(np.asarray(data)) if dtype is None else np.asarray(data, dtype)
        if data.ndim == 0:
            raise ValueError("Minibatch: data must have at least one dimension")
        shared = arignote.shared(data[_static_slices(in_memory_size)], name=f"{name}_shared")
        streams = []
        view = shared
        for axis, size, seed in _random_axes(batch_size, shared.get_value(borrow=True).shape, random_seed):
            view = T.take(view, _rslice(streams, view, axis, size, seed), axis=axis)
        if broadcastable is not None:
            view = T.patternbroadcast(view, broadcastable)
        self = retype(T.identity(view), cls)
        self.name = name
        self.shared = shared
        self.minibatch = view
        self.update_shared_f = update_shared_f
        Minibatch.RNG[id(self)] = streams
        return self

    def __init__(self, *args, **kwargs):
        pass  # everything is built by __new__ (the variable is the output of a view of the slice)

    def clone(self):
        """A free copy (a plain tensor variable of the same type, name and tag)."""
        cp = T.TensorVariable(self.type, None, None, self.name)
        cp.tag = copy.copy(self.tag)
        return cp

    def __del__(self):
        Minibatch.RNG.pop(id(self), None)

    def update_shared(self):
        """Replace the data by ``update_shared_f()``."""
        if self.update_shared_f is None:
            raise NotImplementedError("No `update_shared_f` was provided to `__init__`")
        self.set_value(np.asarray(self.update_shared_f(), self.dtype))

    def set_value(self, value):
        """Replace the data the minibatches are drawn from."""
        self.shared.set_value(np.asarray(value, self.dtype))


def _rslice(streams, view, axis, size, seed):
    """``size`` random indices (with replacement) into axis ``axis`` of ``view``, from a new stream."""
    stream = RandomStreams(seed)
    streams.append(stream)
    total = T.cast(T.shape(view)[axis], "float64")
    return T.cast(stream.uniform(size=(size,), low=0.0, high=total - 1e-16), "int64")


def _static_slices(user_size):
    """The in-memory part of the data for ``in_memory_size``."""
    if user_size is None:
        return (Ellipsis,)
    if _is_int(user_size):
        return (slice(None, int(user_size)),)
    if isinstance(user_size, (list, tuple)):
        out = []
        for i in user_size:
            if _is_int(i) or i is Ellipsis or isinstance(i, slice):
                out.append(i)
            elif i is None:
                out.append(slice(None))
            else:
                raise TypeError(f"Unrecognized size type, {user_size!r}")
        return tuple(out)
    raise TypeError(f"Unrecognized size type, {user_size!r}")


def _random_axes(batch_size, shape, default_seed):
    """``(axis, size, seed)`` of every axis sliced at random."""
    if batch_size is None:
        return []
    if _is_int(batch_size):
        return [(0, int(batch_size), default_seed)]
    if not isinstance(batch_size, (list, tuple)):
        raise TypeError(f"Unrecognized size type, {batch_size!r}")

    def ok(t):
        if t is Ellipsis or t is None or _is_int(t):
            return True
        return isinstance(t, (tuple, list)) and len(t) == 2 and all(_is_int(x) for x in t)

    if not all(ok(t) for t in batch_size):
        raise TypeError("Unrecognized `batch_size` type, expected int or List[int|tuple(size, random_seed)] "
                        f"where size and random seed are both ints, got {batch_size!r}")
    if list(batch_size).count(Ellipsis) > 1:
        raise ValueError(f"Double Ellipsis in `batch_size` is restricted, got {batch_size!r}")
    begin, end = _split_ellipsis(batch_size)
    ndim = len(shape)
    if len(begin) + len(end) > ndim:
        raise ValueError(f"Length of `batch_size` is too big, number of ints is bigger that ndim, got {batch_size!r}")
    entries = list(enumerate(begin)) + [(ndim - len(end) + i, t) for i, t in enumerate(end)]
    out = []
    for axis, t in entries:
        if t is None:
            continue
        size, seed = (t, default_seed) if _is_int(t) else t
        out.append((axis, int(size), int(seed)))
    return out


def align_minibatches(batches=None):
    """Reseed the random streams of ``batches`` (default: every Minibatch) so they restart together."""
    if batches is None:
        groups = list(Minibatch.RNG.values())
    else:
        groups = []
        for b in batches:
            if not isinstance(b, Minibatch):
                raise TypeError(f"{b} is not a Minibatch")
            groups.append(Minibatch.RNG[id(b)])
    for streams in groups:
        for stream in streams:
            stream.seed()
