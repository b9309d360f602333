"""Per-call overhead of compiled functions, against NumPy (and PyTensor when importable).

Two measurements, on every available backend:

* ``f = function([x, y], x + y)`` on two dscalars, called with 0-d float64 arrays,
  with the default argument checks and with ``trust_input``; the reference is
  NumPy's ``np.add`` on the same 0-d arrays.
* the seed's logistic ``1 / (1 + exp(-x))`` on a 1000x1000 float64 matrix; the
  reference is the same expression in NumPy.

Each figure is the median over ``--repeats`` batches of the per-call time of a batch.

    python benchmarks/bench_call_overhead.py [--calls 20000] [--repeats 15] [--backends py,c]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def per_call(fn, calls, repeats):
    """Median over ``repeats`` batches of the mean time of one call in a batch of ``calls``."""
    fn()  # warm up (first-call caches, lazy imports)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times)


def fmt(sec):
    if sec < 1e-3:
        return f"{sec * 1e6:9.2f} us"
    return f"{sec * 1e3:9.2f} ms"


def scalar_add_rows(backends, calls, repeats):
    from arignote import function
    from arignote import tensor as T

    a, b = np.array(2.0), np.array(3.0)
    base = per_call(lambda: np.add(a, b), calls, repeats)
    rows = [("numpy np.add(0-d, 0-d)", base)]
    x, y = T.dscalar("x"), T.dscalar("y")
    for be in backends:
        f = function([x, y], x + y, backend=be)
        assert f(a, b) == 5.0
        rows.append((f"arignote[{be}] f(a, b)", per_call(lambda: f(a, b), calls, repeats)))
        rows.append((f"arignote[{be}] f(2.0, 3.0) python floats", per_call(lambda: f(2.0, 3.0), calls, repeats)))
        g = function([x, y], x + y, backend=be, trust_input=True)
        rows.append((f"arignote[{be}] trust_input", per_call(lambda: g(a, b), calls, repeats)))
    rows += pytensor_scalar_rows(a, b, calls, repeats)
    return base, rows


def logistic_rows(backends, repeats):
    from arignote import function
    from arignote import tensor as T

    X = np.random.default_rng(0).standard_normal((1000, 1000))
    want = 1 / (1 + np.exp(-X))
    base = per_call(lambda: 1 / (1 + np.exp(-X)), 1, repeats)
    rows = [("numpy 1/(1+exp(-X))", base)]
    x = T.dmatrix("x")
    for be in backends:
        f = function([x], 1 / (1 + T.exp(-x)), backend=be)
        np.testing.assert_allclose(f(X), want, rtol=1e-12)
        rows.append((f"arignote[{be}] logistic", per_call(lambda: f(X), 1, repeats)))
    rows += pytensor_logistic_rows(X, repeats)
    return base, rows


def pytensor_scalar_rows(a, b, calls, repeats):
    try:
        import pytensor
        import pytensor.tensor as pt
    except ImportError:
        return []
    x, y = pt.dscalar("x"), pt.dscalar("y")
    f = pytensor.function([x, y], x + y)
    rows = [("pytensor f(a, b)", per_call(lambda: f(a, b), calls, repeats))]
    f.trust_input = True
    rows.append(("pytensor trust_input", per_call(lambda: f(a, b), calls, repeats)))
    return rows


def pytensor_logistic_rows(X, repeats):
    try:
        import pytensor
        import pytensor.tensor as pt
    except ImportError:
        return []
    x = pt.dmatrix("x")
    f = pytensor.function([x], 1 / (1 + pt.exp(-x)))
    return [("pytensor logistic", per_call(lambda: f(X), 1, repeats))]


def report(title, base, rows):
    print(f"\n{title}")
    print(f"  {'what':44s} {'median':>12s} {'ratio to numpy':>15s}")
    for name, t in rows:
        print(f"  {name:44s} {fmt(t):>12s} {t / base:14.2f}x")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=20000, help="calls per batch for the scalar add")
    p.add_argument("--repeats", type=int, default=15, help="batches (the median is reported)")
    p.add_argument("--backends", default=None, help="comma-separated backends (default: all available)")
    args = p.parse_args(argv)
    from arignote.testing import all_backends, available_backends

    backends = args.backends.split(",") if args.backends else available_backends()
    for name, ok, reason in all_backends():
        if not ok:
            print(f"backend {name}: unavailable ({reason})")
    print(f"numpy {np.__version__}; backends measured: {', '.join(backends)}")
    base, rows = scalar_add_rows(backends, args.calls, args.repeats)
    report("per-call overhead: function([x, y], x + y) on two dscalars", base, rows)
    base, rows = logistic_rows(backends, args.repeats)
    report("seed logistic 1/(1+exp(-x)) on a 1000x1000 float64 matrix", base, rows)


if __name__ == "__main__":
    main()
