"""Generalised linear models from formulas (PyMC3's ``pm.glm``), parsed by formulaic.

``GLM.from_formula('y ~ x', data)`` inside a model creates ``Intercept``
(Flat), one Normal(0, tau=1e-6) coefficient per regressor and the likelihood
``y`` of the family (normal: with ``sd ~ HalfCauchy(10)``).
"""
from __future__ import annotations

import numpy as np

import arignote.tensor as T

from .context import modelcontext
from .distributions import Bernoulli, Flat, HalfCauchy, Normal, Poisson, StudentT


def _design(formula, data):
    import pandas as pd
    from formulaic import model_matrix

    if isinstance(data, dict):
        data = pd.DataFrame(data)
    mm = model_matrix(formula, data)
    if hasattr(mm, "lhs"):
        y, X = np.asarray(mm.lhs, dtype=float), mm.rhs
        y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    else:
        y, X = None, mm
    return y, np.asarray(X, dtype=float), list(X.columns)


class LinearComponent:
    """``intercept + X @ coefficients`` with a prior per coefficient; ``.y_est`` is the graph."""

    def __init__(self, x, y=None, intercept=True, labels=None, priors=None, vars=None, name="", model=None,
                 offset=0.0):
        model = modelcontext(model)
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        labels = list(labels) if labels is not None else [f"x{i}" for i in range(x.shape[1])]
        if intercept and "Intercept" not in labels:
            x = np.column_stack([np.ones(len(x)), x])
            labels = ["Intercept"] + labels
        priors = dict(priors or {})
        vars = dict(vars or {})
        coeffs = []
        for label in labels:
            if label in vars:
                coeffs.append(vars[label])
                continue
            full = f"{name}{label}"
            prior = priors.get(label, priors.get("Regressor") if label != "Intercept" else None)
            if label == "Intercept" and prior is None:
                prior = priors.get("Intercept", Flat.dist())
            if prior is None:
                prior = Normal.dist(mu=0.0, tau=1.0e-6)
            coeffs.append(model.Var(full, prior))
        self.coeffs = coeffs
        self.labels = labels
        self.x = x
        self.y = y
        self.y_est = sum(c * x[:, i] for i, c in enumerate(coeffs)) + offset

    @classmethod
    def from_formula(cls, formula, data, priors=None, vars=None, name="", model=None, offset=0.0):
        y, X, labels = _design(formula, data)
        return cls(X, y, intercept=False, labels=labels, priors=priors, vars=vars, name=name, model=model,
                   offset=offset)


class _Family:
    def __init__(self, likelihood, link, priors):
        self.likelihood, self.link, self.priors = likelihood, link, priors


families = {
    "normal": _Family(Normal, lambda e: e, {"sd": lambda n: HalfCauchy(n("sd"), beta=10, testval=1.0)}),
    "student": _Family(StudentT, lambda e: e, {"lam": lambda n: HalfCauchy(n("lam"), beta=10, testval=1.0),
                                                "nu": lambda n: 1}),
    "binomial": _Family(Bernoulli, T.sigmoid, {}),
    "poisson": _Family(Poisson, T.exp, {}),
}


class GLM(LinearComponent):
    """A LinearComponent plus the likelihood of ``family`` ('normal', 'student', 'binomial', 'poisson')."""

    def __init__(self, x, y, intercept=True, labels=None, priors=None, vars=None, family="normal", name="",
                 model=None, offset=0.0):
        super().__init__(x, y, intercept, labels, priors, vars, name, model, offset)
        model = modelcontext(model)
        fam = families[family] if isinstance(family, str) else family
        mean = fam.link(self.y_est)
        kw = {k: make(lambda s: f"{name}{s}") for k, make in fam.priors.items()}
        if fam.likelihood is Bernoulli:
            self.y_obs = Bernoulli(f"{name}y", p=mean, observed=np.asarray(y).astype(np.int64))
        elif fam.likelihood is Poisson:
            self.y_obs = Poisson(f"{name}y", mu=mean, observed=np.asarray(y).astype(np.int64))
        else:
            self.y_obs = fam.likelihood(f"{name}y", mu=mean, observed=y, **kw)

    @classmethod
    def from_formula(cls, formula, data, priors=None, vars=None, family="normal", name="", model=None,
                     offset=0.0):
        y, X, labels = _design(formula, data)
        return cls(X, y, intercept=False, labels=labels, priors=priors, vars=vars, family=family, name=name,
                   model=model, offset=offset)


def glm(formula, data, priors=None, vars=None, family="normal", name="", model=None):
    """PyMC3 3.0's ``glm.glm('y ~ x', data)``: ``GLM.from_formula`` (returns the GLM)."""
    return GLM.from_formula(formula, data, priors=priors, vars=vars, family=family, name=name, model=model)


linear_component = LinearComponent.from_formula
