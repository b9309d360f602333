"""Theano's doc/extending/graphstructures.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/extending/graphstructures.txt"

LEFT_OUT = {}

EXAMPLES = r'''
.. testcode::


   import arignote.tensor as T

   x = T.dmatrix('x')
   y = T.dmatrix('y')
   z = x + y

>>> import arignote

>>> x = arignote.tensor.dmatrix('x')

>>> y = x * 2.

>>> y.owner.op.name
'Elemwise{mul,no_inplace}'

>>> len(y.owner.inputs)
2

>>> y.owner.inputs[0]
x

>>> y.owner.inputs[1]
InplaceDimShuffle{x,x}.0

>>> type(y.owner.inputs[1])
<class 'arignote.tensor.var.TensorVariable'>

>>> type(y.owner.inputs[1].owner)
<class 'arignote.gof.graph.Apply'>

>>> y.owner.inputs[1].owner.op # doctest: +SKIP
<arignote.tensor.elemwise.DimShuffle object at 0x106fcaf10>

>>> y.owner.inputs[1].owner.inputs
[TensorConstant{2.0}]

>>> import arignote

>>> x = arignote.tensor.ivector()

>>> y = -x

>>> import arignote

>>> v = arignote.tensor.vector()

>>> f = arignote.function([v], (v+1).sum())

>>> arignote.printing.debugprint(f)
Sum{acc_dtype=float64} [id A] ''   1
 |Elemwise{add,no_inplace} [id B] ''   0
   |TensorConstant{(1,) of 1.0} [id C]
   |<TensorType(float64, vector)> [id D]

>>> topo = f.maker.fgraph.toposort()

>>> topo[0].outputs[0].clients
[(Sum{acc_dtype=float64}(Elemwise{add,no_inplace}.0), 0)]

>>> topo[1].outputs[0].clients
[('output', 0)]

>>> var = topo[0].outputs[0]

>>> client = var.clients[0]

>>> client
(Sum{acc_dtype=float64}(Elemwise{add,no_inplace}.0), 0)

>>> type(client[0])
<class 'arignote.gof.graph.Apply'>

>>> assert client[0].inputs[client[1]] is var

>>> var = topo[1].outputs[0]

>>> client = var.clients[0]

>>> client
('output', 0)

>>> assert f.maker.fgraph.outputs[client[1]] is var

>>> import arignote

>>> a = arignote.tensor.vector("a")      # declare symbolic variable

>>> b = a + a ** 10                    # build symbolic expression

>>> f = arignote.function([a], b)        # compile function

>>> print(f([0, 1, 2]))                # prints `array([0,2,1026])`
[    0.     2.  1026.]

>>> arignote.printing.pydotprint(b, outfile="./pics/symbolic_graph_unopt.png", var_with_name_simple=True)  # doctest: +SKIP
The output file is available at ./pics/symbolic_graph_unopt.png

>>> arignote.printing.pydotprint(f, outfile="./pics/symbolic_graph_opt.png", var_with_name_simple=True)  # doctest: +SKIP
The output file is available at ./pics/symbolic_graph_opt.png
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
