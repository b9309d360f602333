"""The seed's linear model: y = 1 + 2 x + noise, fitted with ``glm.GLM.from_formula('y ~ x', data)``."""
import numpy as np

import arignote.ppl as pm

size = 100
true_intercept = 1
true_slope = 2

_rng = np.random.default_rng(20)
x = np.linspace(0, 1, size)
y = true_intercept + x * true_slope + _rng.normal(scale=0.5, size=size)
data = {"x": x, "y": y}

with pm.Model() as model:
    pm.glm.GLM.from_formula("y ~ x", data)


def run(n=2000):
    if n == "short":
        n = 50
    with model:
        return pm.sample(n)


if __name__ == "__main__":
    run()
