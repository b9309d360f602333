"""Flat pickling of graphs: a 100,000-op chain pickles without deep recursion.

Pickling a Variable the default way pickles its owner, whose inputs pickle
their owners, and so on: the pickler recurses once per op and a deep chain
raises RecursionError.  Here a Variable (or Apply) pickles as a reference into
a ``GraphPack``: the variables and nodes of its graph in flat lists, where a
node names its inputs and outputs by index.  Loading makes every object first
and links them after, in a loop.

Identity within one pickle is kept.  While a pack is alive (the pickler's memo
holds it for the length of one ``dumps``), every variable and node in it is
registered, so a variable met again later in the same pickle (one of several
outputs, a shared variable, an input) pickles as (that pack, its index)
instead of a copy; a later pack stops at registered variables and refers to
them as external objects.  A pack dies with the pickler's memo and its
registrations with it.
"""
from __future__ import annotations

import weakref

from .graph import Variable

_var_reg: dict = {}  # id(variable) -> (weakref to its live pack, index)
_node_reg: dict = {}  # id(apply node) -> (weakref to its live pack, index)


def reduce_variable(var):
    """``Variable.__reduce__``: (a reference into the pack holding ``var``)."""
    hit = _lookup(_var_reg, var, "vars")
    if hit is None:
        pack = GraphPack([var])
        hit = (pack, pack.var_index[id(var)])
    return (_var_from_pack, (hit[0], hit[1], type(var)))


def reduce_apply(node):
    """``Apply.__reduce__``: (a reference into the pack holding ``node``)."""
    hit = _lookup(_node_reg, node, "nodes")
    if hit is None:
        pack = GraphPack([], extra_nodes=[node])
        hit = (pack, pack.node_index[id(node)])
    return (_node_from_pack, (hit[0], hit[1], type(node)))


def _lookup(reg, obj, attr):
    ent = reg.get(id(obj))
    if ent is None:
        return None
    pack = ent[0]()
    if pack is None or getattr(pack, attr)[ent[1]] is not obj:
        return None
    return pack, ent[1]


def _var_from_pack(pack, index, cls):
    return pack.get(pack.vars, pack.var_shells, index, cls)


def _node_from_pack(pack, index, cls):
    return pack.get(pack.nodes, pack.node_shells, index, cls)


def _new_pack():
    return GraphPack.__new__(GraphPack)


class GraphPack:
    """The variables and nodes of a graph, pickled as flat records (see module docstring).

    Made when a variable is pickled: it holds every variable and node above
    that variable except those already in another live pack.  Its records are
    written when the pickler saves it; they are rebuilt into objects by
    ``__setstate__`` without recursion.
    """

    def __init__(self, roots, extra_nodes=()):
        self.vars, self.nodes, self.var_index, self.node_index = _collect(roots, extra_nodes)
        ref = weakref.ref(self, _unregister_callback(self.var_index, self.node_index))
        for k, v in enumerate(self.vars):
            _var_reg[id(v)] = (ref, k)
        for k, n in enumerate(self.nodes):
            _node_reg[id(n)] = (ref, k)

    # ------------------------------------------------------------ pickling
    def __reduce__(self):
        # a shell first, then the records as its state: a reference back to this pack from
        # inside the records (a tag holding one of its variables) finds the shell in the memo
        return (_new_pack, (), self._records())

    def _records(self):
        """Columns of ints, tables of distinct objects (classes, types, ops, user locations)
        and sparse dicts for the rest (names, constants' data, other attributes): a chain of
        elementwise ops costs about 40 bytes per op."""
        var_index, externals, ext_index = self.var_index, [], {}
        tables = {"classes": {}, "types": {}, "ops": {}, "traces": {}}  # name -> {id: (index, obj)}
        classes, types, ops, traces = (tables[t] for t in ("classes", "types", "ops", "traces"))
        vcls, vtype, vname, vtrace, vdata, vrest = [], [], {}, {}, {}, {}
        plain = Variable.__getstate__
        for k, v in enumerate(self.vars):
            cls = type(v)
            vcls.append(_index(classes, cls))
            if cls.__getstate__ is not plain:
                vtype.append(-1)
                vrest[k] = v.__getstate__()
                continue
            d = v.__dict__
            vtype.append(_index(types, d["type"]))
            name = d.get("name")
            if name is not None:
                vname[k] = name
            if len(d) > 4:  # more than type, owner, index and name
                rest = {key: x for key, x in d.items() if key not in _VAR_FIELDS}
                tr = rest.pop("_trace", None)
                if tr is not None:
                    vtrace[k] = _index(traces, tr)
                if "data" in rest:
                    vdata[k] = rest.pop("data")
                if rest:
                    vrest[k] = rest
        ncls, nop, ntrace, nrest, counts, refs = [], [], [], {}, [], []
        for k, n in enumerate(self.nodes):
            ncls.append(_index(classes, type(n)))
            d = n.__dict__
            nop.append(_index(ops, d["op"]))
            ins, outs = d["inputs"], d["outputs"]
            counts.append(len(ins))
            counts.append(len(outs))
            for v in ins + outs:
                r = var_index.get(id(v))
                if r is None:
                    j = ext_index.get(id(v))
                    if j is None:
                        j = ext_index[id(v)] = len(externals)
                        externals.append(v)
                    r = -1 - j
                refs.append(r)
            tr = d.get("_trace")
            ntrace.append(-1 if tr is None else _index(traces, tr))
            if len(d) > (4 if tr is not None else 3):
                rest = {key: x for key, x in d.items() if key not in _NODE_FIELDS}
                if rest:
                    nrest[k] = rest
        lists = {name: [obj for _, obj in sorted(t.values(), key=lambda e: e[0])] for name, t in tables.items()}
        return dict(lists, vcls=vcls, vtype=vtype, vname=vname, vtrace=vtrace, vdata=vdata, vrest=vrest,
                    ncls=ncls, nop=nop, ntrace=ntrace, nrest=nrest, counts=counts, refs=refs, externals=externals)

    # ------------------------------------------------------------- loading
    def get(self, built, shells, index, cls):
        """The object at ``index``; before this pack is loaded (a reference from inside its own
        records), an empty object of ``cls`` that loading fills in."""
        if built is not None:
            return built[index]
        obj = shells.get(index)
        if obj is None:
            obj = shells[index] = cls.__new__(cls)
        return obj

    vars = nodes = None  # until loaded (on a shell from ``_new_pack``)

    @property
    def var_shells(self):
        return self.__dict__.setdefault("_var_shells", {})

    @property
    def node_shells(self):
        return self.__dict__.setdefault("_node_shells", {})

    def __setstate__(self, st):
        var_shells, node_shells = self.var_shells, self.node_shells
        classes, types, traces = st["classes"], st["types"], st["traces"]
        vname, vtrace, vdata, vrest = st["vname"], st["vtrace"], st["vdata"], st["vrest"]
        vars_ = []
        for k, (c, t) in enumerate(zip(st["vcls"], st["vtype"])):
            cls = classes[c]
            v = var_shells.get(k)
            if v is None:
                v = cls.__new__(cls)
            if t < 0:
                _restore(v, vrest[k])
            else:
                state = {"type": types[t], "owner": None, "index": None, "name": vname.get(k)}
                if k in vtrace:
                    state["_trace"] = traces[vtrace[k]]
                if k in vdata:
                    state["data"] = vdata[k]
                if k in vrest:
                    state.update(vrest[k])
                _restore(v, state)
            v.owner = None
            v.index = None
            vars_.append(v)
        externals, ops, nrest, counts, refs = st["externals"], st["ops"], st["nrest"], st["counts"], st["refs"]
        nodes, pos = [], 0
        for k, (c, o, tr) in enumerate(zip(st["ncls"], st["nop"], st["ntrace"])):
            cls = classes[c]
            n = node_shells.get(k)
            if n is None:
                n = cls.__new__(cls)
            if k in nrest:
                _restore(n, nrest[k])
            n.op = ops[o]
            if tr >= 0:
                n._trace = traces[tr]
            nin, nout = counts[2 * k], counts[2 * k + 1]
            ios = [vars_[r] if r >= 0 else externals[-1 - r] for r in refs[pos:pos + nin + nout]]
            pos += nin + nout
            n.inputs, n.outputs = ios[:nin], ios[nin:]
            for i, out in enumerate(n.outputs):
                out.owner = n
                out.index = i
            nodes.append(n)
        self.vars, self.nodes = vars_, nodes
        self.__dict__.pop("_var_shells", None)
        self.__dict__.pop("_node_shells", None)


_VAR_FIELDS = frozenset(("type", "owner", "index", "name", "_eval_cache"))
_NODE_FIELDS = frozenset(("op", "inputs", "outputs", "_trace"))


def _index(table, obj):
    """The position of ``obj`` in ``table`` (id -> (position, obj)), added when new."""
    e = table.get(id(obj))
    if e is None:
        e = table[id(obj)] = (len(table), obj)
    return e[0]


def _restore(obj, state):
    setstate = getattr(obj, "__setstate__", None)
    if setstate is not None:
        setstate(state)
    else:
        obj.__dict__.update(state)


def _collect(roots, extra_nodes=()):
    """Variables and nodes above ``roots``, stopping at variables registered in a live pack.

    Returns the two lists and their indexes (id -> position)."""
    vars_, nodes, var_index, node_index = [], [], {}, {}
    var_reg, node_reg = _var_reg, _node_reg
    stack = list(reversed(list(roots)))
    pending = list(extra_nodes)
    while stack or pending:
        if pending:
            node = pending.pop()
        else:
            v = stack.pop()
            i = id(v)
            if i in var_index or (i in var_reg and _lookup(var_reg, v, "vars") is not None):
                continue  # seen, or pickled as an external reference into its own (live) pack
            node = v.owner
            if node is None or id(node) in node_index or (
                    id(node) in node_reg and _lookup(node_reg, node, "nodes") is not None):
                var_index[i] = len(vars_)  # a free variable (or an output its node does not list)
                vars_.append(v)
                continue
            stack.append(v)  # met again after its node: indexed by then, unless the node omits it
        node_index[id(node)] = len(nodes)
        nodes.append(node)
        for o in node.outputs:
            if id(o) not in var_index:
                var_index[id(o)] = len(vars_)
                vars_.append(o)
        stack.extend(node.inputs)
    return vars_, nodes, var_index, node_index


def _unregister_callback(var_index, node_index):
    """A weakref callback dropping a dead pack's registrations (those still pointing at it)."""

    def drop(ref):
        for i in var_index:
            ent = _var_reg.get(i)
            if ent is not None and ent[0] is ref:
                del _var_reg[i]
        for i in node_index:
            ent = _node_reg.get(i)
            if ent is not None and ent[0] is ref:
                del _node_reg[i]

    return drop
