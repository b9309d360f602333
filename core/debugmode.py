"""Self-verification at run time: ``function(..., mode="check")`` and ``mode="nanguard"``.

Both modes run the compiled graph node by node: each node is compiled on its
own by the chosen backend, so a problem is pinned to one node.

* ``check`` (Theano's DebugMode) also runs every node's NumPy ``perform`` (the
  reference) on copies of the same inputs and raises :class:`BadThunkOutput`,
  naming the node and showing both values, at the first divergence; a node that
  overwrites an input it does not declare in its ``destroy_map`` raises
  :class:`BadDestroyMap`.
* ``nanguard`` (Theano's NanGuardMode) raises :class:`NanGuardError` at the first
  node that produces nan or inf (or, with ``big_is_error``, a value above 1e10),
  naming it and summarising its inputs; an input holding nan/inf is named too.

They are slow by design: every node is a separate compiled function.
"""
from __future__ import annotations

import copy

import numpy as np

from .conformance.compare import mismatch
from .conformance.values import summary
from .graph import Constant
from .mode import Mode
from .errors import BadDestroyMap, BadThunkOutput, DebugModeError, NanGuardError  # noqa: F401

BIG = 1e10


def _label(node):
    """The node as ``op(inputs)``; a fused node shows its scalar program."""
    args = ", ".join(str(i) for i in node.inputs)
    sop = getattr(node.op, "scalar_op", None)
    name = sop.name if sop is not None and sop.name.startswith("composite") else node.op
    return f"{name}({args})"


_GENERATORS = (np.random.RandomState, np.random.Generator)


def _copy(v):
    if isinstance(v, np.ndarray):
        return v.copy()
    return copy.deepcopy(v) if isinstance(v, _GENERATORS) else v  # a draw may advance its generator


def _unchanged(a, b):
    from .conformance.values import same_values

    return not isinstance(a, np.ndarray) or same_values(a, b)


def node_thunk(backend, node):
    """``run(input values) -> output values`` for ``node`` alone, compiled by ``backend``."""
    from .fg import FunctionGraph

    ins = [i if isinstance(i, Constant) else i.type() for i in node.inputs]
    clone = node.clone_with_new_inputs(ins, strict=False)
    free = [i for i in ins if not isinstance(i, Constant)]
    fgraph = FunctionGraph(free, clone.outputs)
    fgraph.update_targets = []
    thunk = backend.compile(fgraph)
    keep = [k for k, i in enumerate(node.inputs) if not isinstance(i, Constant)]

    def run(values):
        return list(thunk([values[k] for k in keep]))

    return run


class _NodeModeBase(Mode):
    """A Mode whose function() compiles every node separately and checks it."""

    def _copy_mode(self, including, excluding):
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new.included, new.excluded = tuple(including), tuple(excluding)
        return new

    def including(self, *names):
        return self._copy_mode(self.included + names, self.excluded)

    def excluding(self, *names):
        return self._copy_mode(self.included, self.excluded + names)

    def compile_graph(self, backend, fgraph):
        """The thunk function() calls: the nodes of ``fgraph`` one by one, checked."""
        from .reference import make_thunk

        name = getattr(backend, "name", type(backend).__name__)
        runners = {}

        def node_runner(node):
            runners[node] = node_thunk(backend, node)
            return lambda n, inputs, storage: self._run_node(name, n, runners[n], inputs, storage)

        thunk = make_thunk(fgraph, node_runner=node_runner)
        return self._wrap_inputs(fgraph, thunk)

    def _wrap_inputs(self, fgraph, thunk):
        return thunk


class DebugMode(_NodeModeBase):
    """mode='check': every node on the backend and on the reference, compared.

    ``rtol``/``atol`` override the dtype-aware tolerances (exact for integers and bools).
    """

    def __init__(self, optimizer="fast_run", backend=None, including=(), excluding=(), rtol=None, atol=None):
        super().__init__(None, optimizer, backend, including, excluding)
        self.rtol, self.atol = rtol, atol

    def _run_node(self, backend_name, node, run, inputs, storage):
        destroyed = {i for ins in (getattr(node.op, "destroy_map", None) or {}).values() for i in ins}
        before = [_copy(v) for v in inputs]
        given = [_copy(v) if k in destroyed else v for k, v in enumerate(inputs)]
        got = run(given)
        for k, (a, b) in enumerate(zip(given, before)):
            if k not in destroyed and not _unchanged(a, b):
                raise BadDestroyMap(f"mode='check': node {_label(node)} overwrote its input {k} on backend "
                                    f"'{backend_name}' (the op declares no destroy_map for it)")
        ref_storage = [[None] for _ in node.outputs]
        ref_inputs = [_copy(v) for v in before]
        with np.errstate(all="ignore"):
            node.op.perform(node, ref_inputs, ref_storage)
        for k, (a, b) in enumerate(zip(ref_inputs, before)):
            if k not in destroyed and not _unchanged(a, b):
                raise BadDestroyMap(f"mode='check': the reference perform of node {_label(node)} overwrote its "
                                    f"input {k} (the op declares no destroy_map for it)")
        for k, (g, (w,)) in enumerate(zip(got, ref_storage)):
            self._compare(backend_name, node, k, g, w)
            storage[k][0] = g

    def _compare(self, backend_name, node, k, got, want):
        if isinstance(want, np.ndarray) or np.isscalar(want):
            problem = mismatch(got, np.asarray(want), self.rtol, self.atol)
        elif isinstance(want, _GENERATORS):
            from .tensor.random.type import same_generator_state

            problem = None if same_generator_state(got, want) else "the generators' states differ"
        else:
            problem = None if got == want else "values differ"
        if problem:
            raise BadThunkOutput(
                f"mode='check': node {_label(node)} gives different values on backend '{backend_name}' and on "
                f"the reference (output {k}): {problem}\n"
                f"  backend '{backend_name}': {got!r}\n  reference: {want!r}")

    def __repr__(self):
        return f"DebugMode(optimizer={self.optimizer!r}, backend={self.backend!r})"


class NanGuardMode(_NodeModeBase):
    """mode='nanguard': raise at the first node producing nan (``nan_is_error``), inf
    (``inf_is_error``) or an absolute value above 1e10 (``big_is_error``).

    The guard checks every intermediate value, so on every backend it runs without
    the fusion phase: a fused kernel would compute values (a nan hidden by a
    ``switch``) that no node's output shows.
    """

    def optimize(self, fgraph, skip_phases=()):
        return super().optimize(fgraph, skip_phases=tuple(skip_phases) + ("fusion",))

    def __init__(self, nan_is_error=True, inf_is_error=True, big_is_error=False, optimizer="fast_run",
                 backend=None, including=(), excluding=()):
        super().__init__(None, optimizer, backend, including, excluding)
        self.nan_is_error, self.inf_is_error, self.big_is_error = nan_is_error, inf_is_error, big_is_error

    def _bad(self, v):
        """What is wrong with value ``v`` ('' when nothing)."""
        if not isinstance(v, np.ndarray) or v.dtype.kind not in "fc" or not v.size:
            return ""
        with np.errstate(all="ignore"):
            found = []
            if self.nan_is_error and np.isnan(v).any():
                found.append(f"{int(np.isnan(v).sum())} nan")
            if self.inf_is_error and np.isinf(v).any():
                found.append(f"{int(np.isinf(v).sum())} inf")
            if self.big_is_error and (np.abs(v[np.isfinite(v)]) > BIG).any():
                found.append(f"values above {BIG:g}")
        return ", ".join(found)

    def _run_node(self, backend_name, node, run, inputs, storage):
        got = run(inputs)
        for k, g in enumerate(got):
            bad = self._bad(g)
            if bad:
                lines = [f"  input {j} ({i}): {summary(v)}" for j, (i, v) in enumerate(zip(node.inputs, inputs))]
                raise NanGuardError(
                    f"mode='nanguard': node {_label(node)} produced {bad} in output {k} on backend "
                    f"'{backend_name}'\n" + "\n".join(lines))
            storage[k][0] = g

    def _wrap_inputs(self, fgraph, thunk):
        names = [getattr(v, "name", None) or f"#{k}" for k, v in enumerate(fgraph.inputs)]

        def guarded(values):
            for name, v in zip(names, values):
                bad = self._bad(v)
                if bad:
                    raise NanGuardError(f"mode='nanguard': input {name} holds {bad}: {summary(v)}")
            return thunk(values)

        guarded.program = getattr(thunk, "program", None)
        return guarded

    def __repr__(self):
        return (f"NanGuardMode(nan_is_error={self.nan_is_error}, inf_is_error={self.inf_is_error}, "
                f"big_is_error={self.big_is_error}, backend={self.backend!r})")
