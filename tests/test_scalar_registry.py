"""Scalar ops as one row each (arignote.scalar), the backends' rendering columns (each in its own
folder, through the renderings hook), and public registration (scalar_table.register,
scalar_ir.register_recipe)."""
import dataclasses

import numpy as np
import pytest

from arignote import function
from arignote import tensor as T
from arignote.backends import scalar_table
from arignote.hookspecs import RenderingRecord, hookimpl
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
    saved_added = dict(scalar_table._added)
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
    scalar_table._added.clear()
    scalar_table._added.update(saved_added)
    scalar_table.table_changed()


def _fallbacks():
    """backend -> the scalar ops it leaves to NumPy on purpose (each backend's NUMPY_FALLBACK)."""
    from arignote.backends.c.scalar_c import NUMPY_FALLBACK as C_FALLBACK

    out = {"c": C_FALLBACK}
    try:
        from arignote.backends.llvm.scalar_column import NUMPY_FALLBACK as L_FALLBACK
        out["llvm"] = L_FALLBACK
    except ImportError:  # pragma: no cover - llvmlite missing
        pass
    return out


def unrendered(names):
    """backend -> the ops of ``names`` with no rendering in the assembled table for that backend
    and not marked there as a NumPy fallback on purpose."""
    gaps = {}
    for backend, fallback in _fallbacks().items():
        missing = []
        for name in names:
            row = scalar_table.row_of(name)
            column = getattr(row, backend, None) if row is not None else None
            if not column and name not in fallback:
                missing.append(name)
        if missing:
            gaps[backend] = sorted(missing)
    return gaps


def test_every_builtin_scalar_op_is_one_row_rendered_or_a_fallback_on_purpose():
    """Adding an elementwise op: one ScalarOp row (name, arity, NumPy function, dtype rule, loop
    rule, gradient, conformance domain) plus one rendering per backend; a missing one must be
    declared in that backend's NUMPY_FALLBACK."""
    from arignote import scalar as ps
    from arignote.backends.c.scalar_c import COLUMN as C

    assert not unrendered(ps.BUILTIN), "scalar ops with no rendering and not marked as NumPy fallbacks"
    for backend, fallback in _fallbacks().items():
        assert not {n for n in fallback if scalar_table.row_of(n) is not None
                    and getattr(scalar_table.row_of(n), backend)}, f"{backend}: rendered and marked as fallback"
        assert all(isinstance(why, str) and why for why in fallback.values())
    ops = {n: ps.get_scalar_op(n) for n in ps.BUILTIN}
    for name, op in ops.items():
        assert op.loop is not None, name  # NumPy's loop rule lives on the op, not in a table
        assert op.conformance is not None, name  # so does the domain the conformance cases draw from
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


def test_unregister_brings_back_the_hooked_row(restore_table):
    row = scalar_table.row_of("arctan")
    scalar_table.register(dataclasses.replace(row, c={"f": "(({T})0)"}), replace=True)
    assert scalar_table.row_of("arctan") != row
    scalar_table.unregister("arctan")
    assert scalar_table.row_of("arctan") == row and "arctan" not in scalar_table._plugin_rows
    with pytest.raises(KeyError, match="no row was registered"):
        scalar_table.unregister("arctan")


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


# ------------------------------------------------------------ a new op: one row plus renderings
CUBE = "test_cube"


def _cube_grad(inputs, output, gz):
    (x,) = inputs
    return [gz * 3.0 * x * x]


def _llvm_cube(em, args, dtypes, out):
    x = args[0]
    return em.b.fmul(em.b.fmul(x, x), x)


class _CubeRenderings:
    """A test-only plugin: the C and LLVM renderings of ``test_cube``, through the hook."""

    def __init__(self, backends=("c", "llvm")):
        self.backends = backends

    @hookimpl
    def arignote_register_renderings(self):
        templates = {"c": {"f": "({0} * {0} * {0})"}, "llvm": {"f": "test.cube"}}
        return [RenderingRecord(b, CUBE, templates[b]) for b in self.backends]


@pytest.fixture
def cube():
    """Registers the scalar op row of ``test_cube`` (with its conformance domain) and the LLVM
    recipe its rendering names; removes all of it afterwards."""
    from arignote import scalar as ps
    from arignote.scalar_domain import ConformanceDomain
    from arignote.tensor import math as tm

    op = ps.ScalarOp(CUBE, 1, lambda x: x * x * x, "float", _cube_grad, loop="float_same",
                     conformance=ConformanceDomain(dtypes=("float64", "float32"), domain=(-2.0, 2.0)))
    ir = _scalar_ir()
    if ir is not None:
        ir.register_recipe("test.cube", _llvm_cube)
    yield op
    ps._REGISTRY.pop(CUBE, None)
    tm._ELEMWISE.pop(CUBE, None)
    if ir is not None:
        ir.RECIPES.pop("test.cube", None)
        ir._plugin_recipes.pop("test.cube", None)
        ir._cache.clear()
    scalar_table.table_changed()


@pytest.fixture
def plugin():
    """Registers test-only plugins, unregistering them afterwards."""
    from arignote import plugin_manager

    added = []

    def register(obj, name):
        added.append(plugin_manager.register(obj, name=name))

    yield register
    for name in added:
        plugin_manager.unregister(name)


def test_a_new_scalar_op_is_one_row_plus_one_rendering_per_backend(cube, plugin):
    """The row alone puts the op in tensor math and in the conformance suite; the renderings
    (here from a plugin, through the renderings hook) make it native on c and llvm."""
    from arignote import plugin_manager
    from arignote.conformance import collect_cases, run_conformance
    from arignote.debug import fallbacks

    assert T.test_cube is T.math.test_cube  # exported by arignote.tensor as soon as the row exists
    assert CUBE in plugin_manager.ops()  # and its conformance record is there
    cases = collect_cases([CUBE], level="quick")
    assert {c.dtype for c in cases} == {"float64", "float32"} and any(c.grad for c in cases)

    plugin(_CubeRenderings(), "test-cube-renderings")
    backends = [b for b in ("c", "llvm") if b in available_backends()]
    x = T.dvector("x")
    a = np.array([-1.5, 0.0, 0.5, 2.0])
    for backend in backends:
        assert getattr(scalar_table.row_of(CUBE), backend), backend
        f = function([x], T.test_cube(x) + 1.0, backend=backend)
        np.testing.assert_allclose(f(a), a ** 3 + 1.0, rtol=1e-15)
        assert fallbacks(f) == [], backend  # rendered, not run through NumPy
    assert scalar_table.row_of(CUBE).template("cuda", "f") == "({0} * {0} * {0})"  # cuda takes C's
    from arignote.backends import lowering
    from arignote.backends.cuda import common as cuda
    from arignote.fg import FunctionGraph

    steps = lowering.lower(FunctionGraph([x], [T.test_cube(x)], clone=True), cuda.target()).steps
    assert [type(s).__name__ for s in steps] == ["LoopStep"]  # a cuda kernel, not a host fallback
    if "cuda-emulated" in available_backends():
        f = function([x], T.test_cube(x) + 1.0, backend="cuda-emulated")
        np.testing.assert_allclose(f(a), a ** 3 + 1.0, rtol=1e-15)
    g = function([x], T.grad(T.sum(T.test_cube(x)), x), backend=backends[0] if backends else "py")
    np.testing.assert_allclose(g(a), 3 * a * a)

    report = run_conformance(backends=["py", *backends], ops=[CUBE], level="smoke", grad=True, fd=False)
    assert report.ok, "\n".join(r.describe() for r in report.failures)
    for backend in backends:
        assert report.paths(backend)["native"] > 0 and report.paths(backend)["fallback"] == 0, backend
    assert not unrendered([CUBE])


def test_an_op_without_a_rendering_on_a_backend_is_reported_unless_marked(cube, plugin, monkeypatch):
    if "llvm" not in _fallbacks():
        pytest.skip("llvmlite is missing")
    plugin(_CubeRenderings(backends=("c",)), "test-cube-c-only")
    assert unrendered([CUBE]) == {"llvm": [CUBE]}
    from arignote.backends.llvm import scalar_column

    monkeypatch.setitem(scalar_column.NUMPY_FALLBACK, CUBE, "test: left to NumPy on purpose")
    assert not unrendered([CUBE])
    x = T.dvector("x")
    f = function([x], T.test_cube(x), backend="llvm")  # the fallback still computes it
    np.testing.assert_allclose(f(np.array([2.0, -1.0])), [8.0, -1.0])
