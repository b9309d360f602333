"""The shared lowering: a rewritten FunctionGraph -> backend-neutral kernel descriptions.

A ``Program`` is a list of steps over numbered variables:

* ``LoopStep``    a fused elementwise loop: a scalar expression DAG (``Body``)
                  over operands with static broadcast patterns; adjacent
                  Elemwise nodes (and Composite ones from the fusion rewrite)
                  of one broadcast pattern are grouped into one loop;
* ``ReduceStep``  sum/prod/max/min/all/any over any set of axes;
* ``DimShuffleStep``, ``SubtensorStep`` (both ``ViewStep``): new shape/strides, no copy;
* ``ShapeStep``   Shape and Shape_i;
* ``DotStep``     Dot/Matmul on 1-d/2-d float arrays, for a BLAS call;
* ``IntDotStep``  Dot of integer arrays of any rank: exact sums wrapping in NumPy's dtype;
* ``ReshapeStep`` Reshape: a view where NumPy's would be one, else a copy;
* ``TakeStep``, ``PutStep``  advanced indexing of the first axis by an integer array, and
                  advanced set/inc_subtensor there (``numpy.add.at`` accumulation);
* ``MaskStep``, ``MaskPutStep``  ``x[mask]`` with a bool mask over leading axes, and
                  set/inc_subtensor there;
* ``GatherStep``, ``ScatterStep``  any other index of integer arrays and bool masks mixed with
                  integers, slices and new axes (``x[i, :, j]``, ``x[:, i]``, ``x[:, mask]``:
                  NumPy's placement of the broadcast index dimensions), and set/inc_subtensor there (``numpy.add.at``, or NumPy's
                  ``x[idx] += y`` with ``ignore_duplicates``);
* ``AllocStep``   Alloc: a new array filled with a broadcast value;
* ``ArgStep``     Argmax/Argmin over one axis or the whole array;
* ``CumStep``     CumOp (cumsum/cumprod) along one axis or the flattened array;
* ``JoinStep``    Join (concatenate) and MakeVector (scalars stacked into a vector);
* ``IncSubtensorStep`` basic inc/set_subtensor: a copy whose region (slices, integers) is
                  incremented or set, the value broadcast as NumPy does;
* ``FallbackStep`` any other node: its NumPy ``perform``.

Every compiled backend renders these (C, LLVM, CUDA), so semantics such as
NumPy's dtype promotion are decided here, once: the scalar DAG already
contains the casts NumPy's ufunc loops would do.  ``register_lowering`` lets
an op pack map its own Op class to a step.

The package, one job per module (its fusion limits are arignote.fusion's): ``steps`` (the neutral IR: Target, the step
kinds, Program), ``body`` (scalar loop bodies), ``rules`` (per-op lowering of
nodes that are not Elemwise), ``grouping`` (which Elemwise nodes share a loop)
and ``schedule`` (``lower()``: order the steps, drop unread views, number the
variables).  A backend renders a Program through its own table of step kind ->
method (:class:`StepTable`), so a new step kind or a new backend is a row or a
table, never an ``isinstance`` chain.
"""
from __future__ import annotations

from .body import SVal, Body, literal_value, _elemwise_ok  # noqa: F401
from .grouping import _group_elemwise  # noqa: F401
from .limits import MAX_BODY, MAX_NDIM, MAX_OPERANDS, SEARCH_LIMIT  # noqa: F401
from .rules import lower_node, needs_blas, register_lowering  # noqa: F401
from .schedule import lower  # noqa: F401
from .steps import (  # noqa: F401
    ALL_DTYPES, AllocStep, ArgStep, CONCRETE_STEPS, CumStep, DimShuffleStep, DotStep, FallbackStep, GatherStep, IncSubtensorStep, IntDotStep,
    JoinStep, LoopStep, MaskPutStep, MaskStep, Program,
    PutStep, ReduceStep, ReshapeStep, ScatterStep, ShapeStep, Step, StepTable, SubtensorStep, TakeStep, Target, ViewStep,
)
