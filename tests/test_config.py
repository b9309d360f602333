"""arignote.config: defaults, ARIGNOTE_FLAGS, change_flags, validation."""

import os
import platform
import subprocess
import sys
import textwrap

import pytest

from arignote.config import Config, ConfigWarning, config


def run_py(code, flags=None, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARIGNOTE_")}
    if flags is not None:
        env["ARIGNOTE_FLAGS"] = flags
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", textwrap.dedent(code)],
        capture_output=True, text=True, env=env, timeout=120,
    )


def test_defaults_in_fresh_process():
    r = run_py(
        """
        from arignote.config import config
        for name in ('floatX', 'backend', 'debug', 'mode', 'optimizer_excluding', 'optimizer_verbose', 'compiledir'):
            print(name, repr(getattr(config, name)))
        """
    )
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    assert lines["floatX"] == "'float64'"
    assert lines["backend"] == "'auto'"
    assert lines["debug"] == "False"
    assert lines["mode"] == "'FAST_RUN'"
    assert lines["optimizer_excluding"] == "''"
    assert lines["optimizer_verbose"] == "False"
    expected = os.path.join(
        os.path.expanduser("~"), ".cache", "arignote",
        f"compiledir_{platform.machine()}-py{sys.version_info[0]}{sys.version_info[1]}",
    )
    assert lines["compiledir"] == repr(expected)


def test_compiledir_from_env(tmp_path):
    r = run_py(
        "from arignote.config import config; print(config.compiledir)",
        extra_env={"ARIGNOTE_COMPILEDIR": str(tmp_path / "cd")},
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "cd")


def test_flags_env_parsing():
    r = run_py(
        """
        from arignote.config import config
        print(config.backend, config.floatX, config.debug, config.optimizer_verbose, config.mode)
        """,
        flags=" backend=c, floatX=float32,debug=True,optimizer_verbose=1,mode=FAST_COMPILE",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["c", "float32", "True", "True", "FAST_COMPILE"]
    assert "Warning" not in r.stderr


def test_flags_env_bad_value_fails_with_flag_name():
    r = run_py("import arignote.config", flags="floatX=float128")
    assert r.returncode != 0
    assert "floatX" in r.stderr and "float128" in r.stderr


def test_flags_env_typo_warns_at_import():
    r = run_py("import arignote.config", flags="floatx=float32")
    assert r.returncode == 0, r.stderr
    assert "floatx" in r.stderr and "floatX" in r.stderr


def test_flags_env_unknown_flag_warns_once_plugins_loaded():
    r = run_py(
        """
        import warnings
        from arignote.config import config
        from arignote import plugin_manager
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            plugin_manager.get_plugin_manager()
        print([str(x.message) for x in w if 'no_such_flag' in str(x.message)])
        """,
        flags="no_such_flag=3",
    )
    assert r.returncode == 0, r.stderr
    assert "unknown flag 'no_such_flag'" in r.stdout


def test_pending_flag_applied_on_registration():
    cfg = Config("late_flag=7,late_bool=false")
    assert cfg.unknown_flags() == {"late_flag": "7", "late_bool": "false"}
    cfg.register_flag("late_flag", 1, doc="registered later")
    cfg.register_flag("late_bool", True)
    assert cfg.late_flag == 7 and cfg.late_bool is False
    assert cfg.unknown_flags() == {}


def test_register_flag_validator_and_choices():
    cfg = Config("")
    cfg.register_flag("level", 1, lambda v: v if 0 <= v <= 3 else (_ for _ in ()).throw(ValueError("0..3")))
    cfg.register_flag("kind", "a", ("a", "b"))
    cfg.level = "2"
    assert cfg.level == 2
    with pytest.raises(ValueError, match="level"):
        cfg.level = 9
    with pytest.raises(ValueError, match="kind"):
        cfg.kind = "c"
    with pytest.raises(ValueError, match="already registered"):
        cfg.register_flag("kind", "a")


def test_bad_floatx():
    before = config.floatX
    with pytest.raises(ValueError, match="floatX"):
        config.floatX = "float128"
    assert config.floatX == before
    with pytest.raises(ValueError):
        Config("floatX=int32")


def test_bools_parse_from_strings():
    cfg = Config("")
    for text, value in [("True", True), ("1", True), ("yes", True), ("false", False), ("0", False), ("OFF", False)]:
        cfg.debug = text
        assert cfg.debug is value
    with pytest.raises(ValueError, match="debug"):
        cfg.debug = "maybe"


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no_such_thing"):
        config.no_such_thing = 1
    with pytest.raises(AttributeError, match="no_such_thing"):
        config.no_such_thing
    with pytest.raises(AttributeError, match="floatX"):  # suggestion
        config.floatx


def test_change_flags_context_restores_on_exception():
    before = (config.floatX, config.debug)
    with pytest.raises(KeyError):
        with config.change_flags(floatX="float16", debug=not before[1]):
            assert (config.floatX, config.debug) == ("float16", not before[1])
            raise KeyError("boom")
    assert (config.floatX, config.debug) == before


def test_change_flags_nested_and_dict_form():
    before = config.floatX
    with config.change_flags({"floatX": "float32"}):
        with config.change_flags(floatX="float16"):
            assert config.floatX == "float16"
        assert config.floatX == "float32"
    assert config.floatX == before


def test_change_flags_validates_before_changing():
    before = dict(config.items())
    with pytest.raises(ValueError):
        config.change_flags(debug=True, floatX="nope")
    with pytest.raises(AttributeError, match="nope"):
        config.change_flags(nope=1)
    assert dict(config.items()) == before


def test_change_flags_decorator():
    before = config.mode

    @config.change_flags(mode="FAST_COMPILE")
    def f(fail):
        assert config.mode == "FAST_COMPILE"
        if fail:
            raise RuntimeError
        return config.mode

    assert f(False) == "FAST_COMPILE"
    with pytest.raises(RuntimeError):
        f(True)
    assert config.mode == before


def test_str_lists_flags():
    text = str(config)
    for name, value in config.items():
        assert name in text and repr(value) in text


def test_bad_entry_in_flags_string_warns():
    with pytest.warns(ConfigWarning, match="nonsense"):
        Config("nonsense")


@pytest.mark.parametrize("name", ["FAST_RUN", "fast_compile", "Mode", "DebugMode", "DEBUG_MODE", "NanGuardMode",
                                  "NO_REWRITES", "PY", "CHECK", "NANGUARD"])
def test_mode_flag_takes_theanos_mode_names_in_any_case(name):
    from arignote import function
    from arignote import tensor as T

    x = T.dscalar("x")
    with config.change_flags(mode=name):
        assert config.mode == name
        assert function([x], x * 2)(3.0) == 6.0


def test_mode_flag_rejects_unknown_names():
    with pytest.raises(ValueError, match="flag 'mode'.*DebugMode.*got 'FAST_WALK'"):
        config.mode = "FAST_WALK"
