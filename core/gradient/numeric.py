"""``numeric_grad``: central finite differences, the reference verify_grad checks against."""
from __future__ import annotations

import numpy as np


class numeric_grad:
    """Central finite-difference gradient of a scalar function ``f`` at ``pt``.

    ``gf`` holds one array per input in ``wrt`` (all of ``pt`` by default), or
    a single array when ``pt`` is a single array.  The step is the actual
    difference of the perturbed values, so low-precision inputs are exact.
    """

    type_eps = {"float16": 1e-1, "float32": 1e-3, "float64": 1e-6}

    def __init__(self, f, pt, eps=None, out_type=None, wrt=None):
        packed = not isinstance(pt, (list, tuple))
        apt = [np.array(p) for p in ([pt] if packed else pt)]
        wrt = list(range(len(apt))) if wrt is None else list(wrt)
        if eps is None:
            eps = max((self.type_eps[apt[k].dtype.name] for k in wrt), default=self.type_eps["float64"])
        self.gf = [self._one(f, apt, k, eps) for k in wrt]
        if packed:
            self.gf = self.gf[0]

    @staticmethod
    def _one(f, apt, k, eps):
        """The finite-difference gradient with respect to input k."""
        flat = apt[k].reshape(-1)  # a view: apt[k] is a fresh contiguous copy
        g = np.zeros(apt[k].shape, dtype="float64")
        for j in range(flat.size):
            orig = flat[j].copy()
            flat[j] = orig + eps
            xp, fp = float(flat[j]), float(f(*[p.copy() for p in apt]))
            flat[j] = orig - eps
            xm, fm = float(flat[j]), float(f(*[p.copy() for p in apt]))
            flat[j] = orig
            g.flat[j] = (fp - fm) / (xp - xm)
        return g

    @staticmethod
    def abs_rel_err(a, b):
        """abs(a - b), and that over max(abs(a) + abs(b), 1e-8)."""
        abs_err = np.abs(np.asarray(a, dtype="float64") - np.asarray(b, dtype="float64"))
        rel_err = abs_err / np.maximum(np.abs(a) + np.abs(b), 1e-8)
        return np.asarray(abs_err), np.asarray(rel_err)

    def abs_rel_errors(self, g_pt):
        """(abs, rel) error arrays of the analytic gradients ``g_pt``, one pair per input."""
        gf = self.gf if isinstance(self.gf, list) else [self.gf]
        g_pt = g_pt if isinstance(g_pt, (list, tuple)) else [g_pt]
        if len(g_pt) != len(gf):
            raise ValueError(f"numeric_grad: {len(g_pt)} gradients given for {len(gf)} inputs")
        return [self.abs_rel_err(a, b) for a, b in zip(g_pt, gf)]

    def max_err(self, g_pt, abs_tol, rel_tol):
        """(argument, flat position, abs error, rel error) of the worst tolerance violation.

        The violation is min(abs_err / abs_tol, rel_err / rel_tol): above 1 both
        tolerances are exceeded.
        """
        best = (-1.0, 0, 0, 0.0, 0.0)
        for arg, (abs_err, rel_err) in enumerate(self.abs_rel_errors(g_pt)):
            if abs_err.size == 0:
                continue
            if not np.all(np.isfinite(abs_err)):
                raise ValueError(f"verify_grad: non-finite gradient error for argument {arg}: {abs_err!r}")
            scaled = np.minimum(abs_err / abs_tol, rel_err / rel_tol).reshape(-1)
            pos = int(scaled.argmax())
            if scaled[pos] > best[0]:
                best = (scaled[pos], arg, pos, float(abs_err.flat[pos]), float(rel_err.flat[pos]))
        return best[1:]
