"""arignote.plugin_manager: registration, duplicate names, broken plugins, backend choice."""

import types
import warnings

import pytest

from arignote import plugin_manager as pmod
from arignote.config import config
from arignote.hookspecs import BackendRecord, RewriteRecord, SamplerRecord, hookimpl
from arignote.plugin_manager import PluginError, PluginWarning


@pytest.fixture
def fresh():
    """A plugin manager loaded anew for the test, and forgotten after it."""
    pmod._reset()
    yield pmod
    pmod._reset()


class FakeBackend:
    def __init__(self, name):
        self.name = name

    def compile(self, fgraph, **opts):  # pragma: no cover - not called here
        raise AssertionError


def backend_plugin(*records):
    @hookimpl
    def arignote_register_backends():
        return list(records)

    return types.SimpleNamespace(arignote_register_backends=arignote_register_backends)


class FakeEntryPoint:
    def __init__(self, name, value, obj=None, dist=None):
        self.name = name
        self.value = value
        self.group = "arignote"
        self.module = value.split(":")[0]
        self.dist = types.SimpleNamespace(name=dist) if dist else None
        self._obj = obj

    def load(self):
        if self._obj is None:
            raise ModuleNotFoundError(f"No module named '{self.module}'", name=self.module)
        return self._obj


def test_register_backend_record(fresh):
    plugin = backend_plugin(
        BackendRecord("test_be", factory=lambda: FakeBackend("test_be"), priority=-100, description="a test backend")
    )
    name = pmod.register(plugin, name="test_plugin")
    assert name == "test_plugin"
    assert ("test_plugin", "registered") in pmod.plugin_names()
    recs = pmod.backends()
    assert recs["test_be"].description == "a test backend"
    be = pmod.get_backend("test_be")
    assert isinstance(be, FakeBackend) and be.name == "test_be"
    assert pmod.get_backend("test_be") is be  # cached
    assert ("test_be", True, "", -100) in pmod.backend_status()
    pmod.unregister("test_plugin")
    assert "test_be" not in pmod.backends()


def test_auto_picks_highest_priority_available(fresh):
    pmod.register(
        backend_plugin(
            BackendRecord("zz_fast", factory=lambda: FakeBackend("zz_fast"), priority=10**6,
                          available=lambda: (False, "needs a frobnicator")),
            BackendRecord("zz_second", factory=lambda: FakeBackend("zz_second"), priority=10**6 - 1),
        ),
        name="prio",
    )
    assert pmod.get_backend("auto").name == "zz_second"
    with config.change_flags(backend="auto"):
        assert pmod.get_backend().name == "zz_second"
    with pytest.raises(RuntimeError, match="frobnicator"):
        pmod.get_backend("zz_fast")
    status = pmod.backend_status()
    assert status[0] == ("zz_fast", False, "needs a frobnicator", 10**6)


def test_available_that_raises_counts_as_unavailable(fresh):
    def boom():
        raise OSError("driver missing")

    pmod.register(backend_plugin(BackendRecord("zz_boom", factory=FakeBackend, available=boom)), name="b")
    with pytest.raises(RuntimeError, match="driver missing"):
        pmod.get_backend("zz_boom")


def test_duplicate_names_name_both_plugins(fresh):
    pmod.register(backend_plugin(BackendRecord("dup", factory=FakeBackend)), name="first_plugin")
    pmod.register(backend_plugin(BackendRecord("dup", factory=FakeBackend)), name="second_plugin")
    with pytest.raises(PluginError, match="first_plugin.*second_plugin"):
        pmod.backends()


def test_duplicate_rewrite_names(fresh):
    def rw_plugin():
        @hookimpl
        def arignote_register_rewrites():
            return [RewriteRecord("my_rule", rewrite=object(), phase="canonicalize", tags="fast")]

        return types.SimpleNamespace(arignote_register_rewrites=arignote_register_rewrites)

    pmod.register(rw_plugin(), name="rw_a")
    assert pmod.rewrites()["my_rule"].tags == ("fast",)
    pmod.register(rw_plugin(), name="rw_b")
    with pytest.raises(PluginError, match="rw_a.*rw_b"):
        pmod.rewrites()


def test_register_same_name_twice_raises(fresh):
    pmod.register(backend_plugin(), name="same")
    with pytest.raises(ValueError, match="same"):
        pmod.register(backend_plugin(), name="same")


def test_get_backend_unknown_lists_known(fresh):
    pmod.register(backend_plugin(BackendRecord("listed_be", factory=FakeBackend)), name="lister")
    with pytest.raises(ValueError, match="nope") as info:
        pmod.get_backend("nope")
    assert "listed_be" in str(info.value)
    assert "known backends" in str(info.value)


def test_builtin_py_backend_is_registered(fresh):
    assert "py" in pmod.backends()
    assert ("py", "builtin") in pmod.plugin_names()
    with pytest.raises(ValueError, match="py"):
        pmod.get_backend("nope")


def test_broken_entry_points_are_reported_and_skipped(fresh, monkeypatch):
    @hookimpl
    def arignote_register_backends(unexpected_argument):  # pragma: no cover
        return []

    bad_signature = types.SimpleNamespace(arignote_register_backends=arignote_register_backends)
    good = backend_plugin(BackendRecord("good_be", factory=lambda: FakeBackend("good_be")))
    eps = [
        FakeEntryPoint("broken_plugin", "no_such_module_xyz", dist="arignote-broken"),
        FakeEntryPoint("badsig_plugin", "badsig_mod", obj=bad_signature, dist="arignote-badsig"),
        FakeEntryPoint("good_plugin", "good_mod:plugin", obj=good, dist="arignote-good"),
    ]
    monkeypatch.setattr(pmod, "_iter_entry_points", lambda: eps)
    monkeypatch.delenv(pmod.DISABLE_AUTOLOAD_ENV, raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pmod.get_plugin_manager()
    messages = [str(w.message) for w in caught if issubclass(w.category, PluginWarning)]
    assert any("broken_plugin" in m and "no_such_module_xyz" in m for m in messages), messages
    assert any("badsig_plugin" in m and "unexpected_argument" in m for m in messages), messages
    assert pmod.get_backend("good_be").name == "good_be"
    assert pmod.plugin_names() == [("good_plugin", "arignote-good")]
    failed = dict(pmod.plugin_failures())
    assert set(failed) == {"broken_plugin", "badsig_plugin"}
    # the failed registration left nothing behind
    assert pmod.get_plugin_manager().get_plugin("badsig_plugin") is None


def test_hook_that_raises_is_reported_and_skipped(fresh):
    @hookimpl
    def arignote_register_samplers():
        raise RuntimeError("sampler plugin is broken")

    pmod.register(types.SimpleNamespace(arignote_register_samplers=arignote_register_samplers), name="bad_samplers")
    with pytest.warns(PluginWarning, match="bad_samplers.*sampler plugin is broken"):
        assert "x" not in pmod.samplers()
    with config.change_flags(debug=True):
        pmod._invalidate()
        with pytest.raises(RuntimeError, match="sampler plugin is broken"):
            pmod.samplers()


def test_wrong_record_type_is_reported(fresh):
    @hookimpl
    def arignote_register_samplers():
        return [BackendRecord("not_a_sampler", factory=FakeBackend)]

    pmod.register(types.SimpleNamespace(arignote_register_samplers=arignote_register_samplers), name="wrong_type")
    with pytest.warns(PluginWarning, match="wrong_type.*SamplerRecord"):
        pmod.samplers()


def test_single_record_accepted(fresh):
    @hookimpl
    def arignote_register_samplers():
        return SamplerRecord("one", factory=object, capabilities=("continuous",))

    pmod.register(types.SimpleNamespace(arignote_register_samplers=arignote_register_samplers), name="single")
    assert pmod.samplers()["one"].capabilities == ("continuous",)


def test_disable_autoload_keeps_builtins(fresh, monkeypatch):
    builtin = backend_plugin(BackendRecord("fake_builtin_be", factory=FakeBackend))
    third = backend_plugin(BackendRecord("third_party_be", factory=FakeBackend))
    eps = [
        FakeEntryPoint("fake_builtin", "arignote.fake_builtin", obj=builtin, dist="arignote"),
        FakeEntryPoint("third", "thirdparty.plugin", obj=third, dist="arignote-third"),
    ]
    monkeypatch.setattr(pmod, "_iter_entry_points", lambda: eps)
    monkeypatch.setenv(pmod.DISABLE_AUTOLOAD_ENV, "1")
    assert set(pmod.backends()) == {"fake_builtin_be"}
    assert pmod.plugin_names() == [("fake_builtin", "builtin")]

    pmod._reset()
    monkeypatch.setenv(pmod.DISABLE_AUTOLOAD_ENV, "0")
    assert set(pmod.backends()) == {"fake_builtin_be", "third_party_be"}


def test_unknown_hook_name_warns(fresh):
    @hookimpl
    def arignote_register_backend():  # missing 's'
        return []

    with pytest.warns(PluginWarning, match="arignote_register_backend"):
        pmod.register(types.SimpleNamespace(arignote_register_backend=arignote_register_backend), name="typo")
