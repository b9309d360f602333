"""Issue 11 item 2: one compiled function called from many threads gives correct values on
every backend, and each call's shared-variable updates are applied atomically."""
import sys
import threading
import time

import numpy as np
import pytest

import arignote
import arignote.tensor as T

BACKENDS = ["py", "c", "llvm"]


@pytest.fixture
def fast_switching():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # make threads interleave inside calls
    yield
    sys.setswitchinterval(old)


def _in_threads(n, work):
    errors = []
    barrier = threading.Barrier(n)

    def run(k):
        try:
            barrier.wait()
            work(k)
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_four_threads_calling_one_function_get_their_own_values(backend, fast_switching):
    x = T.dvector("x")
    y = T.dvector("y")
    # several separate nodes: on py each is a perform writing a storage cell
    out = T.sqrt(T.exp(x) + 1.0) * y - T.tanh(x) / (y + 3.0)
    f = arignote.function([x, y], [out, T.sum(x * y)], backend=backend)

    def work(k):
        rng = np.random.default_rng(k)
        for _ in range(400):
            a, b = rng.normal(size=7 + 40 * k), rng.normal(size=7 + 40 * k)
            got, s = f(a, b)
            np.testing.assert_allclose(got, np.sqrt(np.exp(a) + 1.0) * b - np.tanh(a) / (b + 3.0), rtol=1e-12)
            np.testing.assert_allclose(s, np.sum(a * b), rtol=1e-12)

    _in_threads(4, work)


@pytest.mark.parametrize("backend", BACKENDS)
def test_shared_updates_from_eight_threads_are_atomic(backend, fast_switching):
    a = arignote.shared(np.float64(0.0), name="a")
    b = arignote.shared(np.zeros(3), name="b")
    step = T.dscalar("step")
    # each call reads a and b and writes both: a lost or half-applied update breaks a == b[i] and the total
    inc = arignote.function([step], [a, b], updates=[(a, a + step), (b, b + step)], backend=backend)
    peek = arignote.function([], [a, b], backend=backend)
    calls = 200

    def work(k):
        for _ in range(calls):
            old_a, old_b = inc(1.0)
            np.testing.assert_array_equal(old_b, np.full(3, old_a))  # each call saw a consistent pair
            now_a, now_b = peek()
            np.testing.assert_array_equal(now_b, np.full(3, now_a))

    _in_threads(8, work)
    assert a.get_value() == 8 * calls
    np.testing.assert_array_equal(b.get_value(), np.full(3, 8.0 * calls))


def test_set_value_is_never_lost_under_a_concurrent_update(fast_switching):
    s = arignote.shared(np.float64(0.0), name="s")
    v = T.dvector("v")  # a long call (NumPy releases the GIL in it) widens the window
    f = arignote.function([v], [], updates=[(s, s + 1.0 + T.sum(T.exp(v)))], backend="py")
    big = np.full(200_000, -np.inf)  # exp gives 0: each call adds exactly 1
    done = threading.Event()
    lost = []

    def work(k):
        if k == 0:
            for _ in range(100):
                s.set_value(np.float64(-1e9))
                time.sleep(0.003)  # let the call in flight finish
                # later calls count up from the new value; a call that read the old one
                # before set_value and wrote after it would put the count back above 0
                if s.get_value() >= 0:
                    lost.append(1)
                s.set_value(np.float64(0.0))
            done.set()
        else:
            while not done.is_set():
                f(big)

    _in_threads(3, work)
    assert not lost, f"{len(lost)} set_value calls were overwritten by a concurrent update"


def test_py_storage_sets_are_reused_and_a_nested_call_gets_its_own():
    """The py thunk keeps a pool of storage sets: sequential calls share one, a call made while
    another runs (here from inside a perform, as a thread would) gets a second one, and both
    calls see their own values."""
    from arignote.fg import FunctionGraph
    from arignote.reference import make_thunk

    x = T.dvector("x")
    fg = FunctionGraph([x], [T.exp(x) * 2.0 + x])
    inner_results = []

    def runner(node):
        if getattr(getattr(node.op, "scalar_op", None), "name", None) != "exp":
            return None

        def perform(node, inputs, out):
            if not inner_results:  # one nested call, before this node writes its cell
                inner_results.append(None)
                inner_results[0] = thunk([np.array([0.0, 1.0])])[0]
            out[0][0] = np.exp(inputs[0])

        return perform

    thunk = make_thunk(fg, node_runner=runner)
    a = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(thunk([a])[0], np.exp(a) * 2.0 + a)
    np.testing.assert_allclose(inner_results[0], np.exp([0.0, 1.0]) * 2.0 + [0.0, 1.0])
    assert len(thunk.pool) == 2  # the outer call's set and the nested call's
    for _ in range(5):
        np.testing.assert_allclose(thunk([a + 1.0])[0], np.exp(a + 1.0) * 2.0 + a + 1.0)
    assert len(thunk.pool) == 2  # sequential calls made no new set
