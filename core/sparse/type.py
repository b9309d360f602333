"""The sparse matrix type: SciPy CSR/CSC matrices of one dtype in a graph."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..graph import Constant, Variable
from ..types import DTYPES, Type

FORMATS = {"csr": sp.csr_matrix, "csc": sp.csc_matrix}
all_dtypes = set(DTYPES) - {"bool", "float16"}


class SparseType(Type):
    """A 2-d SciPy sparse matrix of a ``format`` ('csr' or 'csc') and a ``dtype``."""

    ndim = 2

    def __init__(self, format, dtype):
        if format not in FORMATS:
            raise ValueError(f"sparse format must be 'csr' or 'csc', got {format!r}")
        dtype = str(np.dtype(dtype))
        if dtype not in all_dtypes:
            raise TypeError(f"unsupported sparse dtype {dtype!r}; use one of {sorted(all_dtypes)}")
        self.format, self.dtype = format, dtype

    def __eq__(self, other):
        return type(other) is type(self) and (other.format, other.dtype) == (self.format, self.dtype)

    def __hash__(self):
        return hash((SparseType, self.format, self.dtype))

    def __str__(self):
        return f"Sparse[{self.dtype}, {self.format}]"

    def __repr__(self):
        return f"SparseType({self.format}, {self.dtype})"

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        what = f" for {name}" if name else ""
        if not sp.issparse(value):
            raise TypeError(f"expected a SciPy sparse matrix ({self.format}, {self.dtype}){what}, got "
                            f"{type(value).__name__}; convert it with scipy.sparse.{self.format}_matrix(...)")
        if value.ndim != 2:
            raise TypeError(f"expected a 2-d sparse matrix{what}, got {value.ndim}-d")
        if value.format == self.format and value.dtype == self.dtype:
            return value
        if strict:
            raise TypeError(f"expected a {self.format} matrix of {self.dtype}{what}, got a {value.format} matrix "
                            f"of {value.dtype}")
        if value.dtype != self.dtype:
            if not allow_downcast and not np.can_cast(value.dtype, self.dtype, "safe"):
                raise TypeError(f"a sparse matrix of {value.dtype}{what} cannot be stored as {self.dtype} without "
                                "loss (pass allow_downcast=True)")
            value = value.astype(self.dtype)
        return FORMATS[self.format](value)

    def make_variable(self, name=None):
        return SparseVariable(self, name=name)

    def format_constant(self, data):
        return f"SparseConstant{{{self.format},{self.dtype},shape={data.shape},nnz={data.nnz}}}"

    def constant_signature(self, data):
        return (self, id(data))

    def values_eq(self, a, b):
        return a.shape == b.shape and abs(a - b).sum() == 0

    def values_eq_approx(self, a, b, eps=1e-6):
        return a.shape == b.shape and (abs(a - b).sum() == 0 or np.allclose(a.toarray(), b.toarray(), atol=eps))


class _SparseMixin:
    """Operators of sparse variables (see :mod:`arignote.sparse.basic`)."""

    dtype = property(lambda self: self.type.dtype)
    format = property(lambda self: self.type.format)
    ndim = 2

    def _b(self):
        from . import basic

        return basic

    def __add__(self, o):
        return self._b().add(self, o)

    __radd__ = __add__

    def __sub__(self, o):
        return self._b().sub(self, o)

    def __rsub__(self, o):
        return self._b().sub(o, self)

    def __mul__(self, o):
        return self._b().mul(self, o)

    __rmul__ = __mul__

    def __neg__(self):
        return self._b().neg(self)

    def __dot__(self, o):
        return self._b().dot(self, o)

    def __rdot__(self, o):
        return self._b().dot(o, self)

    @property
    def T(self):
        return self._b().transpose(self)

    @property
    def shape(self):
        return self._b().csm_properties(self)[3]

    def toarray(self):
        return self._b().dense_from_sparse(self)

    def sum(self, axis=None, sparse_grad=False):
        return self._b().sp_sum(self, axis, sparse_grad)

    def zeros_like(self):
        return self._b().sp_zeros_like(self)

    __hash__ = Variable.__hash__


class SparseVariable(_SparseMixin, Variable):
    """A symbolic sparse matrix."""


class SparseConstant(_SparseMixin, Constant):
    """A fixed sparse matrix in a graph."""


def csc_matrix(name=None, dtype=None):
    """A symbolic CSC matrix (dtype: config.floatX by default)."""
    return _matrix("csc", name, dtype)


def csr_matrix(name=None, dtype=None):
    """A symbolic CSR matrix (dtype: config.floatX by default)."""
    return _matrix("csr", name, dtype)


def matrix(format, name=None, dtype=None):
    return _matrix(format, name, dtype)


def _matrix(format, name, dtype):
    from ..config import config

    return SparseType(format, dtype or config.floatX)(name)


def as_sparse_variable(x, name=None):
    """A sparse variable from a sparse variable or a SciPy sparse matrix (a constant)."""
    if isinstance(x, Variable):
        if not isinstance(x.type, SparseType):
            raise TypeError(f"{x} is a {x.type}, not a sparse matrix; use csr_from_dense/csc_from_dense")
        return x
    if sp.issparse(x):
        fmt = x.format if x.format in FORMATS else "csr"
        t = SparseType(fmt, x.dtype)
        return SparseConstant(t, t.filter(x), name=name)
    raise TypeError(f"cannot make a sparse variable of {type(x).__name__}")


as_sparse = as_sparse_variable


def as_sparse_or_tensor_variable(x, name=None):
    """A sparse variable for sparse input, else a tensor variable."""
    if _is_sparse(x):
        return as_sparse_variable(x, name)
    from ..tensor.variable import as_tensor_variable

    return as_tensor_variable(x, name=name)


def _is_sparse(x):
    return sp.issparse(x) or (isinstance(x, Variable) and isinstance(x.type, SparseType))


def sparse_constant(x, name=None):
    return as_sparse_variable(x, name)
