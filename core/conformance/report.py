"""Conformance results: one Result per (backend, mode, case, check), gathered in a
Report that prints a summary per backend, an op × backend × dtype table and the
failures with their inputs."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
NATIVE, FALLBACK = "native", "fallback"


@dataclass
class Result:
    """The outcome of one check: ``check`` is 'value' (outputs against the reference),
    'grad' (gradient values against the reference's), 'fd-grad' (the reference's
    gradient against finite differences), 'fuzz' or 'reference' (the reference
    itself could not run the case)."""

    backend: str
    op: str
    dtype: str
    case: str
    mode: str
    check: str
    status: str
    message: str = ""
    inputs: str = ""
    path: str = ""  # value checks: 'native' or 'fallback' (NumPy perform) where the backend tells

    def describe(self):
        head = f"{self.backend} [{self.mode}] {self.check}: {self.case}"
        body = "\n".join("    " + line for line in self.message.splitlines())
        inputs = ("\n" + self.inputs) if self.inputs else ""
        return f"{head}\n{body}{inputs}"


class Report:
    """Everything one conformance run found."""

    def __init__(self):
        self.results: list[Result] = []
        self.skipped_backends: dict[str, tuple[str, int]] = {}  # name -> (reason, checks not run)
        self.notes: list[str] = []

    def add(self, result):
        self.results.append(result)

    def skip_backend(self, name, reason, count):
        self.skipped_backends[name] = (reason or "unavailable", count)

    @property
    def failures(self):
        return [r for r in self.results if r.status == FAILED]

    @property
    def ok(self):
        return not self.failures

    def backends(self):
        seen = []
        for r in self.results:
            if r.backend not in seen:
                seen.append(r.backend)
        return seen + [b for b in self.skipped_backends if b not in seen]

    def counts(self, backend):
        c = {PASSED: 0, FAILED: 0, SKIPPED: 0}
        for r in self.results:
            if r.backend == backend:
                c[r.status] += 1
        if backend in self.skipped_backends:
            c[SKIPPED] += self.skipped_backends[backend][1]
        return c

    def paths(self, backend):
        """{'native': n, 'fallback': m}: value checks of ``backend`` whose graph ran in the
        backend's own code, and those that went (at least partly) through a NumPy fallback;
        None when the backend does not tell."""
        c = {NATIVE: 0, FALLBACK: 0}
        for r in self.results:
            if r.backend == backend and r.check == "value" and r.path:
                c[r.path] += 1
        return c if any(c.values()) else None

    def summary(self):
        """Passed / failed / skipped per backend, with the skip reasons, and how many
        value checks ran natively or through the NumPy fallback."""
        rows = [("backend", "passed", "failed", "skipped", "native", "fallback", "")]
        for b in self.backends():
            c = self.counts(b)
            note = ""
            if b in self.skipped_backends:
                note = "skipped: " + self.skipped_backends[b][0]
            elif c[FAILED]:
                note = "FAILED"
            paths = self.paths(b) or {NATIVE: "-", FALLBACK: "-"}
            rows.append((b, str(c[PASSED]), str(c[FAILED]), str(c[SKIPPED]), str(paths[NATIVE]),
                         str(paths[FALLBACK]), note))
        return _table(rows) + ("\n" + "\n".join(self.notes) if self.notes else "")

    def op_table(self):
        """One row per op and dtype, one column per backend: 'ok', 'FAIL n/m' or '-'."""
        cells = defaultdict(lambda: [0, 0])
        keys = []
        for r in self.results:
            if r.check == "fuzz" or r.status == SKIPPED:
                continue
            key = (r.op, r.dtype)
            if key not in keys:
                keys.append(key)
            cell = cells[(key, r.backend)]
            cell[0] += 1
            cell[1] += r.status == FAILED
        backends = [b for b in self.backends() if b not in self.skipped_backends]
        rows = [("op", "dtype", *backends)]
        for key in keys:
            row = []
            for b in backends:
                n, bad = cells.get((key, b), (0, 0))
                row.append("-" if n == 0 else ("ok" if not bad else f"FAIL {bad}/{n}"))
            rows.append((key[0], key[1], *row))
        return _table(rows)

    def failures_text(self, limit=50):
        """Each failure with its message and the inputs that caused it."""
        fails = self.failures
        if not fails:
            return "no failures"
        shown = [f"{k + 1}. {r.op} [{r.dtype}] on " + r.describe() for k, r in enumerate(fails[:limit])]
        more = f"\n... and {len(fails) - limit} more failures" if len(fails) > limit else ""
        return f"{len(fails)} failure(s):\n" + "\n\n".join(shown) + more

    def __repr__(self):
        parts = ", ".join(f"{b}: {self.counts(b)[PASSED]}/{self.counts(b)[FAILED]}/{self.counts(b)[SKIPPED]}"
                          for b in self.backends())
        return f"<conformance Report passed/failed/skipped {parts}>"


def _table(rows):
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)
