"""Theano's doc/tutorial/shape_info.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/shape_info.txt"

LEFT_OUT = {
    ('arignote.printing.debugprint(f) # doctest: +NORMALIZE_WHITESPACE', 2):
        "Theano's compiled graph adds the shapes in place (Elemwise{Add}[(0, 0)], its inplace_elemwise rewrite); arignote has no automatic in-place rewrite (its in-place ops are the user's, arignote.tensor.inplace), so it prints Elemwise{add,no_inplace}",
}

EXAMPLES = r'''
>>> import arignote

>>> x = arignote.tensor.matrix('x')

>>> f = arignote.function([x], (x ** 2).shape)

>>> arignote.printing.debugprint(f) # doctest: +NORMALIZE_WHITESPACE
MakeVector{dtype='int64'} [id A] ''   2
 |Shape_i{0} [id B] ''   1
 | |x [id C]
 |Shape_i{1} [id D] ''   0
   |x [id C]

>>> import numpy

>>> import arignote

>>> x = arignote.tensor.matrix('x')

>>> y = arignote.tensor.matrix('y')

>>> z = arignote.tensor.join(0, x, y)

>>> xv = numpy.random.rand(5, 4)

>>> yv = numpy.random.rand(3, 3)

>>> f = arignote.function([x, y], z.shape)

>>> arignote.printing.debugprint(f) # doctest: +NORMALIZE_WHITESPACE
MakeVector{dtype='int64'} [id A] ''   4
 |Elemwise{Add}[(0, 0)] [id B] ''   3
 | |Shape_i{0} [id C] ''   2
 | | |x [id D]
 | |Shape_i{0} [id E] ''   1
 |   |y [id F]
 |Shape_i{1} [id G] ''   0
   |x [id D]

>>> f(xv, yv) # DOES NOT RAISE AN ERROR AS SHOULD BE.
array([8, 4])

>>> f = arignote.function([x,y], z)# Do not take the shape.

>>> arignote.printing.debugprint(f) # doctest: +NORMALIZE_WHITESPACE
Join [id A] ''   0
 |TensorConstant{0} [id B]
 |x [id C]
 |y [id D]

>>> f(xv, yv)  # doctest: +ELLIPSIS
Traceback (most recent call last):
  ...
ValueError: ...

>>> import arignote

>>> x = arignote.tensor.matrix()

>>> x_specify_shape = arignote.tensor.specify_shape(x, (2, 2))

>>> f = arignote.function([x], (x_specify_shape ** 2).shape)

>>> arignote.printing.debugprint(f) # doctest: +NORMALIZE_WHITESPACE
DeepCopyOp [id A] ''   0
 |TensorConstant{(2,) of 2} [id B]
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
