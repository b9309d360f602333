"""scan: Theano's loop tutorial, its scan library page and the seed's loop cells, on every backend,
against NumPy loops; errors; map/reduce/foldl/foldr; until; go_backwards; nested loops."""
from __future__ import annotations

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import function, shared
from arignote.function import MissingInputError
from arignote.testing import backend_params


def fn(inputs, outputs, backend, **kw):
    return function(inputs, outputs, backend=backend, **kw)


# ------------------------------------------------------------------ the seed / loop tutorial


def test_power_keeps_the_last_value(backend):
    k = T.iscalar("k")
    A = T.vector("A")
    result, updates = arignote.scan(fn=lambda prior_result, A: prior_result * A, outputs_info=T.ones_like(A),
                                    non_sequences=A, n_steps=k)
    assert len(updates) == 0
    power = fn([A, k], result[-1], backend, updates=updates)
    np.testing.assert_allclose(power(range(10), 2), np.arange(10.0) ** 2)
    np.testing.assert_allclose(power(range(10), 4), np.arange(10.0) ** 4)
    full = fn([A, k], result, backend)(np.arange(3.0), 3)
    np.testing.assert_allclose(full, [np.arange(3.0) ** i for i in (1, 2, 3)])


@pytest.mark.parametrize("n_max", [1000, 10000])
def test_polynomial_stops_at_the_shortest_sequence(backend, n_max):
    coefficients = T.vector("coefficients")
    x = T.scalar("x")
    components, updates = arignote.scan(fn=lambda c, p, v: c * (v ** p), outputs_info=None,
                                        sequences=[coefficients, T.arange(n_max)], non_sequences=x)
    f = fn([coefficients, x], components.sum(), backend)
    assert f(np.asarray([1, 0, 2], dtype=np.float32), 3) == 19.0
    c = np.random.default_rng(0).normal(size=50)
    np.testing.assert_allclose(f(c, 0.9), np.polyval(c[::-1], 0.9))


def test_tanh_of_rows(backend):
    X, W, b = T.matrix("X"), T.matrix("W"), T.vector("b_sym")
    results, _ = arignote.scan(lambda v: T.tanh(T.dot(v, W) + b), sequences=X)
    f = fn([X, W, b], results, backend)
    x, w, bb = np.eye(2), np.ones((2, 2)), np.array([1.0, 2.0])
    np.testing.assert_allclose(f(x, w, bb), np.tanh(x.dot(w) + bb))


def test_sequence_with_reversed_input(backend):
    X, W, U, Y, V, P = T.vector("X"), T.matrix("W"), T.matrix("U"), T.matrix("Y"), T.matrix("V"), T.matrix("P")
    results, _ = arignote.scan(lambda y, p, x_tm1: T.tanh(T.dot(x_tm1, W) + T.dot(y, U) + T.dot(p, V)),
                               sequences=[Y, P[::-1]], outputs_info=[X])
    f = fn([X, W, Y, U, P, V], results, backend)
    x = np.array([0.0, 1.0])
    w, u, v = np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2))
    y = np.ones((5, 2))
    y[0] = -3
    p = np.ones((5, 2))
    p[0] = 3
    ref = np.zeros((5, 2))
    ref[0] = np.tanh(x.dot(w) + y[0].dot(u) + p[4].dot(v))
    for i in range(1, 5):
        ref[i] = np.tanh(ref[i - 1].dot(w) + y[i].dot(u) + p[4 - i].dot(v))
    np.testing.assert_allclose(f(x, w, y, u, p, v), ref)


def test_norms_of_rows_and_columns(backend):
    X = T.matrix("X")
    rows, _ = arignote.scan(lambda x_i: T.sqrt((x_i ** 2).sum()), sequences=[X])
    cols, _ = arignote.scan(lambda x_i: T.sqrt((x_i ** 2).sum()), sequences=[X.T])
    x = np.diag(np.arange(1, 6, dtype="float64"), 1)
    np.testing.assert_allclose(fn([X], rows, backend)(x), [1, 2, 3, 4, 5, 0])
    np.testing.assert_allclose(fn([X], cols, backend)(x), [0, 1, 2, 3, 4, 5])


def test_trace_uses_an_outer_variable_and_casts(backend):
    X = T.matrix("X")
    results, _ = arignote.scan(lambda i, j, t_f: T.cast(X[i, j] + t_f, "float32"),
                               sequences=[T.arange(X.shape[0]), T.arange(X.shape[1])],
                               outputs_info=np.asarray(0.0, dtype="float32"))
    f = fn([X], results[-1], backend)
    x = np.eye(5)
    x[0] = np.arange(5)
    out = f(x)
    assert out.dtype == np.float32 and out == 4.0


def test_two_taps_recurrence(backend):
    X, W, b, U, V = T.matrix("X"), T.matrix("W"), T.vector("b_sym"), T.matrix("U"), T.matrix("V")
    n_sym = T.iscalar("n_sym")
    results, _ = arignote.scan(
        lambda x_tm2, x_tm1: T.dot(x_tm2, U) + T.dot(x_tm1, V) + T.tanh(T.dot(x_tm1, W) + b),
        n_steps=n_sym, outputs_info=[dict(initial=X, taps=[-2, -1])])
    f = fn([X, U, V, W, b, n_sym], results, backend)
    x = np.zeros((2, 2))
    x[1, 1] = 1
    w = 0.5 * np.ones((2, 2))
    u = 0.5 * (np.ones((2, 2)) - np.eye(2))
    v = 0.5 * np.ones((2, 2))
    bb = np.ones(2)
    hist = [x[0], x[1]]
    for _ in range(10):
        hist.append(hist[-2].dot(u) + hist[-1].dot(v) + np.tanh(hist[-1].dot(w) + bb))
    np.testing.assert_allclose(f(x, u, v, w, bb, 10), np.array(hist[2:]))
    np.testing.assert_allclose(f(x, u, v, w, bb, 10)[-1], [54.28407732, 54.25282732])


def test_jacobian_by_scan(backend):
    v, A = T.vector(), T.matrix()
    y = T.tanh(T.dot(v, A))
    results, _ = arignote.scan(lambda i: T.grad(y[i], v), sequences=[T.arange(y.shape[0])])
    f = fn([A, v], results, backend, allow_input_downcast=True)
    x = np.eye(5)[0]
    w = np.eye(5, 3)
    w[2] = np.ones(3)
    np.testing.assert_allclose(f(w, x), ((1 - np.tanh(x.dot(w)) ** 2) * w).T)


def test_hessian_by_scan(backend):
    x = T.vector("x")
    cost = (x ** 3).sum() + x[0] * x[1]
    gy = T.grad(cost, x)
    H, _ = arignote.scan(lambda i, gy, x: T.grad(gy[i], x), sequences=T.arange(gy.shape[0]), non_sequences=[gy, x])
    xv = np.array([1.0, 2.0, 3.0])
    ref = np.diag(6 * xv)
    ref[0, 1] = ref[1, 0] = 1
    np.testing.assert_allclose(fn([x], H, backend)(xv), ref)


def test_shared_counter_updates(backend):
    k = shared(0)
    n_sym = T.iscalar("n_sym")
    results, updates = arignote.scan(lambda: {k: (k + 1)}, n_steps=n_sym)
    assert results is None and list(updates) == [k]
    acc = fn([n_sym], [], backend, updates=updates, allow_input_downcast=True)
    assert k.get_value() == 0
    acc(5)
    assert k.get_value() == 5
    acc(3)
    assert k.get_value() == 8


def test_shared_updates_are_simultaneous(backend):
    a = shared(1)
    values, updates = arignote.scan(lambda: {a: a + 1}, n_steps=10)
    b = a + 1
    c = updates[a] + 1
    f = fn([], [b, c], backend, updates=updates)
    assert [int(v) for v in f()] == [2, 12] and a.get_value() == 11
    assert [int(v) for v in f()] == [12, 22] and a.get_value() == 21
    g = fn([], [b, c], backend)
    assert [int(v) for v in g()] == [22, 32] and a.get_value() == 21


def test_until_stops_after_the_condition(backend):
    def power_of_2(previous_power, max_value):
        return previous_power * 2, arignote.scan_module.until(previous_power * 2 > max_value)

    max_value = T.scalar()
    values, _ = arignote.scan(power_of_2, outputs_info=T.constant(1.0), non_sequences=max_value, n_steps=1024)
    f = fn([max_value], values, backend)
    np.testing.assert_allclose(f(45), [2, 4, 8, 16, 32, 64])
    np.testing.assert_allclose(f(0.5), [2])
    assert arignote.scan.until is arignote.scan_module.until


def test_accumulate_with_a_named_function(backend):
    up_to = T.iscalar("up_to")
    seq = T.arange(up_to)
    scan_result, _ = arignote.scan(fn=lambda v, s: s + v, outputs_info=T.as_tensor_variable(np.asarray(0, seq.dtype)),
                                   sequences=seq)
    out = fn([up_to], scan_result, backend)(15)
    np.testing.assert_array_equal(out, [n * (n + 1) // 2 for n in range(15)])


def test_set_value_at_position(backend):
    location, values, model = T.imatrix("location"), T.vector("values"), T.matrix("output_model")

    def set_value_at_position(a_location, a_value, output_model):
        zeros = T.zeros_like(output_model)
        return T.set_subtensor(zeros[a_location[0], a_location[1]], a_value)

    result, _ = arignote.scan(fn=set_value_at_position, outputs_info=None, sequences=[location, values],
                              non_sequences=model)
    f = fn([location, values, model], result, backend)
    out = f(np.array([[1, 1], [2, 3]], dtype=np.int32), np.array([42, 50.0]), np.zeros((5, 5)))
    ref = np.zeros((2, 5, 5))
    ref[0, 1, 1], ref[1, 2, 3] = 42, 50
    np.testing.assert_array_equal(out, ref)


def test_rnn_with_sequence_and_output_taps(backend):
    rng = np.random.default_rng(1)
    W, W_in_1, W_in_2, W_feedback, W_out = (T.matrix(n) for n in ("W", "W1", "W2", "Wf", "Wo"))

    def one_step(u_tm4, u_t, x_tm3, x_tm1, y_tm1, W, W_in_1, W_in_2, W_feedback, W_out):
        x_t = T.tanh(T.dot(x_tm1, W) + T.dot(u_t, W_in_1) + T.dot(u_tm4, W_in_2) + T.dot(y_tm1, W_feedback))
        y_t = T.dot(x_tm3, W_out)
        return [x_t, y_t]

    u, x0, y0 = T.matrix(), T.matrix(), T.vector()
    [x_vals, y_vals], _ = arignote.scan(fn=one_step, sequences=dict(input=u, taps=[-4, -0]),
                                        outputs_info=[dict(initial=x0, taps=[-3, -1]), y0],
                                        non_sequences=[W, W_in_1, W_in_2, W_feedback, W_out])
    f = fn([u, x0, y0, W, W_in_1, W_in_2, W_feedback, W_out], [x_vals, y_vals], backend)
    nx, ny, nu = 3, 2, 2
    uv, x0v, y0v = rng.normal(size=(9, nu)), rng.normal(size=(3, nx)), rng.normal(size=ny)
    ws = [rng.normal(size=s) * 0.5 for s in ((nx, nx), (nu, nx), (nu, nx), (ny, nx), (nx, ny))]
    xs, ys = list(x0v), [y0v]
    for t in range(4, 9):
        x_t = np.tanh(xs[-1] @ ws[0] + uv[t] @ ws[1] + uv[t - 4] @ ws[2] + ys[-1] @ ws[3])
        ys.append(xs[-3] @ ws[4])
        xs.append(x_t)
    gx, gy = f(uv, x0v, y0v, *ws)
    np.testing.assert_allclose(gx, np.array(xs[3:]))
    np.testing.assert_allclose(gy, np.array(ys[1:]))


# ------------------------------------------------------------------ helpers and options


def test_map_reduce_foldl_foldr(backend):
    x = T.vector("x")
    sq, _ = arignote.map(lambda v: v * v, x)
    s, _ = arignote.reduce(lambda v, acc: acc + v, x, T.as_tensor_variable(np.float64(0)))
    l_, _ = arignote.foldl(lambda v, acc: acc * 10 + v, x, T.as_tensor_variable(np.float64(0)))
    r_, _ = arignote.foldr(lambda v, acc: acc * 10 + v, x, T.as_tensor_variable(np.float64(0)))
    f = fn([x], [sq, s, l_, r_], backend)
    out = f(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(out[0], [1, 4, 9])
    assert out[1] == 6 and out[2] == 123 and out[3] == 321


def test_go_backwards_and_return_list(backend):
    x = T.vector("x")
    out, _ = arignote.scan(lambda v, acc: acc + v, sequences=x, outputs_info=T.zeros_like(x[0]), go_backwards=True,
                           return_list=True)
    assert isinstance(out, list) and len(out) == 1
    np.testing.assert_allclose(fn([x], out[0], backend)(np.array([1.0, 2.0, 4.0])), [4, 6, 7])


def test_several_outputs_some_not_fed_back(backend):
    x = T.vector("x")
    (acc, sq, mx), _ = arignote.scan(lambda v, a, m: (a + v, v * v, T.maximum(m, v)), sequences=x,
                                     outputs_info=[T.zeros_like(x[0]), None, x[0]])
    xv = np.array([3.0, -1.0, 5.0, 2.0])
    a, s, m = fn([x], [acc, sq, mx], backend)(xv)
    np.testing.assert_allclose(a, np.cumsum(xv))
    np.testing.assert_allclose(s, xv ** 2)
    np.testing.assert_allclose(m, np.maximum.accumulate(xv))


def test_nested_scan(backend):
    M = T.matrix("M")

    def row_cumsum(row):
        r, _ = arignote.scan(lambda v, a: a + v, sequences=row, outputs_info=T.zeros_like(row[0]))
        return r

    out, _ = arignote.scan(row_cumsum, sequences=M)
    m = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(fn([M], out, backend)(m), np.cumsum(m, axis=1))


def test_hundred_thousand_steps(backend):
    x = T.scalar("x")
    out, _ = arignote.scan(lambda a: a + 1.0, outputs_info=x, n_steps=100_000)
    f = fn([x], [out[-1], out.shape[0]], backend)
    last, length = f(0.5)
    assert last == 100_000.5 and length == 100_000


def test_infer_shape_without_running_the_loop():
    x, W = T.vector("x"), T.matrix("W")
    k = T.iscalar("k")
    out, _ = arignote.scan(lambda h, W: T.dot(h, W), outputs_info=x, non_sequences=W, n_steps=k)
    mapped, _ = arignote.scan(lambda r, W: T.dot(r, W), sequences=W, non_sequences=W)
    f = function([x, W, k], [out.shape, mapped.shape])
    assert not any(type(n.op).__name__ == "Scan" for n in f.maker.fgraph.toposort())
    s1, s2 = f(np.ones(3), np.eye(3), 7)
    assert tuple(s1) == (7, 3) and tuple(s2) == (3, 3)


def test_hasattr_and_module_access():
    assert hasattr(arignote, "scan") and callable(arignote.scan)
    assert hasattr(arignote.scan, "until") and hasattr(arignote, "scan_module")
    from arignote.scan import scan as scan_fn

    assert callable(scan_fn) and arignote.scan_module.scan is scan_fn


def test_debugprint_shows_the_inner_graph():
    A = T.vector("A")
    result, _ = arignote.scan(lambda p, A: p * A, outputs_info=T.ones_like(A), non_sequences=A, n_steps=3)
    text = arignote.printing.debugprint(result, file="str")
    assert "for{cpu,scan_fn}" in text
    assert "Inner graphs of the scan ops:" in text
    inner = text.split("Inner graphs of the scan ops:")[1]
    assert ">Elemwise{mul,no_inplace}" in inner and "A_copy" in inner


# ------------------------------------------------------------------ errors


def test_error_output_dtype_differs_from_outputs_info():
    x = T.vector("x")
    with pytest.raises(TypeError, match=r"output 0 of fn.*float64.*initial state.*float32.*cast"):
        arignote.scan(lambda a, x: a * x, outputs_info=T.as_tensor_variable(np.zeros(3, "float32")),
                      non_sequences=x, n_steps=2)


def test_error_broadcast_pattern_suggests_unbroadcast():
    x = T.matrix("x")
    with pytest.raises(TypeError, match="unbroadcast"):
        arignote.scan(lambda a, x: a + x, outputs_info=T.zeros((1, 3)), non_sequences=x, n_steps=2)


def test_error_sequence_shorter_than_n_steps(backend):
    x = T.vector("x")
    out, _ = arignote.scan(lambda v: v * 2, sequences=x, n_steps=5)
    f = fn([x], out, backend)
    with pytest.raises(ValueError, match=r"x has 3 entries.*n_steps is 5"):
        f(np.ones(3))
    np.testing.assert_allclose(f(np.ones(6)), 2 * np.ones(5))


def test_error_taps_out_of_range(backend):
    x0 = T.matrix("x0")
    out, _ = arignote.scan(lambda a, b: a + b, outputs_info=[dict(initial=x0, taps=[-3, -1])], n_steps=3)
    f = fn([x0], out, backend)
    with pytest.raises(ValueError, match=r"initial value.*2 entries.*taps \[-3, -1\] need 3"):
        f(np.ones((2, 2)))
    with pytest.raises(ValueError, match="taps must be negative"):
        arignote.scan(lambda a: a, outputs_info=[dict(initial=x0, taps=[0])], n_steps=3)


def test_error_non_sequence_not_a_variable():
    x = T.vector("x")
    with pytest.raises(TypeError, match=r"non_sequences\[1\].*object"):
        arignote.scan(lambda v, a, b: v, sequences=x, non_sequences=[x, object()])


def test_error_no_steps_and_no_sequences():
    with pytest.raises(ValueError, match="n_steps"):
        arignote.scan(lambda a: a + 1, outputs_info=T.scalar())


def test_error_output_count_mismatch():
    with pytest.raises(ValueError, match="returned 2 output"):
        arignote.scan(lambda a: [a + 1, a], outputs_info=[T.scalar()], n_steps=2)


# ------------------------------------------------------------------ rewrites


def _scans(f):
    return [n for n in f.maker.fgraph.toposort() if type(n.op).__name__ == "Scan"]


def _power_graph():
    k = T.iscalar("k")
    A = T.vector("A")
    result, updates = arignote.scan(fn=lambda p, A: p * A, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k)
    return A, k, result, updates


def _peak_bytes(f, *args):
    import tracemalloc

    f(args[0], 1)  # warm: the first call may compile
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        out = f(*args)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_power_stores_only_the_last_value(backend):
    A, k, result, updates = _power_graph()
    f = fn([A, k], result[-1], backend, updates=updates)
    assert [n.op.store for n in _scans(f)] == [(1,)]
    a = np.linspace(0.999, 1.0, 1000)
    out, peak = _peak_bytes(f, a, 10_000)
    np.testing.assert_allclose(out, a ** 10_000, rtol=1e-9)
    assert peak < 2_000_000, f"peak {peak} bytes: the 10,000 x 1000 history (80 MB) was kept"


@pytest.mark.slow
def test_power_of_a_million_steps_in_little_memory():
    A, k, result, updates = _power_graph()
    f = function([A, k], result[-1], updates=updates)
    a = np.linspace(0.9999995, 1.0, 1000)
    out, peak = _peak_bytes(f, a, 10 ** 6)
    np.testing.assert_allclose(out, a ** 10 ** 6, rtol=1e-6)
    assert peak < 2_000_000, f"peak {peak} bytes for A**1e6 on 1000 elements (history would be 8 GB)"


def test_last_k_entries_and_slices(backend):
    x = T.vector("x")
    out, _ = arignote.scan(lambda v, a: a + v, sequences=x, outputs_info=T.zeros_like(x[0]))
    sq, _ = arignote.map(lambda v: v * 2, x)
    f = fn([x], [out[-1], out[-3], sq[-2:]], backend)
    assert sorted(n.op.store for n in _scans(f)) in ([(2,), (3,)], [(3, 2)])
    xv = np.arange(1.0, 7.0)
    a, b, c = f(xv)
    assert a == 21 and b == 10
    np.testing.assert_allclose(c, [10, 12])


def test_full_history_kept_when_used_whole(backend):
    A, k, result, _ = _power_graph()
    f = fn([A, k], [result[-1], result], backend)
    assert [n.op.store for n in _scans(f)] == [(0,)]
    last, hist = f(np.array([2.0, 3.0]), 3)
    np.testing.assert_allclose(hist[-1], last)


def test_hoists_loop_invariants(backend):
    X, W = T.matrix("X"), T.matrix("W")
    r, _ = arignote.scan(lambda v, W: T.dot(v, T.exp(W)), sequences=X, non_sequences=W)
    f = fn([X, W], r, backend)
    (node,) = _scans(f)
    assert not any(type(n.op).__name__ == "Elemwise" for n in
                   __import__("arignote").graph.io_toposort(node.op.inner_inputs, node.op.inner_outputs))
    xv, wv = np.arange(6.0).reshape(3, 2), np.array([[0.0, 1.0], [2.0, 0.5]])
    np.testing.assert_allclose(f(xv, wv), xv @ np.exp(wv))


def test_merges_loops_over_the_same_sequence(backend):
    X = T.matrix("X")
    r1, _ = arignote.scan(lambda v: v * 2, sequences=X)
    r2, _ = arignote.scan(lambda v, s: s + v.sum(), sequences=X, outputs_info=T.as_tensor_variable(np.float64(0)))
    f = fn([X], [r1, r2], backend)
    assert len(_scans(f)) == 1
    xv = np.arange(6.0).reshape(3, 2)
    a, b = f(xv)
    np.testing.assert_allclose(a, 2 * xv)
    np.testing.assert_allclose(b, np.cumsum(xv.sum(1)))


def test_elementwise_loop_becomes_elementwise(backend):
    coefficients, x = T.vector("c"), T.scalar("x")
    comp, _ = arignote.scan(lambda c, p, v: c * v ** p, sequences=[coefficients, T.arange(1000)], non_sequences=x)
    f = fn([coefficients, x], comp.sum(), backend)
    assert not _scans(f)
    c = np.random.default_rng(3).normal(size=40)
    np.testing.assert_allclose(f(c, 1.1), np.polyval(c[::-1], 1.1))
    g = fn([coefficients, x], comp.sum(), backend, mode=arignote.Mode().excluding("scan_to_elemwise"))
    assert len(_scans(g)) == 1
    np.testing.assert_allclose(g(c, 1.1), f(c, 1.1))


def test_drops_unused_outputs(backend):
    x = T.vector("x")
    (a, b), _ = arignote.scan(lambda v: (v * 2, T.exp(v)), sequences=x)
    f = fn([x], a.sum(), backend, mode=arignote.Mode().excluding("scan_to_elemwise"))
    (node,) = _scans(f)
    assert node.op.n_nit_sot == 1
    assert f(np.array([1.0, 2.0])) == 6


# ------------------------------------------------------------------ gradients


def test_grad_rnn_with_non_sequences(backend):
    from arignote.gradient import verify_grad

    rng = np.random.RandomState(0)

    def rnn(X, W, b):
        r, _ = arignote.scan(lambda x_t, h, W, b: T.tanh(T.dot(h, W) + x_t + b), sequences=X,
                             outputs_info=T.zeros_like(b), non_sequences=[W, b])
        return (r ** 2).sum()

    verify_grad(rnn, [rng.randn(5, 3), rng.randn(3, 3) * 0.5, rng.randn(3)], rng=rng, backend=backend)


def test_grad_with_output_and_sequence_taps(backend):
    from arignote.gradient import verify_grad

    rng = np.random.RandomState(1)

    def f(x0, u, w):
        r, _ = arignote.scan(lambda um2, u0, up1, a, b, w: T.tanh(a * w + b + um2 * u0 - up1),
                             sequences=dict(input=u, taps=[-2, 0, 1]),
                             outputs_info=[dict(initial=x0, taps=[-2, -1])], non_sequences=w)
        return (r * r).sum()

    verify_grad(f, [rng.randn(2, 3), rng.randn(7, 3), rng.randn(3)], rng=rng, backend=backend)


def test_grad_shared_variable_inside_and_until(backend):
    W = shared(np.array([[0.5, -0.2], [0.1, 0.3]]), name="W")
    x = T.vector("x")
    r, _ = arignote.scan(lambda h: T.tanh(T.dot(h, W)), outputs_info=x, n_steps=4)
    g = fn([x], arignote.grad(r[-1].sum(), W), backend)
    xv = np.array([1.0, -2.0])
    eps, num = 1e-6, np.zeros((2, 2))
    w0 = W.get_value()

    def run(w):
        h = xv
        for _ in range(4):
            h = np.tanh(h @ w)
        return h.sum()

    for i in range(2):
        for j in range(2):
            d = np.zeros((2, 2))
            d[i, j] = eps
            num[i, j] = (run(w0 + d) - run(w0 - d)) / (2 * eps)
    np.testing.assert_allclose(g(xv), num, rtol=1e-6, atol=1e-9)


def test_truncate_gradient_keeps_the_last_steps(backend):
    x, W = T.vector("x"), T.matrix("W")
    r, _ = arignote.scan(lambda x_t, h: T.tanh(T.dot(h, W) + x_t), sequences=T.stack([x, x, x]),
                         outputs_info=T.zeros_like(x), truncate_gradient=1)
    g = fn([x, W], arignote.grad(r[-1].sum(), W), backend)(np.ones(3), np.eye(3))
    h1 = np.tanh(np.ones(3))
    h2 = np.tanh(h1 + 1)
    h3 = np.tanh(h2 + 1)
    np.testing.assert_allclose(g, np.outer(h2, 1 - h3 ** 2))


def test_rop_through_scan(backend):
    x, W, v = T.vector("x"), T.matrix("W"), T.vector("v")
    r, _ = arignote.scan(lambda h, W: T.tanh(T.dot(h, W)), outputs_info=x, non_sequences=W, n_steps=3)
    f = fn([x, W, v], T.Rop(r, x, v), backend)
    J = fn([x, W], arignote.gradient.jacobian(r[-1], x), backend)
    rng = np.random.default_rng(5)
    xv, Wv, vv = rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=3)
    np.testing.assert_allclose(f(xv, Wv, vv)[-1], J(xv, Wv) @ vv, rtol=1e-10)


# ------------------------------------------------------------------ native loops


def test_c_runs_the_whole_loop_natively(monkeypatch):
    from arignote.scan.op import Scan

    A, k, result, updates = _power_graph()
    f = function([A, k], result[-1], backend="c")

    def boom(self, node, inputs, out):
        raise AssertionError("Scan.perform ran: the loop was not native")

    monkeypatch.setattr(Scan, "perform", boom)
    np.testing.assert_allclose(f(np.array([1.0, 2.0, 3.0]), 5), np.array([1.0, 2.0, 3.0]) ** 5)


def test_llvm_runs_the_whole_loop_natively(monkeypatch):
    import arignote.scan.loop as loop
    from arignote.backends.llvm import scan as lscan

    A, k, result, updates = _power_graph()
    f = function([A, k], result[-1], backend="llvm")
    (node,) = _scans(f)
    assert isinstance(node.tag.scan_runner, lscan._Loop)

    def boom(*a, **kw):
        raise AssertionError("the reference loop ran")

    monkeypatch.setattr(loop, "run_loop", boom)
    np.testing.assert_allclose(f(np.array([1.0, 2.0, 3.0]), 5), np.array([1.0, 2.0, 3.0]) ** 5)


def test_body_with_a_python_node_still_loops(backend):
    x = T.vector("x")
    out, _ = arignote.scan(lambda a: T.sort(a[::-1]) + 1.0, outputs_info=x, n_steps=3)
    np.testing.assert_allclose(fn([x], out, backend)(np.array([3.0, 1.0, 2.0])),
                               [[2, 3, 4], [3, 4, 5], [4, 5, 6]])


def test_error_step_changes_the_state_shape(backend):
    x = T.vector("x")
    out, _ = arignote.scan(lambda a: T.concatenate([a, a]), outputs_info=x, n_steps=3)
    f = fn([x], out, backend)
    with pytest.raises(ValueError, match=r"shape \(4,\) at step 0.*\(2,\)"):
        f(np.ones(2))


def test_scan_checkpoints_values_and_gradient():
    x, h0 = T.vector("x"), T.scalar("h0")
    out, _ = arignote.scan_checkpoints(lambda v, h: h * 0.5 + v, sequences=[x], outputs_info=[h0], save_every_N=4)
    xv = np.arange(10.0)
    hist, h = [], 1.0
    for v in xv:
        h = h * 0.5 + v
        hist.append(h)
    np.testing.assert_allclose(function([x, h0], out)(xv, 1.0), [hist[3], hist[7], hist[9]])
    g = function([x, h0], arignote.grad(out[-1], x))(xv, 1.0)
    np.testing.assert_allclose(g, 0.5 ** np.arange(9, -1, -1))


def test_strict_requires_shared_variables_in_non_sequences():
    W = shared(np.eye(2))
    with pytest.raises(MissingInputError,
                       match=r"An input of the graph, used to compute .*dot.*not provided.*strict=True.*shared variable"):
        arignote.scan(lambda v: T.dot(v, W), sequences=T.matrix(), strict=True)
    out, _ = arignote.scan(lambda v, W: T.dot(v, W), sequences=T.matrix("m"), non_sequences=W, strict=True)
    assert out.ndim == 2


def test_theano_dot_of_the_scan_page(backend):
    import scipy.sparse as sp

    import arignote.sparse as S

    x, W = T.vector("x"), T.matrix("W")
    rows, _ = arignote.scan(lambda v, W: arignote.dot(v, W), sequences=T.matrix("m"), non_sequences=W)
    assert rows.ndim == 2
    wv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(fn([x, W], arignote.dot(x, W), backend)(np.array([1.0, 2.0]), wv), [6, 9, 12])
    xs = S.csr_matrix("xs")
    got = fn([xs, W], arignote.dot(xs, W), backend)(sp.csr_matrix(np.array([[0.0, 2.0]])), wv)
    np.testing.assert_allclose(np.asarray(got.todense() if hasattr(got, "todense") else got), [[6, 8, 10]])


def test_pickled_function_with_a_loop(backend):
    import pickle

    A, k, result, updates = _power_graph()
    f = fn([A, k], result[-1], backend)
    g = pickle.loads(pickle.dumps(f))
    np.testing.assert_allclose(g(np.arange(3.0), 3), np.arange(3.0) ** 3)
    r = pickle.loads(pickle.dumps(result))
    assert type(r.owner.op).__name__ == "Scan" and r.owner.op._thunks == {}


def test_elementwise_loops_of_matrices_and_strided_sequences(backend):
    S, r = T.tensor3("S"), T.row("r")
    out, _ = arignote.scan(lambda s, h, r: h * 0.5 + s * r, sequences=S, outputs_info=T.zeros_like(S[0]),
                           non_sequences=r)
    f = fn([S, r], out, backend)
    sv = np.random.default_rng(0).normal(size=(4, 3, 5))[:, :, ::-1]
    rv = np.arange(5.0).reshape(1, 5)
    h, ref = np.zeros((3, 5)), []
    for s in sv:
        h = h * 0.5 + s * rv
        ref.append(h)
    np.testing.assert_allclose(f(sv, rv), np.array(ref))
    if backend == "llvm":
        (node,) = _scans(f)
        assert type(node.tag.scan_runner).__name__ == "_Loop"


def test_grad_through_until(backend):
    x, w = T.scalar("x"), T.scalar("w")
    vals, _ = arignote.scan(lambda p, w: (p * w, arignote.scan.until(p * w > 50)), outputs_info=x, non_sequences=w,
                            n_steps=100)
    f = fn([x, w], [vals, arignote.grad(vals[-1], w), arignote.grad(vals.sum(), x)], backend)
    v, gw, gx = f(1.0, 2.0)
    np.testing.assert_allclose(v, [2, 4, 8, 16, 32, 64])
    assert gw == 6 * 2.0 ** 5 and gx == 126


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs POSIX interval timers")
@pytest.mark.parametrize("backend", backend_params(("py", "c", "llvm")))
@pytest.mark.parametrize("body", ["fused", "dot"])
def test_a_long_loop_can_be_interrupted(backend, body):
    import signal

    x = T.vector("x")
    step = (lambda a: a + 1.0) if body == "fused" else (lambda a: T.tanh(T.dot(a, T.ones((2, 2)))) + a)
    out, _ = arignote.scan(step, outputs_info=x, n_steps=10 ** 9)
    f = fn([x], out[-1], backend)

    def handler(sig, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            f(np.zeros(2))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------ no steps


def test_last_value_after_no_steps_is_out_of_range(backend):
    A, k, result, updates = _power_graph()
    f = fn([A, k], result[-1], backend, updates=updates)
    assert [n.op.store for n in _scans(f)] == [(1,)]  # the memory rule is on
    with pytest.raises(IndexError, match="index -1 is out of bounds for axis 0 with size 0"):
        f(np.arange(3.0), 0)
    np.testing.assert_allclose(f(np.arange(3.0), 1), np.arange(3.0))


def test_last_two_values_need_two_steps(backend):
    x0, k = T.vector("x0"), T.iscalar("k")
    out, _ = arignote.scan(lambda a, b: a + b, outputs_info=dict(initial=x0, taps=[-2, -1]), n_steps=k)
    f = fn([x0, k], [out[-2], out[-1]], backend)
    with pytest.raises(IndexError, match="index -2 is out of bounds for axis 0 with size 1"):
        f(np.ones(2), 1)
    assert [float(v) for v in f(np.ones(2), 5)] == [8.0, 13.0]  # the whole history is 2 3 5 8 13
    assert fn([x0, k], out, backend)(np.ones(2), 0).shape == (0,)


def test_gradient_of_a_non_sequence_after_no_steps(backend):
    X, W, h0 = T.matrix("X"), T.matrix("W"), T.vector("h0")
    h, _ = arignote.scan(lambda x, h, W: T.tanh(T.dot(W, h) + x), sequences=X, outputs_info=h0, non_sequences=W)
    f = fn([X, W, h0], [arignote.grad(h.sum(), W), arignote.grad(h.sum(), h0)], backend)
    gw, gh = f(np.zeros((0, 2)), np.eye(2), np.ones(2))
    np.testing.assert_array_equal(gw, np.zeros((2, 2)))
    np.testing.assert_array_equal(gh, np.zeros(2))
    A, k, result, _ = _power_graph()
    g = fn([A, k], arignote.grad(result.sum(), A), backend)
    np.testing.assert_array_equal(g(np.arange(3.0), 0), np.zeros(3))
    np.testing.assert_allclose(g(np.arange(3.0), 2), 1 + 2 * np.arange(3.0))


# ------------------------------------------------------------------ llvm: any body, one native loop


def _llvm_native(f, monkeypatch):
    """Check that ``f``'s loops run in their native entry: the reference loop must not run."""
    import arignote.scan.loop as loop
    from arignote.backends.llvm import scan as lscan

    for node in _scans(f):
        assert isinstance(node.tag.scan_runner, lscan._Loop), node.tag.scan_runner

    def boom(*a, **kw):
        raise AssertionError("the reference loop ran")

    monkeypatch.setattr(loop, "run_loop", boom)


def _rnn_ref(x, w, h):
    out = []
    for r in x:
        h = np.tanh(w @ h + r)
        out.append(h)
    return np.array(out)


def test_llvm_rnn_body_runs_natively(monkeypatch):
    X, W, h0 = T.matrix("X"), T.matrix("W"), T.vector("h0")
    h, _ = arignote.scan(lambda x, h, W: T.tanh(T.dot(W, h) + x), sequences=X, outputs_info=h0, non_sequences=W)
    f = function([X, W, h0], [h, h[-1]], backend="llvm")
    rng = np.random.default_rng(1)
    x, w, hv = rng.normal(size=(7, 4)), rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4)
    _llvm_native(f, monkeypatch)
    full, last = f(x, w, hv)
    np.testing.assert_allclose(full, _rnn_ref(x, w, hv), rtol=1e-12)
    np.testing.assert_allclose(last, full[-1], rtol=0)
    xs = np.asfortranarray(rng.normal(size=(3, 9, 4)))[:, ::2, :].transpose(1, 0, 2)[:, 0, :]  # strided rows
    np.testing.assert_allclose(f(xs, w, hv)[0], _rnn_ref(xs, w, hv), rtol=1e-12)


def test_llvm_native_taps_outputs_reductions_and_until(monkeypatch):
    x, s0 = T.vector("x"), T.matrix("s0")
    m = T.as_tensor_variable(np.array([1.0, -2.0, 3.0]))

    def step(v_prev, v_next, a2, a1, m):
        new = a1 + a2 * 0.5 + v_prev * v_next
        return [new, (new * m).sum(), T.max(new)], arignote.scan.until(T.max(new) > 50)

    (hist, sums, maxes), _ = arignote.scan(step, sequences=dict(input=x, taps=[-1, 1]),
                                           outputs_info=[dict(initial=s0, taps=[-2, -1]), None, None],
                                           non_sequences=m)
    f = function([x, s0], [hist, sums, maxes, hist[-2]], backend="llvm")
    _llvm_native(f, monkeypatch)
    xv = np.arange(1.0, 9.0)
    init = np.array([[0.5, 1.0, -1.0], [1.0, 2.0, 0.0]])
    a2, a1, ref = init[0], init[1], []
    for t in range(len(xv) - 2):
        new = a1 + a2 * 0.5 + xv[t] * xv[t + 2]
        ref.append(new)
        a2, a1 = a1, new
        if new.max() > 50:
            break
    ref = np.array(ref)
    assert 1 < len(ref) < len(xv) - 2  # until() stopped the loop early
    h, s, mx, prev = f(xv, init)
    np.testing.assert_allclose(h, ref)
    np.testing.assert_allclose(s, ref @ [1.0, -2.0, 3.0])
    np.testing.assert_allclose(mx, ref.max(axis=1))
    np.testing.assert_allclose(prev, ref[-2])


def test_llvm_native_loop_with_a_python_node(monkeypatch):
    x, W = T.vector("x"), T.matrix("W")
    out, _ = arignote.scan(lambda a, W: T.sort(T.dot(W, a)[::-1]) * 0.5 + 1.0, outputs_info=x, non_sequences=W,
                           n_steps=4)
    f = function([x, W], out, backend="llvm")
    (node,) = _scans(f)
    assert [type(n.op).__name__ for n in node.tag.scan_runner.python_nodes] == ["SortOp"]  # only that node
    _llvm_native(f, monkeypatch)
    w = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, -1.0]])
    a, ref = np.array([3.0, 1.0, 2.0]), []
    for _ in range(4):
        a = np.sort((w @ a)[::-1]) * 0.5 + 1.0
        ref.append(a)
    np.testing.assert_allclose(f(np.array([3.0, 1.0, 2.0]), w), ref)


def test_llvm_native_memory_rule_keeps_a_ring(monkeypatch):
    X, W, h0 = T.matrix("X"), T.matrix("W"), T.vector("h0")
    h, _ = arignote.scan(lambda x, h, W: T.tanh(T.dot(W, h) + x), sequences=X, outputs_info=h0, non_sequences=W)
    f = function([X, W, h0], [h[-1], h[-3]], backend="llvm")
    assert [n.op.store for n in _scans(f)] == [(3,)]
    rng = np.random.default_rng(2)
    x, w, hv = rng.normal(size=(6, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    _llvm_native(f, monkeypatch)
    ref = _rnn_ref(x, w, hv)
    last, third = f(x, w, hv)
    np.testing.assert_allclose(last, ref[-1])
    np.testing.assert_allclose(third, ref[-3])


def test_llvm_native_loop_errors_come_from_the_reference():
    X, W, h0 = T.matrix("X"), T.matrix("W"), T.vector("h0")
    h, _ = arignote.scan(lambda x, h, W: T.tanh(T.dot(W, h) + x), sequences=X, outputs_info=h0, non_sequences=W,
                         n_steps=5)
    f = function([X, W, h0], h, backend="llvm")
    with pytest.raises(ValueError, match="covers 3 steps.*n_steps is 5"):
        f(np.zeros((3, 2)), np.eye(2), np.zeros(2))
    with pytest.raises(ValueError, match="shape|align|dot"):
        f(np.zeros((6, 2)), np.eye(3), np.zeros(2))
    np.testing.assert_allclose(f(np.ones((5, 2)), np.eye(2), np.zeros(2)), _rnn_ref(np.ones((5, 2)), np.eye(2), np.zeros(2)))
