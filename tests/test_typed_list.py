"""arignote.typed_list (doc/library/typed_list.txt): values against Python's list operations."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
import arignote.typed_list as tl


def _f32(*vs):
    return [np.asarray(v, dtype="float32") for v in vs]


def _same(a, b):
    return len(a) == len(b) and all(x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(a, b))


def test_append_as_documented(backend):
    lst = tl.TypedListType(T.fvector)()
    v = T.fvector()
    f = arignote.function([lst, v], tl.append(lst, v), backend=backend)
    out = f([[1, 2, 3], [4, 5]], [2])
    assert _same(out, _f32([1, 2, 3], [4, 5], [2]))


def test_list_operations_match_python():
    a, b = tl.TypedListType(T.fvector)("a"), tl.TypedListType(T.fvector)("b")
    v, i = T.fvector("v"), T.lscalar("i")
    outs = [a.extend(b), a.insert(i, v), a.reverse(), a[i], a[1:], tl.length(a), a.count(v), tl.index_(a, v),
            a.remove(v)]
    f = arignote.function([a, b, v, i], outs)
    av, bv, vv = _f32([1], [2, 3], [4]), _f32([5]), np.asarray([2, 3], "float32")
    ext, ins, rev, item, sl, n, cnt, idx, rem = f(av, bv, vv, 1)
    assert _same(ext, av + bv)
    assert _same(ins, av[:1] + [vv] + av[1:])
    assert _same(rev, av[::-1])
    assert np.array_equal(item, av[1]) and _same(sl, av[1:])
    assert n == 3 and n.dtype == "int64" and cnt == 1 and idx == 1
    assert _same(rem, [av[0], av[2]])
    assert _same(av, _f32([1], [2, 3], [4]))  # the input list is not changed


def test_make_list_and_types():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    lst = tl.make_list([x, y])
    assert lst.type == tl.TypedListType(T.dmatrix) and str(lst.type) == "TypedList <TensorType(float64, matrix)>"
    got = arignote.function([x, y], lst)(np.eye(2), np.ones((2, 2)))
    assert _same(got, [np.eye(2), np.ones((2, 2))])


def test_errors_name_the_problem():
    a = tl.TypedListType(T.fvector)("a")
    with pytest.raises(TypeError, match=r"the item .* has type TensorType\(float64, vector\), but the list holds"):
        tl.append(a, T.dvector())
    with pytest.raises(TypeError, match="must be an integer scalar"):
        a[T.dscalar()]
    with pytest.raises(TypeError, match="len\\(\\) of a symbolic typed list is unknown"):
        len(a)
    with pytest.raises(TypeError, match="share one type"):
        tl.make_list([T.dvector(), T.fvector()])
    f = arignote.function([a], tl.index_(a, a[0] * 2))
    with pytest.raises(ValueError, match="not in the list"):
        f(_f32([1.0]))
    g = arignote.function([a], tl.length(a))
    with pytest.raises(TypeError, match="expected a list of TensorType\\(float32, vector\\) for a"):
        g(np.zeros(3, "float32"))
    with pytest.raises(TypeError, match="item 1 of a"):
        g([np.zeros(2, "float32"), np.zeros((2, 2), "float32")])
