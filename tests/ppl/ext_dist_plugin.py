"""A distribution added from outside arignote.ppl, through the registration hook (as a package would)."""
import numpy as np

import arignote.tensor as T
from arignote.hookspecs import DistributionRecord, hookimpl
from arignote.ppl import Continuous


class ExtGumbel(Continuous):
    """Gumbel (maximum) with location ``mu`` and scale ``beta``."""

    def __init__(self, mu=0.0, beta=1.0, **kwargs):
        self.mu = self.param("mu", mu)
        self.beta = self.param("beta", beta, (lambda v: v > 0, "must be positive"))
        self.mean = self.mu + self.beta * np.euler_gamma
        super().__init__(defaults=("mean",), **kwargs)

    def logp(self, value):
        z = (value - self.mu) / self.beta
        return -z - T.exp(-z) - T.log(self.beta)

    def _random(self, p, shape):
        return np.random.gumbel(p["mu"], p["beta"], shape)


@hookimpl
def arignote_register_distributions():
    return [DistributionRecord(name="ExtGumbel", factory=ExtGumbel)]
