"""``arignote conformance``: the conformance runner on the command line.

    arignote conformance [--backend c,llvm] [--ops exp,sum,...] [--fuzz N] [--level quick|full]

Prints passed/failed/skipped per backend (a skipped backend with its reason),
then each failure with its inputs; exit status 1 on any failure, 2 on a usage
error (unknown backend or op).
"""
from __future__ import annotations

import sys
import time


def add_parser(sub):
    """Add the ``conformance`` sub-command to an argparse sub-parser set."""
    p = sub.add_parser("conformance", help="check backends against the NumPy reference, op by op",
                       description="Run every registered op's conformance cases on the backends and compare "
                                   "them with the reference ('py' without rewrites).")
    p.add_argument("--backend", "--backends", dest="backends", default=None,
                   help="comma-separated backend names (default: every registered backend)")
    p.add_argument("--ops", default=None, help="comma-separated op names or shell patterns (default: all)")
    p.add_argument("--fuzz", type=int, default=0, metavar="N",
                   help="also run N random graphs per backend through the fuzzer (needs hypothesis)")
    p.add_argument("--level", choices=("quick", "full"), default="quick",
                   help="'full' adds more dtypes (float16, small and unsigned integers, mixed)")
    p.add_argument("--modes", default="FAST_RUN,NO_REWRITES",
                   help="comma-separated rewrite modes to compile each case in (default: FAST_RUN,NO_REWRITES)")
    p.add_argument("--no-grad", dest="grad", action="store_false", help="skip the gradient checks")
    p.add_argument("--seed", type=int, default=0, help="the fuzzer's seed")
    p.add_argument("--table", action="store_true", help="also print the op x backend x dtype table")
    p.add_argument("--max-failures", type=int, default=20, help="how many failures to print in full")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from .runner import run_conformance

    say = (lambda msg: None) if args.quiet else (lambda msg: print(f"... {msg}", file=sys.stderr, flush=True))
    modes = tuple(m for m in args.modes.split(",") if m)
    start = time.perf_counter()
    try:
        report = run_conformance(backends=args.backends, ops=args.ops, fuzz=args.fuzz, level=args.level,
                                 modes=modes, grad=args.grad, seed=args.seed, progress=say)
    except ValueError as e:
        print(f"arignote conformance: error: {e}", file=sys.stderr)
        return 2
    print(report.summary())
    if args.table:
        print()
        print(report.op_table())
    for r in report.results:
        if r.check == "fuzz" and r.status != "failed":
            print(f"fuzz {r.backend}: {r.status} ({r.case}{'; ' + r.message if r.message else ''})")
    print(f"\n{'FAILED' if not report.ok else 'passed'} in {time.perf_counter() - start:.1f}s")
    if not report.ok:
        print()
        print(report.failures_text(limit=args.max_failures))
        return 1
    return 0
