"""Modes: which rewrites run before a graph goes to its backend.

Rewrites are not known to core by name: they arrive as records through the
plugin manager (``arignote_register_rewrites``), grouped by phase.
"""
from __future__ import annotations

PHASES = ("merge", "canonicalize", "stabilize", "specialize", "fusion", "cleanup")
FAST_COMPILE = "fast_compile"  # the tag of the rewrites the fast-compile optimizer keeps
_OPTIMIZERS = {"default": "fast_run", "fast_run": "fast_run", "o4": "fast_run", "FAST_RUN": "fast_run",
               "fast_compile": "fast_compile", "o1": "fast_compile", "FAST_COMPILE": "fast_compile",
               None: None, "None": None, "unsafe": None}
# Theano's linker names: 'py' is the reference backend; the C-backed ones mean "the configured backend"
_LINKERS = ("cvm", "vm", "c|py", "c|py_nogc", "cvm_nogc", "vm_nogc", "c&py", "py", "c", "llvm", "cuda", "auto")


def _optimizer_flag(value):
    if value not in _OPTIMIZERS:
        raise ValueError(f"must be one of 'fast_run', 'fast_compile', 'None', got {value!r}")
    return value


def _linker_flag(value):
    if value not in _LINKERS:
        raise ValueError(f"must be one of {', '.join(map(repr, _LINKERS))}, got {value!r}")
    return value


def _device_flag(value):
    if not str(value).startswith(("cpu", "cuda", "gpu")):
        raise ValueError(f"must be 'cpu', 'cuda' or 'cudaN' (as Theano's flag), got {value!r}")
    return value


def _register_flags():
    from .config import config

    for name, default, check, doc in (
        ("linker", "cvm", _linker_flag,
         "Theano's linker flag, used by Mode() without a linker: 'py' runs the NumPy reference backend, "
         "'cvm'/'vm'/'c|py' the configured backend"),
        ("optimizer", "fast_run", _optimizer_flag,
         "Theano's optimizer flag, used by Mode() without an optimizer: 'fast_run', 'fast_compile' or 'None'"),
        ("device", "cpu", _device_flag,
         "Theano's device flag: 'cpu', or 'cuda'/'cudaN' to compile for the cuda backend when "
         "config.backend is 'auto'"),
    ):
        if name not in config:
            config.register_flag(name, default, check, doc)


_register_flags()


def device_backend():
    """The backend config.device asks for ('cuda' for a cuda/gpu device), or None for the cpu."""
    from .config import config

    return "cuda" if str(config.device).startswith(("cuda", "gpu")) else None


def selects(mode, name, tags=(), default=True):
    """Whether ``mode`` (None: the default selection) runs the rewrite ``name`` tagged ``tags``.

    The one selection rule, for the phases' records here and for the rules inside a phase
    (arignote.rewrites): a name or tag in ``mode.excluded`` or ``config.optimizer_excluding``
    drops it; a rule off by ``default`` runs only when included; the fast-compile optimizer
    keeps only what is tagged ``fast_compile`` or included."""
    from .config import config

    names = {name, *tags}
    excluded = set(getattr(mode, "excluded", ()) or ())
    excluded.update(e for e in str(getattr(config, "optimizer_excluding", "") or "").split(":") if e)
    if names & excluded:
        return False
    included = bool(names & set(getattr(mode, "included", ()) or ()))
    if not default and not included:
        return False
    if getattr(mode, "optimizer", "fast_run") == "fast_compile" and FAST_COMPILE not in tags and not included:
        return False
    return True


class Mode:
    """A rewrite selection plus an optional backend, with Theano's signature ``Mode(linker, optimizer)``.

    ``optimizer`` is 'fast_run' (all phases), 'fast_compile' (rules tagged
    fast_compile) or None; 'default' means ``config.optimizer``.  ``linker``
    is a Theano linker name ('py' picks the NumPy reference backend; 'cvm',
    'vm', 'c|py' the configured one); None means ``config.linker``.
    ``including``/``excluding`` name rules or tags.
    """

    def __init__(self, linker=None, optimizer="default", backend=None, including=(), excluding=()):
        from .config import config

        if optimizer == "default":
            optimizer = config.optimizer
        if optimizer not in _OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}: use 'fast_run', 'fast_compile' or None")
        self.optimizer = _OPTIMIZERS[optimizer]
        if linker is None:
            linker = config.linker
        elif linker not in _LINKERS:
            raise ValueError(f"unknown linker {linker!r}: use one of {', '.join(map(repr, _LINKERS))}")
        self.linker = linker
        self.backend = backend or (linker if linker in ("py", "c", "llvm", "cuda", "auto") else None)
        self.included = tuple(including)
        self.excluded = tuple(excluding)

    def including(self, *names):
        """A copy of this mode that also runs the named rules/tags."""
        return Mode(self.linker, self.optimizer, self.backend, self.included + names, self.excluded)

    def excluding(self, *names):
        """A copy of this mode that skips the named rules/tags."""
        return Mode(self.linker, self.optimizer, self.backend, self.included, self.excluded + names)

    def selected(self, skip_phases=()):
        """The rewrite records this mode runs, in phase order."""
        from . import plugin_manager as plugins

        if self.optimizer is None:
            return []
        recs = [rec for rec in plugins.rewrites().values()
                if rec.phase not in skip_phases and selects(self, rec.name, rec.tags)]
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
    "MODE": lambda: Mode(),  # Theano's mode='Mode': config.linker and config.optimizer
}


def _debug_mode(cls_name):
    from . import debugmode

    return getattr(debugmode, cls_name)()


_NAMED.update({
    "CHECK": lambda: _debug_mode("DebugMode"),
    "DEBUGMODE": lambda: _debug_mode("DebugMode"),
    "DEBUG_MODE": lambda: _debug_mode("DebugMode"),
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
