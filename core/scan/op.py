"""The Scan op: a loop whose body is an inner graph, run step by step.

Outer inputs, in order: ``n_steps`` (int64 scalar, -1: as many as the
sequences allow), the sequences, the initial states of the recurrent outputs
(each with a leading axis holding its past taps; an object state, such as a
random generator, as it is), then the non-sequences.

Inner inputs: one slice per (sequence, tap), one value per (recurrent output,
tap), then the non-sequences.  Inner outputs: the new value of each recurrent
output, then the outputs that are not fed back (nit_sot), then the ``until``
condition when there is one.

Outer outputs: the history of each recurrent output (without its initial
taps), then the history of each nit_sot output; an object state gives its
final value.  ``store[k]`` > 0 keeps only the last ``store[k]`` entries of
output k (counting the initial taps of a recurrent output), which is all a
graph using ``out[-1]`` needs: the memory rewrite sets it.
"""
from __future__ import annotations

from ..graph import Apply, Op, ancestors
from ..types import TensorType


class Scan(Op):
    """A symbolic loop (see the module docstring for its inputs and outputs)."""

    def __init__(self, inner_inputs, inner_outputs, seq_taps, out_taps, n_nit_sot, as_while=False,
                 truncate_gradient=-1, go_backwards=False, name=None, mode=None, store=None, n_shared=0,
                 seq_names=(), out_names=()):
        self.inner_inputs = list(inner_inputs)
        self.inner_outputs = list(inner_outputs)
        self.seq_taps = tuple(tuple(t) for t in seq_taps)
        self.out_taps = tuple(None if t is None else tuple(t) for t in out_taps)
        self.n_nit_sot = int(n_nit_sot)
        self.as_while = bool(as_while)
        self.truncate_gradient = int(truncate_gradient)
        self.go_backwards = bool(go_backwards)
        self.name = name
        self.mode = mode
        self.n_shared = int(n_shared)
        n_out = len(self.out_taps) + self.n_nit_sot
        self.store = tuple(store) if store is not None else tuple(
            1 if t is None else 0 for t in self.out_taps) + (0,) * self.n_nit_sot
        if len(self.store) != n_out:
            raise ValueError(f"Scan: {len(self.store)} store entries for {n_out} outputs")
        self.seq_names = tuple(seq_names) or tuple(f"sequence {i}" for i in range(len(self.seq_taps)))
        self.out_names = tuple(out_names) or tuple(f"output {i}" for i in range(n_out))
        self.n_slices = sum(len(t) for t in self.seq_taps)
        self.n_tap_ins = sum(1 if t is None else len(t) for t in self.out_taps)
        self.n_nonseq = len(self.inner_inputs) - self.n_slices - self.n_tap_ins
        if self.n_nonseq < 0:
            raise ValueError("Scan: fewer inner inputs than sequence slices and output taps")
        expect = len(self.out_taps) + self.n_nit_sot + int(self.as_while)
        if len(self.inner_outputs) != expect:
            raise ValueError(f"Scan: {len(self.inner_outputs)} inner outputs, expected {expect}")
        self._thunks = {}

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_thunks"] = {}  # compiled code is rebuilt on first use
        return state

    # identity semantics: two loops are equal only when they are the same object
    def __eq__(self, other):
        return other is self

    def __hash__(self):
        return id(self)

    def __str__(self):
        return f"{'while' if self.as_while else 'for'}{{cpu,{self.name or 'scan_fn'}}}"

    __repr__ = __str__

    # ------------------------------------------------------------- structure
    @property
    def n_seqs(self):
        return len(self.seq_taps)

    @property
    def n_rec(self):
        return len(self.out_taps)

    def is_object_state(self, j):
        return self.out_taps[j] is None

    def outer_split(self, outer):
        """(n_steps, sequences, initial states, non-sequences) of the outer inputs."""
        ns, nr = self.n_seqs, self.n_rec
        return outer[0], list(outer[1:1 + ns]), list(outer[1 + ns:1 + ns + nr]), list(outer[1 + ns + nr:])

    def inner_split(self, inner=None):
        """(slices per sequence, tap inputs per recurrent output, non-sequences) of the inner inputs."""
        inner = self.inner_inputs if inner is None else inner
        pos, slices, taps = 0, [], []
        for t in self.seq_taps:
            slices.append(inner[pos:pos + len(t)])
            pos += len(t)
        for t in self.out_taps:
            k = 1 if t is None else len(t)
            taps.append(inner[pos:pos + k])
            pos += k
        return slices, taps, inner[pos:]

    def clone_with(self, **changes):
        """A new Scan like this one with some constructor arguments changed."""
        args = dict(inner_inputs=self.inner_inputs, inner_outputs=self.inner_outputs, seq_taps=self.seq_taps,
                    out_taps=self.out_taps, n_nit_sot=self.n_nit_sot, as_while=self.as_while,
                    truncate_gradient=self.truncate_gradient, go_backwards=self.go_backwards, name=self.name,
                    mode=self.mode, store=self.store, n_shared=self.n_shared, seq_names=self.seq_names,
                    out_names=self.out_names)
        args.update(changes)
        return Scan(**args)

    # ------------------------------------------------------------- make_node
    def make_node(self, n_steps, *outer):
        from ..tensor.variable import as_tensor_variable
        from ..tensor import math as tm

        n_steps = as_tensor_variable(n_steps)
        if n_steps.ndim != 0 or not n_steps.type.dtype.startswith(("int", "uint")):
            raise TypeError(f"scan: n_steps must be an integer scalar, got {n_steps} ({n_steps.type})")
        if n_steps.type.dtype != "int64":
            n_steps = tm.cast(n_steps, "int64")
        expect = self.n_seqs + self.n_rec + self.n_nonseq
        if len(outer) != expect:
            raise TypeError(f"{self}: expected {expect} inputs after n_steps, got {len(outer)}")
        outer = list(outer)
        _, seqs, inits, nonseqs = self.outer_split([n_steps] + outer)
        slices, taps, inner_ns = self.inner_split()
        for i, (s, sl) in enumerate(zip(seqs, slices)):
            _check_outer(s, sl[0].type, 1, f"sequence {self.seq_names[i]!r}")
        for j, (x0, tp) in enumerate(zip(inits, taps)):
            _check_outer(x0, tp[0].type, 0 if self.is_object_state(j) else 1,
                         f"initial state of {self.out_names[j]!r}")
        for k, (v, iv) in enumerate(zip(nonseqs, inner_ns)):
            _check_outer(v, iv.type, 0, f"non-sequence {k} ({iv.name or v})")
        outs = []
        for j, tp in enumerate(taps):
            t = tp[0].type
            outs.append(t() if self.is_object_state(j) else _history_type(t)())
        for o in self.inner_outputs[self.n_rec:self.n_rec + self.n_nit_sot]:
            outs.append(_history_type(o.type)())
        return Apply(self, [n_steps] + outer, outs)

    # --------------------------------------------------------------- running
    def prepare_for_backend(self, node, backend, mode):
        """Compile the inner graph for ``backend`` with ``mode``'s rewrites (called by function())."""
        node.tag.scan_thunk = self.inner_thunk(backend, mode)
        native = getattr(backend, "compile_scan", None)  # a backend may run whole loops natively
        if native is not None:
            key = ("native", getattr(backend, "name", id(backend)), id(mode))
            if key not in self._thunks:
                self._thunks[key] = (native(self, mode), mode)
            node.tag.scan_runner = self._thunks[key][0]

    def inner_thunk(self, backend, mode):
        return self._inner(backend, mode)[0]

    def inner_fgraph(self, backend, mode):
        """The inner graph as ``inner_thunk`` rewrote it for ``backend`` and ``mode``."""
        return self._inner(backend, mode)[2]

    def _inner(self, backend, mode):
        """(thunk, mode, rewritten inner graph) for ``backend`` and ``mode``, compiled once."""
        from ..mode import get_mode

        the_mode = get_mode(self.mode) if self.mode is not None else mode
        key = (getattr(backend, "name", id(backend)), id(the_mode) if the_mode is not None else None)
        hit = self._thunks.get(key)
        if hit is None:
            from ..fg import FunctionGraph

            fg = FunctionGraph(self.inner_inputs, self.inner_outputs, clone=True)
            fg.consumed_inputs = self._consumed_states(fg)
            if the_mode is not None:
                the_mode.optimize(fg, skip_phases=getattr(backend, "skip_phases", ()))
            prepare_inner(fg, backend, the_mode)
            # the mode is kept alive with the thunk, so that its id stays unique
            hit = self._thunks[key] = (backend.compile(fg), the_mode, fg)
        return hit

    def _consumed_states(self, fg):
        """{inner input: inner output} of the generator states: a step's old generator is never read
        again (the loop starts from a copy of the caller's), so draws may advance it in place."""
        from ..tensor.random.type import RandomType

        _, taps, _ = self.inner_split(fg.inputs)
        return {taps[j][0]: fg.outputs[j] for j in range(self.n_rec)
                if self.is_object_state(j) and isinstance(taps[j][0].type, RandomType)}

    def _thunk_for(self, node):
        th = getattr(node.tag, "scan_thunk", None)
        if th is None:
            from .. import plugin_manager as plugins
            from ..mode import get_mode

            th = node.tag.scan_thunk = self.inner_thunk(plugins.get_backend("py"), get_mode(None))
        return th

    def perform(self, node, inputs, output_storage):
        from .loop import run_loop

        runner = getattr(node.tag, "scan_runner", None)
        outs = runner(inputs) if runner is not None else run_loop(self, self._thunk_for(node), inputs)
        for cell, v in zip(output_storage, outs):
            cell[0] = v

    # ----------------------------------------------------------------- shape
    def infer_shape(self, fgraph, node, input_shapes):
        from .shapes import scan_shapes

        return scan_shapes(self, node, input_shapes)

    def connection_pattern(self, node):
        from .grad import connection_pattern

        return connection_pattern(self, node)

    def L_op(self, inputs, outputs, output_grads):
        from .grad import scan_grad

        return scan_grad(self, inputs, outputs, output_grads)

    def R_op(self, inputs, eval_points):
        from .grad import scan_rop

        return scan_rop(self, inputs, eval_points)


def prepare_inner(fgraph, backend, mode):
    """Let loops nested in an inner graph compile theirs for the same backend (natively where it can)."""
    for node in fgraph.toposort():
        if isinstance(node.op, Scan):
            node.op.prepare_for_backend(node, backend, mode)


def _history_type(t):
    if not isinstance(t, TensorType):
        raise TypeError(f"scan: an output of type {t} cannot be stacked over steps (only tensors can)")
    return TensorType(t.dtype, shape=(None,) + tuple(t.shape))


def _check_outer(v, inner_type, lead, what):
    """The outer variable ``v`` feeds an inner input of ``inner_type`` (after ``lead`` leading axes)."""
    if not isinstance(inner_type, TensorType):
        if v.type != inner_type:
            raise TypeError(f"scan: {what} has type {v.type}, the loop expects {inner_type}")
        return
    t = v.type
    if not isinstance(t, TensorType) or t.ndim != inner_type.ndim + lead or t.dtype != inner_type.dtype:
        raise TypeError(f"scan: {what} has type {t}, the loop expects {lead} more axis than {inner_type}")


def depends_on(outputs, inputs):
    """Whether any of ``outputs`` depends on any of ``inputs``."""
    ins = set(inputs)
    return any(v in ins for v in ancestors(outputs))

