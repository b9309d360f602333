"""The seed tutorial (Theano, then PyMC3) as a tour you can run, on arignote.

Every code cell of the tutorial runs in order, with ``theano`` -> ``arignote``
and ``pymc3`` -> ``arignote.ppl``; what a cell prints is printed, the value of
its last expression is shown as a notebook would show it, and its figures are
written as PNG files into OUTDIR (which also becomes the working directory, so
the tutorial's ``images/f.png`` lands in OUTDIR/images/).

    python examples/seed_tour.py OUTDIR [--short]
    python examples/seed_tour.py --notebook examples/seed_tour.ipynb

``--short`` draws fewer samples (a quick check, as CI runs it); ``--notebook``
writes the same cells as a Jupyter notebook instead of running them.  The
exercises are shown with their solutions filled in.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass

os.environ.setdefault("MPLBACKEND", "Agg")


@dataclass
class Cell:
    source: str            # the cell as the notebook shows it
    plot: str = ""         # figures the cell draws go to OUTDIR/<plot>.png
    script: str = ""       # what the script runs instead (notebook-only constructs)
    writes: str = ""       # a picture the cell writes itself (relative to OUTDIR)
    needs_dot: bool = False


@dataclass
class Text:
    source: str


TOUR = [
    Text("# The seed tutorial on arignote\n\n"
         "Theano's and PyMC3's tutorial cells with `theano` → `arignote` and `pymc3` → `arignote.ppl`. "
         "The exercises are shown solved.\n\n## Adding two scalars"),
    Cell("from arignote import function, shared\nfrom arignote import tensor as T\nimport arignote\n\n"
         "x = T.dscalar('x')\ny = T.dscalar('y')"),
    Cell("type(x)"),
    Cell("x.type"),
    Cell("T.dscalar"),
    Cell("z = x + y"),
    Cell("from arignote.printing import pp\n\nprint(pp(z))"),
    Cell("f = function([x, y], z)"),
    Cell("f(2, 3)"),
    Cell("f(16.3, 12.1)"),
    Text("The graph of `f`, drawn with Graphviz's `dot`:"),
    Cell("from arignote import printing\n\nprinting.pydotprint(f, 'images/f.png')", needs_dot=True,
         writes="images/f.png"),
    Cell("from IPython.display import Image\nImage('images/f.png', width='80%')", needs_dot=True,
         script="print('the drawing of f is in', os.path.abspath('images/f.png'))"),
    Text("## Adding two matrices"),
    Cell("x = T.dmatrix('x')\ny = T.dmatrix('y')\nz = x + y\nf = function([x, y], z)"),
    Cell("f([[1, 2], [3, 4]], [[10, 20], [30, 40]])"),
    Text("## The logistic function, and several outputs"),
    Cell("x = T.dmatrix('x')"),
    Cell("s = 1 / (1 + T.exp(-x))"),
    Cell("logistic = function([x], s)\nlogistic([[0, 1], [-1, -2]])"),
    Cell("a, b = T.dmatrices('a', 'b')\n\n# Operations\ndiff = a - b\nabs_diff = abs(diff)\n"
         "diff_squared = diff ** 2"),
    Cell("f = function([a, b], [diff, abs_diff, diff_squared])\n\nf([[1, 1], [1, 1]], [[0, 1], [2, 3]])"),
    Text("## Default values with `In`"),
    Cell("from arignote import In\n\nx, y, w = T.dscalars('x', 'y', 'w')\nz = (x + y) * w\n"
         "g = function([x, In(y, value=1), In(w, value=2, name='w_by_name')], z)"),
    Cell("print('g(33) = {}'.format(g(33)))"),
    Cell("print('g(33, 0, 1) = {}'.format(g(33, 0, 1)))"),
    Cell("print('g(33, w_by_name=1) = {}'.format(g(33, w_by_name=1)))"),
    Cell("print('g(33, w_by_name=1, y=0) = {}'.format(g(33, w_by_name=1, y=0)))"),
    Text("## State in shared variables"),
    Cell("state = shared(0)\ninc = T.iscalar('inc')\n"
         "accumulator = function([inc], state, updates=[(state, state+inc)])"),
    Cell("print(state.get_value())"),
    Cell("print(accumulator(1))"),
    Cell("print(state.get_value())"),
    Cell("print(accumulator(300))"),
    Cell("print(state.get_value())"),
    Cell("state.set_value(-1)"),
    Cell("print(accumulator(3))"),
    Cell("print(state.get_value())"),
    Cell("decrementor = function([inc], state, updates=[(state, state-inc)])"),
    Cell("print(decrementor(2))"),
    Cell("print(state.get_value())"),
    Text("## Exercise: create and manipulate arignote objects (solved)"),
    Cell('''\
def make_vector():
    """
    Create and return a new arignote vector.
    """
    return T.vector()

def make_matrix():
    """
    Create and return a new arignote matrix.
    """
    return T.matrix()

def elemwise_mul(a, b):
    """
    a: An arignote matrix
    b: An arignote matrix

    Calcuate the elementwise product of a and b and return it
    """
    return a * b

def matrix_vector_mul(a, b):
    """
    a: An arignote matrix
    b: An arignote vector

    Calculate the matrix-vector product of a and b and return it
    """
    return T.dot(a, b)

a = make_vector()
b = make_vector()
c = elemwise_mul(a, b)
d = make_matrix()
e = matrix_vector_mul(d, c)

f = function([a, b, d], e)

import numpy as np
rng = np.random.RandomState([1, 2, 3])
a_value = rng.randn(5).astype(a.dtype)
b_value = rng.rand(5).astype(b.dtype)
c_value = a_value * b_value
d_value = rng.randn(5, 5).astype(d.dtype)
expected = np.dot(d_value, c_value)

actual = f(a_value, b_value, d_value)

assert np.allclose(actual, expected)
print("SUCCESS!")'''),
    Text("## Example: logistic regression on the bioassay data"),
    Cell("import numpy as np\n\nrng = np.random\n\ndose = np.array([-0.86, -0.3 , -0.05,  0.73])\n"
         "deaths = np.array([0, 1, 3, 5])\ntraining_steps = 1000"),
    Cell('x = T.vector("x")\ny = T.vector("y")\nw = arignote.shared(1., name="w")\n'
         'b = arignote.shared(0., name="b")\n\nprint("Initial model:", w.get_value(), b.get_value())'),
    Cell("# Probability that target = 1\np_1 = 1 / (1 + T.exp(-(x*w + b)))\n\n# The prediction threshold\n"
         "prediction = p_1 > 0.5\n\n# Cross-entropy loss function\n"
         "xent = -y * T.log(p_1) - (5-y) * T.log(1-p_1)\n\n# The cost to minimize\ncost = xent.mean()\n\n"
         "# Compute the gradient of the cost\ngw, gb = T.grad(cost, [w, b])"),
    Cell("step = arignote.shared(10., name='step')\ntrain = arignote.function(\n          inputs=[x, y],\n"
         "          outputs=[prediction, xent],\n"
         "          updates=((w, w - step * gw), (b, b - step * gb), (step, step * 0.99)))\n"
         "predict = arignote.function(inputs=[x], outputs=prediction)"),
    Cell("for i in range(training_steps):\n    pred, err = train(dose, deaths)\n\n"
         'print("Final model:", w.get_value(), b.get_value())'),
    Cell("%matplotlib inline\nimport matplotlib.pyplot as plt\n\nlogit = lambda x: 1. / (1 + np.exp(-x))\n"
         "xvals = np.linspace(-1, 1)\nplt.plot(xvals, logit(7.8*xvals + .85))\nplt.plot(dose, deaths/5., 'ro')",
         plot="logistic_fit"),
    Text("## Exercise: gradients (solved)"),
    Cell('''\
def grad_sum(x, y, z):
    """
    x: An arignote variable
    y: An arignote variable
    z: An arignote expression involving x and y
    Returns dz / dx + dz / dy
    """
    return sum(T.grad(z, [x, y]))

x = T.scalar()
y = T.scalar()
z = x + y
s = grad_sum(x, y, z)
assert s.eval({x: 0, y: 0}) == 2
print("SUCCESS!")'''),
    Text("## Random numbers"),
    Cell("from arignote.tensor.shared_randomstreams import RandomStreams\n\nsrng = RandomStreams(seed=234)\n"
         "rv_u = srng.uniform((2,2))\nf = function([], rv_u)"),
    Cell("f()"),
    Cell("f()"),
    Text("## Loops with `scan`"),
    Cell('''\
k = T.iscalar("k")
A = T.vector("A")

# Symbolic description of the result
result, updates = arignote.scan(fn=lambda prior_result, A: prior_result * A,
                                outputs_info=T.ones_like(A),
                                non_sequences=A,
                                n_steps=k)

# We only care about A**k, but scan has provided us with A**1 through A**k.
# Discard the values that we don't care about. Scan is smart enough to
# notice this and not waste memory saving them.
final_result = result[-1]

# compiled function that returns A**k
power = arignote.function(inputs=[A,k], outputs=final_result, updates=updates)

print(power(range(10),2))
print(power(range(10),4))'''),
    Cell('''\
coefficients = arignote.tensor.vector("coefficients")
x = T.scalar("x")

# Generate the components of the polynomial
components, updates = arignote.scan(fn=lambda coefficient, power, val: coefficient * (val ** power),
                                    outputs_info=None,
                                    sequences=[coefficients, arignote.tensor.arange(1000)],
                                    non_sequences=x)
# Sum them up
polynomial = components.sum()

# Compile a function
calculate_polynomial = arignote.function(inputs=[coefficients, x], outputs=polynomial)

# Test
test_coefficients = np.asarray([1, 0, 2], dtype=np.float32)
test_value = 3
print(calculate_polynomial(test_coefficients, test_value))'''),
    Text("## Metropolis and NUTS on a linear model\n\n"
         "`glm_linear.model` is `glm.GLM.from_formula('y ~ x', data)` on simulated data "
         "(the seed's `glm.glm('y ~ x', data)` works as well)."),
    Cell("from arignote.ppl.examples import glm_linear\nfrom arignote.ppl import sample, Metropolis, NUTS, traceplot"),
    Cell("with glm_linear.model:\n    trace_metropolis = sample(1000, step=Metropolis())"),
    Cell("with glm_linear.model:\n    trace_nuts = sample(1000, step=NUTS())"),
    Cell("traceplot(trace_metropolis);", plot="traceplot_metropolis"),
    Cell("traceplot(trace_nuts);", plot="traceplot_nuts"),
    Text("## Marginalising the coal-mining changepoint"),
    Cell('''\
from arignote.ppl import Exponential, Poisson, switch, log, sum as tsum, exp, Model, Potential

disasters_data = np.array([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6,
                            3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4, 2, 5,
                            2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0,
                            1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1,
                            0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2,
                            3, 3, 1, 1, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4,
                            0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1])
years = len(disasters_data)

def log_sum_exp(x):
     return log(tsum(exp(x)))

with Model() as marginal_model:

    # Priors for pre- and post-switch mean number of disasters
    early_mean = Exponential('early_mean', lam=1.)
    late_mean = Exponential('late_mean', lam=1.)

    # Generate all possible combinations of switchpoints and years
    year_idx = np.arange(years)
    s, t = np.array([(t,s) for t in year_idx for s in year_idx]).T

    # Marginalize the switchpoint
    log_like = log_sum_exp(-log(years) + Poisson.dist(switch(t<s, early_mean, late_mean))
                                               .logp(disasters_data[t]).reshape((years, years)).sum(1))

    # Data likelihood
    disasters = Potential('disasters', log_like)'''),
    Cell("with marginal_model:\n    trace_marginal = sample(2000)"),
    Cell("from arignote.ppl import plot_posterior\n\nplot_posterior(trace_marginal[1000:])", plot="posterior_marginal"),
    Cell("from arignote.ppl import effective_n\n\neffective_n(trace_marginal[1000:])"),
    Text("The original formulation, with the discrete switchpoint sampled by Metropolis:"),
    Cell('''\
from arignote.ppl import DiscreteUniform

with Model() as original_model:

    # Prior for distribution of switchpoint location
    switchpoint = DiscreteUniform('switchpoint', lower=0, upper=years)
    # Priors for pre- and post-switch mean number of disasters
    early_mean = Exponential('early_mean', lam=1.)
    late_mean = Exponential('late_mean', lam=1.)

    # Allocate appropriate Poisson rates to years before and after current
    # switchpoint location
    idx = np.arange(years)
    rate = switch(switchpoint >= idx, early_mean, late_mean)

    # Data likelihood
    disasters = Poisson('disasters', rate, observed=disasters_data)'''),
    Cell("with original_model:\n    trace_original = sample(2000, njobs=2)"),
    Cell("effective_n(trace_original[1000:])"),
]

# --short: fewer draws and less tuning, so that the whole tour takes well under two minutes
SHORT = [
    ("sample(1000, step=", "sample(100, tune=100, step="),
    ("sample(2000)", "sample(200, tune=200)"),
    ("sample(2000, njobs=2)", "sample(200, tune=200, njobs=2)"),
    ("[1000:]", "[100:]"),
]


def cells():
    return [c for c in TOUR if isinstance(c, Cell)]


def script_source(cell, short):
    src = cell.script or cell.source
    src = "\n".join(line for line in src.splitlines() if not line.startswith("%"))
    if short:
        for old, new in SHORT:
            src = src.replace(old, new)
    return src


def run_cell(src, ns, label="<cell>"):
    """Run ``src`` in ``ns``; return the value of a final bare expression (None after ``;``)."""
    tree = ast.parse(src, label)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body.pop()
    exec(compile(tree, label, "exec"), ns)
    if last is None:
        return None
    value = eval(compile(ast.Expression(last.value), label, "eval"), ns)
    return None if src.rstrip().endswith(";") else value


def save_figures(name, outdir):
    """Write the open matplotlib figures as OUTDIR/<name>.png (then <name>_2.png, ...)."""
    import matplotlib.pyplot as plt

    paths = []
    for i, num in enumerate(plt.get_fignums()):
        path = os.path.join(outdir, f"{name}.png" if i == 0 else f"{name}_{i + 1}.png")
        plt.figure(num).savefig(path, dpi=72, bbox_inches="tight")
        paths.append(path)
    plt.close("all")
    return paths


def tour(outdir, short=False):
    import matplotlib

    matplotlib.use("Agg")
    os.makedirs(outdir, exist_ok=True)
    outdir = os.path.abspath(outdir)
    os.chdir(outdir)
    ns = {"__name__": "__seed_tour__", "os": os}
    have_dot = shutil.which("dot") is not None
    t0 = time.perf_counter()
    written = []
    for n, cell in enumerate(cells(), 1):
        src = script_source(cell, short)
        print(f"In [{n}]:\n" + "\n".join("  | " + line for line in src.splitlines()), flush=True)
        if cell.needs_dot and not have_dot:
            print("--- skipped: Graphviz's 'dot' program is not installed, so the graph cannot be drawn")
            continue
        value = run_cell(src, ns, f"<In [{n}]>")
        if value is not None:
            print(f"Out[{n}]: {value!r}")
        if cell.plot:
            written += save_figures(cell.plot, outdir)
        if cell.writes:
            written.append(os.path.join(outdir, cell.writes))
        sys.stdout.flush()
    print(f"tour done in {time.perf_counter() - t0:.0f} s; pictures written:")
    for path in written:
        print("  " + os.path.relpath(path, outdir))
    return written


def notebook():
    """The tour as a Jupyter notebook (nbformat 4, written as plain JSON)."""
    def lines(src):
        return src.splitlines(keepends=True)

    nb_cells = []
    for c in TOUR:
        if isinstance(c, Text):
            nb_cells.append({"cell_type": "markdown", "metadata": {}, "source": lines(c.source)})
        else:
            nb_cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                             "source": lines(c.source)})
    return {"cells": nb_cells,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 4}


def notebook_json():
    return json.dumps(notebook(), indent=1, ensure_ascii=False) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description="Run the seed tutorial's cells on arignote, writing plots to OUTDIR.")
    p.add_argument("outdir", nargs="?", help="folder for the PNG files (created if missing)")
    p.add_argument("--short", action="store_true", help="fewer draws: a quick run")
    p.add_argument("--notebook", metavar="PATH", help="write the tour as a notebook to PATH and stop")
    args = p.parse_args(argv)
    if args.notebook:
        with open(args.notebook, "w", encoding="utf-8") as fh:
            fh.write(notebook_json())
        return 0
    if not args.outdir:
        p.error("OUTDIR is required (or --notebook PATH)")
    tour(args.outdir, short=args.short)
    return 0


if __name__ == "__main__":
    sys.exit(main())
