"""Linear algebra on SciPy, as Theano's ``theano.tensor.slinalg``: ``cholesky`` and ``solve``
(with its triangular and symmetric forms) as ops with gradients, and ``kron``."""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Op
from ..types import TensorType
from .blas_threads import one_thread_if_small
from .nlinalg import as_matrix, float_dtype, matrix_dot
from .variable import as_tensor_variable

__all__ = ["Cholesky", "cholesky", "Solve", "solve", "solve_lower_triangular", "solve_upper_triangular",
           "solve_symmetric", "kron"]


def _la():
    import scipy.linalg

    return scipy.linalg


def _ex():
    from . import extras

    return extras


class Cholesky(Op):
    """The Cholesky factor of a symmetric positive-definite matrix: lower ``L`` with
    ``L L^T = X`` (``lower=False``: upper ``U`` with ``U^T U = X``).  Only the triangle
    of ``X`` on the factor's side is read.  A matrix that is not positive definite raises
    LinAlgError (``on_error='nan'``: the result is all NaN instead)."""

    __props__ = ("lower", "on_error")

    def __init__(self, lower=True, on_error="raise"):
        if on_error not in ("raise", "nan"):
            raise ValueError(f"Cholesky: on_error must be 'raise' or 'nan', got {on_error!r}")
        self.lower, self.on_error = bool(lower), on_error

    def make_node(self, x):
        x = as_matrix(x, "cholesky")
        return Apply(self, [x], [TensorType(float_dtype(x), shape=x.type.shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        dt = node.outputs[0].dtype
        try:
            with one_thread_if_small(inputs[0]):
                z = _la().cholesky(inputs[0].astype(dt, copy=False), lower=self.lower)
        except np.linalg.LinAlgError:
            if self.on_error == "raise":
                raise
            z = np.full(inputs[0].shape, np.nan)
        output_storage[0][0] = z.astype(dt, copy=False)

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        """Murray's (2016) reverse mode: with Phi the lower triangle with a halved diagonal,
        S = L^-T Phi(L^T dL) L^-1, and the gradient is the lower triangle of S + S^T - diag(S)."""
        from .extra_ops import diag, diagonal

        (z,), (gz,) = outputs, output_grads
        ex = _ex()
        L, gL = (z, gz) if self.lower else (z.T, gz.T)
        inner = L.T.dot(gL)
        phi = ex.tril(inner) - diag(diagonal(inner) / 2.0)
        s = solve_upper_triangular(L.T, solve_upper_triangular(L.T, phi.T).T)
        sym = s + s.T - diag(diagonal(s))
        return [ex.tril(sym) if self.lower else ex.triu(sym.T)]


cholesky = Cholesky()


_STRUCTURES = ("general", "symmetric", "lower_triangular", "upper_triangular")


class Solve(Op):
    """The solution x of ``A x = b`` for a square ``A`` (``A_structure``: 'general',
    'symmetric', 'lower_triangular', 'upper_triangular'); ``b`` is a vector or a matrix.
    ``overwrite_A``/``overwrite_b`` are Theano's signature: inputs are never overwritten."""

    __props__ = ("A_structure", "lower")

    def __init__(self, A_structure="general", lower=False, overwrite_A=False, overwrite_b=False):
        if A_structure not in _STRUCTURES:
            raise ValueError(f"Solve: A_structure must be one of {', '.join(map(repr, _STRUCTURES))}, "
                             f"got {A_structure!r}")
        self.A_structure, self.lower = A_structure, bool(lower)

    def __str__(self):
        return f"Solve{{{self.A_structure}}}"

    def make_node(self, A, b):
        A = as_matrix(A, "solve: A")
        b = as_tensor_variable(b)
        if b.ndim not in (1, 2):
            raise ValueError(f"solve: b must be a vector or a matrix, got {b} ({b.type})")
        if b.dtype.startswith("complex") or b.dtype == "bool":
            raise TypeError(f"solve takes real b, got {b} of dtype {b.dtype}")
        n = A.type.shape[0]
        if n is not None and b.type.shape[0] is not None and n != b.type.shape[0]:
            raise ValueError(f"solve: A {A.type.shape} and b {b.type.shape} do not match")
        from ..scalar import upcast

        dt = upcast(float_dtype(A), float_dtype(b))
        return Apply(self, [A, b], [TensorType(dt, shape=b.type.shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        A, b = inputs
        dt = node.outputs[0].dtype
        la = _la()
        with one_thread_if_small(A, b):
            if self.A_structure in ("lower_triangular", "upper_triangular"):
                x = la.solve_triangular(A, b, lower=self.A_structure == "lower_triangular")
            else:
                x = la.solve(A, b, assume_a="sym" if self.A_structure == "symmetric" else "gen")
        output_storage[0][0] = np.asarray(x, dtype=dt)

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[1]]

    def L_op(self, inputs, outputs, output_grads):
        """gb = A^-T gx; gA = -gb x^T (kept to A's triangle for a triangular A)."""
        (A, b), (x,), (gx,) = inputs, outputs, output_grads
        transposed = {"lower_triangular": "upper_triangular", "upper_triangular": "lower_triangular"}
        gb = Solve(transposed.get(self.A_structure, self.A_structure), not self.lower)(A.T, gx)
        from .linalg import outer

        gA = -outer(gb, x) if x.ndim == 1 else -matrix_dot(gb, x.T)
        if self.A_structure == "lower_triangular":
            gA = _ex().tril(gA)
        elif self.A_structure == "upper_triangular":
            gA = _ex().triu(gA)
        return [gA, gb]


solve = Solve()
solve_lower_triangular = Solve("lower_triangular", lower=True)
solve_upper_triangular = Solve("upper_triangular", lower=False)
solve_symmetric = Solve("symmetric")


def kron(a, b):
    """The Kronecker product of two matrices, a vector counting as a one-row matrix
    (``numpy.kron``); the inputs need 3 dimensions or more together."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if a.ndim + b.ndim <= 2:
        raise TypeError(f"kron: the inputs need at least 3 dimensions together, got {a.type} and {b.type}")
    if a.ndim > 2 or b.ndim > 2:
        raise TypeError(f"kron takes vectors and matrices, got {a.type} and {b.type}")
    from .shape_ops import reshape

    a2 = a if a.ndim == 2 else a.dimshuffle("x", 0)
    b2 = b if b.ndim == 2 else b.dimshuffle("x", 0)
    prod = a2.dimshuffle(0, "x", 1, "x") * b2.dimshuffle("x", 0, "x", 1)
    return reshape(prod, (a2.shape[0] * b2.shape[0], a2.shape[1] * b2.shape[1]), ndim=2)
