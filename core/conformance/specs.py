"""Declarations of an op's conformance samples, and their expansion into OpCases.

An ``OpRecord(name, op_or_factory, cases)`` from ``arignote_register_ops`` may
give as ``cases``:

* an :class:`Elementwise` or :class:`Reduction` declaration: the runner
  generates cases over dtypes, shapes, broadcast patterns, edge values (0, -0,
  negatives, subnormals, ±inf, nan), empty and 0-d arrays and non-contiguous /
  negative-stride views, plus gradient inputs;
* an :class:`Explicit` list of :class:`~arignote.conformance.harness.OpCase` (optionally
  with a fuzzer description);
* a plain list of OpCases, or a callable returning any of these.

``op_or_factory`` is an Op instance (applied to the inputs) or a callable
``f(*inputs, **params)`` building the expression (like ``T.exp`` or ``T.sum``).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..scalar_domain import ConformanceDomain
from .harness import OpCase
from . import fuzzops
from .values import VIEW_KINDS, edge_values, random_array, small_values

LEVELS = ("smoke", "quick", "full")


def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _tensor_type(dtype, shape, static=False):
    from ..types import TensorType

    return TensorType(dtype, shape=tuple(s if (static or s == 1) else None for s in shape))


def _per_input(value, nin):
    """``value`` repeated for each input unless it is already a per-input tuple of pairs."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
        if len(value) != nin:
            raise ValueError(f"expected {nin} per-input entries, got {len(value)}: {value!r}")
        return [tuple(v) for v in value]
    return [tuple(value)] * nin


def _dtype_combos(dtypes, nin):
    out = []
    for d in dtypes:
        combo = (d,) * nin if isinstance(d, str) else tuple(d)
        if len(combo) != nin:
            raise ValueError(f"dtype combination {d!r} does not have {nin} entries")
        out.append(combo)
    return out


def _pick(value, dtype):
    """A tolerance given as one number or as a dict per dtype."""
    return value.get(dtype) if isinstance(value, dict) else value


def _label(combo):
    return combo[0] if len(set(combo)) == 1 else ",".join(combo)


class Spec:
    """Base of the sample declarations: ``cases(name, apply, level)`` and ``fuzz_op(name)``."""

    fuzz: Any = None

    def cases(self, name, apply, level="quick"):
        raise NotImplementedError

    def fuzz_op(self, name):
        return self.fuzz


@dataclass
class Elementwise(ConformanceDomain, Spec):
    """Samples for an elementwise op of ``nin`` inputs: a :class:`ConformanceDomain` (its fields
    are documented there) and its expansion into cases.  A scalar op whose row carries a
    conformance domain gets one of these from arignote's own op pack."""

    def __post_init__(self):
        if not isinstance(self.nin, int) or self.nin < 1:
            raise ValueError(f"Elementwise needs nin, the number of inputs (an int >= 1), got {self.nin!r}")

    @classmethod
    def of(cls, domain, nin):
        """The declaration of ``domain`` (a ConformanceDomain) for an op of ``nin`` inputs (-1: variadic)."""
        fields = {f: getattr(domain, f) for f in domain.__dataclass_fields__}
        fields["nin"] = domain.nin or (nin if nin > 0 else 2)
        return cls(**fields)

    def fuzz_op(self, name):
        if not self.fuzz:
            return None
        exact_args = self.exact_args
        if exact_args is None and self.discontinuous:
            exact_args = tuple(range(self.nin))
        return fuzzops.FuzzOp(name, "elemwise", fuzzops.select_elemwise(self.nin, self.fuzz_kinds),
                              exact=self.exact, exact_args=tuple(exact_args or ()))

    def cases(self, name, apply, level="quick"):
        combos = _dtype_combos(list(self.dtypes) + (list(self.extra_dtypes) if level == "full" else []), self.nin)
        out = []
        for i, combo in enumerate(combos):
            out.extend(self._cases_for(name, apply, combo, i if level == "smoke" else None))
        return out

    # -- one dtype combination ------------------------------------------------
    def _case(self, name, apply, combo, kind, arrays, shapes=None, views=None, grad=False):
        label = _label(combo)
        types = None
        if shapes is not None:
            types = [_tensor_type(d, s) for d, s in zip(combo, shapes)]
        ulps = None if grad else _pick(self.ulps, combo[-1])
        rtol = _pick(self.rtol, combo[-1])
        return OpCase(f"{name}[{label}]:{kind}", apply, arrays, None, grad=grad,
                      rtol=0.0 if rtol is None and ulps is not None else rtol, atol=_pick(self.atol, combo[-1]),
                      ulps=ulps, input_types=types, op=name, dtype=label, views=views,
                      wrt=[k for k, d in enumerate(combo) if d.startswith("float")] if grad else None)

    def _random(self, rng, combo, shape, domain=None):
        doms = _per_input(domain or self.domain, self.nin)
        return [random_array(rng, d, shape, dom, k in self.nonzero) for k, (d, dom) in enumerate(zip(combo, doms))]

    def _shaped(self, rng, combo, shapes, domain=None):
        """One random array per input, input k of shape ``shapes[k]``."""
        return [self._random(rng, combo, s, domain)[k] for k, s in enumerate(shapes)]

    def _cases_for(self, name, apply, combo, smoke=None):
        """The cases of one dtype combination; ``smoke`` (the combination's index) keeps
        one layout per combination and the shape corner cases for the first only."""
        n = self.nin
        rng = _rng(name, combo)
        first = smoke in (None, 0)
        c = []
        if first:  # (smoke: the edge case covers contiguous inputs of the other combinations)
            c.append(self._case(name, apply, combo, "random", self._random(rng, combo, (3, 4))))
            c.append(self._case(name, apply, combo, "0d", self._random(rng, combo, ())))
            c.append(self._case(name, apply, combo, "empty", self._random(rng, combo, (0, 3))))
        rotations = range(len(VIEW_KINDS)) if smoke is None else [smoke % len(VIEW_KINDS)]
        for r in rotations:
            views = [VIEW_KINDS[(r + k) % len(VIEW_KINDS)] for k in range(n)]
            c.append(self._case(name, apply, combo, "views-" + "-".join(views),
                                self._random(rng, combo, (3, 5)), views=views))
        if n >= 2 and first:
            layouts = [("broadcast", [(3, 1) if k % 2 == 0 else (1, 4) for k in range(n)], True),
                       ("broadcast-rank", [(4,)] + [(2, 3, 4)] * (n - 1), True),
                       ("broadcast-0d", [()] + [(2, 3)] * (n - 1), False)]
            for kind, shapes, typed in layouts[:None if smoke is None else 1]:
                c.append(self._case(name, apply, combo, kind, self._shaped(rng, combo, shapes),
                                    shapes=shapes if typed else None))
        if self.edge:
            c.append(self._edge_case(name, apply, combo))
        if self.small and n == 1 and np.dtype(combo[0]).kind == "f":
            c.append(self._case(name, apply, combo, "small", [small_values(combo[0])]))
        if self.grad and all(d == "float64" or not d.startswith("float") for d in combo) \
                and any(d.startswith("float") for d in combo):
            dom = self.grad_domain or self.domain
            c.append(self._case(name, apply, combo, "grad", self._random(rng, combo, (2, 3), dom), grad=True))
            if n >= 2:
                shapes = [(2, 1) if k % 2 == 0 else (1, 3) for k in range(n)]
                c.append(self._case(name, apply, combo, "grad-broadcast", self._shaped(rng, combo, shapes, dom),
                                    shapes=shapes, grad=True))
        return c

    def _edge_case(self, name, apply, combo):
        n = self.nin
        vals = []
        for k, d in enumerate(combo):
            v = edge_values(d, self.extremes)
            if k in self.nonzero and np.dtype(d).kind in "iu":
                v = v[v != 0]
            if np.dtype(d).kind in "iu":
                lo, hi = _per_input(self.domain, n)[k]
                inside = v[(v >= lo) & (v <= hi)] if not self.extremes else v
                v = inside if inside.size else v[:1]
            vals.append(v)
        if n == 1:
            return self._case(name, apply, combo, "edge", vals)
        shapes = [tuple(len(v) if j == k else 1 for j in range(n)) for k, v in enumerate(vals)]
        arrays = [v.reshape(s) for v, s in zip(vals, shapes)]
        return self._case(name, apply, combo, "edge", arrays, shapes=shapes)


@dataclass
class Reduction(Spec):
    """Samples for a reduction ``apply(x, axis=..., keepdims=...)``.

    ``empty_ok`` False (max, min, argmax) keeps zero-length axes out of the
    reduced axes; ``keepdims`` False for ops without that argument;
    ``exact`` for reductions whose result does not depend on summation order.
    """

    dtypes: Sequence[str] = ("float64", "float32", "int64", "bool")
    extra_dtypes: Sequence[str] = ("int32", "uint8", "float16")
    axes: Sequence[Any] = (None, 0, 1, -1, (0, 2))
    keepdims: bool = True
    empty_ok: bool = True
    grad: bool = True
    edge: bool = True
    rtol: float | None = None
    atol: float | None = None
    fuzz: bool = True
    exact: bool = False
    discontinuous: bool = False

    def fuzz_op(self, name):
        if not self.fuzz:
            return None
        return fuzzops.FuzzOp(name, "reduction", fuzzops.select_reduction(self.empty_ok, self.keepdims),
                              exact=self.exact, exact_args=(0,) if self.discontinuous else ())

    def cases(self, name, apply, level="quick"):
        dtypes = list(self.dtypes) + (list(self.extra_dtypes) if level == "full" else [])
        out = []
        for i, d in enumerate(dtypes):
            out.extend(self._cases_for(name, apply, d, i if level == "smoke" else None))
        return out

    def _case(self, name, apply, d, kind, x, axis, keepdims=False, views=None, grad=False):
        params = {"axis": axis}
        if self.keepdims:
            params["keepdims"] = keepdims
        build = _Bound(apply, params)
        return OpCase(f"{name}[{d}]:{kind}", build, [x], None, grad=grad,
                      rtol=_pick(self.rtol, d), atol=_pick(self.atol, d),
                      op=name, dtype=d, views=views, wrt=[0] if grad else None)

    def _cases_for(self, name, apply, d, smoke=None):
        """The cases of one dtype; ``smoke`` (the dtype's index) keeps two axes and one
        layout, and the corner cases for the first dtype only."""
        rng = _rng(name, d)
        first = smoke in (None, 0)
        x = random_array(rng, d, (2, 3, 4))
        axes = self.axes if smoke is None else [self.axes[0], self.axes[1 + smoke % (len(self.axes) - 1)]]
        c = [self._case(name, apply, d, f"axis={ax}", x, ax) for ax in axes]
        if first:
            if self.keepdims:
                c.append(self._case(name, apply, d, "keepdims", x, 1, keepdims=True))
            c.append(self._case(name, apply, d, "0d", random_array(rng, d, ()), None))
            empty = random_array(rng, d, (0, 3))
            c.append(self._case(name, apply, d, "empty-axis=1", empty, 1))
            if self.empty_ok:
                c.append(self._case(name, apply, d, "empty-axis=None", empty, None))
                c.append(self._case(name, apply, d, "empty-axis=0", empty, 0))
        m = random_array(rng, d, (3, 5))
        kinds = VIEW_KINDS if smoke is None else [VIEW_KINDS[smoke % len(VIEW_KINDS)]]
        for kind in kinds:
            c.append(self._case(name, apply, d, f"views-{kind}", m, 0, views=[kind]))
            if smoke is None:
                c.append(self._case(name, apply, d, f"views-{kind}-axis=1", m, 1, views=[kind]))
        if self.edge:
            e = edge_values(d)
            c.append(self._case(name, apply, d, "edge", e, None))
            if smoke is None:
                pairs = np.stack([e, np.roll(e, 3)], axis=1)
                c.append(self._case(name, apply, d, "edge-axis=1", pairs, 1))
            if np.dtype(d).kind == "f":
                c.append(self._case(name, apply, d, "edge-rows", edge_rows(d), 1))
        if self.grad and d == "float64":
            g = random_array(rng, d, (2, 3))
            c.append(self._case(name, apply, d, "grad-axis=1", g, 1, grad=True))
            if smoke is None:
                c.append(self._case(name, apply, d, "grad-axis=None", g, None, grad=True))
        return c


def edge_rows(dtype):
    """Rows whose reductions are easy to get wrong: signed zeros, nan first/middle/last,
    opposite infinities, subnormals, overflow."""
    fi = np.finfo(dtype)
    sub, top, nan, inf = float(fi.smallest_subnormal), float(fi.max), np.nan, np.inf
    rows = [[-0.0, -0.0, -0.0], [0.0, -0.0, -0.0], [-0.0, 0.0, -0.0], [nan, 1.0, 2.0], [1.0, nan, -2.0],
            [2.0, -1.0, nan], [inf, 1.0, -1.0], [-inf, -1.0, 1.0], [inf, -inf, 0.0], [sub, -sub, sub],
            [top, top, -top], [-0.0, sub, -sub], [nan, inf, -inf]]
    return np.array(rows, dtype=dtype)


class _Bound:
    """``apply`` with fixed keyword parameters (a picklable, printable partial)."""

    def __init__(self, apply, params):
        self.apply = apply
        self.params = params

    def __call__(self, *xs):
        return self.apply(*xs, **self.params)

    def __repr__(self):
        return f"{self.apply!r}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"


@dataclass
class Explicit(Spec):
    """Hand-written cases (OpCases, or a callable returning them) and an optional
    :class:`~arignote.conformance.fuzzops.FuzzOp` for the fuzzer."""

    case_list: Any = ()
    fuzz: Any = None
    full_only: Sequence[Any] = field(default_factory=tuple)

    def cases(self, name, apply, level="quick"):
        found = self.case_list() if callable(self.case_list) else self.case_list
        found = list(found) + (list(self.full_only) if level == "full" else [])
        out = []
        for c in found:
            if c.op is None:
                c.op = name
            out.append(c)
        return out

    def fuzz_op(self, name):
        if self.fuzz is None:
            return None
        self.fuzz.name = name
        return self.fuzz


def resolve(cases):
    """A Spec for whatever an OpRecord's ``cases`` holds (None: no cases)."""
    if cases is None:
        return None
    if isinstance(cases, Spec):
        return cases
    if isinstance(cases, OpCase):
        return Explicit([cases])
    if isinstance(cases, (list, tuple)):
        bad = [c for c in cases if not isinstance(c, OpCase)]
        if bad:
            raise TypeError(f"cases must be OpCase objects, got {type(bad[0]).__name__}")
        return Explicit(list(cases))
    if callable(cases):
        return resolve(cases())
    raise TypeError(f"cannot read conformance cases from {type(cases).__name__} {cases!r}")


def applier(record):
    """``f(*inputs, **params)`` applying the record's op (an Op instance, or a builder)."""
    from ..graph import Op

    target = record.op_or_factory
    if isinstance(target, Op):
        return target
    if isinstance(target, type) and issubclass(target, Op):
        return target()
    if callable(target):
        return target
    raise TypeError(f"OpRecord {record.name!r}: op_or_factory must be an Op or a callable, got {target!r}")

