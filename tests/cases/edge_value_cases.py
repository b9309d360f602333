"""Edge values where backends used to disagree (issue 11 item 11), with the value every backend
must give: sigmoid in the subnormal range (the correctly rounded value, not SciPy's 0), maximum
and minimum of signed zeros and nan (NumPy's), and float -> integer casts of nan, inf and
out-of-range values (NumPy's vectorised rule, one rule wherever the value sits in the array)."""
from __future__ import annotations

import numpy as np

from arignote import tensor as T
from arignote.testing import OpCase

SIGMOID_X = np.array([-710.0, -720.5, -745.0, -700.0, -40.0, 0.0, 40.0, 710.0])
# sigmoid(x) = exp(x) / (1 + exp(x)); below -40 the denominator rounds to 1
SIGMOID_WANT = np.where(SIGMOID_X < -40, np.exp(SIGMOID_X), 1.0 / (1.0 + np.exp(-SIGMOID_X)))
SIGMOID32_X = np.array([-100.0, -90.0, -104.0, -50.0, 0.0], dtype="float32")
_X32 = SIGMOID32_X.astype("float64")
SIGMOID32_WANT = (np.exp(_X32) / (1.0 + np.exp(_X32))).astype("float32")  # correctly rounded

ZEROS_A = np.array([0.0, -0.0, np.nan, 1.0, -0.0])
ZEROS_B = np.array([-0.0, 0.0, 1.0, np.nan, -0.0])

CAST_X = np.array([np.nan, np.inf, -np.inf, -1.0, -1.5, 256.0, 300.7, 1e10, -1e10, 2.0 ** 63, 2.0 ** 64,
                   1e30, -0.5, 4294967296.0, 65536.0, 2.0 ** 31, -(2.0 ** 31) - 1.0, 3e9, 4294967295.9])
I32MIN, I64MIN = -(2 ** 31), -(2 ** 63)


def _cvtt(v, bits):
    lim = 2.0 ** (bits - 1)
    return int(v) if v == v and -lim <= v < lim else -(2 ** (bits - 1))


def cast_rule(v, dtype):
    """The one result of casting the float ``v`` to ``dtype`` (an int)."""
    if dtype in ("uint32", "uint64"):
        bits = 32 if dtype == "uint32" else 64
        top = 2.0 ** (bits - 1)
        r = (_cvtt(v - top, bits) ^ (1 << (bits - 1))) if v >= top else _cvtt(v, bits)
        return r % (1 << bits)
    if dtype == "int64":
        return _cvtt(v, 64)
    width = np.dtype(dtype).itemsize * 8
    r = _cvtt(v, 32) % (1 << width)
    return r - (1 << width) if dtype.startswith("int") and r >= 1 << (width - 1) else r


def _cast_case(src, dst):
    x = CAST_X.astype(src) if src != "float64" else CAST_X
    want = np.array([cast_rule(float(v), dst) for v in x], dtype=dst)
    return OpCase(f"edge-cast-{src}-{dst}", lambda a, d=dst: T.cast(a, d), [x], ref=lambda a, w=want: w,
                  grad=False, op=f"cast_{dst}", dtype=src)


CASES = [
    OpCase("edge-sigmoid-subnormal-float64", T.nnet.sigmoid, [SIGMOID_X], ref=lambda a: SIGMOID_WANT,
           grad=False, rtol=1e-12, atol=0.0, op="sigmoid", dtype="float64"),
    OpCase("edge-sigmoid-subnormal-float32", T.nnet.sigmoid, [SIGMOID32_X], ref=lambda a: SIGMOID32_WANT,
           grad=False, rtol=1e-6, atol=0.0, op="sigmoid", dtype="float32"),
    OpCase("edge-maximum-signed-zeros-nan", T.maximum, [ZEROS_A, ZEROS_B], ref=np.maximum, grad=False,
           op="maximum", dtype="float64"),
    OpCase("edge-minimum-signed-zeros-nan", T.minimum, [ZEROS_A, ZEROS_B], ref=np.minimum, grad=False,
           op="minimum", dtype="float64"),
    *[_cast_case(src, dst) for src in ("float64", "float32")
      for dst in ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")],
]
