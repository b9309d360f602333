"""The ops that used to run their NumPy perform on c and llvm (issue: native coverage).

  coal   the seed's marginal coal-mining log-likelihood and its gradient (111 x 111 = 12,321 elements),
         one evaluation, against NumPy by hand and PyTensor's C and NUMBA modes
  ops    argmax, cumsum and advanced indexing (x[idx], rows, columns, x[i, :, j], inc) on 1e6 float64,
         against NumPy

Usage::

    .venv/bin/python benchmarks/bench_native_ops.py [--rounds 30] [--peer-python PY] [coal] [ops]
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import peers  # noqa: E402

SYSTEMS = ["c", "llvm", "numpy"]


def _fallbacks(systems):
    import arignote
    import workloads

    for s in systems:
        if s == "numpy":
            continue
        lib = workloads.library(s)
        f = lib.function(s, *workloads.coal_graph(lib.T))
        names = [str(n.op) for n in arignote.debug.fallbacks(f)] if hasattr(arignote, "debug") and \
            hasattr(arignote.debug, "fallbacks") else ["(arignote.debug.fallbacks missing)"]
        print(f"  {s}: nodes through Python: {', '.join(names) or 'none'}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("what", nargs="*", default=["coal", "ops"])
    peers.add_argument(p)
    args = p.parse_args(argv)
    peer = peers.start(args.peer_python)
    try:
        if "coal" in args.what:
            print("marginal coal-mining logp + gradient, one evaluation")
            times, info = peers.side_by_side("coal", SYSTEMS, peer, args.rounds, number=20)
            times = {s: t for (_, s), t in times.items()}
            harness.ratio_table(times, ["numpy", "PyTensor C", "PyTensor NUMBA"],
                                {s: f"rel err {e:.1e}" for s, e in info["checks"].items()})
            _fallbacks(["c", "llvm"])
            for s in ("c", "llvm"):
                harness.goal(f"{s} / PyTensor NUMBA", harness.ratio(times, s, "PyTensor NUMBA"), 0.5)
        if "ops" in args.what:
            print("\nargmax, cumsum and advanced indexing on 1e6 float64")
            times, info = peers.side_by_side("index_ops", SYSTEMS, None, max(5, args.rounds // 3))
            for k in ("argmax", "cumsum", "x[idx]", "X[idx] rows", "X[:, idx]", "X[i, :, j]", "inc X[idx] rows"):
                print(f" {k}")
                sel = {s: t for (v, s), t in times.items() if v == k}
                harness.ratio_table(sel, ["numpy"])
                for s in ("c", "llvm"):
                    harness.goal(f"{k} {s} / numpy", harness.ratio(sel, s, "numpy"), 1.0)
            bad = [k for k, ok in info["checks"].items() if not ok]
            print(f"  results equal to NumPy's: {'all' if not bad else 'NOT ' + ', '.join(bad)}")
    finally:
        if peer is not None:
            peer.close()


if __name__ == "__main__":
    main()
