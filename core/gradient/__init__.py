"""Symbolic differentiation, as Theano's ``theano.gradient``.

* reverse mode: ``grad`` and ``Lop`` (:mod:`.reverse`, walking the graph
  backwards in :mod:`.backprop`);
* forward mode: ``Rop`` (:mod:`.forward`: each op's ``R_op``, or derived
  from the gradients);
* ``jacobian`` and ``hessian`` (:mod:`.jacobians`: rows unrolled for short
  static lengths, else a :class:`RowLoop` (:mod:`.rowloop`) that maps the
  backward graph over the rows);
* gradient-control ops (:mod:`.ops`): ``zero_grad``, ``disconnected_grad``,
  ``grad_clip``...;
* ``verify_grad`` (:mod:`.verify`): the symbolic gradient against central
  finite differences (:mod:`.numeric`).

Gradient markers (disconnected, null, zero) live in :mod:`.markers`, the
exceptions in :mod:`.errors`.  Every traversal is iterative: 100,000-node
chains differentiate without RecursionError.  This package re-exports every
name the former single module ``arignote.gradient`` had, private helpers
included, so old imports and pickles keep working.
"""
from __future__ import annotations

# Names the former module imported; kept importable from here.
from ..graph import Apply, Constant, Op, Variable, io_toposort  # noqa: F401
from ..types import TensorType, Type  # noqa: F401

from ..errors import DisconnectedInputError, NoGradError, NullTypeGradError, RopNotImplementedError  # noqa: F401
from ..grad_markers import (_ZERO, DisconnectedType, NullType, _is_disconnected, _is_null,  # noqa: F401
                      disconnected_type, grad_not_implemented, grad_undefined)
from .common import (_as_list, _check_choice, _fit_broadcast, _float_zeros_like, _is_float, _tm,  # noqa: F401
                     _where, format_as)
from ..tensor.grad_ops import (DisconnectedGrad, GradClip, GradScale, ViewOp, ZeroGrad, _disconnected_grad,  # noqa: F401
                  _zero_grad, consider_constant, disconnected_grad, grad_clip, grad_scale, zero_grad)
from .backprop import (_accumulate, _as_input_grad, _backprop, _call_l_op, _dependents,  # noqa: F401
                       _visit)
from .reverse import (Lop, _check_consider_constant, _check_cost, _finish, _handle_disconnected,  # noqa: F401
                      _seeds, _vjp, grad)
from .surgery import _clone_nodes, _dependent_nodes, _substitute  # noqa: F401
from .forward import Rop, _check_eval_point, _conform_tangent, _finish_rop, _rop_forward, _rop_via_lop  # noqa: F401
from .rowloop import RowLoop  # noqa: F401
from .jacobians import _jacobian_loop, _jacobian_unrolled, hessian, jacobian  # noqa: F401
from .numeric import numeric_grad  # noqa: F401
from .verify import _TYPE_TOL, GradientError, _check_grad_shapes, _float_outputs, verify_grad  # noqa: F401

# Up to this many rows a jacobian is unrolled into a plain graph (one backward
# sweep per row, sharing the forward graph); longer or symbolic lengths use a
# RowLoop, which evaluates the backward graph row by row at run time.
# jacobian() reads it from here at call time, so setting it here takes effect.
UNROLL_MAX = 256
