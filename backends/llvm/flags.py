"""The LLVM backend's config flags, registered when the plugin loads (before ``ARIGNOTE_FLAGS``
is checked for unknown names), so a value given there is known and validated at once."""
from __future__ import annotations

from arignote.config import config

_FLAGS = (
    ("llvm_target", "host", ("host", "generic"),
     "LLVM backend: 'host' compiles for this CPU, 'generic' for any CPU of its architecture"),
    ("llvm_vector_math", True, None,
     "LLVM backend: call glibc's libmvec for vectorised exp/log/sin/... when it exists"),
    ("llvm_opt", "fast", ("fast", "O3", "O2", "O1", "O0"),
     "LLVM backend: 'fast' runs a short IR pipeline (SROA, instcombine, GVN, CFG simplification; kernels "
     "are vectorised explicitly) then -O3 code generation; 'O3' etc. run LLVM's standard pipelines with "
     "loop and SLP vectorisation"),
    ("llvm_disk_cache", True, None,
     "LLVM backend: keep compiled object code under compiledir for later processes"),
)

for _name, _default, _check, _doc in _FLAGS:
    if _name not in config:
        config.register_flag(_name, _default, _check, _doc)
