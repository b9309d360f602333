"""Products: dot (every ndim combination NumPy's dot accepts), matmul, outer, tensordot."""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Op
from ..types import TensorType
from .. import scalar as ps
from .variable import as_tensor_variable
from . import shape_ops


def _check_numeric(op, *xs):
    for x in xs:
        if x.dtype == "bool":
            raise TypeError(f"{op}: boolean input {x} ({x.type}); cast it to a number first")


class Dot(Op):
    """numpy.dot: 0-d scales, 1-d/2-d are vector/matrix products, n-d sums over
    the last axis of x and the second-to-last of y."""

    __props__ = ()

    def __str__(self):
        return "dot"  # Theano's name, as graphs print it

    def make_node(self, x, y):
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        _check_numeric("dot", x, y)
        if x.ndim and y.ndim:
            kx = x.type.shape[-1]
            ky = y.type.shape[-2] if y.ndim >= 2 else y.type.shape[0]
            if kx is not None and ky is not None and kx != ky:
                raise ValueError(f"dot: shapes {x.type.shape} and {y.type.shape} are not aligned "
                                 f"({kx} != {ky})")
        shape = _dot_shape(x.type.shape, y.type.shape)
        dtype = ps.upcast(x.dtype, y.dtype)
        return Apply(self, [x, y], [TensorType(dtype, shape=shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        x, y = inputs
        try:
            r = np.dot(x, y)
        except ValueError as e:
            raise ValueError(f"dot: shapes {x.shape} and {y.shape} not aligned: {e}") from None
        output_storage[0][0] = np.asarray(r, dtype=node.outputs[0].dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        xs, ys = input_shapes
        return [_dot_shape(xs, ys)]

    def L_op(self, inputs, outputs, output_grads):
        x, y = inputs
        (gz,) = output_grads
        from . import math as tm

        if x.ndim == 0 or y.ndim == 0:
            gx = tm.sum(gz * y) if x.ndim == 0 else gz * y
            gy = tm.sum(gz * x) if y.ndim == 0 else gz * x
        elif x.ndim == 1 and y.ndim == 1:
            gx, gy = gz * y, gz * x
        elif x.ndim == 1 and y.ndim == 2:
            gx, gy = dot(y, gz), outer(x, gz)
        elif x.ndim == 2 and y.ndim == 1:
            gx, gy = outer(gz, y), dot(gz, x)
        elif x.ndim == 2 and y.ndim == 2:
            gx, gy = dot(gz, y.T), dot(x.T, gz)
        else:
            return _dot_nd_grad(x, y, gz)
        return [_like(gx, x), _like(gy, y)]


    def R_op(self, inputs, eval_points):
        return _product_rop(dot, inputs, eval_points)


def _product_rop(product, inputs, eval_points):
    """R_op of a bilinear product: product(ex, y) + product(x, ey).

    A zero evaluation point (Rop's ``zeros_like`` for an input that wrt does not reach) adds no
    product; the result is then filled to the shape of product(x, y), so it stays a function
    of both inputs, as the zero term would make it.
    """
    from .elemwise import is_zeros_fill
    from . import math as tm

    (x, y), (ex, ey) = inputs, eval_points
    zero = [e is not None and is_zeros_fill(e) for e in (ex, ey)]
    ex, ey = (None if zero[0] else ex), (None if zero[1] else ey)
    terms = ([product(ex, y)] if ex is not None else []) + ([product(x, ey)] if ey is not None else [])
    if not terms:
        return [tm.zeros_like(product(x, y))] if any(zero) else [None]
    r = terms[0] if len(terms) == 1 else terms[0] + terms[1]
    return [tm.second(product(x, y), r)] if any(zero) else [r]


def _like(g, x):
    from . import math as tm

    if g.dtype != x.dtype and x.dtype.startswith(("float", "complex")):
        g = tm.cast(g, x.dtype)
    if g.ndim == x.ndim:
        g = tm.sum_to_broadcast(g, x)
    return g


def _dot_nd_grad(x, y, gz):
    # z[i..., j..., k] = sum_m x[i..., m] y[j..., m, k]
    nx, ny = x.ndim, y.ndim
    if ny == 1:
        # z[i...] = sum_m x[i..., m] y[m]
        gx = gz.dimshuffle(list(range(nx - 1)) + ["x"]) * y
        gy = tensordot(x, gz, axes=[list(range(nx - 1)), list(range(nx - 1))])
        return [_like(gx, x), _like(gy, y)]
    # gz axes: x's first nx-1 axes, then y's axes without -2
    xa = list(range(nx - 1))
    ya = list(range(nx - 1, nx - 1 + ny - 1))
    # gx[i..., m] = sum_{j...,k} gz[i..., j..., k] y[j..., m, k]
    y_axes = [a for a in range(ny) if a != ny - 2]
    gx = tensordot(gz, y, axes=[ya, y_axes])
    # gy[j..., m, k] = sum_i x[i..., m] gz[i..., j..., k]
    gy = tensordot(x, gz, axes=[xa, xa])  # -> m, j..., k
    order = list(range(1, ny - 1)) + [0, ny - 1]
    gy = gy.dimshuffle(order)
    return [_like(gx, x), _like(gy, y)]


def _dot_shape(xs, ys):
    xs, ys = tuple(xs), tuple(ys)
    if not xs:
        return ys
    if not ys:
        return xs
    if len(ys) == 1:
        return xs[:-1]
    return xs[:-1] + ys[:-2] + ys[-1:]


_dot = Dot()


def dot(a, b):
    """numpy.dot semantics for any ndim."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    return _dot(a, b)


class Matmul(Op):
    """numpy.matmul (the ``@`` operator): batched matrix product with broadcasting."""

    __props__ = ()

    def make_node(self, x, y):
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        _check_numeric("matmul", x, y)
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError("matmul: scalar operands are not allowed, use '*' instead")
        xs, ys = list(x.type.shape), list(y.type.shape)
        if len(xs) == 1:
            xs = [1] + xs
        if len(ys) == 1:
            ys = ys + [1]
        if xs[-1] is not None and ys[-2] is not None and xs[-1] != ys[-2]:
            raise ValueError(f"matmul: shapes {x.type.shape} and {y.type.shape} not aligned")
        from .elemwise import broadcast_static_shapes

        bx, by = xs[:-2], ys[:-2]
        n = max(len(bx), len(by))
        bx, by = [1] * (n - len(bx)) + bx, [1] * (n - len(by)) + by
        batch = list(broadcast_static_shapes([tuple(bx), tuple(by)], "matmul")) if n else []
        shape = batch + ([xs[-2]] if x.ndim > 1 else []) + ([ys[-1]] if y.ndim > 1 else [])
        return Apply(self, [x, y], [TensorType(ps.upcast(x.dtype, y.dtype), shape=shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        x, y = inputs
        if x.ndim > 2 or y.ndim > 2:
            _check_batch_broadcast(node, x, y)
        try:
            r = np.matmul(x, y)
        except ValueError as e:
            raise ValueError(f"matmul: shapes {x.shape} and {y.shape}: {e}") from None
        output_storage[0][0] = np.asarray(r, dtype=node.outputs[0].dtype)

    def L_op(self, inputs, outputs, output_grads):
        x, y = inputs
        (gz,) = output_grads
        from . import math as tm

        if x.ndim <= 2 and y.ndim <= 2:
            return Dot.L_op(_dot, inputs, outputs, output_grads)
        xm = x if x.ndim > 1 else x.dimshuffle("x", 0)
        ym = y if y.ndim > 1 else y.dimshuffle(0, "x")
        g = gz
        if x.ndim == 1:
            g = g.dimshuffle(*range(g.ndim - 1), "x", g.ndim - 1) if y.ndim > 1 else g
        if y.ndim == 1:
            g = g.dimshuffle(*range(g.ndim), "x")
        gx = matmul(g, swapaxes_last(ym))
        gy = matmul(swapaxes_last(xm), g)
        gx = _reduce_batch(gx, xm)
        gy = _reduce_batch(gy, ym)
        if x.ndim == 1:
            gx = gx.reshape((gx.shape[-1],), ndim=1) if gx.ndim > 1 else gx
        if y.ndim == 1:
            gy = gy.reshape((gy.shape[-2],), ndim=1) if gy.ndim > 1 else gy
        return [_like(gx, x), _like(gy, y)]

    def R_op(self, inputs, eval_points):
        return _product_rop(matmul, inputs, eval_points)


def _check_batch_broadcast(node, x, y):
    """Refuse to broadcast a batch axis that the input types do not mark broadcastable
    (as Elemwise does): the gradient could not sum over it."""
    tx, ty = node.inputs[0].type, node.inputs[1].type
    nb = max(x.ndim, y.ndim) - 2
    bx = [None] * (nb - (x.ndim - 2)) + list(zip(x.shape[:-2], tx.broadcastable[:-2]))
    by = [None] * (nb - (y.ndim - 2)) + list(zip(y.shape[:-2], ty.broadcastable[:-2]))
    for d, (a, b) in enumerate(zip(bx, by)):
        if a is None or b is None or a[0] == b[0]:
            continue
        if (a[0] == 1 and not a[1]) or (b[0] == 1 and not b[1]):
            raise ValueError(
                f"matmul: input shapes {x.shape} and {y.shape} would need run-time broadcasting of batch axis {d}, "
                f"which is not marked broadcastable in the input types {tx} and {ty}; declare it broadcastable "
                f"(e.g. T.tensor(..., shape=(1, None, None))) to broadcast it"
            )


def swapaxes_last(x):
    order = list(range(x.ndim))
    order[-1], order[-2] = order[-2], order[-1]
    return x.dimshuffle(order)


def _reduce_batch(g, like):
    from . import math as tm

    extra = g.ndim - like.ndim
    if extra > 0:
        g = tm.sum(g, axis=list(range(extra)))
    axes = [i for i in range(like.ndim - 2) if like.type.broadcastable[i] and not g.type.broadcastable[i]]
    if axes:
        g = tm.sum(g, axis=axes, keepdims=True)
    return g


_matmul = Matmul()


def matmul(a, b):
    return _matmul(as_tensor_variable(a), as_tensor_variable(b))


def outer(x, y):
    """Outer product of two vectors (flattened first, like numpy.outer)."""
    x, y = as_tensor_variable(x), as_tensor_variable(y)
    if x.ndim != 1:
        x = x.flatten()
    if y.ndim != 1:
        y = y.flatten()
    return x.dimshuffle(0, "x") * y.dimshuffle("x", 0)


def tensordot(a, b, axes=2):
    """numpy.tensordot, built from transpose, reshape and a 2-d dot."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > a.ndim or n > b.ndim:
            raise ValueError(f"tensordot: axes={n} out of range for {a.ndim}-d and {b.ndim}-d inputs")
        a_axes, b_axes = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        a_axes, b_axes = axes
        a_axes = [a_axes] if isinstance(a_axes, (int, np.integer)) else list(a_axes)
        b_axes = [b_axes] if isinstance(b_axes, (int, np.integer)) else list(b_axes)
        if len(a_axes) != len(b_axes):
            raise ValueError(f"tensordot: axes lists {a_axes} and {b_axes} differ in length")
        a_axes = [int(i) % a.ndim for i in a_axes]
        b_axes = [int(i) % b.ndim for i in b_axes]
    for i, j in zip(a_axes, b_axes):
        sa, sb = a.type.shape[i], b.type.shape[j]
        if sa is not None and sb is not None and sa != sb:
            raise ValueError(f"tensordot: axis {i} of a (size {sa}) does not match axis {j} of b (size {sb})")
    a_free = [i for i in range(a.ndim) if i not in a_axes]
    b_free = [i for i in range(b.ndim) if i not in b_axes]
    at = a.dimshuffle(a_free + a_axes)
    bt = b.dimshuffle(b_axes + b_free)
    from .math import prod

    def _size(x, ax):
        if not ax:
            return 1
        out = x.shape[ax[0]]
        for i in ax[1:]:
            out = out * x.shape[i]
        return out

    a2 = shape_ops.reshape(at, [_size(a, a_free), _size(a, a_axes)], ndim=2)
    b2 = shape_ops.reshape(bt, [_size(b, b_axes), _size(b, b_free)], ndim=2)
    out = dot(a2, b2)
    out_shape = [a.shape[i] for i in a_free] + [b.shape[i] for i in b_free]
    return shape_ops.reshape(out, out_shape, ndim=len(out_shape))


def batched_dot(a, b):
    """Matrix/vector products over a shared leading batch axis."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if a.ndim == 2 and b.ndim == 2:
        from .math import sum

        return sum(a * b, axis=1)
    am = a if a.ndim >= 3 else a.dimshuffle(0, "x", 1)
    bm = b if b.ndim >= 3 else b.dimshuffle(0, 1, "x")
    out = matmul(am, bm)
    if a.ndim == 2:
        out = out.dimshuffle([0] + list(range(2, out.ndim)))
    if b.ndim == 2:
        out = out.dimshuffle(list(range(out.ndim - 1)))
    return out
