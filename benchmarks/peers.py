"""The peers, PyTensor's C backend and its NUMBA mode, measured in another interpreter beside arignote.

PyTensor is not a dependency of arignote: it lives in its own virtual environment, named by
``--peer-python PATH`` or the environment variable ARIGNOTE_BENCH_PEER_PYTHON, e.g.

    python -m venv /tmp/ptvenv && /tmp/ptvenv/bin/pip install pytensor numba

``Peer`` starts ``python benchmarks/peers.py serve`` in that interpreter: a worker that compiles
the workloads of benchmarks/workloads.py with PyTensor and times them on request, one JSON line per
request and answer.  The benchmark scripts mix its timers with their own in the same interleaved
rounds, so the peers' figures are measured side by side with arignote's and NumPy's.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ENV_VAR = "ARIGNOTE_BENCH_PEER_PYTHON"
SYSTEMS = ("PyTensor C", "PyTensor NUMBA")


def add_argument(parser):
    parser.add_argument("--peer-python", "--pytensor-python", dest="peer_python", default=None,
                        help=f"a Python with pytensor and numba installed (default: ${ENV_VAR}, else this "
                             "interpreter if it imports pytensor)")


def find(explicit=None):
    """The peer interpreter: the flag, the environment variable, or this one if it has pytensor."""
    python = explicit or os.environ.get(ENV_VAR)
    if not python and importlib.util.find_spec("pytensor") is not None:
        python = sys.executable
    return python or None


def start(explicit=None, fresh_cache=False):
    """A running Peer, or None after saying in one line why the peers' rows will be missing."""
    python = find(explicit)
    if python is None:
        print(f"peers: none (set {ENV_VAR} or pass --peer-python); arignote and NumPy rows only")
        return None
    try:
        peer = Peer(python, fresh_cache)
    except (OSError, RuntimeError) as e:
        print(f"peers: {python} did not start ({str(e).strip().splitlines()[-1]}); arignote and NumPy rows only")
        return None
    v = peer.versions
    print(f"peers: PyTensor {v['pytensor']} (C and NUMBA modes), numba {v['numba']}, numpy {v['numpy']}, "
          f"in {python}")
    return peer


class Peer:
    """A PyTensor worker process; ``run`` compiles a workload there and hands back remote timers."""

    def __init__(self, python, fresh_cache=False):
        self.python = python
        self._tmp = tempfile.mkdtemp(prefix="arignote-bench-peer-")
        env = dict(os.environ)
        if fresh_cache:
            from workloads import fresh_cache_env

            env = fresh_cache_env(SYSTEMS[0], os.path.join(self._tmp, "cache"), env)
        self._log = open(os.path.join(self._tmp, "stderr.txt"), "w+")
        self._proc = None
        try:
            self._proc = subprocess.Popen([python, os.path.join(HERE, "peers.py"), "serve"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=self._log, text=True, env=env)
            self.versions = self._read()
        except (OSError, RuntimeError):
            self.close()
            raise

    def run(self, workload, **params):
        """Compile ``workload`` (a function of workloads.py, or 'compile_times') for the peer systems;
        returns (timers, info) as the workload does, its timers running in the peer."""
        reply = self._ask({"run": workload, "params": dict(params, systems=list(SYSTEMS))})
        timers = {tuple(key): self._timer(key) for key in reply["timers"]}
        return timers, reply["info"]

    def _timer(self, key):
        return lambda number=1: self._ask({"time": key, "number": number})

    def _ask(self, request):
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        return self._read()

    def _read(self):
        line = self._proc.stdout.readline()
        if not line:
            self._log.seek(0)
            raise RuntimeError(f"peer worker exited:\n{self._log.read()[-3000:]}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"peer worker: {reply['error']}")
        return reply["ok"]

    def close(self):
        if self._proc is not None:
            self._proc.stdin.close()
            self._proc.wait(timeout=60)
        self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def side_by_side(workload, systems, peer, rounds, number=1, **params):
    """Run ``workload`` (of workloads.py) on ``systems`` here and on the peer systems in ``peer`` (or
    not, when None), all timers taking turns in the same rounds.  Returns the medians keyed
    (variant, system) and the workload's info, each entry merged over both sides."""
    import workloads
    from harness import interleaved

    timers, info = getattr(workloads, workload)(systems, **params)
    if peer is not None:
        peer_timers, peer_info = peer.run(workload, **params)
        timers.update(peer_timers)
        info = {k: {**info.get(k, {}), **peer_info.get(k, {})} for k in {*info, *peer_info}}
    return interleaved(timers, rounds, number), info


# ---------------------------------------------------------------- the worker (peer interpreter)
def compile_times(systems, repeat):
    """PyTensor's whole compile of the rewrite benchmark's graphs: the first (cold when the worker's
    cache is fresh) and the median of ``repeat`` more, with its C linker, its default linker (Numba
    from PyTensor 3) and its Python linker (rewrites plus a cheap link: the figure comparable to a
    rewrite pipeline alone)."""
    import statistics
    import time

    import pytensor
    import pytensor.tensor as T
    from pytensor.compile.mode import Mode

    import workloads

    out = {"default_linker": type(pytensor.compile.mode.get_default_mode().linker).__name__}
    modes = (("c", Mode(linker="cvm", optimizer="fast_run")), ("default", None),
             ("py", Mode(linker="py", optimizer="fast_run")))
    for name, graph in (("sum5000", workloads.sum5000), ("logreg", workloads.logreg)):
        ins, outs, updates = graph(T, pytensor.shared)
        res = {}
        for label, mode in modes:
            kw = {} if mode is None else {"mode": mode}
            t = time.perf_counter()
            f = pytensor.function(ins, outs, updates=updates, **kw)
            res[f"compile_{label}_first_s"] = time.perf_counter() - t
            again = []
            for _ in range(repeat if name == "logreg" else 1):
                t = time.perf_counter()
                pytensor.function(ins, outs, updates=updates, **kw)
                again.append(time.perf_counter() - t)
            res[f"compile_{label}_again_s"] = statistics.median(again)
        res["nodes_after"] = len(f.maker.fgraph.apply_nodes)
        out[name] = res
    return {}, out


def serve():
    """Answer requests from stdin until it closes; anything PyTensor prints goes to stderr."""
    import numba
    import numpy
    import pytensor

    import workloads

    answer, sys.stdout = sys.stdout, sys.stderr

    def reply(**msg):
        answer.write(json.dumps(msg) + "\n")
        answer.flush()

    reply(ok={"pytensor": pytensor.__version__, "numba": numba.__version__, "numpy": numpy.__version__})
    timers = {}
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if "time" in request:
                reply(ok=timers[tuple(request["time"])](request["number"]))
                continue
            timers = {}  # the previous workload's functions and data are freed
            fn = compile_times if request["run"] == "compile_times" else getattr(workloads, request["run"])
            timers, info = fn(**request["params"])
            reply(ok={"timers": [list(k) for k in timers], "info": info})
        except Exception:  # the client raises it with the traceback
            reply(error=traceback.format_exc())


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    serve()
