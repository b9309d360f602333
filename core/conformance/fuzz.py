"""The random-graph fuzzer: hypothesis draws small programs over the registered
elementwise, reduction, shape and indexing ops, runs each on a backend with and
without rewrites, and compares with the reference (the 'py' backend without
rewrites).  A failure is shrunk and reported as a ready-to-paste reproduction.

Rounding may differ between backends, so values are compared with tolerances
relative to each output's magnitude; discontinuous ops (comparisons, floor,
argmax, ...) only get operands that every backend computes bit-identically.
With rewrites, a finite result where the reference has inf/nan is accepted
(stabilizing rewrites do that); the reverse is a failure.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import plugin_manager
from .harness import REFERENCE, REFERENCE_MODE
from . import specs
from .compare import mismatch
from .report import FAILED, PASSED, SKIPPED, Result
from .values import VIEW_KINDS, as_view, edge_values, literal, same_values

#: (rtol, atol) per dtype; atol grows with the output's largest finite value
FUZZ_TOLERANCES = {"float64": (1e-7, 1e-9), "float32": (1e-3, 1e-4), "float16": (5e-2, 1e-2),
                   "complex128": (1e-7, 1e-9), "complex64": (1e-3, 1e-4)}
LEAF_DTYPES = ("float64", "float64", "float32", "int64", "bool")


@dataclass
class Entry:
    var: object
    value: np.ndarray
    exact: bool


@dataclass
class Leaf:
    dtype: str
    static: tuple
    value: np.ndarray
    view: str | None


@dataclass
class Step:
    op: str
    args: list
    params: dict


@dataclass
class Program:
    """Input leaves, steps applying registered ops to earlier values, and outputs."""

    leaves: list
    steps: list
    outputs: list
    variables: list = field(repr=False)

    def inputs(self):
        return [self.variables[k] for k in range(len(self.leaves))]

    def arrays(self):
        return [as_view(leaf.value, leaf.view) for leaf in self.leaves]

    def output_vars(self):
        return [self.variables[k] for k in self.outputs]

    def _name(self, k):
        return f"x{k}" if k < len(self.leaves) else f"v{k - len(self.leaves)}"

    def source(self, backend, mode):
        """A Python script that rebuilds the graph and shows the divergence (inputs the
        graph does not use are left out)."""
        used = {a for s in self.steps for a in s.args} | set(self.outputs)
        leaves = [(k, leaf) for k, leaf in enumerate(self.leaves) if k in used]
        names = ", ".join(self._name(k) for k, _ in leaves)
        lines = ["import numpy as np", "import arignote", "from arignote.types import TensorType",
                 "from arignote.conformance import apply_op, as_view", ""]
        for k, leaf in leaves:
            lines.append(f"x{k} = TensorType({leaf.dtype!r}, shape={leaf.static!r})('x{k}')")
        for j, step in enumerate(self.steps):
            args = "".join(f", {self._name(a)}" for a in step.args)
            params = "".join(f", {k}={v!r}" for k, v in step.params.items())
            lines.append(f"v{j} = apply_op({step.op!r}{args}{params})")
        lines.append(f"outputs = [{', '.join(self._name(k) for k in self.outputs)}]")
        lines.append("inputs = [")
        for _, leaf in leaves:
            lit = literal(leaf.value)
            lines.append(f"    {lit}," if leaf.view is None else f"    as_view({lit}, {leaf.view!r}),")
        lines.append("]")
        lines.append(f"ref = arignote.function([{names}], outputs, backend={REFERENCE!r}, "
                     f"mode={REFERENCE_MODE!r})(*inputs)")
        lines.append(f"got = arignote.function([{names}], outputs, backend={backend!r}, mode={mode!r})(*inputs)")
        lines.append("for k, (g, r) in enumerate(zip(got, ref)):")
        lines.append("    print(k, 'got', g, 'reference', r)")
        return "\n".join(lines)


class FuzzFailure(AssertionError):
    """A random graph on which a backend diverges from the reference."""

    def __init__(self, program, backend, mode, problem):
        self.program, self.backend, self.mode, self.problem = program, backend, mode, problem
        super().__init__(f"{backend} [{mode}] diverges from the reference: {problem}")

    def report(self):
        return (f"{self.backend} [{self.mode}] diverges from the reference: {self.problem}\n"
                f"reproduction:\n{self.program.source(self.backend, self.mode)}")


# ------------------------------------------------------------------ generation


class _Chooser:
    """The choices a selector makes, drawn through hypothesis so they shrink."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def integer(self, lo, hi):
        return self.draw(self.st.integers(lo, hi))

    def boolean(self):
        return self.draw(self.st.booleans())

    def element(self, seq):
        seq = list(seq)
        return self.draw(self.st.sampled_from(seq)) if seq else None

    def permutation(self, n):
        return tuple(self.draw(self.st.permutations(list(range(n)))))


def fuzz_ops(ops=None):
    """(FuzzOps, appliers by name) of the registered ops that take part in fuzzing."""
    from .runner import select_ops

    records = plugin_manager.ops()
    found, applies = [], {}
    for name in select_ops(records, ops):
        rec = records[name]
        try:
            spec = specs.resolve(rec.cases)
        except Exception:
            continue
        fop = spec.fuzz_op(name) if spec is not None else None
        if fop is not None:
            found.append(fop)
            applies[name] = specs.applier(rec)
    return found, applies


def _leaf_values(ch, dtype, shape):
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    kind = np.dtype(dtype).kind
    if kind == "f":
        width = np.dtype(dtype).itemsize * 8
        elements = st.floats(-3, 3, width=width)
    elif kind == "b":
        elements = st.booleans()
    else:
        elements = st.integers(-5, 5)
    value = ch.draw(hnp.arrays(dtype, shape, elements=elements))
    if value.size and ch.integer(0, 2) == 0:
        edges = list(edge_values(dtype))
        if kind == "f":  # the values backends most often get wrong first
            edges = [np.nan, np.inf, -np.inf, -0.0] + edges
        flat = value.reshape(-1)
        for _ in range(ch.integer(1, min(3, value.size))):
            flat[ch.integer(0, value.size - 1)] = ch.element(edges)
    return value


def _leaf(ch, k, base):
    from ..types import TensorType

    dtype = ch.element(LEAF_DTYPES)
    lead = ch.integer(0, len(base)) if k else 0
    shape, static = [], []
    for s in base[lead:]:
        one = ch.integer(0, 3) == 0
        shape.append(1 if one else s)
        static.append(1 if one else None)
    value = _leaf_values(ch, dtype, tuple(shape))
    view = ch.element((None, None) + VIEW_KINDS)
    var = TensorType(dtype, shape=tuple(static))(f"x{k}")
    return Leaf(dtype, tuple(static), value, view), Entry(var, value, True)


def _evaluate(pool, var):
    """The reference value of ``var``, computing the nodes above the pool with ``perform``."""
    from ..graph import Constant, io_toposort

    values = {id(e.var): e.value for e in pool}
    for node in io_toposort([e.var for e in pool], [var]):
        ins = [i.data if isinstance(i, Constant) else values[id(i)] for i in node.inputs]
        storage = [[None] for _ in node.outputs]
        node.op.perform(node, ins, storage)
        for o, (v,) in zip(node.outputs, storage):
            values[id(o)] = v
    return np.asarray(values[id(var)])


def _step(ch, fop, apply, pool):
    """Apply one op to values from the pool; None when it does not fit."""
    sel = fop.select(ch, pool, fop.exact_args)
    if sel is None:
        return None
    args, params = sel
    try:
        var = apply(*[pool[i].var for i in args], **params)
        if isinstance(var, (list, tuple)):
            var = var[0]
        with np.errstate(all="ignore"):
            value = _evaluate(pool, var)
    except (TypeError, ValueError, IndexError, NotImplementedError):
        return None
    exact = all(pool[i].exact for i in args) and (fop.exact or value.dtype.kind in "biu")
    return Step(fop.name, list(args), params), Entry(var, value, exact)


def programs(fops, applies, max_steps=6, max_leaves=3):
    """A hypothesis strategy of random Programs over ``fops``."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        ch = _Chooser(draw)
        ndim = ch.integer(0, 3)
        base = tuple(0 if ch.integer(0, 9) == 0 else ch.integer(1, 4) for _ in range(ndim))
        leaves, pool = [], []
        for k in range(ch.integer(1, max_leaves)):
            leaf, entry = _leaf(ch, k, base)
            leaves.append(leaf)
            pool.append(entry)
        steps = []
        for _ in range(ch.integer(1, max_steps)):
            fop = ch.element(fops)
            made = _step(ch, fop, applies[fop.name], pool)
            if made is not None:
                steps.append(made[0])
                pool.append(made[1])
        used = {a for s in steps for a in s.args}
        outputs = [k for k in range(len(leaves), len(pool)) if k not in used] or [0]
        return Program(leaves, steps, outputs, [e.var for e in pool])

    return strategy()


# -------------------------------------------------------------------- checking


def _run(program, backend, mode):
    from ..function import function

    f = function(program.inputs(), program.output_vars(), backend=backend, mode=mode, on_unused_input="ignore")
    arrays = program.arrays()
    before = [a.copy() for a in arrays]
    with np.errstate(all="ignore"):
        out = f(*arrays)
    mutated = [k for k, (a, b) in enumerate(zip(arrays, before)) if not same_values(a, b)]
    return out, mutated


def check_program(program, backend, modes):
    """Raise FuzzFailure when ``backend`` diverges from the reference on ``program``."""
    try:
        ref, _ = _run(program, REFERENCE, REFERENCE_MODE)
    except Exception as e:
        raise FuzzFailure(program, REFERENCE, REFERENCE_MODE, f"the reference raised {type(e).__name__}: {e}")
    for mode in modes:
        if backend == REFERENCE and str(mode).upper() == REFERENCE_MODE:
            continue
        try:
            got, mutated = _run(program, backend, mode)
        except Exception as e:
            raise FuzzFailure(program, backend, mode, f"raised {type(e).__name__}: {e}") from e
        if mutated:
            raise FuzzFailure(program, backend, mode, f"mutated input(s) {mutated}")
        rewritten = str(mode).upper() != REFERENCE_MODE
        for k, (g, r) in enumerate(zip(got, ref)):
            rtol, atol = FUZZ_TOLERANCES.get(np.asarray(r).dtype.name, (None, None))
            problem = mismatch(g, r, rtol, atol, scaled=True, finite_ok=rewritten)
            if problem:
                raise FuzzFailure(program, backend, mode, f"output {k}: {problem}")


def fuzz_backend(backend, n, seed=0, ops=None, modes=("FAST_RUN", "NO_REWRITES"), max_steps=6):
    """Fuzz ``backend`` with ``n`` random graphs; a Result (a failure carries the reproduction)."""
    label = "+".join(str(m) for m in modes)
    what = f"{n} random graphs (seed {seed})"
    try:
        import hypothesis
        from hypothesis import HealthCheck, Verbosity, given, settings
    except ImportError:
        return Result(backend, "(fuzz)", "-", what, label, "fuzz", SKIPPED, "hypothesis is not installed")
    fops, applies = fuzz_ops(ops)
    if not fops:
        return Result(backend, "(fuzz)", "-", what, label, "fuzz", SKIPPED, "no selected op takes part in fuzzing")
    state = {"focus": None, "runs": 0}

    @settings(max_examples=n, database=None, deadline=None, print_blob=False, report_multiple_bugs=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
    @hypothesis.seed(seed)
    @given(programs(fops, applies, max_steps))
    def prop(program):
        state["runs"] += 1
        try:
            check_program(program, backend, [state["focus"]] if state["focus"] else modes)
        except FuzzFailure as e:
            state["focus"] = e.mode if e.backend == backend else state["focus"]
            raise

    try:
        prop()
    except FuzzFailure as e:
        return Result(backend, "(fuzz)", "-", what, label, "fuzz", FAILED, e.report())
    except Exception as e:
        return Result(backend, "(fuzz)", "-", what, label, "fuzz", FAILED,
                      f"the fuzzer itself failed: {type(e).__name__}: {e}")
    return Result(backend, "(fuzz)", "-", what, label, "fuzz", PASSED, f"{state['runs']} runs")
