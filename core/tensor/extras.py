"""Functions of Theano's basic tensor library that are graphs of existing ops:
``stacklists``, ``mgrid``/``ogrid``, ``ptp``, ``iround``, ``isclose``/``allclose``,
``angle``, ``batched_tensordot`` and the ``truediv``/``intdiv`` spellings."""
from __future__ import annotations

import numpy as np

from . import math as tm
from . import reduction as rd
from .variable import _TensorMixin, as_tensor_variable
from . import basic, extra_ops, shape_ops

__all__ = ["stacklists", "mgrid", "ogrid", "ptp", "iround", "isclose", "allclose", "angle",
           "batched_tensordot", "truediv", "intdiv", "tri", "tril", "triu"]

truediv = tm.true_div
intdiv = tm.int_div




def stacklists(arg):
    """Stack a nested list of tensors into one tensor of the same nesting:
    ``stacklists([[a, b], [c, d]])`` of scalars is a 2x2 matrix."""
    if isinstance(arg, (list, tuple)):
        return basic.stack([stacklists(a) for a in arg])
    return as_tensor_variable(arg)


class _NdGrid:
    """``mgrid[0:5, 0:3]`` (dense) or ``ogrid[0:5, 0:3]`` (open) mesh-grids of int ranges, as NumPy's."""

    def __init__(self, sparse):
        self.sparse = sparse

    def __getitem__(self, key):
        slices = key if isinstance(key, tuple) else (key,)
        for sl in slices:
            if not isinstance(sl, slice):
                raise TypeError(f"{self!r} is indexed by slices (start:stop:step), got {sl!r}")
        nd = len(slices)
        ranges = [self._range(sl) for sl in slices]
        grids = []
        for j, r in enumerate(ranges):
            pattern = ["x"] * nd
            pattern[j] = 0
            grids.append(r.dimshuffle(*pattern))
        if self.sparse:
            return grids
        shape = [r.shape[0] for r in ranges]
        return [extra_ops.broadcast_to(g, shape) for g in grids]

    @staticmethod
    def _range(sl):
        """One axis: arange(start, stop, step), or with a complex step ``nj`` n points from start
        to stop inclusive, as NumPy's mgrid."""
        start = sl.start if sl.start is not None else 0
        if not isinstance(sl.step, complex):
            return basic.arange(start, sl.stop, sl.step if sl.step is not None else 1)
        n = int(abs(sl.step))
        delta = (sl.stop - start) / (n - 1) if n > 1 else 0.0
        return basic.arange(n) * delta + start

    def __repr__(self):
        return "ogrid" if self.sparse else "mgrid"


mgrid = _NdGrid(sparse=False)
ogrid = _NdGrid(sparse=True)


def ptp(a, axis=None):
    """Range of values (maximum - minimum) along ``axis`` (None: all of ``a``)."""
    a = as_tensor_variable(a)
    return rd.max(a, axis) - rd.min(a, axis)


def iround(a, mode=None):
    """``cast(round(a, mode), 'int64')``."""
    return tm.cast(tm.round(a, mode), "int64")


def isclose(a, b, rtol=1.0e-5, atol=1.0e-8, equal_nan=False):
    """Where ``|a - b| <= atol + rtol * |b|`` (same-signed infinities are close; NaNs only with
    ``equal_nan``), as ``numpy.isclose``."""
    a, b = _pair(a, b)
    finite_close = tm.le(tm.abs(a - b), atol + rtol * tm.abs(b))
    a_nan, b_nan = tm.isnan(a), tm.isnan(b)
    a_inf, b_inf = tm.isinf(a), tm.isinf(b)
    special = tm.logical_or(tm.logical_or(a_nan, b_nan), tm.logical_or(a_inf, b_inf))
    close = tm.logical_and(finite_close, tm.logical_not(special))
    same_inf = tm.logical_and(tm.logical_and(a_inf, b_inf), tm.eq(tm.sgn(a), tm.sgn(b)))
    close = tm.logical_or(close, same_inf)
    if equal_nan:
        close = tm.logical_or(close, tm.logical_and(a_nan, b_nan))
    return close


def allclose(a, b, rtol=1.0e-5, atol=1.0e-8, equal_nan=False):
    """Whether every element of ``a`` is close to ``b`` (see :func:`isclose`)."""
    return rd.all(isclose(a, b, rtol, atol, equal_nan))


def _pair(a, b):
    if not isinstance(a, _TensorMixin) and not isinstance(b, _TensorMixin):
        return as_tensor_variable(a), as_tensor_variable(b)
    a = a if isinstance(a, _TensorMixin) else as_tensor_variable(np.asarray(a, dtype=b.dtype))
    b = b if isinstance(b, _TensorMixin) else as_tensor_variable(np.asarray(b, dtype=a.dtype))
    return a, b


def angle(a):
    """The angle of complex ``a`` (``arctan2(imag, real)``); 0 or pi for a real ``a``."""
    a = as_tensor_variable(a)
    if a.dtype.startswith("complex"):
        return tm.arctan2(tm.imag(a), tm.real(a))
    x = a if a.dtype.startswith("float") else tm.cast(a, "float64")
    return tm.arctan2(tm.zeros_like(x), x)


def batched_tensordot(x, y, axes=2):
    """A tensordot per entry of the first (batch) axis of ``x`` and ``y``.

    ``axes`` is an int i (the last i axes of ``x`` with axes 1..i of ``y``) or a pair of
    axis lists, none of which may be the batch axis 0.
    """
    from .linalg import batched_dot

    x, y = as_tensor_variable(x), as_tensor_variable(y)
    ax_x, ax_y = _batched_axes(x, y, axes)
    free_x = [d for d in range(1, x.ndim) if d not in ax_x]
    free_y = [d for d in range(1, y.ndim) if d not in ax_y]
    xt = x.dimshuffle(0, *free_x, *ax_x)
    yt = y.dimshuffle(0, *ax_y, *free_y)
    batch = x.shape[0]
    k = _prod([x.shape[d] for d in ax_x])
    x3 = shape_ops.reshape(xt, (batch, _prod([x.shape[d] for d in free_x]), k), ndim=3)
    y3 = shape_ops.reshape(yt, (batch, k, _prod([y.shape[d] for d in free_y])), ndim=3)
    z = batched_dot(x3, y3)
    out_shape = [batch] + [x.shape[d] for d in free_x] + [y.shape[d] for d in free_y]
    return shape_ops.reshape(z, out_shape, ndim=len(out_shape))


def _prod(dims):
    out = as_tensor_variable(np.int64(1))
    for d in dims:
        out = out * d
    return out


def _batched_axes(x, y, axes):
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if not 0 <= n < min(x.ndim, y.ndim):
            raise ValueError(f"batched_tensordot: axes={n} needs inputs of more than {n} dims, "
                             f"got {x.type} and {y.type}")
        return list(range(x.ndim - n, x.ndim)), list(range(1, n + 1))
    try:
        ax_x, ax_y = ([int(a) for a in np.atleast_1d(part)] for part in axes)
    except (TypeError, ValueError):
        raise TypeError(f"batched_tensordot: axes must be an int or a pair of axis lists, got {axes!r}") from None
    if len(ax_x) != len(ax_y):
        raise ValueError(f"batched_tensordot: axes {ax_x} and {ax_y} differ in length")
    ax_x = [a % x.ndim for a in ax_x]
    ax_y = [a % y.ndim for a in ax_y]
    if 0 in ax_x or 0 in ax_y:
        raise ValueError("batched_tensordot: axis 0 is the batch axis and cannot be summed over")
    return ax_x, ax_y


def tri(N, M=None, k=0, dtype=None):
    """An N x M array with ones at and below the k-th diagonal, zeros elsewhere (``numpy.tri``)."""
    from ..config import config

    M = N if M is None else M
    rows = basic.arange(N).dimshuffle(0, "x")
    cols = basic.arange(M).dimshuffle("x", 0)
    return tm.cast(tm.ge(rows + k, cols), dtype or config.floatX)


def tril(m, k=0):
    """``m`` with the elements above the k-th diagonal zeroed (``numpy.tril``)."""
    m = as_tensor_variable(m)
    return tm.switch(tri(m.shape[0], m.shape[1], k=k, dtype="bool"), m, tm.zeros_like(m))


def triu(m, k=0):
    """``m`` with the elements below the k-th diagonal zeroed (``numpy.triu``)."""
    m = as_tensor_variable(m)
    return tm.switch(tri(m.shape[0], m.shape[1], k=k - 1, dtype="bool"), tm.zeros_like(m), m)
