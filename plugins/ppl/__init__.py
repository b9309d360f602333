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
from .math import (expand_packed_triangular, invprobit, probit, abs, and_, ceil, clip, concatenate, constant, cos, cumsum, dot, eq, erf, erfc, exp, expm1, floor,
                   ge, gt, invlogit, le, log, log1p, logaddexp, logit, logsumexp, lt, maximum, minimum, neq, or_, prod,
                   sigmoid, sin, sqr, sqrt, stack, sum, switch, tan, tanh, where, logdiffexp, log1mexp, log1pexp)
from .blocking import ArrayOrdering, DictToArrayBijection, DictToVarBijection
from .exceptions import (DtypeError, ImputationWarning, IncorrectArgumentsError, SamplingError, ShapeError,
                         ShapeWarning, TraceDirectoryError)
from .factor import Factor
from .model import Deterministic, Model, Point, Potential, compilef, fastfn, fn, set_data
from .model_graph import model_to_graphviz
from .theanof import (CallableTensor, cont_inputs, floatX, generator, gradient, hessian, hessian_diag,
                      inputvars, intX, jacobian, join_nonshared_inputs, make_shared_replacements,
                      set_tt_rng, smartfloatX, take_along_axis, tt_rng)
from .tuning import find_hessian, find_hessian_diag, find_MAP, guess_scaling, trace_cov
from .vartypes import (bool_types, complex_types, continuous_types, discrete_types, float_types, int_types,
                       isgenerator, typefilter)
from .prior import draw, sample_prior_predictive
from .variables import FreeRV, ObservedRV, TransformedRV


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
from arignote.plugins.samplers import (HMC, NUTS, ArrayStep, BinaryGibbsMetropolis, BlockedStep, ElemwiseCategorical, BinaryMetropolis,  # noqa: E402
                                       CategoricalGibbsMetropolis, CauchyProposal, CompoundStep,
                                       LaplaceProposal, Metropolis, MultivariateNormalProposal,
                                       NormalProposal, PoissonProposal, SamplingError, Slice,
                                       UniformProposal)
from .plots import (autocorrplot, densityplot, energyplot, forestplot, pairplot,  # noqa: E402
                    plot_autocorr, plot_density, plot_energy, plot_forest, plot_pair,
                    plot_posterior, plot_trace, traceplot, compareplot, kdeplot, plot_compare, plot_kde)
from .sampling import init_nuts, sample  # noqa: E402
from .sampling_assign import assign_step_methods  # noqa: E402
from .sampling_iter import iter_sample  # noqa: E402
from .sampling_predictive import (fast_sample_posterior_predictive,  # noqa: E402
                                  sample_posterior_predictive, sample_posterior_predictive_w, sample_ppc)
from .stats import (bfmi, compare, df_summary, r2_score, effective_n, ess, gelman_rubin, hdi, hpd, loo, mcse, rhat, waic,  # noqa: E402
                    summary, to_inference_data)
from .trace import MultiTrace, NDArray, merge_traces, trace_to_dataframe  # noqa: E402
from .trace_io import load_trace, point_list_to_multitrace, save_trace  # noqa: E402

HamiltonianMC = HMC
from . import arviz_bridge as _arviz_bridge  # noqa: E402
from . import glm  # noqa: E402  (``from pymc3 import *`` gave glm, GLM, LinearComponent, families)
from .arviz_bridge import from_pymc3  # noqa: E402
from .glm import GLM, LinearComponent, families  # noqa: E402
from .glm import plot_posterior_predictive as plot_posterior_predictive_glm  # noqa: E402

_arviz_bridge.register()

from . import variational  # noqa: E402  (issue 23: PyMC3's variational API)
from .variational import (ADVI, Approximation, FullRank, FullRankADVI, Inference, MeanField,  # noqa: E402
                          adadelta, adagrad, adagrad_window, adam, adamax, callbacks, fit, momentum,
                          nesterov_momentum, rmsprop, sample_approx, sgd)

# -- issue 23 (i23): SMC/ABC and the remaining PyMC3 3.11 step methods --
from . import smc  # noqa: E402
from .smc import sample_smc  # noqa: E402
from arignote.plugins.samplers import DEMetropolis, DEMetropolisZ, EllipticalSlice  # noqa: E402
from arignote.plugins.samplers import (MLDA, DEMetropolisZMLDA, MetropolisMLDA,  # noqa: E402
                                       RecursiveDAProposal, extract_Q_estimate)
from . import step_methods  # noqa: E402  (PyMC3's pymc3.step_methods[.mlda] import paths)

# -- issue 23 (i23b): Gaussian processes, KroneckerNormal and the Kronecker math helpers --
from . import gp  # noqa: E402
from .distributions import KroneckerNormal  # noqa: E402

# -- issue 23 (i23c): ode, Minibatch, variational extras --
from . import ode  # noqa: E402
from .minibatch import Minibatch, align_minibatches  # noqa: E402
from .variational import (ASVGD, NFVI, SVGD, Empirical, ImplicitGradient, KLqp, NormalizingFlow,  # noqa: E402
                          apply_momentum, apply_nesterov_momentum, approximations, flows, inference,
                          norm_constraint, total_norm_constraint)

from .data_files import get_data  # noqa: E402

# -- issue 23 (i23d): BART and its particle Gibbs sampler --
from arignote.plugins.samplers import PGBART  # noqa: E402
