"""Issue 11 item 3: forking while another thread compiles (or holds a backend's lock) must not
deadlock the child.  Every child runs under an alarm, so a regression fails instead of hanging."""
import faulthandler
import multiprocessing
import os
import signal
import threading
import time

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote.testing import backend_params

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
CHILD_SECONDS = 120  # generous: the machine may be busy; a real hang dumps its stacks first


def _child_compiles(backend, seed):
    """In a fork child: compile and run a new function under an alarm (0 = right values)."""
    signal.alarm(CHILD_SECONDS)  # a deadlock ends in SIGALRM, not in a hung test run
    faulthandler.dump_traceback_later(CHILD_SECONDS - 5)  # and says where it hung
    return _compile_new(backend, seed)


def _compile_new(backend, seed):
    """Compile and run a function that is not in any cache yet (0 = right values)."""
    x = T.dvector("x")
    c = 1.0 + seed * 1e-6 + time.time() % 1 * 1e-9  # a new constant: a real compile, not a cache hit
    f = arignote.function([x], T.exp(x) * c + 0.5, backend=backend)
    v = np.arange(4.0)
    ok = np.allclose(f(v), np.exp(v) * c + 0.5)
    return 0 if ok else 3


def _fork_and_wait(backend, seed):
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 4
        try:
            code = _child_compiles(backend, seed)
        finally:
            os._exit(code)
    deadline = time.monotonic() + CHILD_SECONDS + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the fork child hung")


def _held_locks(backend, which="compile"):
    """The module locks a compile on ``backend`` takes (looked up now: a fork child renews them);
    ``which="llvmlite"``: only llvmlite's own lock, as a thread freeing an LLVM module holds it."""
    if which == "llvmlite":
        from llvmlite.binding import ffi

        return [ffi.lib._lock._lock]
    if backend == "c":
        from arignote.backends.c import backend as cb, build, cache, library

        return [library._lock, cache._CACHE._lock, build._lock, cb._lock]
    from arignote import plugin_manager
    from arignote.backends.llvm import jit, runtime

    return [jit._lock, runtime._lock, plugin_manager._lock]


@pytest.mark.parametrize("backend", backend_params(("c", "llvm")))
@pytest.mark.parametrize("which", ["compile", "llvmlite"])
def test_fork_while_another_thread_holds_the_compile_locks(backend, which):
    # llvmlite's lock is held around every LLVM call, the garbage collector's disposals of modules
    # and engines included, outside arignote's own lock: a child that inherited it held used to hang
    # at its first parse_assembly; fork now waits for it
    if which == "llvmlite" and backend != "llvm":
        pytest.skip("llvmlite's lock concerns the llvm backend only")
    # the child either gets fresh locks (c) or fork waits until the compile ends (llvm: LLVM's own
    # locks are not fork-safe); either way it compiles and runs a new function
    _compile_new(backend, 0)  # the backend is loaded in the parent
    held, release = threading.Event(), threading.Event()

    def hold():
        locks = _held_locks(backend, which)
        for lk in locks:
            lk.acquire()
        held.set()
        release.wait(1.0)  # a compile ends after a while; fork may wait for the LLVM one to finish
        for lk in reversed(locks):
            lk.release()

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert held.wait(60)
        status = _fork_and_wait(backend, 1)
    finally:
        release.set()
        t.join(60)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, \
        f"child ended with status {status} (signal {os.WTERMSIG(status) if os.WIFSIGNALED(status) else None})"


def _mp_child(backend, seed, q):
    q.put(_child_compiles(backend, seed))


@pytest.mark.parametrize("backend", backend_params())
def test_multiprocessing_fork_while_a_thread_compiles_a_large_graph(backend):
    stop = threading.Event()
    errors = []

    def compile_large():
        try:
            k = 0
            while not stop.is_set():
                x = T.dvector("x")
                y = x
                for i in range(300):
                    y = T.tanh(y * (1.0 + 1e-7 * (i + 1000 * k)) + 0.1) if i % 2 else y + T.exp(-y * 0.5)
                arignote.function([x], y.sum(), backend=backend)
                k += 1
        except BaseException as e:
            errors.append(e)

    t = threading.Thread(target=compile_large)
    t.start()
    ctx = multiprocessing.get_context("fork")
    try:
        for seed in range(4):
            time.sleep(0.15)
            q = ctx.Queue()
            p = ctx.Process(target=_mp_child, args=(backend, 10 + seed, q))
            p.start()
            p.join(CHILD_SECONDS + 30)
            if p.is_alive():
                p.kill()
                p.join()
                pytest.fail("the fork child hung")
            assert p.exitcode == 0 and q.get(timeout=5) == 0, f"child exit code {p.exitcode}"
    finally:
        stop.set()
        t.join(300)
    assert not errors, errors
