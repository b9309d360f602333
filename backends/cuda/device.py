"""The 'cuda' backend: the CUDA kernels compiled by NVRTC through CuPy, the arrays on the device.

Loops and reductions run the generated kernels; Dot is ``cupy.dot`` (cuBLAS); views and shapes
are CuPy calls; other nodes run their NumPy ``perform`` on the host (listed with
``config.debug``).  Modules are compiled once per source/GPU architecture/CuPy version and kept
in the compile directory's cache (the c backend's cache rules: per-key locks, checksums, damaged
entries rebuilt).  Inputs may be NumPy or CuPy arrays (CuPy ones are not copied); outputs are
NumPy unless ``config.cuda_device_outputs`` is set.  Without CuPy or a device the backend is
unavailable with the reason.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np

from arignote.config import config

from ..c import cache
from . import common, runner

BLOCK = 256


def available():
    try:
        import cupy
    except ImportError:
        return False, "cupy is not installed (pip install arignote[cuda])"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDARuntimeError without a driver or device
        return False, f"no CUDA device ({type(e).__name__}: {e})"
    if n < 1:
        return False, "no CUDA device"
    return True, ""


def _arch():
    import cupy

    return cupy.cuda.Device().compute_capability


OPTIONS = ("--std=c++17",)  # CuPy's compile_using_nvrtc adds the device's architecture itself


def load_module(source):
    """A ``cupy.RawModule`` of ``source``: built by NVRTC once, cached in the compile directory."""
    import cupy
    from cupy.cuda import compiler

    key = hashlib.sha256("\0".join([source, repr(OPTIONS), _arch(), cupy.__version__,
                                    str(cupy.cuda.runtime.runtimeGetVersion()), "cuda"]).encode()).hexdigest()
    filename = f"ar_cuda_{key[:16]}.module"  # PTX or cubin, as CuPy's NVRTC call makes it; cuModuleLoad takes both

    def make(tmp):
        with open(os.path.join(tmp, "kernels.cu"), "w", encoding="utf-8") as f:
            f.write(source)
        obj = compiler.compile_using_nvrtc(source, options=OPTIONS)
        obj = obj[0] if isinstance(obj, tuple) else obj  # (binary, name mapping) in newer CuPy
        with open(os.path.join(tmp, filename), "wb") as f:
            f.write(obj if isinstance(obj, bytes) else obj.encode())

    try:
        mod, _how = cache.load_or_build(key, filename, make, lambda path: cupy.RawModule(path=path))
    except (AttributeError, TypeError):  # a CuPy without compile_using_nvrtc's signature: CuPy's own cache
        mod = cupy.RawModule(code=source, options=OPTIONS)
    return mod


class CupyDevice:
    """Arrays on the current CUDA device."""

    def __init__(self):
        import cupy

        self.xp = cupy
        self.sms = cupy.cuda.Device().attributes["MultiProcessorCount"]

    def to_device(self, v):
        if isinstance(v, (np.ndarray, np.generic)):
            return self.xp.asarray(v)
        return v

    def host(self, v):
        return self.xp.asnumpy(v) if isinstance(v, self.xp.ndarray) else v

    def launch(self, kern, kind, size, args):
        if kind == "loop":
            grid = min((size + BLOCK - 1) // BLOCK, self.sms * 32)
        else:
            grid = min(size, 65535)
        conv = {"i64": np.int64, "i32": np.int32, "arr": lambda a: a}
        kern((grid,), (BLOCK,), tuple(conv[t](v) for t, v in args))


class CudaBackend:
    """The backend object registered as 'cuda'."""

    name = "cuda"

    def __init__(self):
        self.device = CupyDevice()

    def compile(self, fgraph, **opts):
        prog, syms, source = common.lower(fgraph, self.name)
        kernels = {}
        if source:
            mod = load_module(source)
            kernels = {i: mod.get_function(sym) for i, sym in syms.items()}
        thunk = runner.make_thunk(prog, self.device, kernels)
        if config.cuda_device_outputs:
            return thunk
        host = self.device.host

        def to_host(values):
            return [host(v) for v in thunk(values)]

        to_host.program = prog
        return to_host
