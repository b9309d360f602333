"""Normalizing flows (PyMC3's ``NormalizingFlow`` approximation and ``NFVI``).

Standard normal draws ``z0`` pass through a chain of invertible maps given by a formula
such as ``'scale-loc'`` (mean field), ``'planar*3-loc'`` or ``'scale-hh*2-loc'``: steps are
separated by ``-``, ``flow*k`` repeats a flow ``k`` times.  The flows are PyMC3 3.11's:

- ``loc``:    ``z + mu``
- ``scale``:  ``z * log1p(exp(rho))``
- ``hh``:     ``z H`` with the Householder reflection ``H = I - 2 v v' / v'v``
- ``planar``: ``z + u_hat tanh(w'z + b)`` (``u_hat`` keeps the map invertible)
- ``radial``: ``z + beta (alpha + r)^-1 (z - z_ref)``, ``r = |z - z_ref|``

The entropy is ``E[-log q0(z0)] + E[sum of log |det J|]``, the first term exact.
Parameters start at ``normal * jitter`` (PyMC3's initialisation, ``jitter=1``).
"""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T

from .approximations import _HALF_LOG_2PI_E, Approximation
from .inference import Inference

__all__ = ["Formula", "HouseholderFlow", "LocFlow", "NFVI", "NormalizingFlow", "PlanarFlow", "RadialFlow",
           "ScaleFlow"]


class AbstractFlow:
    """One map of the chain: ``forward(z)`` on a matrix of rows and ``logdet(z)`` per row."""

    short_name = ""
    param_spec = {}  # name -> shape in terms of the dimension d

    def __init__(self, dim, jitter, rng):
        self.dim = dim
        self.params = []
        self._shared = {}
        for name, spec in self.param_spec.items():
            shape = tuple(dim for _ in spec)
            value = rng.normal(size=shape) * jitter
            self._shared[name] = arignote.shared(np.asarray(value, dtype="float64"), name=f"{self.short_name}_{name}")
            self.params.append(self._shared[name])

    def __getattr__(self, name):
        shared = self.__dict__.get("_shared", {})
        if name in shared:
            return shared[name]
        raise AttributeError(name)

    def forward(self, z):
        raise NotImplementedError

    def logdet(self, z):
        raise NotImplementedError

    def __repr__(self):
        return f"Flow{{{self.short_name}}}"


class LocFlow(AbstractFlow):
    short_name = "loc"
    param_spec = {"loc": ("d",)}

    def forward(self, z):
        return z + self.loc

    def logdet(self, z):
        return T.zeros((z.shape[0],))


class ScaleFlow(AbstractFlow):
    short_name = "scale"
    param_spec = {"rho": ("d",)}

    @property
    def scale(self):
        return T.log1p(T.exp(self.rho))

    def forward(self, z):
        return z * self.scale

    def logdet(self, z):
        return T.ones((z.shape[0],)) * T.sum(T.log(self.scale))


class HouseholderFlow(AbstractFlow):
    short_name = "hh"
    param_spec = {"v": ("d",)}

    def forward(self, z):
        v = self.v
        H = T.eye(self.dim) - 2.0 * T.outer(v, v) / (T.sum(v ** 2) + 1e-10)
        return T.dot(z, H)

    def logdet(self, z):
        return T.zeros((z.shape[0],))


class PlanarFlow(AbstractFlow):
    short_name = "planar"
    param_spec = {"u": ("d",), "w": ("d",), "b": ()}

    def _u_hat(self):
        u, w = self.u, self.w
        wu = T.dot(u, w)
        return u + (-1.0 + T.softplus(wu) - wu) * w / (T.sum(w ** 2) + 1e-10)

    def forward(self, z):
        return z + T.outer(T.tanh(T.dot(z, self.w) + self.b), self._u_hat())

    def logdet(self, z):
        deriv = 1.0 - T.tanh(T.dot(z, self.w) + self.b) ** 2
        return T.log(abs(1.0 + deriv * T.dot(self.w, self._u_hat())))


class RadialFlow(AbstractFlow):
    short_name = "radial"
    param_spec = {"a": (), "b": (), "z_ref": ("d",)}

    def _ab(self):
        a = T.exp(self.a)
        return a, -a + T.softplus(self.b)

    def _r(self, z):
        return T.sqrt(T.sum((z - self.z_ref) ** 2, axis=-1, keepdims=True))

    def forward(self, z):
        a, b = self._ab()
        return z + b / (a + self._r(z)) * (z - self.z_ref)

    def logdet(self, z):
        a, b = self._ab()
        r = self._r(z)
        h = 1.0 / (a + r)
        dh = -1.0 / (a + r) ** 2
        out = (self.dim - 1.0) * T.log(1.0 + b * h) + T.log(1.0 + b * h + b * dh * r)
        return T.sum(out, axis=-1)


_FLOWS = {cls.short_name: cls for cls in (LocFlow, ScaleFlow, HouseholderFlow, PlanarFlow, RadialFlow)}


class Formula:
    """A flow formula (``'planar*4-radial*3'``): the flow classes in the order they apply."""

    def __init__(self, formula):
        if not isinstance(formula, str):
            raise TypeError(f"Wrong type provided for NormalizingFlow as `flow` argument, expected Formula or "
                            f"string, got {type(formula).__name__}")
        identifiers = formula.lower().replace(" ", "").split("-")
        self.formula = "-".join(identifiers)
        self.flows = []
        for idf in identifiers:
            parts = idf.split("*")
            if len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
                raise ValueError(f"Wrong format: {formula}")
            if parts[0] not in _FLOWS:
                raise KeyError(f"No such flow: {parts[0]!r}, only the following are supported: {sorted(_FLOWS)}")
            self.flows.extend([_FLOWS[parts[0]]] * (int(parts[1]) if len(parts) == 2 else 1))
        if not self.flows:
            raise ValueError("No flows in formula")

    def __call__(self, dim, jitter, rng):
        return [cls(dim, jitter, rng) for cls in self.flows]

    def __repr__(self):
        return f"Formula{{N(0, 1) -> {self.formula}}}"


class NormalizingFlow(Approximation):
    """The approximation ``z_K = f_K(... f_1(z0))``, ``z0 ~ N(0, I)`` (see the module docstring)."""

    default_flow = "scale-loc"

    def __init__(self, flow=default_flow, model=None, start=None, random_seed=None, jitter=1, local_rv=None):
        if local_rv is not None:
            raise NotImplementedError("NormalizingFlow: local_rv (AEVB) is not provided")
        super().__init__(model, start, random_seed)
        self.formula = flow if isinstance(flow, Formula) else Formula(flow)
        self.flows = self.formula(self.ddim, jitter, self._rng)
        self.params = [p for f in self.flows for p in f.params]
        self._forward_fn = None

    def _forward(self, z):
        for f in self.flows:
            z = f.forward(z)
        return z

    def symbolic_sample(self, eps):
        if eps.ndim == 1:
            return self._forward(T.shape_padleft(eps))[0]
        return self._forward(eps)

    def sum_logdets(self, z0):
        """``sum_k log |det df_k/dz|`` along the chain, per row of ``z0``."""
        total, z = 0.0, z0
        for f in self.flows:
            total = total + f.logdet(z)
            z = f.forward(z)
        return total

    def symbolic_entropy_of(self, eps):
        return self.ddim * _HALF_LOG_2PI_E + T.mean(self.sum_logdets(eps))

    def _draw_flat(self, draws):
        if self._forward_fn is None:
            eps = T.dmatrix("eps")
            self._forward_fn = arignote.function([eps], self._forward(eps))
        return self._forward_fn(self._rng.standard_normal((draws, self.ddim)))

    def __repr__(self):
        return f"<NormalizingFlow {self.formula.formula} over {self.ddim} dimension(s)>"


class NFVI(Inference):
    """KL(q || p) inference with a normalizing flow; ``flow='scale-loc'`` is mean-field ADVI."""

    approximation_class = NormalizingFlow

    def __init__(self, flow=NormalizingFlow.default_flow, model=None, random_seed=None, start=None, jitter=1,
                 local_rv=None):
        super().__init__(model=model, random_seed=random_seed, start=start, flow=flow, jitter=jitter,
                         local_rv=local_rv)
