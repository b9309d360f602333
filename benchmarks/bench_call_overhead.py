"""Per-call overhead of compiled functions on every available backend, against NumPy and the peers.

    ARIGNOTE_BENCH_PEER_PYTHON=/tmp/ptvenv/bin/python .venv/bin/python benchmarks/bench_call_overhead.py
    .venv/bin/python benchmarks/bench_call_overhead.py [--calls 10000] [--repeats 15] [--backends py,c]
                                                       [--peer-python /tmp/ptvenv/bin/python]

* the scalar add ``function([x, y], x + y)`` on two dscalars, as bench_backends.py's call section
  (Python floats, 0-d arrays, trust_input, the thunk alone; NumPy's 0-d add as reference).
  Goals: c no slower than PyTensor C (anchors 3.5 us, 0.9 us with trust_input), llvm no slower than c;
* the seed's logistic ``1 / (1 + exp(-x))`` on a 1000x1000 float64 matrix, against the same
  expression in NumPy (anchors: PyTensor C 2.7 ms, NumPy 3.7-4.0 ms).

Every figure is a median over interleaved rounds in which each system (PyTensor's in the peer
interpreter, see peers.py) takes one turn; read the ratios, the machine may be shared.
"""
from __future__ import annotations

import argparse
import contextlib

import peers
from bench_backends import REFS, bench_call, check_notes, add_backend_arguments, choose_backends
from harness import select, ratio_table


def bench_logistic(backends, peer, repeats):
    print(f"\n== the seed's logistic 1/(1+exp(-x)) on a 1000x1000 float64 matrix ({repeats} interleaved rounds) ==")
    times, info = peers.side_by_side("logistic", ["numpy", *backends], peer, repeats)
    ratio_table(select(times, None), REFS, check_notes(info["checks"]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=10000, help="calls per turn for the scalar add")
    p.add_argument("--repeats", type=int, default=15, help="interleaved rounds (the median is reported)")
    add_backend_arguments(p)
    args = p.parse_args(argv)
    backends = choose_backends(args.backends)
    with peers.start(args.peer_python) or contextlib.nullcontext() as peer:
        bench_call(backends, peer, args.calls, args.repeats)
        bench_logistic(backends, peer, args.repeats)


if __name__ == "__main__":
    main()
