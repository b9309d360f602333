"""The text every CUDA kernel module starts with: types, constants and the scalar helpers.

The helpers are the C backend's (backends/c/kernels.h: NumPy's integer division, float divmod,
NaN-propagating max/min, float->int conversions, special functions), taken from that file's
real-number sections so that both backends share one definition, with ``static inline`` made
``static __device__ inline``.  Three compilers read the result: NVRTC (no system headers: the
fixed-width types are declared here, as glibc declares them), ``nvcc --ptx`` (the CI check), and
g++ with the emulation header (``emulation.h``: ``AR_EMULATE`` is defined).
"""
from __future__ import annotations

import functools
import os

from ..c.render import prelude as c_prelude

_HERE = os.path.dirname(os.path.abspath(__file__))

_HEAD = r"""
/* arignote CUDA kernel prelude (generated from the C backend's kernels.h) */
#define AR_BLOCK 256
#define AR_SEQ 8
#ifdef AR_EMULATE
#include "emulation.h"
#else
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef long intptr_t;
#ifndef INT8_MIN
#define INT8_MIN (-128)
#define INT16_MIN (-32767 - 1)
#define INT32_MIN (-2147483647 - 1)
#define INT64_MIN (-9223372036854775807L - 1)
#define INT8_MAX 127
#define INT16_MAX 32767
#define INT32_MAX 2147483647
#define INT64_MAX 9223372036854775807L
#define UINT8_MAX 255
#define UINT16_MAX 65535
#define UINT32_MAX 4294967295U
#define UINT64_MAX 18446744073709551615UL
#endif
#ifndef INT64_C
#define INT64_C(c) c##L
#define UINT64_C(c) c##UL
#endif
#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#ifndef NAN
#define NAN __int_as_float(0x7fffffff)
#endif
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define isless(a, b) ((a) < (b))
#define isgreater(a, b) ((a) > (b))
#endif
typedef intptr_t ar_intp;
typedef unsigned char ar_bool;
"""


def _sections(text):
    """The real-number sections of kernels.h: floats, integers, conversions, special functions."""
    start = text.index("/* ------------------------------------------------------------ floats */")
    cplx = text.index("/* ----------------------------------------------------------- complex */")
    ints = text.index("/* ---------------------------------------------------------- integers */")
    return text[start:cplx] + text[ints:]


@functools.lru_cache(maxsize=None)
def prelude():
    """The prelude text (cached: it keys every compiled module)."""
    body = _sections(c_prelude()).replace("static inline", "static __device__ inline")
    return _HEAD + body


@functools.lru_cache(maxsize=None)
def emulation_header():
    """The text of emulation.h (part of the emulated modules' cache key)."""
    with open(os.path.join(_HERE, "emulation.h"), encoding="utf-8") as f:
        return f.read()


def header_dir():
    return _HERE
