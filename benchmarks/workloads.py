"""The seed's benchmark workloads, written once for arignote and for PyTensor, with their NumPy references.

A *system* names what runs a workload: an arignote backend ('c', 'llvm', 'py', or a variant such as
'c w/o libmvec'), a PyTensor mode ('PyTensor C', 'PyTensor NUMBA'), or 'numpy' (written by hand).
Each workload function compiles its graph on the systems it is given and returns
``(timers, info)``: ``timers[(variant, system)]`` is a ``harness.clock`` timer and ``info`` holds
JSON-able checks (errors against NumPy, compile times).  The same code runs in the arignote process
and, for the PyTensor systems, in the peer worker (benchmarks/peers.py): both sides measure alike.
"""
from __future__ import annotations

import importlib
import statistics
import time

import numpy as np

from harness import clock

PEER_MODES = {"PyTensor C": "CVM", "PyTensor NUMBA": "NUMBA"}  # CVM: PyTensor 2's default (C thunks)
VARIANTS = {  # arignote systems that are a backend compiled under other config flags
    "c w/o libmvec": ("c", "arignote.backends.c.build", {"c_mvec": "off"}),
    "llvm w/o libmvec": ("llvm", "arignote.backends.llvm.jit", {"llvm_vector_math": False}),
}
_LIBS = {}


class Library:
    """arignote or PyTensor behind the same names: ``T``, ``shared`` and ``function(system, ...)``."""

    def __init__(self, name):
        self.name = name
        if name == "pytensor":
            import pytensor
            import pytensor.tensor as T

            self.T, self.shared, self._function = T, pytensor.shared, pytensor.function
            self.scan = pytensor.scan
        else:
            import arignote
            from arignote import tensor as T

            self.T, self.shared, self._function = T, arignote.shared, arignote.function
            self.scan = arignote.scan

    def function(self, system, inputs, outputs, **kw):
        if system in PEER_MODES:
            return self._function(inputs, outputs, mode=PEER_MODES[system], **kw)
        if system in VARIANTS:
            backend, module, flags = VARIANTS[system]
            importlib.import_module(module)  # registers the flags
            from arignote.config import config

            with config.change_flags(**flags):
                return self._function(inputs, outputs, backend=backend, **kw)
        return self._function(inputs, outputs, backend=system, **kw)


def library(system):
    """The Library that runs ``system`` (imported on first use)."""
    name = "pytensor" if system in PEER_MODES else "arignote"
    if name not in _LIBS:
        _LIBS[name] = Library(name)
    return _LIBS[name]


def fresh_cache_env(system, directory, environ):
    """``environ`` with the compile caches of ``system`` pointed at an empty ``directory`` (a cold compile).
    PyTensor keeps its Numba cache under base_compiledir, so that is the flag to move, not compiledir."""
    env = dict(environ)
    if system in PEER_MODES:
        flags = env.get("PYTENSOR_FLAGS", "")
        env["PYTENSOR_FLAGS"] = f"{flags},base_compiledir={directory}".lstrip(",")
        env["NUMBA_CACHE_DIR"] = f"{directory}/numba"
    else:
        env["ARIGNOTE_COMPILEDIR"] = directory
    return env


def max_rel_err(got, want):
    """Largest relative difference over the finite entries, and whether nan/inf sit where NumPy has them."""
    got = np.asarray(got)
    fin = np.isfinite(want)
    same = bool(np.array_equal(got[~fin], want[~fin], equal_nan=True) and np.isfinite(got[fin]).all())
    err = float(np.max(np.abs(got[fin] - want[fin]) / (np.abs(want[fin]) + 1e-300))) if fin.any() else 0.0
    return {"max_rel_err": err, "nonfinite_as_numpy": same}


# ------------------------------------------------ exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y)
def expr_graph(T):
    x, y = T.dvector("x"), T.dvector("y")
    return [x, y], T.exp(-x ** 2) * T.sin(x) + T.log1p(abs(y)) * T.tanh(x * y)


def expr_numpy(a, b):
    with np.errstate(invalid="ignore"):
        return np.exp(-a ** 2) * np.sin(a) + np.log1p(np.abs(b)) * np.tanh(a * b)


def expr(systems, n):
    """The fused elementwise expression on n float64 (a few nan/inf/-0.0 first, the rest normal * 3)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(n) * 3, rng.standard_normal(n) * 3
    a[:4] = [np.nan, np.inf, -np.inf, -0.0]
    want = expr_numpy(a, b)
    timers, checks, variant = {}, {}, f"n={n:,}"
    for s in systems:
        if s == "numpy":
            f = expr_numpy
        else:
            lib = library(s)
            f = lib.function(s, *expr_graph(lib.T))
            checks[s] = max_rel_err(f(a, b), want)  # the result is not kept: its buffer may be reused
        timers[(variant, s)] = clock(lambda f=f: f(a, b))
    return timers, {"checks": checks}


# ------------------------------------------------ scalar add f(2.0, 3.0)
def add(systems):
    """Per-call time of ``function([a, b], a + b)`` on dscalars: called with Python floats, with 0-d
    arrays, with trust_input, and (arignote) its compiled thunk alone; NumPy's 0-d add as reference."""
    x, y = np.array(2.0), np.array(3.0)
    timers = {}
    for s in systems:
        if s == "numpy":
            timers[(None, s)] = clock(lambda: np.add(x, y))
            continue
        lib = library(s)
        a, b = lib.T.dscalar("a"), lib.T.dscalar("b")
        f = lib.function(s, [a, b], a + b)
        ft = lib.function(s, [a, b], a + b, trust_input=True)
        if float(np.asarray(f(2.0, 3.0)).squeeze()) != 5.0 or float(np.asarray(ft(x, y)).squeeze()) != 5.0:
            raise AssertionError(f"{s}: 2.0 + 3.0 != 5.0")
        timers[("f(2.0, 3.0)", s)] = clock(lambda f=f: f(2.0, 3.0))
        timers[("f(x, y), 0-d arrays", s)] = clock(lambda f=f: f(x, y))
        timers[("trust_input", s)] = clock(lambda ft=ft: ft(x, y))
        if hasattr(f, "_thunk"):
            timers[("thunk only", s)] = clock(lambda th=f._thunk: th([x, y]))
    return timers, {}


# ------------------------------------------------ the seed's logistic 1 / (1 + exp(-x))
def logistic(systems, rows=1000, cols=1000):
    X = np.random.default_rng(0).standard_normal((rows, cols))
    want = 1 / (1 + np.exp(-X))
    timers, checks = {}, {}
    for s in systems:
        if s == "numpy":
            f = lambda X: 1 / (1 + np.exp(-X))  # noqa: E731
        else:
            lib = library(s)
            x = lib.T.dmatrix("x")
            f = lib.function(s, [x], 1 / (1 + lib.T.exp(-x)))
            checks[s] = max_rel_err(f(X), want)
        timers[(None, s)] = clock(lambda f=f: f(X))
    return timers, {"checks": checks}


# ------------------------------------------------ logistic-regression cost and gradient, 100000 x 20
def grad_data(rows, cols):
    r = np.random.default_rng(0)
    X = r.standard_normal((rows, cols))
    w_true = r.standard_normal(cols)
    y = (r.uniform(size=rows) < 1 / (1 + np.exp(-(X @ w_true + 0.3)))).astype("float64")
    return X, y, r.standard_normal(cols) * 0.1, np.float64(0.05)


def grad_numpy(X, y):
    n = len(y)

    def f(w, b):
        z = X @ w + b
        p = 1 / (1 + np.exp(-z))
        cost = np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
        gz = (p - y) / n
        return cost, X.T @ gz, gz.sum()

    return f


def grad_build(system, X, y):
    """Build the cost, T.grad it with respect to w and b, compile (X, y shared, as a sampler sees them);
    returns (function, seconds of build + compile)."""
    lib = library(system)
    T = lib.T
    t0 = time.perf_counter()
    Xs, ys = lib.shared(X, name="X"), lib.shared(y, name="y")
    w, b = T.dvector("w"), T.dscalar("b")
    p = T.sigmoid(T.dot(Xs, w) + b)
    cost = T.mean(-ys * T.log(p) - (1 - ys) * T.log(1 - p))
    gw, gb = T.grad(cost, [w, b])
    f = lib.function(system, [w, b], [cost, gw, gb])
    return f, time.perf_counter() - t0


def grad(systems, rows=100_000, cols=20, compiles=5):
    X, y, w, b = grad_data(rows, cols)
    ref = grad_numpy(X, y)
    timers, first, warm = {}, {}, {}
    for s in systems:
        if s == "numpy":
            f = ref
        else:
            f, first[s] = grad_build(s, X, y)
            for got, want in zip(f(w, b), ref(w, b)):
                np.testing.assert_allclose(got, want, rtol=1e-9, err_msg=s)
            warm[s] = statistics.median(grad_build(s, X, y)[1] for _ in range(compiles))
        timers[(None, s)] = clock(lambda f=f: f(w, b))
    return timers, {"first_compile": first, "compile": warm}


# ------------------------------------------------ the seed's loops: A**k and the polynomial by scan
def scan_power(systems, size=10, k=100_000):
    """The seed's ``result[-1]`` of scan(prior * A) for k steps (per call; divide by k for an iteration);
    NumPy's reference is the same loop in Python over NumPy."""
    A = np.linspace(0.999, 1.001, size)
    want = A ** k
    timers, checks = {}, {}
    for s in systems:
        if s == "numpy":
            def f(A, k):
                r = np.ones_like(A)
                for _ in range(k):
                    r = r * A
                return r
        else:
            lib = library(s)
            T = lib.T
            a, kk = T.dvector("A"), T.iscalar("k")
            result, updates = lib.scan(fn=lambda prior, A: prior * A, outputs_info=T.ones_like(a), non_sequences=a,
                                       n_steps=kk)
            f = lib.function(s, [a, kk], result[-1], updates=updates)
            checks[s] = max_rel_err(f(A, k), want)
        timers[(None, s)] = clock(lambda f=f: f(A, k))
    return timers, {"checks": checks}


def scan_poly(systems, n=1000):
    """The seed's polynomial: scan over the coefficients and arange(n), then sum (per call); NumPy's
    reference is the vectorised ``(coeffs * x ** arange(n)).sum()``."""
    coeffs = np.random.default_rng(0).standard_normal(n)
    x = 0.999
    want = np.array([(coeffs * x ** np.arange(n)).sum()])
    timers, checks = {}, {}
    for s in systems:
        if s == "numpy":
            f = lambda c, x, r=np.arange(n): (c * x ** r).sum()  # noqa: E731
        else:
            lib = library(s)
            T = lib.T
            c, xx = T.dvector("coefficients"), T.dscalar("x")
            comps, _ = lib.scan(fn=lambda coefficient, power, val: coefficient * (val ** power), outputs_info=None,
                                sequences=[c, T.arange(n)], non_sequences=xx)
            f = lib.function(s, [c, xx], comps.sum())
            checks[s] = max_rel_err(np.atleast_1d(f(coeffs, x)), want)
        timers[(None, s)] = clock(lambda f=f: f(coeffs, x))
    return timers, {"checks": checks}


def scan_rnn(systems, size=10, steps=1000):
    """An RNN step h_t = tanh(W h_{t-1} + x_t) over ``steps`` rows (per call; divide by steps for an
    iteration); NumPy's reference is the same loop in Python over NumPy."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((steps, size))
    W = rng.standard_normal((size, size)) / np.sqrt(size)
    h0 = np.zeros(size)

    def loop(X, W, h0):
        h, out = h0, np.empty_like(X)
        for t in range(X.shape[0]):
            h = out[t] = np.tanh(W @ h + X[t])
        return out

    want = loop(X, W, h0)
    timers, checks = {}, {}
    for s in systems:
        if s == "numpy":
            f = loop
        else:
            lib = library(s)
            T = lib.T
            x, w, h = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
            hs, _ = lib.scan(fn=lambda x_t, h_prev, W: T.tanh(T.dot(W, h_prev) + x_t), sequences=x,
                             outputs_info=h, non_sequences=w)
            f = lib.function(s, [x, w, h], hs)
            checks[s] = max_rel_err(f(X, W, h0), want)
        timers[(None, s)] = clock(lambda f=f: f(X, W, h0))
    return timers, {"checks": checks}


# ------------------------------------------------ graphs for the rewrite benchmark
def sum5000(T, shared):
    """A sum of 1000 different elementwise terms exp(x * c_k) * y: about 5000 nodes."""
    x, y = T.dvector("x"), T.dvector("y")
    total = None
    for k in range(1000):
        term = T.exp(x * (0.001 * (k + 1))) * y
        total = term if total is None else total + term
    return [x, y], [total], None


def logreg(T, shared):
    """The seed's logistic-regression train function: (inputs, outputs, updates); the updated shared
    variables are w, b, step in that order (start 1.0, 0.0, 10.0)."""
    x, y = T.vector("x"), T.vector("y")
    w, b = shared(1., name="w"), shared(0., name="b")
    p_1 = 1 / (1 + T.exp(-(x * w + b)))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (5 - y) * T.log(1 - p_1)
    cost = xent.mean()
    gw, gb = T.grad(cost, [w, b])
    step = shared(10., name="step")
    return [x, y], [prediction, xent], ((w, w - step * gw), (b, b - step * gb), (step, step * 0.99))


LOGREG_DOSE = np.array([-0.86, -0.3, -0.05, 0.73])
LOGREG_DEATHS = np.array([0, 1, 3, 5])
LOGREG_START = (1.0, 0.0, 10.0)


def logreg_numpy(steps=1000):
    """The seed's training loop written by hand in NumPy; returns the final (w, b)."""
    dose, deaths = LOGREG_DOSE, LOGREG_DEATHS.astype("float64")
    w, b, step = LOGREG_START
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(dose * w + b)))
        pred = p > 0.5  # noqa: F841  (the seed's outputs are computed too)
        xent = -deaths * np.log(p) - (5 - deaths) * np.log(1 - p)  # noqa: F841
        g = (-deaths * (1 - p) + (5 - deaths) * p) / len(dose)
        w, b, step = w - step * float(np.dot(g, dose)), b - step * float(g.sum()), step * 0.99
    return w, b


# ------------------------------------------------ the seed's marginal coal-mining logp and gradient
COAL = np.array([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4, 2, 5,
                 2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0, 1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1,
                 0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2, 3, 3, 1, 1, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4,
                 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1])


def coal_graph(T):
    """The seed's marginalised log-likelihood over the 111 x 111 (12,321) switchpoint/year table, built
    directly with the tensor API (Poisson logp written out), and its gradient wrt both rates."""
    years = len(COAL)
    e, l = T.dscalar("e"), T.dscalar("l")
    s, t = np.array([(a, b) for a in range(years) for b in range(years)]).T
    mu = T.switch(t < s, e, l)
    v = T.constant(COAL)[t]
    lp = v * T.log(mu) - mu - T.gammaln(v + 1)
    ll = T.log(T.sum(T.exp(-np.log(years) + lp.reshape((years, years)).sum(1))))
    return [e, l], [ll, *T.grad(ll, [e, l])]


def coal_numpy(e, l):
    from scipy.special import gammaln, logsumexp

    years = len(COAL)
    s, t = np.array([(a, b) for a in range(years) for b in range(years)]).T
    v = COAL[t]
    mu = np.where(t < s, e, l)
    rows = (v * np.log(mu) - mu - gammaln(v + 1)).reshape(years, years).sum(1) - np.log(years)
    w = np.exp(rows - logsumexp(rows))
    dmu = (v / mu - 1).reshape(years, years)
    early = (t < s).reshape(years, years)
    return logsumexp(rows), (w * (dmu * early).sum(1)).sum(), (w * (dmu * ~early).sum(1)).sum()


def coal(systems):
    """One logp+gradient evaluation of the marginal coal-mining model at (e, l) = (3, 1)."""
    args = (np.float64(3.0), np.float64(1.0))
    want = coal_numpy(*args)
    timers, checks = {}, {}
    for s in systems:
        if s == "numpy":
            f = coal_numpy
        else:
            lib = library(s)
            f = lib.function(s, *coal_graph(lib.T))
            got = f(*args)
            checks[s] = max(abs(float(g) - w) / abs(w) for g, w in zip(got, want))
        timers[(None, s)] = clock(lambda f=f: f(*args))
    return timers, {"checks": checks}


def index_ops(systems, n=1_000_000):
    """argmax, cumsum and x[idx] (idx: n random int64 positions) on n float64; and on a
    1000 x 1000 float64 matrix (n elements moved each): rows X[idx], columns X[:, idx], X[i, :, j]
    (a 100 x 100 x 100 view indexed on its first and last axes) and inc_subtensor(X[idx], Y)
    with repeated rows (numpy.add.at)."""
    r = np.random.default_rng(0)
    a, idx = r.standard_normal(n), r.integers(0, n, n)
    m = int(round(n ** 0.5))
    X, rows = r.standard_normal((m, m)), r.integers(0, m, m)
    Y = r.standard_normal((m, m))
    c = int(round(n ** (1 / 3)))
    X3, i3, j3 = X.reshape(-1)[:c ** 3].reshape(c, c, c), r.integers(0, c, (c, 1)), r.integers(0, c, c)

    def add_at():
        out = X.copy()
        np.add.at(out, rows, Y)
        return out

    refs = {"argmax": lambda: np.argmax(a), "cumsum": lambda: np.cumsum(a), "x[idx]": lambda: a[idx],
            "X[idx] rows": lambda: X[rows], "X[:, idx]": lambda: X[:, rows], "X[i, :, j]": lambda: X3[i3, :, j3],
            "inc X[idx] rows": add_at}
    timers, checks = {}, {}
    for s in systems:
        if s == "numpy":
            for k, fn in refs.items():
                timers[(k, s)] = clock(fn)
            continue
        lib = library(s)
        T = lib.T
        x, i, xm, ym, x3 = T.dvector("x"), T.lvector("i"), T.dmatrix("X"), T.dmatrix("Y"), T.dtensor3("X3")
        im = T.lmatrix("im")
        for k, out, ins, args in (("argmax", T.argmax(x), [x], (a,)), ("cumsum", T.cumsum(x), [x], (a,)),
                                  ("x[idx]", x[i], [x, i], (a, idx)), ("X[idx] rows", xm[i], [xm, i], (X, rows)),
                                  ("X[:, idx]", xm[:, i], [xm, i], (X, rows)),
                                  ("X[i, :, j]", x3[im, :, i], [x3, im, i], (X3, i3, j3)),
                                  ("inc X[idx] rows", T.inc_subtensor(xm[i], ym), [xm, i, ym], (X, rows, Y))):
            f = lib.function(s, ins, out)
            checks[f"{k} {s}"] = bool(np.allclose(f(*args), refs[k]()))
            timers[(k, s)] = clock(lambda f=f, args=args: f(*args))
    return timers, {"checks": checks}


# ------------------------------------------------ random draws: a stream's call and a dropout mask
def _stream(system, lib):
    """A random stream of ``lib`` drawing with numpy.random.Generator (PyTensor's and arignote's alike)."""
    if system in PEER_MODES:
        from pytensor.tensor.random.utils import RandomStream
    else:
        from arignote.tensor.random import RandomStream
    return RandomStream(0)


def random_draws(systems, n_small=10, n_big=1_000_000):
    """``function([], srng.normal(0, 1, size=(n,)))`` for a small n (the per-call cost of a draw and
    its state update) and a large one, and a dropout mask ``x * bernoulli(0.5, x.shape)`` on n_big
    float64; NumPy's Generator by hand as reference.  arignote's Theano-style ``RandomStreams``
    (a RandomState per draw) is the variant system '<backend> RandomStreams'."""
    x = np.random.default_rng(1).standard_normal(n_big)
    timers, checks = {}, {}
    for s in systems:
        if s == "numpy":
            g = np.random.default_rng(0)
            timers[(f"normal n={n_small}", s)] = clock(lambda: g.normal(0.0, 1.0, n_small))
            timers[(f"normal n={n_big:,}", s)] = clock(lambda: g.normal(0.0, 1.0, n_big))
            timers[("dropout mask", s)] = clock(lambda: x * g.binomial(1, 0.5, x.shape))
            continue
        lib = library(s)
        srng = _stream(s, lib)
        xs = lib.T.dvector("x")
        small = lib.function(s, [], srng.normal(0.0, 1.0, size=(n_small,)))
        big = lib.function(s, [], srng.normal(0.0, 1.0, size=(n_big,)))
        drop = lib.function(s, [xs], xs * srng.binomial(1, 0.5, size=xs.shape))
        a, b = small(), small()
        checks[s] = {"successive_calls_differ": bool(not np.array_equal(a, b)),
                     "big_mean": float(np.mean(big())), "kept": float(np.mean(drop(x) != 0))}
        timers[(f"normal n={n_small}", s)] = clock(small)
        timers[(f"normal n={n_big:,}", s)] = clock(big)
        timers[("dropout mask", s)] = clock(lambda drop=drop: drop(x))
        if s not in PEER_MODES and s not in VARIANTS:
            from arignote.tensor.shared_randomstreams import RandomStreams

            old = RandomStreams(0)
            f_old = lib.function(s, [], old.normal((n_small,)))
            timers[(f"normal n={n_small}", f"{s} RandomStreams")] = clock(f_old)
    return timers, {"checks": checks}
