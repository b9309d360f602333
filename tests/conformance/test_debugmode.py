"""function(..., mode="check") and mode="nanguard": node-by-node self-verification."""
from __future__ import annotations

import types

import numpy as np
import pytest

import arignote
from arignote import plugin_manager as pm
from arignote import tensor as T
from arignote.debugmode import BadDestroyMap, BadThunkOutput, DebugMode, NanGuardError, NanGuardMode
from arignote.graph import Apply, Op
from arignote.hookspecs import BackendRecord, hookimpl
from arignote.mode import get_mode
from arignote.tensor.variable import as_tensor_variable

from test_conformance_detects import PatchedBackend, fmax_maximum, mutating_exp


@pytest.fixture
def patched_backend():
    names = []

    def add(name, patch):
        plugin = types.SimpleNamespace(arignote_register_backends=hookimpl(
            lambda: [BackendRecord(name, factory=lambda: PatchedBackend(name, patch), priority=-100)]))
        pm.register(plugin, name=f"plugin_{name}")
        names.append(f"plugin_{name}")
        return name

    yield add
    for n in names:
        pm.unregister(n)


def test_mode_names_and_copies():
    assert isinstance(get_mode("check"), DebugMode) and isinstance(get_mode("CHECK"), DebugMode)
    assert isinstance(get_mode("nanguard"), NanGuardMode)
    m = NanGuardMode(inf_is_error=False).excluding("fusion")
    assert isinstance(m, NanGuardMode) and m.excluded == ("fusion",) and m.inf_is_error is False
    assert isinstance(DebugMode().including("x"), DebugMode)


def test_check_mode_matches_default_mode(backend):
    x, y = T.dmatrix("x"), T.dvector("y")
    w = arignote.shared(np.arange(3.0), name="w")
    out = [T.exp(x).sum(axis=1) * y + T.dot(x, w), T.maximum(x, 0.5)[::-1]]
    f = arignote.function([x, y], out, mode="check", backend=backend, updates=[(w, w * 2)])
    g = arignote.function([x, y], out, backend="py", mode="NO_REWRITES")
    xv, yv = np.arange(6.0).reshape(2, 3) / 3, np.array([1.0, -2.0])
    want = g(xv, yv)
    got = f(xv, yv)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_array_equal(w.get_value(), [0.0, 2.0, 4.0])


def test_check_mode_names_the_diverging_node_and_shows_both_values(patched_backend):
    name = patched_backend("fmax_be", fmax_maximum)
    x = T.dvector("x")
    unfused = DebugMode().excluding("fusion")  # the patched backend only replaces plain maximum nodes
    f = arignote.function([x], T.exp(T.maximum(x, 0.0)), mode=unfused, backend=name)
    np.testing.assert_allclose(f(np.array([-1.0, 2.0])), [1.0, np.exp(2.0)])
    with pytest.raises(BadThunkOutput) as info:
        f(np.array([np.nan, 2.0]))
    msg = str(info.value)
    assert "Elemwise{maximum,no_inplace}(x" in msg and "backend 'fmax_be'" in msg
    assert "got 0.0, want nan" in msg
    assert "backend 'fmax_be': array([0., 2.])" in msg and "reference: array([nan,  2.])" in msg


def test_check_mode_catches_a_backend_mutating_its_input(patched_backend):
    name = patched_backend("mutating_be", mutating_exp)
    x = T.dvector("x")
    f = arignote.function([x], T.exp(x) + 1, mode=DebugMode().excluding("fusion"), backend=name)
    value = np.array([0.0, 1.0])
    with pytest.raises(BadDestroyMap, match=r"node Elemwise\{exp,no_inplace\}\(x\) overwrote its input 0 on backend 'mutating_be'"):
        f(value)


class MutatingOp(Op):
    """Doubles its input in place but does not say so (no destroy_map)."""

    def make_node(self, x):
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        inputs[0] *= 2
        out[0][0] = inputs[0].copy()


def test_check_mode_catches_a_perform_mutating_its_input():
    x = T.dvector("x")
    f = arignote.function([x], MutatingOp()(x * 1), mode="check", backend="py")
    with pytest.raises(BadDestroyMap, match="MutatingOp"):
        f(np.array([1.0, 2.0]))


def test_nanguard_names_the_node_and_summarises_its_inputs(backend):
    x = T.dvector("x")
    f = arignote.function([x], T.log(x) * 2, mode="nanguard", backend=backend)
    np.testing.assert_allclose(f(np.array([1.0, np.e])), [0.0, 2.0])
    with pytest.raises(NanGuardError) as info, np.errstate(all="ignore"):
        f(np.array([1.0, -1.0, 4.0]))
    msg = str(info.value)
    assert "log" in msg and "produced 1 nan in output 0" in msg
    assert "input 0 (x): float64 shape (3,), nan 0, inf 0, min -1.0, max 4.0" in msg


def test_nanguard_inf_big_and_inputs():
    x = T.dvector("x")
    with np.errstate(all="ignore"):
        f = arignote.function([x], T.exp(x), mode="nanguard", backend="py")
        with pytest.raises(NanGuardError, match="produced 1 inf"):
            f(np.array([1000.0]))
        with pytest.raises(NanGuardError, match="input x holds 1 nan"):
            f(np.array([np.nan]))
        lenient = arignote.function([x], T.exp(x), mode=NanGuardMode(inf_is_error=False), backend="py")
        assert np.isinf(lenient(np.array([1000.0]))).all()
        big = arignote.function([x], T.exp(x), mode=NanGuardMode(big_is_error=True), backend="py")
        with pytest.raises(NanGuardError, match="values above 1e\\+10"):
            big(np.array([30.0]))
