"""Each compiled backend renders the lowering's step kinds through one table (step kind -> renderer):
every kind lower() makes has a row, and the neutral steps carry no Op."""
from __future__ import annotations

import dataclasses

import pytest

import arignote.tensor as T
from arignote.backends import lowering
from arignote.fg import FunctionGraph
from arignote.graph import Op


def test_the_c_runtime_renders_every_step_kind():
    from arignote.backends.c import program, specs

    assert program.STEP_WORDS.missing() == []
    assert specs.KERNEL_SPECS.missing() == []


def test_llvm_renders_every_native_step_kind_and_keys_every_kind():
    from arignote.backends.llvm import signature, steps

    assert steps.NATIVE_STEPS.missing() == [lowering.FallbackStep]  # fallbacks run in Python
    assert signature._STEP_FIELDS.missing() == []


def test_a_kind_without_a_row_is_refused_naming_the_backend():
    table = lowering.StepTable("toy", {lowering.LoopStep: lambda s: "loop"})

    @dataclasses.dataclass
    class OddStep(lowering.Step):
        pass

    with pytest.raises(TypeError, match="the toy backend cannot render a OddStep"):
        table.lookup(OddStep)
    assert table.missing() == [k for k in lowering.CONCRETE_STEPS if k is not lowering.LoopStep]


def test_a_subclass_renders_as_its_base():
    table = lowering.StepTable("toy", {lowering.ViewStep: lambda s: "view"})
    assert table.lookup(lowering.DimShuffleStep)(None) == "view" and table.renders(lowering.SubtensorStep)


def test_view_steps_carry_plain_data_not_ops():
    x = T.dmatrix("x")
    outs = [x.dimshuffle(1, "x", 0), x[1:, 0]]
    fg = FunctionGraph([x], outs)
    prog = lowering.lower(fg, lowering.Target("c"))
    kinds = {type(s): s for s in prog.steps}
    ds, st = kinds[lowering.DimShuffleStep], kinds[lowering.SubtensorStep]
    assert ds.order == (1, "x", 0)
    assert st.idx_list[0][0] == "slice" and st.idx_list[1] == "int"
    for s in prog.steps:
        for f in dataclasses.fields(s):
            if f.name not in ("inputs", "outputs", "nodes"):
                assert not isinstance(getattr(s, f.name), Op), (type(s).__name__, f.name)
