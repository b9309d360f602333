"""Modes: which rewrites run before a graph goes to its backend.

Rewrites are not known to core by name: they arrive as records through the
plugin manager (``arignote_register_rewrites``), grouped by phase.
"""
from __future__ import annotations

PHASES = ("merge", "canonicalize", "stabilize", "specialize", "fusion", "cleanup")
FAST_COMPILE_TAGS = ("fast_compile",)


class Mode:
    """A rewrite selection plus an optional backend.

    ``including``/``excluding`` name rules or tags; ``optimizer`` is
    'fast_run' (all phases), 'fast_compile' (rules tagged fast_compile) or None.
    """

    def __init__(self, linker=None, optimizer="fast_run", backend=None, including=(), excluding=()):
        if optimizer in ("default", "fast_run", "o4", "FAST_RUN"):
            optimizer = "fast_run"
        elif optimizer in ("fast_compile", "o1", "FAST_COMPILE"):
            optimizer = "fast_compile"
        elif optimizer in (None, "None", "unsafe"):
            optimizer = None
        else:
            raise ValueError(f"unknown optimizer {optimizer!r}: use 'fast_run', 'fast_compile' or None")
        self.optimizer = optimizer
        # Theano's linker names: 'py' is the reference; 'c', 'cvm', 'vm', 'c|py' mean "the default"
        self.backend = backend or (linker if linker in ("py", "c", "llvm", "cuda", "auto") else None)
        self.included = tuple(including)
        self.excluded = tuple(excluding)

    def including(self, *names):
        """A copy of this mode that also runs the named rules/tags."""
        return Mode(None, self.optimizer, self.backend, self.included + names, self.excluded)

    def excluding(self, *names):
        """A copy of this mode that skips the named rules/tags."""
        return Mode(None, self.optimizer, self.backend, self.included, self.excluded + names)

    def selected(self, skip_phases=()):
        """The rewrite records this mode runs, in phase order."""
        from . import plugin_manager as plugins
        from .config import config

        if self.optimizer is None:
            return []
        excl = set(self.excluded) | {e for e in str(getattr(config, "optimizer_excluding", "") or "").split(":") if e}
        incl = set(self.included)
        recs = []
        for rec in plugins.rewrites().values():
            if rec.phase in skip_phases:
                continue
            names = {rec.name, *rec.tags}
            if names & excl:
                continue
            if self.optimizer == "fast_compile" and not (set(rec.tags) & set(FAST_COMPILE_TAGS)) and not (names & incl):
                continue
            recs.append(rec)
        order = {p: i for i, p in enumerate(PHASES)}
        recs.sort(key=lambda r: (order.get(r.phase, len(PHASES)), r.position if r.position is not None else 0, r.name))
        return recs

    def optimize(self, fgraph, skip_phases=()):
        for rec in self.selected(skip_phases):
            rec.rewrite(fgraph, self)
        return fgraph

    def __repr__(self):
        return f"Mode(optimizer={self.optimizer!r}, backend={self.backend!r}, excluding={self.excluded})"


_NAMED = {
    "FAST_RUN": lambda: Mode(optimizer="fast_run"),
    "FAST_COMPILE": lambda: Mode(optimizer="fast_compile"),
    "NO_REWRITES": lambda: Mode(optimizer=None),
    "PY": lambda: Mode(optimizer="fast_run", backend="py"),
}


def _debug_mode(cls_name):
    from . import debugmode

    return getattr(debugmode, cls_name)()


_NAMED.update({
    "CHECK": lambda: _debug_mode("DebugMode"),
    "DEBUGMODE": lambda: _debug_mode("DebugMode"),
    "NANGUARD": lambda: _debug_mode("NanGuardMode"),
    "NANGUARDMODE": lambda: _debug_mode("NanGuardMode"),
})


def get_mode(mode):
    """A Mode from None (config.mode), a name or a Mode."""
    if isinstance(mode, Mode):
        return mode
    if mode is None:
        from .config import config

        mode = getattr(config, "mode", "FAST_RUN")
    key = str(mode).upper()
    if key in _NAMED:
        return _NAMED[key]()
    if hasattr(mode, "optimize"):
        return mode
    raise ValueError(f"unknown mode {mode!r}; known modes: {', '.join(_NAMED)} or a Mode(...) instance")
