"""PyMC3 3.11's module-level API beyond the distributions: save_trace/load_trace,
point_list_to_multitrace, model_to_graphviz, find_hessian and the scaling helpers,
the theanof graph helpers, vartypes, exceptions and the ArviZ-backed stats and plots."""
import os
import shutil
import warnings

import numpy as np
import pytest
from scipy import stats

import arignote
import arignote.tensor as T
import arignote.ppl as pm

# PyMC3 3.11's ``from pymc3 import *`` names that arignote.ppl provides (beyond the notebook
# names of notebooks/test_pymc3_namespace.py).
PYMC311_NAMES = """
Interpolated SkewNormal VonMises Rice MvStudentT Wishart LKJCorr LKJCholeskyCov AR AR1 GARCH11
MvGaussianRandomWalk MvStudentTRandomWalk ConstantDist TensorType Kumaraswamy Triangular Gumbel Logistic
LogitNormal Moyal DiscreteWeibull OrderedLogistic ZeroInflatedBinomial Weibull ExGaussian Wald Pareto
save_trace load_trace point_list_to_multitrace model_to_graphviz find_hessian trace_cov guess_scaling
gradient hessian hessian_diag jacobian inputvars cont_inputs floatX intX smartfloatX
bool_types int_types float_types complex_types continuous_types discrete_types typefilter isgenerator
SamplingError IncorrectArgumentsError TraceDirectoryError ImputationWarning ShapeWarning ShapeError
bfmi compare ess hdi hpd loo mcse r2_score rhat summary waic
autocorrplot compareplot forestplot kdeplot plot_posterior traceplot energyplot densityplot pairplot
sample init_nuts sample_posterior_predictive sample_prior_predictive fast_sample_posterior_predictive
MatrixNormal DirichletMultinomial EulerMaruyama fn fastfn compilef DtypeError iter_sample
sample_posterior_predictive_w ArrayOrdering DictToArrayBijection DictToVarBijection WishartBartlett
BART PGBART
fit ADVI FullRankADVI MeanField FullRank Inference sample_approx callbacks sgd momentum nesterov_momentum
adagrad adagrad_window rmsprop adadelta adam adamax
sample_smc Simulator DEMetropolis DEMetropolisZ EllipticalSlice MLDA MetropolisMLDA DEMetropolisZMLDA RecursiveDAProposal
gp KroneckerNormal
ode Minibatch SVGD ASVGD NFVI Empirical Factor join_nonshared_inputs
make_shared_replacements CallableTensor generator tt_rng set_tt_rng take_along_axis get_data
""".split()


def test_star_import_has_pymc311_names():
    ns = {}
    exec("from arignote.ppl import *", ns)
    assert [n for n in PYMC311_NAMES if n not in ns] == []


def _small_trace(chains=2):
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.HalfNormal("sigma", 1.0)
        pm.Normal("y", mu, 1.0, observed=np.array([0.3, -0.2, 0.8]))
        trace = pm.sample(50, tune=50, chains=chains, cores=1, random_seed=[1, 2][:chains], progressbar=False,
                          compute_convergence_checks=False)
    return model, trace


def test_save_and_load_trace_round_trip(tmp_path):
    model, trace = _small_trace()
    folder = tmp_path / "run.trace"
    with pytest.warns(DeprecationWarning):
        out = pm.save_trace(trace, str(folder))
    assert out == str(folder) and sorted(os.listdir(folder)) == ["0", "1"]
    with pytest.warns(DeprecationWarning):
        loaded = pm.load_trace(str(folder), model=model)
    assert loaded.nchains == 2 and len(loaded) == 50 and loaded.varnames == trace.varnames
    for name in trace.varnames:
        np.testing.assert_array_equal(loaded.get_values(name, combine=False), trace.get_values(name, combine=False))
    assert loaded.stat_names == trace.stat_names
    for stat in trace.stat_names:
        got, want = loaded.get_sampler_stats(stat), trace.get_sampler_stats(stat)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    with pytest.raises(OSError, match="overwrite"), pytest.warns(DeprecationWarning):
        pm.save_trace(trace, str(folder))
    with pytest.warns(DeprecationWarning):
        pm.save_trace(trace[:10], str(folder), overwrite=True)
        assert len(pm.load_trace(str(folder))) == 10


def test_save_trace_default_folder_and_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, trace = _small_trace(chains=1)
    warnings.simplefilter("ignore", DeprecationWarning)
    assert pm.save_trace(trace) == ".pymc_1.trace"
    assert pm.save_trace(trace) == ".pymc_2.trace"
    with pytest.raises(TypeError, match="MultiTrace"):
        pm.save_trace({"mu": [1.0]})
    with pytest.raises(pm.TraceDirectoryError, match="not a folder"):
        pm.load_trace(str(tmp_path / "missing"))
    (tmp_path / "junk" / "0").mkdir(parents=True)
    (tmp_path / "junk" / "0" / "metadata.json").write_text("{}")
    with pytest.raises(pm.TraceDirectoryError, match="not a saved chain|not written by save_trace"):
        pm.load_trace(str(tmp_path / "junk"))
    shutil.rmtree(tmp_path / ".pymc_1.trace")


def test_point_list_to_multitrace():
    pts = [{"a": np.array(i * 1.0), "b": np.arange(3) + i} for i in range(4)]
    tr = pm.point_list_to_multitrace(pts)
    assert tr.nchains == 1 and len(tr) == 4 and tr.varnames == ["a", "b"]
    np.testing.assert_array_equal(tr["b"], np.arange(3)[None] + np.arange(4)[:, None])
    with pytest.raises(ValueError, match="empty"):
        pm.point_list_to_multitrace([])


def _graph_model():
    with pm.Model(coords={"obs": ["a", "b", "c"]}) as m:
        x = pm.Data("x", np.array([1.0, 2.0, 3.0]))
        mu = pm.Normal("mu", 0.0, 1.0)
        sigma = pm.HalfNormal("sigma", 1.0)
        beta = pm.Normal("beta", 0.0, 1.0, shape=2)
        line = pm.Deterministic("line", mu + beta[0] * x)
        pm.Normal("y", line, sigma, observed=np.array([1.0, 2.0, 2.5]), dims="obs")
        pm.Potential("penalty", -(sigma ** 2))
    return m


def test_model_to_graphviz_nodes_edges_and_plates():
    graphviz = pytest.importorskip("graphviz")
    m = _graph_model()
    g = pm.model_to_graphviz(m)
    assert isinstance(g, graphviz.Digraph)
    src = g.source
    edges = {tuple(line.strip().split(" -> ")) for line in src.splitlines() if " -> " in line}
    assert edges == {("beta", "line"), ("mu", "line"), ("x", "line"), ("line", "y"), ("sigma", "y"),
                     ("sigma", "penalty")}
    assert 'mu [label="mu\n~\nNormal" shape=ellipse]' in src
    assert 'sigma [label="sigma\n~\nHalfNormal" shape=ellipse]' in src
    assert 'y [label="y\n~\nNormal" fillcolor=gray shape=ellipse style=filled]' in src
    assert 'line [label="line\n~\nDeterministic" shape=box]' in src
    assert 'penalty [label="penalty\n~\nPotential" shape=octagon style=filled]' in src
    assert 'x [label="x\n~\nData" shape=box style="rounded, filled"]' in src
    assert 'label="obs (3)"' in src and "label=2" in src  # y's named dims; beta's shape
    assert "sigma_log__" not in src
    with m:
        assert pm.model_to_graphviz().source == src  # the model in context
    with pytest.raises(ValueError, match="formatting"):
        pm.model_to_graphviz(m, formatting="latex")
    if shutil.which("dot"):
        svg = g.pipe(format="svg").decode()
        assert svg.count("<g id=\"node") == 7 and svg.count("<g id=\"edge") == 6


def test_find_hessian_and_scaling_helpers():
    y = np.array([0.3, -0.2, 0.8, 1.1])
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 2.0)
        tau = pm.Gamma("tau", 2.0, 1.0)
        pm.Normal("y", mu, tau=tau, observed=y)
    point = {"mu": 0.4, "tau_log__": np.log(1.5)}
    H = pm.find_hessian(point, model=m)
    # -d2/dmu2 = 1/4 + n tau; -d2/dmu dlogtau = -tau sum(y - mu);
    # -d2/dlogtau2 = tau/2 sum (y - mu)^2 + beta tau (the Gamma prior with its Jacobian)
    t = 1.5
    want = np.array([[0.25 + 4 * t, -t * np.sum(y - 0.4)],
                     [-t * np.sum(y - 0.4), t / 2 * np.sum((y - 0.4) ** 2) + t]])
    np.testing.assert_allclose(H, want, rtol=1e-10)
    np.testing.assert_allclose(m.d2logp()(point), want, rtol=1e-10)  # PyMC3's sign, as find_hessian
    np.testing.assert_allclose(m.d2logp([mu])(point), [[0.25 + 4 * 1.5]])  # one scalar variable
    with m:
        np.testing.assert_allclose(pm.find_hessian({"mu": 0.4, "tau": 1.5}), want, rtol=1e-10)  # untransformed
        np.testing.assert_allclose(pm.find_hessian(point, vars=[mu]), [[0.25 + 4 * t]])
        np.testing.assert_allclose(pm.guess_scaling(point), np.diag(want))
    clipped = pm.guess_scaling(point, model=m, scaling_bound=0.5)  # entries clipped to [bound**2, bound**-2]
    np.testing.assert_allclose(clipped, [4.0, want[1, 1]])
    draws = np.random.default_rng(0).normal(size=(500, 2)) @ np.array([[1.0, 0.5], [0.0, 2.0]])
    tr = pm.point_list_to_multitrace([{"mu": d[0], "tau_log__": d[1]} for d in draws])
    np.testing.assert_allclose(pm.trace_cov(tr, model=m), np.cov(draws.T))


def test_module_level_fn():
    with pm.Model() as m:
        x = pm.Normal("x", 0.0, 1.0, shape=2)
        f = pm.fn(2 * x)
    assert pm.fastfn is pm.fn
    np.testing.assert_allclose(f({"x": np.array([1.0, 2.0])}), [2.0, 4.0])
    np.testing.assert_allclose(pm.compilef(x.sum(), model=m)({"x": np.array([1.0, 2.0])}), 3.0)


def test_theanof_helpers_and_vartypes():
    x, y = T.dvector("x"), T.dscalar("y")
    f = T.sum(x ** 2) * y
    assert pm.inputvars(f) == [x, y] and pm.cont_inputs(f + T.sum(T.lvector("n"))) == [x, y]
    fn = arignote.function([x, y], [pm.gradient(f), pm.hessian(f), pm.hessian_diag(f, [x])])
    g, h, hd = fn(np.array([1.0, 2.0]), 3.0)
    np.testing.assert_allclose(g, [6.0, 12.0, 5.0])
    np.testing.assert_allclose(h, -np.array([[6.0, 0, 2.0], [0, 6.0, 4.0], [2.0, 4.0, 0]]))
    np.testing.assert_allclose(hd, [-6.0, -6.0])
    jac = arignote.function([x], pm.jacobian(x ** 2, [x]))(np.array([1.0, 3.0]))
    np.testing.assert_allclose(jac, np.diag([2.0, 6.0]))
    assert pm.floatX([1, 2]).dtype == arignote.config.floatX
    assert pm.intX([1.0, 2.0]).dtype == np.int64 and pm.intX(T.dvector()).dtype == "int64"
    assert pm.smartfloatX(np.array([1, 2])).dtype.kind == "i"
    assert pm.typefilter([x, T.lvector()], pm.continuous_types) == [x]
    assert "int64" in pm.discrete_types and "float32" in pm.continuous_types
    assert pm.isgenerator(i for i in range(2)) and not pm.isgenerator([1])


def test_exceptions_and_deprecated_names():
    e = pm.ShapeError("bad shape", actual=(2,), expected=(3,))
    assert str(e) == "bad shape (actual (2,) != expected (3,))"
    assert str(pm.DtypeError("bad", actual="int64", expected="float64")) == \
        "bad (actual dtype int64 != expected dtype float64)"
    assert issubclass(pm.TraceDirectoryError, ValueError) and issubclass(pm.IncorrectArgumentsError, ValueError)
    assert issubclass(pm.ShapeWarning, UserWarning) and issubclass(pm.SamplingError, RuntimeError)
    assert pm.model.ImputationWarning is pm.ImputationWarning
    with pytest.warns(DeprecationWarning, match="Constant"):
        d = pm.ConstantDist.dist(c=3)
    assert pm.evaluate(d.logp(3)) == 0 and pm.evaluate(d.logp(2)) == -np.inf
    assert pm.TensorType("float64", (2, 3)).shape == (2, 3)


def test_bfmi_and_r2_score():
    _, trace = _small_trace()
    energy = trace.get_sampler_stats("energy", combine=False)
    want = [np.mean(np.diff(e) ** 2) / np.var(e, ddof=1) for e in energy]  # ArviZ's estimator
    np.testing.assert_allclose(pm.bfmi(trace), want, rtol=1e-10)
    rng = np.random.default_rng(1)
    y = rng.normal(size=20)
    pred = y + rng.normal(scale=0.5, size=(100, 20))
    r2 = pm.r2_score(y, pred)
    var_pred, var_res = np.var(pred, axis=1, ddof=1), np.var(y - pred, axis=1, ddof=1)
    assert np.isclose(r2["r2"], np.mean(var_pred / (var_pred + var_res)))


def test_iter_sample_yields_the_growing_trace():
    y = np.array([0.3, -0.2, 0.8, 1.1])
    seen = []
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Deterministic("twice", 2 * mu)
        pm.Normal("y", mu, 1.0, observed=y)
        step = pm.NUTS()
        gen = pm.iter_sample(1500, step, tune=500, random_seed=3,
                             callback=lambda trace, draw: seen.append(draw))
        lengths = []
        for trace in gen:
            lengths.append(len(trace))
    assert lengths == list(range(1, 1501)) and seen == list(range(1500))
    assert trace.varnames == ["mu", "twice"]
    np.testing.assert_allclose(trace["twice"], 2 * trace["mu"])
    tune = trace.get_sampler_stats("tune")
    assert tune.dtype == bool and tune[:500].all() and not tune[500:].any()
    assert trace.get_sampler_stats("tree_size").dtype == np.float64
    # the exact posterior: N(sum(y) / (n + 1), 1 / (n + 1))
    kept = trace["mu"][500:]
    assert abs(kept.mean() - y.sum() / 5) < 4 * np.sqrt(1 / 5) / np.sqrt(300)
    assert abs(kept.std() - np.sqrt(1 / 5)) < 0.06
    with m, pytest.raises(ValueError, match="draws must be non-negative"):
        pm.iter_sample(-1, pm.NUTS())


def test_sample_posterior_predictive_w_mixes_the_models():
    y = np.array([0.3, -0.2, 0.8, 1.1])
    traces, models = [], []
    for shift in (0.0, 10.0):
        with pm.Model() as m:
            mu = pm.Normal("mu", shift, 0.01)  # a tight prior: the predictive is about N(shift, 1)
            pm.Normal("y", mu, 1.0, observed=y)
            traces.append(pm.sample(200, tune=200, chains=2, cores=1, random_seed=[1, 2], progressbar=False,
                                    compute_convergence_checks=False))
        models.append(m)
    only_first = pm.sample_posterior_predictive_w(traces, models=models, weights=[1.0, 0.0], random_seed=3)
    assert only_first["y"].shape == (400, 4) and abs(only_first["y"].mean()) < 0.15
    mixed = pm.sample_posterior_predictive_w(traces, samples=1000, models=models, weights=[0.3, 0.7],
                                             random_seed=4)["y"]
    assert mixed.shape == (1000, 4)
    far = (mixed.mean(axis=1) > 5).mean()
    assert abs(far - 0.7) < 0.01  # 700 of the 1000 draws come from the second model
    with pytest.raises(ValueError, match="traces and weights"):
        pm.sample_posterior_predictive_w(traces, models=models, weights=[1.0])


def test_blocking_bijections():
    with pm.Model() as m:
        pm.Normal("a", 0.0, 1.0, shape=(2, 2))
        pm.HalfNormal("s", 1.0)
    order = pm.ArrayOrdering(m.free_RVs)
    assert order.size == 5 and [vm.var for vm in order.vmap] == ["a", "s_log__"]
    assert order.by_name["s_log__"].slc == slice(4, 5) and order.by_name["a"].shp == (2, 2)
    point = {"a": np.arange(4.0).reshape(2, 2), "s_log__": np.array(0.5), "other": 1}
    bij = pm.DictToArrayBijection(order, point)
    arr = bij.map(point)
    np.testing.assert_array_equal(arr, [0.0, 1.0, 2.0, 3.0, 0.5])
    back = bij.rmap(arr * 2)
    np.testing.assert_array_equal(back["a"], 2 * point["a"])
    assert back["s_log__"].shape == () and back["other"] == 1
    assert bij.mapf(lambda p: p["a"].sum())(arr) == 6.0
    one = pm.DictToVarBijection("a", (1, 0), point)
    assert one.map(point) == 2.0 and one.rmap(9.0)["a"][1, 0] == 9.0 and point["a"][1, 0] == 2.0
    with pytest.raises(ValueError, match="not unique"):
        pm.ArrayOrdering([m.free_RVs[0], m.free_RVs[0]])


def test_join_nonshared_inputs_puts_the_model_on_one_flat_vector():
    with pm.Model() as m:
        pm.Normal("a", 0, 1, shape=2)
        pm.Normal("b", 1, 2)
    (lp,), inarray = pm.join_nonshared_inputs([m.logpt], m.vars, {})
    assert inarray.ndim == 1 and inarray.dtype == "float64"
    v = np.array([0.1, -0.2, 0.5])
    want = stats.norm.logpdf(v[:2], 0, 1).sum() + stats.norm.logpdf(v[2], 1, 2)
    np.testing.assert_allclose(arignote.function([inarray], lp)(v), want, rtol=1e-12)
    (lp,), shared_in = pm.join_nonshared_inputs([m.logpt], m.vars, {}, make_shared=True)
    np.testing.assert_allclose(shared_in.get_value(), [0.0, 0.0, 1.0])  # the test point
    np.testing.assert_allclose(lp.eval(), stats.norm.logpdf([0, 0], 0, 1).sum() + stats.norm.logpdf(1, 1, 2))
    b = m["b"]  # a substitute for a variable left out of the vector
    (lp,), inarray = pm.join_nonshared_inputs([m.logpt], [m["a"]], {b: arignote.shared(np.float64(2.0))})
    np.testing.assert_allclose(arignote.function([inarray], lp)(v[:2]),
                               stats.norm.logpdf(v[:2]).sum() + stats.norm.logpdf(2.0, 1, 2), rtol=1e-12)
    with pytest.raises(ValueError, match="Empty"):
        pm.join_nonshared_inputs([m.logpt], [], {})


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_take_along_axis_is_numpys(axis):
    a = np.random.default_rng(1).standard_normal((2, 3, 4))
    idx = np.argsort(-a, axis=axis)
    got = pm.take_along_axis(T.constant(a), T.constant(idx), axis).eval()
    np.testing.assert_array_equal(got, np.take_along_axis(a, idx, axis))
    with pytest.raises(ValueError, match="same number of dimensions"):
        pm.take_along_axis(T.constant(a), T.constant(idx[0]), axis)


def test_generator_gives_the_next_value_per_call_then_its_default():
    g = pm.generator(iter([np.ones(2), 2 * np.ones(2)]), default=np.zeros(2))
    assert g.ndim == 1 and g.dtype == "float64"
    f = arignote.function([], g * 3)
    for want in (3.0, 6.0, 0.0, 0.0):
        np.testing.assert_array_equal(f(), [want, want])
    f = arignote.function([], pm.generator(iter([np.int64(4)])))
    assert f() == 4
    with pytest.raises(StopIteration):
        f()


def test_shared_replacements_callable_tensor_and_the_rng():
    with pm.Model() as m:
        x = pm.Normal("x", 0, 1)
        pm.Normal("y", 0, 1, shape=2)
    r = pm.make_shared_replacements({"x": 0.5, "y": np.array([1.0, 2.0])}, [x], m)
    (y, sv), = r.items()
    assert y.name == "y" and sv.name == "y_shared"
    np.testing.assert_array_equal(sv.get_value(), [1.0, 2.0])
    assert [v.name for v in pm.make_shared_replacements([x], m)] == ["y"]  # PyMC3's older form
    v = T.dvector("v")
    np.testing.assert_array_equal(pm.CallableTensor(v ** 2)(T.constant([1.0, 2.0])).eval(), [1.0, 4.0])
    assert pm.tt_rng() is pm.tt_rng() and pm.tt_rng(3) is not pm.tt_rng()
    old = pm.tt_rng()
    try:
        pm.set_tt_rng(7)
        assert pm.tt_rng() is not old
    finally:
        pm.set_tt_rng(old)


def test_get_data_reads_the_named_folders_and_says_where_it_looked(tmp_path, monkeypatch):
    (tmp_path / "radon.csv").write_bytes(b"county,log_radon\nA,1.5\n")
    monkeypatch.setenv("ARIGNOTE_PPL_DATA", str(tmp_path))
    assert pm.get_data("radon.csv").read() == b"county,log_radon\nA,1.5\n"
    with pytest.raises(FileNotFoundError, match="'missing.csv' is in none of .*ARIGNOTE_PPL_DATA"):
        pm.get_data("missing.csv")
    with pytest.raises(ValueError, match="a file name, not a path"):
        pm.get_data("../radon.csv")
