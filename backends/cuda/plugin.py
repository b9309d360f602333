"""Registers 'cuda' (CuPy on a device) and 'cuda-emulated' (the same kernels on the CPU) and the
cuda column of the scalar table.  Neither is ever picked by backend='auto' (negative priorities):
a GPU is opt-in, as in Theano, and the emulation is for checking the renderer."""
from __future__ import annotations

from arignote.config import config
from arignote.hookspecs import BackendRecord, RenderingRecord, hookimpl

if "cuda_device_outputs" not in config:
    config.register_flag("cuda_device_outputs", False, None,
                         "cuda backends: plain outputs stay device arrays (CuPy arrays on 'cuda') instead of NumPy ones")

_status = {}


def _cached(name, check):
    def available():
        if name not in _status:
            _status[name] = check()
        return _status[name]

    return available


def _emulated_check():
    from .emulated import available

    return available()


def _device_check():
    from .device import available

    return available()


def _emulated():
    from .emulated import CudaEmulatedBackend

    return CudaEmulatedBackend()


def _device():
    from .device import CudaBackend

    return CudaBackend()


@hookimpl
def arignote_register_backends():
    return [
        BackendRecord("cuda", factory=_device, available=_cached("cuda", _device_check), priority=-10,
                      description="CUDA kernels through CuPy/NVRTC, data on the device (opt-in: device='cuda')"),
        BackendRecord("cuda-emulated", factory=_emulated, available=_cached("cuda-emulated", _emulated_check),
                      priority=-20, description="the cuda backend's kernels compiled by g++ and run on the CPU "
                      "(checks the renderer without a GPU)"),
    ]


@hookimpl
def arignote_register_renderings():
    from .scalar_cuda import COLUMN

    return [RenderingRecord("cuda", op, template) for op, template in COLUMN.items()]
