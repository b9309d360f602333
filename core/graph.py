"""The graph core: Variable, Constant, Apply and Op, plus iterative traversals.

Every traversal here is a loop over an explicit stack, never recursion, so
graphs of any depth (a chain of 100,000 ops) can be built, walked and cloned.
"""
from __future__ import annotations

import itertools
import os
import sys

_ids = itertools.count()
_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_PKG_ROOT = os.path.dirname(_PKG_DIR)
# arignote's own code: the package, and (in an editable install) its sibling folders
_OWN = tuple(os.path.join(_PKG_ROOT, d) + os.sep for d in ("core", "backends", "rewrites", "plugins")) \
    if os.path.basename(_PKG_DIR) == "core" else (_PKG_DIR + os.sep,)


class Tag:
    """A free-form attribute bag attached to variables and nodes."""

    def __repr__(self):
        return f"Tag({self.__dict__})"


def user_frame():
    """(filename, lineno) of the innermost frame outside arignote, or None."""
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not fn.startswith(_OWN):
            return (fn, f.f_lineno)
        f = f.f_back
    return None


class Variable:
    """A symbolic value of a given Type, produced by ``owner`` (an Apply) or free."""

    def __init__(self, type, owner=None, index=None, name=None):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.tag = Tag()
        self.auto_name = f"auto_{next(_ids)}"

    def clone(self):
        """A free copy with the same type, name and tag (no owner)."""
        cp = self.__class__(self.type, None, None, self.name)
        cp.tag = _copy_tag(self.tag)
        return cp

    def __str__(self):
        if self.name is not None:
            return self.name
        if self.owner is not None:
            op = self.owner.op
            if len(self.owner.outputs) == 1:
                return f"{op}.0" if False else f"{op}.out"
            return f"{op}.{self.index}"
        return f"<{self.type}>"

    def __repr__(self):
        return str(self)

    def get_parents(self):
        return [self.owner] if self.owner is not None else []

    def eval(self, inputs_to_values=None):
        """Compile (once per input set, cached) and evaluate this variable."""
        from .function import function

        inputs_to_values = inputs_to_values or {}
        keys = sorted(inputs_to_values, key=id)
        cache = self.__dict__.setdefault("_eval_cache", {})
        ck = tuple(id(k) for k in keys)
        if ck not in cache:
            cache[ck] = function(keys, self, on_unused_input="ignore")
        return cache[ck](*[inputs_to_values[k] for k in keys])

    def __getstate__(self):
        d = self.__dict__.copy()
        d.pop("_eval_cache", None)
        return d


def _copy_tag(tag):
    t = Tag()
    t.__dict__.update(tag.__dict__)
    return t


class Constant(Variable):
    """A Variable with a fixed value; equal constants merge."""

    def __init__(self, type, data, name=None):
        super().__init__(type, None, None, name)
        self.data = data

    def signature(self):
        return self.type.constant_signature(self.data)

    def clone(self):
        cp = self.__class__(self.type, self.data, self.name)
        cp.tag = _copy_tag(self.tag)
        return cp

    def __str__(self):
        if self.name is not None:
            return self.name
        return self.type.format_constant(self.data)


class Apply:
    """One application of an Op to input Variables, producing output Variables."""

    def __init__(self, op, inputs, outputs):
        self.op = op
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.tag = Tag()
        for i, out in enumerate(self.outputs):
            if out.owner is None:
                out.owner, out.index = self, i
            elif out.owner is not self or out.index != i:
                raise ValueError(f"output {i} of {op} is already owned by another node")

    @property
    def out(self):
        if len(self.outputs) != 1:
            raise AttributeError(f"{self.op} has {len(self.outputs)} outputs; use .outputs")
        return self.outputs[0]

    @property
    def nin(self):
        return len(self.inputs)

    @property
    def nout(self):
        return len(self.outputs)

    def clone_with_new_inputs(self, inputs, strict=True):
        """A node of the same op on new inputs; remakes it when the types differ."""
        if all(a.type == b.type for a, b in zip(inputs, self.inputs)):
            outs = [o.clone() for o in self.outputs]
            node = Apply(self.op, inputs, outs)
        else:
            node = self.op.make_node(*inputs)
            if strict and any(a.type != b.type for a, b in zip(node.outputs, self.outputs)):
                raise TypeError(
                    f"cloning {self.op} on inputs of new types changed its output types: "
                    f"{[o.type for o in self.outputs]} -> {[o.type for o in node.outputs]}"
                )
        node.tag = _copy_tag(self.tag)
        return node

    def __str__(self):
        return f"{self.op}({', '.join(map(str, self.inputs))})"

    __repr__ = __str__


class Op:
    """Base of all operations.

    Subclasses define ``make_node`` (type checking, output types), ``perform``
    (the NumPy reference), ``infer_shape`` and ``L_op``/``grad``.  Equality and
    hash come from ``__props__`` so identical nodes merge.
    """

    __props__: tuple = ()
    default_output = None

    def _props(self):
        return tuple(getattr(self, p) for p in self.__props__)

    def __eq__(self, other):
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self):
        return hash((type(self), self._props()))

    def __str__(self):
        if self.__props__:
            return f"{type(self).__name__}{{{', '.join(map(_prop_str, self._props()))}}}"
        return type(self).__name__

    __repr__ = __str__

    def make_node(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define make_node")

    def __call__(self, *inputs, **kwargs):
        node = self.make_node(*inputs, **kwargs)
        node.tag.trace = user_frame()
        if self.default_output is not None:
            return node.outputs[self.default_output]
        if len(node.outputs) == 1:
            return node.outputs[0]
        return node.outputs

    def perform(self, node, inputs, output_storage):
        raise NotImplementedError(f"{type(self).__name__} has no perform")

    def infer_shape(self, fgraph, node, input_shapes):
        """Symbolic output shapes (tuples of scalar variables) from input shapes."""
        raise ShapeError(f"{self} cannot infer its output shape")

    def L_op(self, inputs, outputs, output_grads):
        return self.grad(inputs, output_grads)

    def grad(self, inputs, output_grads):
        from .gradient import NoGradError

        raise NoGradError(f"{self} does not define a gradient")

    def R_op(self, inputs, eval_points):
        from .gradient import NoGradError

        raise NoGradError(f"{self} does not define R_op")

    def connection_pattern(self, node):
        return [[True] * len(node.outputs) for _ in node.inputs]


def _prop_str(p):
    if isinstance(p, tuple):
        return "(" + ", ".join(map(str, p)) + ")"
    return str(p)


class ShapeError(Exception):
    """An op could not infer its shape symbolically."""


# ---------------------------------------------------------------- traversals


def ancestors(outputs, blockers=None):
    """All variables reachable from ``outputs`` (stopping at ``blockers``), deterministic order."""
    blockers = set(blockers or ())
    seen, order, stack = set(), [], list(reversed(list(outputs)))
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        order.append(v)
        if v.owner is not None and v not in blockers:
            stack.extend(reversed(v.owner.inputs))
    return order


def graph_inputs(outputs, blockers=None):
    """The free (ownerless) variables the outputs depend on."""
    blockers = set(blockers or ())
    return [v for v in ancestors(outputs, blockers) if v.owner is None or v in blockers]


def io_toposort(inputs, outputs):
    """Apply nodes between ``inputs`` and ``outputs`` in a deterministic topological order."""
    stop = set(inputs)
    order, done = [], set()
    for out in outputs:
        if out.owner is None or out in stop or out.owner in done:
            continue
        stack, onstack = [[out.owner, 0]], {out.owner}
        while stack:
            top = stack[-1]
            node, i = top
            if i < len(node.inputs):
                top[1] = i + 1
                inp = node.inputs[i]
                n2 = inp.owner
                if n2 is not None and inp not in stop and n2 not in done and n2 not in onstack:
                    stack.append([n2, 0])
                    onstack.add(n2)
            else:
                stack.pop()
                onstack.discard(node)
                done.add(node)
                order.append(node)
    return order


def clone_graph(inputs, outputs, replace=None, copy_inputs=True):
    """Clone the graph between ``inputs`` and ``outputs``.

    ``replace`` maps variables to substitutes (givens); a substitute may be an
    expression of the inputs.  Returns (new_inputs, new_outputs, memo) where
    memo maps each old variable to its clone.
    """
    memo = {i: (i.clone() if copy_inputs else i) for i in inputs}
    replace = dict(replace or {})
    if replace:
        # clone the substitutes first, in terms of the cloned inputs
        _clone_into(memo, list(inputs), list(replace.values()))
        for k, v in replace.items():
            memo[k] = _memo_get(memo, v)
    _clone_into(memo, list(inputs) + list(replace), outputs)
    return [memo[i] for i in inputs], [_memo_get(memo, o) for o in outputs], memo


def _clone_into(memo, stop, outputs):
    for node in io_toposort(stop, outputs):
        if node.outputs[0] in memo:
            continue
        new_node = node.clone_with_new_inputs([_memo_get(memo, i) for i in node.inputs], strict=False)
        for o, no in zip(node.outputs, new_node.outputs):
            memo[o] = no


def _memo_get(memo, v):
    if v in memo:
        return memo[v]
    if v.owner is None:
        # a free variable that is not an input (constant, shared variable): kept as is
        memo[v] = v
        return v
    raise KeyError(v)
