"""scan: the seed's loops on arignote's backends against NumPy and the peers, PyTensor C and NUMBA,
side by side in one run (interleaved rounds, medians, ratios).

    ARIGNOTE_BENCH_PEER_PYTHON=/tmp/ptvenv/bin/python .venv/bin/python benchmarks/bench_scan.py

* power: ``result[-1]`` of scan(prior * A, n_steps=k) with a 10-element A and k = 100,000; the
         time per iteration (call / k).  NumPy's row is the same loop in Python over NumPy.
         Goal: c and llvm at or below PyTensor NUMBA's time per iteration (anchor 0.115 us).
* poly:  the seed's polynomial, scan over 1000 coefficients and arange(1000), summed; per call
         and per iteration (call / 1000).  NumPy's row is ``(coeffs * x ** arange(n)).sum()``.
         Goal: c and llvm faster than NumPy.
* rnn:   h_t = tanh(W h_{t-1} + x_t), a 10-element state over 1000 rows (dot plus elementwise in the
         body); per call and per iteration.  NumPy's row is the same loop in Python over NumPy.

Without a peer interpreter the script says so and prints the arignote and NumPy rows only.
"""
from __future__ import annotations

import argparse

import peers
from harness import fmt, goal, ratio, ratio_table

REFS = ("numpy", "PyTensor C", "PyTensor NUMBA")
NUMBA_ANCHOR_US = 0.115


def per_iteration(times, steps):
    return {s: t / steps for s, t in times.items()}


def flat(times):
    return {s: t for (_, s), t in times.items()}


def bench_power(backends, peer, rounds, k):
    print(f"\n== power: result[-1] of scan(prior * A), 10-element A, k = {k:,} ({rounds} rounds) ==")
    times, info = peers.side_by_side("scan_power", ["numpy", *backends], peer, rounds, k=k)
    t = per_iteration(flat(times), k)
    ratio_table(t, REFS, {s: f"max rel err {c['max_rel_err']:.1e}" for s, c in info["checks"].items()},
                what="per iteration")
    for b in ("c", "llvm"):
        if "PyTensor NUMBA" in t:
            goal(f"{b}/PyTensor NUMBA per iteration", ratio(t, b, "PyTensor NUMBA"), 1.0)
        elif b in t:
            print(f"  goal {b} <= {NUMBA_ANCHOR_US} us per iteration (NUMBA anchor; no peer here): "
                  f"{t[b] * 1e6:.3f} us {'met' if t[b] * 1e6 <= NUMBA_ANCHOR_US else 'MISSED'}")
    return t


def bench_poly(backends, peer, rounds, n=1000):
    print(f"\n== poly: scan polynomial over {n} coefficients, summed ({rounds} rounds) ==")
    times, info = peers.side_by_side("scan_poly", ["numpy", *backends], peer, rounds, n=n)
    t = flat(times)
    ratio_table(t, REFS, {s: f"max rel err {c['max_rel_err']:.1e}, {fmt(v / n).strip()}/iteration"
                          for s, c, v in ((s, c, t[s]) for s, c in info["checks"].items())}, what="per call")
    for b in ("c", "llvm"):
        goal(f"{b}/numpy", ratio(t, b, "numpy"), 1.0)
    return t


def bench_rnn(backends, peer, rounds, steps=1000):
    print(f"\n== rnn: h_t = tanh(W h_t-1 + x_t), 10-element state, {steps} steps ({rounds} rounds) ==")
    times, info = peers.side_by_side("scan_rnn", ["numpy", *backends], peer, rounds, steps=steps)
    t = per_iteration(flat(times), steps)
    ratio_table(t, REFS, {s: f"max rel err {c['max_rel_err']:.1e}" for s, c in info["checks"].items()},
                what="per iteration")
    for b in ("c", "llvm"):
        if "PyTensor NUMBA" in t:
            goal(f"{b}/PyTensor NUMBA per iteration", ratio(t, b, "PyTensor NUMBA"), 1.0)
    return t


SECTIONS = ("power", "poly", "rnn")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sections", nargs="*", help="power, poly, rnn (default: all)")
    ap.add_argument("--backends", default="c,llvm,py")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--k", type=int, default=100_000)
    peers.add_argument(ap)
    args = ap.parse_args(argv)
    backends = [b for b in args.backends.split(",") if b]
    sections = args.sections or list(SECTIONS)
    bad = set(sections) - set(SECTIONS)
    if bad:
        ap.error(f"unknown section(s) {', '.join(sorted(bad))}: choose {', '.join(SECTIONS)}")
    peer = peers.start(args.peer_python)
    try:
        if "power" in sections:
            bench_power(backends, peer, args.rounds, args.k)
        if "poly" in sections:
            bench_poly(backends, peer, max(args.rounds, 11) * 3)
        if "rnn" in sections:
            bench_rnn(backends, peer, args.rounds)
    finally:
        if peer is not None:
            peer.close()


if __name__ == "__main__":
    main()
