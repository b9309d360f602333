"""arignote.rewrites: the rewrite registry (phases of named, tagged rules) and the
built-in rule sets: merge, constant folding, dead code, canonicalize, stabilize,
specialize and fusion."""
from __future__ import annotations

from .driver import RewriteError, RewriteLimitWarning, RewriteWarning, run_phase, run_rule
from .registry import (
    FAST_COMPILE, PHASES, GlobalRule, LocalRule, Phase, enabled, get_rule, global_rule, local_rule, phase,
    register, rules, unregister,
)
from .plugin import load_rules

load_rules()

__all__ = [
    "FAST_COMPILE", "PHASES", "GlobalRule", "LocalRule", "Phase", "RewriteError", "RewriteLimitWarning",
    "RewriteWarning", "enabled", "get_rule", "global_rule", "local_rule", "phase", "register", "rules",
    "run_phase", "run_rule", "unregister",
]
