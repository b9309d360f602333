"""The cuda backend on a GPU (issue 21's Measure): float32 ``exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y)``
on 1e8 elements, arignote 'cuda' (data on the device, outputs kept there; with trust_input, and with
its checks, CuPy inputs used without copies either way) against CuPy's unfused
expression and NumPy on the CPU, and as a fraction of the device's copy bandwidth: bytes moved
(x and y read, the result written: 12 bytes per element) per second, against a device-to-device
copy moving the same bytes.  Goals: >= 70% of copy bandwidth, faster than unfused CuPy.

    python benchmarks/bench_cuda.py [N] [--rounds R]

Without CuPy or a device it prints why and exits 0 (nothing to measure)."""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import clock, fmt, goal, interleaved, ratio_table  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=float, default=1e8)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--numpy-rounds", type=int, default=3)
    args = ap.parse_args(argv)

    import arignote
    import arignote.tensor as T
    from arignote import plugin_manager as pm
    from arignote.config import config

    status = {name: (ok, why) for name, ok, why, _p in pm.backend_status()}
    ok, why = status.get("cuda", (False, "the cuda backend is not registered"))
    if not ok:
        print(f"bench_cuda: nothing to measure: the cuda backend is unavailable ({why})")
        return 0
    import cupy as cp

    n = int(args.n)
    rng = np.random.default_rng(0)
    xh = rng.standard_normal(n, dtype=np.float32)
    yh = rng.standard_normal(n, dtype=np.float32)
    x, y = cp.asarray(xh), cp.asarray(yh)
    sync = cp.cuda.Device().synchronize

    config.cuda_device_outputs = True
    xs, ys = T.fvector("x"), T.fvector("y")
    expr = T.exp(-xs ** 2) * T.sin(xs) + T.log1p(abs(ys)) * T.tanh(xs * ys)
    f = arignote.function([xs, ys], expr, backend="cuda", trust_input=True)
    checked = arignote.function([xs, ys], expr, backend="cuda")  # CuPy inputs checked, still not copied
    got = f(x, y)
    want = np.exp(-xh ** 2) * np.sin(xh) + np.log1p(np.abs(yh)) * np.tanh(xh * yh)
    err = float(np.max(np.abs(cp.asnumpy(got) - want)))
    src, dst = cp.empty(n * 3 // 2, dtype=cp.float32), cp.empty(n * 3 // 2, dtype=cp.float32)

    def timed(fn):
        def run():
            fn()
            sync()
        return clock(run)

    times = interleaved({
        "arignote cuda": timed(lambda: f(x, y)),
        "arignote cuda, checked inputs": timed(lambda: checked(x, y)),
        "cupy unfused": timed(lambda: cp.exp(-x ** 2) * cp.sin(x) + cp.log1p(cp.abs(y)) * cp.tanh(x * y)),
        "d2d copy (same bytes)": timed(lambda: dst.__setitem__(Ellipsis, src)),
    }, args.rounds)
    times["numpy (cpu)"] = interleaved({"np": clock(lambda: np.exp(-xh ** 2) * np.sin(xh)
                                                     + np.log1p(np.abs(yh)) * np.tanh(xh * yh))},
                                       args.numpy_rounds)["np"]
    print(f"float32 exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y), n={n:.3g}, device {cp.cuda.Device().id}: "
          f"{cp.cuda.runtime.getDeviceProperties(0)['name'].decode()}; max |err| vs NumPy {err:.3g}")
    ratio_table(times, ["cupy unfused", "numpy (cpu)", "d2d copy (same bytes)"], width=30)
    moved = 12 * n
    bw = moved / times["arignote cuda"]
    copy_bw = moved / times["d2d copy (same bytes)"]
    print(f"  arignote cuda: {bw / 1e9:.1f} GB/s; device copy: {copy_bw / 1e9:.1f} GB/s "
          f"({fmt(times['arignote cuda'])} per call)")
    frac = bw / copy_bw
    print(f"  goal fraction of copy bandwidth >= 0.7: {frac:.3f} {'met' if frac >= 0.7 else 'MISSED'}")
    goal("arignote cuda / cupy unfused", times["arignote cuda"] / times["cupy unfused"], 1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
