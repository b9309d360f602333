"""Theano's doc/library/compile/debugmode.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/library/compile/debugmode.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
.. testcode::


   import arignote
   from arignote import tensor
   from arignote.compile.debugmode import DebugMode

   x = tensor.dscalar('x')

   f = arignote.function([x], 10*x, mode='DebugMode')

   f(5)
   f(0)
   f(7)

>>> f = arignote.function([x], 10*x, mode=DebugMode(check_c_code=False))
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
