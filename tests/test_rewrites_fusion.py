"""Elementwise fusion: one Composite node per elementwise tree, multi-output groups,
broadcasting inputs, the bound on inputs, and no cycles."""
from __future__ import annotations

import numpy as np

import arignote
from arignote import tensor as T
from arignote.graph import io_toposort
from arignote.mode import Mode
from arignote.rewrites import get_rule
from arignote.tensor.elemwise import Elemwise

from rewrite_helpers import assert_same_values, compile_fused, op_counts

rng = np.random.default_rng(7)


def composites(f):
    return [n for n in f.maker.fgraph.toposort() if isinstance(n.op, Elemwise) and hasattr(n.op.scalar_op, "outputs")]


def test_fuse_ten_ops():
    x, y, z = T.dvectors("x", "y", "z")
    expr = T.exp(-x ** 2) * T.sin(x) + T.log1p(abs(y)) * T.tanh(x * y) - z / (1 + z ** 2)
    f, g = compile_fused([x, y, z], expr)
    assert sum(op_counts(g).values()) >= 10
    nodes = f.maker.fgraph.toposort()
    assert len(nodes) == 1 and isinstance(nodes[0].op, Elemwise), [n.op for n in nodes]
    assert sorted(v.name for v in nodes[0].inputs if v.name) == ["x", "y", "z"]
    args = [rng.standard_normal(6) for _ in range(3)]
    assert_same_values(f, g, *args, rtol=1e-12)


def test_multi_output_fusion():
    x, y, z = T.dvectors("x", "y", "z")
    a = T.exp(x) + y
    b = a * z - T.sin(a)
    f, g = compile_fused([x, y, z], [a, b])
    nodes = f.maker.fgraph.toposort()
    assert len(nodes) == 1 and len(nodes[0].outputs) == 2
    assert f.maker.fgraph.outputs == nodes[0].outputs
    args = [rng.standard_normal(4) for _ in range(3)]
    assert_same_values(f, g, *args)


def test_fusion_with_broadcasting_inputs():
    m, r, s = T.dmatrix("m"), T.drow("r"), T.dscalar("s")
    expr = T.tanh(m * r + s) * T.exp(-m) + r
    f, g = compile_fused([m, r, s], expr)
    assert len(composites(f)) == 1
    assert_same_values(f, g, rng.standard_normal((3, 4)), rng.standard_normal((1, 4)), np.float64(0.3))


def test_fusion_bound_on_inputs():
    xs = T.dvectors(*[f"x{k}" for k in range(8)])
    expr = xs[0]
    for k, v in enumerate(xs[1:]):
        expr = T.sin(expr * v + k)
    with arignote.config.change_flags(fusion_max_inputs=4):
        f, g = compile_fused(list(xs), expr)
    nodes = [n for n in f.maker.fgraph.toposort() if isinstance(n.op, Elemwise)]
    assert len(nodes) > 1
    assert all(len(n.inputs) <= 4 for n in nodes), [len(n.inputs) for n in nodes]
    assert_same_values(f, g, *[rng.standard_normal(3) for _ in xs])


def test_fusion_makes_no_cycle_through_reductions():
    # a value used both before and after a reduction must not pull the two sides together
    x = T.dvector("x")
    s = T.sum(T.exp(x))
    out = T.exp(x) / s + s
    f, g = compile_fused([x], [out, T.grad(T.sum(out ** 2), x)])
    fg = f.maker.fgraph
    order = io_toposort(fg.inputs, fg.outputs)
    assert set(order) == set(fg.apply_nodes)
    pos = {n: k for k, n in enumerate(order)}
    for n in order:
        for v in n.inputs:
            assert v.owner is None or pos[v.owner] < pos[n]
    assert_same_values(f, g, rng.standard_normal(5), rtol=1e-10)


def test_fusion_is_idempotent():
    x, y = T.dvectors("x", "y")
    f, _ = compile_fused([x, y], T.exp(x) * y + 1)
    fg = f.maker.fgraph
    before = [n.op for n in fg.toposort()]
    assert get_rule("fusion")(fg) == 0
    assert [n.op for n in fg.toposort()] == before


def test_fusion_excluded():
    x, y = T.dvectors("x", "y")
    f = arignote.function([x, y], T.exp(x) * y + 1, mode=Mode(excluding=("fusion",)), backend="py")
    assert not composites(f) and len(f.maker.fgraph.toposort()) == 3


def test_fusion_bound_on_kernel_size():
    x = T.dvector("x")
    v = x
    for k in range(60):
        v = T.sin(v) * 0.5 if k % 2 else T.tanh(v) + 1.0
    with arignote.config.change_flags(fusion_max_nodes=10):
        f, g = compile_fused([x], v)
    sizes = [len(n.op.scalar_op.nodes) for n in composites(f)]
    assert len(sizes) >= 12 and max(sizes) <= 10, sizes
    assert_same_values(f, g, rng.standard_normal(4))


def test_wide_sum_is_split_into_fusable_chunks():
    x, y = T.dvectors("x", "y")
    total = T.exp(x * 0.01) * y
    for k in range(2, 201):
        total = total + T.exp(x * (0.01 * k)) * y
    f, g = compile_fused([x, y], total)
    nodes = f.maker.fgraph.toposort()
    assert len(nodes) <= 20, len(nodes)  # not 201 kernels around one 200-operand add
    assert all(len(n.inputs) <= arignote.config.fusion_max_inputs for n in nodes)
    assert_same_values(f, g, rng.standard_normal(5), rng.standard_normal(5), rtol=1e-12)


def test_one_cycle_search_and_pattern_rule_serve_both_fusion_levels(monkeypatch):
    """arignote.fusion.reaches (the cycle search) and arignote.fusion.pattern (the candidate rule)
    are what both the fusion rewrite and the lowering's grouping call."""
    import sys

    from arignote import fusion
    from arignote.backends import lowering
    from arignote.fg import FunctionGraph

    callers = set()

    def spy(name):
        real = getattr(fusion, name)

        def call(*args):
            callers.add((name, sys._getframe(1).f_globals["__name__"]))
            return real(*args)

        monkeypatch.setattr(fusion, name, call)

    spy("reaches")
    spy("pattern")
    x = T.dvector("x")
    a = T.exp(x)
    outs = [T.sin(a) * a.sum() + T.cos(a), a * 2.0]  # exp(x) is read inside and outside a group
    f, _ = compile_fused([x], outs)
    lowering.lower(FunctionGraph([x], outs, clone=True), lowering.Target("c"))
    for name in ("reaches", "pattern"):
        assert {(name, "arignote.rewrites.fusion"), (name, "arignote.backends.lowering.grouping")} <= callers
    v = np.array([0.5, -1.0, 2.0])
    e = np.exp(v)
    np.testing.assert_allclose(f(v)[0], np.sin(e) * e.sum() + np.cos(e))


def test_reaches_answers_true_false_or_unknown_and_shares_answers():
    from arignote import fusion

    succ = {0: [1, 2], 1: [3], 2: [3], 3: [], 4: [0]}
    memo = {}
    assert fusion.reaches(0, {3}, succ, 10, memo) is True
    assert memo[0] is True and memo[1] is True
    assert fusion.reaches(4, {3}, succ, 10, memo) is True  # answered from the memo: 0 reaches 3
    assert fusion.reaches(1, {2}, succ, 10) is False
    assert fusion.reaches(0, {99}, succ, 2) is None  # would visit 3 units > 2
    assert fusion.reaches(0, {99}, succ, 3) is False
    cyclic = {"s": ["a"], "a": ["b"], "b": ["a", "c"], "c": []}  # a group's nodes lead back to each other
    assert fusion.reaches("s", {"c"}, cyclic, 10) is True
    assert fusion.reaches("s", {"z"}, cyclic, 10) is False
