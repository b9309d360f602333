"""The ``arignote`` command line.

    arignote info           versions, config flags, backends, plugins
    arignote cache info     where the compile cache is, its size
    arignote cache clear    empty the compile cache
    arignote conformance    check backends against the NumPy reference (see --help)

Exit status: 0 on success, 1 when something failed, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import sys
from typing import Any, Callable

CACHE_MODULE = "arignote.backends.c.cache"


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
    return status


# -- cache ------------------------------------------------------------------


def _cache_module() -> Any | None:
    """The C backend's cache module if it exists, else None."""
    try:
        return importlib.import_module(CACHE_MODULE)
    except ModuleNotFoundError as e:
        if e.name and CACHE_MODULE.startswith(e.name):
            return None
        raise


def _cache_function(name: str) -> Callable[[], Any] | None:
    try:
        mod = _cache_module()
    except Exception as e:
        print(f"note: {CACHE_MODULE} could not be imported ({type(e).__name__}: {e}); using the plain directory")
        return None
    func = getattr(mod, name, None) if mod is not None else None
    return func if callable(func) else None


def _compiledir() -> str:
    from arignote.config import config

    return config.compiledir


def _dir_stats(path: str) -> tuple[int, int]:
    size = count = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(root, f))
            except OSError:
                continue
            size += st.st_size
            count += 1
    return size, count


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


def _print_result(result: Any) -> None:
    if result is None:
        return
    if isinstance(result, dict):
        for k, v in result.items():
            print(f"{k}: {v}")
    else:
        print(result)


def cmd_cache_info(args: argparse.Namespace) -> int:
    func = _cache_function("info")
    if func is not None:
        _print_result(func())
        return 0
    path = _compiledir()
    print(f"compiledir: {path}")
    if not os.path.isdir(path):
        print("(does not exist)")
        return 0
    size, count = _dir_stats(path)
    print(f"size: {_human(size)} ({size} bytes)")
    print(f"files: {count}")
    return 0


def _unsafe_to_clear(path: str) -> str | None:
    real = os.path.realpath(path)
    home = os.path.realpath(os.path.expanduser("~"))
    if real in (os.path.realpath(os.sep), home) or os.path.dirname(real) == real:
        return f"refusing to clear {path!r}: it is the root or home directory"
    return None


def clear_compiledir(path: str) -> tuple[int, int]:
    """Remove everything inside ``path`` (not ``path`` itself); symbolic links
    are removed, never followed.  Returns (files removed, bytes freed)."""
    removed = freed = 0
    for entry in os.scandir(path):
        full = entry.path
        if entry.is_dir(follow_symlinks=False):
            size, count = _dir_stats(full)
            shutil.rmtree(full, ignore_errors=True)
            removed += count
            freed += size
        else:
            try:
                freed += entry.stat(follow_symlinks=False).st_size
                os.unlink(full)
                removed += 1
            except OSError:
                pass
    return removed, freed


def cmd_cache_clear(args: argparse.Namespace) -> int:
    func = _cache_function("clear")
    if func is not None:
        _print_result(func())
        return 0
    path = _compiledir()
    if not os.path.isdir(path):
        print(f"compiledir {path} does not exist: nothing to clear")
        return 0
    problem = _unsafe_to_clear(path)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    removed, freed = clear_compiledir(path)
    print(f"cleared {path}: removed {removed} files, {_human(freed)}")
    return 0


# -- entry point ------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="arignote", description="arignote, a symbolic tensor compiler")
    p.add_argument("--version", action="version", version=f"arignote {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    info = sub.add_parser("info", help="versions, config flags, backends and plugins")
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
