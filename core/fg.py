"""FunctionGraph: a graph between fixed inputs and outputs, held on a networkx MultiDiGraph.

Variables and Apply nodes are networkx nodes; an edge var -> apply is keyed by
the input position, an edge apply -> var by the output position.  Clients,
toposort and validated replacement are answered from it.  Features (shape
tracking, history, ...) attach and are told of every change.
"""
from __future__ import annotations

import weakref

import networkx as nx

from .graph import Apply, Variable, io_toposort
from .errors import InconsistencyError, MissingInputError  # noqa: F401


class _GraphRef:
    """A weak reference from a variable to its FunctionGraph (``var.fgraph``, ``var.clients``);
    one per graph, shared by its variables.  It pickles as a dead reference."""

    __slots__ = ("ref",)

    def __init__(self, fgraph=None):
        self.ref = None if fgraph is None else weakref.ref(fgraph)

    def __call__(self):
        return None if self.ref is None else self.ref()

    def __reduce__(self):
        return (_GraphRef, ())


class FunctionGraph:
    """Inputs, outputs and the nodes between them, with clients and safe replacement.

    Its variables answer Theano's ``var.fgraph`` and ``var.clients`` (a variable in
    several graphs answers for the graph that took it last).
    """

    def __init__(self, inputs, outputs, features=(), clone=False):
        if clone:
            from .graph import clone_graph

            inputs, outputs, _ = clone_graph(inputs, outputs)
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self._reindex_outputs()  # output variable -> its positions (no scan of the outputs per rewrite)
        self._input_set = set(self.inputs)
        self.g = nx.MultiDiGraph()
        self.features = []
        self._order = None
        self._ref = _GraphRef(self)
        for i in self.inputs:
            if i.owner is not None:
                raise ValueError(f"graph input {i} is computed by {i.owner.op}; inputs must be free variables")
            self._add_var(i)
        for node in io_toposort(self.inputs, self.outputs):
            self._add_node(node)
        for o in self.outputs:
            self._add_var(o)
        self._check_inputs()
        for f in features:
            self.attach_feature(f)

    # ---------------------------------------------------------------- building
    def _add_node(self, node):
        g, ref = self.g, self._ref
        g.add_node(node)
        for i, v in enumerate(node.inputs):
            g.add_edge(v, node, key=i)
            v._fgraph = ref
        for i, v in enumerate(node.outputs):
            g.add_edge(node, v, key=i)
            v._fgraph = ref
        self._order = None

    def _add_var(self, v):
        self.g.add_node(v)
        v._fgraph = self._ref

    def _check_inputs(self):
        from .graph import Constant

        known = set(self.inputs)
        for v in self.variables:
            if v.owner is None and v not in known and not isinstance(v, Constant) and not getattr(v, "_is_shared", False):
                raise MissingInputError(
                    f"input {_describe(v)} is needed to compute the outputs but was not provided"
                    f"{_trace_of(v)}"
                )

    def attach_feature(self, feature):
        self.features.append(feature)
        if hasattr(feature, "on_attach"):
            feature.on_attach(self)

    # ----------------------------------------------------------------- queries
    @property
    def apply_nodes(self):
        return [n for n in self.g.nodes if isinstance(n, Apply)]

    @property
    def variables(self):
        return [n for n in self.g.nodes if isinstance(n, Variable)]

    def clients(self, var):
        """[(apply node, input index)] using ``var``; outputs appear as ('output', i)."""
        out = [(node, k) for _, node, k in self.g.out_edges(var, keys=True)] if var in self.g else []
        out.extend(("output", i) for i in self.output_positions(var))
        return out

    def output_positions(self, var):
        """The positions of ``var`` in ``self.outputs`` (empty when it is not an output)."""
        pos = self._out_pos.get(var, ())
        if self._out_len != len(self.outputs) or any(k >= len(self.outputs) or self.outputs[k] is not var
                                                       for k in pos):
            self._reindex_outputs()  # self.outputs was changed from outside
            pos = self._out_pos.get(var, ())
        return list(pos)

    def is_output(self, var):
        return bool(self.output_positions(var))

    def _reindex_outputs(self):
        self._out_len = len(self.outputs)
        self._out_pos = {}
        for k, o in enumerate(self.outputs):
            self._out_pos.setdefault(o, []).append(k)

    def toposort(self):
        """Apply nodes in a deterministic topological order (cached until the graph changes)."""
        if self._order is None:
            self._order = io_toposort(self.inputs, self.outputs)
        return list(self._order)

    def __contains__(self, x):
        return x in self.g

    # --------------------------------------------------------------- mutation
    def replace(self, var, new_var, reason=None, validate=True):
        """Make every client of ``var`` use ``new_var`` instead."""
        if var is new_var:
            return
        if validate and var.type != new_var.type:
            if not (hasattr(var.type, "is_super") and var.type.is_super(new_var.type)):
                raise TypeError(
                    f"replacing {var} ({var.type}) by {new_var} ({new_var.type}) changes the type"
                    + (f" (rule {reason})" if reason else "")
                )
        if new_var not in self.g:
            # nodes a rewrite made inherit the user's location of the node they replace (for errors)
            self._import(new_var, trace=getattr(var.owner.tag, "trace", None) if var.owner is not None else None)
        for node, k in list(self.clients(var)):
            if node == "output":
                self.outputs[k] = new_var
                self._out_pos.pop(var, None)
                self._out_pos.setdefault(new_var, []).append(k)
                self._add_var(new_var)
            else:
                self.g.remove_edge(var, node, key=k)
                node.inputs[k] = new_var
                self.g.add_edge(new_var, node, key=k)
                new_var._fgraph = self._ref
        self._order = None
        for f in self.features:
            if hasattr(f, "on_change_input"):
                f.on_change_input(self, var, new_var, reason)
        self._prune(var)

    def change_input(self, node, i, new_var, reason=None):
        """Theano's ``change_input``: input ``i`` of ``node`` (or output ``i`` when ``node`` is
        ``'output'``) becomes ``new_var``; other users of the old variable keep it."""
        old = self.outputs[i] if node == "output" else node.inputs[i]
        if old is new_var:
            return
        if old.type != new_var.type:
            raise TypeError(f"change_input: {new_var} ({new_var.type}) cannot stand for {old} ({old.type})")
        if new_var not in self.g:
            self._import(new_var)
        if node == "output":
            self.outputs[i] = new_var
            self._reindex_outputs()
            self._add_var(new_var)
        else:
            self.g.remove_edge(old, node, key=i)
            node.inputs[i] = new_var
            self.g.add_edge(new_var, node, key=i)
            new_var._fgraph = self._ref
        self._order = None
        for f in self.features:
            if hasattr(f, "on_change_input"):
                f.on_change_input(self, old, new_var, reason)
        self._prune(old)

    def replace_all(self, pairs, reason=None):
        for a, b in pairs:
            self.replace(a, b, reason=reason)

    def _missing_nodes(self, var):
        """The nodes above ``var`` not in the graph yet, in topological order (local walk:
        O(size of the new subgraph), not of the whole graph)."""
        g, order, done = self.g, [], set()
        if var.owner is None or var.owner in g:
            return order
        stack, onstack = [[var.owner, 0]], {var.owner}
        while stack:
            top = stack[-1]
            node, i = top
            if i < len(node.inputs):
                top[1] = i + 1
                n2 = node.inputs[i].owner
                if n2 is not None and n2 not in g and n2 not in done and n2 not in onstack:
                    stack.append([n2, 0])
                    onstack.add(n2)
            else:
                stack.pop()
                onstack.discard(node)
                done.add(node)
                order.append(node)
        return order

    def _import(self, var, trace=None):
        for node in self._missing_nodes(var):
            if trace:
                node.tag.trace = trace
            self._add_node(node)
            for f in self.features:
                if hasattr(f, "on_import"):
                    f.on_import(self, node, None)
        self._add_var(var)
        if var.owner is None:
            from .graph import Constant

            if not isinstance(var, Constant) and not getattr(var, "_is_shared", False) and var not in self.inputs:
                raise MissingInputError(f"replacement introduces a new free input {_describe(var)}")

    def _prune(self, var):
        """Remove nodes that no longer reach an output (iteratively)."""
        stack = [var]
        outputs = _OutputSet(self)
        inputs = self._input_set if len(self._input_set) == len(self.inputs) else set(self.inputs)
        while stack:
            v = stack.pop()
            if v not in self.g or v in outputs or len(self.g.succ[v]) > 0:
                continue
            node = v.owner
            if node is None:
                if v not in inputs:
                    self.g.remove_node(v)
                continue
            if node not in self.g or any(o in outputs or (o in self.g and len(self.g.succ[o]) > 0)
                                         for o in node.outputs):
                continue
            for o in node.outputs:
                if o in self.g:
                    self.g.remove_node(o)
            ins = list(node.inputs)
            self.g.remove_node(node)
            for f in self.features:
                if hasattr(f, "on_prune"):
                    f.on_prune(self, node, None)
            stack.extend(ins)

    def clone(self):
        """A FunctionGraph over a fresh copy of the graph; returns (fgraph, memo)."""
        from .graph import clone_graph

        ins, outs, memo = clone_graph(self.inputs, self.outputs)
        return FunctionGraph(ins, outs), memo

    def __str__(self):
        from .graph_text import as_string  # Theano's text: [add(z, mul(*1 -> f(x), *1))]

        return "[" + ", ".join(as_string(self.inputs, self.outputs)) + "]"

    __repr__ = __str__


class _OutputSet:
    """``v in outputs`` through the graph's output index (no set built per call)."""

    def __init__(self, fgraph):
        self.fgraph = fgraph

    def __contains__(self, v):
        return self.fgraph.is_output(v)


def _describe(v):
    name = repr(v.name) if v.name else "(unnamed)"
    return f"{name} of type {v.type}"


def _trace_of(v):
    tr = getattr(v.tag, "trace", None)
    return f" (created at {tr[0]}:{tr[1]})" if tr else ""
