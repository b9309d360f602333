"""Ops on sparse matrices (Theano's ``theano.sparse``), computed by SciPy, with gradients.

"Structured" ops act on the stored values only (the sparsity pattern is kept), and their
gradients are sparse matrices with the pattern of the input.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..grad_markers import disconnected_type
from ..graph import Apply, Op
from ..types import TensorType
from .type import FORMATS, SparseType, _is_sparse, as_sparse_variable


def _tensor(x):
    from ..tensor.variable import as_tensor_variable

    return as_tensor_variable(x)


def _entry_coords(x):
    """(rows, cols) of the stored entries of x, in storage order."""
    major = np.repeat(np.arange(len(x.indptr) - 1), np.diff(x.indptr))
    return (major, x.indices) if x.format == "csr" else (x.indices, major)


def _with_data(x, data):
    """A copy of sparse matrix x (same pattern) holding ``data``."""
    out = x.copy()
    out.data = np.asarray(data, dtype=out.dtype if data.dtype == out.dtype else data.dtype)
    return out


class _SparseOp(Op):
    """Base of the sparse ops (they run on SciPy; compiled backends fall back to perform)."""


# ----------------------------------------------------------- properties / constructors

class CSMProperties(_SparseOp):
    """(data, indices, indptr, shape) of a sparse matrix."""

    def make_node(self, x):
        x = as_sparse_variable(x)
        return Apply(self, [x], [TensorType(x.dtype, (False,))(), TensorType("int32", (False,))(),
                                 TensorType("int32", (False,))(), TensorType("int32", (False,))()])

    def perform(self, node, inputs, out):
        (x,) = inputs
        out[0][0] = np.asarray(x.data)
        out[1][0] = np.asarray(x.indices, dtype="int32")
        out[2][0] = np.asarray(x.indptr, dtype="int32")
        out[3][0] = np.asarray(x.shape, dtype="int32")

    def L_op(self, inputs, outputs, gouts):
        (x,) = inputs
        g_data = gouts[0]
        if g_data is None or type(g_data.type).__name__ == "DisconnectedType":
            return [disconnected_type()]
        _, indices, indptr, shape = csm_properties(x)
        return [CSM(x.format)(g_data, indices, indptr, shape)]

    def connection_pattern(self, node):
        return [[True, False, False, False]]


csm_properties = CSMProperties()


def csm_data(x):
    return csm_properties(x)[0]


def csm_indices(x):
    return csm_properties(x)[1]


def csm_indptr(x):
    return csm_properties(x)[2]


def csm_shape(x):
    return csm_properties(x)[3]


class CSM(_SparseOp):
    """A sparse matrix of ``format`` from (data, indices, indptr, shape)."""

    __props__ = ("format",)

    def __init__(self, format):
        if format not in FORMATS:
            raise ValueError(f"CSM format must be 'csr' or 'csc', got {format!r}")
        self.format = format

    def make_node(self, data, indices, indptr, shape):
        data, indices, indptr, shape = map(_tensor, (data, indices, indptr, shape))
        if data.ndim != 1 or indices.ndim != 1 or indptr.ndim != 1 or shape.ndim != 1:
            raise TypeError("CSM takes vectors data, indices, indptr and shape")
        for v, what in ((indices, "indices"), (indptr, "indptr"), (shape, "shape")):
            if v.dtype not in ("int32", "int64"):
                raise TypeError(f"CSM: {what} must be an integer vector, got {v.dtype}")
        return Apply(self, [data, indices, indptr, shape], [SparseType(self.format, data.dtype)()])

    def perform(self, node, inputs, out):
        data, indices, indptr, shape = inputs
        shape = tuple(int(s) for s in shape)
        if len(shape) != 2:
            raise ValueError(f"CSM: shape must have 2 entries, got {shape}")
        out[0][0] = FORMATS[self.format]((data, indices, indptr), shape=shape, copy=False)

    def L_op(self, inputs, outputs, gouts):
        data, indices, indptr, shape = inputs
        (gz,) = gouts
        return [_data_at(gz, outputs[0]), disconnected_type(), disconnected_type(), disconnected_type()]

    def connection_pattern(self, node):
        return [[True], [False], [False], [False]]


CSR, CSC = CSM("csr"), CSM("csc")


class _DataAt(_SparseOp):
    """The values of ``g`` (sparse or dense) at the stored entries of sparse ``x``, as a vector."""

    def make_node(self, g, x):
        g = as_sparse_variable(g) if _is_sparse(g) else _tensor(g)
        x = as_sparse_variable(x)
        return Apply(self, [g, x], [TensorType(g.dtype, (False,))()])

    def perform(self, node, inputs, out):
        g, x = inputs
        rows, cols = _entry_coords(x)
        vals = g[rows, cols]
        out[0][0] = np.asarray(vals, dtype=node.outputs[0].type.dtype).ravel()

    def grad(self, inputs, gouts):
        raise NotImplementedError("second derivatives through sparse structure are not supported")


_data_at = _DataAt()


class _Structured(_SparseOp):
    """Sparse ``x``'s pattern holding the values of ``g`` (sparse or dense) there: the
    gradient of a structured op."""

    def make_node(self, x, g):
        x = as_sparse_variable(x)
        g = as_sparse_variable(g) if _is_sparse(g) else _tensor(g)
        return Apply(self, [x, g], [SparseType(x.format, x.dtype)()])

    def perform(self, node, inputs, out):
        x, g = inputs
        rows, cols = _entry_coords(x)
        if isinstance(g, np.ndarray):
            g = np.broadcast_to(g, x.shape)
        vals = np.asarray(g[rows, cols]).ravel().astype(x.dtype)
        out[0][0] = _with_data(x, vals)

    def L_op(self, inputs, outputs, gouts):
        x, g = inputs
        (gz,) = gouts
        return [disconnected_type(), dense_from_sparse(gz) if not _is_sparse(g) else gz]

    def connection_pattern(self, node):
        return [[False], [True]]


structured_like = _Structured()


class DenseFromSparse(_SparseOp):
    """The dense array of a sparse matrix; with ``sparse_grad`` its gradient keeps x's pattern."""

    __props__ = ("sparse_grad",)

    def __init__(self, sparse_grad=True):
        self.sparse_grad = sparse_grad

    def make_node(self, x):
        x = as_sparse_variable(x)
        return Apply(self, [x], [TensorType(x.dtype, (False, False))()])

    def perform(self, node, inputs, out):
        out[0][0] = np.asarray(inputs[0].toarray())

    def grad(self, inputs, gouts):
        (x,), (gz,) = inputs, gouts
        if self.sparse_grad:
            return [structured_like(x, gz)]
        return [SparseFromDense(x.format)(gz)]

    def infer_shape(self, fgraph, node, shapes):
        sh = csm_shape(node.inputs[0])
        return [(sh[0], sh[1])]

    def __str__(self):
        return "DenseFromSparse"


dense_from_sparse = DenseFromSparse()


class SparseFromDense(_SparseOp):
    """A sparse matrix (``format``) of the nonzeros of a dense matrix."""

    __props__ = ("format",)

    def __init__(self, format):
        self.format = format

    def make_node(self, x):
        x = _tensor(x)
        if x.ndim != 2:
            raise TypeError(f"{self.format}_from_dense takes a matrix, got {x.ndim}-d {x}")
        return Apply(self, [x], [SparseType(self.format, x.dtype)()])

    def perform(self, node, inputs, out):
        out[0][0] = FORMATS[self.format](inputs[0])

    def grad(self, inputs, gouts):
        return [dense_from_sparse(gouts[0])]

    def __str__(self):
        return f"SparseFromDense{{{self.format}}}"


csr_from_dense, csc_from_dense = SparseFromDense("csr"), SparseFromDense("csc")


class Transpose(_SparseOp):
    """The transpose (a CSR matrix transposes to CSC and back)."""

    def make_node(self, x):
        x = as_sparse_variable(x)
        return Apply(self, [x], [SparseType("csc" if x.format == "csr" else "csr", x.dtype)()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[0].transpose()

    def grad(self, inputs, gouts):
        return [transpose(gouts[0])]


transpose = Transpose()


# ------------------------------------------------------------------------ elementwise

class StructuredUnary(_SparseOp):
    """``fn`` applied to the stored values; the pattern is kept."""

    __props__ = ("name",)

    def __init__(self, name, fn, dfn=None):
        self.name, self.fn, self.dfn = name, fn, dfn

    def make_node(self, x):
        x = as_sparse_variable(x)
        dtype = np.result_type(self.fn(np.zeros(1, x.dtype))).name if x.dtype[0] in "iu" else x.dtype
        return Apply(self, [x], [SparseType(x.format, dtype)()])

    def perform(self, node, inputs, out):
        (x,) = inputs
        with np.errstate(all="ignore"):
            out[0][0] = _with_data(x, np.asarray(self.fn(x.data), dtype=node.outputs[0].type.dtype))

    def grad(self, inputs, gouts):
        if self.dfn is None:
            raise NotImplementedError(f"{self.name} has no gradient")
        (x,), (gz,) = inputs, gouts
        return [mul(structured_like(x, gz), self.dfn(x))]

    def __str__(self):
        return self.name


def _unary(name, fn, dfn=None):
    return StructuredUnary(name, fn, dfn)


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


structured_sigmoid = _unary("structured_sigmoid", _sigmoid,
                            lambda x: mul(structured_sigmoid(x), structured_add(neg(structured_sigmoid(x)), 1)))
structured_exp = _unary("structured_exp", np.exp, lambda x: structured_exp(x))
structured_log = _unary("structured_log", np.log, lambda x: structured_pow(x, -1))
neg = _unary("neg", np.negative, lambda x: structured_add(mul(x, 0), -1))
sqr = _unary("sqr", np.square, lambda x: mul(x, 2))
sqrt = _unary("sqrt", np.sqrt, lambda x: structured_pow(mul(sqrt(x), 2), -1))
sin = _unary("sin", np.sin, lambda x: _cos(x))
_cos = _unary("structured_cos", np.cos)
tanh = _unary("tanh", np.tanh, lambda x: structured_add(neg(sqr(tanh(x))), 1))
expm1 = _unary("expm1", np.expm1, lambda x: structured_exp(x))
log1p = _unary("log1p", np.log1p, lambda x: structured_pow(structured_add(x, 1), -1))
abs_ = _unary("abs", np.abs, lambda x: sgn(x))
sgn = _unary("sgn", np.sign)
floor, ceil, trunc, rint = (_unary(n, f) for n, f in (("floor", np.floor), ("ceil", np.ceil),
                                                      ("trunc", np.trunc), ("rint", np.rint)))
tan, arcsin, arctan, sinh, arcsinh = (_unary(n, f) for n, f in (("tan", np.tan), ("arcsin", np.arcsin),
                                                                 ("arctan", np.arctan), ("sinh", np.sinh),
                                                                 ("arcsinh", np.arcsinh)))
deg2rad, rad2deg = _unary("deg2rad", np.deg2rad), _unary("rad2deg", np.rad2deg)


class StructuredScalar(_SparseOp):
    """``fn(stored values, scalar)`` on the stored values (``structured_add(x, 2)``)."""

    __props__ = ("name",)

    def __init__(self, name, fn, grads=None):
        self.name, self.fn, self.grads = name, fn, grads

    def make_node(self, x, s):
        x, s = as_sparse_variable(x), _tensor(s)
        if s.ndim != 0:
            raise TypeError(f"{self.name} takes a sparse matrix and a scalar, got {s.ndim}-d {s}")
        dtype = np.result_type(np.zeros(1, x.dtype), np.zeros((), s.dtype)).name
        return Apply(self, [x, s], [SparseType(x.format, dtype)()])

    def perform(self, node, inputs, out):
        x, s = inputs
        with np.errstate(all="ignore"):
            out[0][0] = _with_data(x, np.asarray(self.fn(x.data, s), dtype=node.outputs[0].type.dtype))

    def grad(self, inputs, gouts):
        if self.grads is None:
            raise NotImplementedError(f"{self.name} has no gradient")
        (x, s), (gz,) = inputs, gouts
        return self.grads(x, s, structured_like(x, gz))

    def __str__(self):
        return self.name


def _sum_data(g):
    from ..tensor.math import sum as tsum

    return tsum(csm_data(g))


structured_add = StructuredScalar("structured_add", np.add, lambda x, s, g: [g, _sum_data(g)])
structured_pow = StructuredScalar("structured_pow", np.power, lambda x, s, g: [
    mul(g, mul(structured_pow(x, s - 1), s)), _sum_data(mul(g, mul(structured_pow(x, s), structured_log(x))))])
structured_minimum = StructuredScalar("structured_minimum", np.minimum)
structured_maximum = StructuredScalar("structured_maximum", np.maximum)


class _Binary(_SparseOp):
    """Elementwise add / mul of a sparse matrix with a sparse or dense one (or a scalar)."""

    __props__ = ("kind",)

    def __init__(self, kind):
        self.kind = kind

    def make_node(self, x, y):
        x = as_sparse_variable(x)
        y = as_sparse_variable(y) if _is_sparse(y) else _tensor(y)
        dtype = np.result_type(np.zeros(1, x.dtype), np.zeros(1, y.dtype)).name
        if self.kind == "add" and not _is_sparse(y):
            out = TensorType(dtype, (False, False))()
        else:
            out = SparseType(x.format, dtype)()
        return Apply(self, [x, y], [out])

    def perform(self, node, inputs, out):
        x, y = inputs
        dtype = node.outputs[0].type.dtype
        if self.kind == "add":
            r = x + y
            r = np.asarray(r, dtype=dtype) if not sp.issparse(r) else FORMATS[x.format](r.astype(dtype))
        else:
            r = FORMATS[x.format](x.multiply(y)).astype(dtype) if np.ndim(y) else _with_data(x, (x.data * y).astype(dtype))
        out[0][0] = r

    def grad(self, inputs, gouts):
        (x, y), (gz,) = inputs, gouts
        y_sparse = _is_sparse(y)
        if self.kind == "add":
            gx = gz if y_sparse else structured_like(x, gz)
            return [gx, gz]
        gx = mul(gz, y) if y_sparse else mul(structured_like(x, gz), y)
        gy = mul(gz, x)
        if not y_sparse:
            gy = dense_from_sparse(gy)
            if y.ndim < 2:
                from ..tensor.math import sum as tsum

                gy = tsum(gy) if y.ndim == 0 else tsum(gy, axis=0)
        return [gx, gy]

    def __str__(self):
        return f"Sparse{self.kind.capitalize()}"


_add, _mul = _Binary("add"), _Binary("mul")


def add(x, y):
    """x + y for a sparse x or y: sparse + sparse is sparse, sparse + dense is dense."""
    if not _is_sparse(x):
        x, y = y, x
    if not _is_sparse(y) and _tensor(y).ndim < 2:
        raise TypeError("adding a scalar or vector to a sparse matrix would fill it: use structured_add, or "
                        "dense_from_sparse first")
    return _add(x, y)


def sub(x, y):
    """x - y for a sparse x or y."""
    if _is_sparse(y):
        return add(x, neg(y))
    return add(x, -_tensor(y))


def mul(x, y):
    """Elementwise product with a sparse operand: the result is sparse (zeros stay zeros)."""
    if not _is_sparse(x):
        x, y = y, x
    return _mul(x, y)


# ------------------------------------------------------------------------ reductions

class SpSum(_SparseOp):
    """Sum of a sparse matrix over ``axis`` (None, 0 or 1), as a dense scalar/vector."""

    __props__ = ("axis", "sparse_grad")

    def __init__(self, axis=None, sparse_grad=True):
        if axis not in (None, 0, 1):
            raise ValueError(f"sp_sum: axis must be None, 0 or 1, got {axis!r}")
        self.axis, self.sparse_grad = axis, sparse_grad

    def make_node(self, x):
        x = as_sparse_variable(x)
        bcast = () if self.axis is None else (False,)
        return Apply(self, [x], [TensorType(x.dtype, bcast)()])

    def perform(self, node, inputs, out):
        (x,) = inputs
        dtype = node.outputs[0].type.dtype
        r = x.sum() if self.axis is None else np.asarray(x.sum(axis=self.axis)).ravel()
        out[0][0] = np.asarray(r, dtype=dtype)

    def grad(self, inputs, gouts):
        (x,), (gz,) = inputs, gouts
        if self.axis is None:
            full = gz.dimshuffle("x", "x")
        else:
            full = gz.dimshuffle("x", 0) if self.axis == 0 else gz.dimshuffle(0, "x")
        if self.sparse_grad:
            return [structured_like(x, full)]
        from ..tensor.math import mul as tmul, ones_like

        return [SparseFromDense(x.format)(tmul(ones_like(dense_from_sparse(x)), full))]


def sp_sum(x, axis=None, sparse_grad=False):
    """Sum of a sparse matrix (all entries, or over axis 0 or 1)."""
    return SpSum(axis, sparse_grad)(x)


# ------------------------------------------------------------------------ products

class StructuredDot(_SparseOp):
    """sparse @ dense -> dense; the gradient of the sparse operand keeps its pattern."""

    def make_node(self, a, b):
        a = as_sparse_variable(a)
        b = _tensor(b)
        if b.ndim not in (1, 2):
            raise TypeError(f"structured_dot: the dense operand must be a vector or matrix, got {b.ndim}-d")
        dtype = np.result_type(np.zeros(1, a.dtype), np.zeros(1, b.dtype)).name
        return Apply(self, [a, b], [TensorType(dtype, (False,) * b.ndim)()])

    def perform(self, node, inputs, out):
        a, b = inputs
        out[0][0] = np.asarray(a @ b, dtype=node.outputs[0].type.dtype)

    def grad(self, inputs, gouts):
        (a, b), (gz,) = inputs, gouts
        from ..tensor.linalg import dot as tdot
        from ..tensor.math import outer

        ga_dense = outer(gz, b) if b.ndim == 1 else tdot(gz, b.T)
        return [structured_like(a, ga_dense), structured_dot(transpose(a), gz)]


structured_dot = StructuredDot()


class SpSpDot(_SparseOp):
    """sparse @ sparse -> sparse (the format of the left operand)."""

    def make_node(self, a, b):
        a, b = as_sparse_variable(a), as_sparse_variable(b)
        dtype = np.result_type(np.zeros(1, a.dtype), np.zeros(1, b.dtype)).name
        return Apply(self, [a, b], [SparseType(a.format, dtype)()])

    def perform(self, node, inputs, out):
        a, b = inputs
        out[0][0] = FORMATS[a.format](a @ b).astype(node.outputs[0].type.dtype)

    def grad(self, inputs, gouts):
        (a, b), (gz,) = inputs, gouts
        return [_spsp(gz, transpose(b)), _spsp(transpose(a), gz)]


_spsp = SpSpDot()


def dot(x, y):
    """Matrix product where x or y (or both) is sparse."""
    xs, ys = _is_sparse(x), _is_sparse(y)
    if xs and ys:
        return _spsp(x, y)
    if xs:
        return structured_dot(x, y)
    if ys:
        yt = transpose(as_sparse_variable(y))
        x = _tensor(x)
        return structured_dot(yt, x.T).T
    raise TypeError("sparse.dot needs a sparse operand; use tensor.dot for dense ones")


true_dot = dot


def sp_ones_like(x):
    """x's pattern with every stored value 1."""
    return structured_add(mul(x, 0), 1)


def sp_zeros_like(x):
    """x's pattern with every stored value 0."""
    return mul(x, 0)
