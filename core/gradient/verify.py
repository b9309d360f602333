"""``verify_grad``: the symbolic gradient against central finite differences."""
from __future__ import annotations

import numpy as np

from ..types import TensorType
from .common import _as_list, _tm
from .numeric import numeric_grad
from .reverse import grad


class GradientError(Exception):
    """The symbolic gradient disagrees with finite differences (raised by verify_grad)."""

    def __init__(self, arg, err_pos, shape, val1, val2, abs_err, rel_err, abs_tol, rel_tol, pt=None):
        super().__init__()
        self.arg, self.err_pos, self.shape = arg, err_pos, shape
        self.val1, self.val2 = val1, val2
        self.abs_err, self.rel_err, self.abs_tol, self.rel_tol = abs_err, rel_err, abs_tol, rel_tol
        self.pt = pt

    def __str__(self):
        extra = ", ".join(str(a) for a in self.args)
        at = ""
        if self.pt is not None:
            at = "\n        at the point:\n" + "\n".join(
                f"          input {k}: {np.array2string(np.asarray(p), threshold=20, precision=6)}"
                for k, p in enumerate(self.pt))
        return (
            "GradientError: numeric gradient and analytic gradient exceed tolerance:\n"
            f"        At position {self.err_pos} of argument {self.arg} with shape {self.shape},\n"
            f"            val1 = {self.val1:.10g} (analytic),  val2 = {self.val2:.10g} (numeric)\n"
            f"            abs. error = {self.abs_err:.6g},  abs. tolerance = {self.abs_tol:.6g}\n"
            f"            rel. error = {self.rel_err:.6g},  rel. tolerance = {self.rel_tol:.6g}"
            + at + (f"\n        {extra}" if extra else "")
        )


_TYPE_TOL = {"float16": 5e-2, "float32": 1e-2, "float64": 1e-4}


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, out_type=None, abs_tol=None, rel_tol=None,
                mode=None, cast_to_output_type=False, no_debug_ref=True, *, wrt=None, input_types=None,
                backend=None):
    """Check the gradient of ``fun`` at ``pt`` against central finite differences (Theano's verify_grad).

    ``fun(*inputs)`` builds an expression (or a list of them) from symbolic
    inputs typed like the arrays in ``pt`` (axes of length 1 broadcastable).
    The floating-point outputs are projected on random weights in [0.5, 1.5)
    (``rng``: a NumPy Generator or RandomState; a fixed seed by default) and
    the gradient of that scalar is compared with finite differences,
    ``n_tests`` times with new weights.  Raises :class:`GradientError`
    (arguments, position, values, errors, the point) when both the absolute
    and the relative error exceed their tolerances (by default 1e-4 for
    float64, 1e-2 for float32, 5e-2 for float16).  ``wrt`` (indices),
    ``input_types`` and ``backend`` are arignote extensions for test
    harnesses; ``out_type`` and ``no_debug_ref`` are accepted for
    compatibility (there is no complex support or DebugMode here).
    """
    from ..function import function
    from ..shared import shared

    pt, wrt = _check_point(pt, wrt)
    if rng is None:
        rng = np.random.default_rng(20240601)
    xs = _symbolic_inputs(pt, input_types)
    outs = _float_outputs(fun(*xs))
    dtypes = [pt[k].dtype.name for k in wrt] + [o.type.dtype for o in outs if o.type.dtype in _TYPE_TOL]
    abs_tol = max(_TYPE_TOL[d] for d in dtypes) if abs_tol is None else abs_tol
    rel_tol = max(_TYPE_TOL[d] for d in dtypes) if rel_tol is None else rel_tol
    if eps is None:  # the coarsest dtype involved sets the step
        eps = max(numeric_grad.type_eps[d] for d in dtypes)
    kw = dict(mode=mode, on_unused_input="ignore", allow_input_downcast=True, backend=backend)
    shapes = [np.shape(v) for v in function(xs, outs, **kw)(*[p.copy() for p in pt])]

    def projection(shape, o):
        r = np.asarray(rng.uniform(size=shape) + 0.5)
        return r.astype("float32") if cast_to_output_type and o.type.dtype == "float32" else r

    projs = [shared(projection(s, o), name=f"random_projection_{k}") for k, (s, o) in enumerate(zip(shapes, outs))]
    terms = [_tm().sum(r * o) for r, o in zip(projs, outs)]
    cost = terms[0] if len(terms) == 1 else _tm().add(*terms)
    cost_fn = function(xs, cost, **kw)
    grad_fn = function(xs, grad(cost, [xs[k] for k in wrt], disconnected_inputs="ignore"), **kw)
    for t in range(n_tests):
        num = numeric_grad(cost_fn, pt, eps, out_type, wrt=wrt)
        ana = grad_fn(*[p.copy() for p in pt])
        _check_grad_shapes(ana, pt, wrt)
        _check_errors(num, ana, pt, wrt, abs_tol, rel_tol)
        if t < n_tests - 1:
            for r, s, o in zip(projs, shapes, outs):
                r.set_value(projection(s, o), borrow=True)


verify_grad.E_grad = GradientError


def _check_point(pt, wrt):
    """``pt`` as a list of arrays and ``wrt`` as a list of indices of floating-point inputs."""
    if not isinstance(pt, (list, tuple)):
        raise TypeError(f"verify_grad: pt must be a list of arrays, one per input of fun, got {type(pt).__name__}")
    pt = [np.array(p) for p in pt]
    wrt = list(range(len(pt))) if wrt is None else list(wrt)
    for k in wrt:
        if pt[k].dtype.name not in _TYPE_TOL:
            raise TypeError(f"verify_grad can work only with floating point inputs, but input {k} has dtype "
                            f"{pt[k].dtype}")
    return pt, wrt


def _symbolic_inputs(pt, input_types):
    """One input per array of ``pt``: of ``input_types[k]`` if given, else typed like the array."""
    return [input_types[k](f"input {k}") if input_types is not None and input_types[k] is not None
            else TensorType(p.dtype, shape=[1 if s == 1 else None for s in p.shape])(f"input {k}")
            for k, p in enumerate(pt)]


def _float_outputs(outs):
    from ..tensor.variable import as_tensor_variable

    outs = [as_tensor_variable(o) for o in _as_list(outs)]
    fouts = [o for o in outs if o.type.dtype.startswith("float")]
    if not fouts:
        raise TypeError(f"verify_grad: fun has no floating-point output to differentiate "
                        f"(output dtypes {[o.type.dtype for o in outs]})")
    return fouts


def _check_grad_shapes(ana, pt, wrt):
    for g, k in zip(ana, wrt):
        if np.shape(g) != pt[k].shape:
            raise ValueError(f"verify_grad: the symbolic gradient of input {k} has shape {np.shape(g)}, "
                             f"the input {pt[k].shape}")


def _check_errors(num, ana, pt, wrt, abs_tol, rel_tol):
    """Raise GradientError at the worst position if both tolerances are exceeded there."""
    arg, pos, abs_err, rel_err = num.max_err(ana, abs_tol, rel_tol)
    if abs_err > abs_tol and rel_err > rel_tol:
        k = wrt[arg]
        raise GradientError(k, pos, pt[k].shape, float(np.asarray(ana[arg]).flat[pos]),
                            float(num.gf[arg].flat[pos]), abs_err, rel_err, abs_tol, rel_tol, pt=pt)
