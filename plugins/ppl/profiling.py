"""``Model.profile``: call-time profile of a compiled model function."""
from __future__ import annotations

import sys
import time


class ModelProfile:
    """Times of ``n`` calls of one compiled function: ``fct_callcount``, ``fct_call_time`` (s)."""

    def __init__(self, fn, times):
        self.fn = fn
        self.times = list(times)
        self.fct_callcount = len(self.times)
        self.fct_call_time = float(sum(self.times))

    @classmethod
    def run(cls, fn, point, n):
        times = []
        for _ in range(int(n)):
            t0 = time.perf_counter()
            fn(point)
            times.append(time.perf_counter() - t0)
        return cls(fn, times)

    def summary(self, file=sys.stderr, **kwargs):
        """Print the totals, as the heading of Theano's profile summary."""
        n = max(self.fct_callcount, 1)
        srt = sorted(self.times) or [0.0]
        print("Function profiling\n==================", file=file)
        print(f"  Time in {self.fct_callcount} calls to Function.__call__: {self.fct_call_time:e}s", file=file)
        print(f"  Time per call: {self.fct_call_time / n:e}s (median {srt[len(srt) // 2]:e}s)", file=file)
