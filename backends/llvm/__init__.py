"""arignote.backends.llvm: the 'llvm' backend, LLVM IR JIT-compiled through llvmlite.

The shared lowering (backends/lowering/) is rendered here as LLVM IR: fused
elementwise loops (explicitly vectorised, calling glibc's libmvec for exp, sin,
log1p, ...), reductions, views, BLAS calls; the whole graph becomes one native
builtin when every step has a rendering (see backend.py).  Modules:

irtypes/vmath/helpers/scalar_ir  scalar ops as IR (the table's llvm column)
loops/runtime                    row functions and the shared N-d walk
entry/steps                      the native entry (checks, allocation, exports) and the steps in it
jit/cache/signature              target, pass pipeline, object-code cache and its key
backend/plugin                   the backend object and its registration
"""


def __getattr__(name):
    if name in ("LLVMBackend", "LLVMCompileError"):
        from . import backend

        return getattr(backend, name)
    raise AttributeError(name)
