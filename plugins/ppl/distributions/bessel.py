"""log I0(x) and I1(x)/I0(x) as elementwise ops (VonMises' and Rice's normalisers).

arignote's scalar library has no Bessel functions; these two ops evaluate SciPy's
exponentially scaled ``i0e``/``i1e`` (exact for any |x|, no overflow) and carry
their derivatives: d log I0 = I1/I0, and d(I1/I0) = 1 - (I1/I0)/x - (I1/I0)**2.
"""
from __future__ import annotations

import numpy as np

import arignote.tensor as T
from arignote.graph import Apply, Op


class _BesselOp(Op):
    """Elementwise op on one float tensor computed with ``scipy.special``."""

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        if not x.dtype.startswith("float"):
            x = T.cast(x, "float64")
        return Apply(self, [x], [x.type.make_variable()])

    def perform(self, node, inputs, output_storage):
        from scipy import special

        x = np.asarray(inputs[0])
        with np.errstate(invalid="ignore", divide="ignore"):
            out = self.compute(special, x)
        output_storage[0][0] = np.asarray(out, dtype=x.dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]


class LogI0(_BesselOp):
    """``log(I0(x))``."""

    def compute(self, special, x):
        return np.log(special.i0e(x)) + np.abs(x)

    def grad(self, inputs, output_grads):
        return [output_grads[0] * i1_over_i0(inputs[0])]


class I1OverI0(_BesselOp):
    """``I1(x) / I0(x)`` (odd, tends to sign(x) far out)."""

    def compute(self, special, x):
        return special.i1e(x) / special.i0e(x)

    def grad(self, inputs, output_grads):
        x = inputs[0]
        r = i1_over_i0(x)
        safe = T.switch(T.eq(x, 0), 1.0, x)
        return [output_grads[0] * T.switch(T.eq(x, 0), 0.5, 1.0 - r / safe - r ** 2)]


log_i0 = LogI0()
i1_over_i0 = I1OverI0()
