"""The ``arignote`` command line.

    arignote info           versions, config flags, backends, plugins (--fallbacks: ops without
                            a native lowering, per backend)
    arignote cache info     where the compile cache is, its size
    arignote cache clear    empty the compile cache
    arignote conformance    check backends against the NumPy reference (see --help)

Exit status: 0 on success, 1 when something failed, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Any


def _version() -> str:
    try:
        import arignote

        v = getattr(arignote, "__version__", None)
        if v:
            return str(v)
    except Exception:
        pass
    try:
        import importlib.metadata

        return importlib.metadata.version("arignote")
    except Exception:
        return "unknown"


def _section(title: str) -> None:
    print(f"\n{title}:")


def cmd_info(args: argparse.Namespace) -> int:
    status = 0
    print(f"arignote {_version()}")
    print(f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.executable})")
    try:
        import numpy

        print(f"NumPy {numpy.__version__}")
    except Exception as e:  # pragma: no cover - numpy is a dependency
        print(f"NumPy: not importable ({e})")
    print(f"platform {platform.platform()} ({platform.machine()})")

    from arignote import plugin_manager as pm
    from arignote.config import config

    _section("config (set with ARIGNOTE_FLAGS=name=value,...)")
    for name, value in config.items():
        print(f"  {name} = {value!r}")
    for name, value in config.unknown_flags().items():
        print(f"  {name} = {value!r}   (unknown flag, ignored)")

    _section("backends")
    try:
        rows = pm.backend_status()
        records = pm.backends()
        if not rows:
            print("  (none registered)")
        width = max((len(r[0]) for r in rows), default=0)
        for name, ok, reason, prio in rows:
            state = "available" if ok else "unavailable"
            line = f"  {name:<{width}}  {state:<11}  priority {prio}"
            desc = records[name].description
            if desc:
                line += f"  {desc}"
            if reason:
                line += f"  ({reason})" if ok else f"  -- {reason}"
            print(line)
        try:
            print(f"  auto -> {pm.resolve_backend_name('auto')}")
        except RuntimeError as e:
            print(f"  auto -> none: {e}")
            status = 1
        if config.backend != "auto":
            print(f"  config.backend = {config.backend!r}")
    except Exception as e:
        print(f"  error: {type(e).__name__}: {e}")
        status = 1

    _section("plugins")
    try:
        names = pm.plugin_names()
        if not names:
            print("  (none)")
        for name, origin in names:
            print(f"  {name}  ({origin})")
        for name, err in pm.plugin_failures():
            print(f"  {name}  FAILED: {err}")
        if pm._env_true(pm.DISABLE_AUTOLOAD_ENV):
            print(f"  ({pm.DISABLE_AUTOLOAD_ENV} is set: third-party plugins were not loaded)")
    except Exception as e:
        print(f"  error: {type(e).__name__}: {e}")
        status = 1
    if getattr(args, "fallbacks", False):
        status = max(status, _print_fallbacks(pm))
    return status


def _print_fallbacks(pm) -> int:
    from arignote.debug import unlowered_ops, unrendered_scalar_forms

    _section("ops without a native lowering (they run their NumPy perform through Python)")
    for name, ok, _, _ in pm.backend_status():
        if not ok:
            continue
        try:
            ops = unlowered_ops(name)
        except Exception as e:
            print(f"  {name}: error: {type(e).__name__}: {e}")
            return 1
        print(f"  {name} ({len(ops)}): {', '.join(ops) or 'none'}")
    _section("elementwise forms without a native rendering (op[input kind]; they run their NumPy perform)")
    for name, ok, _, _ in pm.backend_status():
        if ok and getattr(pm.get_backend(name), "fallback_nodes", None) is not None:
            forms = unrendered_scalar_forms(name)
            print(f"  {name} ({len(forms)}): {', '.join(forms) or 'none'}")
    return 0


# -- cache ------------------------------------------------------------------


def _print_result(result: Any) -> None:
    if isinstance(result, dict):
        for k, v in result.items():
            print(f"{k}: {v}")
    else:
        print(result)


def cmd_cache_info(args: argparse.Namespace) -> int:
    from arignote import compiledir

    _print_result(compiledir.info())
    return 0


def cmd_cache_clear(args: argparse.Namespace) -> int:
    from arignote import compiledir

    try:
        _print_result(compiledir.clear())
    except (compiledir.CacheError, OSError) as e:  # one line, no traceback
        print(f"arignote cache clear: {e}", file=sys.stderr)
        return 1
    return 0


# -- entry point ------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="arignote", description="arignote, a symbolic tensor compiler")
    p.add_argument("--version", action="version", version=f"arignote {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    info = sub.add_parser("info", help="versions, config flags, backends and plugins")
    info.add_argument("--fallbacks", action="store_true",
                      help="also list, per available backend, the ops that run through their NumPy perform")
    info.set_defaults(func=cmd_info)
    cache = sub.add_parser("cache", help="the on-disk cache of compiled code")
    csub = cache.add_subparsers(dest="cache_command", metavar="ACTION")
    csub.add_parser("info", help="where the cache is and how big").set_defaults(func=cmd_cache_info)
    csub.add_parser("clear", help="remove the cached files").set_defaults(func=cmd_cache_clear)
    cache.set_defaults(func=None, parser=cache)
    from arignote.conformance.command import add_parser as add_conformance

    add_conformance(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        (getattr(args, "parser", None) or parser).print_usage(sys.stderr)
        print("error: a command is required", file=sys.stderr)
        return 2
    return func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
