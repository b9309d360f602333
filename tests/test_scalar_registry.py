"""Scalar ops as one row each (arignote.scalar), the backends' rendering columns (each in its own
folder, through the renderings hook), and public registration (scalar_table.register,
scalar_ir.register_recipe)."""
import dataclasses

import numpy as np
import pytest

from arignote import function
from arignote import tensor as T
from arignote.backends import scalar_table
from arignote.testing import available_backends


def _scalar_ir():
    try:
        from arignote.backends.llvm import scalar_ir
    except ImportError:
        return None
    return scalar_ir


@pytest.fixture
def restore_table():
    saved = dict(scalar_table.rows())
    saved_rows = dict(scalar_table._plugin_rows)
    ir = _scalar_ir()
    saved_ir = (dict(ir.RECIPES), dict(ir._plugin_recipes)) if ir else None
    yield
    if ir:
        for live, old in zip((ir.RECIPES, ir._plugin_recipes), saved_ir):
            live.clear()
            live.update(old)
    scalar_table.TABLE.clear()
    scalar_table.TABLE.update(saved)
    scalar_table._plugin_rows.clear()
    scalar_table._plugin_rows.update(saved_rows)
    scalar_table.table_changed()


def test_every_public_scalar_op_is_one_row_rendered_or_a_fallback_on_purpose():
    """Adding an elementwise op: one ScalarOp row (name, arity, NumPy function, dtype rule, loop
    rule, gradient) plus one entry per backend column; a missing entry must be declared."""
    from arignote import scalar as ps
    from arignote.backends.c.scalar_c import COLUMN as C, NUMPY_FALLBACK as C_FALLBACK

    columns = {"c": (C, C_FALLBACK)}
    try:
        from arignote.backends.llvm.scalar_column import COLUMN as L, NUMPY_FALLBACK as L_FALLBACK
        columns["llvm"] = (L, L_FALLBACK)
    except ImportError:  # pragma: no cover - llvmlite missing
        pass
    ops = {n: ps.get_scalar_op(n) for n in ps.BUILTIN}
    for backend, (column, fallback) in columns.items():
        missing = sorted(n for n in ops if n not in column and n not in fallback)
        assert not missing, f"{backend}: scalar ops with no rendering and not marked as NumPy fallbacks: {missing}"
        assert not set(column) & set(fallback), f"{backend}: rendered and marked as fallback"
        assert all(isinstance(why, str) and why for why in fallback.values())
    for name, op in ops.items():
        assert op.loop is not None, name  # NumPy's loop rule lives on the op, not in a table
        assert getattr(T, name, None) is not None or not op.public, name  # tensor exports it
        row = scalar_table.row_of(name)
        assert row is not None and row.numpy is None, name  # the table adds no second dtype rule
        assert row.template("c", "f") == C[name].get("f") if isinstance(C.get(name), dict) else True


def test_renderings_arrive_through_the_hook():
    from arignote import plugin_manager

    recs = plugin_manager.renderings()
    assert recs["c:exp"].template == {"f": "exp{F}({0})", "c": "cexp{F}({0})"}
    assert recs["c:exp"].backend == "c" and recs["c:exp"].op == "exp"
    lowerings = plugin_manager.lowerings()
    assert any(name.endswith(".DimShuffle") for name in lowerings)


def test_register_refuses_a_conflicting_row(restore_table):
    row = scalar_table.row_of("arctan")
    scalar_table.register(row)  # the same row again: nothing to do
    other = dataclasses.replace(row, c={"f": "(({T})0)"})
    with pytest.raises(ValueError, match="'arctan' already has renderings.*replace=True"):
        scalar_table.register(other)
    assert scalar_table.row_of("arctan") is row
    with pytest.raises(TypeError, match="Rendering"):
        scalar_table.register({"name": "arctan"})


def test_register_clears_the_loop_dtype_cache(restore_table):
    with pytest.raises(scalar_table.NotRenderable, match="not in the rendering table"):
        scalar_table.loop_dtypes("test_op_not_yet_there", ["float32"])
    scalar_table.register(scalar_table.Rendering("test_op_not_yet_there", "float_same", c={"f": "({0})"}))
    assert scalar_table.loop_dtypes("test_op_not_yet_there", ["float32"]) == (["float32"], "float32")


@pytest.mark.skipif("c" not in available_backends(), reason="the c backend is unavailable here")
def test_a_replaced_c_rendering_is_compiled_not_a_stale_cached_one(restore_table):
    x = T.dvector("x")
    a = np.array([0.0, 1.0, -2.0])
    row = scalar_table.row_of("arctan")
    scalar_table.register(dataclasses.replace(row, c={"f": "(({T})atan{F}({0}) + ({T})100)"}), replace=True)
    np.testing.assert_allclose(function([x], T.arctan(x) * 2, backend="c")(a), (np.arctan(a) + 100) * 2)
    scalar_table.register(row, replace=True)
    np.testing.assert_allclose(function([x], T.arctan(x) * 2, backend="c")(a), np.arctan(a) * 2)


@pytest.mark.skipif("llvm" not in available_backends(), reason="the llvm backend is unavailable here")
def test_a_registered_llvm_recipe_is_used_and_keys_the_cache(restore_table):
    from arignote.backends.llvm import scalar_ir

    def plus_hundred(em, args, dtypes, out):
        return em.b.fadd(em.math("atan", [args[0]]), em.like(args[0], 100.0))

    scalar_ir.register_recipe("test.atan_plus_100", plus_hundred, replace=True)
    with pytest.raises(ValueError, match="already exists"):
        scalar_ir.register_recipe("test.atan_plus_100", lambda em, a, d, o: a[0])
    with pytest.raises(TypeError, match="callable"):
        scalar_ir.register_recipe("test.not_callable", 3)
    x = T.dvector("x")
    a = np.array([0.0, 1.0, -2.0])
    row = scalar_table.row_of("arctan")
    before = scalar_ir.fingerprint()
    scalar_table.register(dataclasses.replace(row, llvm={"f": "test.atan_plus_100"}), replace=True)
    assert scalar_ir.fingerprint() != before
    np.testing.assert_allclose(function([x], T.arctan(x) * 2, backend="llvm")(a), (np.arctan(a) + 100) * 2)
    scalar_table.register(row, replace=True)
    np.testing.assert_allclose(function([x], T.arctan(x) * 2, backend="llvm")(a), np.arctan(a) * 2)
