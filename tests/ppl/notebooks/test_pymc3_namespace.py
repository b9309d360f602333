"""``from arignote.ppl import *`` gives the names ``from pymc3 import *`` gave that the
notebooks use (PyMC3 3.x), and the ArviZ bridge leaves ArviZ's own behaviour alone.

Deliberate differences: the variational API, SMC, ODE and GP modules are not provided.
"""
import numpy as np

NOTEBOOK_NAMES = """
Model Normal HalfNormal HalfCauchy HalfStudentT Lognormal LogNormal Bound Mixture NormalMixture
Dirichlet Categorical Bernoulli Poisson DiscreteUniform Exponential Uniform Beta Gamma StudentT
MvNormal LKJCholeskyCov GaussianRandomWalk DensityDist Continuous Discrete Deterministic Potential
Data set_data sample sample_prior_predictive sample_posterior_predictive fast_sample_posterior_predictive
find_MAP NUTS HamiltonianMC Metropolis Slice BinaryMetropolis BinaryGibbsMetropolis
CategoricalGibbsMetropolis ElemwiseCategorical CompoundStep ArrayStep BlockedStep init_nuts
summary traceplot plot_posterior forestplot trace_to_dataframe hpd hdi effective_n gelman_rubin
modelcontext Point floatX ImputationWarning logsumexp logaddexp logit invlogit probit invprobit
expand_packed_triangular glm GLM LinearComponent families loo waic compare math transforms stats from_pymc3 MultiTrace
""".split()


def test_star_import_exports_the_notebook_names():
    ns = {}
    exec("from arignote.ppl import *", ns)
    missing = [n for n in NOTEBOOK_NAMES if n not in ns]
    assert missing == []
    assert ns["GLM"] is ns["glm"].GLM and callable(ns["glm"].GLM.from_formula)
    assert np.isclose(ns["invprobit"](ns["probit"](0.3)).eval(), 0.3)


def test_bridge_is_installed_when_arviz_is_imported_later():
    import subprocess
    import sys

    code = ("import arignote.ppl as pm, sys; assert 'arviz' not in sys.modules; import arviz as az; "
            "from arviz.data import converters; "
            "assert az.from_pymc3 is pm.from_pymc3; "
            "assert hasattr(converters.convert_to_inference_data, '__arignote_wrapped__'); "
            "print(type(az.convert_to_inference_data({'x': [[1.0, 2.0]]})).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "InferenceData"
