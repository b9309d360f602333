"""Compiled functions of a model: of a point dict, and the flat logp+gradient hot path."""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T
from arignote.native_entry import NativeEntryUnavailable


class PointFunc:
    """A compiled function of a point dict (name -> array); keys it does not need are ignored.

    Returns one array for a single output, a list for a list of outputs.
    """

    def __init__(self, free_vars, outs, backend=None):
        self.outs = outs
        self.vars = list(free_vars)
        self.names = [v.name for v in self.vars]
        self.f = arignote.function(self.vars, outs, on_unused_input="ignore", backend=backend)

    def __call__(self, point):
        try:
            values = [point[n] for n in self.names]
        except KeyError as e:
            raise KeyError(f"the point has no value for the free variable {e.args[0]!r} "
                           f"(it needs {self.names})") from None
        return self.f(*values)

    def __getstate__(self):
        return {"outs": self.outs, "vars": self.vars, "names": self.names, "f": self.f}


_ndarray = np.ndarray
_F64 = np.dtype(np.float64)
_STRIDE = (8,)
_SCATTER_MAX = 64  # flat size up to which the gradient is scattered by unit vectors (see _flat_grad)


def _slices(vars):
    out, start = [], 0
    for v in vars:
        shape = tuple(int(s) for s in v.type.shape)
        size = int(np.prod(shape, dtype=np.int64))
        out.append((v.name, slice(start, start + size), shape, v.dtype))
        start += size
    return out, start


class LogpDlogpFunction:
    """``f(x) -> (logp, grad)`` for a flat float64 vector ``x`` over ``f.vars``.

    One compiled function gives both outputs (trust_input: ``x`` must be a
    contiguous float64 vector of length ``f.size``).  Free variables not in
    ``vars`` become shared variables set by ``set_extra_values``; shared data
    (``Data``) is read at each call, so ``set_data`` needs no recompilation.

    ``native_first=True`` (the native NUTS kernel's choice) compiles only the function's
    native entry, and calls go through it (ctypes); the backend's ordinary code is compiled
    at the first call the entry cannot serve (no entry, a failing check, which is re-run
    there for its error): a cold ``pm.sample`` then compiles the model once, not twice.
    """

    def __init__(self, model, vars, backend=None, dtype="float64", compute_grads=True, jacobian=True,
                 native_first=False, **_ignored):
        self.model = model
        self.jacobian = jacobian  # False: the density of the untransformed values (find_MAP)
        self.vars = list(vars)
        for v in self.vars:
            if v.dtype not in ("float16", "float32", "float64"):
                raise TypeError(f"logp_dlogp_function: {v.name} is {v.dtype}; gradients need continuous variables")
        self._layout, self.size = _slices(self.vars)
        self._shape = (self.size,)
        self.extra_vars = [v for v in model.free_RVs if all(v is not w for w in self.vars)]
        self._extra = {v.name: arignote.shared(np.array(v.tag.test_value), name=v.name) for v in self.extra_vars}
        self.backend = backend
        self._entry = None  # the native entry, once asked for: (entry, usable for __call__) or (None, error)
        self._native_first = bool(native_first and compute_grads)
        self._fn = self._compile(compute_grads)
        self._raw = self._fn
        self.initial_point = self.dict_to_array(model.test_point)

    def _compile(self, compute_grads):
        x = T.dvector("__x")
        lp = self._cost_graph()
        outs = [lp]
        if compute_grads:
            outs.append(self._flat_grad(lp))
        givens = []
        for v, (_, sl, shape, dtype) in zip(self.vars, self._layout):
            piece = x[sl.start] if shape == () else T.reshape(x[sl], shape)
            givens.append((v, T.cast(piece, dtype) if dtype != "float64" else piece))
        givens += [(v, self._extra[v.name]) for v in self.extra_vars]
        return arignote.function([x], outs, givens=givens, on_unused_input="ignore",
                                 backend=self.backend, trust_input=True, lazy=self._native_first)

    def _cost_graph(self):
        return self.model.logpt if self.jacobian else self.model.logp_nojact

    @property
    def grad_vars(self):
        """PyMC3's name of ``vars``."""
        return self.vars

    def _flat_grad(self, lp):
        """The gradient over ``vars`` as one float64 vector.

        Small all-scalar/vector layouts are scattered with elementwise products
        and dots by constant unit vectors (ops the compiled backends run
        natively) instead of reshape + join, which run as NumPy steps.
        """
        if not self.vars:
            return T.zeros((0,), dtype="float64")
        gs = [T.cast(g, "float64") if g.dtype != "float64" else g for g in T.grad(lp, self.vars)]
        if self.size > _SCATTER_MAX or any(g.ndim > 1 for g in gs):
            return T.concatenate([T.flatten(g) for g in gs])
        eye = np.eye(self.size)
        out = None
        for g, (_, sl, shape, _) in zip(gs, self._layout):
            term = g * eye[sl.start] if shape == () else T.dot(g, eye[sl])
            out = term if out is None else out + term
        return out

    def __call__(self, x, grad_out=None, extra_vars=None):
        # the compiled function trusts its input: a cheap guard keeps wrong vectors out of it
        if type(x) is not _ndarray or x.dtype is not _F64 or x.strides != _STRIDE or x.shape != self._shape:
            x = self._checked(x)
        if grad_out is None and extra_vars is None:  # the sampler's path: nothing else to do
            lp, g = self._native_call(x) if self._native_first else self._fn(x)
            return lp[()], g  # NumPy float64, a float subclass
        if extra_vars is not None:
            self.set_extra_values(extra_vars)
        lp, g = self._native_call(x) if self._native_first else self._fn(x)
        if grad_out is None:
            return lp[()], g
        grad_out[...] = g
        return lp[()]

    def _checked(self, x):
        arr = np.asarray(x)
        if arr.shape != self._shape:
            names = ", ".join(f"{n} {shape}" for n, _, shape, _ in self._layout)
            raise ValueError(f"logp_dlogp_function: x must be a flat vector of length {self.size} "
                             f"({names}), got shape {arr.shape}")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"logp_dlogp_function: x must be numeric, got dtype {arr.dtype}")
        return np.ascontiguousarray(arr, dtype=np.float64)

    def native_entry(self):
        """The compiled function's C-callable entry (``arignote.native_entry``), made once: the
        native NUTS kernel calls it; NativeEntryUnavailable names why there is none."""
        if self._entry is None:
            try:
                entry = self._fn.native_entry()
            except NativeEntryUnavailable as e:
                self._entry = (None, e)
            else:
                usable = entry.n_explicit == 1 and entry.outputs == [("float64", 0), ("float64", 1)]
                self._entry = (entry, usable)
        entry, info = self._entry
        if entry is None:
            raise info
        return entry

    def use_compiled(self):
        """Serve calls from the ordinary compiled function from now on (compiled at the next
        call): what the Python NUTS wants, whose every leapfrog step is a call."""
        self._native_first = False

    def _native_call(self, x):
        """(logp, grad) through the native entry; the compiled function where it cannot serve."""
        try:
            entry = self.native_entry()
        except NativeEntryUnavailable:
            entry = None
        if entry is None or not self._entry[1]:
            self.use_compiled()
            return self._fn(x)
        lp, g = np.empty(()), np.empty(self._shape)
        if entry.call([x], [lp, g]) != 0:
            return self._fn(x)  # the same point in the compiled function: its result or its error
        return lp, g

    def logp(self, x):
        return float(self(x)[0])

    # ----------------------------------------------------------- layouts
    def array_to_dict(self, x):
        """Flat vector -> {name: array shaped like the variable}."""
        x = np.asarray(x)
        return {n: x[sl].reshape(shape).astype(dt, copy=False) for n, sl, shape, dt in self._layout}

    def array_to_full_dict(self, x):
        d = {n: np.array(s.get_value()) for n, s in self._extra.items()}
        d.update(self.array_to_dict(x))
        return d

    def dict_to_array(self, point):
        """{name: array} -> flat float64 vector over ``vars`` (ignores other keys)."""
        out = np.empty(self.size, dtype=np.float64)
        for n, sl, shape, _ in self._layout:
            out[sl] = np.asarray(point[n], dtype=np.float64).ravel()
        return out

    def set_extra_values(self, point):
        """Values of the free variables not in ``vars`` (e.g. the discrete ones of a compound step)."""
        for n, s in self._extra.items():
            if n in point:
                s.set_value(np.asarray(point[n], dtype=s.dtype))

    def get_extra_values(self):
        return {n: s.get_value() for n, s in self._extra.items()}

    @property
    def ordering(self):
        return [(n, sl, shape, dt) for n, sl, shape, dt in self._layout]

    # ----------------------------------------------------------- pickling
    def __getstate__(self):
        d = self.__dict__.copy()
        d.pop("_raw", None)
        d["_entry"] = None  # native code: a copy makes its own
        return d

    def __setstate__(self, d):
        self.__dict__.update(d)
        self._raw = self._fn


class ValueGradFunction(LogpDlogpFunction):
    """PyMC3's ``ValueGradFunction(costs, grad_vars, extra_vars)``: ``f(x) -> (cost, grad)`` of
    ``costs[0] + w1 * costs[1] + ...`` (weights set by ``set_weights``, all 1 at first) over
    the flat vector of ``grad_vars``; ``extra_vars`` are held at values set by ``set_extra_values``."""

    def __init__(self, costs, grad_vars, extra_vars=None, dtype=None, casting="no", compute_grads=True,
                 backend=None, **_ignored):
        costs = list(costs) if isinstance(costs, (list, tuple)) else [costs]
        if not costs:
            raise ValueError("At least one cost is required.")
        bad = [i for i, c in enumerate(costs) if T.as_tensor_variable(c).ndim != 0]
        if bad:
            raise ValueError(f"All costs must be scalar (costs {bad} are not).")
        self._n_costs = len(costs)
        self._weights = arignote.shared(np.ones(len(costs) - 1), name="__weights")
        cost = T.as_tensor_variable(costs[0])
        for i, c in enumerate(costs[1:]):
            cost = cost + self._weights[i] * c
        self._cost = T.cast(cost, "float64") if cost.dtype != "float64" else cost
        self.model, self.jacobian, self.backend = None, True, backend
        self.vars = list(grad_vars)
        bad = [v.name for v in self.vars if v.dtype not in ("float16", "float32", "float64")]
        if bad:
            raise TypeError(f"ValueGradFunction: grad_vars {bad} are not continuous")
        self._layout, self.size = _slices(self.vars)
        self._shape = (self.size,)
        self.extra_vars = list(extra_vars or [])
        self._extra = {v.name: arignote.shared(np.array(v.tag.test_value), name=v.name) for v in self.extra_vars}
        self._entry, self._native_first = None, False  # compiled at once (no native-first path)
        self._fn = self._compile(compute_grads)
        self._raw = self._fn
        self.initial_point = self.dict_to_array({v.name: v.tag.test_value for v in self.vars})

    def _cost_graph(self):
        return self._cost

    def set_weights(self, values):
        """Weights of ``costs[1:]`` (shape ``(n_costs - 1,)``)."""
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (self._n_costs - 1,):
            raise ValueError("Invalid shape. Must be (n_costs - 1,).")
        self._weights.set_value(values)
