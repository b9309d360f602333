"""The seed's linear regression as a model, shared by the sampler tests."""

from __future__ import annotations

import numpy as np

import arignote.ppl as pm


def linear_model():
    """(model, x, y): y = 1 + 2x + N(0, 0.5) on 100 points, with the seed's priors."""
    rng = np.random.default_rng(42)
    x = rng.uniform(-1, 1, 100)
    y = 1.0 + 2.0 * x + rng.normal(0, 0.5, 100)
    with pm.Model() as model:
        a = pm.Normal("Intercept", 0, sigma=20)
        b = pm.Normal("x", 0, sigma=20)
        s = pm.HalfCauchy("sd", beta=10)
        pm.Normal("y", a + b * x, sigma=s, observed=y)
    return model, x, y
