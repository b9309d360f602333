"""Per-process state that a fork child must not inherit as it is.

A thread of the parent may hold a lock at the moment another thread forks
(multiprocessing's 'fork' start method, which parallel samplers use); the
child, which has only the forking thread, would wait on that lock forever.
Modules holding such locks name them here and get fresh ones in the child.
"""
from __future__ import annotations

import os


def renew_after_fork(namespace, **factories):
    """In a fork child, set ``namespace[name] = factory()`` for each keyword (e.g. ``_lock=threading.Lock``)."""
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=lambda: namespace.update({n: f() for n, f in factories.items()}))


def after_fork(fn):
    """Run ``fn()`` in every fork child (a decorator); returns ``fn``."""
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=fn)
    return fn


def quiesce_across_fork(namespace, name, factory, inner=None):
    """Make ``fork()`` wait for ``namespace[name]``, a lock held around native work (LLVM) or imports
    whose own locks a child could inherit held; the parent releases it after, the child gets a new one.

    ``inner()``, if given, returns a further lock (a context manager) taken after ``namespace[name]``
    and released on both sides of the fork: a library's own lock that other code may take without
    ours (llvmlite's, around every LLVM C-API call, including the disposals the garbage collector
    makes on any thread), so that no thread is inside that library when the process forks."""
    if not hasattr(os, "register_at_fork"):
        return
    held = []  # what the 'before' hook took (a hook registered mid-fork took none)

    def before():
        lock = namespace[name]
        lock.acquire()
        held.append(lock.release)
        if inner is not None:
            inside = inner()
            inside.__enter__()
            held.append(lambda: inside.__exit__(None, None, None))

    def parent():
        while held:
            held.pop()()

    def child():
        if len(held) > 1:  # the forking thread owns the inner lock in the child too: release it
            held[1]()
        held.clear()
        namespace[name] = factory()

    os.register_at_fork(before=before, after_in_parent=parent, after_in_child=child)
