"""Generalised linear models from formulas (PyMC3's ``pm.glm``), parsed by formulaic.

``GLM.from_formula('y ~ x', data)`` inside a model creates ``Intercept``
(Flat), one Normal(0, tau=1e-6) coefficient per regressor, named as the
formula's columns (``x``, ``np.log(x)``, ``g[T.b]``, ``x:z``), and the
likelihood ``y`` of the family: ``normal`` (with ``sd ~ HalfCauchy(10)``),
``student`` (``lam ~ HalfCauchy(10)``, ``nu = 1``), ``binomial`` (logit link,
``n = 1``), ``poisson`` (log link) or ``negative_binomial`` (log link,
``alpha ~ HalfCauchy(10)``).  ``priors={'Intercept': ...,
'Regressor': ..., '<column>': ...}`` replaces coefficient priors;
``families.Normal(priors={'sd': ...})`` replaces a family's.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import arignote.tensor as T

from .context import modelcontext
from .distributions import (Binomial, Distribution, Flat, HalfCauchy, NegativeBinomial, Normal, Poisson,
                            StudentT)


def _frame(formula, data):
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, dict):
        return pd.DataFrame(data)
    raise TypeError(f"glm formula {formula!r}: data must be a dict or a pandas DataFrame, "
                    f"got {type(data).__name__}")


def _design(formula, data):
    """(y or None, X, column labels) of ``formula`` on ``data``; unknown columns are named in the error."""
    from formulaic import Formula, model_matrix

    data = _frame(formula, data)
    missing = sorted(str(v) for v in Formula(formula).required_variables if str(v) not in data.columns)
    if missing:
        which = ", ".join(repr(m) for m in missing)
        raise ValueError(f"glm formula {formula!r}: unknown column{'s' if len(missing) > 1 else ''} {which} "
                         f"(the data has columns {', '.join(map(str, data.columns))})")
    mm = model_matrix(formula, data)
    if hasattr(mm, "lhs"):
        y, X = np.asarray(mm.lhs, dtype=float), mm.rhs
        y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    else:
        y, X = None, mm
    return y, np.asarray(X, dtype=float), [str(c) for c in X.columns]


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
        priors, vars = dict(priors or {}), dict(vars or {})
        self.coeffs = [vars[label] if label in vars else model.Var(f"{name}{label}", self._prior(label, priors))
                       for label in labels]
        self.labels, self.x, self.y = labels, x, y
        self.y_est = T.dot(x, T.stack([T.as_tensor_variable(c) for c in self.coeffs])) + offset

    @staticmethod
    def _prior(label, priors):
        if label in priors:
            return priors[label]
        if label == "Intercept":
            return Flat.dist()
        return priors.get("Regressor", Normal.dist(mu=0.0, tau=1.0e-6))

    @classmethod
    def from_formula(cls, formula, data, priors=None, vars=None, name="", model=None, offset=0.0):
        y, X, labels = _design(formula, data)
        return cls(X, y, intercept=False, labels=labels, priors=priors, vars=vars, name=name, model=model,
                   offset=offset)


class Family:
    """A likelihood, the inverse link giving its ``parent`` parameter, and priors for the others."""

    likelihood = None
    parent = "mu"
    link = staticmethod(lambda eta: eta)
    priors: dict = {}

    def __init__(self, **kwargs):
        for key, val in kwargs.items():
            if key == "priors":
                self.priors = {**type(self).priors, **val}
            else:
                setattr(self, key, val)

    def create_likelihood(self, name, y_est, y_data, model=None):
        """The observed variable ``<name>y``; distribution-valued priors become free variables."""
        model = modelcontext(model)
        params = {key: model.Var(f"{name}{key}", val) if isinstance(val, Distribution) else val
                  for key, val in self.priors.items() if key != self.parent}
        params[self.parent] = self.link(y_est)
        return self.likelihood(f"{name}y", observed=self._observed(y_data), **params)

    def _observed(self, y):
        return y

    def __repr__(self):
        return f"{type(self).__name__}(likelihood={self.likelihood.__name__}, link={self.link.__name__})"


def _counts(y, family):
    y = np.asarray(y)
    if not np.all(np.isfinite(y)) or np.any(y != np.round(y)) or np.any(y < 0):
        raise ValueError(f"glm family {family}: the response must be non-negative whole numbers")
    return y.astype(np.int64)


def identity(eta):
    return eta


class NormalFamily(Family):
    likelihood, link = Normal, staticmethod(identity)
    priors = {"sd": HalfCauchy.dist(beta=10, testval=1.0)}


class StudentTFamily(Family):
    likelihood, link = StudentT, staticmethod(identity)
    priors = {"lam": HalfCauchy.dist(beta=10, testval=1.0), "nu": 1}


class BinomialFamily(Family):
    likelihood, link, parent = Binomial, staticmethod(T.nnet.sigmoid), "p"
    priors = {"n": 1}

    def _observed(self, y):
        return _counts(y, "binomial")


class PoissonFamily(Family):
    likelihood, link = Poisson, staticmethod(T.exp)

    def _observed(self, y):
        return _counts(y, "poisson")


class NegativeBinomialFamily(Family):
    likelihood, link = NegativeBinomial, staticmethod(T.exp)
    priors = {"alpha": HalfCauchy.dist(beta=10, testval=1.0)}

    def _observed(self, y):
        return _counts(y, "negative_binomial")


families = SimpleNamespace(Family=Family, Normal=NormalFamily, StudentT=StudentTFamily,
                           Binomial=BinomialFamily, Poisson=PoissonFamily, NegativeBinomial=NegativeBinomialFamily)
"""PyMC3's ``pm.glm.families``: ``families.Binomial()``, ``families.Normal(priors={'sd': ...})``."""

_by_name = {"normal": NormalFamily, "student": StudentTFamily, "binomial": BinomialFamily,
            "poisson": PoissonFamily, "negative_binomial": NegativeBinomialFamily}


def _family(family):
    if isinstance(family, Family):
        return family
    if isinstance(family, type) and issubclass(family, Family):
        return family()
    if isinstance(family, str) and family in _by_name:
        return _by_name[family]()
    raise ValueError(f"unknown glm family {family!r}; use one of {sorted(_by_name)} or a glm.families instance")


class GLM(LinearComponent):
    """A LinearComponent plus the likelihood of ``family`` ('normal', 'student', 'binomial', 'poisson')."""

    def __init__(self, x, y, intercept=True, labels=None, priors=None, vars=None, family="normal", name="",
                 model=None, offset=0.0):
        fam = _family(family)  # checked before any variable is made, so bad input leaves the model untouched
        if y is None:
            raise ValueError("a GLM needs a response y (in a formula: 'y ~ x')")
        y = fam._observed(y)
        super().__init__(x, y, intercept, labels, priors, vars, name, model, offset)
        self.family = fam
        self.y_obs = fam.create_likelihood(name, self.y_est, y, model)

    @classmethod
    def from_formula(cls, formula, data, priors=None, vars=None, family="normal", name="", model=None,
                     offset=0.0):
        y, X, labels = _design(formula, data)
        if y is None:
            raise ValueError(f"glm formula {formula!r} has no response: write it as 'y ~ x'")
        return cls(X, y, intercept=False, labels=labels, priors=priors, vars=vars, family=family, name=name,
                   model=model, offset=offset)


def glm(formula, data, priors=None, vars=None, family="normal", name="", model=None):
    """PyMC3 3.0's ``glm.glm('y ~ x', data)``: ``GLM.from_formula`` (returns the GLM)."""
    return GLM.from_formula(formula, data, priors=priors, vars=vars, family=family, name=name, model=model)


linear_component = LinearComponent.from_formula


def plot_posterior_predictive(trace, eval=None, lm=None, samples=30, random_seed=None, **kwargs):
    """Draw the regression line of ``samples`` random posterior draws (PyMC3's ``plot_posterior_predictive_glm``).

    ``lm(x, point)`` gives the line for one draw (default ``Intercept + x * x``);
    ``eval`` the x values (default 100 points on [0, 1]); ``kwargs`` go to
    ``plt.plot`` (thin black lines unless told; a ``label`` is given once).
    """
    import matplotlib.pyplot as plt

    lm = lm or (lambda x, point: point["Intercept"] + point["x"] * x)
    eval = np.linspace(0, 1, 100) if eval is None else np.asarray(eval)
    if "lw" not in kwargs and "linewidth" not in kwargs:
        kwargs["lw"] = 0.2
    if "c" not in kwargs and "color" not in kwargs:
        kwargs["c"] = "k"
    rng = np.random.default_rng(random_seed)
    for idx in rng.integers(0, len(trace), samples):
        plt.plot(eval, lm(eval, trace[int(idx)]), **kwargs)
        kwargs.pop("label", None)
    plt.title("Posterior predictive")
