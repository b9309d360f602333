"""Compile time against the number of outputs: 500, 2,000 and 20,000 independent outputs.

    .venv/bin/python benchmarks/bench_many_outputs.py [--sizes 500 2000 20000] [--backends py c llvm]
                                                      [--timeout 900]

The function is ``[exp(x * c_k) for k in range(n)]`` on one vector ``x``: n independent outputs,
each a node of its own (distinct constants, so nothing merges).  Each (backend, size) is compiled
in a new process with an empty compile directory (a cold compile: rewrites, lowering, code
generation, the C compiler or LLVM); the figure is the ``function(...)`` call alone.  Growth is
linear when the time ratio between two sizes is near their size ratio (4 for 500 -> 2,000, 10 for
2,000 -> 20,000).  Goal: 20,000 outputs under 30 s on llvm and on c.  Prints a table, then one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

from harness import fmt, goal, run_json

CHILD = r"""
import json, sys, time
import arignote, arignote.tensor as T
n, backend = int(sys.argv[1]), sys.argv[2]
x = T.dvector("x")
outs = [T.exp(x * (1.0 + k * 1e-4)) for k in range(n)]
t0 = time.perf_counter()
f = arignote.function([x], outs, backend=backend)
t1 = time.perf_counter()
import numpy as np
v = np.linspace(-1.0, 1.0, 4)
got = f(v)
ok = all(np.allclose(got[k], np.exp(v * (1.0 + k * 1e-4))) for k in (0, n // 2, n - 1))
print(json.dumps({"compile_s": t1 - t0, "ok": bool(ok)}))
"""


def measure(n, backend, timeout):
    with tempfile.TemporaryDirectory(prefix="arignote-bench-outputs-") as cdir:
        env = dict(os.environ, ARIGNOTE_COMPILEDIR=cdir)
        env.pop("ARIGNOTE_FLAGS", None)
        try:
            return run_json([sys.executable, "-c", CHILD, str(n), backend], env=env, timeout=timeout)
        except Exception as e:  # a timeout or a failure is a result too
            return {"compile_s": None, "error": f"{type(e).__name__}: {str(e)[-300:]}"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 20000])
    ap.add_argument("--backends", nargs="+", default=["py", "c", "llvm"])
    ap.add_argument("--timeout", type=float, default=900, help="seconds per compile before it counts as failed")
    args = ap.parse_args()
    sizes = sorted(args.sizes)
    results = {}
    for backend in args.backends:
        results[backend] = {n: measure(n, backend, args.timeout) for n in sizes}
    print(f"compile time of n independent outputs (cold, new process each)")
    print(f"  {'backend':8s}" + "".join(f" {n:>12d}" for n in sizes)
          + "".join(f" {f'{a}->{b}':>14s}" for a, b in zip(sizes, sizes[1:])))
    ratios = {}
    for backend, row in results.items():
        times = [row[n].get("compile_s") for n in sizes]
        rs = [t2 / t1 if t1 and t2 else None for t1, t2 in zip(times, times[1:])]
        ratios[backend] = {f"{a}->{b}": r for (a, b), r in zip(zip(sizes, sizes[1:]), rs)}
        cells = "".join(f" {fmt(t):>12s}" for t in times)
        cells += "".join(f" {f'{r:.2f}x (n {b / a:g}x)' if r else '-':>14s}" for r, (a, b) in
                         zip(rs, zip(sizes, sizes[1:])))
        print(f"  {backend:8s}{cells}")
        for n in sizes:
            if row[n].get("error") or not row[n].get("ok", True):
                print(f"    {backend} n={n}: {row[n].get('error') or 'wrong values'}")
    for backend in ("llvm", "c"):
        if backend in results and 20000 in sizes:
            goal(f"{backend} compile of 20,000 outputs (s)", results[backend][20000].get("compile_s"), 30)
    print(json.dumps({"results": results, "ratios": ratios}))


if __name__ == "__main__":
    main()
