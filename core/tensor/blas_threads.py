"""One BLAS thread while a linear-algebra op works on small operands.

Threaded OpenBLAS wakes its worker threads for every call; on a loaded machine that costs far
more than the arithmetic of a small matrix (a GP log-density of 10 points took 17 ms per call
with two threads against 0.7 ms with one).  Ops wrap their LAPACK/BLAS calls in
:func:`one_thread_if_small`; without threadpoolctl installed it does nothing.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

SMALL = 128 * 128  # operands of at most this many elements run on one thread

_lock = threading.Lock()
_state = {"libs": None, "depth": 0, "saved": []}


def _blas_libs():
    """threadpoolctl's controllers of the loaded BLAS libraries (NumPy's and SciPy's), found once."""
    if _state["libs"] is None:
        try:
            import scipy.linalg  # noqa: F401  (load SciPy's BLAS before the scan)
            from threadpoolctl import ThreadpoolController

            _state["libs"] = [lc for lc in ThreadpoolController().lib_controllers if lc.user_api == "blas"]
        except Exception:  # threadpoolctl missing, or a BLAS it cannot drive
            _state["libs"] = []
    return _state["libs"]


def _enter():
    with _lock:
        if _state["depth"] == 0:
            saved = []
            for lib in _blas_libs():
                n = lib.get_num_threads()
                if n is not None and n > 1:
                    lib.set_num_threads(1)
                    saved.append((lib, n))
            _state["saved"] = saved
        _state["depth"] += 1


def _exit():
    with _lock:
        _state["depth"] -= 1
        if _state["depth"] == 0:
            for lib, n in _state["saved"]:
                lib.set_num_threads(n)
            _state["saved"] = []


@contextmanager
def one_thread_if_small(*arrays):
    """Run the body with one BLAS thread when every array has at most ``SMALL`` elements (the
    previous counts come back after the last overlapping body, also across Python threads)."""
    if not all(getattr(a, "size", 0) <= SMALL for a in arrays):
        yield
        return
    _enter()
    try:
        yield
    finally:
        _exit()
