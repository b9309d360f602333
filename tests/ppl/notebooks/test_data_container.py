"""PyMC3 3.11's data_container notebook: ``pm.Data`` with dims and coords carried
into the InferenceData (constant_data included), and out-of-sample prediction by
``set_data`` + ``sample_posterior_predictive`` (the logistic-regression cell), plus
the ``set_data`` docstring example.

Deliberate differences from PyMC3: short seeded runs with ``cores=1``; references
are conjugate closed forms and SciPy's logistic fit rather than the notebook's plots.
"""
import numpy as np
import pandas as pd
from scipy import optimize, special

import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)


def _temperatures():
    rng = np.random.default_rng(0)
    dates = pd.date_range(start="2020-05-01", end="2020-05-20")
    cities = ["Berlin", "San Marino", "Paris"]
    values = 15 + np.array([0.0, 3.0, 1.5]) + rng.normal(0, 0.5, (len(dates), 3))
    return pd.DataFrame(values, index=pd.Index(dates, name="date"), columns=pd.Index(cities, name="city"))


def test_coords_and_dims_reach_the_inference_data():
    df_data = _temperatures()
    coords = {"date": df_data.index, "city": df_data.columns}
    with pm.Model(coords=coords) as model:
        europe_mean = pm.Normal("europe_mean_temp", mu=15.0, sd=3.0)
        city_offset = pm.Normal("city_offset", mu=0.0, sd=3.0, dims="city")
        city_temperature = pm.Deterministic("city_temperature", europe_mean + city_offset, dims="city")
        data = pm.Data("data", df_data, dims=("date", "city"))
        pm.Normal("likelihood", mu=city_temperature, sd=0.5, observed=data)
        idata = pm.sample(200, tune=300, chains=2, random_seed=[1, 2], return_inferencedata=True, **FAST)
    assert model.RV_dims["city_offset"] == ("city",) and model.RV_dims["data"] == ("date", "city")
    post = idata.posterior
    assert post["city_temperature"].dims == ("chain", "draw", "city")
    assert list(post["city_temperature"].coords["city"].values) == ["Berlin", "San Marino", "Paris"]
    np.testing.assert_array_equal(idata.constant_data["data"].values, df_data.values)
    assert idata.constant_data["data"].dims == ("date", "city")
    # each city's temperature: nearly the mean of its column (prior sd 3 vs likelihood sd 0.5/sqrt(20))
    means = post["city_temperature"].mean(("chain", "draw")).values
    np.testing.assert_allclose(means, df_data.mean().values, atol=0.35)


def test_export_index_as_coords():
    df_data = _temperatures()
    with pm.Model() as model:
        pm.Data("data", df_data, export_index_as_coords=True)
    assert list(model.coords) == ["date", "city"]
    assert model.RV_dims["data"] == ("date", "city")


def test_out_of_sample_prediction_with_set_data():
    rng = np.random.default_rng(4)
    x = rng.normal(size=200)
    true_p = special.expit(-0.5 + 2.0 * x)
    y = (rng.random(200) < true_p).astype(int)
    with pm.Model() as model:
        x_data = pm.Data("x_data", x)
        coeff = pm.Normal("x", mu=0, sigma=1)
        intercept = pm.Normal("Intercept", mu=0, sigma=1)
        logit = intercept + coeff * x_data
        pm.Bernoulli("obs", p=pm.math.invlogit(logit), observed=y)
        trace = pm.sample(300, tune=300, chains=1, random_seed=3, **FAST)
        new_x = np.array([-1.0, 0.0, 1.0])
        pm.set_data({"x_data": new_x})
        np.random.seed(7)
        post_pred = pm.sample_posterior_predictive(trace, samples=300, var_names=["obs"])
    assert post_pred["obs"].shape == (300, 3)

    def neg(theta):  # MAP under the N(0, 1) priors: the posterior is nearly normal around it
        lin = theta[0] + theta[1] * x
        return -(y * lin - np.logaddexp(0, lin)).sum() + 0.5 * (theta ** 2).sum()

    a, b = optimize.minimize(neg, np.zeros(2)).x
    assert abs(trace["Intercept"].mean() - a) < 0.15 and abs(trace["x"].mean() - b) < 0.2
    expected = special.expit(trace["Intercept"][:, None] + trace["x"][:, None] * new_x).mean(0)
    np.testing.assert_allclose(post_pred["obs"].mean(0), expected, atol=0.12)


def test_set_data_docstring_example():
    with pm.Model() as model:
        x = pm.Data("x", [1.0, 2.0, 3.0])
        y = pm.Data("y", [1.0, 2.0, 3.0])
        beta = pm.Normal("beta", 0, 1)
        pm.Normal("obs", beta * x, 1, observed=y)
        trace = pm.sample(200, tune=200, chains=1, random_seed=2, **FAST)
    with model:
        pm.set_data({"x": [5.0, 6.0, 9.0]})
        y_test = pm.sample_posterior_predictive(trace)
    # conjugate: beta | data ~ N(sum(xy) / (1 + sum(x^2)), 1 / (1 + sum(x^2)))
    post_mean = 14.0 / 15.0
    assert abs(trace["beta"].mean() - post_mean) < 5 * np.sqrt(1 / 15) / np.sqrt(50)
    assert y_test["obs"].shape == (200, 3)
    np.testing.assert_allclose(y_test["obs"].mean(0), trace["beta"].mean() * np.array([5.0, 6.0, 9.0]),
                               atol=0.5)
