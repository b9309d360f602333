"""The native NUTS kernel and the native entries it calls (llvm's and c's): the entry against the
compiled function (every step kind a model's logp+gradient uses, on c; threads with their own
scratch), posterior recovery, agreement in distribution with the Python NUTS, bit-identical
reproducibility in one thread or two, divergences on nan/inf log-densities, and the
fallback case (Python NUTS, said so; an exception in a fallback node fails the chain)."""

import math
import threading

import arviz as az
import cffi
import numpy as np
import pytest

import arignote
import arignote.ppl as pm
from linear_model import linear_model
import arignote.tensor as T
from arignote.compile.ops import as_op
from arignote.native_entry import SIGNATURE, NativeEntryUnavailable
from arignote.testing import backend_params

NATIVE_BACKENDS = backend_params(("llvm", "c"))
FAST = dict(progressbar=False, compute_convergence_checks=False)
_ffi = cffi.FFI()


def _call(entry, x, out_shapes, scratch=None):
    """Call a native entry on ``x`` (plus its shared inputs); (rc, outputs)."""
    fn = _ffi.cast(SIGNATURE, entry.address)
    scratch = scratch or entry.new_scratch()
    ins = [np.ascontiguousarray(x, dtype=np.float64)] + entry.shared_values()
    data = _ffi.new("void *[]", [_ffi.cast("void *", a.ctypes.data) for a in ins])
    shapes = _ffi.new("int64_t[]", [d for a in ins for d in a.shape] + [0])
    outs = [np.full(s, -1.0) for s in out_shapes]
    odata = _ffi.new("void *[]", [_ffi.cast("void *", a.ctypes.data) for a in outs])
    oshapes = _ffi.new("int64_t[]", [d for s in out_shapes for d in s] + [0])
    rc = fn(_ffi.cast("void *", scratch.address), data, shapes, odata, oshapes)
    return rc, outs


# -- the native entry ------------------------------------------------------------------------


def _lp_grad(backend):
    x = T.dvector("x")
    s = arignote.shared(np.array([1.0, 2.0, 3.0]), name="s")
    lp = -0.5 * T.sum((x - s) ** 2) + T.log1p(T.sum(T.exp(x)))
    return arignote.function([x], [lp, T.grad(lp, x)], backend=backend), s


@pytest.mark.parametrize("backend", NATIVE_BACKENDS)
def test_native_entry_matches_the_compiled_function(backend):
    f, s = _lp_grad(backend)
    entry = f.native_entry()
    assert entry.inputs == [("x", "float64", 1), ("s", "float64", 1)]
    assert entry.outputs == [("float64", 0), ("float64", 1)]
    x = np.array([0.5, -1.0, 2.0])
    rc, (lp, g) = _call(entry, x, [(), (3,)])
    want_lp, want_g = f(x)
    assert rc == 0
    np.testing.assert_allclose(lp, want_lp, rtol=1e-14)
    np.testing.assert_allclose(g, want_g, rtol=1e-14)
    s.set_value(np.array([0.0, 0.0, 0.0]))  # shared values are read from shared_values()
    rc, (lp, g) = _call(entry, x, [(), (3,)])
    np.testing.assert_allclose(lp, f(x)[0], rtol=1e-14)
    rc, _ = _call(entry, x, [(), (4,)])  # a wrong output shape is refused, not overrun
    assert rc == 1
    rc, _ = _call(entry, np.ones(4), [(), (4,)])  # so is an input the graph cannot take
    assert rc == 1
    with pytest.raises(ValueError, match="shape"):  # and the Python re-run gives the real error
        f(np.ones(4))


def _every_step_kind():
    """f(x) -> (logp, grad, join) on the c backend over loops, reductions, BLAS dot, views,
    reshape, join, take/put, gather/scatter, basic inc_subtensor, cumsum, alloc and switch."""
    x = T.dvector("x")
    W = arignote.shared(np.arange(6.0).reshape(3, 2) / 7, name="W")
    idx = np.array([0, 2, 2, 5])
    M = x.reshape((2, 3))
    h = T.dot(M, W)
    j = T.concatenate([h.flatten(), x[idx]])
    inc = T.inc_subtensor(x[1:3], T.exp(x[:2]))
    adv = T.inc_subtensor(x[idx], x[:4] ** 2)
    c = T.cumsum(x * M.T.flatten())
    a = T.alloc(T.sum(x), x.shape[0] // 2, 2).flatten()
    g = M[[0, 1, 1], [2, 0, 2]]
    sw = T.switch(x > 0, x, 0.5 * x)
    lp = (T.sum(h ** 2) + T.sum(T.sin(inc) * adv) + T.sum(c * T.log1p(T.exp(sw))) + T.max(x) * T.sum(a)
          + T.sum(g * T.arange(3)))
    return arignote.function([x], [lp, T.grad(lp, x), j], backend="c")


def test_c_native_entry_runs_every_step_kind_a_model_uses():
    f = _every_step_kind()
    kinds = {s.kind for s in f.maker.fgraph.lowered.steps}
    assert kinds >= {"LoopStep", "ReduceStep", "DotStep", "DimShuffleStep", "SubtensorStep", "ReshapeStep",
                     "JoinStep", "TakeStep", "PutStep", "GatherStep", "ScatterStep", "IncSubtensorStep",
                     "CumStep", "AllocStep", "ShapeStep"}, kinds
    entry = f.native_entry()
    assert entry.inputs == [("x", "float64", 1), ("W", "float64", 2)]
    scratch = entry.new_scratch()
    rng = np.random.default_rng(0)
    for _ in range(5):  # the scratch's buffers are reused from call to call
        x = rng.normal(size=6)
        rc, got = _call(entry, x, [(), (6,), (8,)], scratch)
        assert rc == 0
        for a, b in zip(got, f(x)):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)
    rc, _ = _call(entry, np.ones(5), [(), (5,), (8,)], scratch)  # 5 cannot be reshaped to (2, 3)
    assert rc == 1
    with pytest.raises(ValueError, match="reshape"):
        f(np.ones(5))


def test_c_native_entry_in_threads_each_with_its_own_scratch():
    f = _every_step_kind()
    entry = f.native_entry()
    xs = np.random.default_rng(1).normal(size=(2, 300, 6))
    want = [[f(x) for x in rows] for rows in xs]
    results, errors = [[], []], []

    def work(t):  # cffi releases the GIL around each call: the two threads run the entry at once
        try:
            scratch = entry.new_scratch()
            for x in xs[t]:
                results[t].append(_call(entry, x, [(), (6,), (8,)], scratch))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in (0, 1)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    for t in (0, 1):
        for (rc, got), ref in zip(results[t], want[t]):
            assert rc == 0
            for a, b in zip(got, ref):
                np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)


def test_native_entry_refusals_name_the_cause():
    f, _ = _lp_grad("py")
    with pytest.raises(NativeEntryUnavailable, match="'py' backend has no native entry"):
        f.native_entry()
    x = T.dvector("x")
    f = arignote.function([x], _python_square_sum(x), backend="c")
    with pytest.raises(NativeEntryUnavailable, match="c: 1 step.*NumPy perform.*_python_square_sum"):
        f.native_entry()
    x = T.dvector("x")
    f = arignote.function([x], T.nnet.softmax(x), backend="llvm")
    assert arignote.debug.fallbacks(f)
    with pytest.raises(NativeEntryUnavailable, match="NumPy perform.*Softmax"):
        f.native_entry()
    s = arignote.shared(0.0)
    f = arignote.function([x], T.sum(x), updates=[(s, s + 1)], backend="llvm")
    with pytest.raises(NativeEntryUnavailable, match="updates"):
        f.native_entry()


# -- sampling ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linear():
    return linear_model()


COV = np.array([[1.0, 0.8], [0.8, 1.0]])


def _gaussian():
    with pm.Model() as model:
        pm.MvNormal("z", mu=np.array([1.0, -1.0]), cov=COV, shape=2)
    return model


def _sample(model, native, seed=1, draws=1000, tune=500, chains=2, cores=1):
    with model:
        step = pm.NUTS(native=native)
        trace = pm.sample(draws, tune=tune, step=step, chains=chains, cores=cores, random_seed=seed, **FAST)
    return step, trace


def _backend_of(step):
    return step._fn._fn.backend  # the compiled logp+gradient's backend


def _within(draws, mean, sd, z=4.5):
    ess = float(az.ess(np.asarray(draws)))
    assert abs(np.mean(draws) - mean) < z * sd / math.sqrt(ess), (np.mean(draws), mean, sd, ess)


@pytest.mark.parametrize("backend", backend_params(("llvm", "c")))
def test_linear_model_recovery_and_the_kernel_chosen(backend, capsys):
    with arignote.config.change_flags(backend=backend):
        model, x, y = linear_model()
        step, trace = _sample(model, None)
    plan = step.native_plan()
    assert plan.ok and _backend_of(step) == backend
    assert "native NUTS kernel" in capsys.readouterr().err
    X = np.column_stack([np.ones_like(x), x])
    beta, res, *_ = np.linalg.lstsq(X, y, rcond=None)
    cov = res[0] / (len(y) - 2) * np.linalg.inv(X.T @ X)
    _within(trace["Intercept"], beta[0], math.sqrt(cov[0, 0]))
    _within(trace["x"], beta[1], math.sqrt(cov[1, 1]))
    assert abs(np.median(trace["sd"]) - math.sqrt(res[0] / (len(y) - 2))) < 0.05


def test_native_stats_have_the_python_names_and_types(linear):
    step, native = _sample(linear[0], None, draws=100, tune=100)
    assert step.native_plan().ok
    _, python = _sample(linear[0], False, draws=100, tune=100)
    assert sorted(native.stat_names) == sorted(python.stat_names)
    for name in python.stat_names:
        assert native[name].dtype == python[name].dtype, name
    assert native["depth"].min() >= 1 and (native["tree_size"] >= 1).all()
    point = native.point(-1, chain=1)
    np.testing.assert_allclose(native.get_sampler_stats("model_logp", chains=1)[-1], linear[0].logp(point),
                               rtol=1e-12)
    for c in (0, 1):  # after tuning: the averaged step size, constant per chain
        eps = native.get_sampler_stats("step_size", chains=c)
        assert (eps == eps[0]).all() and eps[0] == native.get_sampler_stats("step_size_bar", chains=c)[0]


def _coal_posterior_moments():
    """E and sd of (early_mean, late_mean) under the marginal coal-mining model, by quadrature:
    Exp(1) priors, the switchpoint s uniform over the years, rates early for t < s."""
    from arignote.ppl.examples.coal_mining import disasters_data as y

    e = np.linspace(1e-3, 8.0, 1601)[:, None, None]
    l = np.linspace(1e-3, 4.0, 1601)[None, :, None]
    s = np.arange(len(y))
    before = np.concatenate([[0], np.cumsum(y)[:-1]])  # disasters before year s
    ll = before * np.log(e) - s * e + (y.sum() - before) * np.log(l) - (len(y) - s) * l
    m = ll.max(axis=2, keepdims=True)
    logpost = (m + np.log(np.exp(ll - m).sum(axis=2, keepdims=True)))[..., 0] - e[..., 0] - l[..., 0]
    w = np.exp(logpost - logpost.max())
    w /= w.sum()
    E = lambda v: float((w * v).sum())  # noqa: E731
    ev, lv = e[..., 0] + 0 * l[..., 0], l[..., 0] + 0 * e[..., 0]
    return (E(ev), math.sqrt(E(ev**2) - E(ev) ** 2)), (E(lv), math.sqrt(E(lv**2) - E(lv) ** 2))


@pytest.mark.parametrize("backend", NATIVE_BACKENDS)
def test_the_marginal_coal_mining_model_samples_natively(backend, capsys):
    from arignote.ppl.examples.coal_mining import marginal_model

    with arignote.config.change_flags(backend=backend):
        step, trace = _sample(marginal_model(), None, draws=1000, tune=500)
    assert step.native_plan().ok and _backend_of(step) == backend
    assert "native NUTS kernel" in capsys.readouterr().err
    (em, es), (lm, ls) = _coal_posterior_moments()
    _within(trace["early_mean"], em, es)
    _within(trace["late_mean"], lm, ls)
    assert abs(np.std(trace["early_mean"]) / es - 1) < 0.15 and abs(np.std(trace["late_mean"]) / ls - 1) < 0.15


def _compare(native, python, names, sds):
    for name, sd in zip(names, sds):
        a, b = np.asarray(native[name]), np.asarray(python[name])
        ess = min(float(az.ess(a)), float(az.ess(b)))
        se = sd * math.sqrt(2.0 / ess)
        assert abs(a.mean() - b.mean()) < 5 * se, (name, a.mean(), b.mean(), se)
        # the variance's MC error: sd^2 * sqrt(2 / ess) per sample (Gaussian fourth moment)
        assert abs(a.var() - b.var()) < 5 * sd**2 * math.sqrt(2.0 / ess) * math.sqrt(2.0), (name, a.var(), b.var())
    da, db = native["depth"], python["depth"]
    se = math.sqrt(da.var() / len(da) + db.var() / len(db)) * 3  # depths are autocorrelated a little
    assert abs(da.mean() - db.mean()) < 4 * se + 0.05, (da.mean(), db.mean())


def test_native_and_python_agree_on_a_correlated_gaussian():
    model = _gaussian()
    _, native = _sample(model, None, draws=2000)
    _, python = _sample(model, False, draws=2000)
    for trace in (native, python):
        z = trace["z"]
        np.testing.assert_allclose(np.cov(z.T), COV, atol=0.2)
    nat = {"z0": native["z"][:, 0], "z1": native["z"][:, 1], "depth": native["depth"]}
    pyt = {"z0": python["z"][:, 0], "z1": python["z"][:, 1], "depth": python["depth"]}
    _compare(nat, pyt, ["z0", "z1"], [1.0, 1.0])


@pytest.mark.parametrize("backend", NATIVE_BACKENDS)
def test_native_and_python_agree_on_the_linear_model(linear, backend):
    with arignote.config.change_flags(backend=backend):
        step, native = _sample(linear[0], None, draws=1500)
        _, python = _sample(linear[0], False, draws=1500)
    assert step.native_plan().ok and _backend_of(step) == backend
    sds = [float(np.std(python[n])) for n in ("Intercept", "x", "sd")]
    _compare(native, python, ["Intercept", "x", "sd"], sds)


@pytest.mark.parametrize("backend", NATIVE_BACKENDS)
def test_same_seed_bit_identical_in_one_thread_or_two(linear, backend):
    with arignote.config.change_flags(backend=backend):
        step, one = _sample(linear[0], None, seed=11, draws=150, tune=150)
        _, two = _sample(linear[0], None, seed=11, draws=150, tune=150, cores=2)
        _, again = _sample(linear[0], None, seed=11, draws=150, tune=150, cores=2)
        _, other = _sample(linear[0], None, seed=12, draws=150, tune=150)
    assert step.native_plan().ok and _backend_of(step) == backend
    for name in one.varnames:
        np.testing.assert_array_equal(one[name], two[name])
        np.testing.assert_array_equal(one[name], again[name])
    for name in one.stat_names:
        np.testing.assert_array_equal(one[name], two[name])
    assert not np.array_equal(one["x"], other["x"])
    assert not np.array_equal(one.get_values("x", chains=0), one.get_values("x", chains=1))


@pytest.mark.parametrize("backend", NATIVE_BACKENDS)
@pytest.mark.parametrize("bad", [np.nan, -np.inf])
def test_nan_or_inf_log_density_mid_trajectory_is_a_divergence(bad, backend):
    with pm.Model() as model:
        x = pm.Normal("x", 0, 1, shape=3)
        pm.Potential("cliff", pm.math.switch(x[0] > 1.0, bad, 0.0))
    with arignote.config.change_flags(backend=backend):
        step, trace = _sample(model, None, draws=300, tune=200)
    assert step.native_plan().ok and _backend_of(step) == backend
    assert trace["x"].shape == (600, 3) and np.isfinite(trace["x"]).all()
    assert trace["diverging"].sum() > 0
    assert (trace["x"][:, 0] <= 1.0).all()


@as_op(itypes=[T.dvector], otypes=[T.dscalar])
def _python_square_sum(v):
    return np.asarray(-0.5 * float(np.sum(v**2)))


class _Boom(Exception):
    pass


_calls = {"n": 0}


@as_op(itypes=[T.dvector], otypes=[T.dscalar])
def _explodes_later(v):
    _calls["n"] += 1
    if _calls["n"] > 300:
        raise _Boom("the fallback node exploded on purpose")
    return np.asarray(0.0)


def _grad_of(op):
    def grad(inputs, g):
        return [-inputs[0] * g[0]] if op is _python_square_sum else [T.zeros_like(inputs[0])]
    return grad


_python_square_sum.grad = _grad_of(_python_square_sum)
_explodes_later.grad = _grad_of(_explodes_later)


@pytest.mark.parametrize("backend", NATIVE_BACKENDS)
def test_a_fallback_node_samples_through_the_python_nuts_and_says_so(capsys, backend):
    with pm.Model() as model:
        x = pm.Flat("x", shape=2)
        pm.Potential("p", _python_square_sum(x))
    with arignote.config.change_flags(backend=backend):
        step, trace = _sample(model, None, draws=500, tune=300)
    plan = step.native_plan()
    assert not plan.ok and "NumPy perform" in plan.reason and "_python_square_sum" in plan.reason
    assert f"Python NUTS: {backend}:" in capsys.readouterr().err
    _within(trace["x"][:, 0], 0.0, 1.0)
    with model, pytest.raises(NativeEntryUnavailable, match="native=True"):
        pm.NUTS(native=True).native_plan()


def test_an_exception_in_a_fallback_node_stops_the_chain_with_its_traceback():
    _calls["n"] = 0
    with pm.Model() as model:
        pm.Normal("x", 0, 1, shape=2)
        pm.Potential("p", _explodes_later(model.free_RVs[0]))
    with model, pytest.raises(pm.SamplingError, match="(?s)All 1 chains failed.*exploded on purpose"), \
            pytest.warns(RuntimeWarning):
        pm.sample(200, tune=200, chains=1, cores=1, random_seed=3, **FAST)


def test_native_chains_on_an_executor_match_the_threads(linear):
    import concurrent.futures as cf
    import multiprocessing

    _, threads = _sample(linear[0], None, seed=13, draws=100, tune=100, cores=2)
    ctx = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(2, mp_context=ctx) as pool, linear[0]:
        shipped = pm.sample(100, tune=100, chains=2, step=pm.NUTS(), random_seed=13, executor=pool, **FAST)
    for name in threads.varnames:
        np.testing.assert_array_equal(threads[name], shipped[name])
