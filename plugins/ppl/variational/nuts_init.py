"""NUTS initialisation by ADVI (``sample(init='advi' | 'advi+adapt_diag' | 'advi_map')``), as
PyMC3 3.11's ``init_nuts``: a mean-field fit stopped by parameter convergence gives each chain's
start (a draw of the approximation) and the diagonal mass matrix: the approximation's
variances, fixed for 'advi'/'advi_map', the warm-up's starting matrix for 'advi+adapt_diag'."""
from __future__ import annotations

import numpy as np

from .callbacks import CheckParametersConvergence
from .inference import ADVI

ADVI_INITS = ("advi", "advi+adapt_diag", "advi_map")


def advi_init(init, chains, model, start=None, random_seed=None, n_init=200000, progressbar=False):
    """``(starts, variance)``: one start point per chain and the approximation's variances in
    the model's free-variable order."""
    if init not in ADVI_INITS:
        raise ValueError(f"advi_init: init must be one of {ADVI_INITS}, got {init!r}")
    if init == "advi_map":
        from ..tuning import find_MAP

        start = find_MAP(start=start, model=model, progressbar=False)
    inference = ADVI(model=model, random_seed=random_seed, start=start)
    callbacks = [CheckParametersConvergence(tolerance=1e-2, diff="absolute"),
                 CheckParametersConvergence(tolerance=1e-2, diff="relative")]
    approx = inference.fit(n_init, callbacks=callbacks, progressbar=progressbar)
    draws = approx.sample(chains)
    names = [v.name for v in approx.vars]
    base = model.test_point
    starts = []
    for i in range(chains):
        point = dict(base)
        point.update({n: np.array(draws.get_values(n)[i]) for n in names})
        starts.append(point)
    return starts, np.asarray(approx.std.eval()) ** 2
