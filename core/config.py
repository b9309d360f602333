"""arignote's configuration flags.

One module-level object, ``config``, holds every flag::

    from arignote.config import config
    config.floatX                      # 'float64'
    config.floatX = 'float32'          # validated: ValueError on a bad value
    with config.change_flags(floatX='float32', debug=True):
        ...                            # restored on exit, even on exception

Values are read once, at import, from the environment variable
``ARIGNOTE_FLAGS`` -- a comma separated list of ``name=value`` pairs, e.g.
``ARIGNOTE_FLAGS=backend=c,floatX=float32,debug=True``.

Other parts of arignote (a backend, say) add their own flags with
``config.register_flag(name, default, validator=None, doc='')``.  A value
given in ``ARIGNOTE_FLAGS`` for a flag that is not registered yet is kept
pending and applied when the flag is registered (backends register theirs when
their plugin loads, before the check for unknown names below).  A pending name that looks
like a typo of a registered flag (same name up to case) is reported at once;
any other pending name that is still unregistered once the plugins have been
loaded (:func:`arignote.plugin_manager.get_plugin_manager` calls
``config.warn_unknown_flags()``) is reported then, with a warning naming it.

This module imports nothing else from arignote.
"""

from __future__ import annotations

import difflib
import functools
import os
import platform
import sys
import threading
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from .errors import ConfigWarning  # noqa: F401
from .forksafe import after_fork

__all__ = ["Config", "config", "ConfigWarning", "parse_bool", "choices"]

FLAGS_ENV = "ARIGNOTE_FLAGS"
COMPILEDIR_ENV = "ARIGNOTE_COMPILEDIR"

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f", ""})


def parse_bool(value: Any) -> bool:
    """Parse a boolean from a bool, an int 0/1 or a string such as
    'True', '1', 'false', 'yes', 'off' (case-insensitive)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
    raise ValueError(f"cannot interpret {value!r} as a boolean (use True/False, 1/0, yes/no, on/off)")


def choices(*allowed: Any) -> Callable[[Any], Any]:
    """A validator that accepts exactly the given values."""

    def validate(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(map(repr, allowed))}, got {value!r}")
        return value

    validate.allowed = allowed  # type: ignore[attr-defined]
    return validate


_MODE_NAMES = ("FAST_RUN", "FAST_COMPILE", "NO_REWRITES", "PY", "MODE", "CHECK", "DEBUGMODE", "DEBUG_MODE",
               "NANGUARD", "NANGUARDMODE")


def _mode_name(value: Any) -> Any:
    """Theano's mode names in any case ('FAST_RUN', 'Mode', 'DebugMode', 'NanGuardMode', ...)."""
    if str(value).upper() not in _MODE_NAMES:
        raise ValueError(f"must be one of FAST_RUN, FAST_COMPILE, Mode, DebugMode, NanGuardMode, NO_REWRITES, PY, "
                         f"CHECK, NANGUARD (any case), got {value!r}")
    return value


_mode_name.allowed = _MODE_NAMES  # type: ignore[attr-defined]


def _coerce(default: Any, value: Any) -> Any:
    """Convert ``value`` (often a string from the environment) to the type of
    ``default``: bool, int, float or str.  Other defaults leave it alone."""
    if isinstance(default, bool):
        return parse_bool(value)
    if isinstance(default, int):
        if isinstance(value, bool):
            raise ValueError(f"expected an integer, got {value!r}")
        if isinstance(value, str):
            return int(value.strip(), 0)
        if isinstance(value, int):
            return value
        raise ValueError(f"expected an integer, got {value!r}")
    if isinstance(default, float):
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return float(value)
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        return value
    return value


class _Flag:
    __slots__ = ("name", "default", "validator", "doc")

    def __init__(self, name: str, default: Any, validator: Callable[[Any], Any] | None, doc: str):
        self.name = name
        self.default = default
        self.validator = validator
        self.doc = doc

    def convert(self, value: Any) -> Any:
        try:
            value = _coerce(self.default, value)
            if self.validator is not None:
                out = self.validator(value)
                if out is not None:
                    value = out
        except (ValueError, TypeError) as e:
            raise ValueError(f"invalid value {value!r} for arignote flag '{self.name}': {e}") from None
        return value


def _default_compiledir() -> str:
    env = os.environ.get(COMPILEDIR_ENV)
    if env:
        return os.path.abspath(os.path.expanduser(env))
    tag = f"compiledir_{platform.machine() or 'unknown'}-py{sys.version_info[0]}{sys.version_info[1]}"
    return os.path.join(os.path.expanduser("~"), ".cache", "arignote", tag)


def _path(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return os.path.abspath(os.path.expanduser(value.strip()))


def _parse_flags_string(text: str) -> list[tuple[str, str]]:
    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            warnings.warn(
                f"{FLAGS_ENV}: ignoring '{item}': expected name=value",
                ConfigWarning,
                stacklevel=3,
            )
            continue
        name, value = item.split("=", 1)
        out.append((name.strip(), value.strip()))
    return out


class _ChangeFlags:
    """Context manager and decorator returned by :meth:`Config.change_flags`."""

    def __init__(self, cfg: Config, changes: dict[str, Any]):
        self._cfg = cfg
        # Validate everything up front: nothing changes if any value is bad.
        self._new = {name: cfg._flag(name).convert(v) for name, v in changes.items()}
        self._saved: list[dict[str, Any]] = []

    def __enter__(self) -> Config:
        values = self._cfg._values
        self._saved.append({name: values[name] for name in self._new})
        values.update(self._new)
        return self._cfg

    def __exit__(self, *exc: object) -> None:
        self._cfg._values.update(self._saved.pop())

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return wrapper


class FlagSection:
    """A group of free-form sub-flags (Theano's ``config.warn.subtensor_merge_bug = False``)."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return False  # Theano's warn.* switches: off unless set

    def __repr__(self):
        items = {k: v for k, v in self.__dict__.items() if k != "_name"}
        return f"<config.{self._name} {items}>"


def _section(value):
    if not isinstance(value, FlagSection):
        raise TypeError("set its attributes instead (e.g. config.warn.subtensor_merge_bug = False)")
    return value


class Config:
    """A set of named, validated flags.  See the module docstring."""

    def __init__(self, flags_string: str | None = None):
        object.__setattr__(self, "_flags", {})  # name -> _Flag, in registration order
        object.__setattr__(self, "_values", {})  # name -> current value
        object.__setattr__(self, "_pending", {})  # name -> raw string from ARIGNOTE_FLAGS
        object.__setattr__(self, "_lock", threading.RLock())
        object.__setattr__(self, "_warned", set())  # pending names already warned about

        self.register_flag(
            "floatX", "float64", choices("float64", "float32", "float16"),
            "dtype of floating-point variables and constants created without an explicit dtype",
        )
        self.register_flag(
            "backend", "auto", _backend_name,
            "backend that function() compiles for: 'auto' (fastest available), 'py', 'c', 'llvm', 'cuda', ...",
        )
        self.register_flag(
            "compiledir", _default_compiledir(), _path,
            f"directory of the on-disk cache of compiled code (env {COMPILEDIR_ENV} sets the default)",
        )
        self.register_flag("debug", False, None, "extra checks and messages (e.g. which nodes fall back to NumPy)")
        self.register_flag(
            "mode", "FAST_RUN", _mode_name,
            "FAST_RUN: all rewrites; FAST_COMPILE: only the cheap ones; also Mode, DebugMode (CHECK), "
            "NanGuardMode (NANGUARD), NO_REWRITES, PY (any case)",
        )
        self.register_flag(
            "optimizer_excluding", "", None,
            "colon separated names or tags of rewrite rules to leave out",
        )
        self.register_flag("optimizer_verbose", False, None, "print each rewrite as it is applied")
        self.register_flag("warn", FlagSection("warn"), _section,
                           "Theano's config.warn.* switches (e.g. subtensor_merge_bug): accepted, no effect")

        if flags_string is None:
            flags_string = os.environ.get(FLAGS_ENV, "")
        self._load_flags_string(flags_string)

    # -- registration -----------------------------------------------------

    def register_flag(
        self,
        name: str,
        default: Any,
        validator: Callable[[Any], Any] | Iterable[Any] | None = None,
        doc: str = "",
    ) -> None:
        """Add a flag.

        ``validator`` is either a callable or a collection of allowed values.
        A callable receives the value, already converted to the type of
        ``default`` when that is a bool/int/float/str (strings from the
        environment are parsed); it returns the value to store (None keeps
        the value as is) or raises ValueError/TypeError.

        If ``ARIGNOTE_FLAGS`` gave a value for ``name``, that value is applied
        now; a bad one is reported with a ConfigWarning naming the flag and
        its allowed values, and the default is kept (the flags of arignote's
        core, known at import, raise ValueError instead).
        """
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"invalid flag name {name!r}")
        if validator is not None and not callable(validator):
            validator = choices(*validator)
        with self._lock:
            if name in self._flags:
                raise ValueError(f"arignote flag '{name}' is already registered")
            if hasattr(type(self), name):
                raise ValueError(f"'{name}' cannot be a flag name: it is a Config attribute")
            flag = _Flag(name, default, validator, doc)
            value = flag.convert(default)
            if name in self._pending:
                raw = self._pending.pop(name)
                try:
                    value = flag.convert(raw)
                except ValueError as e:  # a plugin's flag: its loading must not fail over it
                    warnings.warn(f"{FLAGS_ENV}: {e}; the default {value!r} is used instead", ConfigWarning,
                                  stacklevel=3)
            self._flags[name] = flag
            self._values[name] = value

    def _flag(self, name: str) -> _Flag:
        try:
            return self._flags[name]
        except KeyError:
            raise AttributeError(self._unknown_message(name)) from None

    def _unknown_message(self, name: str) -> str:
        msg = f"arignote.config has no flag '{name}'"
        close = difflib.get_close_matches(name, list(self._flags), n=1)
        if not close:
            close = [f for f in self._flags if f.lower() == name.lower()]
        if close:
            msg += f" (did you mean '{close[0]}'?)"
        return msg

    def _load_flags_string(self, text: str) -> None:
        for name, value in _parse_flags_string(text):
            if name in self._flags:
                try:
                    self._values[name] = self._flags[name].convert(value)
                except ValueError as e:
                    raise ValueError(f"{FLAGS_ENV}: {e}") from None
            else:
                self._pending[name] = value
                if any(f.lower() == name.lower() for f in self._flags):
                    # An obvious typo of a known flag: say so at once (and only once).
                    self._warned.add(name)
                    warnings.warn(f"{FLAGS_ENV}: {self._unknown_message(name)}", ConfigWarning, stacklevel=3)

    def unknown_flags(self) -> dict[str, str]:
        """Names (and raw values) from ``ARIGNOTE_FLAGS`` that no part of
        arignote has registered (yet)."""
        return dict(self._pending)

    def warn_unknown_flags(self) -> list[str]:
        """Warn, once per name, about ``ARIGNOTE_FLAGS`` entries that are still
        unregistered; returns their names."""
        with self._lock:
            names = [n for n in self._pending if n not in self._warned]
            for name in names:
                self._warned.add(name)
                warnings.warn(
                    f"{FLAGS_ENV}: unknown flag '{name}' ignored ({self._unknown_message(name)})",
                    ConfigWarning,
                    stacklevel=2,
                )
            return names

    # -- access -----------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Only called when normal attribute lookup fails, i.e. for flags.
        values = object.__getattribute__(self, "_values")
        try:
            return values[name]
        except KeyError:
            raise AttributeError(self._unknown_message(name)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        flag = self._flag(name)
        self._values[name] = flag.convert(value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"arignote config flags cannot be deleted ('{name}')")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._flags))

    def __contains__(self, name: str) -> bool:
        return name in self._flags

    def items(self) -> list[tuple[str, Any]]:
        """(name, value) for every flag, in registration order."""
        return [(name, self._values[name]) for name in self._flags]

    def default(self, name: str) -> Any:
        return self._flag(name).default

    def doc(self, name: str) -> str:
        return self._flag(name).doc

    def change_flags(self, args: dict[str, Any] | None = None, /, **kwargs: Any) -> _ChangeFlags:
        """Set flags temporarily; usable as ``with config.change_flags(...)``
        and as a decorator.  Values are validated before any is changed and
        the old ones are restored on exit, also on exception."""
        changes = dict(args or {})
        changes.update(kwargs)
        return _ChangeFlags(self, changes)

    def __str__(self) -> str:
        width = max(map(len, self._flags), default=0)
        lines = []
        for name, value in self.items():
            doc = self._flags[name].doc
            lines.append(f"{name:<{width}} = {value!r}" + (f"    # {doc}" if doc else ""))
        for name, value in self._pending.items():
            lines.append(f"{name:<{width}} = {value!r}    # from {FLAGS_ENV}, not registered")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<arignote Config: {', '.join(f'{n}={v!r}' for n, v in self.items())}>"


def _backend_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


#: The configuration of this process.
config = Config()


@after_fork
def _fresh_lock_after_fork():
    """A fork child starts with a new lock: the parent's may have been held by another thread."""
    object.__setattr__(config, "_lock", threading.RLock())

change_flags = config.change_flags
