"""Random streams: Theano's tutorial and the seed's cell, reproducibility, state handling,
every backend, pickling, gradients and clear errors.

The distributions themselves are checked against SciPy in test_random_distributions.py.
"""
from __future__ import annotations

import importlib.util
import pickle
import subprocess
import sys
import threading

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import function, shared
from arignote.gradient import NullTypeGradError
from arignote.sandbox.rng_mrg import MRG_RandomStreams
from arignote.tensor.random import RandomStream
from arignote.tensor.shared_randomstreams import RandomStreams

STREAMS = [RandomStreams, RandomStream, MRG_RandomStreams]


# ------------------------------------------------------------------ the tutorials


def test_seed_tutorial_cell(backend):
    """The seed's "Random Numbers" cell: a new 2x2 uniform draw on every call."""
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    f = function([], rv_u, backend=backend)
    a, b = f(), f()
    assert a.shape == (2, 2) and a.dtype == np.float64
    assert ((a >= 0) & (a < 1)).all() and ((b >= 0) & (b < 1)).all()
    assert not np.array_equal(a, b)


def test_theano_tutorial_brief_example(backend):
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = function([], rv_u, backend=backend)
    g = function([], rv_n, no_default_updates=True, backend=backend)
    nearly_zeros = function([], rv_u + rv_u - 2 * rv_u, backend=backend)
    f_val0, f_val1 = f(), f()
    assert not np.allclose(f_val0, f_val1)
    g_val0, g_val1 = g(), g()
    assert np.array_equal(g_val0, g_val1)  # no_default_updates: the generator does not move
    assert not np.allclose(g_val0, f_val0)
    np.testing.assert_allclose(nearly_zeros(), np.zeros((2, 2)), atol=1e-12)


def test_theano_tutorial_seeding_and_sharing_streams(backend):
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = function([], rv_u, backend=backend)
    nearly_zeros = function([], rv_u + rv_u - 2 * rv_u, backend=backend)

    rng_val = rv_u.rng.get_value(borrow=True)
    assert isinstance(rng_val, np.random.RandomState)
    rng_val.seed(89234)
    rv_u.rng.set_value(rng_val, borrow=True)
    np.testing.assert_array_equal(f(), np.random.RandomState(89234).uniform(0.0, 1.0, (2, 2)))

    srng.seed(902340)  # rv_u and rv_n get different seeds, derived from 902340
    seeds = np.random.RandomState(902340).randint(2 ** 30, size=2)
    np.testing.assert_array_equal(f(), np.random.RandomState(seeds[0]).uniform(size=(2, 2)))
    np.testing.assert_array_equal(rv_n.rng.get_value().normal(size=(2, 2)),
                                  np.random.RandomState(seeds[1]).normal(size=(2, 2)))

    state_after_v0 = rv_u.rng.get_value().get_state()
    nearly_zeros()  # this affects rv_u's generator
    v1 = f()
    rng = rv_u.rng.get_value(borrow=True)
    rng.set_state(state_after_v0)
    rv_u.rng.set_value(rng, borrow=True)
    v2 = f()  # v2 != v1
    v3 = f()  # v3 == v1
    assert not np.allclose(v1, v2)
    np.testing.assert_array_equal(v1, v3)


class _Graph:
    def __init__(self, cls, seed=123):
        self.rng = cls(seed)
        self.y = self.rng.uniform(size=(1,))


def _copy_random_state(g1, g2):
    if isinstance(g1.rng, MRG_RandomStreams):
        g2.rng.rstate = g1.rng.rstate
    for (su1, su2) in zip(g1.rng.state_updates, g2.rng.state_updates):
        su2[0].set_value(su1[0].get_value())


def test_copy_random_state_prints_theanos_numbers(backend):
    """Theano's tutorial prints these very numbers: RandomStreams seeds and draws as Theano did."""
    g1 = _Graph(RandomStreams, seed=123)
    f1 = function([], g1.y, backend=backend)
    g2 = _Graph(RandomStreams, seed=987)
    f2 = function([], g2.y, backend=backend)
    np.testing.assert_allclose(f1(), [0.72803009], rtol=1e-7)
    np.testing.assert_allclose(f2(), [0.55056769], rtol=1e-7)
    _copy_random_state(g1, g2)
    a, b = f1(), f2()
    np.testing.assert_allclose(a, [0.59044123], rtol=1e-7)
    np.testing.assert_array_equal(a, b)


def test_copy_random_state_mrg():
    g1 = _Graph(MRG_RandomStreams, seed=123)
    f1 = function([], g1.y)
    g2 = _Graph(MRG_RandomStreams, seed=987)
    f2 = function([], g2.y)
    assert f1()[0] != f2()[0]
    _copy_random_state(g1, g2)
    np.testing.assert_array_equal(f1(), f2())
    # rstate was copied too: draws made after the copy start alike
    np.testing.assert_array_equal(function([], g1.rng.normal((3,)))(), function([], g2.rng.normal((3,)))())


def test_attribute_paths_as_theano():
    assert T.shared_randomstreams.RandomStreams is RandomStreams
    assert arignote.sandbox.rng_mrg.MRG_RandomStreams is MRG_RandomStreams
    assert T.random.RandomStream is RandomStream


# ---------------------------------------------------------------- reproducibility

_SCRIPT = """
import numpy as np
from arignote import function
from {mod} import {cls} as S
np.random.seed({npseed})
srng = S({seed})
u = srng.uniform(size=(3,))
n = srng.normal(size=(2,))
f = function([], [u, n])
print(repr([v.tolist() for v in f() + f()]))
"""

_MODS = {RandomStreams: "arignote.tensor.shared_randomstreams", RandomStream: "arignote.tensor.random",
         MRG_RandomStreams: "arignote.sandbox.rng_mrg"}


def _draws_in_fresh_process(cls, seed, npseed=0):
    code = _SCRIPT.format(mod=_MODS[cls], cls=cls.__name__, seed=seed, npseed=npseed)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return eval(out.stdout.strip())


@pytest.mark.parametrize("cls", STREAMS, ids=lambda c: c.__name__)
def test_same_seed_same_draws_in_fresh_processes(cls):
    a = _draws_in_fresh_process(cls, 42, npseed=1)
    b = _draws_in_fresh_process(cls, 42, npseed=2)  # NumPy's global seed plays no part
    assert a == b
    srng = cls(42)
    u, n = srng.uniform(size=(3,)), srng.normal(size=(2,))
    f = function([], [u, n])
    here = [v.tolist() for v in f() + f()]
    assert here == a
    assert a[0] != a[2] and a[1] != a[3]  # successive calls differ
    assert _draws_in_fresh_process(cls, 43) != a


@pytest.mark.parametrize("cls", STREAMS, ids=lambda c: c.__name__)
def test_reseeding_restarts_the_sequence(cls):
    srng = cls(7)
    u = srng.uniform(size=(4,))
    n = srng.normal(size=(4,))
    f = function([], [u, n])
    srng.seed(99)
    first = [f() for _ in range(3)]
    srng.seed(99)
    again = [f() for _ in range(3)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(first[0][0], first[1][0])
    srng.seed(100)
    assert not np.array_equal(f()[0], first[0][0])


@pytest.mark.parametrize("cls", STREAMS, ids=lambda c: c.__name__)
def test_streams_are_independent(cls):
    """Two draws of one stream, and two streams, give uncorrelated draws; NumPy's global state
    is neither read nor moved."""
    srng = cls(5)
    a, b = srng.normal(size=(4000,)), srng.normal(size=(4000,))
    other = cls(6).normal(size=(4000,))
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    va, vb, vo = function([], [a, b, other])()
    assert np.array_equal(np.random.get_state()[1], before)
    for x, y in ((va, vb), (va, vo), (vb, vo)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 4 / np.sqrt(4000)
    # and the draws do not depend on NumPy's global seed
    np.random.seed(1)
    srng2 = cls(5)
    np.testing.assert_array_equal(function([], srng2.normal(size=(4000,)))(), va)


def test_one_draw_per_call_however_often_it_is_used(backend):
    srng = RandomStream(3)
    u = srng.uniform(size=(5,))
    f = function([], [u, u * 2, u.sum()], backend=backend)
    a, b, s = f()
    np.testing.assert_allclose(b, 2 * a)
    np.testing.assert_allclose(s, a.sum())


# ------------------------------------------------------------- function() updates


def test_no_default_updates_list():
    srng = RandomStreams(1)
    u, n = srng.uniform(size=(3,)), srng.normal(size=(3,))
    f = function([], [u, n], no_default_updates=[u.rng])
    a, b = f(), f()
    np.testing.assert_array_equal(a[0], b[0])  # u's generator stays
    assert not np.array_equal(a[1], b[1])  # n's moves
    with pytest.raises(TypeError, match="not a shared variable"):
        function([], u, no_default_updates=[T.dscalar("x")])
    with pytest.raises(TypeError, match="no_default_updates must be"):
        function([], u, no_default_updates="yes")


def test_explicit_updates_and_updates_method():
    srng = RandomStreams(1)
    u = srng.uniform(size=(3,))
    assert srng.updates() == [u.update] and u.update[0] is u.rng
    f = function([], u, updates=srng.updates(), no_default_updates=True)
    assert not np.array_equal(f(), f())
    assert srng[u.rng] is u.rng.get_value(borrow=True)
    srng[u.rng] = np.random.RandomState(3)
    np.testing.assert_array_equal(f(), np.random.RandomState(3).uniform(size=3))


def test_generator_value_is_copied_by_get_value():
    srng = RandomStream(2)
    u = srng.uniform(size=(3,))
    f = function([], u)
    g = u.rng.get_value()
    assert isinstance(g, np.random.Generator)
    expect = g.uniform(size=3)
    np.testing.assert_array_equal(f(), expect)  # drawing from the copy left the stream alone


def test_shared_of_a_generator():
    r = shared(np.random.RandomState(4), name="r")
    assert type(r).__name__ == "RandomStateSharedVariable" and str(r.type) == "RandomStateType"
    g = shared(np.random.default_rng(4))
    assert str(g.type) == "RandomGeneratorType"
    with pytest.raises(TypeError, match="RandomState"):
        r.set_value(np.random.default_rng(1))


def test_function_on_a_call_that_fails_keeps_the_generator():
    """Without the in-place rewrite (no default update), a failing call leaves the state."""
    srng = RandomStreams(1)
    s = T.dscalar("s")
    u = srng.normal(size=(3,), std=s)
    f = function([s], u, no_default_updates=True)
    state = u.rng.get_value().get_state()[1].copy()
    with pytest.raises(ValueError, match="RandomFunction{normal}.*scale"):
        f(-1.0)
    assert np.array_equal(u.rng.get_value().get_state()[1], state)


def test_inplace_rewrite_is_used_and_needs_no_copy():
    srng = RandomStreams(1)
    u = srng.uniform(size=(3,))
    f = function([], u)
    ops = [str(n.op) for n in f.maker.fgraph.toposort()]
    assert ops == ["RandomFunction{uniform,inplace}"]
    g = function([], u, no_default_updates=True)
    assert [str(n.op) for n in g.maker.fgraph.toposort()] == ["RandomFunction{uniform}"]
    # two draws from one generator in one function: neither may advance it in place
    r = shared(np.random.RandomState(0))
    from arignote.tensor.random.build import random_variable

    new_a, a = random_variable("uniform", r, (2,), (0.0, 1.0))
    _, b = random_variable("normal", r, (2,), (0.0, 1.0))
    h = function([], [a, b], updates=[(r, new_a)])
    assert all(",inplace" not in str(n.op) for n in h.maker.fgraph.toposort())
    va, vb = h()
    np.testing.assert_array_equal(va, np.random.RandomState(0).uniform(size=2))
    np.testing.assert_array_equal(vb, np.random.RandomState(0).normal(size=2))


# ------------------------------------------------------------------- every backend


@pytest.mark.parametrize("cls", STREAMS, ids=lambda c: c.__name__)
def test_backends_give_identical_streams(backend, cls):
    """Every backend draws with NumPy's generator: one seed, one stream, whatever the backend."""
    def run(be):
        srng = cls(11)
        x = T.matrix("x")
        u = srng.uniform(size=x.shape)
        n = srng.normal(size=(2, 3), loc=x, scale=2.0)
        f = function([x], [u, n, T.exp(x) * u + 1, n.sum()], backend=be)
        xv = np.arange(6.0).reshape(2, 3)
        return f(xv) + f(xv)

    ref, out = run("py"), run(backend)
    for k in (0, 1, 4, 5):  # the draws: bit for bit
        np.testing.assert_array_equal(out[k], ref[k])
    for k in (2, 3, 6, 7):  # what is computed from them: to the backend's rounding
        np.testing.assert_allclose(out[k], ref[k], rtol=1e-13)


def test_every_method_on_every_backend(backend):
    srng = RandomStream(8)
    draws = [
        srng.uniform(1.0, 2.0, size=(3,)), srng.normal(size=(3,)), srng.binomial(5, 0.3, size=(3,)),
        srng.poisson(2.0, size=(3,)), srng.integers(0, 10, size=(3,)), srng.random_integers(0, 3, size=(3,)),
        srng.choice(6, size=(3,), replace=False), srng.choice(np.array([1.5, 2.5]), size=(3,), p=[0.3, 0.7]),
        srng.permutation(5), srng.multinomial(7, [0.2, 0.8], size=(3,)), srng.gamma(2.0, size=(3,)),
        srng.beta(2.0, 3.0, size=(3,)), srng.exponential(size=(3,)), srng.dirichlet([1.0, 2.0], size=(3,)),
        srng.multivariate_normal([0.0, 1.0], np.eye(2), size=(3,)), srng.bernoulli(0.5, size=(3,)),
        srng.categorical([[0.1, 0.9], [0.9, 0.1]]),
    ]
    ref = function([], draws, backend="py")()
    out = function([], draws, backend=backend)()
    for v, r, d in zip(out, ref, draws):
        assert v.dtype == d.dtype and v.ndim == d.ndim
        assert all(s is None or s == n for s, n in zip(d.type.shape, v.shape))
    srng.seed(8)
    again = function([], draws, backend=backend)()
    srng.seed(8)
    ref = function([], draws, backend="py")()
    for a, b in zip(again, ref):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------------ pickling


@pytest.mark.parametrize("cls", STREAMS, ids=lambda c: c.__name__)
def test_compiled_function_pickles_with_its_state(backend, cls):
    srng = cls(1)
    u = srng.uniform(size=(3,))
    f = function([], u * 2, backend=backend)
    f()
    blob = pickle.dumps(f)
    expect = [f(), f()]
    g = pickle.loads(blob)
    np.testing.assert_array_equal(g(), expect[0])
    np.testing.assert_array_equal(g(), expect[1])
    s = pickle.loads(pickle.dumps(srng))
    assert len(s.state_updates) == 1


def test_unpickled_function_keeps_drawing_in_a_fresh_process(tmp_path):
    srng = RandomStreams(1)
    f = function([], srng.normal(size=(3,)))
    f()
    path = tmp_path / "f.pkl"
    path.write_bytes(pickle.dumps(f))
    expect = [f().tolist(), f().tolist()]
    code = f"import pickle; f = pickle.load(open({str(path)!r}, 'rb')); print(repr([f().tolist(), f().tolist()]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert eval(out.stdout.strip()) == expect


# --------------------------------------------------------------------- threads


def test_concurrent_calls_never_repeat_a_draw():
    srng = RandomStreams(1)
    u = srng.uniform(size=(4,))
    f = function([], u)
    seen, lock = [], threading.Lock()

    def work():
        for _ in range(200):
            v = f()
            with lock:
                seen.append(v.tobytes())

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(seen) == 800 and len(set(seen)) == 800


# -------------------------------------------------------------------- gradients


def test_gradient_through_normal_matches_finite_differences():
    srng = RandomStreams(3)
    mu, sd = T.dscalar("mu"), T.dscalar("sd")
    z = srng.normal((50,), avg=mu, std=sd)
    cost = (T.sin(z) * z).sum()
    f = function([mu, sd], [cost] + arignote.grad(cost, [mu, sd]), no_default_updates=True)
    c0, gm, gs = f(0.3, 1.7)
    eps = 1e-6
    np.testing.assert_allclose(gm, (f(0.3 + eps, 1.7)[0] - f(0.3 - eps, 1.7)[0]) / (2 * eps), rtol=1e-5)
    np.testing.assert_allclose(gs, (f(0.3, 1.7 + eps)[0] - f(0.3, 1.7 - eps)[0]) / (2 * eps), rtol=1e-5)


def test_gradient_through_uniform_with_broadcast_parameters():
    srng = RandomStream(3)
    lo, hi = T.vector("lo"), T.dscalar("hi")
    w = srng.uniform(lo, hi, size=(4, 3))
    cost = (w ** 2).sum()
    f = function([lo, hi], [cost] + arignote.grad(cost, [lo, hi]), no_default_updates=True)
    lv = np.array([-1.0, 0.0, 0.5])
    c0, gl, gh = f(lv, 2.0)
    assert gl.shape == (3,) and np.ndim(gh) == 0
    eps = 1e-6
    for k in range(3):
        d = np.zeros(3)
        d[k] = eps
        np.testing.assert_allclose(gl[k], (f(lv + d, 2.0)[0] - f(lv - d, 2.0)[0]) / (2 * eps), rtol=1e-5)
    np.testing.assert_allclose(gh, (f(lv, 2.0 + eps)[0] - f(lv, 2.0 - eps)[0]) / (2 * eps), rtol=1e-5)


def test_gradient_of_a_non_reparameterisable_draw_names_the_distribution():
    srng = RandomStreams(3)
    k = T.dscalar("k")
    g = srng.gamma((3,), shape=k)
    with pytest.raises(NullTypeGradError, match="'gamma' has no reparameterisation.*normal and uniform"):
        arignote.grad(g.sum(), k)
    # a cost that does not reach the parameter through the draw is fine
    assert function([k], arignote.grad((g * k).sum(), k, consider_constant=[g]), no_default_updates=True)(2.0) > 0


# --------------------------------------------------------------------- bad input


def test_bad_input_errors_name_the_culprit():
    srng = RandomStream(1)
    with pytest.raises(TypeError, match="parameter 'loc'"):
        srng.normal("a", 1.0)
    with pytest.raises(ValueError, match="parameter 'p' needs at least 1 dimension"):
        srng.categorical(0.5)
    with pytest.raises(ValueError, match="unknown length.*ndim="):
        srng.normal(size=T.lvector("s"))
    v = srng.normal(size=T.lvector("s"), ndim=2)
    assert v.ndim == 2
    with pytest.raises(TypeError, match="size"):
        srng.normal(size=(2.5,))
    x = T.vector("x")
    y = srng.normal(x, 1.0, size=(3,))
    with pytest.raises(ValueError, match="parameter 'loc'.*run-time broadcasting"):
        function([x], y)(np.zeros(1))
    with pytest.raises(ValueError, match="MRG_RandomStreams: seed should not be 0"):
        MRG_RandomStreams(0)
    old = RandomStreams(1)
    with pytest.raises(ValueError, match=r"size \(-1,\) has a negative length"):
        old.uniform(size=(-1,))
    with pytest.raises(TypeError, match="entry None"):
        old.uniform(size=(2, None))
    with pytest.raises(ValueError, match="parameter 'low' has 2 batch dimension"):
        old.uniform(size=(2,), low=T.matrix())
    with pytest.raises(ValueError, match=r"parameter 'p' of batch shape \(3,\) does not broadcast to size=\(2,\)"):
        old.multinomial((2,), 3, np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match="RandomFunction{poisson.*lam=-1.0"):
        function([], old.poisson((2,), lam=-1.0))()


def test_dtypes_follow_floatx_as_theano():
    srng = RandomStreams(1)
    old = arignote.config.floatX
    try:
        arignote.config.floatX = "float32"
        assert srng.uniform((2,)).dtype == "float32"
        assert srng.normal((2,), avg=0, std=1).dtype == "float32"
        assert srng.normal((2,), avg=T.dscalar()).dtype == "float64"  # upcast with the parameters
        assert srng.binomial((2,), n=1, p=0.5).dtype == "int64"
        assert srng.binomial((2,), n=1, p=0.5, dtype="floatX").dtype == "float32"
        assert MRG_RandomStreams(1).uniform((2,)).dtype == "float32"
        v = function([], srng.uniform((2,)))()
        assert v.dtype == np.float32
    finally:
        arignote.config.floatX = old


def test_symbolic_size_and_parameters(backend):
    srng = RandomStreams(1234)
    v = T.vector("v")
    W = shared(np.random.RandomState(0).randn(3, 4))
    hmean = T.nnet.sigmoid(T.dot(v, W))
    hsample = srng.binomial(size=hmean.shape, n=1, p=hmean)
    k = T.lscalar("k")
    u = srng.uniform((k, 2))
    f = function([v, k], [hsample, u, u.shape], backend=backend)
    hs, uv, ushape = f(np.ones(3), 5)
    assert hs.shape == (4,) and set(np.unique(hs)) <= {0, 1}
    assert uv.shape == (5, 2) and list(ushape) == [5, 2]
    mu, sd = T.col("mu"), T.row("sd")
    z = srng.normal(avg=mu, std=sd)
    assert z.type.broadcastable == (False, False)
    assert function([mu, sd], z, backend=backend)(np.zeros((2, 1)), np.ones((1, 3))).shape == (2, 3)


def test_shuffle_row_elements():
    srng = RandomStreams(2)
    x = T.matrix("x")
    s = srng.shuffle_row_elements(x)
    xv = np.arange(12.0).reshape(3, 4)
    out, perm = function([x], [s, s.permutation])(xv)
    np.testing.assert_array_equal(out, np.take_along_axis(xv, perm, axis=1))
    np.testing.assert_array_equal(np.sort(out, axis=1), xv)


# ------------------------------------------------------------------------- scan

_HAS_SCAN = importlib.util.find_spec("arignote.scan") is not None


@pytest.mark.skipif(not _HAS_SCAN, reason="arignote.scan does not exist yet (the scan issue has not landed)")
def test_random_variables_inside_scan(backend):
    """Theano's Gibbs-sampling scan example: the updates scan returns advance the generators."""
    rng = np.random.RandomState(0)
    W = shared(rng.randn(4, 3), name="W")
    bvis, bhid = shared(np.zeros(4), name="bvis"), shared(np.zeros(3), name="bhid")
    trng = T.shared_randomstreams.RandomStreams(1234)

    def one_step(vsample):
        hmean = T.nnet.sigmoid(T.dot(vsample, W) + bhid)
        hsample = trng.binomial(size=hmean.shape, n=1, p=hmean)
        vmean = T.nnet.sigmoid(T.dot(hsample, W.T) + bvis)
        return trng.binomial(size=vsample.shape, n=1, p=vmean, dtype=arignote.config.floatX)

    sample = T.vector()
    values, updates = arignote.scan(one_step, outputs_info=sample, n_steps=10)
    gibbs10 = function([sample], values, updates=updates, backend=backend)
    a, b = gibbs10(np.ones(4)), gibbs10(np.ones(4))
    assert a.shape == (10, 4) and set(np.unique(a)) <= {0.0, 1.0}
    assert not np.array_equal(a, b)  # the generators moved between calls
    assert len({row.tobytes() for row in np.vstack([a, b])}) > 1  # and between steps
    trng.seed(1234)
    np.testing.assert_array_equal(gibbs10(np.ones(4)), a)  # reseeding restarts the loop's draws


@pytest.mark.skipif(not _HAS_SCAN, reason="arignote.scan does not exist yet (the scan issue has not landed)")
def test_scan_draws_are_the_same_on_every_backend(backend):
    def run(be):
        srng = RandomStream(5)
        x0 = T.dvector("x0")
        vals, upd = arignote.scan(lambda x: x + srng.normal(size=(3,)), outputs_info=x0, n_steps=20)
        f = function([x0], vals, updates=upd, backend=be)
        return f(np.zeros(3)), f(np.zeros(3))

    for a, b in zip(run("py"), run(backend)):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_raw_random_draws_from_an_explicit_generator():
    from arignote.tensor.raw_random import multinomial, random_state_type, uniform

    rng_R = random_state_type()
    post_r, out = uniform(rng_R, (4,), -2.0, 2.0)
    f = function([rng_R], [post_r, out])
    r = np.random.RandomState(55)
    r2, v = f(r)
    np.testing.assert_array_equal(v, np.random.RandomState(55).uniform(-2.0, 2.0, 4))
    assert isinstance(r2, np.random.RandomState) and r2 is not r
    np.testing.assert_array_equal(f(r)[1], v)  # r itself was not advanced
    _, m = multinomial(rng_R, (3,), 5, [0.5, 0.5])
    assert m.type.shape == (3, 2) and (function([rng_R], m)(r).sum(axis=1) == 5).all()


@pytest.mark.parametrize("mode", ["check", "nanguard"])
def test_self_checking_modes_run_random_graphs(mode):
    srng = RandomStreams(4)
    u = srng.normal((3,))
    f = function([], u * 2, mode=mode)
    a, b = f(), f()
    assert not np.array_equal(a, b)
    g = function([], u * 2, mode=mode, no_default_updates=True)
    np.testing.assert_array_equal(g(), g())
    srng.seed(4)
    np.testing.assert_array_equal(function([], u * 2)(), a)  # the same stream as without checks


def test_function_copy_keeps_or_deletes_the_generator_updates():
    srng = RandomStreams(4)
    u = srng.uniform((3,))
    f = function([], u)
    g = f.copy()
    assert not np.array_equal(g(), g())
    h = f.copy(delete_updates=True)
    np.testing.assert_array_equal(h(), h())


def test_shapes_are_inferred_without_drawing():
    srng = RandomStream(1)
    k, a, m, s = T.lscalar("k"), T.matrix("a"), T.col("m"), T.row("s")
    cases = [(srng.uniform(size=(k, 2)), (4, 2)), (srng.dirichlet(a), (3, 5)), (srng.normal(m, s), (2, 3)),
             (srng.multinomial(3, a, size=(k, 3)), (4, 3, 5)), (srng.permutation(k), (4,))]
    args = (4, np.full((3, 5), 0.2), np.zeros((2, 1)), np.ones((1, 3)))
    for rv, shape in cases:
        f = function([k, a, m, s], rv.shape, no_default_updates=True, on_unused_input="ignore")
        assert tuple(f(*args)) == shape
        assert not any("RandomFunction" in str(n.op) for n in f.maker.fgraph.toposort())
        assert function([k, a, m, s], rv, on_unused_input="ignore")(*args).shape == shape


@pytest.mark.skipif(not _HAS_SCAN, reason="arignote.scan does not exist yet (the scan issue has not landed)")
def test_scan_steps_draw_in_place_from_a_copy_of_the_callers_generator():
    srng = RandomStreams(3)
    x0 = T.dvector("x0")
    vals, upd = arignote.scan(lambda x: x + srng.normal((3,)), outputs_info=x0, n_steps=50)
    f = function([x0], vals[-1], updates=upd)
    (node,) = [n for n in f.maker.fgraph.toposort() if hasattr(n.op, "inner_thunk")]
    inner = [fg for (_, _, fg) in (v for v in node.op._thunks.values() if len(v) == 3)]
    assert any(",inplace" in str(n.op) for fg in inner for n in fg.toposort())
    rng = srng.state_updates[0][0]
    start = rng.get_value().get_state()[1].copy()
    g = function([x0], vals[-1], no_default_updates=True)
    a, b = g(np.zeros(3)), g(np.zeros(3))
    np.testing.assert_array_equal(a, b)  # without the updates the loop repeats its draws...
    assert np.array_equal(rng.get_value().get_state()[1], start)  # ...and the caller's generator is untouched
    expect = np.random.RandomState(np.random.RandomState(3).randint(2 ** 30)).normal(size=(50, 3)).sum(axis=0)
    np.testing.assert_allclose(a, expect)
    np.testing.assert_allclose(f(np.zeros(3)), expect)
    assert not np.array_equal(f(np.zeros(3)), expect)  # with them, the next call goes on
