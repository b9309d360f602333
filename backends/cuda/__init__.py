"""arignote.backends.cuda: the shared lowering rendered as CUDA kernels.

``render`` writes the kernels (loops, block reductions) from the scalar table's ``cuda`` column
(``scalar_cuda``) after the ``prelude``; ``runner`` runs a Program's steps through one StepTable
on an array library; ``device`` is the 'cuda' backend (CuPy, NVRTC, cuBLAS) and ``emulated`` the
'cuda-emulated' one (the same source compiled by g++ with ``emulation.h``, run on NumPy arrays).
``plugin`` registers both, never chosen by backend='auto'.
"""
