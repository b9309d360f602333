"""``Simulator``: a likelihood-free observed variable for ABC with
``sample_smc(kernel='ABC')`` (PyMC3 3.11's signature and distances).

Its log-density is zero (PyMC3's NoDistribution); ``sample_smc`` replaces it
with a pseudo-likelihood comparing summary statistics of simulated and
observed data.
"""
from __future__ import annotations

import numpy as np

from .base import NoDistribution, draw_values

__all__ = ["Simulator", "gaussian", "laplace", "KullbackLeibler", "SUM_STATS"]


def gaussian(epsilon, obs_data, sim_data):
    """Gaussian kernel: -0.5 ((obs - sim) / epsilon)**2, elementwise."""
    return -0.5 * ((obs_data - sim_data) / epsilon) ** 2


def laplace(epsilon, obs_data, sim_data):
    """Laplace kernel: -|obs - sim| / epsilon, elementwise."""
    return -np.abs((obs_data - sim_data) / epsilon)


class KullbackLeibler:
    """The nearest-neighbour estimate of KL(observed || simulated) (Pérez-Cruz
    2008), negated and scaled by ``1/epsilon``; works on raw samples."""

    def __init__(self, obs_data):
        from scipy.spatial import cKDTree

        obs = np.asarray(obs_data, dtype=float)
        obs = obs[:, None] if obs.ndim == 1 else obs
        n, d = obs.shape
        if n < 2:
            raise ValueError("kullback_leibler needs at least 2 observations")
        rho, _ = cKDTree(obs).query(obs, 2)
        self.rho = rho[:, 1]
        self.d_n = d / n
        self.log_r = np.log(n / (n - 1))
        self.obs = obs

    def __call__(self, epsilon, obs_data, sim_data):
        from scipy.spatial import cKDTree

        sim = np.asarray(sim_data, dtype=float)
        sim = sim[:, None] if sim.ndim == 1 else sim
        nu, _ = cKDTree(sim).query(self.obs, 1)
        return self.d_n * np.sum(-np.log(nu / self.rho) / epsilon) + self.log_r


SUM_STATS = {"identity": lambda x: x, "sort": np.sort, "mean": np.mean, "median": np.median}
_DISTANCES = {"gaussian": gaussian, "laplace": laplace}


class Simulator(NoDistribution):
    """``Simulator(name, function, *params, distance='gaussian',
    sum_stat='identity', epsilon=1, observed=data)``.

    ``function(*param_values)`` returns simulated data like ``observed``;
    ``params`` are model variables or constants (``params=`` as a keyword
    is PyMC3 3.10's spelling, accepted too). ``distance``: 'gaussian',
    'laplace', 'kullback_leibler' or ``f(epsilon, obs_stat, sim_stat)``;
    ``sum_stat``: 'identity', 'sort', 'mean', 'median' or a callable."""

    def __init__(self, function, *args, params=None, distance="gaussian", sum_stat="identity", epsilon=1,
                 shape=None, dtype=None, testval=0, **kwargs):
        if not callable(function):
            raise TypeError(f"Simulator: function must be callable, got {type(function).__name__}")
        if args and params is not None:
            raise TypeError("Simulator: give the parameters either positionally or as params=, not both")
        params = list(args if params is None else params)
        if not params:
            raise ValueError("Simulator needs at least one parameter for the simulator function")
        super().__init__(shape=shape, dtype=dtype, testval=testval, **kwargs)
        self.function = function
        self.params = [self.param(f"param_{i}", p) for i, p in enumerate(params)]
        epsilon = float(epsilon)
        if not epsilon > 0:
            raise ValueError(f"Simulator: epsilon must be positive, got {epsilon}")
        self.epsilon = epsilon
        self.distance_name = distance if isinstance(distance, str) else getattr(distance, "__name__", "callable")
        self.sum_stat = self._sum_stat(sum_stat, distance)
        if not callable(distance) and distance not in _DISTANCES and distance != "kullback_leibler":
            raise NameError(f"The distance metric {distance} is not implemented (choose from "
                            f"'gaussian', 'laplace', 'kullback_leibler' or pass a callable)")
        self.distance = distance  # resolved against the observations by ``bind``

    @staticmethod
    def _sum_stat(sum_stat, distance):
        if callable(sum_stat):
            return sum_stat
        if sum_stat not in SUM_STATS:
            raise NameError(f"The summary statistic {sum_stat} is not implemented "
                            f"(choose from {sorted(SUM_STATS)} or pass a callable)")
        if distance == "kullback_leibler" and sum_stat != "identity":
            raise ValueError("Simulator: distance='kullback_leibler' works on the raw data; use "
                             "sum_stat='identity'")
        return SUM_STATS[sum_stat]

    def bind(self, observations):
        """The distance function for these observations (a callable)."""
        distance = self.distance
        if callable(distance):
            return distance
        if distance == "kullback_leibler":
            return KullbackLeibler(observations)
        return _DISTANCES[distance]

    def simulate(self, values):
        return np.asarray(self.function(*values))

    def random(self, point=None, size=None):
        values = draw_values(self.params, point=point)
        if size is None:
            return self.simulate(values)
        n = int(np.prod(np.atleast_1d(size)))
        draws = np.stack([self.simulate(values) for _ in range(n)])
        return draws.reshape(tuple(np.atleast_1d(size)) + draws.shape[1:])
