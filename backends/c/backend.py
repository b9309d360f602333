"""The 'c' backend: lower the graph, compile its kernels, run it through the C runtime.

``CBackend().compile(fgraph)`` returns the runtime's thunk: one call into C
per function call, running loops and reductions natively, views without
copies, Dot/Matmul through BLAS (SciPy's exported function pointers, when
SciPy is installed) and every other node through its NumPy ``perform``.
``native_entry(fgraph)`` gives the same program as a C function for native callers.
"""
from __future__ import annotations

import functools
import hashlib
import os
import sys
import threading
import warnings

import numpy as np

import arignote
from arignote.config import config
from arignote.forksafe import renew_after_fork

from .. import lowering
from . import build, cache, library, program, render
from .specs import spec_of

_HERE = os.path.dirname(os.path.abspath(__file__))
_lock = threading.Lock()
_runtime = None
_blas = None
renew_after_fork(globals(), _lock=threading.Lock)  # a parent thread may hold it building the runtime


class FallbackWarning(UserWarning):
    """With ``config.debug``: names the nodes the c backend runs through NumPy."""


@functools.lru_cache(maxsize=None)
def _versions():
    """Versions keying every cached module, with a digest of kernels.h: kernels include it, so
    editing a helper there must not reuse modules built with the old one."""
    prelude = hashlib.sha256(render.prelude().encode()).hexdigest()[:16]
    return (sys.version, np.__version__, arignote.__version__, prelude)


def _key(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def runtime():
    """The C runtime extension module (built once per compiler/CPU/Python/NumPy, then cached)."""
    global _runtime
    if _runtime is None:
        with _lock:
            if _runtime is None:
                _runtime = _load_runtime()
    return _runtime


def prefetch_runtime():
    """Load (or build) the runtime in a background thread, overlapping the kernel compile."""
    if _runtime is None and not _lock.locked():
        threading.Thread(target=_quiet_runtime, daemon=True, name="arignote-c-runtime").start()


def _quiet_runtime():
    try:
        runtime()
    except Exception:  # the foreground call to runtime() reports it
        pass


def _load_runtime():
    pr = build.identity()
    with open(os.path.join(_HERE, "runtime.c"), encoding="utf-8") as f:
        src = f.read()
    flags = build.runtime_flags(pr)
    key = _key("runtime", src, flags, pr["version"], pr["native"], _versions())
    name = f"_arignote_rt_{key[:20]}"
    includes = [build.python_include(), np.get_include()]

    filename = name + build.ext_suffix()

    def make(tmp):
        c_path = os.path.join(tmp, "runtime.c")
        with open(c_path, "w", encoding="utf-8") as f:
            f.write(src)
        _compile(key, c_path, os.path.join(tmp, filename), flags, ["-ldl"], [f"AR_MODNAME={name}"], includes)

    mod, _ = cache.load_or_build(key, filename, make, cache.import_extension(name))
    return mod


def _compile(key, c_path, so_path, flags, link, defines, includes):
    try:
        build.compile_shared(build.compiler(), c_path, so_path, flags, link, defines, includes)
    except build.CompileError as e:
        raise build.CompileError(f"{e}\n{cache.keep_failed_source(key, c_path)}") from None


def blas_capsules():
    """SciPy's exported BLAS (d/s/z/c gemm, gemv) as capsules, or None without SciPy."""
    global _blas
    if _blas is None:
        try:
            from scipy.linalg import cython_blas
        except ImportError:
            _blas = False
        else:
            caps = cython_blas.__pyx_capi__
            _blas = tuple(caps[n] for n in ("dgemm", "sgemm", "dgemv", "sgemv", "zgemm", "cgemm", "zgemv", "cgemv"))
    return _blas or None


def target(pr, blas):
    dtypes = lowering.ALL_DTYPES
    if not pr.get("f16_int128"):
        dtypes = tuple(d for d in dtypes if d != "float16")
        ok = lambda name, kind: kind != "mixed"  # noqa: E731 (needs __int128)
    else:
        ok = None
    return lowering.Target("c", scalar_ok=ok, dtypes=dtypes, blas=blas)


def kernels(prog, pr, tgt):
    """({step index: function address}, how) for the loops and reductions of ``prog``."""
    specs = {i: sp for i, sp in ((i, spec_of(s)) for i, s in enumerate(prog.steps)) if sp is not None}
    if not specs:
        return {}, "none"
    flags, link, defines = build.kernel_flags(pr)
    ctx = repr((flags, link, defines, pr["version"], pr["native"], pr.get("mvec"), _versions()))
    return library.addresses(specs, ctx, flags, link, defines, tgt, runtime)


class CBackend:
    """The backend object registered as 'c'."""

    name = "c"

    def compile(self, fgraph, **opts):
        build.identity()
        prefetch_runtime()  # overlaps the runtime's first build with the feature probe and the kernels
        pr = build.probe()
        need_blas = lowering.needs_blas(fgraph)
        caps = blas_capsules() if need_blas else None
        tgt = target(pr, caps is not None)
        prog = lowering.lower(fgraph, tgt)
        addrs, how = kernels(prog, pr, tgt)
        code, objs = program.Encoder(prog, addrs).encode()
        error_hook, convert_hook = program.make_hooks(prog)
        rt = runtime()
        if caps is not None and any(isinstance(s, lowering.DotStep) for s in prog.steps) and not rt.set_blas(*caps):
            raise RuntimeError("arignote c backend: SciPy's BLAS capsules could not be read")
        thunk = rt.make_runner(code, objs, error_hook, convert_hook, bool(config.c_reuse_buffers))
        fgraph.lowered = prog  # what this compile made, kept with its graph (f.maker.fgraph), not on the backend
        fgraph.c_encoded = (code, objs)  # the program again, for a native entry (native.py)
        fgraph.kernels_how = how
        fb = prog.fallbacks()
        if fb and config.debug:
            names = ", ".join(str(n.op) for s in fb for n in s.nodes)
            warnings.warn(f"arignote c backend: {len(fb)} node(s) run their NumPy perform: {names}",
                          FallbackWarning, stacklevel=3)
        return thunk

    native_entry_after_compile = True  # the entry runs the program the compile encodes

    def native_entry(self, fgraph):
        """A GIL-free C entry of ``fgraph`` (compiled here before); see backends/c/native.py."""
        from . import native

        return native.native_entry(fgraph, runtime())

    def fallback_nodes(self, fgraph):
        """The nodes of ``fgraph`` that run (or would run) their NumPy ``perform``, not C code."""
        prog = getattr(fgraph, "lowered", None)
        if prog is None:
            need_blas = lowering.needs_blas(fgraph)
            prog = lowering.lower(fgraph, target(build.probe(), need_blas and blas_capsules() is not None))
        from .scan import native_inner

        return [n for s in prog.fallbacks() for n in s.nodes
                if not lowering.steps.native_scan(n, self, native_inner(n) is not None)]
