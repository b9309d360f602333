"""Theano's doc/extending/optimization.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/extending/optimization.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
.. testcode::


   import arignote
   from arignote import gof
   from arignote.gof import toolbox

   class Simplify(gof.Optimizer):
       def add_requirements(self, fgraph):
           fgraph.attach_feature(toolbox.ReplaceValidate())
       def apply(self, fgraph):
           for node in fgraph.toposort():
               if node.op == true_div:
                   x, y = node.inputs
                   z = node.outputs[0]
                   if x.owner and x.owner.op == mul:
                       a, b = x.owner.inputs
                       if y == a:
                           fgraph.replace_validate(z, b)
                       elif y == b:
                           fgraph.replace_validate(z, a)

   simplify = Simplify()

>>> from arignote.scalar import float64, add, mul, true_div

>>> x = float64('x')

>>> y = float64('y')

>>> z = float64('z')

>>> a = add(z, mul(true_div(mul(y, x), y), true_div(z, x)))

>>> e = gof.FunctionGraph([x, y, z], [a])

>>> e
[add(z, mul(true_div(mul(y, x), y), true_div(z, x)))]

>>> simplify.optimize(e)

>>> e
[add(z, mul(x, true_div(z, x)))]

>>> x = float64('x')

>>> y = float64('y')

>>> z = float64('z')

>>> a = true_div(mul(add(y, z), x), add(y, z))

>>> e = gof.FunctionGraph([x, y, z], [a])

>>> e
[true_div(mul(add(y, z), x), add(y, z))]

>>> simplify.optimize(e)

>>> e
[true_div(mul(add(y, z), x), add(y, z))]

>>> from arignote.gof.opt import MergeOptimizer

>>> MergeOptimizer().optimize(e)  # doctest: +ELLIPSIS
(0, ..., None, None, {}, 1, 0)

>>> e
[true_div(mul(*1 -> add(y, z), x), *1)]

>>> simplify.optimize(e)

>>> e
[x]

.. testcode::


   class LocalSimplify(gof.LocalOptimizer):
       def transform(self, node):
           if node.op == true_div:
               x, y = node.inputs
               if x.owner and x.owner.op == mul:
                   a, b = x.owner.inputs
                   if y == a:
                       return [b]
                   elif y == b:
                       return [a]
           return False
       def tracks(self):
           # This should be needed for the EquilibriumOptimizer
           # but it isn't now
           # TODO: do this and explain it
           return [] # that's not what you should do

   local_simplify = LocalSimplify()

>>> x = float64('x')

>>> y = float64('y')

>>> z = float64('z')

>>> a = add(z, mul(true_div(mul(y, x), y), true_div(z, x)))

>>> e = gof.FunctionGraph([x, y, z], [a])

>>> e
[add(z, mul(true_div(mul(y, x), y), true_div(z, x)))]

>>> simplify = gof.TopoOptimizer(local_simplify)

>>> simplify.optimize(e)
(<arignote.gof.opt.TopoOptimizer object at 0x...>, 1, 5, 3, ..., ..., ...)

>>> e
[add(z, mul(x, true_div(z, x)))]

.. testcode::


   from arignote.scalar import identity

.. testcode::


   from arignote.gof.opt import OpSub, OpRemove, PatternSub

   # Replacing add by mul (this is not recommended for primarily
   # mathematical reasons):
   add_to_mul = OpSub(add, mul)

   # Removing identity
   remove_identity = OpRemove(identity)

   # The "simplify" operation we've been defining in the past few
   # sections. Note that we need two patterns to account for the
   # permutations of the arguments to mul.
   local_simplify_1 = PatternSub((true_div, (mul, 'x', 'y'), 'y'),
                                 'x')
   local_simplify_2 = PatternSub((true_div, (mul, 'x', 'y'), 'x'),
                                 'y')

.. testcode::


   from arignote.gof import Query
   from arignote.compile import optdb

   # This is how the optimizer for the fast_run mode is defined
   fast_run = optdb.query(Query(include=['fast_run']))

   # This is how the optimizer for the fast_compile mode is defined
   fast_compile = optdb.query(Query(include=['fast_compile']))

   # This is the same as fast_run but no optimizations will replace
   # any operation by an inplace version. This assumes, of course,
   # that all inplace operations are tagged as 'inplace' (as they
   # should!)
   fast_run_no_inplace = optdb.query(Query(include=['fast_run'],
                                           exclude=['inplace']))


.. testcode::


   # optdb.register(name, optimizer, order, *tags)
   optdb.register('simplify', simplify, 0.5, 'fast_run')
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
