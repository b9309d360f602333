"""Theano's doc/library/printing.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/library/printing.txt"

LEFT_OUT = {}

EXAMPLES = r'''
.. testcode::


   import arignote

>>> from arignote import tensor as T, function, printing

>>> x = T.dvector()

>>> hello_world_op = printing.Print('hello world')

>>> printed_x = hello_world_op(x)

>>> f = function([x], printed_x)

>>> r = f([1, 2, 3])
hello world __str__ = [ 1.  2.  3.]

>>> from arignote import pp, tensor as T

>>> x = T.dscalar('x') 

>>> y = x ** 2

>>> gy = T.grad(y, x)

>>> pp(gy)  # print out the gradient prior to optimization
'((fill((x ** TensorConstant{2}), TensorConstant{1.0}) * TensorConstant{2}) * (x ** (TensorConstant{2} - TensorConstant{1})))'

>>> f = function([x], gy)

>>> pp(f.maker.fgraph.outputs[0])
'(TensorConstant{2.0} * x)'

>>> arignote.printing.debugprint(f.maker.fgraph.outputs[0])  # doctest: +NORMALIZE_WHITESPACE
Elemwise{mul,no_inplace} [id A] ''
 |TensorConstant{2.0} [id B]
 |x [id C]

>>> arignote.printing.debugprint(gy)  # doctest: +NORMALIZE_WHITESPACE
Elemwise{mul} [id A] ''
 |Elemwise{mul} [id B] ''
 | |Elemwise{second,no_inplace} [id C] ''
 | | |Elemwise{pow,no_inplace} [id D] ''
 | | | |x [id E]
 | | | |TensorConstant{2} [id F]
 | | |TensorConstant{1.0} [id G]
 | |TensorConstant{2} [id F]
 |Elemwise{pow} [id H] ''
   |x [id E]
   |Elemwise{sub} [id I] ''
     |TensorConstant{2} [id F]
     |InplaceDimShuffle{} [id J] ''
       |TensorConstant{1} [id K]

>>> arignote.printing.debugprint(gy, depth=2)  # doctest: +NORMALIZE_WHITESPACE
Elemwise{mul} [id A] ''
 |Elemwise{mul} [id B] ''
 |Elemwise{pow} [id C] ''
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
