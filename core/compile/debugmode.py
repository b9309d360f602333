"""Theano's ``theano.compile.debugmode``: DebugMode with Theano's constructor arguments."""
from __future__ import annotations

from .. import debugmode as _dm
from ..debugmode import BadDestroyMap, BadThunkOutput, DebugModeError  # noqa: F401


class DebugMode(_dm.DebugMode):
    """Every node on the backend and on the NumPy reference, compared.

    Theano's switches are accepted: ``check_c_code=False`` compares the reference with
    itself (the py backend), ``check_py_code=False`` skips the reference.
    """

    def __init__(self, optimizer="fast_run", stability_patience=None, check_c_code=None, check_py_code=None,
                 check_isfinite=None, check_preallocated_output=None, require_matching_strides=None,
                 linker=None, backend=None, rtol=None, atol=None):
        if check_c_code is False and backend is None:
            backend = "py"
        super().__init__(optimizer=optimizer, backend=backend, rtol=rtol, atol=atol)
        self.check_py_code = check_py_code is not False
        self.check_isfinite = check_isfinite is not False

    def _run_node(self, backend_name, node, run, inputs, storage):
        if self.check_py_code:
            return super()._run_node(backend_name, node, run, inputs, storage)
        for k, g in enumerate(run(inputs)):
            storage[k][0] = g
