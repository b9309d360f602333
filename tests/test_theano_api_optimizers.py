"""Theano's optimizer API (doc/extending/optimization.txt) on arignote's graphs and registry."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import gof
from arignote.gof import toolbox
from arignote.gof.opt import MergeOptimizer, OpRemove, OpSub, PatternSub, TopoOptimizer
from arignote.scalar import add, float64, identity, mul, true_div


def _scalars():
    return float64("x"), float64("y"), float64("z")


class Simplify(gof.Optimizer):
    def add_requirements(self, fgraph):
        fgraph.attach_feature(toolbox.ReplaceValidate())

    def apply(self, fgraph):
        for node in fgraph.toposort():
            if node.op == true_div and node.inputs[0].owner and node.inputs[0].owner.op == mul:
                a, b = node.inputs[0].owner.inputs
                if node.inputs[1] == a:
                    fgraph.replace_validate(node.outputs[0], b)
                elif node.inputs[1] == b:
                    fgraph.replace_validate(node.outputs[0], a)


def test_global_optimizer_and_fgraph_text():
    x, y, z = _scalars()
    e = gof.FunctionGraph([x, y, z], [add(z, mul(true_div(mul(y, x), y), true_div(z, x)))])
    assert repr(e) == "[add(z, mul(true_div(mul(y, x), y), true_div(z, x)))]"
    assert Simplify().optimize(e) is None
    assert str(e) == "[add(z, mul(x, true_div(z, x)))]"


def test_merge_then_simplify():
    x, y, z = _scalars()
    e = gof.FunctionGraph([x, y, z], [true_div(mul(add(y, z), x), add(y, z))])
    Simplify().optimize(e)
    assert str(e) == "[true_div(mul(add(y, z), x), add(y, z))]"  # two distinct add nodes
    prof = MergeOptimizer().optimize(e)
    assert len(prof) == 7 and prof[0] == 0 and prof[5] == 1
    assert str(e) == "[true_div(mul(*1 -> add(y, z), x), *1)]"
    Simplify().optimize(e)
    assert str(e) == "[x]"


def test_local_optimizer_in_topo_optimizer():
    @gof.local_optimizer([true_div])
    def local_simplify(node):
        a, b = node.inputs[0].owner.inputs if node.inputs[0].owner and node.inputs[0].owner.op == mul else (0, 0)
        if node.inputs[1] is a:
            return [b]
        if node.inputs[1] is b:
            return [a]
        return False

    x, y, z = _scalars()
    e = gof.FunctionGraph([x, y, z], [add(z, mul(true_div(mul(y, x), y), true_div(z, x)))])
    prof = TopoOptimizer(local_simplify).optimize(e)
    assert prof[0] is not None and prof[1:4] == (1, 5, 3)
    assert str(e) == "[add(z, mul(x, true_div(z, x)))]"


def test_opsub_opremove_patternsub():
    x, y, z = _scalars()
    e = gof.FunctionGraph([x, y], [add(identity(x), y)])
    TopoOptimizer(OpRemove(identity)).optimize(e)
    assert str(e) == "[add(x, y)]"
    TopoOptimizer(OpSub(add, mul)).optimize(e)
    assert str(e) == "[mul(x, y)]"
    e = gof.FunctionGraph([x, y, z], [add(true_div(mul(x, y), y), true_div(mul(x, y), x))])
    TopoOptimizer(PatternSub((true_div, (mul, "x", "y"), "y"), "x")).optimize(e)
    TopoOptimizer(PatternSub((true_div, (mul, "x", "y"), "x"), "y")).optimize(e)
    assert str(e) == "[add(x, y)]"
    f = arignote.function([x, y], add(mul(x, y), 1.5))  # a scalar graph compiles and runs too
    assert f(2.0, 3.0) == 7.5


def test_patternsub_constraint_and_unbound_output_name():
    x, y, _ = _scalars()
    positive_only = PatternSub((mul, {"pattern": "a", "constraint": lambda v: v.name == "x"}, "b"), "b")
    e = gof.FunctionGraph([x, y], [add(mul(x, y), mul(y, x))])
    TopoOptimizer(positive_only).optimize(e)
    assert str(e) == "[add(y, mul(y, x))]"
    bad = PatternSub((mul, "a", "b"), "c")
    with pytest.raises(KeyError, match="uses 'c', which the input pattern does not bind"):
        TopoOptimizer(bad).optimize(gof.FunctionGraph([x, y], [mul(x, y)]))


class AddOne(gof.Op):
    """A user op the registered rule below rewrites away."""

    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return gof.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] + 1


def test_register_canonicalize_runs_in_function():
    from arignote import plugin_manager
    from arignote.tensor.opt import register_canonicalize

    calls = []

    @register_canonicalize("fast_compile", name="test_local_add_one")
    @gof.local_optimizer([AddOne])
    def local_add_one(node):
        calls.append(node)
        return [node.inputs[0] + 1]

    try:
        x = T.dvector("x")
        f = arignote.function([x], AddOne()(x) * 2)
        np.testing.assert_allclose(f([1.0, 2.0]), [4.0, 6.0])
        assert calls and not any(isinstance(n.op, AddOne) for n in f.maker.fgraph.toposort())
        kept = arignote.function([x], AddOne()(x), mode=arignote.Mode().excluding("test_local_add_one"))
        assert any(isinstance(n.op, AddOne) for n in kept.maker.fgraph.toposort())
        np.testing.assert_allclose(kept([1.0]), [2.0])
    finally:
        plugin_manager.unregister("optdb:test_local_add_one")


def test_optdb_register_global_optimizer_and_query():
    from arignote.compile import optdb
    from arignote.gof import Query

    seen = []

    class Count(gof.Optimizer):
        def apply(self, fgraph):
            seen.append(len(fgraph.apply_nodes))

    optdb.register("test_count_nodes", Count(), 0.5, "fast_run")
    try:
        x = T.dvector("x")
        arignote.function([x], T.exp(x) * 2)
        assert seen and seen[-1] >= 2
        fast_run = optdb.query(Query(include=["fast_run"]))
        fg = gof.FunctionGraph([x], [T.exp(x) * 2 + 1], clone=True)
        fast_run.optimize(fg)
        ops = [str(n.op) for n in fg.toposort()]
        assert len(ops) == 1 and "Composite" in ops[0], ops  # fused, as function() would
    finally:
        from arignote import plugin_manager

        plugin_manager.unregister("optdb:test_count_nodes")
    with pytest.raises(ValueError, match="names one of arignote's own rewrites"):
        optdb.register("canonicalize", Count(), 1, "fast_run")


def test_local_optimizer_tracks_must_be_a_list_or_none():
    with pytest.raises(TypeError, match="list of Op classes"):
        gof.local_optimizer(T.exp)
    with pytest.raises(ValueError, match="use None"):
        gof.local_optimizer([])
