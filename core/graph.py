"""The graph core: Variable, Constant, Apply and Op, plus iterative traversals.

Every traversal here is a loop over an explicit stack, never recursion, so
graphs of any depth (a chain of 100,000 ops) can be built, walked and cloned.
"""
from __future__ import annotations

import itertools
import os
import sys
from .errors import NoGradError, ShapeError  # noqa: F401

_ids = itertools.count()
_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_PKG_ROOT = os.path.dirname(_PKG_DIR)
# arignote's own code: the package, and (in an editable install) its sibling folders
_OWN = tuple(os.path.join(_PKG_ROOT, d) + os.sep for d in ("core", "backends", "rewrites", "plugins")) \
    if os.path.basename(_PKG_DIR) == "core" else (_PKG_DIR + os.sep,)


class Tag:
    """A free-form attribute bag attached to variables and nodes."""

    def __repr__(self):
        return f"Tag({ {k: v for k, v in self.__dict__.items() if k != '_owner_type'} })"

    def __setattr__(self, name, value):
        # Theano's ValidatingScratchpad: a variable's test value goes through its type's filter
        # (42 on a float scalar becomes array(42.0)); a value the filter refuses is kept as given,
        # for compute_test_value to report where it is used
        if name == "test_value":
            t = self.__dict__.get("_owner_type")
            if t is not None:
                try:
                    value = t.filter(value)
                except Exception:  # noqa: BLE001  (any refusal: keep the user's value)
                    pass
        object.__setattr__(self, name, value)


class _Lazy:
    """A per-instance attribute made on first read (a non-data descriptor: afterwards the
    instance's own value is found first, and assigning to it works as usual)."""

    def __init__(self, make):
        self.make = make
        self.attr = make.__name__

    def __set_name__(self, owner, name):
        self.attr = name

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = self.make()
        setattr(obj, self.attr, value)
        return value


class _TagSlot:
    """``.tag`` of variables and nodes, made on first use.

    Most tags are never read, so building a graph only records the user's
    location in ``_trace``; the Tag (with ``trace`` set from it) is made when
    someone looks.
    """

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        t = obj._tag
        if t is None:
            t = obj._tag = Tag()
            owner_type = getattr(obj, "type", None)
            if owner_type is not None and callable(getattr(owner_type, "filter", None)):
                t.__dict__["_owner_type"] = owner_type
            tr = obj._trace
            if tr is not None:
                t.trace = tr
        return t

    def __set__(self, obj, value):
        obj._tag = value


class _ConstantTagSlot(_TagSlot):
    """``.tag`` of constants: as for variables, and a constant made from a Python number
    (``x ** 2``) finds that number as ``tag.literal`` (kept aside in ``_literal`` until then)."""

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        t = obj._tag
        if t is None:
            t = _TagSlot.__get__(self, obj, cls)
            if obj._literal is not None:
                t.literal = obj._literal
        return t


def _set_trace(obj, trace):
    """Record where the user made ``obj`` (kept aside until its tag is read)."""
    try:
        tag = obj._tag
    except AttributeError:  # a variable of some other kind: a plain tag
        obj.tag.trace = trace
        return
    if tag is None:
        obj._trace = trace
    else:
        tag.trace = trace


def _new_auto_name():
    return f"auto_{next(_ids)}"


# ------------------------------------------------------------ user locations

_own_files: dict = {}  # code filename -> True when it is arignote's own code


def _is_own(filename):
    own = _own_files[filename] = filename.startswith(_OWN)
    return own


class Trace:
    """Where the user made a variable or node: behaves as the tuple (filename, lineno).

    Only the frame's code object and instruction offset are kept; the line
    number is looked up on first use (``frame.f_lineno`` scans the whole line
    table, which costs microseconds in a long script).  Pickles as a plain tuple.
    """

    __slots__ = ("code", "lasti", "_lineno")

    def __init__(self, code, lasti):
        self.code = code
        self.lasti = lasti
        self._lineno = -1

    @property
    def filename(self):
        return self.code.co_filename

    @property
    def lineno(self):
        if self._lineno == -1:
            self._lineno = _line_of(self.code, self.lasti)
        return self._lineno

    def as_tuple(self):
        return (self.code.co_filename, self.lineno)

    def __getitem__(self, i):
        return self.as_tuple()[i]

    def __iter__(self):
        return iter(self.as_tuple())

    def __len__(self):
        return 2

    def __bool__(self):
        return True

    def __eq__(self, other):
        if isinstance(other, Trace):
            other = other.as_tuple()
        return self.as_tuple() == other

    def __hash__(self):
        return hash(self.as_tuple())

    def __repr__(self):
        return repr(self.as_tuple())

    def __reduce__(self):
        return (tuple, (self.as_tuple(),))


def _line_of(code, lasti):
    """The source line of the instruction at byte offset ``lasti`` (as ``frame.f_lineno``)."""
    if lasti < 0:
        return code.co_firstlineno
    line = None
    for start, end, ln in code.co_lines():
        if start <= lasti < end:
            return ln if ln is not None else line
        if ln is not None:
            line = ln
    return line


_traces: dict = {}  # (id(code), offset) -> Trace: one object per call site (it keeps its code alive)


def user_frame():
    """Where the innermost frame outside arignote is (a ``Trace``: (filename, lineno)), or None.

    Called for every node and variable made while building a graph, so it only
    walks frames, with arignote's own files remembered by name, and shares one
    Trace per call site.
    """
    f = sys._getframe(1)
    own = _own_files
    while f is not None:
        code = f.f_code
        o = own.get(code.co_filename)
        if o is None:
            o = _is_own(code.co_filename)
        if not o:
            key = (id(code), f.f_lasti)
            tr = _traces.get(key)
            if tr is None:
                if len(_traces) > 50_000:
                    _traces.clear()
                tr = _traces[key] = Trace(code, f.f_lasti)
            return tr
        f = f.f_back
    return None


_compiler = None  # ``arignote.function.function``: installed by that module, which sits above this one


def use_compiler(function):
    """Install the compiler ``Variable.eval`` calls (the function layer hands itself down)."""
    global _compiler
    _compiler = function


class Variable:
    """A symbolic value of a given Type, produced by ``owner`` (an Apply) or free.

    Pickling is flat (``__reduce__``, see ``graph_pickle``): a variable at the end of a
    100,000-op chain pickles without deep recursion.
    """

    tag = _TagSlot()
    _tag = None
    _trace = None
    auto_name = _Lazy(_new_auto_name)

    def __init__(self, type, owner=None, index=None, name=None):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name

    def clone(self):
        """A free copy with the same type, name and tag (no owner)."""
        cp = self.__class__(self.type, None, None, self.name)
        _copy_tag_to(self, cp)
        return cp

    def __str__(self):
        if self.name is not None:
            return self.name
        if self.owner is not None:
            return f"{self.owner.op}.{self.index}"  # Theano's spelling, also for a single output
        return f"<{self.type}>"

    def __repr__(self):
        return _test_values.repr_with_test_value(self)

    def get_parents(self):
        return [self.owner] if self.owner is not None else []

    @property
    def fgraph(self):
        """The FunctionGraph holding this variable (Theano's ``var.fgraph``), e.g. in
        ``f.maker.fgraph``; AttributeError for a variable outside any graph."""
        ref = self.__dict__.get("_fgraph")
        fg = ref() if ref is not None else None
        if fg is None or self not in fg:
            raise AttributeError(f"variable {self} is not part of a FunctionGraph")
        return fg

    @property
    def clients(self):
        """Theano's ``var.clients``: ``[(apply node, input index), ...]`` of the nodes using this
        variable in its FunctionGraph, plus ``('output', i)`` when it is the graph's output i."""
        return self.fgraph.clients(self)

    def eval(self, inputs_to_values=None):
        """Compile (once per input set, cached) and evaluate this variable."""
        inputs_to_values = inputs_to_values or {}
        keys = sorted(inputs_to_values, key=id)
        cache = self.__dict__.setdefault("_eval_cache", {})
        ck = tuple(id(k) for k in keys)
        if ck not in cache:
            cache[ck] = _compiler(keys, self, on_unused_input="ignore")
        return cache[ck](*[inputs_to_values[k] for k in keys])

    def __getstate__(self):
        d = self.__dict__.copy()
        d.pop("_eval_cache", None)
        d.pop("_fgraph", None)
        return d

    def __setstate__(self, state):
        _set_state(self, state)

    def __reduce__(self):
        from .graph_pickle import reduce_variable

        return reduce_variable(self)

    def __copy__(self):
        cp = self.__class__.__new__(self.__class__)
        cp.__dict__.update(self.__getstate__())
        return cp


def _copy_tag(tag):
    t = Tag()
    t.__dict__.update(tag.__dict__)
    return t


def _copy_tag_to(src, dst):
    """Give ``dst`` a copy of ``src``'s tag (or its pending user location)."""
    if src._tag is not None:
        dst._tag = _copy_tag(src._tag)
    elif src._trace is not None:
        dst._trace = src._trace


def _set_state(obj, state):
    """Restore a pickled ``__dict__`` (pickles from before lazy tags stored ``tag`` directly)."""
    if "tag" in state:
        state = dict(state)
        state["_tag"] = state.pop("tag")
    obj.__dict__.update(state)


class Constant(Variable):
    """A Variable with a fixed value; equal constants merge.

    ``_literal`` is the Python number the constant was written as (``2`` in ``x ** 2``), or
    None; it shows as ``tag.literal`` (printing shows the number as written).
    """

    tag = _ConstantTagSlot()
    _literal = None

    def __init__(self, type, data, name=None):
        self.type = type
        self.owner = None
        self.index = None
        self.name = name
        self.data = data

    def signature(self):
        return self.type.constant_signature(self.data)

    def clone(self):
        cp = self.__class__(self.type, self.data, self.name)
        _copy_tag_to(self, cp)
        if self._literal is not None:
            cp._literal = self._literal
        return cp

    def __str__(self):
        if self.name is not None:
            return self.name
        return self.type.format_constant(self.data)


class Apply:
    """One application of an Op to input Variables, producing output Variables."""

    tag = _TagSlot()
    _tag = None
    _trace = None

    def __init__(self, op, inputs, outputs):
        self.op = op
        self.inputs = list(inputs)
        self.outputs = outputs = list(outputs)
        for i, out in enumerate(outputs):
            if out.owner is None:
                out.owner = self
                out.index = i
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
        _copy_tag_to(self, node)
        return node

    def __str__(self):
        return f"{self.op}({', '.join(map(str, self.inputs))})"

    __repr__ = __str__

    def __setstate__(self, state):
        _set_state(self, state)

    def __reduce__(self):
        from .graph_pickle import reduce_apply

        return reduce_apply(self)

    def __copy__(self):
        cp = Apply.__new__(self.__class__)
        cp.__dict__.update(self.__dict__)
        return cp


class Op:
    """Base of all operations.

    Subclasses define ``make_node`` (type checking, output types), ``perform``
    (the NumPy reference), ``infer_shape`` and ``L_op``/``grad``.  Equality and
    hash come from ``__props__`` so identical nodes merge.
    """

    __props__: tuple = ()
    default_output = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        from .op_compat import adapt_op_class  # Theano's infer_shape(self, node, shapes) works too

        adapt_op_class(cls)

    def _props(self):
        return tuple(getattr(self, p) for p in self.__props__)

    def __eq__(self, other):
        return other is self or (type(self) is type(other) and self._props() == other._props())

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
        _set_trace(node, user_frame())
        if _test_values.config.compute_test_value != "off":  # Theano's test values: errors at build time
            _test_values.compute(node)
        if self.default_output is not None:
            return node.outputs[self.default_output]
        outs = node.outputs
        return outs[0] if len(outs) == 1 else outs

    def perform(self, node, inputs, output_storage):
        raise NotImplementedError(f"{type(self).__name__} has no perform")

    def infer_shape(self, fgraph, node, input_shapes):
        """Symbolic output shapes (tuples of scalar variables) from input shapes."""
        raise ShapeError(f"{self} cannot infer its output shape")

    def L_op(self, inputs, outputs, output_grads):
        return self.grad(inputs, output_grads)

    def grad(self, inputs, output_grads):
        raise NoGradError(f"{self} does not define a gradient")

    def R_op(self, inputs, eval_points):
        raise NoGradError(f"{self} does not define R_op")

    def connection_pattern(self, node):
        return [[True] * len(node.outputs) for _ in node.inputs]


def _prop_str(p):
    if isinstance(p, tuple):
        return "(" + ", ".join(map(str, p)) + ")"
    return str(p)


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
    """Apply nodes between ``inputs`` and ``outputs`` in a deterministic topological order.

    Depth-first, outputs left to right and each node's inputs right to left (Theano's
    order), each node after its inputs' nodes; a node is marked when first met (in a DAG a
    node met again is finished or on another branch).
    """
    stop = set(inputs)
    order, seen = [], set()
    for out in outputs:
        node = out.owner
        if node is None or node in seen or out in stop:
            continue
        seen.add(node)
        stack = [(node, reversed(node.inputs))]
        while stack:
            node, it = stack[-1]
            for inp in it:
                n2 = inp.owner
                if n2 is not None and n2 not in seen and inp not in stop:
                    seen.add(n2)
                    stack.append((n2, reversed(n2.inputs)))
                    break
            else:
                stack.pop()
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


from . import test_values as _test_values  # noqa: E402  (Theano's compute_test_value; uses only config)
