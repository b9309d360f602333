"""The 'cuda-emulated' backend: the CUDA kernels compiled as C++ by g++ and run on the CPU.

The kernel source is the one the 'cuda' backend hands NVRTC; ``AR_EMULATE`` swaps the CUDA
built-ins for emulation.h (blocks in sequence, a block's threads as pthreads meeting at a
barrier).  Launches are small on purpose (3 one-thread blocks for loops, 2 blocks of 4 threads
for reductions) so that grid-stride loops, multi-block grids and the shared-memory tree are all
exercised.  Modules are cached in the compile directory like the c backend's (same cache rules).
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess

from arignote.storage import register

from ..c import build, cache
from . import common, runner
from .emulated_array import EmulatedArray, EmulatedStorage, EmulatedXP, to_host_value, upload
from .prelude import emulation_header, header_dir

FLAGS = ("-std=c++17", "-O1", "-shared", "-fPIC", "-pthread", "-ffp-contract=off", "-fno-fast-math", "-w",
         "-DAR_EMULATE")
LAUNCH = {"loop": (3, 1), "reduce": (2, 4)}


def compiler():
    return shutil.which(os.environ.get("ARIGNOTE_CXX", "g++"))


def available():
    cxx = compiler()
    if cxx is None:
        return False, "no C++ compiler (g++) found"
    try:
        r = subprocess.run([cxx, "-std=c++17", "-x", "c++", "-fsyntax-only", "-"], input="#include <pthread.h>\n",
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"{cxx} cannot be run: {e}"
    if r.returncode != 0:
        return False, f"{cxx} cannot compile C++17 with pthreads"
    return True, ""


def _version(cxx):
    return subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]


def load_module(source):
    """The ctypes library of ``source`` (built once, then from the compile directory's cache)."""
    cxx = compiler()
    key = hashlib.sha256("\0".join([source, emulation_header(), repr(FLAGS), _version(cxx),
                                    "cuda-emulated"]).encode()).hexdigest()
    filename = f"ar_cuda_emu_{key[:16]}.so"

    def make(tmp):
        src = os.path.join(tmp, "kernels.cpp")
        with open(src, "w", encoding="utf-8") as f:
            f.write(source)
        try:
            build.compile_shared(cxx, src, os.path.join(tmp, filename), list(FLAGS), [], (), [header_dir()])
        except build.CompileError as e:
            raise build.CompileError(f"{e}\n{cache.keep_failed_source(key, src)}") from None

    lib, _how = cache.load_or_build(key, filename, make, ctypes.CDLL)
    return lib


class EmulatedDevice:
    """The emulation's 'device': ``EmulatedArray`` memory, kernels called through ctypes."""

    xp = EmulatedXP

    @staticmethod
    def to_device(v):
        return common.to_device(v, EmulatedArray, upload)
    host = staticmethod(to_host_value)

    @staticmethod
    def launch(kern, kind, size, args):
        grid, block = LAUNCH[kind]
        conv = {"i64": ctypes.c_longlong, "i32": ctypes.c_int}
        cargs = [ctypes.c_void_p(v.ptr) if t == "arr" else conv[t](v) for t, v in args]
        kern(ctypes.c_uint(min(grid, size)), ctypes.c_uint(block), *cargs)


class CudaEmulatedBackend:
    """The backend object registered as 'cuda-emulated'; its shared values live in the emulated
    device memory (``storage``, see core/storage.py)."""

    name = "cuda-emulated"

    def __init__(self):
        self.storage = register(EmulatedStorage())

    def compile(self, fgraph, device_io=False, **opts):
        """The thunk of ``fgraph``: NumPy outputs, or with ``device_io`` device arrays as they come."""
        prog, syms, source = common.lower(fgraph, self.name)
        kernels = {}
        if source:
            lib = load_module(source)
            for i, sym in syms.items():
                fn = getattr(lib, "emu_" + sym)
                fn.restype = None
                kernels[i] = fn
        thunk = runner.make_thunk(prog, EmulatedDevice, kernels)
        return thunk if device_io else runner.on_host(thunk, EmulatedDevice)
