"""The benchmarks' shared harness: timers, interleaved medians, tables of ratios, JSON subprocesses.

Standard library only: the PyTensor worker in the peer interpreter (benchmarks/peers.py) times its
functions with the very same code as the arignote side.
"""
from __future__ import annotations

import compileall
import importlib.util
import json
import os
import random
import statistics
import subprocess
import tempfile
import time


def clock(fn):
    """A timer for a local callable: ``timer(number)`` calls ``fn`` that many times, returns seconds per call."""
    def timer(number=1):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - t) / number
    return timer


def interleaved(timers, rounds, number=1):
    """Median seconds per call of each timer, taking turns: every round runs each timer once, in a
    shuffled order (fair under a shared machine's changing load; nobody always follows the same one).
    Each timer runs once first, untimed (first-call caches, lazy JIT compiles)."""
    rnd = random.Random(0)
    for timer in timers.values():
        timer(1)
    times = {k: [] for k in timers}
    for _ in range(rounds):
        order = list(timers.items())
        rnd.shuffle(order)
        for k, timer in order:
            times[k].append(timer(number))
    return {k: statistics.median(v) for k, v in times.items()}


def select(times, variant):
    """``{system: seconds}`` of one variant, from medians keyed (variant, system); the entries of
    variant None (references shared by every variant, such as NumPy's) come along."""
    return {s: t for (v, s), t in times.items() if v in (variant, None)}


def median_time(fn, rounds, number=1):
    """Median seconds per call of one callable (after one untimed call)."""
    return interleaved({"fn": clock(fn)}, rounds, number)["fn"]


def fmt(sec):
    """A duration in a fixed width, in the unit that suits it."""
    if sec is None:
        return f"{'-':>10s}"
    if sec >= 1.0:
        return f"{sec:8.3f} s "
    if sec >= 1e-4:
        return f"{sec * 1e3:8.3f} ms"
    return f"{sec * 1e6:8.3f} us"


def ratio_table(times, refs, notes=None, what="median", width=22):
    """Print one row per system: its time, then its ratio to each reference system that was measured.

    times: {system: seconds}; refs: reference systems (columns), those absent from ``times`` are left
    out (a peer that did not run); notes: {system: text} printed at the end of the row; what: the
    time column's heading."""
    refs = [r for r in refs if times.get(r) is not None]
    print(f"  {'system':{width}s} {what:>11s}" + "".join(f" {'/' + r:>16s}" for r in refs))
    for name, t in times.items():
        cells = "".join(f" {t / times[r]:15.3f}x" if t is not None else f" {'-':>16s}" for r in refs)
        print(f"  {name:{width}s} {fmt(t):>11s}{cells}  {(notes or {}).get(name, '')}".rstrip())


def goal(text, value, limit):
    """One line saying whether a measured ratio meets its goal (``value <= limit``)."""
    if value is None:
        return print(f"  goal {text} <= {limit:g}: not measured (no peer or backend)")
    verdict = "met" if value <= limit else "MISSED"
    print(f"  goal {text} <= {limit:g}: {value:.3f} {verdict}")


def ratio(times, a, b):
    """times[a] / times[b], or None when either was not measured."""
    if times.get(a) is None or times.get(b) is None:
        return None
    return times[a] / times[b]


def byte_compile(package):
    """Byte-compile an importable package's sources, as ``pip install`` does, so that new processes
    time what a user's install would, not the compiling of every module's source."""
    spec = importlib.util.find_spec(package)
    for path in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(path, quiet=1)


def installed_env(env=None):
    """``env`` (default: this process's) for a child that reads byte-compiled modules: without
    PYTHONDONTWRITEBYTECODE, which development shells set and installed software never sees."""
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_cold_json(python, script, args, prefix, timeout=1200):
    """Run ``script args`` in ``python`` as a cold child: its own empty compile caches (arignote's
    and PyTensor's) and BLAS on one thread; the JSON it prints, or {"error": its last line}."""
    cache = tempfile.mkdtemp(prefix=prefix)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               ARIGNOTE_COMPILEDIR=os.path.join(cache, "arignote"),
               PYTENSOR_FLAGS=f"base_compiledir={os.path.join(cache, 'pytensor')}")
    try:
        return run_json([python, os.path.abspath(script), *args], env=env, timeout=timeout)
    except RuntimeError as e:
        return {"error": str(e).strip().splitlines()[-1]}


def run_json(argv, env=None, timeout=600):
    """Run a command; return the JSON object its last line of output prints (RuntimeError with its
    stderr when it fails)."""
    r = subprocess.run(argv, capture_output=True, text=True, env=installed_env(env), timeout=timeout)
    lines = r.stdout.strip().splitlines()
    if r.returncode or not lines:
        raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return json.loads(lines[-1])
