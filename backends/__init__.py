"""Compiled backends and what they share.

``arignote.backends.lowering`` turns a rewritten FunctionGraph into
backend-neutral kernel descriptions (fused elementwise loops, reductions,
views, BLAS calls, NumPy fallbacks); ``arignote.backends.scalar_table``
renders every scalar op from one table with one column per backend.  The
backends themselves (``c``, ``llvm``, ``cuda``) only render and run those
descriptions.
"""
