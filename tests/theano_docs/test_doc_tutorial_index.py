"""Theano's doc/tutorial/index.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/index.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
>>> from arignote import *

>>> import arignote.tensor as T
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
