"""``model_to_graphviz``: a model's variables and their dependencies as a ``graphviz.Digraph``
(PyMC3 3.11's drawing: ellipses for random variables, grey when observed, boxes for
deterministics, octagons for potentials, rounded boxes for data; variables of one
shape gathered in a plate labelled with that shape, or with its named dims)."""
from __future__ import annotations

from arignote.graph import Constant
from arignote.shared import SharedVariable

from .context import modelcontext

__all__ = ["ModelGraph", "model_to_graphviz"]


def _node_id(name):
    return name.replace(":", "&")  # graphviz reads ':' as a port separator


class ModelGraph:
    """The named variables of a model and, for each, the named variables it depends on."""

    def __init__(self, model):
        self.model = model
        self.kinds = {}  # name -> "free" | "observed" | "deterministic" | "potential" | "data"
        self.vars = {}   # name -> the variable standing for it
        for v in model.free_RVs:
            outer = self._untransformed(v)
            self._add(outer.name, outer, "free")
        for v in model.observed_RVs:
            self._add(v.name, v, "observed")
        for v in model.deterministics:
            if getattr(v, "transformed", None) is None:
                self._add(v.name, v, "deterministic")
        for v in model.potentials:
            self._add(v.name, v, "potential")
        for name, v in model.shared_data.items():
            self._add(name, v, "data")
        self._by_id = {id(v): n for n, v in self.vars.items()}
        for v in model.free_RVs:  # a transformed variable's sampled form stands for the variable
            self._by_id.setdefault(id(v), self._untransformed(v).name)

    def _untransformed(self, free):
        for d in self.model.deterministics:
            if getattr(d, "transformed", None) is free:
                return d
        return free

    def _add(self, name, var, kind):
        self.vars[name] = var
        self.kinds[name] = kind

    def _roots(self, name):
        """The graphs whose named ancestors are ``name``'s parents."""
        var = self.vars[name]
        dist = getattr(var, "distribution", None)
        if self.kinds[name] in ("free", "observed") and dist is not None:
            roots = [p for _, p in dist.param_items()]
            for attr in ("init", "innov", "sd_dist", "comp_dists", "dist"):
                sub = getattr(dist, attr, None)
                for d in (sub if isinstance(sub, (list, tuple)) else [sub]):
                    if hasattr(d, "param_items"):
                        roots += [p for _, p in d.param_items()]
            if self.kinds[name] == "observed" and var.owner is not None:
                roots += list(var.owner.inputs)  # shared data observed through pm.Data
            return roots
        if self.kinds[name] == "data" or var.owner is None:
            return []
        return list(var.owner.inputs)

    def parents(self, name):
        """Names of the variables ``name`` depends on directly (sorted)."""
        found, seen = set(), set()
        stack = list(self._roots(name))
        while stack:
            v = stack.pop()
            if id(v) in seen or isinstance(v, Constant):
                continue
            seen.add(id(v))
            other = self._by_id.get(id(v))
            if other is not None and other != name:
                found.add(other)
                continue
            if v.owner is not None:
                stack.extend(v.owner.inputs)
        return sorted(found)

    def shape_of(self, name):
        var = self.vars[name]
        if isinstance(var, SharedVariable):
            return tuple(var.get_value(borrow=True).shape)
        dist = getattr(var, "distribution", None)
        if dist is not None and self.kinds[name] in ("free", "observed"):
            return tuple(dist.shape)
        tv = getattr(var.tag, "test_value", None)
        if tv is not None:
            return tuple(getattr(tv, "shape", ()))
        return tuple(s for s in var.type.shape if s is not None) if None not in var.type.shape else ()

    def plate_label(self, name):
        shape = self.shape_of(name)
        dims = self.model.RV_dims.get(name)
        coords = getattr(self.model, "coords", {}) or {}
        if dims and len(dims) == len(shape) and all(d is not None for d in dims):
            return " x ".join(f"{d} ({len(coords[d]) if d in coords else s})" for d, s in zip(dims, shape))
        return " x ".join(map(str, shape))

    def label(self, name):
        kind = self.kinds[name]
        if kind in ("free", "observed"):
            what = type(self.vars[name].distribution).__name__
        else:
            what = {"deterministic": "Deterministic", "potential": "Potential", "data": "Data"}[kind]
        return f"{name}\n~\n{what}"

    def style(self, name):
        kind = self.kinds[name]
        attrs = {"free": {"shape": "ellipse"},
                 "observed": {"shape": "ellipse", "style": "filled", "fillcolor": "gray"},
                 "deterministic": {"shape": "box"},
                 "potential": {"shape": "octagon", "style": "filled"},
                 "data": {"shape": "box", "style": "rounded, filled"}}[kind]
        return dict(attrs, label=self.label(name))

    def make_graph(self, formatting="plain"):
        if formatting != "plain":
            raise ValueError(f"model_to_graphviz: formatting={formatting!r} is not supported (only 'plain')")
        try:
            import graphviz
        except ImportError:
            raise ImportError("model_to_graphviz needs the Python package graphviz "
                              "(pip install graphviz, and the Graphviz programs to render)") from None
        graph = graphviz.Digraph(self.model.name or "")
        plates = {}
        for name in self.vars:
            plates.setdefault(self.plate_label(name), []).append(name)
        for label, names in plates.items():
            if label == "":
                for n in names:
                    graph.node(_node_id(n), **self.style(n))
                continue
            with graph.subgraph(name="cluster" + label) as sub:
                for n in names:
                    sub.node(_node_id(n), **self.style(n))
                sub.attr(label=label)
        for child in self.vars:
            for parent in self.parents(child):
                graph.edge(_node_id(parent), _node_id(child))
        return graph


def model_to_graphviz(model=None, *, formatting="plain"):
    """The model (default: the one in context) drawn as a ``graphviz.Digraph``."""
    return ModelGraph(modelcontext(model)).make_graph(formatting=formatting)
