"""Theano's doc/library/typed_list.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/library/typed_list.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
>>> import arignote.typed_list

>>> tl = arignote.typed_list.TypedListType(arignote.tensor.fvector)()

>>> v = arignote.tensor.fvector()

>>> o = arignote.typed_list.append(tl, v)

>>> f = arignote.function([tl, v], o)

>>> f([[1, 2, 3], [4, 5]], [2])
[array([ 1.,  2.,  3.], dtype=float32), array([ 4.,  5.], dtype=float32), array([ 2.], dtype=float32)]

>>> import arignote.typed_list

>>> a = arignote.typed_list.TypedListType(arignote.tensor.fvector)()

>>> l = arignote.typed_list.length(a)

>>> s, _ = arignote.scan(fn=lambda i, tl: tl[i].sum(),
...                    non_sequences=[a],
...                    sequences=[arignote.tensor.arange(l, dtype='int64')])

>>> f = arignote.function([a], s)

>>> f([[1, 2, 3], [4, 5]])
array([ 6.,  9.], dtype=float32)
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
