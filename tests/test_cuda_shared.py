"""Device-resident shared variables on the cuda backends (core/storage.py): values moved to the
device once and kept there, updates that stay there (transfers counted), ``get_value`` giving
NumPy copies and ``return_internal_type`` the device array, ``set_value`` and inputs taking device
arrays without copies, and values kept when a call fails.  'cuda-emulated' runs these without a
GPU (its device arrays wrap host memory); 'cuda' runs them where a device exists."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import plugin_manager as pm
from arignote.config import config
from arignote.testing import backend_params

pytestmark = pytest.mark.parametrize("backend", backend_params(("cuda-emulated", "cuda")))


def transfers(backend):
    """The counter of host<->device value copies of ``backend`` (a snapshot)."""
    if backend == "cuda":
        from arignote.backends.cuda.device import TRANSFERS
    else:
        from arignote.backends.cuda.emulated_array import TRANSFERS
    return dict(TRANSFERS)


def delta(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in ("to_device", "to_host", "to_device_bytes",
                                                             "to_host_bytes")}


def storage(backend):
    return pm.get_backend(backend).storage


def on_device(backend, var):
    return isinstance(var.get_value(borrow=True, return_internal_type=True), storage(backend).array_types)


def test_updates_stay_on_the_device(backend, rng):
    w = arignote.shared(np.ones(1000, dtype="float32"), name="w")
    x = T.fvector("x")
    f = arignote.function([x], (w * x).sum(), updates=[(w, w * np.float32(0.5) + x)], backend=backend)
    X = [rng.normal(size=1000).astype("float32") for _ in range(4)]
    want = np.ones(1000, dtype="float32")
    before = transfers(backend)
    f(X[0])  # the first call moves w to the device (once) and x (every call)
    d = delta(before, transfers(backend))
    assert d["to_device"] == 2 and d["to_device_bytes"] == 2 * 4000
    want = want * np.float32(0.5) + X[0]
    assert on_device(backend, w)
    for k in (1, 2, 3):
        before = transfers(backend)
        r = f(X[k])
        d = delta(before, transfers(backend))
        # per call: x up, the scalar result down; w neither way
        assert d == {"to_device": 1, "to_host": 1, "to_device_bytes": 4000, "to_host_bytes": 4}, d
        assert isinstance(r, np.ndarray) and r.dtype == np.float32
        np.testing.assert_allclose(r, (want * X[k]).sum(), rtol=1e-4)
        want = want * np.float32(0.5) + X[k]
    got = w.get_value()
    assert type(got) is np.ndarray and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert on_device(backend, w)  # reading it leaves it there


def test_get_value_gives_numpy_copies_and_the_internal_type_the_device_array(backend):
    w = arignote.shared(np.arange(5.0), name="w")
    arignote.function([], [], updates=[(w, w + 1)], backend=backend)()
    st = storage(backend)
    for borrow in (False, True):  # a device value cannot be borrowed as NumPy: always a copy
        v = w.get_value(borrow=borrow)
        assert type(v) is np.ndarray
        np.testing.assert_array_equal(v, np.arange(5.0) + 1)
        v[:] = -7
    np.testing.assert_array_equal(w.get_value(), np.arange(5.0) + 1)
    inner = w.get_value(borrow=True, return_internal_type=True)
    assert st.owns(inner) and inner is w.container[0]
    mine = w.get_value(return_internal_type=True)
    assert st.owns(mine) and mine is not inner
    np.testing.assert_array_equal(st.to_host(mine), np.arange(5.0) + 1)
    host = arignote.shared(np.zeros(3))
    assert type(host.get_value(return_internal_type=True)) is np.ndarray  # on the host: the ndarray


def test_set_value_takes_device_arrays(backend):
    st = storage(backend)
    w = arignote.shared(np.zeros(4, dtype="float32"), name="w")
    f = arignote.function([], w * 2, backend=backend)
    d = st.from_host(np.arange(4, dtype="float32"))
    w.set_value(d)
    assert w.get_value(borrow=True, return_internal_type=True) is not d  # copied on the device
    w.set_value(d, borrow=True)
    assert w.get_value(borrow=True, return_internal_type=True) is d
    before = transfers(backend)
    np.testing.assert_array_equal(f(), np.arange(4) * 2)
    assert delta(before, transfers(backend))["to_device"] == 0
    w.set_value(st.from_host(np.arange(4, dtype="int16")))  # a cast that loses nothing: done on the device
    inner = w.get_value(borrow=True, return_internal_type=True)
    assert st.owns(inner) and inner.dtype == np.float32
    with pytest.raises(TypeError, match="cannot cast float64 data to float32"):
        w.set_value(st.from_host(np.arange(4.0)))
    with pytest.raises(TypeError, match="wrong number of dimensions.*expected 1.*got 2"):
        w.set_value(st.from_host(np.zeros((2, 2), dtype="float32")))
    np.testing.assert_array_equal(w.get_value(), np.arange(4))  # refused values change nothing
    w.set_value(np.ones(4, dtype="float32"))  # a host value: moved at the next call
    assert type(w.get_value(borrow=True, return_internal_type=True)) is np.ndarray
    np.testing.assert_array_equal(f(), np.full(4, 2.0))
    assert on_device(backend, w)


def test_device_inputs_pass_through_and_outputs_are_numpy(backend, rng):
    st = storage(backend)
    x = T.dmatrix("x")
    f = arignote.function([x], [T.exp(x) * 2, x.sum(axis=0)], backend=backend)
    X = rng.normal(size=(3, 4))
    d = st.from_host(X)
    before = transfers(backend)
    a, s = f(d)
    assert delta(before, transfers(backend))["to_device"] == 0  # the device input is used as it is
    assert type(a) is np.ndarray and type(s) is np.ndarray
    np.testing.assert_allclose(a, np.exp(X) * 2, rtol=1e-6)
    np.testing.assert_allclose(s, X.sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(f(st.from_host(X.astype("float32")))[0], np.exp(X.astype("float32")) * 2,
                               rtol=1e-6)  # widened on the device
    v = T.fvector("v")
    with pytest.raises(TypeError, match="input 'v.*cannot cast float64 data to float32"):
        arignote.function([v], v * 2, backend=backend)(st.from_host(np.ones(3)))
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        f(st.from_host(np.ones(3)))


def test_device_outputs_when_asked(backend):
    st = storage(backend)
    old = config.cuda_device_outputs
    config.cuda_device_outputs = True
    try:
        x = T.dvector("x")
        f = arignote.function([x], x + 1, backend=backend)
    finally:
        config.cuda_device_outputs = old
    before = transfers(backend)
    out = f(st.from_host(np.arange(3.0)))
    assert st.owns(out) and delta(before, transfers(backend))["to_host"] == 0
    np.testing.assert_array_equal(st.to_host(out), [1.0, 2.0, 3.0])


def test_values_are_kept_when_a_call_fails(backend):
    w = arignote.shared(np.arange(4.0), name="w")
    n = arignote.shared(np.array([2, 3], dtype="int64"), name="n")
    x, k = T.dvector("x"), T.lvector("k")
    f = arignote.function([x, k], [], updates=[(w, w + x), (n, n ** k)], backend=backend)
    f(np.ones(4), np.array([1, 1]))
    assert on_device(backend, w) and on_device(backend, n)
    with pytest.raises(ValueError):
        f(np.ones(3), np.array([1, 1]))  # x does not fit w
    with pytest.raises(ValueError, match="negative integer powers"):
        f(np.ones(4), np.array([1, -1]))  # fails after w + x was computed
    np.testing.assert_array_equal(w.get_value(), np.arange(4.0) + 1)
    np.testing.assert_array_equal(n.get_value(), [2, 3])
    assert on_device(backend, w) and on_device(backend, n)


def test_another_backend_reads_the_device_value(backend):
    w = arignote.shared(np.zeros(3), name="w")
    step = arignote.function([], [], updates=[(w, w + 1)], backend=backend)
    read_host = arignote.function([], w * 10, backend="py")
    step()
    np.testing.assert_array_equal(read_host(), [10, 10, 10])  # moved to the host once
    assert type(w.get_value(borrow=True, return_internal_type=True)) is np.ndarray
    step()
    assert on_device(backend, w)
    np.testing.assert_array_equal(w.get_value(), [2, 2, 2])


def test_pickles_hold_host_values(backend):
    w = arignote.shared(np.arange(3.0), name="w")
    arignote.function([], [], updates=[(w, w * 2)], backend=backend)()
    assert on_device(backend, w)
    w2 = pickle.loads(pickle.dumps(w))
    assert type(w2.container[0]) is np.ndarray
    np.testing.assert_array_equal(w2.get_value(), [0, 2, 4])


def test_return_cupy(backend):
    w = arignote.shared(np.arange(3.0), name="w")
    ok, why = dict((n, (o, r)) for n, o, r, _p in pm.backend_status())["cuda"]
    if not ok:
        with pytest.raises(RuntimeError, match="backend 'cuda' is not available"):
            w.get_value(return_cupy=True)
        return
    import cupy

    arignote.function([], [], updates=[(w, w + 1)], backend=backend)()
    c = w.get_value(return_cupy=True)
    assert isinstance(c, cupy.ndarray)
    np.testing.assert_array_equal(cupy.asnumpy(c), [1, 2, 3])
