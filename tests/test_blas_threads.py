"""One BLAS thread for small linear-algebra operands (core/tensor/blas_threads.py)."""
import threading

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote.tensor import blas_threads, nlinalg, slinalg

threadpoolctl = pytest.importorskip("threadpoolctl")


def counts():
    return [lib.get_num_threads() for lib in blas_threads._blas_libs()]


@pytest.fixture
def two_threads():
    libs = blas_threads._blas_libs()
    if not libs:
        pytest.skip("threadpoolctl finds no BLAS library it can drive")
    before = counts()
    for lib in libs:
        lib.set_num_threads(2)
    yield
    for lib, n in zip(libs, before):
        lib.set_num_threads(n)


def test_small_operands_run_on_one_thread_and_the_counts_come_back(two_threads):
    with blas_threads.one_thread_if_small(np.ones((3, 3)), np.ones(3)):
        assert counts() == [1] * len(counts())
        with blas_threads.one_thread_if_small(np.ones(2)):  # nested bodies keep one thread
            assert set(counts()) == {1}
        assert set(counts()) == {1}
    assert set(counts()) == {2}
    big = np.ones(blas_threads.SMALL + 1)
    with blas_threads.one_thread_if_small(np.ones(2), big):
        assert set(counts()) == {2}


def test_counts_come_back_after_an_error_and_across_threads(two_threads):
    x = T.matrix("x")
    f = arignote.function([x], slinalg.cholesky(x))
    with pytest.raises(np.linalg.LinAlgError):
        f(-np.eye(3))
    assert set(counts()) == {2}
    A = np.eye(4) * 2.0

    def work():
        for _ in range(200):
            with blas_threads.one_thread_if_small(A):
                np.linalg.inv(A)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(counts()) == {2}


def test_ops_give_the_same_values(two_threads):
    R = np.random.default_rng(0)
    M = R.normal(size=(5, 5))
    S = M @ M.T + 5 * np.eye(5)
    b = R.normal(size=5)
    x = T.matrix("x")
    f = arignote.function([x], [slinalg.cholesky(x), slinalg.solve_lower_triangular(slinalg.cholesky(x), b),
                                nlinalg.matrix_inverse(x), nlinalg.det(x), nlinalg.eigh(x)[0]])
    L, z, inv, det, w = f(S)
    np.testing.assert_allclose(L, np.linalg.cholesky(S))
    np.testing.assert_allclose(z, np.linalg.solve(np.linalg.cholesky(S), b))
    np.testing.assert_allclose(inv, np.linalg.inv(S))
    np.testing.assert_allclose(det, np.linalg.det(S))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(S))
    assert set(counts()) == {2}
