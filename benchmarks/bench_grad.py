"""Gradient of the logistic-regression cost over 100000 x 20 data, against a hand-written NumPy gradient.

Two measurements, on every available backend (and PyTensor when importable):

* build + compile: ``T.grad`` of the mean cross-entropy with respect to w and b,
  then ``function([w, b], [cost, gw, gb])`` with the data X, y as shared
  variables (as a sampler's logp+gradient sees them).  Each figure is the
  median over ``--compiles`` fresh graphs; the first compile (cold caches) is
  printed separately;
* evaluation: the median over ``--repeats`` calls of one cost+gradient
  evaluation; the reference is the same computation written by hand in NumPy
  (``p = sigmoid(X w + b); g = X.T (p - y) / n``).

    python benchmarks/bench_grad.py [--rows 100000] [--cols 20] [--repeats 30] [--compiles 5] [--backends py,c]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def fmt(sec):
    if sec < 1e-3:
        return f"{sec * 1e6:9.2f} us"
    return f"{sec * 1e3:9.2f} ms"


def median_call(fn, repeats):
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def make_data(rows, cols):
    r = np.random.default_rng(0)
    X = r.standard_normal((rows, cols))
    w_true = r.standard_normal(cols)
    y = (r.uniform(size=rows) < 1 / (1 + np.exp(-(X @ w_true + 0.3)))).astype("float64")
    return X, y, r.standard_normal(cols) * 0.1, np.float64(0.05)


def numpy_cost_grad(X, y):
    n = len(y)

    def f(w, b):
        z = X @ w + b
        p = 1 / (1 + np.exp(-z))
        cost = np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
        gz = (p - y) / n
        return cost, X.T @ gz, gz.sum()

    return f


def arignote_build(X, y, backend):
    """Build the graph and its gradient, compile; returns (function, build+compile seconds)."""
    import arignote
    from arignote import tensor as T

    t0 = time.perf_counter()
    Xs, ys = arignote.shared(X, name="X"), arignote.shared(y, name="y")
    w, b = T.dvector("w"), T.dscalar("b")
    p = T.sigmoid(T.dot(Xs, w) + b)
    cost = T.mean(-ys * T.log(p) - (1 - ys) * T.log(1 - p))
    gw, gb = T.grad(cost, [w, b])
    f = arignote.function([w, b], [cost, gw, gb], backend=backend)
    return f, time.perf_counter() - t0


def pytensor_build(X, y):
    import pytensor
    import pytensor.tensor as pt

    t0 = time.perf_counter()
    Xs, ys = pytensor.shared(X, name="X"), pytensor.shared(y, name="y")
    w, b = pt.dvector("w"), pt.dscalar("b")
    p = pt.sigmoid(pt.dot(Xs, w) + b)
    cost = pt.mean(-ys * pt.log(p) - (1 - ys) * pt.log(1 - p))
    gw, gb = pytensor.grad(cost, [w, b])
    f = pytensor.function([w, b], [cost, gw, gb])
    return f, time.perf_counter() - t0


def check(f, ref, w, b):
    for got, want in zip(f(w, b), ref(w, b)):
        np.testing.assert_allclose(got, want, rtol=1e-9)


def measure(name, build, ref, w, b, compiles, repeats):
    f, first = build()
    check(f, ref, w, b)
    warm = statistics.median(build()[1] for _ in range(compiles))
    return name, first, warm, median_call(lambda: f(w, b), repeats)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--cols", type=int, default=20)
    p.add_argument("--repeats", type=int, default=30, help="evaluations (the median is reported)")
    p.add_argument("--compiles", type=int, default=5, help="build+compile repetitions after the first")
    p.add_argument("--backends", default=None, help="comma-separated backends (default: all available)")
    args = p.parse_args(argv)
    from arignote.testing import all_backends, available_backends

    backends = args.backends.split(",") if args.backends else available_backends()
    for name, ok, reason in all_backends():
        if not ok:
            print(f"backend {name}: unavailable ({reason})")
    X, y, w, b = make_data(args.rows, args.cols)
    ref = numpy_cost_grad(X, y)
    base = median_call(lambda: ref(w, b), args.repeats)
    print(f"numpy {np.__version__}; data {args.rows} x {args.cols} float64; backends: {', '.join(backends)}")
    rows = [measure(f"arignote[{be}]", lambda be=be: arignote_build(X, y, be), ref, w, b, args.compiles,
                    args.repeats) for be in backends]
    try:
        rows.append(measure("pytensor", lambda: pytensor_build(X, y), ref, w, b, args.compiles, args.repeats))
    except ImportError:
        print("pytensor: not importable, skipped")
    print(f"\n{'what':22s} {'first build+compile':>20s} {'build+compile':>14s} {'cost+grad':>12s} "
          f"{'ratio to numpy':>15s}")
    print(f"{'numpy by hand':22s} {'':>20s} {'':>14s} {fmt(base):>12s} {1.0:14.2f}x")
    for name, first, warm, t in rows:
        print(f"{name:22s} {fmt(first):>20s} {fmt(warm):>14s} {fmt(t):>12s} {t / base:14.2f}x")


if __name__ == "__main__":
    main()
