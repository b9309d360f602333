"""The shared lowering on long graphs: what it groups, splits and refuses (behaviour only; its
speed is measured by benchmarks/, not here).

Long chains that alternate elementwise work with other ops offer every elementwise node
thousands of earlier groups as fusion candidates; each must be refused (it feeds the node) and
the choices must stay those of trying every candidate in turn.
"""
from __future__ import annotations

import numpy as np
import pytest

from arignote import function
from arignote import tensor as T
from arignote import fusion
from arignote.backends import lowering
from arignote.fg import FunctionGraph
from arignote.mode import Mode
from arignote.testing import available_backends

COMPILED = [pytest.param(b, marks=pytest.mark.skipif(b not in available_backends(), reason=f"{b} unavailable"))
            for b in ("c", "llvm")]


def _loops(prog):
    return [s for s in prog.steps if isinstance(s, lowering.LoopStep)]


def _names(step):
    return [n.op.scalar_op.name for n in step.nodes]


def _lower(inputs, outputs, optimize=False):
    fg = FunctionGraph(inputs, outputs, clone=optimize)
    if optimize:
        Mode().optimize(fg)
    return fg, lowering.lower(fg, lowering.Target("c"))


def _interleaved(n):
    """n rounds of three scalar elementwise ops, then a view and a reduction."""
    x = T.dscalar("x")
    y = x
    for _ in range(n):
        y = T.sin(y) * 0.5 + 0.25
        y = y.dimshuffle("x").sum()
    return x, y


def _interleaved_ref(x0, n):
    y = x0
    for _ in range(n):
        y = np.sin(y) * 0.5 + 0.25
    return y


def test_interleaved_chain_keeps_each_round_in_its_own_loop():
    n = 1500
    x, y = _interleaved(n)
    fg, prog = _lower([x], [y])
    loops = _loops(prog)
    assert len(loops) == n and all(len(s.nodes) == 3 for s in loops)
    assert [s.kind for s in prog.steps[:3]] == ["LoopStep", "DimShuffleStep", "ReduceStep"]
    assert not prog.fallbacks()
    assert sum(len(s.nodes) for s in prog.steps) == len(fg.toposort()) == 5 * n
    produced = set(fg.inputs)
    for s in prog.steps:  # the schedule runs every step after the steps it reads
        assert all(v in produced or v in prog.constants for v in s.inputs)
        produced.update(s.outputs)


@pytest.mark.parametrize("backend", COMPILED)
def test_interleaved_chain_compiles_and_runs(backend):
    n = 300  # (LLVM code generation takes ~25 ms a round)
    x, y = _interleaved(n)
    f = function([x], y, mode=Mode(optimizer=None), backend=backend)
    for x0 in (0.3, -2.0):
        np.testing.assert_allclose(f(x0), _interleaved_ref(x0, n), rtol=1e-12)


def _far_group_graph():
    """sin(s1) feeds three view+reduce rounds (six units); cos(s2) is unrelated to all of it."""
    s1, s2 = T.dscalar("s1"), T.dscalar("s2")
    a = T.sin(s1)
    e = a
    for _ in range(3):
        e = e.dimshuffle("x").sum()
    return [s1, s2], [e, T.cos(s2)]


@pytest.mark.parametrize("limit, joined", [(4000, True), (6, True), (5, False), (0, False)])
def test_search_limit_refuses_groups_reaching_more_units(monkeypatch, limit, joined):
    # cos(s2) may join sin(s1)'s group (both all-ones shaped, no path between them) unless that
    # group reaches more than SEARCH_LIMIT units (it reaches exactly six)
    monkeypatch.setattr(fusion, "SEARCH_LIMIT", limit)
    _, prog = _lower(*_far_group_graph())
    ops = sorted(tuple(_names(s)) for s in _loops(prog))
    assert ops == ([("sin", "cos")] if joined else [("cos",), ("sin",)])


def test_unrelated_scalar_work_fuses_and_dependent_work_does_not():
    s1, s2 = T.dscalar("s1"), T.dscalar("s2")
    a = T.sin(s1) * 2.0
    b = T.cos(s2) + 1.0
    r = (a.dimshuffle("x").sum() + b) * 3.0  # after the reduction: may not join the first loop
    _, prog = _lower([s1, s2], [r])
    loops = [sorted(_names(s)) for s in _loops(prog)]
    assert loops == [sorted(["sin", "mul", "cos", "add"]), ["add", "mul"]]


def test_composites_too_big_to_share_a_loop_get_one_each():
    # the fusion rewrite makes Composites of a few hundred scalar ops: two exceed MAX_BODY
    x = T.dvector("x")
    y = x
    for _ in range(700):
        y = T.sin(y) + 1.0
    fg, prog = _lower([x], [y], optimize=True)
    nodes = fg.toposort()
    assert len(nodes) >= 3
    loops = _loops(prog)
    assert len(loops) == len(nodes) and all(len(s.nodes) == 1 for s in loops)
    assert all(len(s.body) <= fusion.MAX_BODY for s in loops)
    assert [s.nodes[0] for s in prog.steps] == nodes


@pytest.mark.parametrize("other, fusable", [("x", True), ("y", False), ("lit", True)])
def test_operand_limit_counts_distinct_operands(monkeypatch, other, fusable):
    # x * x reads one operand, x * 2.0 one operand and a literal, x * y two: with room for two
    # arrays (operands + outputs) only the last runs its perform.  Nodes of one scalar op with
    # other operand patterns are judged apart.
    monkeypatch.setattr(fusion, "MAX_OPERANDS", 2)
    x, y = T.dvector("x"), T.dvector("y")
    z = x * {"x": x, "y": y, "lit": 2.0}[other]
    e = T.exp(y)
    w = e * e  # the same scalar op on one operand: fusable in every case
    _, prog = _lower([x, y], [z, w])
    fallback_ops = [name for s in prog.fallbacks() for name in _names(s)]
    assert fallback_ops == ([] if fusable else ["mul"])


# ----------------------------------------------------- grouping against its plain definition


def _group_by_trying_every_candidate(order, fusable):
    """The grouping rule, plainly: every candidate in turn, a bounded search each."""
    unit_of, groups, pattern, size, succ, readers, by_pattern = {}, {}, {}, {}, [], {}, {}

    def refused(g, targets):  # g reaches a target, or more than SEARCH_LIMIT units
        stack, seen = [g], {g}
        while stack:
            for v in succ[stack.pop()]:
                if v in targets:
                    return True
                if v not in seen:
                    if len(seen) > fusion.SEARCH_LIMIT:
                        return True
                    seen.add(v)
                    stack.append(v)
        return False

    for node in order:
        producers = {unit_of[v.owner] for v in node.inputs if v.owner in unit_of}
        gid = None
        if node in fusable:
            pat = node.outputs[0].type.broadcastable
            cands = [unit_of[v.owner] for v in node.inputs if unit_of.get(v.owner) in groups]
            cands += [g for v in node.inputs if v.type.broadcastable == pat for g in reversed(readers.get(v, []))]
            cands += list(reversed(by_pattern.get(pat, []))) if all(pat) else []
            for g in cands:
                if pattern[g] == pat and size[g] + len(node.inputs) + 2 <= fusion.MAX_BODY // 4 \
                        and not refused(g, producers - {g}):
                    gid = g
                    break
            if gid is None:
                gid = len(succ)
                succ.append(set())
                groups[gid], pattern[gid], size[gid] = [], pat, 0
            groups[gid].append(node)
            size[gid] += len(node.inputs) + len(node.outputs)
            for v in node.inputs:
                if v.type.broadcastable == pat and gid not in readers.setdefault(v, []):
                    readers[v].append(gid)
            if all(pat) and gid not in by_pattern.setdefault(pat, []):
                by_pattern[pat].append(gid)
        else:
            gid = len(succ)
            succ.append(set())
        unit_of[node] = gid
        for p in producers - {gid}:
            succ[p].add(gid)
    return [groups[g] for g in sorted(groups)]


def _random_chains(rng, n, chains):
    """``chains`` interleaved scalar or vector chains: elementwise steps, reductions, cross links."""
    scalar = rng.random() < 0.6
    xs = [(T.dscalar if scalar else T.dvector)(f"x{i}") for i in range(3)]
    ends = [xs[int(rng.integers(3))] for _ in range(chains)]
    for _ in range(n):
        c = int(rng.integers(chains))
        a, r = ends[c], rng.random()
        if r < 0.35:
            y = T.sin(a) if r < 0.2 else a * 0.5
        elif r < 0.55:
            y = a + xs[int(rng.integers(3))]
        elif r < 0.7:
            y = a * ends[int(rng.integers(chains))]
        else:
            y = a.dimshuffle("x").sum() if scalar else a.sum() + a
        ends[c] = y
    return FunctionGraph(xs, ends)


@pytest.mark.parametrize("seed", range(40))
def test_grouping_matches_trying_every_candidate(monkeypatch, seed):
    rng = np.random.default_rng(seed)
    fg = _random_chains(rng, int(rng.integers(20, 300)), int(rng.integers(1, 9)))
    if seed % 2:  # tight limits: searches give up, groups fill up
        monkeypatch.setattr(fusion, "SEARCH_LIMIT", int(rng.integers(0, 12)))
        monkeypatch.setattr(fusion, "MAX_BODY", int(rng.choice([12, 20, 40, 80])))
    order = fg.toposort()
    target = lowering.Target("c")
    fusable = {n for n in order if lowering._elemwise_ok(n, target)}
    assert lowering._group_elemwise(order, fusable) == _group_by_trying_every_candidate(order, fusable)
