"""Gradient of the logistic-regression cost over 100000 x 20 data, against hand-written NumPy and the peers.

    ARIGNOTE_BENCH_PEER_PYTHON=/tmp/ptvenv/bin/python .venv/bin/python benchmarks/bench_grad.py
    .venv/bin/python benchmarks/bench_grad.py [--rows 100000] [--cols 20] [--repeats 30] [--compiles 5]
                                              [--backends py,c] [--peer-python /tmp/ptvenv/bin/python]

On every available backend, and PyTensor C / PyTensor NUMBA in the peer interpreter (peers.py):

* build + compile: ``T.grad`` of the mean cross-entropy with respect to w and b, then
  ``function([w, b], [cost, gw, gb])`` with the data X, y as shared variables (as a sampler's
  logp+gradient sees them); the median over --compiles fresh graphs, the first one (cold
  in-process caches) beside it;
* evaluation: one cost+gradient call, median over --repeats interleaved rounds; the reference is
  the same computation by hand in NumPy (``p = sigmoid(X w + b); g = X.T (p - y) / n``).
  Anchors: PyTensor C 4.1 ms, NUMBA 5.8-6.3 ms, NumPy by hand 2.4 ms.  BLAS runs one thread
  (OPENBLAS_NUM_THREADS etc. default to 1 here; set them to override).
"""
from __future__ import annotations

import argparse
import contextlib
import os

# One BLAS thread for every system (the peer worker inherits it) unless the caller says otherwise:
# on a shared 2-core machine, threaded BLAS made these figures ~4x slower and erratic.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import peers  # noqa: E402  (after the BLAS settings: it imports NumPy)
from bench_backends import REFS, add_backend_arguments, choose_backends  # noqa: E402
from harness import fmt, ratio_table, select  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--cols", type=int, default=20)
    p.add_argument("--repeats", type=int, default=30, help="interleaved rounds of evaluation (the median is reported)")
    p.add_argument("--compiles", type=int, default=5, help="build+compile repetitions after the first")
    add_backend_arguments(p)
    args = p.parse_args(argv)
    backends = choose_backends(args.backends)
    print(f"data {args.rows} x {args.cols} float64")
    with peers.start(args.peer_python) or contextlib.nullcontext() as peer:
        times, info = peers.side_by_side("grad", ["numpy", *backends], peer, args.repeats,
                                         rows=args.rows, cols=args.cols, compiles=args.compiles)
    print(f"\n== cost+gradient evaluation ({args.repeats} interleaved rounds) ==")
    ratio_table(select(times, None), REFS)
    print(f"\n== build + compile (median of {args.compiles}) ==")
    ratio_table(info["compile"], REFS[1:], {s: f"first {fmt(t).strip()}" for s, t in info["first_compile"].items()})


if __name__ == "__main__":
    main()
