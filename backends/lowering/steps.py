"""The neutral IR of the lowering: what a backend can render (``Target``), the step kinds and the
``Program`` that orders them.  Steps name no Op: each kind carries the plain data its renderers need."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arignote.types import TensorType

from ..scalar_table import row_of
from . import limits


def _is_tensor(v):
    return isinstance(v.type, TensorType)


def _dtype_ok(target, *vs):
    return all(_is_tensor(v) and v.type.dtype in target.dtypes and v.type.ndim <= limits.MAX_NDIM for v in vs)


#: every dtype a compiled backend may be handed (a Target narrows it)
ALL_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128")


@dataclass
class Target:
    """What a backend can render: checked while lowering."""

    name: str
    scalar_ok: Any = None  # callable(op_name, kind) -> bool; None: everything in the table
    dtypes: tuple = ALL_DTYPES
    blas: bool = False

    def renders(self, op_name, kind):
        """Does this backend's column of the scalar table render ``op_name`` for ``kind``?"""
        row = row_of(op_name)
        if row is None or row.template(self.name, kind) is None:
            return False
        return self.scalar_ok is None or self.scalar_ok(op_name, kind)


# ------------------------------------------------------------------- steps


@dataclass
class Step:
    """A unit of work: reads ``inputs``, writes ``outputs`` (Variables)."""

    inputs: list
    outputs: list
    nodes: list

    @property
    def kind(self):
        return type(self).__name__


@dataclass
class LoopStep(Step):
    """A fused elementwise loop over ``ndim`` axes.

    ``inputs`` are the array operands (``bcast[k]`` their static broadcast
    pattern); ``body`` the scalar DAG; ``out_vals[j]`` the body value stored
    in output j; ``literals`` maps inlined constant variables to values.
    """

    ndim: int = 0
    bcast: list = field(default_factory=list)
    body: list = field(default_factory=list)
    out_vals: list = field(default_factory=list)
    literals: dict = field(default_factory=dict)

    def invariant(self, k):
        """Is operand k constant along the innermost loop axis (statically)?"""
        return self.ndim == 0 or self.bcast[k][-1]


@dataclass
class ReduceStep(Step):
    kind_: str = "sum"
    axes: tuple = ()
    in_dtype: str = ""
    out_dtype: str = ""


@dataclass
class ViewStep(Step):
    """A view of ``inputs[0]``: new shape and strides over the same data, no copy."""


@dataclass
class DimShuffleStep(ViewStep):
    """Axes permuted, dropped (broadcastable ones) or added (``'x'``): ``order`` as DimShuffle's."""

    order: tuple = ()


@dataclass
class SubtensorStep(ViewStep):
    """Basic indexing: ``idx_list`` entries are ``'int'`` or ``('slice', has_start, has_stop,
    has_step)``; the scalar indices are ``inputs[1:]``, in order."""

    idx_list: tuple = ()


@dataclass
class ShapeStep(Step):
    axis: int | None = None  # None: the whole shape vector


@dataclass
class DotStep(Step):
    """numpy.dot of float arrays of rank >= 1 in ``dtype`` through BLAS: x's last axis with y's
    second-to-last (its only one when 1-d), shape ``x.shape[:-1] + y.shape[:-2] + y.shape[-1:]``.
    ``batched``: numpy.matmul of two operands of rank >= 3 instead, their batch axes (all but the
    last two) broadcast as NumPy's where the operand's type marks them broadcastable (Theano's
    rule; another length mismatch is the perform's error), one product per batch, shape
    ``batch + (m, n)``."""

    dtype: str = "float64"
    batched: bool = False


@dataclass
class IntDotStep(Step):
    """NumPy's dot of integer arrays of any rank (no BLAS): products of ``inputs[0]``'s last axis
    with ``inputs[1]``'s second-to-last (its only one when 1-d), summed exactly and wrapping in the
    output's dtype (NumPy's result type of the two), shape
    ``x.shape[:-1] + y.shape[:-2] + y.shape[-1:]``.  Unequal summed lengths: NumPy's error."""


@dataclass
class ReshapeStep(Step):
    """``inputs[0]`` reshaped to the int vector ``inputs[1]`` (``ndim`` entries, one may be -1): a view
    wherever NumPy's reshape would give one, else a C-ordered copy."""

    ndim: int = 0


@dataclass
class TakeStep(Step):
    """``inputs[0][inputs[1]]``: an integer array (any rank) indexing the first axis; the output is
    ``idx.shape + x.shape[1:]``.  Negative indices wrap; one out of bounds is NumPy's IndexError."""


@dataclass
class PutStep(Step):
    """``inputs[0]`` with ``x[idx]`` incremented by (accumulating over repeated indices, as
    ``numpy.add.at``) or set to (last write wins) ``inputs[1]``; ``inputs[2]`` is the integer array
    indexing the first axis.  ``y_bcast[k]``: axis k of y is broadcastable in its type."""

    set_: bool = False
    y_bcast: tuple = ()


@dataclass
class MaskStep(Step):
    """``inputs[0][inputs[1]]``: a bool array (rank k >= 1) masking x's first k axes; the output is
    ``(count of trues,) + x.shape[k:]`` in C order of the mask.  A mask whose shape differs from
    x's leading axes is NumPy's IndexError (through the node)."""


@dataclass
class MaskPutStep(Step):
    """``inputs[0]`` with ``x[mask]`` incremented by (or, with ``set_``, set to) ``inputs[1]``
    broadcast to ``(count,) + x.shape[k:]`` (only on the axes ``y_bcast`` marks); ``inputs[2]`` is
    the bool mask over x's first k axes."""

    set_: bool = False
    y_bcast: tuple = ()


@dataclass
class GatherStep(Step):
    """``x[index]`` for an advanced index of integer arrays and bool masks mixed with integers,
    slices and new axes in any position, NumPy's rules.  The inputs are the node's: ``x`` first,
    the p index arrays at the positions ``arrays``, the scalars of ``view`` (SubtensorStep's
    ``idx_list`` form with ``'newaxis'`` entries, an array's axis a full slice) the others in order.
    The view gives what the arrays then index: integer array a on the view's axis ``axes[a]``; a
    bool mask of rank k on the k axes from there (as its ``nonzero()``: k integer arrays); where
    ``axes[a]`` is -1, a 0-d bool mask (a length 1 or 0 axis of the broadcast, no axis of x).
    The output is the view's other axes with the arrays' broadcast shape inserted before the
    ``at``-th (0 when the advanced entries are separated).  Negative indices wrap; one out of
    bounds is NumPy's IndexError (through the node)."""

    view: tuple = ()
    axes: tuple = ()
    at: int = 0
    arrays: tuple = ()


@dataclass
class ScatterStep(GatherStep):
    """``inputs[0]`` with its region ``x[index]`` (GatherStep's fields, y being ``inputs[1]``)
    incremented by (``numpy.add.at``: repeated positions accumulate) or, with ``set_``, set to (the
    last write wins) ``inputs[1]`` broadcast to the region (``y_bcast[k]``: axis k of y is
    broadcastable in its type).  ``ignore_dupes`` (Theano's ``ignore_duplicates``): NumPy's
    ``x[index] += y``, each position once, from x's value (the last of repeated ones wins)."""

    set_: bool = False
    y_bcast: tuple = ()
    ignore_dupes: bool = False


@dataclass
class AllocStep(Step):
    """A new array of the shape given by the integer scalars ``inputs[1:]``, filled with
    ``inputs[0]`` broadcast to it; ``v_bcast[k]``: axis k of the value is broadcastable in its type."""

    v_bcast: tuple = ()


@dataclass
class ArgStep(Step):
    """argmax/argmin (``kind_``) of ``inputs[0]`` over ``axis`` (None: the flattened array in C
    order) as int64, NumPy's rules: the first extreme, and the first NaN when there is one."""

    kind_: str = "argmax"
    axis: int | None = None


@dataclass
class CumStep(Step):
    """cumsum/cumprod (``mode`` 'add'/'mul') of ``inputs[0]`` along ``axis`` (None: the flattened
    array in C order): floats in their own type, integers and bools as int64/uint64."""

    mode: str = "add"
    axis: int | None = None


@dataclass
class JoinStep(Step):
    """The inputs concatenated along ``axis`` into a new C-contiguous array (Join), or, with
    ``stacked``, each input one slab along a new axis ``axis`` (MakeVector: 0-d inputs into a
    vector).  The inputs share the output's dtype; other axes must agree (else NumPy's error)."""

    axis: int = 0
    stacked: bool = False


@dataclass
class IncSubtensorStep(Step):
    """A copy of ``inputs[0]`` whose basic-indexed region (``idx_list`` as SubtensorStep's, scalar
    indices ``inputs[2:]``) is incremented by (or, with ``set_``, set to) ``inputs[1]`` broadcast
    to the region as Theano does: only the axes its type marks broadcastable (``y_bcast[k]``) may
    be 1 against a longer region axis."""

    idx_list: tuple = ()
    set_: bool = False
    y_bcast: tuple = ()


@dataclass
class FallbackStep(Step):
    """A node run by its NumPy perform."""


# ------------------------------------------------------------------ program


@dataclass
class Program:
    """Variables, inputs/outputs, constants and the ordered steps of a lowered graph."""

    fgraph: Any
    steps: list
    variables: list
    inputs: list
    outputs: list
    constants: dict
    containers: dict

    def index(self):
        return {v: i for i, v in enumerate(self.variables)}

    def fallbacks(self):
        return [s for s in self.steps if isinstance(s, FallbackStep)]

    def describe(self):
        """One line per step: its number, kind and ops (for assertion messages and debugging)."""
        lines = []
        for i, s in enumerate(self.steps):
            ops = ", ".join(str(n.op) for n in s.nodes)
            lines.append(f"{i:3d} {s.kind:13s} {ops}")
        return "\n".join(lines)


def native_scan(node, backend, loop_native):
    """Is ``node`` a Scan whose loop ``backend`` runs natively (``loop_native``, the backend's own
    verdict) over an inner function that has no fallback node itself?  Such a node is a fallback
    step of the outer program only in form: no Python runs per call."""
    if not loop_native or type(node.op).__name__ != "Scan":
        return False
    name = getattr(backend, "name", None)
    for key, hit in getattr(node.op, "_thunks", {}).items():
        if key[0] == name and len(hit) == 3:  # (backend, mode) -> (inner thunk, mode, inner graph)
            return not backend.fallback_nodes(hit[2])
    return False


class StepTable(dict):
    """How one backend renders each step kind: step class -> function ``f(renderer, step, ...)``.

    A backend keeps one table (the CUDA backend will be a third table, not a third ``isinstance``
    chain).  A kind without a row renders as its nearest base class that has one; none at all is
    a TypeError naming the backend and the kind."""

    def __init__(self, backend, rows):
        super().__init__(rows)
        self.backend = backend

    def lookup(self, kind):
        fn = self.get(kind)
        if fn is None:
            fn = next((self[k] for k in kind.__mro__[1:] if k in self), None)
            if fn is None:
                raise TypeError(f"the {self.backend} backend cannot render a {kind.__name__}")
            self[kind] = fn
        return fn

    def renders(self, kind):
        return kind in self or any(k in self for k in kind.__mro__[1:])

    def missing(self, kinds=None):
        """The concrete step kinds (default: every one) this table cannot render."""
        return [k for k in kinds or CONCRETE_STEPS if not self.renders(k)]


#: every step kind lower() produces
CONCRETE_STEPS = (LoopStep, ReduceStep, DimShuffleStep, SubtensorStep, ShapeStep, DotStep, IntDotStep, ReshapeStep, TakeStep,
                  PutStep, MaskStep, MaskPutStep, GatherStep, ScatterStep, AllocStep, ArgStep, CumStep, JoinStep, IncSubtensorStep, FallbackStep)
