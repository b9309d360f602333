"""Cases for ops and helpers added for Theano's basic tensor library (Rebroadcast, sort/argsort,
mgrid/ogrid, stacklists, ptp, iround, isclose/allclose, angle, batched_tensordot), for
arignote.testing.run_case on every backend."""
from __future__ import annotations

import numpy as np

from arignote import tensor as T
from arignote.testing import OpCase
from arignote.types import TensorType

_rng = np.random.default_rng(11)


def _f(*shape):
    return _rng.standard_normal(shape)


M = _f(3, 4)
T3 = _f(2, 3, 4)
ROW = _f(1, 5)
TIES = np.array([[3.0, 1.0, 2.0, 1.0], [0.5, 0.5, -1.0, 4.0]])
INTS = np.array([[5, -2, 7], [0, 3, 3]], dtype="int32")

CASES = []


def case(id, build, inputs, ref, **kw):
    CASES.append(OpCase(id, build, inputs, ref, **kw))


def _t(dtype, shape):
    return TensorType(dtype, shape=shape)


# ------------------------------------------------------------- Rebroadcast
case("addbroadcast_row", lambda x: T.addbroadcast(x, 0) * 2.0, [ROW], lambda x: x * 2.0)
case("addbroadcast_then_broadcast", lambda x, m: T.addbroadcast(x, 0) + m, [_f(1, 4), M], lambda x, m: x + m)
case("addbroadcast_negative_axis", lambda x: T.addbroadcast(x, -1), [_f(3, 1)], lambda x: x)
case("unbroadcast_row", lambda x: T.unbroadcast(x, 0) * 3.0, [ROW], lambda x: x * 3.0,
     input_types=[_t("float64", (1, None))])
case("patternbroadcast", lambda x: T.patternbroadcast(x, (True, False, True)), [_f(1, 3, 1)], lambda x: x)
case("addbroadcast_int", lambda x: T.addbroadcast(x, 0), [np.array([[1, 2, 3]], "int32")], lambda x: x)

# ------------------------------------------------------------------ sort
case("sort_vector", lambda x: T.sort(x), [_f(7)], np.sort)
case("sort_matrix_last", lambda x: T.sort(x), [M], lambda x: np.sort(x, axis=-1))
case("sort_matrix_axis0", lambda x: T.sort(x, axis=0), [M], lambda x: np.sort(x, axis=0))
case("sort_axis_none", lambda x: T.sort(x, axis=None), [T3], lambda x: np.sort(x, axis=None))
case("sort_tensor3_axis1", lambda x: T.sort(x, axis=1), [T3], lambda x: np.sort(x, axis=1))
case("sort_mergesort_ties", lambda x: T.sort(x, kind="mergesort"), [TIES], lambda x: np.sort(x, kind="mergesort"),
     grad=False)  # ties: not differentiable there
case("sort_int", lambda x: T.sort(x, axis=0), [INTS], lambda x: np.sort(x, axis=0))
case("sort_empty", lambda x: T.sort(x), [np.zeros((2, 0))], lambda x: np.sort(x))
case("argsort_vector", lambda x: T.argsort(x), [_f(6)], lambda x: np.argsort(x).astype("int64"), grad=False)
case("argsort_matrix_axis0", lambda x: T.argsort(x, axis=0), [M],
     lambda x: np.argsort(x, axis=0).astype("int64"), grad=False)
case("argsort_axis_none", lambda x: T.argsort(x, axis=None), [T3],
     lambda x: np.argsort(x, axis=None).astype("int64"), grad=False)
case("argsort_stable_ties", lambda x: T.argsort(x, kind="stable"), [TIES],
     lambda x: np.argsort(x, kind="stable").astype("int64"), grad=False)
case("argsort_gather", lambda x: x[T.argsort(x)], [_f(5)], lambda x: x[np.argsort(x)])

# -------------------------------------------------------- graph helpers
case("mgrid", lambda n: T.mgrid[0:n, 1:7:2], [np.asarray(4, "int64")],
     lambda n: list(np.mgrid[0:int(n), 1:7:2].astype("int64")), grad=False)
case("ogrid", lambda n: T.ogrid[0:3, 0:n], [np.asarray(2, "int64")],
     lambda n: [a.astype("int64") for a in np.ogrid[0:3, 0:int(n)]], grad=False)
case("stacklists_scalars", lambda a, b, c, d: T.stacklists([[a, b], [c, d]]),
     [np.asarray(1.0), np.asarray(2.0), np.asarray(3.0), np.asarray(4.0)],
     lambda a, b, c, d: np.array([[a, b], [c, d]]))
case("stacklists_matrices", lambda a, b: T.stacklists([[a, b], [b, a]]), [_f(2, 3), _f(2, 3)],
     lambda a, b: np.array([[a, b], [b, a]]))
case("ptp_all", lambda x: T.ptp(x), [M], lambda x: np.ptp(x))
case("ptp_axis", lambda x: T.ptp(x, axis=1), [M], lambda x: np.ptp(x, axis=1))
case("iround_half_away", lambda x: T.iround(x, mode="half_away_from_zero"),
     [np.array([1.5, 2.5, -0.5, -1.5, 0.2])], lambda x: np.array([2, 3, -1, -2, 0], "int64"), grad=False)
case("iround_half_even", lambda x: T.iround(x, mode="half_to_even"), [np.array([1.5, 2.5, -0.5, 3.7])],
     lambda x: np.round(x).astype("int64"), grad=False)
_CLOSE_A = np.array([1.0, 1.0, np.nan, np.inf, -np.inf, np.inf, 1e10, 0.0])
_CLOSE_B = np.array([1.0 + 1e-9, 1.1, np.nan, np.inf, np.inf, 1.0, 1.00001e10, 1e-9])
case("isclose", lambda a, b: T.isclose(a, b), [_CLOSE_A, _CLOSE_B], lambda a, b: np.isclose(a, b), grad=False)
case("isclose_equal_nan", lambda a, b: T.isclose(a, b, equal_nan=True), [_CLOSE_A, _CLOSE_B],
     lambda a, b: np.isclose(a, b, equal_nan=True), grad=False)
case("isclose_tolerances", lambda a, b: T.isclose(a, b, rtol=0.2, atol=0.0), [_CLOSE_A, _CLOSE_B],
     lambda a, b: np.isclose(a, b, rtol=0.2, atol=0.0), grad=False)
case("allclose_true", lambda a, b: T.allclose(a, b), [M, M + 1e-12], lambda a, b: np.asarray(np.allclose(a, b)),
     grad=False)
case("allclose_false", lambda a, b: T.allclose(a, b), [M, M + 1e-3], lambda a, b: np.asarray(np.allclose(a, b)),
     grad=False)
case("angle_complex", lambda z: T.angle(z), [np.array([1 + 1j, -1 + 0j, -2j, 0j])], np.angle, grad=False)
case("angle_real", lambda x: T.angle(x), [np.array([-2.0, 0.0, 3.0])], np.angle, grad=False)
case("batched_tensordot_int_axes", lambda x, y: T.batched_tensordot(x, y, 1), [_f(2, 3, 4), _f(2, 4, 5)],
     lambda x, y: np.einsum("bij,bjk->bik", x, y))
case("batched_tensordot_list_axes", lambda x, y: T.batched_tensordot(x, y, [[1, 2], [2, 1]]),
     [_f(2, 3, 4), _f(2, 4, 3, 5)], lambda x, y: np.einsum("bij,bjik->bk", x, y))
case("batched_tensordot_free_axes", lambda x, y: T.batched_tensordot(x, y, [[2], [1]]),
     [_f(3, 2, 4), _f(3, 4, 2, 2)], lambda x, y: np.einsum("bij,bjkl->bikl", x, y))

# ------------------------------------------------- nlinalg / slinalg / tri
_SQ = _f(3, 3) + 3 * np.eye(3)
_SPD = _SQ @ _SQ.T + np.eye(3)
_RECT = _f(4, 3)
_LOW = np.tril(_SQ)
_UP = np.triu(_SQ)


def _nl():
    import importlib

    return importlib.import_module("arignote.tensor.nlinalg")


def _sl():
    import importlib

    return importlib.import_module("arignote.tensor.slinalg")


case("matrix_inverse", lambda x: _nl().matrix_inverse(x), [_SQ], np.linalg.inv)
case("matrix_inverse_int", lambda x: _nl().matrix_inverse(x), [np.array([[2, 1], [1, 3]], "int32")],
     np.linalg.inv, grad=False)
case("det", lambda x: _nl().det(x), [_SQ], lambda x: np.asarray(np.linalg.det(x)))
case("det_singular", lambda x: _nl().det(x), [np.ones((2, 2))], lambda x: np.asarray(0.0), grad=False)
case("pinv_tall", lambda x: _nl().pinv(x), [_RECT], np.linalg.pinv)
case("pinv_wide", lambda x: _nl().pinv(x), [_RECT.T.copy()], np.linalg.pinv)
case("matrix_dot", lambda a, b, c: _nl().matrix_dot(a, b, c), [_f(2, 3), _f(3, 4), _f(4, 2)],
     lambda a, b, c: a @ b @ c)
case("trace", lambda x: _nl().trace(x), [_f(3, 4)], lambda x: np.asarray(np.trace(x)))
case("matrix_power_5", lambda x: _nl().matrix_power(x, 5), [_SQ / 4], lambda x: np.linalg.matrix_power(x, 5))
case("matrix_power_0", lambda x: _nl().matrix_power(x, 0), [_SQ], lambda x: np.eye(3), grad=False)
case("nlinalg_diag_alloc", lambda v: _nl().diag(v), [_f(3)], np.diag)
case("nlinalg_diag_extract", lambda m: _nl().diag(m), [_f(3, 4)], np.diag)
case("eigh_values", lambda x: _nl().eigh(x)[0], [_SPD], lambda x: np.linalg.eigh(x)[0])
case("eigh_values_upper", lambda x: _nl().eigh(x, "U")[0], [np.triu(_SPD)], lambda x: np.linalg.eigh(x, "U")[0])
case("eigh_first_projector", lambda x: T.outer(_nl().eigh(x)[1][:, 0], _nl().eigh(x)[1][:, 0]), [_SPD],
     lambda x: np.outer(np.linalg.eigh(x)[1][:, 0], np.linalg.eigh(x)[1][:, 0]))  # sign-free function of v
case("eigh_rebuild", lambda x: T.dot(_nl().eigh(x)[1] * _nl().eigh(x)[0], _nl().eigh(x)[1].T), [np.tril(_SPD)],
     lambda x: np.tril(x) + np.tril(x, -1).T)  # V diag(w) V^T is A built from its lower triangle
case("cholesky_lower", lambda x: _sl().cholesky(x), [_SPD], np.linalg.cholesky)
case("cholesky_upper", lambda x: _sl().Cholesky(lower=False)(x), [_SPD], lambda x: np.linalg.cholesky(x).T)
case("cholesky_nan_on_error", lambda x: _sl().Cholesky(on_error="nan")(x), [-np.eye(2)],
     lambda x: np.full((2, 2), np.nan), grad=False)
case("solve_vector", lambda a, b: _sl().solve(a, b), [_SQ, _f(3)], np.linalg.solve)
case("solve_matrix", lambda a, b: _sl().solve(a, b), [_SQ, _f(3, 2)], np.linalg.solve)
case("solve_symmetric", lambda a, b: _sl().solve_symmetric(a, b), [_SPD, _f(3)], np.linalg.solve,
     wrt=[1])  # a symmetric solve reads one triangle of A: finite differences on the other would differ
case("solve_lower_triangular", lambda a, b: _sl().solve_lower_triangular(a, b), [_LOW, _f(3, 2)],
     np.linalg.solve)
case("solve_upper_triangular", lambda a, b: _sl().solve_upper_triangular(a, b), [_UP, _f(3)], np.linalg.solve)
case("kron_matrices", lambda a, b: _sl().kron(a, b), [_f(2, 3), _f(3, 2)], np.kron)
case("kron_vector_matrix", lambda a, b: _sl().kron(a, b), [_f(3), _f(2, 2)], np.kron)
case("tri", lambda n: T.tri(n, 4, k=1), [np.asarray(3, "int64")], lambda n: np.tri(3, 4, 1), grad=False)
case("tril", lambda x: T.tril(x), [_f(3, 4)], np.tril)
case("triu_offset", lambda x: T.triu(x, k=1), [_f(4, 3)], lambda x: np.triu(x, 1))
case("tril_int", lambda x: T.tril(x, -1), [INTS], lambda x: np.tril(x, -1))
