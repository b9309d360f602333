"""The British coal-mining disasters (1851-1961) and the seed's two changepoint models.

``disasters_data`` counts the disasters of each year; ``years`` is their number.
``original_model()`` samples the discrete ``switchpoint`` (Metropolis beside
NUTS); ``marginal_model()`` sums it out into a ``Potential``, so NUTS alone
fits it.  Each call builds a fresh model.
"""
import numpy as np

import arignote.ppl as pm

disasters_data = np.array([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6,
                           3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4, 2, 5,
                           2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0,
                           1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1,
                           0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2,
                           3, 3, 1, 1, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4,
                           0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1])
years = len(disasters_data)
first_year = 1851


def _rates():
    early_mean = pm.Exponential("early_mean", lam=1.0)
    late_mean = pm.Exponential("late_mean", lam=1.0)
    return early_mean, late_mean


def marginal_model():
    """The switchpoint summed out: log(1/years * sum_s prod_t Poisson(y_t | rate_s(t)))."""
    with pm.Model() as model:
        early_mean, late_mean = _rates()
        s, t = np.array([(t_, s_) for t_ in range(years) for s_ in range(years)]).T
        per_switch = (pm.Poisson.dist(pm.switch(t < s, early_mean, late_mean))
                      .logp(disasters_data[t]).reshape((years, years)).sum(1))
        pm.Potential("disasters", pm.logsumexp(per_switch - np.log(years)))
    return model


def original_model():
    """The switchpoint as a DiscreteUniform variable; rates switch where ``switchpoint >= year``."""
    with pm.Model() as model:
        switchpoint = pm.DiscreteUniform("switchpoint", lower=0, upper=years)
        early_mean, late_mean = _rates()
        rate = pm.switch(switchpoint >= np.arange(years), early_mean, late_mean)
        pm.Poisson("disasters", rate, observed=disasters_data)
    return model


def run(n=2000):
    """Sample both models (``n='short'``: a quick run)."""
    if n == "short":
        n = 100
    with marginal_model():
        marginal = pm.sample(n)
    with original_model():
        original = pm.sample(n)
    return marginal, original


if __name__ == "__main__":
    run()
