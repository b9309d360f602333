"""Theano's doc/tutorial/printing_drawing.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/printing_drawing.txt"

LEFT_OUT = {
    'arignote.printing.debugprint(predict)  # doctest: +NORMALIZE_WHITESPACE, +ELLIPSIS':
        'the optimized graph differs: arignote fuses the logistic into another Composite and has no Gemv/AllocEmpty ops',
}

EXAMPLES = r'''
>>> import numpy

>>> import arignote

>>> import arignote.tensor as T

>>> rng = numpy.random

>>> N = 400

>>> feats = 784

>>> D = (rng.randn(N, feats).astype(arignote.config.floatX), rng.randint(size=N,low=0, high=2).astype(arignote.config.floatX))

>>> training_steps = 10000

>>> x = T.matrix("x")

>>> y = T.vector("y")

>>> w = arignote.shared(rng.randn(feats).astype(arignote.config.floatX), name="w")

>>> b = arignote.shared(numpy.asarray(0., dtype=arignote.config.floatX), name="b")

>>> x.tag.test_value = D[0]

>>> y.tag.test_value = D[1]

>>> p_1 = 1 / (1 + T.exp(-T.dot(x, w)-b)) # Probability of having a one

>>> prediction = p_1 > 0.5 # The prediction that is done: 0 or 1

>>> xent = -y*T.log(p_1) - (1-y)*T.log(1-p_1) # Cross-entropy

>>> cost = xent.mean() + 0.01*(w**2).sum() # The cost to optimize

>>> gw,gb = T.grad(cost, [w,b])

>>> train = arignote.function(inputs=[x,y], outputs=[prediction, xent], updates=[[w, w-0.01*gw], [b, b-0.01*gb]], name = "train")

>>> predict = arignote.function(inputs=[x], outputs=prediction, name = "predict")

>>> arignote.printing.pprint(prediction) # doctest: +NORMALIZE_WHITESPACE
'gt((TensorConstant{1} / (TensorConstant{1} + exp(((-(x \\dot w)) - b)))),
TensorConstant{0.5})'

>>> arignote.printing.debugprint(prediction) # doctest: +NORMALIZE_WHITESPACE, +ELLIPSIS
Elemwise{gt,no_inplace} [id A] ''
 |Elemwise{true_div,no_inplace} [id B] ''
 | |InplaceDimShuffle{x} [id C] ''
 | | |TensorConstant{1} [id D]
 | |Elemwise{add,no_inplace} [id E] ''
 |   |InplaceDimShuffle{x} [id F] ''
 |   | |TensorConstant{1} [id D]
 |   |Elemwise{exp,no_inplace} [id G] ''
 |     |Elemwise{sub,no_inplace} [id H] ''
 |       |Elemwise{neg,no_inplace} [id I] ''
 |       | |dot [id J] ''
 |       |   |x [id K]
 |       |   |w [id L]
 |       |InplaceDimShuffle{x} [id M] ''
 |         |b [id N]
 |InplaceDimShuffle{x} [id O] ''
   |TensorConstant{0.5} [id P]

>>> arignote.printing.debugprint(predict)  # doctest: +NORMALIZE_WHITESPACE, +ELLIPSIS
Elemwise{Composite{GT(scalar_sigmoid((-((-i0) - i1))), i2)}} [id A] ''   4
 |...Gemv{inplace} [id B] ''   3
 | |AllocEmpty{dtype='float64'} [id C] ''   2
 | | |Shape_i{0} [id D] ''   1
 | |   |x [id E]
 | |TensorConstant{1.0} [id F]
 | |x [id E]
 | |w [id G]
 | |TensorConstant{0.0} [id H]
 |InplaceDimShuffle{x} [id I] ''   0
 | |b [id J]
 |TensorConstant{(1,) of 0.5} [id K]

>>> arignote.printing.pydotprint(prediction, outfile="pics/logreg_pydotprint_prediction.png", var_with_name_simple=True)  # doctest: +SKIP
The output file is available at pics/logreg_pydotprint_prediction.png

>>> arignote.printing.pydotprint(predict, outfile="pics/logreg_pydotprint_predict.png", var_with_name_simple=True)  # doctest: +SKIP
The output file is available at pics/logreg_pydotprint_predict.png

>>> arignote.printing.pydotprint(train, outfile="pics/logreg_pydotprint_train.png", var_with_name_simple=True)  # doctest: +SKIP
The output file is available at pics/logreg_pydotprint_train.png
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
