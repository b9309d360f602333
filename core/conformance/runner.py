"""The conformance runner: every registered op's cases on every requested backend,
compared with the reference (the 'py' backend without rewrites).

Cases are compiled in batches -- one function per batch, backend and mode -- so
that compiled backends build few modules; a batch that fails to compile or run
is split into single cases to find the culprit.  Gradients are compared with
the reference's on every backend, and checked against finite differences on
the reference once.
"""
from __future__ import annotations

import fnmatch
import traceback

import numpy as np

from .. import plugin_manager
from ..config import config
from .harness import (REFERENCE, REFERENCE_MODE, _as_list, case_arrays, check_gradient, describe_inputs,
                       reference_outputs, symbolic_inputs)
from . import specs
from .compare import mismatch
from .report import FAILED, FALLBACK, NATIVE, PASSED, Report, Result
from .values import same_values

DEFAULT_MODES = ("FAST_RUN", "NO_REWRITES")


def select_ops(records, patterns=None):
    """Names of the records matching ``patterns`` (names or shell patterns; None: all)."""
    names = list(records)
    if not patterns:
        return names
    if isinstance(patterns, str):
        patterns = [p for p in patterns.split(",") if p]
    chosen = []
    for p in patterns:
        hits = [n for n in names if fnmatch.fnmatchcase(n, p)]
        if not hits:
            raise ValueError(f"no registered op matches {p!r}; registered ops: {', '.join(sorted(names))}")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen


def collect_cases(ops=None, level="quick", report=None):
    """The OpCases of the selected registered ops (``level`` 'quick' or 'full').

    An op whose declaration cannot produce cases is reported as a failure (when
    ``report`` is given) and skipped; ops without cases are noted."""
    if level not in specs.LEVELS:
        raise ValueError(f"level must be one of {specs.LEVELS}, got {level!r}")
    records = plugin_manager.ops()
    out, without = [], []
    for name in select_ops(records, ops):
        rec = records[name]
        try:
            spec = specs.resolve(rec.cases)
            found = [] if spec is None else spec.cases(name, specs.applier(rec), level)
        except Exception as e:
            if report is None:
                raise
            report.add(Result("reference", name, "", "(declaration)", "", "reference", FAILED,
                              f"could not build the cases: {type(e).__name__}: {e}"))
            continue
        if not found:
            without.append(name)
        for c in found:
            c.op = c.op or name
            c.dtype = c.dtype or ",".join(sorted({np.asarray(a).dtype.name for a in c.inputs})) or "-"
        out.extend(found)
    if report is not None and without:
        report.notes.append(f"ops without conformance cases: {', '.join(without)}")
    return out


class Prepared:
    """A case's graph, with the reference's outputs and gradients."""

    def __init__(self, case, with_grad=True):
        self.case = case
        self.error = None
        self.xs = symbolic_inputs(case)
        self.outs = _as_list(case.build(*self.xs))
        self.ref = reference_outputs(case, self.xs, self.outs)
        self.grads, self.ref_grads = [], []
        if with_grad and case.grad:
            self._gradients()

    def _gradients(self):
        from ..function import function
        from ..gradient import grad
        from ..tensor import math as tm
        from ..tensor.variable import constant

        case = self.case
        wrt = [self.xs[k] for k in (case.wrt if case.wrt is not None else range(len(self.xs)))
               if np.asarray(case.inputs[k]).dtype.kind == "f"]
        rng = np.random.default_rng(99)
        terms = [tm.sum(o * constant(rng.standard_normal(np.shape(r)).astype(o.dtype)))
                 for o, r in zip(self.outs, self.ref) if o.dtype.startswith("float")]
        if not wrt or not terms:
            return
        cost = terms[0]
        for t in terms[1:]:
            cost = cost + t
        self.grads = _as_list(grad(cost, wrt, disconnected_inputs="ignore"))
        f = function(self.xs, self.grads, backend=REFERENCE, mode=REFERENCE_MODE, on_unused_input="ignore")
        with np.errstate(all="ignore"):
            self.ref_grads = [np.array(g, copy=True) for g in f(*[np.array(a, copy=True) for a in case.inputs])]


def prepare(case, with_grad=True):
    """A Prepared case, or one whose ``error`` says why the reference could not run it."""
    try:
        return Prepared(case, with_grad)
    except Exception as e:
        p = Prepared.__new__(Prepared)
        p.case, p.error = case, f"{type(e).__name__}: {e}"
        return p


def _result(p, backend, mode, check, status, message=""):
    c = p.case
    inputs = describe_inputs(c) if status == FAILED else ""
    return Result(backend, c.op or "?", c.dtype or "-", c.id, mode, check, status, message, inputs)


def _compare(p, got, backend, mode, path=""):
    n = len(p.outs)
    problems = []
    for k, (g, w) in enumerate(zip(got[:n], p.ref)):
        m = mismatch(g, w, p.case.rtol, p.case.atol, p.case.ulps)
        if m:
            problems.append(f"output {k}: {m}")
    out = [_result(p, backend, mode, "value", FAILED if problems else PASSED, "\n".join(problems))]
    out[0].path = path
    if p.grads and len(got) > n:
        gp = []
        for k, (g, w) in enumerate(zip(got[n:], p.ref_grads)):
            m = mismatch(g, w, p.case.rtol, p.case.atol)
            if m:
                gp.append(f"gradient {k}: {m}")
        out.append(_result(p, backend, mode, "grad", FAILED if gp else PASSED, "\n".join(gp)))
    return out


def run_batch(preps, backend, mode, label=None, grad=True):
    """Results of compiling ``preps`` together on ``backend`` in ``mode`` and comparing
    (outputs, and gradients with ``grad``)."""
    from ..function import function

    label = label or str(mode)
    xs = [x for p in preps for x in p.xs]
    outs = [o for p in preps for o in p.outs + (p.grads if grad else [])]
    try:
        f = function(xs, outs, backend=backend, mode=mode, on_unused_input="ignore")
        arrays = [case_arrays(p.case) for p in preps]
        pristine = [[a.copy() for a in arr] for arr in arrays]
        with np.errstate(all="ignore"):
            got = f(*[a for arr in arrays for a in arr])
    except Exception as e:
        if len(preps) > 1:
            return _split(preps, backend, mode, label, grad, e)
        msg = f"raised {type(e).__name__}: {e}"
        if config.debug:
            msg += "\n" + traceback.format_exc()
        return [_result(preps[0], backend, label, "value", FAILED, msg)]
    results, pos = [], 0
    paths = _paths(f, backend)
    for p, arr, before in zip(preps, arrays, pristine):
        k = len(p.outs) + (len(p.grads) if grad else 0)
        path = "" if paths is None else FALLBACK if any(paths[pos:pos + len(p.outs)]) else NATIVE
        mutated = [j for j, (a, b) in enumerate(zip(arr, before)) if not same_values(a, b)]
        if mutated:
            results.append(_result(p, backend, label, "value", FAILED, f"the backend mutated input(s) {mutated}"))
        else:
            results.extend(_compare(p, got[pos:pos + k], backend, label, path))
        pos += k
    return results


def _paths(f, backend):
    """Per output of the compiled ``f``: True where it depends on a node the backend runs
    through its NumPy fallback; None when the backend cannot tell (``fallback_nodes``)."""
    ask = getattr(plugin_manager.get_backend(backend), "fallback_nodes", None)
    if ask is None:
        return None
    fg = f.maker.fgraph
    tainted = set()
    fallback = set(map(id, ask(fg)))
    for node in fg.toposort():
        if id(node) in fallback or any(id(i) in tainted for i in node.inputs):
            tainted.update(id(o) for o in node.outputs)
    return [id(o) in tainted for o in fg.outputs]


def _split(preps, backend, mode, label, grad, exc):
    half = len(preps) // 2
    results = run_batch(preps[:half], backend, mode, label, grad) + run_batch(preps[half:], backend, mode, label, grad)
    if not any(r.status == FAILED for r in results):
        results.append(Result(backend, "(batch)", "-", f"{len(preps)} cases compiled together", label, "value",
                              FAILED, f"raised {type(exc).__name__}: {exc} only when the cases were compiled "
                              f"together: {', '.join(p.case.id for p in preps[:8])}..."))
    return results


def _backend_names(backends):
    status = {n: (ok, reason) for n, ok, reason, _p in plugin_manager.backend_status()}
    if backends is None:
        return list(status), status
    if isinstance(backends, str):
        backends = [b for b in backends.split(",") if b]
    unknown = [b for b in backends if b not in status]
    if unknown:
        raise ValueError(f"unknown backend(s) {', '.join(unknown)}; registered backends: {', '.join(status)}")
    return list(backends), status


def run_conformance(backends=None, ops=None, fuzz=0, level="quick", modes=DEFAULT_MODES, grad=True, fd=None,
                    seed=0, batch_size=150, fuzz_steps=6, progress=None):
    """Run the conformance suite; returns a :class:`Report`.

    ``backends``: names (list or comma-separated; None: every registered one;
    unavailable ones are reported as skipped with their reason); ``ops``: names
    or shell patterns of registered ops (None: all); ``fuzz``: random graphs per
    backend (needs hypothesis); ``modes``: the rewrite modes each case is
    compiled in (a case's own ``mode`` wins); ``grad``: also compare
    gradients with the reference's; ``fd`` (default: ``grad``): check the
    reference's gradients against finite differences.
    """
    fd = grad if fd is None else fd
    say = progress or (lambda msg: None)
    report = Report()
    names, status = _backend_names(backends)
    cases = collect_cases(ops, level, report)
    say(f"preparing {len(cases)} cases on the reference")
    preps = [prepare(c, grad or fd) for c in cases]
    good = [p for p in preps if p.error is None]
    for p in preps:
        if p.error is not None:
            report.add(_result(p, "reference", REFERENCE_MODE, "reference", FAILED,
                               f"the reference could not run the case: {p.error}"))
    for name in names:
        ok, reason = status[name]
        if not ok:
            report.skip_backend(name, reason, len(good) * len(modes))
            continue
        for label, mode, group in _by_mode(good, modes):
            say(f"{name} [{label}]: {len(group)} cases")
            for k in range(0, len(group), batch_size):
                for r in run_batch(group[k:k + batch_size], name, mode, label, grad):
                    report.add(r)
    if fd:
        say("checking gradients against finite differences")
        for p in good:
            if p.grads:
                report.add(_fd_check(p))
    if fuzz:
        from .fuzz import fuzz_backend

        for name in names:
            if status[name][0]:
                say(f"{name}: fuzzing {fuzz} random graphs")
                report.add(fuzz_backend(name, fuzz, seed=seed, ops=ops, modes=modes, max_steps=fuzz_steps))
    return report


def _by_mode(preps, modes):
    """(label, mode, cases): every mode for plain cases, their own for cases that name one."""
    own = {}
    for p in preps:
        if p.case.mode is not None:
            label = p.case.mode if isinstance(p.case.mode, str) else repr(p.case.mode)
            own.setdefault(label, (p.case.mode, []))[1].append(p)
    plain = [p for p in preps if p.case.mode is None]
    groups = [(str(m), m, plain) for m in modes if plain]
    return groups + [(label, m, ps) for label, (m, ps) in own.items()]


def _fd_check(p):
    try:
        check_gradient(p.case, REFERENCE)
    except Exception as e:
        return _result(p, REFERENCE, "FAST_RUN", "fd-grad", FAILED, f"{type(e).__name__}: {e}")
    return _result(p, REFERENCE, "FAST_RUN", "fd-grad", PASSED)


def apply_op(name, *inputs, **params):
    """Apply the registered op ``name`` to symbolic ``inputs`` (how fuzzer reproductions
    build their graphs)."""
    records = plugin_manager.ops()
    if name not in records:
        raise KeyError(f"no op named {name!r} is registered; registered ops: {', '.join(sorted(records))}")
    return specs.applier(records[name])(*inputs, **params)
