"""Public registration of scalar-op renderings (scalar_table.register, scalar_ir.register_recipe)."""
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
    saved = dict(scalar_table.TABLE)
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


def test_register_refuses_a_conflicting_row(restore_table):
    row = scalar_table.TABLE["arctan"]
    scalar_table.register(row)  # the same row again: nothing to do
    other = dataclasses.replace(row, c={"f": "(({T})0)"})
    with pytest.raises(ValueError, match="'arctan' already has renderings.*replace=True"):
        scalar_table.register(other)
    assert scalar_table.TABLE["arctan"] is row
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
    row = scalar_table.TABLE["arctan"]
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
    row = scalar_table.TABLE["arctan"]
    before = scalar_ir.fingerprint()
    scalar_table.register(dataclasses.replace(row, llvm={"f": "test.atan_plus_100"}), replace=True)
    assert scalar_ir.fingerprint() != before
    np.testing.assert_allclose(function([x], T.arctan(x) * 2, backend="llvm")(a), (np.arctan(a) + 100) * 2)
    scalar_table.register(row, replace=True)
    np.testing.assert_allclose(function([x], T.arctan(x) * 2, backend="llvm")(a), np.arctan(a) * 2)
