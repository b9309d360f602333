"""Hook specifications of arignote's plugin system, and the records they return.

A plugin is a module (or any object) with functions decorated with
``hookimpl`` whose names are the hook names below.  It is found through the
entry-point group ``arignote`` (see :mod:`arignote.plugin_manager`)::

    # pyproject.toml of a third-party package
    [project.entry-points.arignote]
    mybackend = "mypkg.arignote_plugin"

    # mypkg/arignote_plugin.py
    from arignote.hookspecs import hookimpl, BackendRecord

    @hookimpl
    def arignote_register_backends():
        return [BackendRecord("mine", factory=MyBackend, priority=5)]

Every hook takes no argument and returns a list of records (a single record
or None are accepted too).  Two records of one kind with the same name are an
error naming both plugins.

This module imports nothing else from arignote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pluggy

__all__ = [
    "PROJECT_NAME",
    "hookspec",
    "hookimpl",
    "BackendRecord",
    "OpRecord",
    "RewriteRecord",
    "SamplerRecord",
    "DistributionRecord",
    "RenderingRecord",
    "LoweringRecord",
]

PROJECT_NAME = "arignote"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# -- records ----------------------------------------------------------------


def _always_available() -> tuple[bool, str]:
    return True, ""


def _check_name(kind: str, name: Any) -> None:
    if not isinstance(name, str) or not name:
        raise TypeError(f"{kind}.name must be a non-empty string, got {name!r}")


def check_tags(owner: str, tags: Any, what: str = "tags") -> tuple[str, ...]:
    """``tags`` as a tuple of names, checked: one string is one tag (never its letters, as
    ``tags=("x")`` would otherwise give), and each tag is a non-empty string without ``:``
    (``config.optimizer_excluding`` separates names with ``:``)."""
    if isinstance(tags, str):
        tags = (tags,)
    try:
        tags = tuple(tags)
    except TypeError:
        raise TypeError(f"{owner}: {what} must be a string or a sequence of strings, got {tags!r}") from None
    for t in tags:
        if not isinstance(t, str) or not t or ":" in t:
            raise ValueError(f"{owner}: each of {what} must be a non-empty string without ':', got {t!r} in {tags!r}")
    return tags


@dataclass(frozen=True)
class BackendRecord:
    """A backend.

    ``factory()`` returns the backend object, which has a method
    ``compile(fgraph, **opts)`` returning a callable, and optionally
    ``fallback_nodes(fgraph)``: the nodes it would run through their NumPy
    ``perform`` (the conformance report counts native and fallback cases), ``native_entry(fgraph)``:
    a C-callable entry of the whole graph (see ``arignote.native_entry``; a backend whose entry
    needs the graph compiled first sets ``native_entry_after_compile = True``), and ``storage``: a
    ``arignote.storage.DeviceStorage`` when it keeps values on a device (then ``function`` calls
    ``compile(fgraph, device_io=True)``, whose callable takes and returns device arrays, and keeps
    shared values there; see core/storage.py).  ``available()`` returns
    ``(ok, reason)``, e.g. ``(False, "cupy is not installed")``; it should be
    cheap and must not raise.  Among the available backends, ``auto`` picks
    the one with the highest ``priority``.
    """

    name: str
    factory: Callable[[], Any]
    available: Callable[[], tuple[bool, str]] = _always_available
    priority: int = 0
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("BackendRecord", self.name)
        if not callable(self.factory):
            raise TypeError(f"BackendRecord {self.name!r}: factory must be callable")
        if not callable(self.available):
            raise TypeError(f"BackendRecord {self.name!r}: available must be callable")


@dataclass(frozen=True)
class OpRecord:
    """An op (or a factory of ops) made known to arignote, with optional
    conformance ``cases`` (whatever the conformance suite consumes)."""

    name: str
    op_or_factory: Any
    cases: Any = None

    def __post_init__(self) -> None:
        _check_name("OpRecord", self.name)


@dataclass(frozen=True)
class RewriteRecord:
    """A rewrite rule for the phase ``phase`` (e.g. 'canonicalize'),
    optionally at ``position`` within it, with ``tags`` for including and
    excluding it."""

    name: str
    rewrite: Any
    phase: str
    position: float | None = None
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_name("RewriteRecord", self.name)
        object.__setattr__(self, "tags", check_tags(f"RewriteRecord {self.name!r}", self.tags))


@dataclass(frozen=True)
class SamplerRecord:
    """A step method / sampler; ``capabilities`` such as 'continuous',
    'discrete', 'gradient'."""

    name: str
    factory: Callable[..., Any]
    capabilities: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_name("SamplerRecord", self.name)
        object.__setattr__(self, "capabilities",
                           check_tags(f"SamplerRecord {self.name!r}", self.capabilities, "capabilities"))


@dataclass(frozen=True)
class DistributionRecord:
    """A probability distribution class or factory."""

    name: str
    factory: Callable[..., Any]

    def __post_init__(self) -> None:
        _check_name("DistributionRecord", self.name)


@dataclass(frozen=True)
class RenderingRecord:
    """How backend ``backend`` renders the scalar op named ``op``: ``template`` is one template
    or ``{input dtype kind: template}``, in that backend's own format (C expression templates,
    LLVM recipe names, ...).  Its record name is ``'backend:op'``."""

    backend: str
    op: str
    template: Any
    name: str = field(init=False)

    def __post_init__(self) -> None:
        _check_name("RenderingRecord.backend", self.backend)
        _check_name("RenderingRecord.op", self.op)
        object.__setattr__(self, "name", f"{self.backend}:{self.op}")


@dataclass(frozen=True)
class LoweringRecord:
    """How the compiled backends' shared lowering turns a node whose op is an ``op_type``
    into a step: ``lower(op, node, target)`` returns a step, or None for the op's NumPy
    ``perform``.  Its record name is the op class's qualified name."""

    op_type: type
    lower: Callable[..., Any]
    name: str = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.op_type, type):
            raise TypeError(f"LoweringRecord.op_type must be a class, got {self.op_type!r}")
        if not callable(self.lower):
            raise TypeError(f"LoweringRecord for {self.op_type.__name__}: lower must be callable")
        object.__setattr__(self, "name", f"{self.op_type.__module__}.{self.op_type.__qualname__}")


# -- hook specs -------------------------------------------------------------


@hookspec
def arignote_register_backends() -> list[BackendRecord]:
    """Return the backends this plugin provides."""


@hookspec
def arignote_register_ops() -> list[OpRecord]:
    """Return the ops this plugin provides."""


@hookspec
def arignote_register_rewrites() -> list[RewriteRecord]:
    """Return the rewrite rules this plugin provides."""


@hookspec
def arignote_register_samplers() -> list[SamplerRecord]:
    """Return the samplers this plugin provides."""


@hookspec
def arignote_register_distributions() -> list[DistributionRecord]:
    """Return the distributions this plugin provides."""


@hookspec
def arignote_register_renderings() -> list[RenderingRecord]:
    """Return the scalar-op renderings this plugin provides (for its own backend, or for
    its own scalar ops on a built-in backend)."""


@hookspec
def arignote_register_lowerings() -> list[LoweringRecord]:
    """Return how the shared lowering turns nodes of this plugin's op classes into steps."""


#: hook name -> record type, used by arignote.plugin_manager to check what plugins return.
RECORD_TYPES: dict[str, type] = {
    "arignote_register_backends": BackendRecord,
    "arignote_register_ops": OpRecord,
    "arignote_register_rewrites": RewriteRecord,
    "arignote_register_samplers": SamplerRecord,
    "arignote_register_distributions": DistributionRecord,
    "arignote_register_renderings": RenderingRecord,
    "arignote_register_lowerings": LoweringRecord,
}
