"""The 'cuda' backend: the CUDA kernels compiled by NVRTC through CuPy, the arrays on the device.

Loops and reductions run the generated kernels; Dot is ``cupy.dot`` (cuBLAS); views and shapes
are CuPy calls; other nodes run their NumPy ``perform`` on the host (listed with
``config.debug``).  Modules are compiled once per source/GPU architecture/CuPy version and kept
in the compile directory's cache (the c backend's cache rules: per-key locks, checksums, damaged
entries rebuilt).  Shared variables used by its functions live on the device and their updates
stay there (``CupyStorage``, core/storage.py); inputs may be NumPy or CuPy arrays (CuPy ones are
not copied); outputs are NumPy unless ``config.cuda_device_outputs`` is set.  Without CuPy or a
device the backend is unavailable with the reason.
"""
from __future__ import annotations

import hashlib
import os
from collections import Counter

import numpy as np

from arignote.storage import register

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


TRANSFERS: Counter = Counter()  # as emulated_array.TRANSFERS: host<->device copies of values


def upload(a):
    import cupy

    a = np.asarray(a)
    TRANSFERS["to_device"] += 1
    TRANSFERS["to_device_bytes"] += a.nbytes
    return cupy.asarray(a)  # a new device array (cupy.asarray copies host memory to the device)


def download(x):
    import cupy

    TRANSFERS["to_host"] += 1
    TRANSFERS["to_host_bytes"] += x.nbytes
    return cupy.asnumpy(x)  # a new NumPy array


class CupyStorage(common.CudaStorage):
    """'cuda' shared values: CuPy arrays on the current device."""

    name = "cuda"
    upload, download = staticmethod(upload), staticmethod(download)

    def __init__(self):
        import cupy

        self.array_types = (cupy.ndarray,)


class CupyDevice:
    """Arrays on the current CUDA device."""

    def __init__(self):
        import cupy

        self.xp = cupy
        self.sms = cupy.cuda.Device().attributes["MultiProcessorCount"]

    def to_device(self, v):
        return common.to_device(v, self.xp.ndarray, upload)

    def host(self, v):
        return download(v) if isinstance(v, self.xp.ndarray) else v

    def launch(self, kern, kind, size, args):
        if kind == "loop":
            grid = min((size + BLOCK - 1) // BLOCK, self.sms * 32)
        else:
            grid = min(size, 65535)
        conv = {"i64": np.int64, "i32": np.int32, "arr": lambda a: a}  # CuPy passes an ndarray as its pointer
        kern((grid,), (BLOCK,), tuple(conv[t](v) for t, v in args))


class CudaBackend:
    """The backend object registered as 'cuda'; shared values used by its functions live on the
    device (``storage``, see core/storage.py)."""

    name = "cuda"

    def __init__(self):
        self.device = CupyDevice()
        self.storage = register(CupyStorage())

    def compile(self, fgraph, device_io=False, **opts):
        """The thunk of ``fgraph``: NumPy outputs, or with ``device_io`` device arrays as they come
        (a Function then returns NumPy unless ``config.cuda_device_outputs``)."""
        prog, syms, source = common.lower(fgraph, self.name)
        kernels = {}
        if source:
            mod = load_module(source)
            kernels = {i: mod.get_function(sym) for i, sym in syms.items()}
        thunk = runner.make_thunk(prog, self.device, kernels)
        return thunk if device_io else runner.on_host(thunk, self.device)
