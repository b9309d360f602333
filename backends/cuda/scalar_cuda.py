"""The CUDA column of the scalar-op renderings.

It starts from the C column (backends/c/scalar_c.py): a C template is valid CUDA C++ for the real
kinds once the prelude (``prelude.py``) gives the ``ar_*`` helpers ``__device__`` versions, and the
libm names (``expf``, ``log1p``, ``atan2``...) are CUDA's own math functions.  What differs:

* complex numbers and ``__int128`` comparisons (kind 'c' and 'mixed') are not rendered: those
  loops run their NumPy ``perform`` (on the host for the ``cuda`` backend);
* ``erfinv`` uses CUDA's ``erfinv``/``erfinvf`` (the emulation header maps it to the C helper).
"""
from __future__ import annotations

from ..c.scalar_c import COLUMN as _C

_KINDS = ("b", "i", "u", "f")

_OVERRIDES = {
    "erfinv": {"f": "erfinv{F}({0})"},
}


def _real(col):
    return {k: t for k, t in col.items() if k in _KINDS}


COLUMN = {name: _OVERRIDES.get(name, _real(col)) for name, col in _C.items()}
COLUMN = {name: col for name, col in COLUMN.items() if col}

#: scalar ops this backend leaves to NumPy on purpose (op name -> why)
NUMPY_FALLBACK = {name: "complex only: complex loops run their NumPy perform on the cuda backends"
                  for name in _C if name not in COLUMN}
