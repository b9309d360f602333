"""Random draws in compiled functions on every available backend, against NumPy and the peers.

    ARIGNOTE_BENCH_PEER_PYTHON=/tmp/ptvenv/bin/python .venv/bin/python benchmarks/bench_random.py
    .venv/bin/python benchmarks/bench_random.py [--repeats 15] [--calls 200] [--backends py,c]

* ``function([], srng.normal(0, 1, size=(10,)))``: the per-call cost of a draw and of its state
  update (default update of the shared generator), with ``RandomStream`` (a numpy Generator per
  draw, as PyTensor's) and with Theano's ``RandomStreams`` (a RandomState per draw);
* the same on 1e6 draws (NumPy's generator does the work: the ratio to NumPy should be ~1);
* a dropout mask ``x * bernoulli(0.5, size=x.shape)`` on 1e6 float64.

Every figure is a median over interleaved rounds; read the ratios, the machine may be shared.
"""
from __future__ import annotations

import argparse
import contextlib

import peers
from bench_backends import REFS, add_backend_arguments, choose_backends
from harness import ratio_table


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=15, help="interleaved rounds (the median is reported)")
    p.add_argument("--calls", type=int, default=200, help="calls per turn of the small draw")
    add_backend_arguments(p)
    args = p.parse_args(argv)
    backends = choose_backends(args.backends)
    with peers.start(args.peer_python) or contextlib.nullcontext() as peer:
        from harness import interleaved
        import workloads

        for variant, number in (("normal n=10", args.calls), ("normal n=1,000,000", 1), ("dropout mask", 1)):
            timers, info = workloads.random_draws(["numpy", *backends])
            if peer is not None:
                pt, pinfo = peer.run("random_draws")
                timers.update(pt)
                info["checks"].update(pinfo.get("checks", {}))
            mine = {k: t for k, t in timers.items() if k[0] == variant}
            times = interleaved(mine, args.repeats, number)
            print(f"\n== {variant} ({args.repeats} interleaved rounds) ==")
            ratio_table({s: t for (_, s), t in times.items()}, REFS)
        bad = [s for s, c in info["checks"].items() if not c["successive_calls_differ"]]
        print("\nchecks:", "successive calls differ on every system" if not bad else f"REPEATED DRAWS on {bad}")


if __name__ == "__main__":
    main()
