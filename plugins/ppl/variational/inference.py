"""``ADVI``/``FullRankADVI`` and ``fit``: stochastic maximisation of the ELBO.

The loss is ``-(mean_i logp(mu + L eps_i) + entropy)`` over ``obj_n_mc`` standard normal
draws ``eps_i`` (reparameterisation gradients).  The model's log-density graph is cloned
once per draw with its free variables replaced by the draw, differentiated symbolically
and compiled once, with the optimiser's updates, into a single step function.
"""
from __future__ import annotations

import logging
import warnings

import numpy as np

import arignote
import arignote.tensor as T
from arignote.graph import clone_graph

from .approximations import FullRank, MeanField
from .updates import adagrad_window

_log = logging.getLogger("arignote.ppl")


class Inference:
    """Fits an approximation by optimising its parameters; ``hist`` holds the losses (-ELBO).

    ``approx`` (an Approximation instance) replaces the one the class would build.
    Subclasses give the parameters' gradients in ``_objective`` (with the loss when
    ``returns_loss``).
    """

    approximation_class = None
    returns_loss = True
    default_obj_n_mc = 1

    def __init__(self, model=None, random_seed=None, start=None, approx=None, **approx_kwargs):
        if approx is None:
            approx = self.approximation_class(model=model, start=start, random_seed=random_seed, **approx_kwargs)
        elif approx_kwargs or start is not None:
            raise TypeError(f"{type(self).__name__}: give either an approximation or its arguments, not both")
        self.approx = approx
        self._rng = np.random.RandomState(random_seed)
        self._step = None
        self._step_key = None

    @property
    def hist(self):
        """The losses (-ELBO estimates) of every step so far (also ``approx.hist``)."""
        return self.approx.hist

    @property
    def model(self):
        return self.approx.model

    def _loss(self, eps, n_mc):
        approx = self.approx
        terms = [model_logp_at(approx, approx.symbolic_sample(eps[i]), approx.local_givens()) for i in range(n_mc)]
        mean_lp = terms[0] if n_mc == 1 else sum(terms[1:], terms[0]) / n_mc
        return -(mean_lp + approx.symbolic_entropy_of(eps) + approx.local_entropy)

    def _objective(self, eps, n_mc, params):
        """``(loss, gradients of params)`` for the draws ``eps`` (n_mc, ddim)."""
        loss = self._loss(eps, n_mc)
        return loss, T.grad(loss, params)

    def _compile(self, obj_n_mc, obj_optimizer, total_grad_norm_constraint, more_obj_params=()):
        eps = T.dmatrix("eps")
        params = list(self.approx.params) + list(more_obj_params)
        loss, grads = self._objective(eps, obj_n_mc, params)
        if total_grad_norm_constraint is not None:
            norm = T.sqrt(sum((g ** 2).sum() for g in grads))
            scale = T.minimum(1.0, total_grad_norm_constraint / (norm + 1e-7))
            grads = [g * scale for g in grads]
        updates = obj_optimizer(grads, params)
        return arignote.function([eps], loss if self.returns_loss else [], updates=updates,
                                 on_unused_input="ignore")

    def step_function(self, obj_n_mc=None, obj_optimizer=adagrad_window, total_grad_norm_constraint=None,
                      more_obj_params=None):
        """The compiled optimisation step ``f(eps) -> loss`` (cached per settings);
        ``more_obj_params`` (shared variables, e.g. an encoder's weights) are optimised too."""
        obj_n_mc = self.default_obj_n_mc if obj_n_mc is None else obj_n_mc
        more = tuple(more_obj_params or ())
        key = (int(obj_n_mc), obj_optimizer, total_grad_norm_constraint, more)
        if self._step is None or self._step_key != key:
            if int(obj_n_mc) < 1:
                raise ValueError(f"obj_n_mc must be a positive integer, got {obj_n_mc}")
            self._step = self._compile(int(obj_n_mc), obj_optimizer, total_grad_norm_constraint, more)
            self._step_key = key
        return self._step

    def _run_step(self, step, n_mc, i):
        """One step; its loss (NaN when the method gives none). FloatingPointError on NaN."""
        out = step(self._rng.standard_normal((n_mc, self.approx.ddim)))
        if self.returns_loss:
            loss = float(out)
            if not np.isfinite(loss):
                raise FloatingPointError(f"NaN occurred in optimization at iteration {i} "
                                         f"(loss {loss}); try a smaller learning rate or another start")
            return loss
        if not np.all(np.isfinite(self.approx.params[0].get_value(borrow=True))):
            raise FloatingPointError(f"NaN occurred in optimization at iteration {i}; "
                                     "try a smaller learning rate or another start")
        return np.nan

    def fit(self, n=10000, score=None, callbacks=None, progressbar=True, obj_n_mc=None,
            obj_optimizer=adagrad_window, total_grad_norm_constraint=None, more_obj_params=None, **kwargs):
        """Run ``n`` optimisation steps; returns the approximation (``self.hist`` grows by the losses).

        A callback ``cb(approx, losses, i)`` may raise StopIteration to end the fit early
        (``losses`` is None for methods without a loss, SVGD and ASVGD).
        """
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword arguments {sorted(kwargs)}")
        n = int(n)
        if n < 0:
            raise ValueError(f"fit: n must be >= 0, got {n}")
        if score and not self.returns_loss:
            warnings.warn(f"method `fit` got `score == True` but {type(self).__name__} does not return loss. "
                          "Ignoring `score` argument")
        obj_n_mc = self.default_obj_n_mc if obj_n_mc is None else int(obj_n_mc)
        step = self.step_function(obj_n_mc, obj_optimizer, total_grad_norm_constraint, more_obj_params)
        callbacks = list(callbacks or ())
        losses = np.empty(n)
        done = 0
        bar = _progress(n, progressbar)
        try:
            for i in range(n):
                losses[i] = self._run_step(step, obj_n_mc, i)
                done = i + 1
                if bar is not None:
                    bar.update(1)
                    if self.returns_loss and i % 10 == 0:
                        bar.set_postfix_str(f"Average Loss = {np.mean(losses[max(0, i - 99):i + 1]):,.5g}", refresh=False)
                for cb in callbacks:
                    cb(self.approx, losses[:done] if self.returns_loss else None, i)
        except StopIteration as stop:
            _log.info("Convergence achieved at %d", done)
        except KeyboardInterrupt:
            _log.info("Interrupted at %d", done)
        finally:
            if bar is not None:
                bar.close()
            if self.returns_loss:
                self.approx.hist = np.concatenate([self.approx.hist, losses[:done]])
        return self.approx

    def refine(self, n, progressbar=True):
        """Continue the last fit for ``n`` more steps with the same settings."""
        if self._step_key is None:
            raise TypeError("refine() needs a previous fit()")
        obj_n_mc, opt, norm, more = self._step_key
        return self.fit(n, progressbar=progressbar, obj_n_mc=obj_n_mc, obj_optimizer=opt,
                        total_grad_norm_constraint=norm, more_obj_params=list(more))


def model_logp_at(approx, z, replace=None):
    """The model's log-density with its free variables read from the flat vector ``z`` (and the
    further substitutions ``replace``)."""
    replace = {**dict(approx.point_givens(z)), **(replace or {})}
    keep = list(replace.values())  # the substitutes as they are (a drawn minibatch must not be drawn again)
    return clone_graph(keep, [approx.model.logpt], replace=replace, copy_inputs=False)[1][0]


def _progress(n, progressbar):
    if not progressbar:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=n, leave=True)


class ADVI(Inference):
    """Automatic Differentiation Variational Inference with a mean-field Gaussian."""

    approximation_class = MeanField


class FullRankADVI(Inference):
    """ADVI with a full-rank Gaussian (captures correlations between variables)."""

    approximation_class = FullRank


class KLqp(Inference):
    """KL(q || p) minimisation (the ELBO) for a given approximation: ``KLqp(approx).fit(...)``."""

    def __init__(self, approx, beta=1.0):
        if beta != 1.0:
            raise NotImplementedError("KLqp: only beta=1 (the ELBO) is provided")
        super().__init__(approx=approx)


def _methods():
    from .flows import NFVI
    from .stein import ASVGD, SVGD

    return {"advi": ADVI, "fullrank_advi": FullRankADVI, "svgd": SVGD, "asvgd": ASVGD, "nfvi": NFVI}


def fit(n=10000, local_rv=None, method="advi", model=None, random_seed=None, start=None,
        inf_kwargs=None, **kwargs):
    """Fit an approximation by ``method`` and return it: 'advi', 'fullrank_advi', 'svgd', 'asvgd',
    'nfvi' (the 'scale-loc' flow), 'nfvi=<formula>' (e.g. 'nfvi=planar*3-loc') or an Inference.

    ``kwargs`` go to ``Inference.fit`` (``progressbar``, ``obj_optimizer``, ``callbacks``,
    ``obj_n_mc``, ``total_grad_norm_constraint``).
    """
    inf_kwargs = dict(inf_kwargs or {})
    if local_rv is not None:
        inf_kwargs["local_rv"] = local_rv
    if start is not None:
        inf_kwargs["start"] = start
    _select = _methods()
    if isinstance(method, str):
        key = method.lower()
        if key.startswith("nfvi="):
            inference = _select["nfvi"](key[5:], model=model, random_seed=random_seed, **inf_kwargs)
        elif key not in _select:
            raise KeyError(f"method should be one of {set(_select)} or Inference instance, got {method!r}")
        else:
            inference = _select[key](model=model, random_seed=random_seed, **inf_kwargs)
    elif isinstance(method, Inference):
        inference = method
    else:
        raise TypeError(f"method should be one of {set(_select)} or Inference instance, got {type(method).__name__}")
    return inference.fit(n, **kwargs)


def sample_approx(approx, draws=100, include_transformed=True):
    """``approx.sample(draws, include_transformed)`` (PyMC3's function form)."""
    return approx.sample(draws=draws, include_transformed=include_transformed)
