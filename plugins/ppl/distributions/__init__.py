"""The distributions of ``arignote.ppl`` (PyMC3's names)."""
from .base import Continuous, Discrete, Distribution, NoDistribution, TensorType, draw_values
from .continuous import (Beta, Cauchy, ChiSquared, Exponential, Flat, Gamma, HalfCauchy, HalfFlat, HalfNormal,
                         InverseGamma, Laplace, Logistic, LogNormal, Lognormal, Normal, StudentT, TruncatedNormal,
                         Uniform, Weibull, BoundedContinuous, PositiveContinuous, UnitContinuous, HalfStudentT,
                         Pareto, Gumbel, Kumaraswamy, Triangular, ExGaussian, Wald, Moyal, LogitNormal,
                         AsymmetricLaplace)
from .discrete import (Bernoulli, BetaBinomial, Binomial, Categorical, DiscreteUniform, Geometric,
                       NegativeBinomial, Poisson, ZeroInflatedPoisson, ZeroInflatedBinomial,
                       ZeroInflatedNegativeBinomial, Constant, ConstantDist, DiscreteWeibull, OrderedLogistic)
from .multivariate import Dirichlet, DirichletMultinomial, MatrixNormal, Multinomial, MvNormal, MvStudentT
from .continuous_special import Interpolated, Rice, SkewNormal, VonMises
from .wishart import Wishart, WishartBartlett
from .mixture import Mixture, NormalMixture
from .density import DensityDist
from .lkj import LKJCholeskyCov, LKJCorr, lkj_log_normalizer
from .timeseries import AR, AR1, GARCH11, EulerMaruyama, GaussianRandomWalk, MvGaussianRandomWalk, MvStudentTRandomWalk
from .bound import Bound
from .kronecker import KroneckerNormal
from .bart import BART
from .simulator import Simulator  # issue 23: ABC with sample_smc

CONTINUOUS = ["Normal", "HalfNormal", "HalfCauchy", "Cauchy", "StudentT", "Exponential", "Gamma", "InverseGamma",
              "Beta", "Uniform", "Flat", "HalfFlat", "Lognormal", "LogNormal", "Laplace", "Logistic", "Weibull",
              "ChiSquared", "TruncatedNormal", "HalfStudentT", "Pareto", "Gumbel", "Kumaraswamy", "Triangular",
              "ExGaussian", "Wald", "Moyal", "LogitNormal", "AsymmetricLaplace", "SkewNormal", "VonMises", "Rice",
              "Interpolated"]
DISCRETE = ["Poisson", "Binomial", "Bernoulli", "Categorical", "DiscreteUniform", "Geometric", "NegativeBinomial",
            "BetaBinomial", "ZeroInflatedPoisson", "ZeroInflatedBinomial", "ZeroInflatedNegativeBinomial", "Constant",
            "DiscreteWeibull", "OrderedLogistic"]
MULTIVARIATE = ["MvNormal", "MvStudentT", "MatrixNormal", "Dirichlet", "Multinomial", "DirichletMultinomial",
                "Wishart", "LKJCholeskyCov", "LKJCorr", "GaussianRandomWalk", "AR1", "AR", "GARCH11", "EulerMaruyama",
                "MvGaussianRandomWalk", "MvStudentTRandomWalk", "Mixture", "NormalMixture", "KroneckerNormal", "BART"]
BUILTIN = CONTINUOUS + DISCRETE + MULTIVARIATE + ["DensityDist"]
