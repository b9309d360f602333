"""Each distribution with a SciPy reference: parameter grids and value grids (with support edges)."""
import numpy as np
from scipy import special, stats

R = np.array([-np.inf, -10.0, -2.1, -1.0, -0.01, 0.0, 0.01, 0.5, 1.0, 3.3, 50.0, np.inf])
POS = np.array([-1.0, -1e-10, 0.0, 1e-8, 0.2, 1.0, 2.5, 30.0, np.inf])
UNIT = np.array([-0.1, -1e-12, 0.0, 1e-9, 0.3, 0.5, 0.999, 1.0, 1.0 + 1e-12, 1.1])
COUNT = np.array([-2, -1, 0, 1, 2, 5, 17])
SCALES = [0.1, 1.0, 3.7]


def _nb_logpmf(x, mu, alpha):
    if alpha > 1e10:  # SciPy loses digits there; the limit is Poisson(mu), as PyMC3 switches to
        return stats.poisson.logpmf(x, mu)
    return stats.nbinom.logpmf(x, alpha, alpha / (mu + alpha))


def _zip_logpmf(x, psi, theta):
    pois = stats.poisson.logpmf(x, theta)
    with np.errstate(divide="ignore"):
        return np.where(x == 0, np.log((1 - psi) + psi * np.exp(-theta)), np.log(psi) + pois)


# name, params grid {name: values}, values, scipy logp(x, **p), scipy logcdf(x, **p) or None
CONTINUOUS = [
    ("Normal", {"mu": [-1.0, 0.0, 2.5], "sigma": SCALES}, R,
     lambda x, mu, sigma: stats.norm.logpdf(x, mu, sigma), lambda x, mu, sigma: stats.norm.logcdf(x, mu, sigma)),
    ("HalfNormal", {"sigma": SCALES}, POS,
     lambda x, sigma: stats.halfnorm.logpdf(x, scale=sigma), lambda x, sigma: stats.halfnorm.logcdf(x, scale=sigma)),
    ("HalfCauchy", {"beta": SCALES}, POS,
     lambda x, beta: stats.halfcauchy.logpdf(x, scale=beta), lambda x, beta: stats.halfcauchy.logcdf(x, scale=beta)),
    ("Cauchy", {"alpha": [-1.0, 0.5], "beta": SCALES}, R,
     lambda x, alpha, beta: stats.cauchy.logpdf(x, alpha, beta), lambda x, alpha, beta: stats.cauchy.logcdf(x, alpha, beta)),
    ("StudentT", {"nu": [1.0, 3.5, 30.0], "mu": [0.0, 1.5], "sigma": [0.5, 2.0]}, R,
     lambda x, nu, mu, sigma: stats.t.logpdf(x, nu, mu, sigma), None),
    ("Exponential", {"lam": [0.1, 1.0, 7.0]}, POS,
     lambda x, lam: stats.expon.logpdf(x, scale=1 / lam), lambda x, lam: stats.expon.logcdf(x, scale=1 / lam)),
    ("Gamma", {"alpha": [0.5, 1.0, 4.0], "beta": [0.3, 2.0]}, POS,
     lambda x, alpha, beta: stats.gamma.logpdf(x, alpha, scale=1 / beta), None),
    ("InverseGamma", {"alpha": [0.5, 3.0], "beta": [0.3, 2.0]}, POS,
     lambda x, alpha, beta: stats.invgamma.logpdf(x, alpha, scale=beta), None),
    ("Beta", {"alpha": [0.5, 1.0, 3.0], "beta": [0.7, 1.0, 5.0]}, UNIT,
     lambda x, alpha, beta: stats.beta.logpdf(x, alpha, beta), None),
    ("Uniform", {"lower": [-2.0, 0.0], "upper": [0.5, 3.3]}, R,
     lambda x, lower, upper: stats.uniform.logpdf(x, lower, upper - lower),
     lambda x, lower, upper: stats.uniform.logcdf(x, lower, upper - lower)),
    ("Lognormal", {"mu": [-1.0, 0.5], "sigma": SCALES}, POS,
     lambda x, mu, sigma: stats.lognorm.logpdf(x, sigma, scale=np.exp(mu)),
     lambda x, mu, sigma: stats.lognorm.logcdf(x, sigma, scale=np.exp(mu))),
    ("Laplace", {"mu": [-1.0, 0.5], "b": SCALES}, R,
     lambda x, mu, b: stats.laplace.logpdf(x, mu, b), lambda x, mu, b: stats.laplace.logcdf(x, mu, b)),
    ("Logistic", {"mu": [-1.0, 0.5], "s": SCALES}, R,
     lambda x, mu, s: stats.logistic.logpdf(x, mu, s), lambda x, mu, s: stats.logistic.logcdf(x, mu, s)),
    ("Weibull", {"alpha": [0.5, 1.0, 3.0], "beta": [0.4, 2.0]}, POS,
     lambda x, alpha, beta: stats.weibull_min.logpdf(x, alpha, scale=beta),
     lambda x, alpha, beta: stats.weibull_min.logcdf(x, alpha, scale=beta)),
    ("ChiSquared", {"nu": [1.0, 2.0, 7.5]}, POS, lambda x, nu: stats.chi2.logpdf(x, nu), None),
    ("TruncatedNormal", {"mu": [-1.0, 0.5], "sigma": [0.3, 2.0], "lower": [-1.5], "upper": [1.0]}, R,
     lambda x, mu, sigma, lower, upper: stats.truncnorm.logpdf(x, (lower - mu) / sigma, (upper - mu) / sigma, mu, sigma),
     None),
]

CONTINUOUS += [
    ("HalfStudentT", {"nu": [1.0, 4.0], "sigma": [0.5, 2.0]}, POS,
     lambda x, nu, sigma: np.where(x >= 0, np.log(2) + stats.t.logpdf(x, nu, 0, sigma), -np.inf), None),
    ("Pareto", {"alpha": [0.5, 3.0], "m": [0.2, 1.0]}, POS,
     lambda x, alpha, m: stats.pareto.logpdf(x, alpha, scale=m), lambda x, alpha, m: stats.pareto.logcdf(x, alpha, scale=m)),
    ("Gumbel", {"mu": [-1.0, 0.5], "beta": SCALES}, R[1:-1],
     lambda x, mu, beta: stats.gumbel_r.logpdf(x, mu, beta), lambda x, mu, beta: stats.gumbel_r.logcdf(x, mu, beta)),
    ("Kumaraswamy", {"a": [0.5, 2.0], "b": [0.7, 3.0]}, UNIT,
     lambda x, a, b: np.where((x > 0) & (x < 1), np.log(a * b) + (a - 1) * np.log(np.clip(x, 1e-300, 1))
                              + (b - 1) * np.log1p(-np.clip(x, 0, 1) ** a), -np.inf), None),
    ("Triangular", {"lower": [-1.0], "c": [-1.0, 0.2, 2.0], "upper": [2.0]}, np.array([-2, -1.0, -0.5, 0.2, 1.0, 2.0, 2.5]),
     lambda x, lower, c, upper: stats.triang.logpdf(x, (c - lower) / (upper - lower), lower, upper - lower),
     lambda x, lower, c, upper: stats.triang.logcdf(x, (c - lower) / (upper - lower), lower, upper - lower)),
    ("ExGaussian", {"mu": [-1.0, 0.5], "sigma": [0.5, 2.0], "nu": [0.3, 3.0]}, R[1:-1],
     lambda x, mu, sigma, nu: stats.exponnorm.logpdf(x, nu / sigma, mu, sigma), None),
    ("Wald", {"mu": [0.5, 2.0], "lam": [0.7, 3.0]}, POS[:-1],
     lambda x, mu, lam: stats.invgauss.logpdf(x, mu / lam, scale=lam), None),
    # SciPy's Moyal underflows to -inf far left (logp is -3e7 at -10): the grid starts at -2.1
    ("Moyal", {"mu": [-1.0, 0.5], "sigma": [0.5, 2.0]}, R[2:-1],
     lambda x, mu, sigma: stats.moyal.logpdf(x, mu, sigma), lambda x, mu, sigma: stats.moyal.logcdf(x, mu, sigma)),
    ("LogitNormal", {"mu": [-1.0, 0.5], "sigma": [0.5, 2.0]}, UNIT,
     lambda x, mu, sigma: np.where((x > 0) & (x < 1), stats.norm.logpdf(np.log(np.clip(x, 1e-300, 1)) - np.log1p(-np.clip(x, 0, 1 - 1e-16)), mu, sigma)
                                   - np.log(np.clip(x, 1e-300, 1)) - np.log1p(-np.clip(x, 0, 1 - 1e-16)), -np.inf), None),
    ("AsymmetricLaplace", {"b": [0.5, 2.0], "kappa": [0.5, 1.0, 3.0], "mu": [0.0, 1.0]}, R[1:-1],
     lambda x, b, kappa, mu: stats.laplace_asymmetric.logpdf(x, kappa, mu, 1 / b), None),
]

CIRCLE = np.array([-4.0, -np.pi, -2.0, -0.3, 0.0, 1.0, 3.0, np.pi, 3.2])
CONTINUOUS += [  # PyMC3 3.11's SkewNormal, VonMises, Rice
    ("SkewNormal", {"mu": [-1.0, 0.5], "sigma": [0.5, 2.0], "alpha": [-4.0, 0.0, 2.5]}, R[1:-1],
     lambda x, mu, sigma, alpha: stats.skewnorm.logpdf(x, alpha, mu, sigma), None),
    ("VonMises", {"mu": [-1.0, 0.5], "kappa": [0.0, 0.7, 40.0]}, CIRCLE,
     lambda x, mu, kappa: np.where(np.abs(x) <= np.pi, kappa * np.cos(x - mu) - np.log(2 * np.pi * special.i0e(kappa)) - kappa,
                                   -np.inf), None),
    # SciPy underflows to -inf far right (logp is -1795 at 30 with sigma 0.5): the grid stops at 6;
    # large arguments of I0 are checked where SciPy is finite (test_distributions_pymc311)
    ("Rice", {"nu": [0.0, 1.5, 6.0], "sigma": [0.5, 2.0]}, np.append(POS[:-3], [2.5, 6.0]),
     lambda x, nu, sigma: stats.rice.logpdf(x, nu / sigma, scale=sigma), None),
]

DISCRETE = [
    ("Poisson", {"mu": [0.0, 0.3, 4.0, 25.0]}, COUNT, lambda x, mu: stats.poisson.logpmf(x, mu), None),
    ("Binomial", {"n": [0, 1, 10], "p": [0.0, 0.3, 1.0]}, np.append(COUNT, [10, 11]),
     lambda x, n, p: stats.binom.logpmf(x, n, p), None),
    ("Bernoulli", {"p": [0.0, 0.25, 1.0]}, np.array([-1, 0, 1, 2]),
     lambda x, p: stats.bernoulli.logpmf(x, p), lambda x, p: stats.bernoulli.logcdf(x, p)),
    ("DiscreteUniform", {"lower": [-2, 0], "upper": [0, 5]}, np.array([-3, -2, -1, 0, 1, 5, 6]),
     lambda x, lower, upper: stats.randint.logpmf(x, lower, upper + 1),
     lambda x, lower, upper: stats.randint.logcdf(x, lower, upper + 1)),
    ("Geometric", {"p": [0.1, 0.5, 1.0]}, COUNT, lambda x, p: stats.geom.logpmf(x, p),
     lambda x, p: stats.geom.logcdf(x, p)),
    ("NegativeBinomial", {"mu": [0.5, 4.0], "alpha": [0.7, 3.0, 1e12]}, COUNT, _nb_logpmf, None),
    ("BetaBinomial", {"alpha": [0.5, 2.0], "beta": [0.7, 3.0], "n": [0, 10]}, np.append(COUNT, [10, 11]),
     lambda x, alpha, beta, n: stats.betabinom.logpmf(x, n, alpha, beta), None),
    ("ZeroInflatedPoisson", {"psi": [0.0, 0.4, 1.0], "theta": [0.0, 0.5, 3.0]}, COUNT, _zip_logpmf, None),
    ("ZeroInflatedBinomial", {"psi": [0.0, 0.4, 1.0], "n": [0, 5], "p": [0.0, 0.3]}, np.append(COUNT, [6]),
     lambda x, psi, n, p: _zi(x, psi, stats.binom.logpmf(x, n, p)), None),
    ("ZeroInflatedNegativeBinomial", {"psi": [0.0, 0.4, 1.0], "mu": [0.5, 4.0], "alpha": [0.7, 3.0]}, COUNT,
     lambda x, psi, mu, alpha: _zi(x, psi, stats.nbinom.logpmf(x, alpha, alpha / (mu + alpha))), None),
    ("DiscreteWeibull", {"q": [0.2, 0.8], "beta": [0.5, 1.0, 2.0]}, COUNT,
     lambda x, q, beta: np.where(x >= 0, np.log(q ** (np.maximum(x, 0) ** beta) - q ** ((np.maximum(x, 0) + 1) ** beta)), -np.inf),
     lambda x, q, beta: np.where(x >= 0, np.log1p(-q ** ((np.maximum(x, 0) + 1) ** beta)), -np.inf)),
]


def _zi(x, psi, logpmf):
    with np.errstate(divide="ignore"):
        return np.where(x == 0, np.log((1 - psi) + psi * np.exp(logpmf)), np.log(psi) + logpmf)

# (name, params, scipy frozen distribution) for the moments / KS check of draws
DRAWS = [
    ("Normal", {"mu": 1.0, "sigma": 2.0}, stats.norm(1.0, 2.0)),
    ("HalfNormal", {"sigma": 2.0}, stats.halfnorm(scale=2.0)),
    ("HalfCauchy", {"beta": 1.5}, stats.halfcauchy(scale=1.5)),
    ("Cauchy", {"alpha": 1.0, "beta": 1.5}, stats.cauchy(1.0, 1.5)),
    ("StudentT", {"nu": 4.0, "mu": 1.0, "sigma": 2.0}, stats.t(4.0, 1.0, 2.0)),
    ("Exponential", {"lam": 2.0}, stats.expon(scale=0.5)),
    ("Gamma", {"alpha": 2.0, "beta": 3.0}, stats.gamma(2.0, scale=1 / 3.0)),
    ("Gamma", {"mu": 2.0, "sigma": 1.0}, stats.gamma(4.0, scale=0.5)),
    ("InverseGamma", {"alpha": 3.0, "beta": 2.0}, stats.invgamma(3.0, scale=2.0)),
    ("Beta", {"alpha": 2.0, "beta": 5.0}, stats.beta(2.0, 5.0)),
    ("Uniform", {"lower": -1.0, "upper": 3.0}, stats.uniform(-1.0, 4.0)),
    ("Lognormal", {"mu": 0.3, "sigma": 0.5}, stats.lognorm(0.5, scale=np.exp(0.3))),
    ("Laplace", {"mu": 0.3, "b": 0.5}, stats.laplace(0.3, 0.5)),
    ("Logistic", {"mu": 0.3, "s": 0.5}, stats.logistic(0.3, 0.5)),
    ("Weibull", {"alpha": 1.5, "beta": 2.0}, stats.weibull_min(1.5, scale=2.0)),
    ("ChiSquared", {"nu": 3.0}, stats.chi2(3.0)),
    ("TruncatedNormal", {"mu": 0.0, "sigma": 1.0, "lower": -0.5, "upper": 2.0}, stats.truncnorm(-0.5, 2.0)),
]

DRAWS += [
    ("HalfStudentT", {"nu": 4.0, "sigma": 2.0}, stats.halfcauchy(scale=1) if False else None),
    ("Pareto", {"alpha": 3.0, "m": 0.5}, stats.pareto(3.0, scale=0.5)),
    ("Gumbel", {"mu": 0.5, "beta": 2.0}, stats.gumbel_r(0.5, 2.0)),
    ("Triangular", {"lower": -1.0, "c": 0.2, "upper": 2.0}, stats.triang(0.4, -1.0, 3.0)),
    ("ExGaussian", {"mu": 0.5, "sigma": 1.0, "nu": 2.0}, stats.exponnorm(2.0, 0.5, 1.0)),
    ("Wald", {"mu": 2.0, "lam": 3.0}, stats.invgauss(2.0 / 3.0, scale=3.0)),
    ("Moyal", {"mu": 0.5, "sigma": 2.0}, stats.moyal(0.5, 2.0)),
    ("AsymmetricLaplace", {"b": 2.0, "kappa": 3.0, "mu": 1.0}, stats.laplace_asymmetric(3.0, 1.0, 0.5)),
]
DRAWS += [
    ("SkewNormal", {"mu": 0.5, "sigma": 2.0, "alpha": -3.0}, stats.skewnorm(-3.0, 0.5, 2.0)),
    ("VonMises", {"mu": 0.5, "kappa": 2.0}, stats.vonmises(2.0, loc=0.5)),
    ("Rice", {"nu": 1.5, "sigma": 0.8}, stats.rice(1.5 / 0.8, scale=0.8)),
    ("Rice", {"b": 1.5, "sigma": 0.8}, stats.rice(1.5, scale=0.8)),
]
DRAWS = [d for d in DRAWS if d[2] is not None]

DISCRETE_DRAWS = [
    ("Poisson", {"mu": 3.5}, stats.poisson(3.5)),
    ("Binomial", {"n": 10, "p": 0.3}, stats.binom(10, 0.3)),
    ("Bernoulli", {"p": 0.3}, stats.bernoulli(0.3)),
    ("DiscreteUniform", {"lower": -2, "upper": 4}, stats.randint(-2, 5)),
    ("Geometric", {"p": 0.3}, stats.geom(0.3)),
    ("NegativeBinomial", {"mu": 3.0, "alpha": 2.0}, stats.nbinom(2.0, 2.0 / 5.0)),
    ("BetaBinomial", {"alpha": 2.0, "beta": 3.0, "n": 10}, stats.betabinom(10, 2.0, 3.0)),
]
