"""RowLoop: the op that maps an inner graph over rows (jacobian's loop until arignote has scan)."""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Op
from ..types import TensorType
from .common import _check_choice, _is_float, _tm
from ..grad_markers import _is_disconnected, _is_null, disconnected_type
from .reverse import _vjp


class RowLoop(Op):
    """Evaluate an inner graph once per row of the sequence inputs; stack or sum the results.

    Inner inputs: ``seqs`` (one row of each outer sequence, all of one
    length n), then ``nonseqs`` (the same at every row).  Each inner output
    is ``'stack'``-ed along a new leading axis or ``'sum'``-med over the
    rows.  Outer inputs: the sequences, the non-sequences, then ``n_extra``
    inputs used only for shapes.  ``likes[k] = (i, row)``: output k's row
    shape (stack) or shape (sum) is that of outer input i (without its first
    axis when ``row``), which gives shapes when n is 0.

    The gradient of a RowLoop is another RowLoop, so jacobians of jacobians
    (hessians) and gradients through them work.  Theano uses scan here;
    until arignote has scan this is the loop jacobian() needs.
    """

    def __init__(self, seqs, nonseqs, outputs, modes, likes, n_extra=0):
        self.seqs, self.nonseqs, self.inner_outputs = tuple(seqs), tuple(nonseqs), tuple(outputs)
        self.modes, self.likes, self.n_extra = tuple(modes), tuple(likes), int(n_extra)
        if not self.seqs:
            raise ValueError("RowLoop needs at least one sequence")
        if len(self.modes) != len(self.inner_outputs) or len(self.likes) != len(self.inner_outputs):
            raise ValueError("RowLoop: one mode and one 'like' per output")
        for m in self.modes:
            _check_choice("RowLoop mode", m, ("stack", "sum"))
        self._fn = None

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)

    def __str__(self):
        return f"RowLoop{{{len(self.seqs)} seqs, {len(self.nonseqs)} nonseqs, {','.join(self.modes)}}}"

    def __getstate__(self):
        d = self.__dict__.copy()
        d["_fn"] = None
        return d

    def make_node(self, *inputs):
        from ..tensor.variable import as_tensor_variable

        ns, nn = len(self.seqs), len(self.nonseqs)
        if len(inputs) != ns + nn + self.n_extra:
            raise TypeError(f"{self} takes {ns + nn + self.n_extra} inputs, got {len(inputs)}")
        inputs = [as_tensor_variable(i) for i in inputs]
        self._check_inputs(inputs)
        n = next((s.type.shape[0] for s in inputs[:ns] if s.type.shape[0] is not None), None)
        outs = []
        for o, mode, (li, row) in zip(self.inner_outputs, self.modes, self.likes):
            like = inputs[li].type.shape[1:] if row else inputs[li].type.shape
            shp = tuple(a if a is not None else b for a, b in zip(o.type.shape, like))
            outs.append(TensorType(o.type.dtype, shape=(n,) + shp if mode == "stack" else shp)())
        return Apply(self, inputs, outs)

    def _check_inputs(self, inputs):
        """Outer sequences hold rows of the inner ones; outer non-sequences match the inner ones."""
        ns, nn = len(self.seqs), len(self.nonseqs)
        for k, (outer, inner) in enumerate(zip(inputs[:ns], self.seqs)):
            if outer.type.ndim != inner.type.ndim + 1 or outer.type.dtype != inner.type.dtype:
                raise TypeError(f"{self}: sequence {k} ({outer.type}) does not hold rows of {inner.type}")
        for k, (outer, inner) in enumerate(zip(inputs[ns:ns + nn], self.nonseqs)):
            if outer.type.ndim != inner.type.ndim or outer.type.dtype != inner.type.dtype:
                raise TypeError(f"{self}: non-sequence {k} ({outer.type}) does not match {inner.type}")

    def _function(self):
        """The compiled inner graph (compiled on first use, dropped when pickled)."""
        if self._fn is None:
            from ..function import function

            self._fn = function(list(self.seqs) + list(self.nonseqs), list(self.inner_outputs),
                                on_unused_input="ignore")
        return self._fn

    def perform(self, node, inputs, output_storage):
        ns, nn = len(self.seqs), len(self.nonseqs)
        seqs, nonseqs = inputs[:ns], inputs[ns:ns + nn]
        n = seqs[0].shape[0]
        if any(s.shape[0] != n for s in seqs):
            raise ValueError(f"{self}: sequences of different lengths {[s.shape[0] for s in seqs]}")
        fn = self._function() if n else None
        results = [None] * len(node.outputs)
        for i in range(n):
            for k, v in enumerate(fn(*[s[i] for s in seqs], *nonseqs)):
                results[k] = self._gather(results[k], k, i, n, v, node.outputs[k].type.dtype)
        for k, (mode, (li, row)) in enumerate(zip(self.modes, self.likes)):
            if results[k] is None:  # no rows
                shp = inputs[li].shape[1:] if row else inputs[li].shape
                results[k] = np.zeros((0,) + shp if mode == "stack" else shp, dtype=node.outputs[k].type.dtype)
            output_storage[k][0] = results[k]

    def _gather(self, acc, k, i, n, v, dtype):
        """Store row i's value ``v`` of output k into ``acc`` (stacked, or added to the sum)."""
        if self.modes[k] == "stack":
            if acc is None:
                acc = np.empty((n,) + np.shape(v), dtype=dtype)
            acc[i] = v
            return acc
        if acc is None:
            return np.array(v, dtype=dtype, copy=True)
        acc += v
        return acc

    def infer_shape(self, fgraph, node, input_shapes):
        n = input_shapes[0][0]
        out = []
        for mode, (li, row) in zip(self.modes, self.likes):
            shp = tuple(input_shapes[li][1:] if row else input_shapes[li])
            out.append((n,) + shp if mode == "stack" else shp)
        return out

    def connection_pattern(self, node):
        nout, nin = len(node.outputs), len(self.seqs) + len(self.nonseqs)
        return [[k < nin] * nout for k in range(len(node.inputs))]

    def L_op(self, inputs, outputs, output_grads):
        """Another RowLoop: per row, the VJP of the inner graph with the row's cotangents."""
        ns = len(self.seqs)
        seqs_in, seqs_out, ns_in, ns_out, outs_in, cots = self._cotangents(inputs, outputs, output_grads)
        result = [disconnected_type() for _ in inputs]
        targets = [(k, v) for k, v in enumerate(self.seqs + self.nonseqs) if _is_float(v)]
        if not outs_in or not targets:
            return result
        gs = _vjp(outs_in, cots, [v for _, v in targets])
        outs, modes, likes, where = [], [], [], []
        for (k, _), g in zip(targets, gs):
            if _is_disconnected(g):
                continue
            outs.append(g)
            where.append(k)
            modes.append("stack" if k < ns else "sum")
            likes.append((k, True) if k < ns else (len(seqs_in) + k - ns, False))
        if outs:
            vals = RowLoop(seqs_in, ns_in, outs, modes, likes)(*seqs_out, *ns_out)
            for k, v in zip(where, vals if isinstance(vals, list) else [vals]):
                result[k] = v
        return result

    def _cotangents(self, inputs, outputs, output_grads):
        """Inner/outer inputs of the gradient loop: ours plus one cotangent per connected float output.

        A stacked output's gradient is a sequence (one row per step), a summed
        output's a non-sequence.  Returns (seqs_in, seqs_out, nonseqs_in,
        nonseqs_out, inner outputs with a cotangent, their inner cotangents).
        """
        ns, nn = len(self.seqs), len(self.nonseqs)
        seqs_in, seqs_out = list(self.seqs), list(inputs[:ns])
        ns_in, ns_out = list(self.nonseqs), list(inputs[ns:ns + nn])
        outs_in, cots = [], []
        for o_in, mode, g, o in zip(self.inner_outputs, self.modes, output_grads, outputs):
            if _is_disconnected(g) or _is_null(g) or not _is_float(o):
                continue
            g = g if g.type.dtype == o.type.dtype else _tm().cast(g, o.type.dtype)
            if mode == "stack":
                c = TensorType(g.type.dtype, shape=g.type.shape[1:])()
                seqs_in.append(c)
                seqs_out.append(g)
            else:
                c = g.type()
                ns_in.append(c)
                ns_out.append(g)
            outs_in.append(o_in)
            cots.append(c)
        return seqs_in, seqs_out, ns_in, ns_out, outs_in, cots
