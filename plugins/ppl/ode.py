"""``pm.ode.DifferentialEquation``: an ODE solution as an op of the graph (PyMC3 3.11's ``pymc3.ode``).

``dy/dt = func(y, t, p)`` is solved by ``scipy.integrate.odeint`` together with its forward
sensitivities ``S = dy/d(y0, theta)``, which obey ``dS/dt = J_y S + J_p`` (the augmented
system).  The right-hand side and both Jacobians are one arignote function built from the
user's ``func`` on symbolic ``y``, ``t`` and ``p``, so the gradient of anything computed from
the solution is ``sum(output_grad * S)`` and NUTS can sample ODE parameters.
"""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T
from arignote.gradient import DisconnectedType, jacobian
from arignote.graph import Apply, Op
from arignote.tensor.opt import NotScalarConstantError, get_scalar_constant_value

from .exceptions import ShapeError

__all__ = ["DifferentialEquation"]


class DifferentialEquation(Op):
    """The solution of ``dy/dt = func(y, t, p)``, ``y(t0) = y0``, at ``times``.

    ``func(y, t, p)`` receives a state vector ``y`` (``n_states``), a scalar time ``t`` and
    the parameter vector ``p`` (``n_theta``), and returns the derivatives (a tensor or a
    list of ``n_states`` scalars).  ``ode_model(y0=..., theta=...)`` gives the solution
    tensor of shape ``(len(times), n_states)``.
    """

    __props__ = ("func", "times", "n_states", "n_theta", "t0")

    def __init__(self, func, times, *, n_states, n_theta, t0=0):
        if not callable(func):
            raise ValueError("Argument func must be callable.")
        if int(n_states) < 1:
            raise ValueError("Argument n_states must be at least 1.")
        if int(n_theta) <= 0:
            raise ValueError("Argument n_theta must be positive.")
        times = np.asarray(times, dtype="float64")
        if times.ndim != 1 or times.size == 0:
            raise ValueError(f"Argument times must be a non-empty 1-d array, got shape {times.shape}")
        if np.any(np.diff(np.concatenate([[t0], times])) < 0):
            raise ValueError("Argument times must be non-decreasing and not before t0")
        self.func = func
        self.t0 = float(t0)
        self.times = tuple(float(t) for t in times)
        self.n_times = len(self.times)
        self.n_states = int(n_states)
        self.n_theta = int(n_theta)
        self.n_p = self.n_states + self.n_theta
        self._augmented_times = np.insert(times, 0, self.t0)
        self._sens_ic = make_sens_ic(self.n_states, self.n_theta)
        self._system_fn = None

    def __getstate__(self):
        d = self.__dict__.copy()
        d["_system_fn"] = None  # compiled again on first use after unpickling
        return d

    # ------------------------------------------------------------------ numeric
    @property
    def _augmented_func(self):
        if self._system_fn is None:
            self._system_fn = augment_system(self.func, self.n_states, self.n_theta)
        return self._system_fn

    def _system(self, Y, t, p):
        """odeint's right-hand side over the states and the flattened sensitivities."""
        dydt, dsdt = self._augmented_func(Y[: self.n_states], t, p, Y[self.n_states:])
        return np.concatenate([dydt, dsdt])

    def _simulate(self, y0, theta):
        """``(states (T, S), sensitivities (T, S, S + n_theta))`` at ``times``."""
        from scipy.integrate import odeint

        s0 = np.concatenate([y0, self._sens_ic])
        sol = odeint(self._system, s0, self._augmented_times, args=(np.concatenate([y0, theta]),))
        y = sol[1:, : self.n_states]
        sens = sol[1:, self.n_states:].reshape(self.n_times, self.n_states, self.n_p)
        return y, sens

    # ----------------------------------------------------------------- symbolic
    def make_node(self, y0, theta):
        y0 = _as_vector(y0)
        theta = _as_vector(theta)
        states = T.TensorType("float64", shape=(self.n_times, self.n_states))()
        sens = T.TensorType("float64", shape=(self.n_times, self.n_states, self.n_p))()
        return Apply(self, [y0, theta], [states, sens])

    def __call__(self, y0, theta, return_sens=False, **kwargs):
        _check_length("y0", y0, self.n_states)
        _check_length("theta", theta, self.n_theta)
        node = self.make_node(y0, theta)
        for name, var, n in (("y0", node.inputs[0], self.n_states), ("theta", node.inputs[1], self.n_theta)):
            if var.type.shape[0] is not None and var.type.shape[0] != n:
                raise ShapeError(f"Length of {name} is wrong.", actual=(var.type.shape[0],), expected=(n,))
        self._augmented_func  # builds the right-hand side now: errors in func show at model building
        states, sens = node.outputs
        return (states, sens) if return_sens else states

    def perform(self, node, inputs, output_storage):
        y0, theta = (np.asarray(v, dtype="float64") for v in inputs)
        if y0.shape != (self.n_states,) or theta.shape != (self.n_theta,):
            raise ShapeError("DifferentialEquation: inputs of the wrong length",
                             actual=(y0.shape, theta.shape), expected=((self.n_states,), (self.n_theta,)))
        output_storage[0][0], output_storage[1][0] = self._simulate(y0, theta)

    def infer_shape(self, fgraph, node, input_shapes):
        return [(self.n_times, self.n_states), (self.n_times, self.n_states, self.n_p)]

    def L_op(self, inputs, outputs, output_grads):
        g_states, g_sens = output_grads
        if not _is_zero(g_sens):
            raise NotImplementedError("DifferentialEquation: no gradient through the sensitivities output "
                                      "(it would need second-order sensitivities)")
        if _is_zero(g_states):
            return [T.zeros((self.n_states,)), T.zeros((self.n_theta,))]
        total = T.tensordot(g_states, outputs[1], axes=[[0, 1], [0, 1]])  # (n_p,)
        return [total[: self.n_states], total[self.n_states:]]


def _is_zero(g):
    if isinstance(g.type, DisconnectedType):
        return True
    try:
        return float(get_scalar_constant_value(g)) == 0.0
    except NotScalarConstantError:
        return False


def _as_vector(v):
    if isinstance(v, (list, tuple)):
        v = T.stack([T.cast(T.as_tensor_variable(x), "float64") for x in v]) if v else T.zeros((0,))
    v = T.as_tensor_variable(v)
    if v.ndim != 1:
        raise ShapeError("DifferentialEquation: y0 and theta must be vectors", actual=(v.ndim,), expected=(1,))
    return T.cast(v, "float64") if v.dtype != "float64" else v


def _check_length(name, value, n):
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) != n:
        raise ShapeError(f"Length of {name} is wrong.", actual=(len(value),), expected=(n,))


def make_sens_ic(n_states, n_theta):
    """Initial sensitivities: d y(t0) / d(y0, theta) = [I, 0], flattened row-major."""
    s = np.zeros((n_states, n_states + n_theta))
    s[:, :n_states] = np.eye(n_states)
    return s.ravel()


def augment_system(ode_func, n_states, n_theta):
    """A compiled ``f(y, t, p, S_flat) -> (dy/dt, dS/dt flattened)`` with ``p = (y0, theta)``."""
    y = T.dvector("y")
    t = T.dscalar("t")
    p = T.dvector("p")
    s_flat = T.dvector("dydp")
    S = T.reshape(s_flat, (n_states, n_states + n_theta))
    out = ode_func(y, t, p[n_states:])
    if isinstance(out, (list, tuple)):
        if len(out) != n_states:
            raise ShapeError("DifferentialEquation: func returned the wrong number of derivatives",
                             actual=(len(out),), expected=(n_states,))
        yhat = T.stack([T.as_tensor_variable(o) for o in out])
    else:
        yhat = T.as_tensor_variable(out)
        size = int(np.prod(yhat.type.shape)) if None not in yhat.type.shape else None
        if size is not None and size != n_states:
            raise ShapeError("DifferentialEquation: func returned the wrong number of derivatives",
                             actual=tuple(yhat.type.shape), expected=(n_states,))
    yhat = T.cast(T.reshape(yhat, (n_states,)), "float64")
    J_y = jacobian(yhat, y, disconnected_inputs="ignore")
    J_p = jacobian(yhat, p, disconnected_inputs="ignore")
    dsdt = T.flatten(T.dot(J_y, S) + J_p)
    return arignote.function([y, t, p, s_flat], [yhat, dsdt], on_unused_input="ignore")
