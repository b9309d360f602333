"""arignote.sparse on SciPy CSR/CSC matrices: values against SciPy, gradients against finite
differences of the stored values, on every backend (sparse nodes run their perform there)."""
import numpy as np
import pytest
import scipy.sparse as sp

import arignote
import arignote.tensor as T
from arignote import sparse as S


@pytest.fixture
def a_csr():
    return sp.random(4, 3, density=0.5, format="csr", random_state=3, dtype="float64")


def _num_grad_data(cost, m, eps=1e-6):
    """d cost / d stored values of m, by central differences."""
    out = np.zeros(m.nnz)
    for k in range(m.nnz):
        hi, lo = m.copy(), m.copy()
        hi.data[k] += eps
        lo.data[k] -= eps
        out[k] = (cost(hi) - cost(lo)) / (2 * eps)
    return out


def _at_pattern(g, m):
    rows, cols = m.nonzero()
    return np.asarray(g[rows, cols]).ravel()


def test_structured_dot_and_sigmoid_gradients(backend, a_csr, rng):
    b = rng.normal(size=(3, 2))
    x, y = S.csr_matrix("x", dtype="float64"), T.dmatrix("y")
    cost = T.sum(S.structured_dot(x, y) ** 2) + S.sp_sum(S.structured_sigmoid(x), sparse_grad=True)
    gx, gy = arignote.grad(cost, [x, y])
    c, gxv, gyv = arignote.function([x, y], [cost, gx, gy], backend=backend)(a_csr, b)

    def np_cost(m, bm=b):
        return ((m @ bm) ** 2).sum() + (1 / (1 + np.exp(-m.data))).sum()

    assert np.isclose(c, np_cost(a_csr))
    assert sp.issparse(gxv) and gxv.format == "csr" and gxv.nnz == a_csr.nnz
    np.testing.assert_allclose(_at_pattern(gxv, a_csr), _num_grad_data(np_cost, a_csr), rtol=1e-5)
    np.testing.assert_allclose(gyv, 2 * a_csr.T @ (a_csr @ b), rtol=1e-10)


def test_conversions_transpose_and_sums(backend, a_csr):
    x = S.csr_matrix("x", dtype="float64")
    d = T.dmatrix("d")
    f = arignote.function([x, d], [S.dense_from_sparse(S.transpose(x)), S.csc_from_dense(d), S.sp_sum(x, axis=0),
                                   S.sp_sum(x, axis=1), S.sp_sum(x)], backend=backend)
    dense = a_csr.toarray()
    t, c, s0, s1, s = f(a_csr, dense)
    np.testing.assert_array_equal(t, dense.T)
    assert c.format == "csc" and (c != a_csr).nnz == 0
    np.testing.assert_allclose(s0, dense.sum(0))
    np.testing.assert_allclose(s1, dense.sum(1))
    assert np.isclose(s, dense.sum())
    assert S.transpose(x).type.format == "csc"


def test_csm_properties_and_constructor_roundtrip(a_csr):
    x = S.csc_matrix("x", dtype="int64")
    data, indices, indptr, shape = S.csm_properties(x)
    f = arignote.function([x], S.CSR(data, indices, indptr, shape))
    a = sp.csc_matrix(np.asarray([[0, 1, 1], [0, 0, 0], [1, 0, 0]]))
    np.testing.assert_array_equal(f(a).toarray(), [[0, 0, 1], [1, 0, 0], [1, 0, 0]])  # as Theano's tutorial


def test_elementwise_with_dense_and_sparse(a_csr, rng):
    x, y = S.csr_matrix("x", dtype="float64"), S.csr_matrix("y", dtype="float64")
    d = T.dmatrix("d")
    b = sp.random(4, 3, density=0.5, format="csr", random_state=7)
    dense = rng.normal(size=(4, 3))
    f = arignote.function([x, y, d], [x + y, x * y, x + d, x * d, S.structured_add(x, 2), -x, x - y])
    add_ss, mul_ss, add_sd, mul_sd, sadd, neg, sub_ss = f(a_csr, b, dense)
    np.testing.assert_allclose(add_ss.toarray(), (a_csr + b).toarray())
    np.testing.assert_allclose(mul_ss.toarray(), a_csr.multiply(b).toarray())
    np.testing.assert_allclose(add_sd, a_csr.toarray() + dense)
    assert sp.issparse(mul_sd) and mul_sd.nnz <= a_csr.nnz
    np.testing.assert_allclose(mul_sd.toarray(), a_csr.toarray() * dense)
    np.testing.assert_allclose(sadd.data, a_csr.data + 2)
    np.testing.assert_allclose(neg.toarray(), -a_csr.toarray())
    np.testing.assert_allclose(sub_ss.toarray(), (a_csr - b).toarray())


@pytest.mark.parametrize("op,np_fn", [(S.structured_exp, np.exp), (S.sqr, np.square), (S.tanh, np.tanh),
                                      (S.sqrt, np.sqrt), (S.structured_log, np.log), (S.log1p, np.log1p)])
def test_structured_unary_values_and_gradients(op, np_fn, a_csr):
    x = S.csr_matrix("x", dtype="float64")
    cost = S.sp_sum(op(x), sparse_grad=True)
    out, g = arignote.function([x], [op(x), arignote.grad(cost, x)])(a_csr)
    np.testing.assert_allclose(out.data, np_fn(a_csr.data))
    num = _num_grad_data(lambda m: np_fn(m.data).sum(), a_csr)
    np.testing.assert_allclose(_at_pattern(g, a_csr), num, rtol=1e-5)


def test_dense_from_sparse_gradient_keeps_the_pattern(a_csr, rng):
    x = S.csr_matrix("x", dtype="float64")
    w = rng.normal(size=(4, 3))
    g = arignote.function([x], arignote.grad(T.sum(S.dense_from_sparse(x) * w), x))(a_csr)
    assert g.nnz == a_csr.nnz
    np.testing.assert_allclose(_at_pattern(g, a_csr), _at_pattern(w, a_csr))


def test_sparse_dot_with_dense_on_either_side(a_csr, rng):
    x = S.csr_matrix("x", dtype="float64")
    left, right = T.dmatrix("left"), T.dmatrix("right")
    lv, rv = rng.normal(size=(2, 4)), rng.normal(size=(3, 5))
    f = arignote.function([x, left, right], [S.dot(left, x), S.dot(x, right), S.dot(x, S.transpose(x))])
    lx, xr, xxt = f(a_csr, lv, rv)
    np.testing.assert_allclose(lx, lv @ a_csr.toarray())
    np.testing.assert_allclose(xr, a_csr @ rv)
    np.testing.assert_allclose(xxt.toarray(), (a_csr @ a_csr.T).toarray())


def test_bad_inputs_are_named(a_csr):
    x = S.csr_matrix("x", dtype="float32")
    f = arignote.function([x], S.sp_sum(x))
    with pytest.raises(TypeError, match=r"expected a SciPy sparse matrix \(csr, float32\) for x .*got ndarray"):
        f(np.ones((2, 2)))
    with pytest.raises(TypeError, match="cannot be stored as float32 without loss"):
        f(a_csr)  # float64 values
    assert np.isclose(f(a_csr.astype("float32")), a_csr.sum())
    with pytest.raises(TypeError, match="not a sparse matrix"):
        S.dense_from_sparse(T.dmatrix())
    with pytest.raises(TypeError, match="would fill it: use structured_add"):
        x + 1.0
    with pytest.raises(ValueError, match="axis must be None, 0 or 1"):
        S.sp_sum(x, axis=2)
