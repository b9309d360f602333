"""function(): compile symbolic inputs/outputs/updates into a callable."""
from __future__ import annotations

import copy
import functools
import gc
import threading
import warnings

import numpy as np

from .deep_copy import deep_copy_op
from .default_updates import default_updates
from .destroy import check_accept_inplace, protect_destroyed
from .fg import FunctionGraph
from .graph import Constant, Variable, ancestors, clone_graph, use_compiler
from .function_io import NO_DEFAULT as _NO_DEFAULT, In, Out, StoredInputs, as_in, named_filter, unknown_input_message
from .shared import Container, SharedVariable, lock_order
from .storage import fit as _fit_device, placed as _placed, storage_of as _storage_of, to_host as _to_host
from .errors import MissingInputError, UnusedInputError  # noqa: F401


Param = In


class _Maker:
    """What built a Function (``f.maker.fgraph`` is the rewritten graph, as in Theano)."""

    def __init__(self, fgraph, inputs, mode, backend):
        self.fgraph = fgraph
        self.inputs = inputs
        self.mode = mode
        self.backend = backend


class Function(StoredInputs):
    """A compiled function; call it with input values (positionally or by name).

    Threads: one Function may be called from many threads at once, on every
    backend, with correct results.  A call that reads or updates shared
    variables holds their locks from reading their values to writing its
    updates, so each call's updates are applied atomically and calls touching
    the same shared variables are serialised; ``set_value`` waits for them too.
    Calls touching no shared variable run concurrently: on 'py' each running
    call has storage of its own (from a pool of storage sets) and NumPy releases
    the GIL in its loops; on 'c' each call
    has its own scratch buffers and kernels over large arrays release the GIL;
    on 'llvm' the native entry holds the GIL for the whole call, so llvm calls
    are serialised (they interleave only in fallback nodes run in Python).
    """

    def __init__(self, spec, fgraph, thunk, ins, n_out, single, update_vars, copy_out, backend_name, mode,
                 trust_input=False, name=None, storage=None):
        self._spec = spec
        # the backend's device storage (core/storage.py): shared values live there, plain outputs
        # come back to the host unless it keeps them
        self._storage = storage
        self._host_outs = storage is not None and not storage.device_outputs
        self.maker = _Maker(fgraph, ins, mode, backend_name)
        self._thunk = thunk
        self._ins = ins
        self._n_in = len(ins)
        self._names = {}
        for i, inp in enumerate(ins):
            for n in {inp.name, inp.variable.name} - {None}:
                self._names.setdefault(n, i)
        self._types = [inp.variable.type for inp in ins]
        self._convert = [_converter(inp.variable.type, inp, self._describe(i, quote=False), storage)
                         for i, inp in enumerate(ins)]
        self._defaults = [self._convert[i](inp.value) if inp.has_default else _NO_DEFAULT
                          for i, inp in enumerate(ins)]
        self._in_updates = [i for i, inp in enumerate(ins) if inp.update is not None]
        self._n_required = sum(1 for d in self._defaults if d is _NO_DEFAULT)
        self._shared_cells = [s.container for s in update_vars[1]]
        # where each shared value is computed on: the backend's device for tensors, else the host
        self._shared_places = [(s.container, storage if getattr(s, "device_resident", False) else None)
                               for s in update_vars[1]]
        self._n_out = n_out
        self._single = single
        self._update_cells = [s.container for s in update_vars[0]]
        # stored inputs (In(update=...)) change per call too: their lock joins the shared ones
        self._stored = Container([None]) if self._in_updates else None
        self._locked = lock_order(self._shared_cells + ([self._stored] if self._stored else []))
        self._copy_out = copy_out
        self.trust_input = trust_input
        self.name = name
        self.backend = backend_name

    def native_entry(self):
        """This function's C-callable entry (see :mod:`arignote.native_entry`); raises
        NativeEntryUnavailable, naming the cause, where there is none."""
        from .native_entry import native_entry

        return native_entry(self)

    # ------------------------------------------------------------------- call
    def __call__(self, *args, **kwargs):
        if not self._locked:  # the common case, inline: no shared state to guard
            if not kwargs and len(args) == self._n_in:
                values = list(args) if self.trust_input else [c(a) for c, a in zip(self._convert, args)]
            else:
                values = self._check_args(args, kwargs)
            outs = self._thunk(values)
            if self._copy_out or self._host_outs:
                outs = self._finish(outs)
            return outs[0] if self._single else outs[:self._n_out]
        for c in self._locked:  # read, compute and update as one step
            c.lock.acquire()
        try:
            values = self._values(args, kwargs)
            values += [_placed(c, st) for c, st in self._shared_places]
            outs = self._run(values)
            n = self._n_out
            for k, cell in enumerate(self._update_cells):
                cell[0] = outs[n + k]
            if self._in_updates:  # In(x, update=...): the new stored values follow the shared updates
                n = len(outs) - len(self._in_updates)
                for k, i in enumerate(self._in_updates):
                    self._defaults[i] = _to_host(outs[n + k])
        finally:
            for c in reversed(self._locked):
                c.lock.release()
        return outs[0] if self._single else outs[:self._n_out]

    def _values(self, args, kwargs):
        if not kwargs and len(args) == self._n_in:
            return list(args) if self.trust_input else [c(a) for c, a in zip(self._convert, args)]
        return self._check_args(args, kwargs)

    def _run(self, values):
        return self._finish(self._thunk(values))

    def _finish(self, outs):
        """The thunk's outputs with the aliased ones copied and the plain ones on the host."""
        if self._copy_out:
            outs = list(outs)
            for i in self._copy_out:
                outs[i] = outs[i].copy()
        if self._host_outs:  # plain outputs to NumPy; updates stay on the device
            st = self._storage
            outs = [st.to_host(o) if k < self._n_out and st.owns(o) else o for k, o in enumerate(outs)]
        return outs

    def _check_args(self, args, kwargs):
        n_in = self._n_in
        if len(args) > n_in:
            raise TypeError(
                f"{self._label()} takes at most {n_in} argument(s) ({self._input_list()}), got {len(args)}"
            )
        values = list(args) + [_NO_DEFAULT] * (n_in - len(args))
        for k, v in kwargs.items():
            i = self._names.get(k)
            if i is None:
                raise TypeError(unknown_input_message(k, self._ins))
            if i < len(args):
                raise TypeError(f"{self._label()} got multiple values for input {k!r}")
            values[i] = v
        for i, v in enumerate(values):
            if v is _NO_DEFAULT:
                d = self._defaults[i]
                if d is _NO_DEFAULT:
                    inp = self._ins[i]
                    raise TypeError(f"Missing required input: {inp.name or inp.variable}")
                v = d
            values[i] = self._convert[i](v)
        return values

    def _label(self):
        return f"function {self.name!r}" if self.name else "the compiled function"

    def _describe(self, i, quote=True):
        inp = self._ins[i]
        n = inp.name or inp.variable.name
        if n:
            return f"'{n}' (#{i})" if quote else f"{n} (#{i}, {inp.variable.type})"
        return f"#{i}" if quote else f"#{i} ({inp.variable.type})"

    def _input_list(self):
        return "(" + ", ".join(
            (inp.name or inp.variable.name or f"<{inp.variable.type}>") for inp in self._ins
        ) + ")"

    # --------------------------------------------------------------- pickling
    def __reduce__(self):
        # the stored input values (In(value=, update=), f[x] = v) travel as they are now
        return (_rebuild, (self._spec, self.trust_input), {"_defaults": list(self._defaults)})

    def copy(self, share_memory=False, swap=None, delete_updates=False, name=None):
        """A new function from the same graph.

        ``swap`` maps shared variables of this function to other shared
        variables of the same type; ``delete_updates`` drops the updates;
        ``share_memory=True`` shares the stored input values (``f[x]``).
        """
        spec = dict(self._spec)
        upd = [] if delete_updates else _normalize_updates(spec["updates"])
        _, out_list, borrows = _split_outputs(spec["outputs"])
        if swap:
            for old, new in swap.items():
                if not isinstance(old, SharedVariable) or not isinstance(new, SharedVariable):
                    raise TypeError(f"copy(swap=...) maps shared variables to shared variables, got {old!r}: {new!r}")
                if old.type != new.type:
                    raise TypeError(f"copy(swap=...): {old} ({old.type}) and {new} ({new.type}) differ in type")
            exprs = out_list + [e for _, e in upd]
            _, new_exprs, _ = clone_graph([], exprs, replace=dict(swap), copy_inputs=False)
            out_list = new_exprs[: len(out_list)]
            upd = [(swap.get(s, s), e) for (s, _), e in zip(upd, new_exprs[len(out_list):])]
        # as Theano's Function.copy: the copy returns its outputs as a list, even a single one
        spec["outputs"] = [Out(o, borrow=True) if b else o for o, b in zip(out_list, borrows)]
        spec["updates"] = upd
        spec["name"] = name or self.name
        if delete_updates:
            spec["on_unused_input"] = "ignore"
            spec["no_default_updates"] = True  # random generators' default updates go too
        new = _rebuild(spec, self.trust_input)
        # stored input values: the same cells with share_memory=True, else a copy of them now
        new._defaults = self._defaults if share_memory else [
            d if d is _NO_DEFAULT else copy.deepcopy(d) for d in self._defaults]
        return new

    def __repr__(self):
        return f"<arignote.Function {self.name or ''} {self._input_list()} on {self.backend}>"


def _converter(t, inp, name, storage=None):
    """A fast checker/caster for one input: exact-type arrays pass straight through, and so do
    the device arrays of ``storage`` (the backend's, core/storage.py); other device arrays are
    copied to the host."""
    filt = named_filter(t)
    strict, down = inp.strict, inp.allow_downcast
    dt = getattr(t, "numpy_dtype", None)
    shape = getattr(t, "shape", None)
    ndarray = np.ndarray

    def slow(v):
        st = _storage_of(v)
        if st is not None:
            if st is storage and dt is not None:
                return _fit_device(t, v, st, f"input {name!r}", strict, down)
            v = st.to_host(v)
        return filt(v, strict=strict, allow_downcast=down, name=name)

    if dt is None or any(s is not None for s in shape):
        return slow
    nd = len(shape)
    pyfloat_ok = dt == np.float64 and nd == 0 and not strict

    widening = {}  # source dtype -> whether it casts to dt without loss

    def convert(v):
        tv = type(v)
        if tv is ndarray and v.ndim == nd:
            vdt = v.dtype
            if vdt is dt or vdt == dt:
                return v
            if not strict:
                ok = widening.get(vdt)
                if ok is None:
                    ok = widening[vdt] = bool(np.can_cast(vdt, dt, "safe"))
                if ok:
                    return v.astype(dt)
        elif pyfloat_ok and (tv is float or tv is int):
            return np.array(v, dtype=dt)
        return slow(v)

    return convert


def _rebuild(spec, trust_input):
    f = function(**spec)
    f.trust_input = trust_input
    return f




# ---------------------------------------------------------------- function()


def _pausing_gc(fn):
    """Run ``fn`` with the cyclic garbage collector paused (its state restored after).

    Compiling allocates many linked objects and frees few, so collections find
    little garbage but walk the whole graph each time: pausing them makes large
    graphs (a 100,000-node chain) compile 2-3x faster.
    """
    @functools.wraps(fn)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@_pausing_gc
def function(inputs, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
             accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None,
             profile=None, on_unused_input=None, backend=None, trust_input=False, lazy=False):
    """Compile a callable computing ``outputs`` from ``inputs``.

    ``updates`` (pairs or dict: shared variable -> new expression) are applied
    together after each call, from the old values; ``givens`` substitute
    variables in the graph.  ``backend`` picks the executor ('py', 'c',
    'llvm', 'cuda', 'auto'; default ``config.backend``).

    ``trust_input=True`` skips the Python-side conversion and checks of the
    input values (positional calls).  The compiled backends still check each
    value's dtype, rank and strides before reading it: on 'c' and 'llvm' a value
    of another dtype is converted and one of another rank refused with the
    TypeError of an untrusted call, so nothing is ever read or written out of
    bounds.  On 'py' the values go to NumPy as given: a wrong one gives NumPy's
    result for it (e.g. a matrix where a vector was declared gives a matrix) or
    NumPy's error, never an out-of-bounds access.

    ``lazy=True`` rewrites the graph now but generates and compiles the backend's code at
    the first call: a caller that may only need ``f.native_entry()`` (the native NUTS
    kernel) does not pay for a compile it does not use.
    """
    spec = dict(inputs=inputs, outputs=outputs, mode=mode, updates=updates, givens=givens,
                no_default_updates=no_default_updates, name=name, allow_input_downcast=allow_input_downcast,
                on_unused_input=on_unused_input, backend=backend, lazy=lazy)
    if inputs is None:
        inputs = []
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(f"function() inputs must be a list of variables, got {type(inputs).__name__}")
    ins = [as_in(i, k) for k, i in enumerate(inputs)]
    if allow_input_downcast is not None:
        for i in ins:
            if i.allow_downcast is None:
                i.allow_downcast = allow_input_downcast
    seen = set()
    for k, i in enumerate(ins):
        if isinstance(i.variable, SharedVariable):
            raise TypeError(f"input #{k} ({i.variable}) is a shared variable; shared variables are implicit inputs, "
                            "remove it from the inputs list")
        if isinstance(i.variable, Constant):
            raise TypeError(f"input #{k} ({i.variable}) is a constant and cannot be a function input")
        if i.variable.owner is not None:
            raise TypeError(
                f"input #{k} ({i.variable}) is computed by {i.variable.owner.op}; function inputs must be free "
                "variables (use givens= to substitute an expression)"
            )
        if i.variable in seen:
            raise ValueError(f"input #{k} ({i.variable}) is given more than once")
        seen.add(i.variable)
    _check_default_order(ins)

    single, out_list, borrows = _split_outputs(outputs)
    out_vars = []
    for k, o in enumerate(out_list):
        if not isinstance(o, Variable):
            from .tensor.variable import as_tensor_variable

            try:
                o = as_tensor_variable(o)
            except TypeError:
                raise TypeError(f"output #{k} must be a symbolic variable, got {type(o).__name__}") from None
        out_vars.append(o)

    upd_pairs = _normalize_updates(updates)
    givens_map = _normalize_givens(givens)
    in_vars = [i.variable for i in ins]
    for s, e in default_updates(out_vars, [e for _, e in upd_pairs], [s for s, _ in upd_pairs], in_vars,
                                no_default_updates):
        upd_pairs.append((s, _fit_update(s, e)))
    upd_targets = [s for s, _ in upd_pairs]
    upd_exprs = [e for _, e in upd_pairs] + [_fit_update(i.variable, i.update) for i in ins if i.update is not None]

    all_outs = out_vars + upd_exprs
    shared_in = [v for v in ancestors(all_outs + list(givens_map.values()), blockers=in_vars + list(givens_map))
                 if isinstance(v, SharedVariable) and v not in givens_map]
    for s in upd_targets:
        if s not in shared_in:
            shared_in.append(s)
    _check_unused(ins, all_outs, givens_map, on_unused_input)

    new_ins, new_outs, memo = clone_graph(in_vars + shared_in, all_outs, replace=givens_map or None)
    fg_inputs = new_ins
    fgraph = FunctionGraph(fg_inputs, new_outs)
    fgraph.update_targets = upd_targets

    from .mode import get_mode

    the_mode = get_mode(mode)
    from . import plugin_manager as plugins

    backend_name = backend or the_mode.backend
    if backend_name is None:
        from .config import config
        from .mode import device_backend

        backend_name = config.backend
        if backend_name == "auto":
            backend_name = device_backend() or backend_name
    be = plugins.get_backend(backend_name)
    # a backend may opt out of phases that do not pay for it (the reference skips fusion)
    check_accept_inplace(fgraph, accept_inplace)
    the_mode.optimize(fgraph, skip_phases=getattr(be, "skip_phases", ()))
    n_out = len(out_vars)  # the outputs, then the updates' values in the order of upd_targets
    protect_destroyed(fgraph, [v for v, i in zip(new_ins, ins) if i.mutable],
                      dict(zip([memo.get(s, s) for s in upd_targets], fgraph.outputs[n_out:n_out + len(upd_targets)])))
    _insert_deepcopy(fgraph, borrows)
    _prepare_nodes(fgraph, be, the_mode)
    compile_graph = getattr(the_mode, "compile_graph", None)  # mode="check"/"nanguard" compile node by node
    storage = getattr(be, "storage", None) if compile_graph is None else None
    if compile_graph is not None:
        thunk = compile_graph(be, fgraph)
    elif storage is not None:  # a backend with device storage runs on device values as they come
        thunk = be.compile(fgraph, device_io=True)
    elif lazy:
        thunk = _LazyThunk(be, fgraph)
    else:
        thunk = be.compile(fgraph)
    own = {n_out + j: memo.get(t, t) for j, t in enumerate(upd_targets)}
    copy_out = [k for k in _aliased_outputs(fgraph, len(out_vars) + len(upd_exprs), own)
                if k >= len(borrows) or not borrows[k]]
    fn = Function(spec, fgraph, thunk, ins, len(out_vars), single, (upd_targets, shared_in), copy_out,
                  getattr(be, "name", backend_name), the_mode, trust_input=trust_input, name=name, storage=storage)
    return fn


class _LazyThunk:
    """``function(lazy=True)``'s thunk: the backend compiles the graph at the first call
    (once, whichever thread calls first), then the compiled thunk runs every call."""

    def __init__(self, backend, fgraph):
        self._backend, self._fgraph = backend, fgraph
        self._thunk = None
        self._lock = threading.Lock()

    @property
    def compiled(self) -> bool:
        return self._thunk is not None

    def ensure(self):
        """The compiled thunk, compiling it now if no call has yet."""
        thunk = self._thunk
        if thunk is None:
            with self._lock:
                if self._thunk is None:
                    self._thunk = _pausing_gc(self._backend.compile)(self._fgraph)
                thunk = self._thunk
        return thunk

    def __call__(self, values):
        return (self._thunk or self.ensure())(values)


def _insert_deepcopy(fgraph, borrows):
    """Theano's ``insert_deepcopy``: an output that would share memory with an input, a shared
    value, a constant or another output gets a DeepCopyOp node (unless ``Out(borrow=True)``)."""
    n = len(borrows)
    for k in _aliased_outputs(fgraph, n):
        if not borrows[k]:
            fgraph.change_input("output", k, deep_copy_op(fgraph.outputs[k]), reason="insert_deepcopy")


def _prepare_nodes(fgraph, backend, mode):
    """Let ops with inner graphs (scan) compile them for the backend and mode of this function."""
    for node in fgraph.toposort():
        prep = getattr(node.op, "prepare_for_backend", None)
        if prep is not None:
            prep(node, backend, mode)


def _split_outputs(outputs):
    """(single, output variables, borrow flags) from None, a variable, an Out or a list of them."""
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    items = [] if outputs is None else ([outputs] if single else list(outputs))
    borrows = [isinstance(o, Out) and o.borrow for o in items]
    return single, [o.variable if isinstance(o, Out) else o for o in items], borrows


def _check_default_order(ins):
    seen_default = False
    for i in ins:
        if i.has_default:
            seen_default = True
        elif seen_default:
            pass  # allowed when given by keyword; Theano accepts it too


def _normalize_updates(updates):
    if updates is None:
        return []
    if isinstance(updates, dict):
        pairs = list(updates.items())
    else:
        try:
            pairs = [tuple(p) for p in updates]
        except TypeError:
            raise TypeError("updates must be a dict or a list of (shared variable, expression) pairs") from None
    out, seen = [], set()
    from .tensor.variable import as_tensor_variable

    for p in pairs:
        if len(p) != 2:
            raise TypeError(f"each update must be a (shared variable, expression) pair, got {p!r}")
        s, e = p
        if not isinstance(s, SharedVariable):
            raise TypeError(f"update target {s} is not a shared variable; only shared variables can be updated")
        if s in seen:
            raise ValueError(f"shared variable {s} is updated more than once")
        seen.add(s)
        if not isinstance(e, Variable):
            e = as_tensor_variable(e)
        e = _fit_update(s, e)
        out.append((s, e))
    return out


def _fit_update(s, e):
    if e.type == s.type:
        return e
    if hasattr(s.type, "is_super") and s.type.is_super(e.type):
        return e
    st = s.type
    raise TypeError(
        f"an update must have the same type as its shared variable: {s} is {s.type}, but the update "
        f"expression {e} is {e.type}; cast it (e.g. expr.astype('{st.dtype}'))"
    )


def _normalize_givens(givens):
    if not givens:
        return {}
    pairs = list(givens.items()) if isinstance(givens, dict) else [tuple(p) for p in givens]
    from .tensor.variable import as_tensor_variable

    out = {}
    for k, v in pairs:
        if not isinstance(k, Variable):
            raise TypeError(f"givens keys must be variables, got {type(k).__name__}")
        if not isinstance(v, Variable):
            v = as_tensor_variable(v)
            if v.type != k.type and getattr(k.type, "dtype", None) != v.type.dtype:
                from .tensor.math import cast

                v = cast(v, k.type.dtype)
        if v.type != k.type and not (hasattr(k.type, "is_super") and k.type.is_super(v.type)):
            if getattr(v.type, "ndim", None) != getattr(k.type, "ndim", None) or v.type.dtype != k.type.dtype:
                raise TypeError(f"givens: {k} ({k.type}) cannot be replaced by {v} ({v.type}): types differ")
        out[k] = v
    return out


def _check_unused(ins, outs, givens_map, on_unused_input):
    from .config import config

    policy = on_unused_input or getattr(config, "on_unused_input", "raise")
    if policy == "ignore":
        return
    used = set(ancestors(outs + list(givens_map.values())))
    for k, i in enumerate(ins):
        if i.variable not in used and i.variable not in givens_map:
            msg = (
                f"function() was asked to compute its outputs from input #{k} ({i.variable}), which is not part "
                f"of the graph needed to compute them. Pass on_unused_input='warn' to make this a warning, "
                f"or 'ignore' to accept it."
            )
            if policy == "warn":
                warnings.warn(msg, stacklevel=3)
            else:
                raise UnusedInputError(msg)


def _aliased_outputs(fgraph, n, own=None):
    """Indices of outputs that may share memory with an input, a constant or another output.
    ``own``: {output index: the input it updates}, which that output may overwrite and share."""
    own = own or {}
    sources = set(fgraph.inputs)
    view_of = {}
    for node in fgraph.toposort():
        vm = {**(getattr(node.op, "destroy_map", None) or {}), **(getattr(node.op, "view_map", None) or {})}
        for o, ins in vm.items():
            for i in ins:
                base = view_of.get(node.inputs[i], node.inputs[i])
                view_of[node.outputs[o]] = base
    out, seen = [], set()
    for k, o in enumerate(fgraph.outputs[:n]):
        base = view_of.get(o, o)
        if own.get(k) is base and base not in seen:
            pass  # an update written into its own shared value (a generator advanced in place)
        elif base in sources or isinstance(base, Constant) or base.owner is None or base in seen:
            out.append(k)
        seen.add(base)
    return out


use_compiler(function)
