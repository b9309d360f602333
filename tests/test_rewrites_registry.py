"""The registry and modes: phases as plugin records, selection by name and tag, fast
compile, global exclusion, verbose output, failing rules, the iteration bound, plugins."""
from __future__ import annotations

import types
import warnings

import numpy as np
import pytest

import arignote
from arignote import plugin_manager, tensor as T
from arignote.config import config
from arignote.fg import FunctionGraph
from arignote.hookspecs import RewriteRecord, hookimpl
from arignote.mode import Mode
from arignote.rewrites import (
    PHASES, LocalRule, RewriteError, RewriteLimitWarning, RewriteWarning, driver, enabled, get_rule, local_rule,
    phase, rules, unregister,
)

from rewrite_helpers import op_counts

x, y = T.dvector("x"), T.dvector("y")
X = np.array([0.5, -1.5, 2.0])


def test_phases_are_plugin_records():
    recs = plugin_manager.rewrites()
    for name in PHASES:
        assert recs[name].phase == name and recs[name].rewrite.phase is phase(name)
    assert "fast_compile" not in recs["fusion"].tags


def test_rules_have_names_tags_and_phases():
    r = get_rule("local_log1p")
    assert r.phases == ["stabilize"] and "fast_compile" in r.tags and "stability" in r.tags
    assert isinstance(r, LocalRule) and r.tracks == ("log",)
    assert set(get_rule("constant_folding").phases) >= {"canonicalize", "specialize"}
    assert all(r.__doc__ for r in rules().values())


def test_fast_compile_runs_only_cheap_rules():
    f = arignote.function([x], [T.log(1 + x), x ** 2, T.exp(T.constant(0.0)) * x], mode="FAST_COMPILE", backend="py")
    c = op_counts(f)
    assert c["log1p"] == 1 and c["log"] == 0  # stability rules run
    assert c["pow"] == 1 and c["sqr"] == 0  # specialize does not
    assert c["exp"] == 0  # constant folding does
    assert "Composite" not in c  # nor does fusion
    fr = op_counts(arignote.function([x], x ** 2, mode=Mode(excluding=("fusion",)), backend="py"))
    assert fr["sqr"] == 1


def test_fast_compile_can_include_a_rule():
    f = arignote.function([x], x ** 2, mode=Mode(optimizer="fast_compile", including=("local_pow_specialize", "specialize")), backend="py")
    assert op_counts(f)["sqr"] == 1


def test_excluding_by_rule_name_tag_and_phase():
    def counts(mode):
        return op_counts(arignote.function([x], T.log(1 + x), mode=mode, backend="py"))

    assert counts(Mode(excluding=("fusion",)))["log1p"] == 1
    assert counts(Mode(excluding=("fusion", "local_log1p")))["log"] == 1
    assert counts(Mode(excluding=("fusion", "stability")))["log"] == 1
    assert counts(Mode(excluding=("fusion", "stabilize")))["log"] == 1
    assert counts(Mode().excluding("fusion", "local_log1p"))["log"] == 1


def test_config_optimizer_excluding():
    with config.change_flags(optimizer_excluding="fusion:local_log1p"):
        c = op_counts(arignote.function([x], T.log(1 + x), backend="py"))
    assert c["log"] == 1 and c["log1p"] == 0
    assert not enabled(get_rule("local_log1p"), None) or config.optimizer_excluding == ""


def test_no_rewrites_mode():
    f = arignote.function([x], T.log(1 + x), mode="NO_REWRITES", backend="py")
    assert op_counts(f) == {"DimShuffle": 1, "add": 1, "log": 1}


def test_optimizer_verbose_prints_each_rule(capsys):
    with config.change_flags(optimizer_verbose=True):
        arignote.function([x], T.log(1 + x), mode=Mode(excluding=("fusion",)), backend="py")
    out = capsys.readouterr().out
    assert "rewrite local_log1p: log((TensorConstant{(1,) of 1.0} + x))  ->  log1p(x)" in out


@pytest.fixture
def temp_rule():
    made = []

    def make(fn, tracks=("exp",), phases=("canonicalize",), name="test_rule"):
        rule = local_rule(tracks, *phases, name=name)(fn)
        made.append(name)
        return rule

    yield make
    for name in made:
        unregister(name)


def test_failing_rule_raises_in_tests(temp_rule):
    def broken(fgraph, node):
        raise ZeroDivisionError("boom")

    temp_rule(broken)
    with pytest.raises(RewriteError, match=r"rewrite rule 'test_rule' failed on Elemwise\{exp,no_inplace\}\(x\).*boom"):
        arignote.function([x], T.exp(x), backend="py")


def test_failing_rule_warns_once_for_users(temp_rule, monkeypatch):
    def broken(fgraph, node):
        raise ZeroDivisionError("boom")

    temp_rule(broken)
    monkeypatch.setattr(driver, "_warned", set())
    with config.change_flags(on_opt_error="warn"), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        f = arignote.function([x, y], T.exp(x) + T.exp(y) * T.exp(x + y), backend="py")
        arignote.function([x], T.exp(x), backend="py")
    msgs = [str(m.message) for m in w if issubclass(m.category, RewriteWarning)]
    assert len(msgs) == 1 and "test_rule" in msgs[0] and "boom" in msgs[0]
    np.testing.assert_allclose(f(X, X), np.exp(X) + np.exp(X) * np.exp(2 * X))


def test_rule_changing_the_type_is_refused(temp_rule):
    temp_rule(lambda fgraph, node: [T.cast(node.outputs[0], "float32")])
    with pytest.raises(RewriteError, match="does not keep the type"):
        arignote.function([x], T.exp(x), backend="py")
    with config.change_flags(on_opt_error="ignore"):
        f = arignote.function([x], T.exp(x), backend="py")
    assert f(X).dtype == np.float64


def test_rule_changing_the_broadcast_pattern_is_refused(temp_rule):
    m = T.dmatrix("m")
    temp_rule(lambda fgraph, node: [node.inputs[0].dimshuffle(0, "x")] if node.inputs[0].ndim == 1 else None,
              tracks=("exp",))
    with pytest.raises(RewriteError, match="does not keep the type"):
        arignote.function([x], T.exp(x), backend="py")


def test_iteration_bound_is_reported(temp_rule):
    # two rules undoing each other never reach a fixpoint
    temp_rule(lambda fgraph, node: [T.exp(T.neg(T.neg(node.inputs[0])))] if not node.inputs[0].owner else None,
              tracks=("exp",), name="test_pingpong")
    with config.change_flags(optimizer_max_use_ratio=2.0), pytest.warns(RewriteLimitWarning,
                                                                         match="stopped after .* rewrites"):
        f = arignote.function([x], T.exp(x), mode=Mode(excluding=("fusion",)), backend="py")
    np.testing.assert_allclose(f(X), np.exp(X))


def test_local_rule_runs_alone_to_a_fixpoint():
    fg = FunctionGraph([x], [-(-(-(-x)))], clone=True)
    n = get_rule("local_neg_neg")(fg)
    assert n == 2 and fg.outputs[0] is fg.inputs[0]


def test_plugin_record_with_a_local_rule(monkeypatch):
    calls = []

    def exp_to_exp2(fgraph, node):
        calls.append(node)
        return [T.exp2(node.inputs[0] * (1 / np.log(2)))]

    rule = LocalRule("plugin_exp_to_exp2", exp_to_exp2, tracks=("exp",))
    plugin = types.SimpleNamespace(
        arignote_register_rewrites=hookimpl(lambda: [RewriteRecord("plugin_exp_to_exp2", rule, "specialize",
                                                                   position=1.0)]))
    name = plugin_manager.register(plugin, name="test_exp2_plugin")
    try:
        f = arignote.function([x], T.exp(x), mode=Mode(excluding=("fusion",)), backend="py")
        assert op_counts(f)["exp2"] == 1 and calls
        np.testing.assert_allclose(f(X), np.exp(X), rtol=1e-14)
        g = arignote.function([x], T.exp(x), mode=Mode(excluding=("fusion", "plugin_exp_to_exp2")), backend="py")
        assert op_counts(g)["exp"] == 1
    finally:
        plugin_manager.unregister(name)


def test_deep_chain_rewrites_iteratively():
    v = x
    for k in range(3000):
        v = T.tanh(v) + 1.0 if k % 2 else -v
    f = arignote.function([x], v, backend="py")
    assert np.all(np.isfinite(f(X)))


# -- tags are checked; every tag of every built-in rule can exclude it ---------------------------


def test_one_string_is_one_tag_never_its_letters():
    r = LocalRule("tag_probe", lambda fg, node: None, tags="dimshuffle")
    assert r.tags == ("dimshuffle",)
    assert RewriteRecord("rec_probe", rewrite=object(), phase="canonicalize", tags="abc").tags == ("abc",)


@pytest.mark.parametrize("tags, err", [((1,), ValueError), (("",), ValueError), (("a:b",), ValueError),
                                       (("ok", None), ValueError), (5, TypeError)])
def test_bad_tags_are_refused_naming_the_rule(tags, err):
    with pytest.raises(err, match="tag_probe"):
        LocalRule("tag_probe", lambda fg, node: None, tags=tags)


def test_no_builtin_rule_has_a_single_letter_tag():
    short = {r.name: r.tags for r in rules().values() if any(len(t) < 3 for t in r.tags)}
    assert not short


def _builtin_tag_cases():
    return [pytest.param(name, tag, id=f"{name}-{tag}") for name, r in sorted(rules().items()) for tag in r.tags]


@pytest.mark.parametrize("name, tag", _builtin_tag_cases())
def test_every_tag_of_every_builtin_rule_excludes_it(name, tag):
    rule = get_rule(name)
    assert enabled(rule, Mode(including=(name,)) if not rule.default else Mode())
    assert not enabled(rule, Mode(excluding=(tag,)))
    assert not enabled(rule, Mode(including=(name,), excluding=(tag,)))


def test_excluding_dimshuffle_keeps_a_useless_dimshuffle():
    m = T.dmatrix("m")
    expr = m.dimshuffle(0, 1)  # the identity shuffle: local_useless_dimshuffle removes it
    kept = op_counts(arignote.function([m], expr, mode=Mode(excluding=("fusion", "dimshuffle")), backend="py"))
    gone = op_counts(arignote.function([m], expr, mode=Mode(excluding=("fusion",)), backend="py"))
    assert "dimshuffle" in get_rule("local_useless_dimshuffle").tags
    assert kept.get("DimShuffle", 0) == 1 and gone.get("DimShuffle", 0) == 0


def test_excluding_remove_view_op_keeps_the_view_op():
    from arignote.gradient import zero_grad

    kept = op_counts(arignote.function([x], zero_grad(x) * 2, mode=Mode(excluding=("fusion", "remove_view_op")),
                                       backend="py"))
    gone = op_counts(arignote.function([x], zero_grad(x) * 2, mode=Mode(excluding=("fusion",)), backend="py"))
    assert kept.get("ZeroGrad", 0) == 1 and gone.get("ZeroGrad", 0) == 0
