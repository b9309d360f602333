"""arignote.ppl: PyMC3's modelling API on arignote (``import arignote.ppl as pm``).

Models, distributions, transforms and log-densities live here; samplers,
traces and diagnostics are re-exported at the end of this module.
Distributions registered by other packages through the
``arignote_register_distributions`` hook are importable from here too.
"""
from __future__ import annotations

from . import distributions, math, transforms
from .context import modelcontext
from .data import ConstantData, Data, MutableData
from .distributions import *  # noqa: F401,F403
from .distributions import Continuous, DensityDist, Discrete, Distribution, NoDistribution, draw_values
from .distributions.dist_math import bound
from .graph_eval import evaluate
from .math import (abs, and_, ceil, clip, concatenate, constant, cos, cumsum, dot, eq, erf, erfc, exp, expm1, floor,
                   ge, gt, invlogit, le, log, log1p, logaddexp, logit, logsumexp, lt, maximum, minimum, neq, or_, prod,
                   sigmoid, sin, sqr, sqrt, stack, sum, switch, tan, tanh, where, logdiffexp, log1mexp, log1pexp)
from .model import Deterministic, Model, Point, Potential, set_data
from .tuning import find_MAP
from .prior import draw, sample_prior_predictive
from .variables import FreeRV, ObservedRV, TransformedRV

floatX = None  # set below


def _floatx(x):
    import numpy as np

    from arignote import config

    return np.asarray(x, dtype=config.floatX)


floatX = _floatx


def __getattr__(name):
    # distributions added by other packages through the hook
    from arignote import plugin_manager

    rec = plugin_manager.distributions().get(name)
    if rec is not None:
        return rec.factory
    if name in ("examples", "glm"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'arignote.ppl' has no attribute {name!r}")


# -- sampling (issue 14) --
from arignote.plugins.samplers import (HMC, NUTS, BinaryGibbsMetropolis, BinaryMetropolis,  # noqa: E402
                                       CategoricalGibbsMetropolis, CauchyProposal, CompoundStep,
                                       LaplaceProposal, Metropolis, MultivariateNormalProposal,
                                       NormalProposal, PoissonProposal, SamplingError, Slice,
                                       UniformProposal)
from .plots import (autocorrplot, densityplot, energyplot, forestplot, pairplot,  # noqa: E402
                    plot_autocorr, plot_density, plot_energy, plot_forest, plot_pair,
                    plot_posterior, plot_trace, traceplot)
from .sampling import init_nuts, sample  # noqa: E402
from .sampling_assign import assign_step_methods  # noqa: E402
from .sampling_predictive import (fast_sample_posterior_predictive,  # noqa: E402
                                  sample_posterior_predictive, sample_ppc)
from .stats import (df_summary, effective_n, ess, gelman_rubin, hdi, hpd, mcse, rhat,  # noqa: E402
                    summary, to_inference_data)
from .trace import MultiTrace, NDArray, merge_traces, trace_to_dataframe  # noqa: E402

HamiltonianMC = HMC
from .glm import plot_posterior_predictive as plot_posterior_predictive_glm  # noqa: E402
