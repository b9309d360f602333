#section init_code

/* runs once, when the extension loads */
cop_body_scale = 3.0;

#section support_code

static double cop_body_scale = 0.0;

#section code

/* the body itself: OUTPUT_0 = scale * INPUT_0 + 1 */
Py_XDECREF(OUTPUT_0);
OUTPUT_0 = (PyArrayObject*)PyArray_EMPTY(1, PyArray_DIMS(INPUT_0), TYPENUM_OUTPUT_0, 0);
if (!OUTPUT_0) { FAIL }
if (PyArray_DIMS(INPUT_0)[0] > 1000) {
    PyErr_SetString(PyExc_ValueError, "cop_body: too long");
    FAIL
}
for (npy_intp i = 0; i < PyArray_DIMS(INPUT_0)[0]; i++)
    ((DTYPE_OUTPUT_0*)PyArray_DATA(OUTPUT_0))[i] =
        cop_body_scale * *(DTYPE_INPUT_0*)PyArray_GETPTR1(INPUT_0, i) + 1;
