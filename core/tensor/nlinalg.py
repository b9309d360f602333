"""Linear algebra on NumPy, as Theano's ``theano.tensor.nlinalg``: ``matrix_inverse``,
``det``, ``pinv`` (ops with gradients), and the graphs ``matrix_dot``, ``trace``,
``matrix_power``, ``extract_diag``/``alloc_diag``/``diag``, and ``eigh`` (an op with gradients).

Inputs are matrices; integer matrices give float64 results (as NumPy's routines).
"""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Op
from ..scalar import upgrade_to_float
from ..types import TensorType
from .blas_threads import one_thread_if_small
from .variable import as_tensor_variable

__all__ = ["MatrixInverse", "matrix_inverse", "Det", "det", "MatrixPinv", "pinv", "matrix_dot", "trace",
           "matrix_power", "extract_diag", "alloc_diag", "diag", "Eigh", "eigh"]


def as_matrix(x, fname):
    """``x`` as a tensor, checked to be a real matrix."""
    x = as_tensor_variable(x)
    if x.ndim != 2:
        raise ValueError(f"{fname} takes a matrix, got {x} ({x.type}, {x.ndim}-d)")
    if x.dtype.startswith("complex") or x.dtype == "bool":
        raise TypeError(f"{fname} takes a real matrix, got {x} of dtype {x.dtype}")
    return x


def float_dtype(x):
    return upgrade_to_float(x.dtype)


def _dot():
    from .linalg import dot

    return dot


class MatrixInverse(Op):
    """The inverse of a square matrix (``numpy.linalg.inv``); a singular one raises LinAlgError."""

    __props__ = ()

    def __str__(self):
        return "MatrixInverse"

    def make_node(self, x):
        x = as_matrix(x, "matrix_inverse")
        n, m = x.type.shape
        if n is not None and m is not None and n != m:
            raise ValueError(f"matrix_inverse takes a square matrix, got {x} of shape {x.type.shape}")
        return Apply(self, [x], [TensorType(float_dtype(x), shape=(n or m, n or m)).make_variable()])

    def perform(self, node, inputs, output_storage):
        dt = node.outputs[0].dtype
        with one_thread_if_small(inputs[0]):
            output_storage[0][0] = np.linalg.inv(inputs[0].astype(dt, copy=False)).astype(dt, copy=False)

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        """d(X^-1) = -X^-1 dX X^-1, so the gradient is -X^-T gz X^-T."""
        (xi,), (gz,) = outputs, output_grads
        return [-matrix_dot(xi.T, gz, xi.T)]

    def R_op(self, inputs, eval_points):
        (ev,) = eval_points
        if ev is None:
            return [None]
        xi = self(inputs[0])
        return [-matrix_dot(xi, ev, xi)]


matrix_inverse = MatrixInverse()


class Det(Op):
    """The determinant of a square matrix (``numpy.linalg.det``), a 0-d float."""

    __props__ = ()

    def __str__(self):
        return "Det"

    def make_node(self, x):
        x = as_matrix(x, "det")
        n, m = x.type.shape
        if n is not None and m is not None and n != m:
            raise ValueError(f"det takes a square matrix, got {x} of shape {x.type.shape}")
        return Apply(self, [x], [TensorType(float_dtype(x), shape=()).make_variable()])

    def perform(self, node, inputs, output_storage):
        dt = node.outputs[0].dtype
        with one_thread_if_small(inputs[0]):
            output_storage[0][0] = np.asarray(np.linalg.det(inputs[0]), dtype=dt)

    def infer_shape(self, fgraph, node, input_shapes):
        return [()]

    def L_op(self, inputs, outputs, output_grads):
        """d det(X) / dX = det(X) X^-T."""
        (x,), (z,), (gz,) = inputs, outputs, output_grads
        return [gz * z * matrix_inverse(x).T]


det = Det()


class MatrixPinv(Op):
    """The Moore-Penrose pseudo-inverse (``numpy.linalg.pinv``): an (n, m) matrix for an (m, n) one."""

    __props__ = ()

    def __str__(self):
        return "MatrixPinv"

    def make_node(self, x):
        x = as_matrix(x, "pinv")
        return Apply(self, [x], [TensorType(float_dtype(x), shape=x.type.shape[::-1]).make_variable()])

    def perform(self, node, inputs, output_storage):
        dt = node.outputs[0].dtype
        output_storage[0][0] = np.linalg.pinv(inputs[0].astype(dt, copy=False)).astype(dt, copy=False)

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0][::-1]]

    def L_op(self, inputs, outputs, output_grads):
        """Golub & Pereyra's derivative of the pseudo-inverse (valid where the rank is constant)."""
        from .basic import eye

        (x,), (z,), (gz,) = inputs, outputs, output_grads
        m, n = x.shape[0], x.shape[1]
        proj_out = eye(m, dtype=z.dtype) - _dot()(x, z)  # I - X X+ (m x m)
        proj_in = eye(n, dtype=z.dtype) - _dot()(z, x)  # I - X+ X (n x n)
        grad = (-matrix_dot(z.T, gz, z.T)
                + matrix_dot(proj_out, gz.T, z, z.T)
                + matrix_dot(z.T, z, gz.T, proj_in))
        return [grad]


pinv = MatrixPinv()


def matrix_dot(*args):
    """The product of several matrices: ``matrix_dot(a, b, c) == dot(dot(a, b), c)``."""
    if not args:
        raise TypeError("matrix_dot needs at least one matrix")
    out = as_tensor_variable(args[0])
    for a in args[1:]:
        out = _dot()(out, a)
    return out


def trace(X):
    """The sum of the main diagonal of the matrix ``X``."""
    from .reduction import sum as tsum
    from .extra_ops import diagonal

    X = as_matrix(X, "trace")
    return tsum(diagonal(X))


def matrix_power(M, n):
    """``M`` multiplied by itself ``n`` times (a non-negative Python int), by repeated squaring."""
    from .basic import eye

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"matrix_power: n must be a non-negative int, got {n!r}")
    M = as_matrix(M, "matrix_power")
    result, base, n = None, M, int(n)
    while n:
        if n & 1:
            result = base if result is None else _dot()(result, base)
        n >>= 1
        if n:
            base = _dot()(base, base)
    return eye(M.shape[0], dtype=M.dtype) if result is None else result


def extract_diag(x):
    """The main diagonal of the matrix ``x``."""
    from .extra_ops import diagonal

    return diagonal(as_matrix(x, "extract_diag"))


def alloc_diag(v):
    """A square matrix with the vector ``v`` on its diagonal."""
    from .extra_ops import diag as _diag

    v = as_tensor_variable(v)
    if v.ndim != 1:
        raise ValueError(f"alloc_diag takes a vector, got {v} ({v.type})")
    return _diag(v)


def diag(x):
    """``alloc_diag`` of a vector, ``extract_diag`` of a matrix (as ``numpy.diag``)."""
    x = as_tensor_variable(x)
    if x.ndim == 1:
        return alloc_diag(x)
    if x.ndim == 2:
        return extract_diag(x)
    raise TypeError(f"diag takes a vector or a matrix, got {x} ({x.type})")


def _no_grad(g):
    from ..grad_markers import DisconnectedType

    return g is None or isinstance(getattr(g, "type", None), DisconnectedType)


class Eigh(Op):
    """Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix
    (``numpy.linalg.eigh``); only the ``UPLO`` triangle ('L' or 'U') is read."""

    __props__ = ("UPLO",)

    def __init__(self, UPLO="L"):
        if UPLO not in ("L", "U"):
            raise ValueError(f"Eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
        self.UPLO = UPLO

    def make_node(self, x):
        x = as_matrix(x, "eigh")
        n, m = x.type.shape
        if n is not None and m is not None and n != m:
            raise ValueError(f"eigh takes a square matrix, got {x} of shape {x.type.shape}")
        dt = float_dtype(x)
        return Apply(self, [x], [TensorType(dt, shape=(n,)).make_variable(), TensorType(dt, shape=(n, m)).make_variable()])

    def perform(self, node, inputs, output_storage):
        dt = node.outputs[0].dtype
        with one_thread_if_small(inputs[0]):
            w, v = np.linalg.eigh(inputs[0].astype(dt, copy=False), self.UPLO)
        output_storage[0][0], output_storage[1][0] = w.astype(dt, copy=False), v.astype(dt, copy=False)

    def infer_shape(self, fgraph, node, input_shapes):
        (n, m), = input_shapes
        return [(n,), (n, m)]

    def L_op(self, inputs, outputs, output_grads):
        """With F_ij = 1/(w_j - w_i) off the diagonal, G = V (diag(gw) + F o V^T gV) V^T is the
        gradient for a symmetric perturbation; the read triangle collects G + G^T - diag(G)."""
        from . import extras
        from .basic import eye

        (w, v), (gw, gv) = outputs, output_grads
        n = w.shape[0]
        inner = alloc_diag(w * 0.0)
        if not _no_grad(gw):
            inner = alloc_diag(gw)
        if not _no_grad(gv):
            diff = w.dimshuffle("x", 0) - w.dimshuffle(0, "x")
            off = 1.0 - eye(n)
            f = off / (diff + eye(n))
            inner = inner + f * matrix_dot(v.T, gv)
        g = matrix_dot(v, inner, v.T)
        sym = g + g.T - alloc_diag(extract_diag(g))
        return [extras.tril(sym) if self.UPLO == "L" else extras.triu(sym)]


def eigh(a, UPLO="L"):
    """``(w, v)``: the eigenvalues and eigenvectors of the symmetric matrix ``a`` (Theano's ``eigh``)."""
    return Eigh(UPLO)(a)
