"""Theano's doc/library/compile/function.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/library/compile/function.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
>>> import arignote

>>> x = arignote.tensor.dscalar()

>>> f = arignote.function([x], 2*x)

>>> f(4)
array(8.0)
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
