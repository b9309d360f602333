"""PyMC3's stochastic optimisers (``pm.sgd``, ``pm.momentum``, ``pm.adam``, ``pm.adamax``,
``pm.adagrad_window``) as symbolic update rules.

Each takes ``(loss_or_grads, params, **hyper)`` and returns an ordered dict of updates
(shared variable -> new value) for ``arignote.function(..., updates=...)``.  Called
without ``loss_or_grads`` and ``params`` it returns itself with the hyper-parameters
bound, as PyMC3 does (``obj_optimizer=pm.adam(learning_rate=0.1)``).
"""
from __future__ import annotations

import functools
from collections import OrderedDict

import numpy as np

import arignote
import arignote.tensor as T


def _partial_or(fn):
    """Bind hyper-parameters when neither ``loss_or_grads`` nor ``params`` is given."""

    @functools.wraps(fn)
    def wrapper(loss_or_grads=None, params=None, **hyper):
        if loss_or_grads is None and params is None:
            return functools.partial(wrapper, **hyper)
        if loss_or_grads is None or params is None:
            raise ValueError(f"{fn.__name__}: give both loss_or_grads and params, or neither")
        params = list(params)
        return fn(_grads(loss_or_grads, params), params, **hyper)

    return wrapper


def _grads(loss_or_grads, params):
    if isinstance(loss_or_grads, (list, tuple)):
        if len(loss_or_grads) != len(params):
            raise ValueError(f"got {len(loss_or_grads)} gradients for {len(params)} parameters")
        return list(loss_or_grads)
    return T.grad(loss_or_grads, params)


def _zeros_like(p, name, lead=()):
    value = p.get_value(borrow=True)
    return arignote.shared(np.zeros(tuple(lead) + value.shape, dtype=value.dtype), name=name)


def _step_counter():
    return arignote.shared(np.asarray(0.0), name="t")


@_partial_or
def sgd(loss_or_grads=None, params=None, learning_rate=1e-3):
    """Plain stochastic gradient descent: ``p <- p - learning_rate * g``."""
    return OrderedDict((p, p - learning_rate * g) for p, g in zip(params, loss_or_grads))


@_partial_or
def momentum(loss_or_grads=None, params=None, learning_rate=1e-3, momentum=0.9):
    """SGD with (heavy-ball) momentum: ``v <- momentum*v - lr*g``; ``p <- p + v``."""
    updates = OrderedDict()
    for p, g in zip(params, loss_or_grads):
        v = _zeros_like(p, "velocity")
        v_new = momentum * v - learning_rate * g
        updates[v] = v_new
        updates[p] = p + v_new
    return updates


@_partial_or
def adam(loss_or_grads=None, params=None, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam (Kingma & Ba, 2014) with bias-corrected step size."""
    t = _step_counter()
    t_new = t + 1
    a_t = learning_rate * T.sqrt(1 - beta2 ** t_new) / (1 - beta1 ** t_new)
    updates = OrderedDict()
    for p, g in zip(params, loss_or_grads):
        m, v = _zeros_like(p, "m"), _zeros_like(p, "v")
        m_new = beta1 * m + (1 - beta1) * g
        v_new = beta2 * v + (1 - beta2) * g ** 2
        updates[m], updates[v] = m_new, v_new
        updates[p] = p - a_t * m_new / (T.sqrt(v_new) + epsilon)
    updates[t] = t_new
    return updates


@_partial_or
def adamax(loss_or_grads=None, params=None, learning_rate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adamax: Adam with the infinity norm in place of the second moment."""
    t = _step_counter()
    t_new = t + 1
    a_t = learning_rate / (1 - beta1 ** t_new)
    updates = OrderedDict()
    for p, g in zip(params, loss_or_grads):
        m, u = _zeros_like(p, "m"), _zeros_like(p, "u")
        m_new = beta1 * m + (1 - beta1) * g
        u_new = T.maximum(beta2 * u, abs(g))
        updates[m], updates[u] = m_new, u_new
        updates[p] = p - a_t * m_new / (u_new + epsilon)
    updates[t] = t_new
    return updates


@_partial_or
def adagrad_window(loss_or_grads=None, params=None, learning_rate=0.001, epsilon=0.1, n_win=10):
    """Adagrad over a window of the last ``n_win`` squared gradients (PyMC3's default for ADVI)."""
    if int(n_win) < 1:
        raise ValueError(f"adagrad_window: n_win must be >= 1, got {n_win}")
    updates = OrderedDict()
    for p, g in zip(params, loss_or_grads):
        window = _zeros_like(p, "accu", lead=(int(n_win),))
        window_new = T.concatenate([window[1:], T.shape_padleft(g ** 2)], axis=0)
        updates[window] = window_new
        updates[p] = p - learning_rate * g / T.sqrt(window_new.sum(axis=0) + epsilon)
    return updates


@_partial_or
def nesterov_momentum(loss_or_grads=None, params=None, learning_rate=1e-3, momentum=0.9):
    """SGD with Nesterov momentum: ``v <- momentum*v - lr*g``; ``p <- p + momentum*v - lr*g``."""
    updates = OrderedDict()
    for p, g in zip(params, loss_or_grads):
        v = _zeros_like(p, "velocity")
        v_new = momentum * v - learning_rate * g
        updates[v] = v_new
        updates[p] = p + momentum * v_new - learning_rate * g
    return updates


def _scaled_by_accumulated(params, grads, learning_rate, epsilon, rho):
    """Adagrad (``rho`` None: a running sum of squared gradients) or RMSProp (a moving average)."""
    updates = OrderedDict()
    for p, g in zip(params, grads):
        accu = _zeros_like(p, "accu")
        accu_new = accu + g ** 2 if rho is None else rho * accu + (1 - rho) * g ** 2
        updates[accu] = accu_new
        updates[p] = p - learning_rate * g / T.sqrt(accu_new + epsilon)
    return updates


@_partial_or
def adagrad(loss_or_grads=None, params=None, learning_rate=1.0, epsilon=1e-6):
    """Adagrad: steps scaled by the root of all squared gradients so far."""
    return _scaled_by_accumulated(params, loss_or_grads, learning_rate, epsilon, None)


@_partial_or
def rmsprop(loss_or_grads=None, params=None, learning_rate=1.0, rho=0.9, epsilon=1e-6):
    """RMSProp: steps scaled by a moving average of squared gradients."""
    return _scaled_by_accumulated(params, loss_or_grads, learning_rate, epsilon, rho)


@_partial_or
def adadelta(loss_or_grads=None, params=None, learning_rate=1.0, rho=0.95, epsilon=1e-6):
    """Adadelta: steps scaled by the ratio of moving averages of squared steps and gradients."""
    updates = OrderedDict()
    for p, g in zip(params, loss_or_grads):
        accu, delta_accu = _zeros_like(p, "accu"), _zeros_like(p, "delta_accu")
        accu_new = rho * accu + (1 - rho) * g ** 2
        step = g * T.sqrt(delta_accu + epsilon) / T.sqrt(accu_new + epsilon)
        updates[accu] = accu_new
        updates[p] = p - learning_rate * step
        updates[delta_accu] = rho * delta_accu + (1 - rho) * step ** 2
    return updates


def _with_velocity(updates, params, rule):
    """A copy of ``updates`` where each of ``params`` (default all) moves with a velocity."""
    updates = OrderedDict(updates)
    for p in (list(updates) if params is None else list(params)):
        v = _zeros_like(p, "velocity")
        updates[v], updates[p] = rule(v, p, updates[p])
    return updates


def apply_momentum(updates, params=None, momentum=0.9):
    """Momentum on top of any updates: ``x = momentum*v + update``; ``v <- x - p``; ``p <- x``."""
    return _with_velocity(updates, params, lambda v, p, u: ((momentum * v + u) - p, momentum * v + u))


def apply_nesterov_momentum(updates, params=None, momentum=0.9):
    """Nesterov momentum on top of any updates: ``v <- momentum*v + update - p``; ``p <- momentum*v_new + update``."""
    return _with_velocity(updates, params, lambda v, p, u: (momentum * v + u - p, momentum * (momentum * v + u - p) + u))


def norm_constraint(tensor_var, max_norm, norm_axes=None, epsilon=1e-7):
    """``tensor_var`` rescaled so that its norms over ``norm_axes`` (default: axis 0 of a matrix,
    all but the first axis of a 3- to 5-d tensor) are at most ``max_norm``."""
    x = T.as_tensor_variable(tensor_var)
    if norm_axes is not None:
        axes = tuple(norm_axes)
    elif x.ndim == 2:
        axes = (0,)
    elif x.ndim in (3, 4, 5):
        axes = tuple(range(1, x.ndim))
    else:
        raise ValueError(f"Unsupported tensor dimensionality {x.ndim}. Must specify `norm_axes`")
    norms = T.sqrt(T.sum(x ** 2, axis=axes, keepdims=True))
    return x * (T.clip(norms, 0, max_norm) / (epsilon + norms))


def total_norm_constraint(tensor_vars, max_norm, epsilon=1e-7, return_norm=False):
    """``tensor_vars`` rescaled together so that their joint 2-norm is at most ``max_norm``
    (with that norm when ``return_norm``)."""
    tensor_vars = [T.as_tensor_variable(t) for t in tensor_vars]
    norm = T.sqrt(sum(T.sum(t ** 2) for t in tensor_vars))
    multiplier = T.clip(norm, 0, max_norm) / (epsilon + norm)
    scaled = [t * multiplier for t in tensor_vars]
    return (scaled, norm) if return_norm else scaled
