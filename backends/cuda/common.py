"""What both CUDA backends share: the lowering target, the kernel symbols and module source."""
from __future__ import annotations

import hashlib
import warnings

import numpy as np

from arignote.config import config
from arignote.storage import DeviceStorage, to_host

from .. import lowering
from ..c.specs import spec_of
from . import render

#: dtypes the kernels handle (float16 and complex loops run their NumPy perform)
DTYPES = tuple(d for d in lowering.ALL_DTYPES if d != "float16" and not d.startswith("complex"))


class FallbackWarning(UserWarning):
    """With ``config.debug``: names the nodes a cuda backend runs through NumPy on the host."""


def target():
    return lowering.Target("cuda", scalar_ok=lambda name, kind: kind != "mixed", dtypes=DTYPES, blas=True)


def symbol(spec):
    """The kernel name of ``spec``: a digest of its rendering (equal specs share one kernel)."""
    text = render.render(spec, "KERNEL")
    return "ar_k" + hashlib.sha256(text.encode()).hexdigest()[:20]


def lower(fgraph, backend_name):
    """(Program, {step index: symbol}, module source) of ``fgraph``; keeps the Program on the graph."""
    prog = lowering.lower(fgraph, target())
    syms, specs = {}, {}
    for i, s in enumerate(prog.steps):
        sp = spec_of(s)
        if sp is not None:
            syms[i] = symbol(sp)
            specs[syms[i]] = sp
    source = render.render_module(sorted(specs.items())) if specs else ""
    fgraph.lowered = prog
    report_fallbacks(prog, backend_name)
    return prog, syms, source


def report_fallbacks(prog, backend_name):
    fb = prog.fallbacks()
    if fb and config.debug:
        names = ", ".join(str(n.op) for s in fb for n in s.nodes)
        warnings.warn(f"arignote {backend_name} backend: {len(fb)} node(s) run their NumPy perform on the host: "
                      f"{names}", FallbackWarning, stacklevel=4)


def to_device(v, array_type, upload):
    """``v`` in device memory: ``array_type`` arrays as they are, host arrays through ``upload``
    (another backend's device arrays via the host), anything else (generators, lists) unchanged."""
    if isinstance(v, array_type):
        return v
    if isinstance(v, np.generic):
        v = np.asarray(v)
    elif type(v) is not np.ndarray:
        v = to_host(v)
    return upload(v) if isinstance(v, np.ndarray) else v


class CudaStorage(DeviceStorage):
    """Shared values of a cuda backend: its device arrays, moved by its ``upload``/``download``."""

    upload = download = None  # set by each backend: host->device and device->host copies

    @property
    def device_outputs(self):
        return bool(config.cuda_device_outputs)

    def to_host(self, value):
        return self.download(value)

    def from_host(self, array):
        return self.upload(array)
