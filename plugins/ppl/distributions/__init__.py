"""The distributions of ``arignote.ppl`` (PyMC3's names)."""
from .base import Continuous, Discrete, Distribution, NoDistribution, draw_values
from .continuous import (Beta, Cauchy, ChiSquared, Exponential, Flat, Gamma, HalfCauchy, HalfFlat, HalfNormal,
                         InverseGamma, Laplace, Logistic, LogNormal, Lognormal, Normal, StudentT, TruncatedNormal,
                         Uniform, Weibull, BoundedContinuous, PositiveContinuous, UnitContinuous)
from .discrete import (Bernoulli, BetaBinomial, Binomial, Categorical, DiscreteUniform, Geometric,
                       NegativeBinomial, Poisson, ZeroInflatedPoisson)
from .multivariate import Dirichlet, MvNormal
from .density import DensityDist
from .lkj import LKJCholeskyCov, lkj_log_normalizer
from .timeseries import GaussianRandomWalk
from .bound import Bound

CONTINUOUS = ["Normal", "HalfNormal", "HalfCauchy", "Cauchy", "StudentT", "Exponential", "Gamma", "InverseGamma",
              "Beta", "Uniform", "Flat", "HalfFlat", "Lognormal", "LogNormal", "Laplace", "Logistic", "Weibull",
              "ChiSquared", "TruncatedNormal"]
DISCRETE = ["Poisson", "Binomial", "Bernoulli", "Categorical", "DiscreteUniform", "Geometric", "NegativeBinomial",
            "BetaBinomial", "ZeroInflatedPoisson"]
MULTIVARIATE = ["MvNormal", "Dirichlet", "LKJCholeskyCov", "GaussianRandomWalk"]
BUILTIN = CONTINUOUS + DISCRETE + MULTIVARIATE + ["DensityDist"]
