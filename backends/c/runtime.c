/*
 * arignote C runtime: runs a lowered graph program in one call from Python.
 *
 * The program is an int64 array (see backends/c/program.py, which writes it)
 * plus a tuple of Python objects (constants, shared-variable containers,
 * fallback callables).  Values live in slots (data pointer, shape, strides,
 * owning object); views (DimShuffle, basic indexing) only rewrite a slot.
 * Loops and reductions call the graph's generated kernels by address; BLAS
 * goes through SciPy's exported function pointers; every other node calls
 * back into Python (its NumPy perform).  Reshape, advanced indexing (gather, mask) and advanced
 * set/inc_subtensor (scatter, mask put) are runtime steps of their own.  Buffers that only this runtime holds
 * (reference count 1) are reused by the next call.
 *
 * The same program also runs as a native entry (ar_native_entry, at the end): a C function that
 * touches no Python object, over a per-thread scratch whose slots own nothing and whose buffers
 * are plain memory.  The step runners serve both: they reach Python only through ar_output (a
 * NumPy array, or the scratch's buffer), ar_alias (a view's owner, NULL in a scratch), ar_nomem
 * and the GIL release of long loops, each of which checks P->nat.
 *
 * Compiled once per machine/compiler/Python/NumPy into the disk cache; the
 * module name comes from AR_MODNAME.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

#define AR_MAXD 32
#define AR_MAXOPS 64
#define AR_NOGIL_SIZE 65536 /* loops at least this long run without the GIL */
#define AR_CAT2(a, b) a##b
#define AR_CAT(a, b) AR_CAT2(a, b)
#define AR_STR2(a) #a
#define AR_STR(a) AR_STR2(a)

enum { S_LOOP = 1, S_REDUCE = 2, S_DIMSHUFFLE = 3, S_SUBTENSOR = 4, S_SHAPE = 5, S_SHAPE_I = 6, S_DOT = 7,
       S_FALLBACK = 8, S_SCAN = 9, S_RESHAPE = 10, /* 11, 12: free */
       S_ALLOC = 13, S_ARG = 14, S_CUM = 15, S_JOIN = 16, S_INCSUB = 17, S_IDOT = 18,
       S_MASK = 19, S_MPUT = 20, S_GATHER = 21, S_SCATTER = 22 };
enum { AR_OK = 0, AR_PYERR = -1, AR_FAIL = 1 };
#define AR_MAGIC 0x4152474e4f544531LL

typedef int (*ar_loop_fn)(int nd, const npy_intp *dims, char **ptrs, const npy_intp *st);
typedef int (*ar_reduce_fn)(int nd, const npy_intp *dims, const npy_intp *sin, const npy_intp *sout,
                            char *in, char *out, npy_intp nout);

typedef struct {
    PyObject *obj; /* strong reference while the slot is live; NULL when empty */
    char *data;
    int nd;        /* -1: an opaque (non-tensor) object */
    npy_intp dims[AR_MAXD];
    npy_intp strides[AR_MAXD];
} ar_val;

typedef struct {
    PyObject *code_obj; /* bytes holding the program */
    const int64_t *code;
    PyObject *objs;     /* tuple of Python objects referenced by index */
    PyObject *error_hook, *convert_hook;
    int nvars, nin, nout, nconst, nshared, nsteps, reuse;
    const int64_t *vtype, *vnd, *ins, *outs, *consts, *shared, *step_at, *ref_at;
    ar_val *vals;       /* scratch slots of the outermost call */
    PyObject **cache;   /* per variable: a buffer this runtime allocated */
    int busy;
    PyObject *extra;    /* a native template's tables (bytes), kept alive with it */
    struct ar_native *nat; /* non-NULL: a native entry's scratch (no Python object, no GIL) */
} ar_prog;

/* A native entry's per-thread storage: every variable's buffer, grown as needed and kept between
   calls.  Its slots hold no Python object (obj stays NULL), so the step runners below, which only
   touch Python through ar_output, ar_alias and the GIL macros, run without the GIL for it. */
typedef struct ar_native {
    char **buf;
    npy_intp *cap;
    const int64_t *esize; /* per variable: its item size */
    const int64_t *stat;  /* per input (then shared input): its static dims, -1 where unknown */
    PyObject *owner;      /* the template capsule (code, constants); released under the GIL */
} ar_native;

static void ar_c_strides(int nd, const npy_intp *dims, npy_intp es, npy_intp *st);
typedef void (*ar_elem_fn)(char *dst, const char *src, npy_intp es);
static void ar_elem_copy(char *d, const char *s, npy_intp es);
static void ar_walk2(int nd, const npy_intp *dims, char *dst, const npy_intp *ds, const char *src,
                     const npy_intp *ss, npy_intp es, ar_elem_fn fn);

/* an array the kernels can read directly: the right dtype and rank, native byte order, aligned */
static inline int ar_good(PyObject *o, int typenum, int nd)
{
    if (!PyArray_Check(o)) return 0;
    PyArrayObject *a = (PyArrayObject *)o;
    int t = PyArray_TYPE(a);
    if (t != typenum && !PyArray_EquivTypenums(t, typenum)) return 0;
    return PyArray_NDIM(a) == nd && PyArray_ISNOTSWAPPED(a) && PyArray_ISALIGNED(a);
}
#define AR_GOOD(o, typenum, nd) ar_good((PyObject *)(o), (int)(typenum), (int)(nd))

/* ------------------------------------------------------------------ BLAS */
typedef void (*ar_gemm_t)(char *, char *, int *, int *, int *, void *, void *, int *, void *, int *, void *,
                          void *, int *);
typedef void (*ar_gemv_t)(char *, int *, int *, void *, void *, int *, void *, int *, void *, void *, int *);
static ar_gemm_t ar_dgemm, ar_sgemm, ar_zgemm, ar_cgemm;
static ar_gemv_t ar_dgemv, ar_sgemv, ar_zgemv, ar_cgemv;

/* The item size of a BLAS dtype (float64, float32, complex128, complex64). */
static npy_intp ar_blas_es(int typenum)
{
    return typenum == NPY_DOUBLE ? 8 : typenum == NPY_FLOAT ? 4 : typenum == NPY_CDOUBLE ? 16 : 8;
}

/* ----------------------------------------------------------------- slots */
static inline void ar_set_array(ar_val *v, PyArrayObject *a)
{
    int nd = PyArray_NDIM(a);
    Py_INCREF(a);
    Py_XSETREF(v->obj, (PyObject *)a);
    v->data = PyArray_BYTES(a);
    v->nd = nd;
    memcpy(v->dims, PyArray_DIMS(a), nd * sizeof(npy_intp));
    memcpy(v->strides, PyArray_STRIDES(a), nd * sizeof(npy_intp));
}

static inline void ar_set_object(ar_val *v, PyObject *o)
{
    Py_INCREF(o);
    Py_XSETREF(v->obj, o);
    v->data = NULL;
    v->nd = -1;
}

/* Slot z: a view (data, nd, dims, strides) over x's memory, keeping x's owner (if any) alive */
static inline void ar_alias(ar_val *z, const ar_val *x, char *data, int nd, const npy_intp *dims,
                            const npy_intp *strides)
{
    PyObject *o = x->obj; /* NULL in a native scratch: nothing to reference */
    Py_XINCREF(o);
    Py_XSETREF(z->obj, o);
    z->data = data;
    z->nd = nd;
    memmove(z->dims, dims, nd * sizeof(npy_intp));
    memmove(z->strides, strides, nd * sizeof(npy_intp));
}

static inline npy_intp ar_size(const ar_val *v)
{
    npy_intp n = 1;
    for (int d = 0; d < v->nd; d++) n *= v->dims[d];
    return n;
}

/* A Python object for slot v: the owning array itself when the slot covers it exactly, else a view. */
static PyObject *ar_materialize(const ar_val *v, int typenum)
{
    if (v->nd < 0) {
        Py_INCREF(v->obj);
        return v->obj;
    }
    PyArrayObject *b = (PyArrayObject *)v->obj;
    if (PyArray_BYTES(b) == v->data && PyArray_NDIM(b) == v->nd && PyArray_TYPE(b) == typenum &&
        memcmp(PyArray_DIMS(b), v->dims, v->nd * sizeof(npy_intp)) == 0 &&
        memcmp(PyArray_STRIDES(b), v->strides, v->nd * sizeof(npy_intp)) == 0) {
        Py_INCREF(b);
        return (PyObject *)b;
    }
    PyArray_Descr *descr = PyArray_DescrFromType(typenum);
    if (descr == NULL) return NULL;
    int flags = PyArray_FLAGS(b) & NPY_ARRAY_WRITEABLE;
    PyObject *r = PyArray_NewFromDescr(&PyArray_Type, descr, v->nd, (npy_intp *)v->dims,
                                       (npy_intp *)v->strides, v->data, flags, NULL);
    if (r == NULL) return NULL;
    Py_INCREF(b);
    if (PyArray_SetBaseObject((PyArrayObject *)r, (PyObject *)b) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

/* Outputs up to this size are kept for reuse by the next call (no allocation per call); larger
   ones are not, since by the next call a kept array has gone cold, while a fresh allocation
   usually gets a block just freed and still in cache. */
#define AR_REUSE_MAX_BYTES (1 << 20)

/* A C-contiguous buffer for variable var; reuses the cached one when nobody else holds it.
   *borrowed tells whether the cache keeps the reference (else the caller owns it). */
static PyArrayObject *ar_alloc(ar_prog *P, int use_cache, int64_t var, int nd, const npy_intp *dims,
                               int *borrowed)
{
    int cache = use_cache && P->reuse;
    if (cache) {
        PyArrayObject *c = (PyArrayObject *)P->cache[var];
        if (c != NULL && Py_REFCNT(c) == 1 && PyArray_NDIM(c) == nd &&
            memcmp(PyArray_DIMS(c), dims, nd * sizeof(npy_intp)) == 0) {
            *borrowed = 1;
            return c;
        }
    }
    PyArrayObject *a = (PyArrayObject *)PyArray_EMPTY(nd, (npy_intp *)dims, (int)P->vtype[var], 0);
    *borrowed = a != NULL && cache && PyArray_NBYTES(a) <= AR_REUSE_MAX_BYTES;
    if (*borrowed)
        Py_XSETREF(P->cache[var], (PyObject *)a);
    else if (a != NULL && cache)
        Py_CLEAR(P->cache[var]); /* a large output: nothing kept for the next call */
    return a;
}

/* A native scratch's C-contiguous buffer for var (its own, reallocated when too small). */
static int ar_native_output(ar_native *N, ar_val *v, int64_t var, int nd, const npy_intp *dims)
{
    npy_intp es = (npy_intp)N->esize[var], n = es;
    for (int d = 0; d < nd; d++) {
        if (dims[d] < 0 || (dims[d] > 0 && n > NPY_MAX_INTP / dims[d])) return AR_PYERR;
        n *= dims[d];
    }
    if (n > N->cap[var] || N->buf[var] == NULL) { /* never NULL data, even for an empty array */
        void *p = NULL;
        npy_intp want = n > 64 ? n : 64;
        free(N->buf[var]);
        N->buf[var] = NULL;
        N->cap[var] = 0;
        if (posix_memalign(&p, 64, (size_t)want) != 0) return AR_PYERR;
        N->buf[var] = p;
        N->cap[var] = want;
    }
    v->data = N->buf[var];
    v->nd = nd;
    memcpy(v->dims, dims, nd * sizeof(npy_intp));
    ar_c_strides(nd, dims, es, v->strides);
    return AR_OK;
}

/* Out of memory: AR_PYERR, with MemoryError set unless this is a native scratch (no Python there). */
static int ar_nomem(const ar_prog *P)
{
    if (P->nat == NULL) PyErr_NoMemory();
    return AR_PYERR;
}

#if NPY_ABI_VERSION < 0x02000000 /* NumPy 1.x */
#define PyDataType_ELSIZE(d) ((d)->elsize)
#endif

/* Allocate the output slot of var (a new or reused contiguous buffer). */
static int ar_output(ar_prog *P, ar_val *V, int use_cache, int64_t var, int nd, const npy_intp *dims)
{
    if (P->nat != NULL) return ar_native_output(P->nat, &V[var], var, nd, dims);
    int borrowed;
    PyArrayObject *a = ar_alloc(P, use_cache, var, nd, dims, &borrowed);
    if (a == NULL) return AR_PYERR;
    ar_set_array(&V[var], a);
    if (!borrowed) Py_DECREF(a); /* the slot now holds the only reference */
    return AR_OK;
}

/* --------------------------------------------------------------- loops */
static int ar_run_loop(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    ar_loop_fn fn = (ar_loop_fn)(intptr_t)c[1];
    int nin = (int)c[2], nout = (int)c[3], nd = (int)c[4];
    const int64_t *ins = c + 5, *outs = ins + nin, *bc = outs + nout;
    int nops = nin + nout;
    npy_intp dims[AR_MAXD];
    char seen[AR_MAXD];
    for (int d = 0; d < nd; d++) {
        dims[d] = 1;
        seen[d] = 0;
    }
    for (int k = 0; k < nin; k++) {
        const ar_val *v = &V[ins[k]];
        if (v->nd != nd) return AR_FAIL;
        for (int d = 0; d < nd; d++) {
            npy_intp n = v->dims[d];
            if (bc[k * nd + d]) {
                if (n != 1) return AR_FAIL;
            } else if (!seen[d]) {
                dims[d] = n;
                seen[d] = 1;
            } else if (dims[d] != n) {
                return AR_FAIL;
            }
        }
    }
    for (int j = 0; j < nout; j++)
        if (ar_output(P, V, use_cache, outs[j], nd, dims) != AR_OK) return AR_PYERR;
    npy_intp size = 1;
    for (int d = 0; d < nd; d++) size *= dims[d];
    if (size == 0) return AR_OK;

    char *ptrs[AR_MAXOPS];
    npy_intp st[AR_MAXOPS * AR_MAXD];
    int snd = nd > 0 ? nd : 1;
    for (int k = 0; k < nops; k++) {
        const ar_val *v = &V[k < nin ? ins[k] : outs[k - nin]];
        ptrs[k] = v->data;
        for (int d = 0; d < nd; d++)
            st[k * snd + d] = (k < nin && bc[k * nd + d]) ? 0 : v->strides[d];
        if (nd == 0) st[k * snd] = 0;
    }
    npy_intp cdims[AR_MAXD];
    npy_intp cst[AR_MAXOPS * AR_MAXD];
    if (nd == 0) {
        cdims[0] = 1;
        for (int k = 0; k < nops; k++) cst[k] = 0;
        return fn(1, cdims, ptrs, cst) ? AR_FAIL : AR_OK;
    }
    /* drop length-1 axes, unless that moves an inner-invariant operand off stride 0 */
    int keep[AR_MAXD], nk = 0;
    for (int d = 0; d < nd; d++)
        if (dims[d] != 1) keep[nk++] = d;
    if (nk == 0) keep[nk++] = nd - 1;
    if (keep[nk - 1] != nd - 1) {
        for (int k = 0; k < nin; k++)
            if (bc[k * nd + nd - 1] && st[k * snd + keep[nk - 1]] != 0) {
                nk = 0;
                for (int d = 0; d < nd; d++) keep[nk++] = d;
                break;
            }
    }
    /* merge adjacent axes that are contiguous for every operand */
    int cn = 0;
    for (int i = 0; i < nk; i++) {
        int d = keep[i];
        if (cn > 0) {
            int ok = 1;
            for (int k = 0; k < nops && ok; k++)
                ok = cst[k * AR_MAXD + cn - 1] == st[k * snd + d] * dims[d];
            if (ok) {
                cdims[cn - 1] *= dims[d];
                for (int k = 0; k < nops; k++) cst[k * AR_MAXD + cn - 1] = st[k * snd + d];
                continue;
            }
        }
        cdims[cn] = dims[d];
        for (int k = 0; k < nops; k++) cst[k * AR_MAXD + cn] = st[k * snd + d];
        cn++;
    }
    /* pack to [op][axis] with stride cn */
    npy_intp pst[AR_MAXOPS * AR_MAXD];
    for (int k = 0; k < nops; k++)
        for (int d = 0; d < cn; d++) pst[k * cn + d] = cst[k * AR_MAXD + d];
    int rc;
    if (size >= AR_NOGIL_SIZE && P->nat == NULL) {
        Py_BEGIN_ALLOW_THREADS
        rc = fn(cn, cdims, ptrs, pst);
        Py_END_ALLOW_THREADS
    } else {
        rc = fn(cn, cdims, ptrs, pst);
    }
    return rc ? AR_FAIL : AR_OK;
}

/* ----------------------------------------------------------- reductions */
static int ar_run_reduce(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    ar_reduce_fn fn = (ar_reduce_fn)(intptr_t)c[1];
    int64_t in = c[2], out = c[3];
    int nd = (int)c[4], minmax = (int)c[5];
    const int64_t *mask = c + 6;
    const ar_val *x = &V[in];
    if (x->nd != nd) return AR_FAIL;
    npy_intp odims[AR_MAXD];
    int ond = 0;
    for (int d = 0; d < nd; d++)
        if (!mask[d]) odims[ond++] = x->dims[d];
    if (minmax && ar_size(x) == 0) {
        for (int d = 0; d < nd; d++)
            if (mask[d] && x->dims[d] == 0) return AR_FAIL;
    }
    if (ar_output(P, V, use_cache, out, ond, odims) != AR_OK) return AR_PYERR;
    ar_val *z = &V[out];
    npy_intp nout = ar_size(z);
    if (nout == 0) return AR_OK;
    /* axes (size > 1) with input and output strides, sorted outermost first by |input stride| */
    npy_intp n[AR_MAXD], si[AR_MAXD], so[AR_MAXD];
    int m = 0, od = 0;
    for (int d = 0; d < nd; d++) {
        npy_intp ostride = mask[d] ? 0 : z->strides[od++];
        if (x->dims[d] == 1) continue;
        n[m] = x->dims[d];
        si[m] = x->strides[d];
        so[m] = ostride;
        m++;
    }
    for (int i = 1; i < m; i++) { /* insertion sort, stable */
        npy_intp tn = n[i], ti = si[i], to = so[i];
        npy_intp ai = ti < 0 ? -ti : ti;
        int j = i - 1;
        while (j >= 0 && (si[j] < 0 ? -si[j] : si[j]) < ai) {
            n[j + 1] = n[j];
            si[j + 1] = si[j];
            so[j + 1] = so[j];
            j--;
        }
        n[j + 1] = tn;
        si[j + 1] = ti;
        so[j + 1] = to;
    }
    int cn = 0;
    for (int i = 0; i < m; i++) {
        if (cn > 0 && si[cn - 1] == si[i] * n[i] && so[cn - 1] == so[i] * n[i]) {
            n[cn - 1] *= n[i];
            si[cn - 1] = si[i];
            so[cn - 1] = so[i];
            continue;
        }
        n[cn] = n[i];
        si[cn] = si[i];
        so[cn] = so[i];
        cn++;
    }
    if (cn == 0) {
        n[0] = 1;
        si[0] = 0;
        so[0] = 0;
        cn = 1;
    }
    if (ar_size(x) == 0) n[cn - 1] = 0; /* only initialise the output */
    int rc;
    if (ar_size(x) >= AR_NOGIL_SIZE && P->nat == NULL) {
        Py_BEGIN_ALLOW_THREADS
        rc = fn(cn, n, si, so, x->data, z->data, nout);
        Py_END_ALLOW_THREADS
    } else {
        rc = fn(cn, n, si, so, x->data, z->data, nout);
    }
    return rc ? AR_FAIL : AR_OK;
}

/* ---------------------------------------------------------------- views */
static int ar_run_dimshuffle(ar_val *V, const int64_t *c)
{
    const ar_val *x = &V[c[1]];
    ar_val *z = &V[c[2]];
    int ond = (int)c[3], ind = (int)c[4];
    const int64_t *order = c + 5;
    if (x->nd != ind) return AR_FAIL;
    char used[AR_MAXD] = {0};
    npy_intp dims[AR_MAXD], strides[AR_MAXD];
    for (int i = 0; i < ond; i++) {
        if (order[i] < 0) {
            dims[i] = 1;
            strides[i] = 0;
        } else {
            dims[i] = x->dims[order[i]];
            strides[i] = x->strides[order[i]];
            used[order[i]] = 1;
        }
    }
    for (int d = 0; d < ind; d++)
        if (!used[d] && x->dims[d] != 1) return AR_FAIL;
    ar_alias(z, x, x->data, ond, dims, strides);
    return AR_OK;
}

static int ar_read_int(const ar_val *v, int typenum, int64_t *out)
{
    if (v->nd != 0) return AR_FAIL;
    const char *p = v->data;
    switch (typenum) {
    case NPY_INT8: *out = *(const int8_t *)p; break;
    case NPY_INT16: *out = *(const int16_t *)p; break;
    case NPY_INT32: *out = *(const int32_t *)p; break;
    case NPY_INT64: *out = *(const int64_t *)p; break;
    case NPY_UINT8: *out = *(const uint8_t *)p; break;
    case NPY_UINT16: *out = *(const uint16_t *)p; break;
    case NPY_UINT32: *out = *(const uint32_t *)p; break;
    case NPY_UINT64: {
        uint64_t u = *(const uint64_t *)p;
        if (u > (uint64_t)INT64_MAX) return AR_FAIL;
        *out = (int64_t)u;
        break;
    }
    default: return AR_FAIL;
    }
    return AR_OK;
}

/* The region x[entries] (nent entries at e: 0 i | 1 start stop step, -1 where absent | 2, a new
   axis of length 1) as data, dims and strides over x's memory; AR_FAIL for an index out of bounds
   or a zero step. */
static int ar_sub_view(ar_prog *P, ar_val *V, const ar_val *x, int nent, const int64_t *e, char **out_data,
                       int *out_nd, npy_intp *dims, npy_intp *strides)
{
    char *data = x->data;
    int ond = 0, d = 0;
    for (int k = 0; k < nent; k++) {
        if (e[0] == 2) {
            if (ond >= AR_MAXD) return AR_FAIL;
            dims[ond] = 1;
            strides[ond++] = 0;
            e += 1;
            continue;
        }
        if (d >= x->nd) return AR_FAIL;
        npy_intp len = x->dims[d], st = x->strides[d++];
        if (e[0] == 0) {
            int64_t i;
            if (ar_read_int(&V[e[1]], (int)P->vtype[e[1]], &i) != AR_OK) return AR_FAIL;
            if (i < -len || i >= len) return AR_FAIL;
            if (i < 0) i += len;
            data += i * st;
            e += 2;
        } else {
            Py_ssize_t start, stop, step = 1;
            int64_t tmp;
            if (e[3] >= 0) {
                if (ar_read_int(&V[e[3]], (int)P->vtype[e[3]], &tmp) != AR_OK) return AR_FAIL;
                step = (Py_ssize_t)tmp;
                if (step == 0) return AR_FAIL;
            }
            start = step < 0 ? PY_SSIZE_T_MAX : 0;
            stop = step < 0 ? PY_SSIZE_T_MIN : PY_SSIZE_T_MAX;
            if (e[1] >= 0) {
                if (ar_read_int(&V[e[1]], (int)P->vtype[e[1]], &tmp) != AR_OK) return AR_FAIL;
                start = (Py_ssize_t)tmp;
            }
            if (e[2] >= 0) {
                if (ar_read_int(&V[e[2]], (int)P->vtype[e[2]], &tmp) != AR_OK) return AR_FAIL;
                stop = (Py_ssize_t)tmp;
            }
            Py_ssize_t n = PySlice_AdjustIndices((Py_ssize_t)len, &start, &stop, step);
            if (n > 0) data += start * st;
            dims[ond] = n;
            strides[ond] = st * step;
            ond++;
            e += 4;
        }
    }
    if (ond + x->nd - d > AR_MAXD) return AR_FAIL;
    for (; d < x->nd; d++) {
        dims[ond] = x->dims[d];
        strides[ond] = x->strides[d];
        ond++;
    }
    *out_data = data;
    *out_nd = ond;
    return AR_OK;
}

static int ar_run_subtensor(ar_prog *P, ar_val *V, const int64_t *c)
{
    const ar_val *x = &V[c[1]];
    ar_val *z = &V[c[2]];
    npy_intp dims[AR_MAXD], strides[AR_MAXD];
    char *data;
    int ond;
    if (ar_sub_view(P, V, x, (int)c[3], c + 4, &data, &ond, dims, strides) != AR_OK) return AR_FAIL;
    ar_alias(z, x, data, ond, dims, strides);
    return AR_OK;
}

static int ar_run_shape(ar_prog *P, ar_val *V, const int64_t *c, int use_cache, int axis)
{
    const ar_val *x = &V[c[1]];
    int64_t out = c[2];
    if (x->nd < 0 || axis >= x->nd) return AR_FAIL;
    npy_intp n = x->nd;
    if (ar_output(P, V, use_cache, out, axis < 0 ? 1 : 0, &n) != AR_OK) return AR_PYERR;
    int64_t *p = (int64_t *)V[out].data;
    if (axis < 0)
        for (int d = 0; d < x->nd; d++) p[d] = x->dims[d];
    else
        *p = x->dims[axis];
    return AR_OK;
}

/* ----------------------------------------------------------------- dot */
/* Fortran view of a row-major r x c matrix: returns trans flag and leading dimension, or 0 if unusable. */
static int ar_blas_layout(npy_intp r, npy_intp cc, npy_intp s0, npy_intp s1, npy_intp es, char *trans, int *ld)
{
    if (cc == 1) s1 = es;
    if (r == 1) s0 = cc * es;
    if (s1 == es && s0 > 0 && s0 % es == 0 && s0 / es >= (cc > 1 ? cc : 1) && s0 / es < INT32_MAX) {
        *trans = 'N';
        *ld = (int)(s0 / es);
        return 1;
    }
    if (s0 == es && s1 > 0 && s1 % es == 0 && s1 / es >= (r > 1 ? r : 1) && s1 / es < INT32_MAX) {
        *trans = 'T';
        *ld = (int)(s1 / es);
        return 1;
    }
    return 0;
}

/* A C-contiguous copy of v (malloc'ed; NULL when out of memory) */
static char *ar_contig(const ar_val *v, npy_intp es)
{
    npy_intp cs[AR_MAXD], n = es;
    for (int d = 0; d < v->nd; d++) n *= v->dims[d];
    char *p = malloc(n > 0 ? (size_t)n : 1);
    if (p == NULL) return NULL;
    ar_c_strides(v->nd, v->dims, es, cs);
    ar_walk2(v->nd, v->dims, p, cs, v->data, v->strides, es, ar_elem_copy);
    return p;
}

/* Do the first nd axes of a view step through memory with one stride (axes of length 1 ignored)?
 * That stride in *s0 (0 when every axis has length 1). */
static int ar_collapse(const npy_intp *dims, const npy_intp *strides, int nd, npy_intp *s0)
{
    npy_intp s = 0, span = 0;
    for (int d = nd - 1; d >= 0; d--) {
        if (dims[d] == 1) continue;
        if (span == 0) {
            s = strides[d];
            span = dims[d];
        } else if (strides[d] != s * span) {
            return 0;
        } else {
            span *= dims[d];
        }
    }
    *s0 = s;
    return 1;
}

/* A C-ordered copy of the r x c view at p (strides s0, s1), malloc'ed (NULL when out of memory). */
static char *ar_copy2(const char *p, npy_intp r, npy_intp c, npy_intp s0, npy_intp s1, npy_intp es)
{
    char *q = malloc((size_t)(r * c > 0 ? r * c * es : es));
    if (q == NULL) return NULL;
    for (npy_intp i = 0; i < r; i++)
        for (npy_intp j = 0; j < c; j++) memcpy(q + (i * c + j) * es, p + i * s0 + j * s1, (size_t)es);
    return q;
}

/* z (m x n, rows ldz elements apart) = x (m x k) . y (k x n) of strided views through gemm, or gemv
 * when x is a vector (xvec: z is x^T y) or y is one (yvec); a view BLAS cannot take is copied. */
static int ar_dot2(const ar_prog *P, int typenum, npy_intp es, const char *xp, npy_intp m, npy_intp k, npy_intp xs0,
                   npy_intp xs1, int xvec, const char *yp, npy_intp n, npy_intp ys0, npy_intp ys1, int yvec, char *zp,
                   npy_intp ldz)
{
    char *xc = NULL, *yc = NULL;
    char tx, ty;
    int ldx, ldy;
    if (!ar_blas_layout(m, k, xs0, xs1, es, &tx, &ldx)) {
        if ((xc = ar_copy2(xp, m, k, xs0, xs1, es)) == NULL) return ar_nomem(P);
        xp = xc;
        ar_blas_layout(m, k, k * es, es, es, &tx, &ldx);
    }
    if (!ar_blas_layout(k, n, ys0, ys1, es, &ty, &ldy)) {
        if ((yc = ar_copy2(yp, k, n, ys0, ys1, es)) == NULL) {
            free(xc);
            return ar_nomem(P);
        }
        yp = yc;
        ar_blas_layout(k, n, n * es, es, es, &ty, &ldy);
    }
    int im = (int)m, in = (int)n, ik = (int)k, one = 1, ldzi = (int)(ldz > 0 ? ldz : 1);
    double d1[2] = {1.0, 0.0}, d0[2] = {0.0, 0.0}; /* complex alpha, beta: (1, 0) and (0, 0) */
    float f1[2] = {1.0f, 0.0f}, f0[2] = {0.0f, 0.0f};
    int dbl = typenum == NPY_DOUBLE || typenum == NPY_CDOUBLE;
    void *alpha = dbl ? (void *)d1 : (void *)f1;
    void *beta = dbl ? (void *)d0 : (void *)f0;
    ar_gemm_t gemm = typenum == NPY_DOUBLE ? ar_dgemm : typenum == NPY_FLOAT ? ar_sgemm : dbl ? ar_zgemm : ar_cgemm;
    ar_gemv_t gemv = typenum == NPY_DOUBLE ? ar_dgemv : typenum == NPY_FLOAT ? ar_sgemv : dbl ? ar_zgemv : ar_cgemv;
    if (gemm == NULL || gemv == NULL) {
        free(xc);
        free(yc);
        return AR_FAIL;
    }
    if (yvec) {
        /* z[m] = x[m,k] y[k]: Fortran sees x^T (k x m) when tx == 'N' */
        int incy = ty == 'N' ? ldy : 1; /* y is k x 1: its row stride */
        char t = tx == 'N' ? 'T' : 'N';
        int rows = tx == 'N' ? ik : im, cols = tx == 'N' ? im : ik;
        gemv(&t, &rows, &cols, alpha, (char *)xp, &ldx, (char *)yp, &incy, beta, zp, &one);
    } else if (xvec) {
        /* z[n] = x[k] y[k,n] = y^T x: Fortran sees y^T (n x k) when ty == 'N' */
        int incx = tx == 'N' ? 1 : ldx; /* x is 1 x k: its column stride */
        char t = ty == 'N' ? 'N' : 'T';
        int rows = ty == 'N' ? in : ik, cols = ty == 'N' ? ik : in;
        gemv(&t, &rows, &cols, alpha, (char *)yp, &ldy, (char *)xp, &incx, beta, zp, &one);
    } else {
        /* row-major z = x y  <=>  column-major z^T = y^T x^T */
        gemm(&ty, &tx, &in, &im, &ik, alpha, (char *)yp, &ldy, (char *)xp, &ldx, beta, zp, &ldzi);
    }
    free(xc);
    free(yc);
    return AR_OK;
}

/* z = numpy.dot(x, y) for float arrays of any rank >= 1 through BLAS: x's leading axes are the rows of
 * one matrix (copied once when they do not collapse), y's batch axes (all but its last two) one
 * product each, written into z seen as rows x (batches * n).  Unequal summed lengths fail (the
 * perform raises NumPy's error, naming the operands' own shapes). */
static int ar_run_matmul(ar_prog *P, ar_val *V, const int64_t *c, int use_cache);

static int ar_run_dot(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    if (c[5]) return ar_run_matmul(P, V, c, use_cache);
    const ar_val *x = &V[c[1]], *y = &V[c[2]];
    int64_t out = c[3];
    int typenum = (int)c[4];
    npy_intp es = ar_blas_es(typenum);
    int xn = x->nd, yn = y->nd, ya = yn >= 2 ? yn - 2 : 0;
    if (xn < 1 || yn < 1 || xn + yn - 2 > AR_MAXD) return AR_FAIL;
    npy_intp k = x->dims[xn - 1], n = yn >= 2 ? y->dims[yn - 1] : 1, m = 1, nb = 1;
    if (y->dims[ya] != k) return AR_FAIL;
    npy_intp odims[AR_MAXD];
    int ond = 0;
    for (int d = 0; d < xn - 1; d++) m *= (odims[ond++] = x->dims[d]);
    for (int d = 0; d < yn - 2; d++) nb *= (odims[ond++] = y->dims[d]);
    if (yn >= 2) odims[ond++] = n;
    if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX || nb * n > INT32_MAX) return AR_FAIL;
    if (ar_output(P, V, use_cache, out, ond, odims) != AR_OK) return AR_PYERR;
    char *zp = V[out].data;
    if (m == 0 || n == 0 || nb == 0) return AR_OK;
    if (k == 0) {
        memset(zp, 0, (size_t)(m * nb * n * es));
        return AR_OK;
    }
    const char *xp = x->data;
    npy_intp xs0 = 0, xs1 = x->strides[xn - 1];
    char tx;
    int ldx;
    char *xc = NULL;
    if (!ar_collapse(x->dims, x->strides, xn - 1, &xs0) || (nb > 1 && !ar_blas_layout(m, k, xs0, xs1, es, &tx, &ldx))) {
        if ((xc = ar_contig(x, es)) == NULL) return ar_nomem(P);
        xp = xc;
        xs0 = k * es;
        xs1 = es;
    }
    npy_intp ys0 = y->strides[ya], ys1 = yn >= 2 ? y->strides[yn - 1] : 0, pos[AR_MAXD] = {0};
    const char *yp = y->data;
    int rc = AR_OK;
    for (npy_intp b = 0; b < nb && rc == AR_OK; b++) {
        rc = ar_dot2(P, typenum, es, xp, m, k, xs0, xs1, xn == 1, yp, n, ys0, ys1, yn == 1, zp + b * n * es, nb * n);
        for (int d = yn - 3; d >= 0; d--) { /* the next of y's batches */
            yp += y->strides[d];
            if (++pos[d] < y->dims[d]) break;
            yp -= y->strides[d] * y->dims[d];
            pos[d] = 0;
        }
    }
    free(xc);
    return rc;
}

/* z = numpy.matmul(x, y) for BLAS arrays of rank >= 3: the batch axes (all but the last two)
 * broadcast where the operand's type marks them broadcastable (c[6...]: x's batch flags, then y's),
 * one BLAS product per batch into C-ordered z.  Unequal summed lengths or other unequal batch
 * lengths fail (the perform raises the error). */
static int ar_run_matmul(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    const ar_val *x = &V[c[1]], *y = &V[c[2]];
    int64_t out = c[3];
    int typenum = (int)c[4];
    npy_intp es = ar_blas_es(typenum);
    int xn = x->nd, yn = y->nd, bn = (xn > yn ? xn : yn) - 2;
    if (xn < 3 || yn < 3 || bn + 2 > AR_MAXD) return AR_FAIL;
    npy_intp m = x->dims[xn - 2], k = x->dims[xn - 1], n = y->dims[yn - 1], nb = 1;
    npy_intp odims[AR_MAXD], xbs[AR_MAXD], ybs[AR_MAXD], pos[AR_MAXD] = {0};
    if (y->dims[yn - 2] != k || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) return AR_FAIL;
    for (int d = 0; d < bn; d++) {
        int dx = d - (bn - (xn - 2)), dy = d - (bn - (yn - 2));
        npy_intp a = dx >= 0 ? x->dims[dx] : 1, b = dy >= 0 ? y->dims[dy] : 1;
        int xb = dx < 0 || c[6 + dx], yb = dy < 0 || c[6 + (xn - 2) + dy]; /* marked broadcastable */
        if (a != b && !(a == 1 && xb) && !(b == 1 && yb)) return AR_FAIL;
        odims[d] = a == 1 ? b : a;
        xbs[d] = dx >= 0 && a != 1 ? x->strides[dx] : 0;
        ybs[d] = dy >= 0 && b != 1 ? y->strides[dy] : 0;
        nb *= odims[d];
    }
    odims[bn] = m;
    odims[bn + 1] = n;
    if (ar_output(P, V, use_cache, out, bn + 2, odims) != AR_OK) return AR_PYERR;
    char *zp = V[out].data;
    if (nb == 0 || m == 0 || n == 0) return AR_OK;
    if (k == 0) {
        memset(zp, 0, (size_t)(nb * m * n * es));
        return AR_OK;
    }
    const char *xp = x->data, *yp = y->data;
    int rc = AR_OK;
    for (npy_intp b = 0; b < nb && rc == AR_OK; b++) {
        rc = ar_dot2(P, typenum, es, xp, m, k, x->strides[xn - 2], x->strides[xn - 1], 0, yp, n,
                     y->strides[yn - 2], y->strides[yn - 1], 0, zp + b * m * n * es, n);
        for (int d = bn - 1; d >= 0; d--) { /* the next batch */
            xp += xbs[d];
            yp += ybs[d];
            if (++pos[d] < odims[d]) break;
            xp -= xbs[d] * odims[d];
            yp -= ybs[d] * odims[d];
            pos[d] = 0;
        }
    }
    return rc;
}

/* ------------------------------------------------- reshape, take, put */
/* One element of a typed read of an integer array element (for shapes and indices). */
static inline int ar_read_at(const char *p, int typenum, int64_t *out)
{
    switch (typenum) {
    case NPY_INT8: *out = *(const int8_t *)p; return AR_OK;
    case NPY_INT16: *out = *(const int16_t *)p; return AR_OK;
    case NPY_INT32: *out = *(const int32_t *)p; return AR_OK;
    case NPY_INT64: *out = *(const int64_t *)p; return AR_OK;
    case NPY_UINT8: *out = *(const uint8_t *)p; return AR_OK;
    case NPY_UINT16: *out = *(const uint16_t *)p; return AR_OK;
    case NPY_UINT32: *out = *(const uint32_t *)p; return AR_OK;
    case NPY_UINT64: {
        uint64_t u = *(const uint64_t *)p;
        if (u > (uint64_t)INT64_MAX) return AR_FAIL;
        *out = (int64_t)u;
        return AR_OK;
    }
    default:
        if (PyArray_EquivTypenums(typenum, NPY_INT64)) { *out = *(const int64_t *)p; return AR_OK; }
        if (PyArray_EquivTypenums(typenum, NPY_UINT64)) return ar_read_at(p, NPY_UINT64, out);
        return AR_FAIL;
    }
}

static void ar_elem_copy(char *d, const char *s, npy_intp es)
{
    switch (es) {
    case 1: *d = *s; break;
    case 2: memcpy(d, s, 2); break;
    case 4: memcpy(d, s, 4); break;
    case 8: memcpy(d, s, 8); break;
    default: memcpy(d, s, (size_t)es);
    }
}

#define AR_ADD_FN(name, T) static void name(char *d, const char *s, npy_intp es) { (void)es; *(T *)d += *(const T *)s; }
AR_ADD_FN(ar_add_f64, double)
AR_ADD_FN(ar_add_f32, float)
AR_ADD_FN(ar_add_i64, int64_t)
AR_ADD_FN(ar_add_i32, int32_t)
AR_ADD_FN(ar_add_u64, uint64_t)
AR_ADD_FN(ar_add_u32, uint32_t)
static void ar_add_i16(char *d, const char *s, npy_intp es) { (void)es; *(int16_t *)d = (int16_t)(*(int16_t *)d + *(const int16_t *)s); }
static void ar_add_u16(char *d, const char *s, npy_intp es) { (void)es; *(uint16_t *)d = (uint16_t)(*(uint16_t *)d + *(const uint16_t *)s); }
static void ar_add_i8(char *d, const char *s, npy_intp es) { (void)es; *(int8_t *)d = (int8_t)(*(int8_t *)d + *(const int8_t *)s); }
static void ar_add_u8(char *d, const char *s, npy_intp es) { (void)es; *(uint8_t *)d = (uint8_t)(*(uint8_t *)d + *(const uint8_t *)s); }
static void ar_add_bool(char *d, const char *s, npy_intp es) { (void)es; *d = (char)(*d || *s); }
static void ar_add_c128(char *d, const char *s, npy_intp es) { ar_add_f64(d, s, 8); ar_add_f64(d + 8, s + 8, 8); }
static void ar_add_c64(char *d, const char *s, npy_intp es) { ar_add_f32(d, s, 4); ar_add_f32(d + 4, s + 4, 4); }

/* the accumulating add of one element of NumPy dtype kind/itemsize (NULL: not rendered, e.g. float16) */
static ar_elem_fn ar_adder(char kind, npy_intp es)
{
    if (kind == 'f') return es == 8 ? ar_add_f64 : es == 4 ? ar_add_f32 : NULL;
    if (kind == 'c') return es == 16 ? ar_add_c128 : es == 8 ? ar_add_c64 : NULL;
    if (kind == 'b') return ar_add_bool;
    if (kind == 'i') return es == 8 ? ar_add_i64 : es == 4 ? ar_add_i32 : es == 2 ? ar_add_i16 : ar_add_i8;
    if (kind == 'u') return es == 8 ? ar_add_u64 : es == 4 ? ar_add_u32 : es == 2 ? ar_add_u16 : ar_add_u8;
    return NULL;
}

/* dst[...] op= src[...] over an nd-d block (C order), each with its own strides */
static void ar_walk2(int nd, const npy_intp *dims, char *dst, const npy_intp *ds, const char *src,
                     const npy_intp *ss, npy_intp es, ar_elem_fn fn)
{
    if (nd == 0) {
        fn(dst, src, es);
        return;
    }
    npy_intp n = dims[0];
    if (nd == 1) {
        npy_intp a = ds[0], b = ss[0];
        if (fn == ar_elem_copy && a == es && b == es) {
            memcpy(dst, src, (size_t)(n * es));
            return;
        }
        if (fn == ar_elem_copy && es == 8) { /* strided: no call per element */
            for (npy_intp i = 0; i < n; i++) memcpy(dst + i * a, src + i * b, 8);
            return;
        }
        for (npy_intp i = 0; i < n; i++) fn(dst + i * a, src + i * b, es);
        return;
    }
    for (npy_intp i = 0; i < n; i++) ar_walk2(nd - 1, dims + 1, dst + i * ds[0], ds + 1, src + i * ss[0], ss + 1, es, fn);
}

static void ar_c_strides(int nd, const npy_intp *dims, npy_intp es, npy_intp *st)
{
    npy_intp s = es;
    for (int d = nd - 1; d >= 0; d--) {
        st[d] = s;
        s *= dims[d] > 0 ? dims[d] : 1;
    }
}

/* NumPy's no-copy reshape: strides for ``nnd``/``ndims`` over x's memory, or 0 when a copy is needed */
static int ar_reshape_view(const ar_val *x, int nnd, const npy_intp *ndims, npy_intp es, npy_intp *nst)
{
    npy_intp od[AR_MAXD], os[AR_MAXD];
    int ond = 0;
    for (int d = 0; d < x->nd; d++)
        if (x->dims[d] != 1) {
            od[ond] = x->dims[d];
            os[ond++] = x->strides[d];
        }
    int oi = 0, oj = 1, ni = 0, nj = 1;
    while (ni < nnd && oi < ond) {
        npy_intp np_ = ndims[ni], op = od[oi];
        while (np_ != op) {
            if (np_ < op) {
                if (nj >= nnd) return 0;
                np_ *= ndims[nj++];
            } else {
                if (oj >= ond) return 0;
                op *= od[oj++];
            }
        }
        for (int ok = oi; ok < oj - 1; ok++)
            if (os[ok] != od[ok + 1] * os[ok + 1]) return 0;
        nst[nj - 1] = os[oj - 1];
        for (int nk = nj - 1; nk > ni; nk--) nst[nk - 1] = nst[nk] * ndims[nk];
        ni = nj++;
        oi = oj++;
    }
    npy_intp last = ni >= 1 ? nst[ni - 1] : es;
    for (int nk = ni; nk < nnd; nk++) nst[nk] = last;
    return 1;
}

/* S_RESHAPE x shp out ndim itemsize static_dims[ndim] (-1: unknown) */
static int ar_run_reshape(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    const ar_val *x = &V[c[1]], *s = &V[c[2]];
    int64_t out = c[3];
    int nnd = (int)c[4];
    npy_intp es = (npy_intp)c[5];
    const int64_t *stat = c + 6;
    if (x->nd < 0 || s->nd != 1 || s->dims[0] != nnd || nnd > AR_MAXD) return AR_FAIL;
    npy_intp dims[AR_MAXD], st[AR_MAXD], known = 1, size = ar_size(x);
    int free_ax = -1;
    for (int d = 0; d < nnd; d++) {
        int64_t v;
        if (ar_read_at(s->data + d * s->strides[0], (int)P->vtype[c[2]], &v) != AR_OK) return AR_FAIL;
        if (v == -1 && free_ax < 0) {
            free_ax = d;
            continue;
        }
        if (v < 0) return AR_FAIL;
        dims[d] = (npy_intp)v;
        known *= dims[d];
    }
    if (free_ax >= 0) {
        if (known == 0 || size % known) return AR_FAIL;
        dims[free_ax] = size / known;
    } else if (known != size) {
        return AR_FAIL;
    }
    for (int d = 0; d < nnd; d++)
        if (stat[d] >= 0 && stat[d] != dims[d]) return AR_FAIL;
    ar_val *z = &V[out];
    if (size == 0 || ar_reshape_view(x, nnd, dims, es, st)) {
        if (size == 0) ar_c_strides(nnd, dims, es, st);
        ar_alias(z, x, x->data, nnd, dims, st);
        return AR_OK;
    }
    ar_val src = *x; /* a copy in C order (NumPy's reshape of an array no view can express) */
    if (ar_output(P, V, use_cache, out, nnd, dims) != AR_OK) return AR_PYERR;
    npy_intp cs[AR_MAXD];
    ar_c_strides(src.nd, src.dims, es, cs);
    ar_walk2(src.nd, src.dims, V[out].data, cs, src.data, src.strides, es, ar_elem_copy);
    return AR_OK;
}

/* ------------------------------------------------ advanced indexing: one walk for every form
 * x[idx], x[mask], x[i, :, j] and their set/inc list the byte offsets of the positions the index
 * selects (a chunk at a time, from a cursor), and ar_move copies or adds the blocks at those
 * offsets.  A failure is AR_FAIL: the node's perform raises NumPy's error (the output, new
 * storage, is dropped; x itself is never written). */
#define AR_CHUNK 1024

/* a C-order position over some dims and the offsets that follow it (all zero: the start) */
typedef struct {
    npy_intp pos[AR_MAXD], off[AR_MAXD];
} ar_cursor;

/* the index at p, wrapped into [0, n); AR_FAIL when out of bounds */
static inline int ar_index_at(const char *p, int typenum, npy_intp n, npy_intp *out)
{
    int64_t i;
    if (ar_read_at(p, typenum, &i) != AR_OK) return AR_FAIL;
    if (i < 0) i += n;
    if (i < 0 || i >= n) return AR_FAIL;
    *out = (npy_intp)i;
    return AR_OK;
}

/* One C-order step over dims (position pos): each of the np offsets off[j] moves by its strides st[j]. */
static inline void ar_step_pos(int nd, const npy_intp *dims, npy_intp *pos, int np_, npy_intp *off,
                               npy_intp st[][AR_MAXD])
{
    for (int d = nd - 1; d >= 0; d--) {
        for (int j = 0; j < np_; j++) off[j] += st[j][d];
        if (++pos[d] < dims[d]) return;
        for (int j = 0; j < np_; j++) off[j] -= st[j][d] * dims[d];
        pos[d] = 0;
    }
}

/* offs[0..n): the byte offsets of the next n positions (C order, from cursor c) of the walk over
 * dims with strides st */
static void ar_offsets(int nd, const npy_intp *dims, const npy_intp *st, ar_cursor *c, npy_intp n, npy_intp *offs)
{
    npy_intp s[1][AR_MAXD];
    memcpy(s[0], st, nd * sizeof(npy_intp));
    for (npy_intp k = 0; k < n; k++) {
        offs[k] = c->off[0];
        ar_step_pos(nd, dims, c->pos, 1, c->off, s);
    }
}

/* For each position of dims' first nout axes (C order) and each selected k < nb, the block over the
 * other axes: fn(dst + doff(k), src + soff(k)), doff(k) = doffs ? doffs[k] : k * dstep (soff alike). */
static void ar_move(int nout, int nd, const npy_intp *dims, char *dst, const npy_intp *ds, const char *src,
                    const npy_intp *ss, npy_intp nb, const npy_intp *doffs, npy_intp dstep, const npy_intp *soffs,
                    npy_intp sstep, npy_intp es, ar_elem_fn fn)
{
    if (nout > 0) {
        for (npy_intp i = 0; i < dims[0]; i++)
            ar_move(nout - 1, nd - 1, dims + 1, dst + i * ds[0], ds + 1, src + i * ss[0], ss + 1, nb, doffs, dstep,
                    soffs, sstep, es, fn);
        return;
    }
    if (nd == 0 && fn == ar_elem_copy && es == 8) { /* one element per position: no call per element */
        for (npy_intp k = 0; k < nb; k++)
            memcpy(dst + (doffs ? doffs[k] : k * dstep), src + (soffs ? soffs[k] : k * sstep), 8);
        return;
    }
    for (npy_intp k = 0; k < nb; k++)
        ar_walk2(nd, dims, dst + (doffs ? doffs[k] : k * dstep), ds, src + (soffs ? soffs[k] : k * sstep), ss, es, fn);
}

/* y's strides broadcast to the region dims[nd]: 0 on the leading axes y lacks and where its type marks
 * an axis broadcastable and it is 1; AR_FAIL for any other length that differs (the perform's error) */
static int ar_value_strides(int nd, const npy_intp *dims, const ar_val *y, const int64_t *ybc, npy_intp *ys)
{
    if (y->nd > nd) return AR_FAIL;
    for (int d = 0; d < nd; d++) {
        int j = d - (nd - y->nd);
        if (j < 0 || (ybc[j] && y->dims[j] == 1)) ys[d] = 0;
        else if (y->dims[j] == dims[d]) ys[d] = y->strides[j];
        else return AR_FAIL;
    }
    return AR_OK;
}

static npy_intp *ar_offsets_buffer(npy_intp n)
{
    npy_intp *b = (npy_intp *)malloc((size_t)(n > 0 ? n : 1) * sizeof(npy_intp));
    if (b == NULL) PyErr_NoMemory();
    return b;
}

/* The offsets (strides xst over x's first m->nd axes, which must be the mask's shape) of the mask's
 * trues in C order, into a new buffer; *count gets their number.  AR_FAIL: a mismatch; AR_PYERR. */
static int ar_mask_offsets(const ar_val *x, const ar_val *m, const npy_intp *xst, npy_intp **offs, npy_intp *count)
{
    int k = m->nd;
    if (k < 1 || x->nd < k) return AR_FAIL;
    for (int d = 0; d < k; d++)
        if (m->dims[d] != x->dims[d]) return AR_FAIL;
    npy_intp n = ar_size(m), pos[AR_MAXD] = {0}, off[2] = {0, 0}, st[2][AR_MAXD], cnt = 0;
    for (int d = 0; d < k; d++) {
        st[0][d] = m->strides[d];
        st[1][d] = xst[d];
    }
    if ((*offs = ar_offsets_buffer(n)) == NULL) return AR_PYERR;
    for (npy_intp i = 0; i < n; i++) {
        if (m->data[off[0]]) (*offs)[cnt++] = off[1];
        ar_step_pos(k, m->dims, pos, 2, off, st);
    }
    *count = cnt;
    return AR_OK;
}

/* The index of GatherStep: the view x[entries], then p integer arrays on its axes ax[a] (-1: a 0-d bool
 * mask, an axis of length 1 or 0; a mask of rank k stands as its k nonzero() arrays) broadcast together
 * (shape dims[nd], each array's strides st[a]). */
typedef struct {
    int p, nd, at, vnd, rnd, typ[AR_MAXD], ax[AR_MAXD];
    const char *data[AR_MAXD];
    npy_intp dims[AR_MAXD], st[AR_MAXD][AR_MAXD], size;
    char *vdata;
    npy_intp vdims[AR_MAXD], vst[AR_MAXD], rdims[AR_MAXD], rst[AR_MAXD]; /* the view; its axes left */
    int rax[AR_MAXD], nown;
    const int64_t *ent;
    char *own[AR_MAXD]; /* the masks' nonzero() buffers */
} ar_adv;

static void ar_adv_free(ar_adv *A)
{
    for (int j = 0; j < A->nown; j++) free(A->own[j]);
    A->nown = 0;
}

/* A bool mask m over the view's axes ax.. (its rank k): k int64 arrays of its trues' positions (its
 * nonzero(), in a buffer A owns) as index arrays a.. of A; AR_FAIL when its shape is not the axes'. */
static int ar_adv_mask(ar_adv *A, const ar_val *m, int ax, int a, npy_intp shp[][AR_MAXD], npy_intp str[][AR_MAXD],
                       int *nds)
{
    int k = m->nd;
    if (k < 1 || ax + k > A->vnd || a + k > AR_MAXD) return AR_FAIL;
    for (int d = 0; d < k; d++)
        if (m->dims[d] != A->vdims[ax + d]) return AR_FAIL;
    npy_intp n = ar_size(m), cnt = 0, pos[AR_MAXD] = {0}, off = 0, s[1][AR_MAXD];
    memcpy(s[0], m->strides, k * sizeof(npy_intp));
    for (npy_intp i = 0; i < n; i++) {
        cnt += m->data[off] != 0;
        ar_step_pos(k, m->dims, pos, 1, &off, s);
    }
    int64_t *buf = (int64_t *)malloc((size_t)(cnt > 0 ? cnt * k : 1) * sizeof(int64_t));
    if (buf == NULL) return PyErr_NoMemory(), AR_PYERR;
    A->own[A->nown++] = (char *)buf;
    npy_intp t = 0;
    off = 0;
    for (npy_intp i = 0; i < n; i++) {
        if (m->data[off])
            for (int d = 0; d < k; d++) buf[d * cnt + t] = pos[d];
        t += m->data[off] != 0;
        ar_step_pos(k, m->dims, pos, 1, &off, s);
    }
    for (int d = 0; d < k; d++) {
        A->ax[a + d] = ax + d;
        A->typ[a + d] = NPY_INT64;
        A->data[a + d] = (const char *)(buf + d * cnt);
        nds[a + d] = 1;
        shp[a + d][0] = cnt;
        str[a + d][0] = sizeof(int64_t);
    }
    return AR_OK;
}

/* Parse ``at p ax[p] idx[p] entries`` (GatherStep's words) against x; AR_FAIL: bad entries, shapes that
 * do not broadcast. */
static int ar_adv_init(ar_prog *P, ar_val *V, const ar_val *x, const int64_t *w, ar_adv *A)
{
    A->at = (int)w[0];
    A->nown = 0;
    int nin = (int)w[1];
    const int64_t *ax = w + 2, *iv = ax + nin;
    A->ent = iv + nin;
    if (nin > AR_MAXD || ar_sub_view(P, V, x, (int)A->ent[0], A->ent + 1, &A->vdata, &A->vnd, A->vdims, A->vst) != AR_OK)
        return AR_FAIL;
    npy_intp shp[AR_MAXD][AR_MAXD], str[AR_MAXD][AR_MAXD];
    int nds[AR_MAXD], a = 0;
    for (int j = 0; j < nin; j++) {
        const ar_val *v = &V[iv[j]];
        int typ = (int)P->vtype[iv[j]];
        if (ax[j] >= 0 && typ == NPY_BOOL) { /* a mask of rank k: its nonzero() */
            int rc = ar_adv_mask(A, v, (int)ax[j], a, shp, str, nds);
            if (rc != AR_OK) return rc;
            a += v->nd;
            continue;
        }
        if (a >= AR_MAXD) return AR_FAIL;
        A->ax[a] = (int)ax[j];
        A->typ[a] = typ;
        A->data[a] = v->data;
        if (ax[j] < 0) { /* a 0-d bool mask */
            if (v->nd != 0) return AR_FAIL;
            nds[a] = 1;
            shp[a][0] = *v->data != 0;
            str[a][0] = 0;
        } else {
            if (v->nd < 0 || ax[j] >= A->vnd) return AR_FAIL;
            nds[a] = v->nd;
            memcpy(shp[a], v->dims, v->nd * sizeof(npy_intp));
            memcpy(str[a], v->strides, v->nd * sizeof(npy_intp));
        }
        a++;
    }
    A->p = a;
    A->nd = 0;
    for (a = 0; a < A->p; a++)
        if (nds[a] > A->nd) A->nd = nds[a];
    for (int d = 0; d < A->nd; d++) A->dims[d] = 1;
    for (int a = 0; a < A->p; a++) {
        int off = A->nd - nds[a];
        for (int d = 0; d < nds[a]; d++)
            if (shp[a][d] != 1) {
                if (A->dims[off + d] != 1 && A->dims[off + d] != shp[a][d]) return AR_FAIL;
                A->dims[off + d] = shp[a][d];
            }
    }
    A->size = 1;
    for (int d = 0; d < A->nd; d++) A->size *= A->dims[d];
    for (int a = 0; a < A->p; a++) {
        int off = A->nd - nds[a];
        for (int d = 0; d < A->nd; d++)
            A->st[a][d] = d < off || shp[a][d - off] == 1 ? 0 : str[a][d - off];
    }
    A->rnd = 0;
    for (int d = 0; d < A->vnd; d++) {
        int used = 0;
        for (int a = 0; a < A->p; a++) used |= A->ax[a] == d;
        if (!used) {
            A->rax[A->rnd] = d;
            A->rdims[A->rnd] = A->vdims[d];
            A->rst[A->rnd++] = A->vst[d];
        }
    }
    return A->at > A->rnd || A->rnd + A->nd > AR_MAXD ? AR_FAIL : AR_OK;
}

/* The indexed region's shape (the axes left, the broadcast shape before the at-th); its rank. */
static int ar_adv_region(const ar_adv *A, npy_intp *dims)
{
    memcpy(dims, A->rdims, A->at * sizeof(npy_intp));
    memcpy(dims + A->at, A->dims, A->nd * sizeof(npy_intp));
    memcpy(dims + A->at + A->nd, A->rdims + A->at, (A->rnd - A->at) * sizeof(npy_intp));
    return A->rnd + A->nd;
}

/* Region strides rs[nd] split: the axes left (into rest[rnd]) and the broadcast block's step. */
static npy_intp ar_adv_split(const ar_adv *A, const npy_intp *rs, npy_intp *rest, npy_intp es)
{
    memcpy(rest, rs, A->at * sizeof(npy_intp));
    memcpy(rest + A->at, rs + A->at + A->nd, (A->rnd - A->at) * sizeof(npy_intp));
    npy_intp step = es;
    for (int d = A->at; d < A->rnd; d++) step *= A->rdims[d];
    return step;
}

/* The byte offsets, over a view of x's layout with strides vst, of the next n positions (cursor c)
 * the arrays select (C order of their broadcast shape); AR_FAIL for an index out of bounds. */
static int ar_adv_offsets(const ar_adv *A, const npy_intp *vst, ar_cursor *c, npy_intp n, npy_intp *offs)
{
    if (A->p == 1 && A->nd == 1 && A->ax[0] >= 0 && PyArray_EquivTypenums(A->typ[0], NPY_INT64)) {
        const char *q = A->data[0] + c->off[0]; /* one int64 vector (x[idx]): its own loop */
        npy_intp s = A->st[0][0], len = A->vdims[A->ax[0]], xst = vst[A->ax[0]];
        for (npy_intp k = 0; k < n; k++) {
            int64_t i = *(const int64_t *)(q + k * s);
            if (i < 0) i += len;
            if (i < 0 || i >= len) return AR_FAIL;
            offs[k] = (npy_intp)i * xst;
        }
        c->off[0] += n * s;
        return AR_OK;
    }
    npy_intp(*st)[AR_MAXD] = (npy_intp(*)[AR_MAXD])A->st; /* read only */
    for (npy_intp k = 0; k < n; k++) {
        npy_intp o = 0, i;
        for (int a = 0; a < A->p; a++) {
            if (A->ax[a] < 0) continue;
            if (ar_index_at(A->data[a] + c->off[a], A->typ[a], A->vdims[A->ax[a]], &i) != AR_OK) return AR_FAIL;
            o += i * vst[A->ax[a]];
        }
        offs[k] = o;
        ar_step_pos(A->nd, A->dims, c->pos, A->p, c->off, st);
    }
    return AR_OK;
}

/* x[index] into dst (the region, strides ds): chunk by chunk, each position's block copied */
static int ar_adv_gather(const ar_adv *A, char *dst, const npy_intp *ds, npy_intp es)
{
    npy_intp offs[AR_CHUNK], rest[AR_MAXD], step = ar_adv_split(A, ds, rest, es);
    ar_cursor c = {{0}, {0}};
    for (npy_intp k0 = 0; k0 < A->size; k0 += AR_CHUNK) {
        npy_intp n = A->size - k0 < AR_CHUNK ? A->size - k0 : AR_CHUNK;
        if (ar_adv_offsets(A, A->vst, &c, n, offs) != AR_OK) return AR_FAIL;
        ar_move(A->at, A->rnd, A->rdims, dst + k0 * step, rest, A->vdata, A->rst, n, NULL, step, offs, 0, es,
                ar_elem_copy);
    }
    return AR_OK;
}

/* S_GATHER x out itemsize at p ax[p] idx[p] entries: out = x[index] (GatherStep) */
static int ar_run_gather(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    ar_val xs = V[c[1]];
    npy_intp es = (npy_intp)c[3], dims[AR_MAXD], cs[AR_MAXD];
    ar_adv A;
    int rc = ar_adv_init(P, V, &xs, c + 4, &A);
    if (rc == AR_OK) {
        int nd = ar_adv_region(&A, dims);
        rc = ar_output(P, V, use_cache, c[2], nd, dims);
        ar_c_strides(nd, dims, es, cs);
        if (rc == AR_OK) rc = ar_adv_gather(&A, V[c[2]].data, cs, es);
    }
    ar_adv_free(&A);
    return rc;
}

/* S_SCATTER x y out itemsize set kind dupes ynd ybcast[ynd] at p ax[p] idx[p] entries: out = x with
 * x[index] += y (numpy.add.at: repeats accumulate), = y (the last write wins) or, with dupes, += y as
 * NumPy's ``x[index] += y`` (each position from x's value, the last repeat wins) */
static int ar_scatter_with(ar_prog *P, ar_val *V, const int64_t *c, int use_cache, ar_adv *A)
{
    ar_val xs = V[c[1]], yv = V[c[2]], os;
    int64_t out = c[3];
    npy_intp es = (npy_intp)c[4], dims[AR_MAXD], ys[AR_MAXD], cs[AR_MAXD], odims[AR_MAXD], ost[AR_MAXD];
    npy_intp orst[AR_MAXD], srst[AR_MAXD], doffs[AR_CHUNK], soffs[AR_CHUNK];
    int set = (int)c[5], dupes = (int)c[7], ynd = (int)c[8], ond;
    char *odata;
    const int64_t *ybc = c + 9;
    ar_elem_fn fn = set ? ar_elem_copy : ar_adder((char)c[6], es);
    if (fn == NULL || yv.nd != ynd) return AR_FAIL;
    int nd = ar_adv_region(A, dims);
    if (ar_value_strides(nd, dims, &yv, ybc, ys) != AR_OK) return AR_FAIL;
    if (ar_output(P, V, use_cache, out, xs.nd, xs.dims) != AR_OK) return AR_PYERR;
    os = V[out];
    ar_c_strides(xs.nd, xs.dims, es, cs);
    memcpy(os.strides, cs, xs.nd * sizeof(npy_intp));
    if (ar_size(&xs) > 0) ar_walk2(xs.nd, xs.dims, os.data, cs, xs.data, xs.strides, es, ar_elem_copy);
    if (ar_sub_view(P, V, &os, (int)A->ent[0], A->ent + 1, &odata, &ond, odims, ost) != AR_OK) return AR_FAIL;
    const char *src = yv.data;
    char *g = NULL;
    if (dupes) { /* src = x[index] + y, then set: each position once, from x's value */
        npy_intp n = es;
        for (int d = 0; d < nd; d++) n *= dims[d];
        if ((g = (char *)malloc((size_t)(n > 0 ? n : 1))) == NULL) return PyErr_NoMemory(), AR_PYERR;
        ar_c_strides(nd, dims, es, cs);
        if (ar_adv_gather(A, g, cs, es) != AR_OK) {
            free(g);
            return AR_FAIL;
        }
        if (n > 0) ar_walk2(nd, dims, g, cs, yv.data, ys, es, fn);
        memcpy(ys, cs, nd * sizeof(npy_intp));
        src = g;
        fn = ar_elem_copy;
    }
    ar_adv_split(A, ys, srst, es);
    for (int r = 0; r < A->rnd; r++) orst[r] = ost[A->rax[r]];
    ar_cursor cd = {{0}, {0}}, cy = {{0}, {0}};
    int rc = AR_OK;
    for (npy_intp k0 = 0; k0 < A->size && rc == AR_OK; k0 += AR_CHUNK) {
        npy_intp n = A->size - k0 < AR_CHUNK ? A->size - k0 : AR_CHUNK;
        rc = ar_adv_offsets(A, ost, &cd, n, doffs);
        ar_offsets(A->nd, A->dims, ys + A->at, &cy, n, soffs);
        if (rc == AR_OK)
            ar_move(A->at, A->rnd, A->rdims, odata, orst, src, srst, n, doffs, 0, soffs, 0, es, fn);
    }
    free(g);
    return rc;
}

static int ar_run_scatter(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    ar_val xs = V[c[1]];
    ar_adv A;
    int rc = ar_adv_init(P, V, &xs, c + 9 + c[8], &A);
    if (rc == AR_OK) rc = ar_scatter_with(P, V, c, use_cache, &A);
    ar_adv_free(&A);
    return rc;
}

/* S_MASK x mask out itemsize: out = x[mask], mask a bool array over x's first mask.ndim axes */
static int ar_run_mask(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    ar_val xs = V[c[1]], ms = V[c[2]];
    npy_intp es = (npy_intp)c[4], cnt, dims[AR_MAXD], cs[AR_MAXD], *offs;
    int rc = ar_mask_offsets(&xs, &ms, xs.strides, &offs, &cnt), k = ms.nd, rnd = xs.nd - k;
    if (rc != AR_OK) return rc;
    dims[0] = cnt;
    memcpy(dims + 1, xs.dims + k, rnd * sizeof(npy_intp));
    rc = ar_output(P, V, use_cache, c[3], rnd + 1, dims);
    if (rc == AR_OK) {
        ar_c_strides(rnd + 1, dims, es, cs);
        ar_move(0, rnd, xs.dims + k, V[c[3]].data, cs + 1, xs.data, xs.strides + k, cnt, NULL, cs[0], offs, 0, es,
                ar_elem_copy);
    }
    free(offs);
    return rc;
}

/* S_MPUT x y mask out itemsize set kind ynd ybcast[ynd]: out = x with x[mask] += y or = y, y broadcast
 * to the selected region (count,) + x.shape[mask.ndim:] on the axes its type marks broadcastable */
static int ar_run_mput(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    ar_val xs = V[c[1]], yv = V[c[2]], ms = V[c[3]];
    int64_t out = c[4];
    npy_intp es = (npy_intp)c[5], cnt, rdims[AR_MAXD], ys[AR_MAXD], cs[AR_MAXD], *offs;
    int set = (int)c[6], ynd = (int)c[8], k = ms.nd, rnd = xs.nd - k + 1;
    ar_elem_fn fn = set ? ar_elem_copy : ar_adder((char)c[7], es);
    if (fn == NULL || yv.nd != ynd || xs.nd < 0) return AR_FAIL;
    ar_c_strides(xs.nd, xs.dims, es, cs);
    int rc = ar_mask_offsets(&xs, &ms, cs, &offs, &cnt);
    if (rc != AR_OK) return rc;
    rdims[0] = cnt;
    memcpy(rdims + 1, xs.dims + k, (rnd - 1) * sizeof(npy_intp));
    rc = ar_value_strides(rnd, rdims, &yv, c + 9, ys);
    if (rc == AR_OK) rc = ar_output(P, V, use_cache, out, xs.nd, xs.dims);
    if (rc == AR_OK) {
        char *dst = V[out].data;
        if (ar_size(&xs) > 0) ar_walk2(xs.nd, xs.dims, dst, cs, xs.data, xs.strides, es, ar_elem_copy);
        ar_move(0, rnd - 1, xs.dims + k, dst, cs + k, yv.data, ys + 1, cnt, offs, 0, NULL, ys[0], es, fn);
    }
    free(offs);
    return rc;
}

/* S_ALLOC v out itemsize nd vnd shape_vars[nd] vbcast[vnd]: out (shape from the scalars) filled with v */
static int ar_run_alloc(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    const ar_val *v = &V[c[1]];
    int64_t out = c[2];
    npy_intp es = (npy_intp)c[3];
    int nd = (int)c[4], vnd = (int)c[5];
    const int64_t *sv = c + 6, *vbc = sv + nd;
    if (v->nd != vnd || vnd > nd || nd > AR_MAXD) return AR_FAIL;
    npy_intp dims[AR_MAXD], vs[AR_MAXD], cs[AR_MAXD];
    for (int d = 0; d < nd; d++) {
        int64_t n;
        if (ar_read_int(&V[sv[d]], (int)P->vtype[sv[d]], &n) != AR_OK || n < 0) return AR_FAIL;
        dims[d] = (npy_intp)n;
    }
    for (int d = 0; d < nd; d++) {
        int j = d - (nd - vnd);
        if (j < 0 || (vbc[j] && v->dims[j] == 1)) {
            vs[d] = 0;
        } else {
            if (v->dims[j] != dims[d]) return AR_FAIL;
            vs[d] = v->strides[j];
        }
    }
    ar_val vv = *v;
    if (ar_output(P, V, use_cache, out, nd, dims) != AR_OK) return AR_PYERR;
    ar_c_strides(nd, dims, es, cs);
    if (ar_size(&V[out]) > 0) ar_walk2(nd, dims, V[out].data, cs, vv.data, vs, es, ar_elem_copy);
    return AR_OK;
}

/* S_JOIN out axis stacked itemsize nin ins[nin]: the inputs concatenated along axis into a new
   C-contiguous array; stacked: each input is one slab of a new axis (MakeVector's scalars).
   Other axes that differ fail the step (the node's perform raises NumPy's error). */
static int ar_run_join(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    int64_t out = c[1];
    int axis = (int)c[2], stacked = (int)c[3], nin = (int)c[5];
    npy_intp es = (npy_intp)c[4];
    const int64_t *ins = c + 6;
    int nd = V[ins[0]].nd + stacked;
    if (nd < 1 || nd > AR_MAXD || axis >= nd) return AR_FAIL;
    npy_intp dims[AR_MAXD], idims[AR_MAXD], istr[AR_MAXD], cs[AR_MAXD];
    for (int k = 0; k < nin; k++) {
        const ar_val *x = &V[ins[k]];
        if (x->nd + stacked != nd) return AR_FAIL;
        for (int d = 0, j = 0; d < nd; d++) {
            npy_intp n = stacked && d == axis ? 1 : x->dims[j++];
            if (k == 0) dims[d] = n;
            else if (d == axis) dims[d] += n;
            else if (dims[d] != n) return AR_FAIL;
        }
    }
    if (ar_output(P, V, use_cache, out, nd, dims) != AR_OK) return AR_PYERR;
    ar_c_strides(nd, dims, es, cs);
    char *dst = V[out].data;
    for (int k = 0; k < nin; k++) {
        const ar_val *x = &V[ins[k]];
        for (int d = 0, j = 0; d < nd; d++) {
            if (stacked && d == axis) {
                idims[d] = 1;
                istr[d] = 0;
            } else {
                idims[d] = x->dims[j];
                istr[d] = x->strides[j++];
            }
        }
        npy_intp n = 1;
        for (int d = 0; d < nd; d++) n *= idims[d];
        if (n > 0) ar_walk2(nd, idims, dst, cs, x->data, istr, es, ar_elem_copy);
        dst += idims[axis] * cs[axis];
    }
    return AR_OK;
}

/* S_INCSUB x y out itemsize set kind ynd ybcast[ynd] nent entries...: a C-contiguous copy of x
   whose region x[entries] is set to / incremented by y, broadcast to the region along the axes
   y's type marks broadcastable (else AR_FAIL: the node's perform raises the error). */
static int ar_run_incsub(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    const ar_val *x = &V[c[1]], *y = &V[c[2]];
    int64_t out = c[3];
    npy_intp es = (npy_intp)c[4];
    int set = (int)c[5];
    ar_elem_fn fn = set ? ar_elem_copy : ar_adder((char)c[6], es);
    int ynd = (int)c[7];
    const int64_t *ybc = c + 8, *ent = c + 9 + ynd;
    int nent = (int)c[8 + ynd];
    if (fn == NULL || x->nd < 0 || y->nd != ynd) return AR_FAIL;
    npy_intp rd[AR_MAXD], rs[AR_MAXD], ys[AR_MAXD], cs[AR_MAXD];
    char *rdata;
    int rnd;
    /* the region's shape from x itself: the bounds are checked before anything is written */
    if (ar_sub_view(P, V, x, nent, ent, &rdata, &rnd, rd, rs) != AR_OK) return AR_FAIL;
    if (ar_value_strides(rnd, rd, y, ybc, ys) != AR_OK) return AR_FAIL;
    ar_val xv = *x, yv = *y;
    if (ar_output(P, V, use_cache, out, xv.nd, xv.dims) != AR_OK) return AR_PYERR;
    ar_val *z = &V[out];
    ar_c_strides(xv.nd, xv.dims, es, cs);
    if (ar_size(z) == 0) return AR_OK;
    ar_walk2(xv.nd, xv.dims, z->data, cs, xv.data, xv.strides, es, ar_elem_copy);
    if (ar_sub_view(P, V, z, nent, ent, &rdata, &rnd, rd, rs) != AR_OK) return AR_FAIL;
    npy_intp n = 1;
    for (int d = 0; d < rnd; d++) n *= rd[d];
    if (n > 0) ar_walk2(rnd, rd, rdata, rs, yv.data, ys, es, fn);
    return AR_OK;
}

/* argmax/argmin of n elements at stride s: NumPy's rules (the first extreme; the first NaN wins).
   Unit stride runs in blocks: each block's extreme and whether it holds a NaN, over AR_ARG_LANES
   independent lanes (a loop gcc vectorises), then the first position of the winning value in the
   first block that reached it (or of the first NaN in the first block that has one). */
#define AR_ARG_BLOCK 1024
#define AR_ARG_LANES 8
typedef npy_intp (*ar_arg_fn)(const char *p, npy_intp n, npy_intp s);
#define AR_ARG_FN(T, sfx, name, BETTER)                                                          \
    static npy_intp ar_##name##_unit_##sfx(const T *x, npy_intp n)                               \
    {                                                                                            \
        T best = x[0];                                                                           \
        npy_intp from = 0;                                                                       \
        for (npy_intp b = 0; b < n; b += AR_ARG_BLOCK) {                                         \
            const T *q = x + b;                                                                  \
            npy_intp e = n - b < AR_ARG_BLOCK ? n - b : AR_ARG_BLOCK, i = 0;                     \
            T m[AR_ARG_LANES];                                                                   \
            int nan[AR_ARG_LANES];                                                               \
            for (int j = 0; j < AR_ARG_LANES; j++) {                                             \
                m[j] = q[0];                                                                     \
                nan[j] = 0;                                                                      \
            }                                                                                    \
            for (; i + AR_ARG_LANES <= e; i += AR_ARG_LANES)                                     \
                for (int j = 0; j < AR_ARG_LANES; j++) {                                         \
                    T v = q[i + j];                                                              \
                    m[j] = BETTER(v, m[j]) ? v : m[j];                                           \
                    nan[j] |= v != v;                                                            \
                }                                                                                \
            T bm = m[0];                                                                         \
            int any = 0;                                                                         \
            for (int j = 0; j < AR_ARG_LANES; j++) {                                             \
                bm = BETTER(m[j], bm) ? m[j] : bm;                                               \
                any |= nan[j];                                                                   \
            }                                                                                    \
            for (; i < e; i++) {                                                                 \
                bm = BETTER(q[i], bm) ? q[i] : bm;                                               \
                any |= q[i] != q[i];                                                             \
            }                                                                                    \
            if (any)                                                                             \
                for (i = 0;; i++)                                                                \
                    if (q[i] != q[i]) return b + i;                                              \
            if (BETTER(bm, best)) {                                                              \
                best = bm;                                                                       \
                from = b;                                                                        \
            }                                                                                    \
        }                                                                                        \
        for (npy_intp i = from;; i++)                                                            \
            if (x[i] == best) return i;                                                          \
    }                                                                                            \
    static npy_intp ar_##name##_##sfx(const char *p, npy_intp n, npy_intp s)                     \
    {                                                                                            \
        if (s == (npy_intp)sizeof(T)) return ar_##name##_unit_##sfx((const T *)p, n);            \
        T best = *(const T *)p;                                                                  \
        npy_intp at = 0;                                                                         \
        if (best != best) return 0;                                                              \
        for (npy_intp i = 1; i < n; i++) {                                                       \
            T v = *(const T *)(p + i * s);                                                       \
            if (BETTER(v, best) || v != v) {                                                     \
                best = v;                                                                        \
                at = i;                                                                          \
                if (v != v) break;                                                               \
            }                                                                                    \
        }                                                                                        \
        return at;                                                                               \
    }
#define AR_GREATER(a, b) ((a) > (b))
#define AR_LESS(a, b) ((a) < (b))
#define AR_ARG_FNS(T, sfx) AR_ARG_FN(T, sfx, argmax, AR_GREATER) AR_ARG_FN(T, sfx, argmin, AR_LESS)
AR_ARG_FNS(double, f8)
AR_ARG_FNS(float, f4)
AR_ARG_FNS(int64_t, i8)
AR_ARG_FNS(int32_t, i4)
AR_ARG_FNS(int16_t, i2)
AR_ARG_FNS(int8_t, i1)
AR_ARG_FNS(uint64_t, u8)
AR_ARG_FNS(uint32_t, u4)
AR_ARG_FNS(uint16_t, u2)
AR_ARG_FNS(uint8_t, u1)

static ar_arg_fn ar_arg_for(char kind, npy_intp es, int is_min)
{
#define AR_PICK(sfx) (is_min ? ar_argmin_##sfx : ar_argmax_##sfx)
    if (kind == 'f') return es == 8 ? AR_PICK(f8) : es == 4 ? AR_PICK(f4) : NULL;
    if (kind == 'i') return es == 8 ? AR_PICK(i8) : es == 4 ? AR_PICK(i4) : es == 2 ? AR_PICK(i2) : AR_PICK(i1);
    if (kind == 'u' || kind == 'b') return es == 8 ? AR_PICK(u8) : es == 4 ? AR_PICK(u4) : es == 2 ? AR_PICK(u2) : AR_PICK(u1);
    return NULL;
#undef AR_PICK
}

static int ar_is_c_contig(const ar_val *x, npy_intp es)
{
    npy_intp acc = es;
    for (int d = x->nd - 1; d >= 0; d--) {
        if (x->dims[d] != 1 && x->strides[d] != acc) return 0;
        acc *= x->dims[d];
    }
    return 1;
}

/* S_ARG x out is_min axis(-1: all) kind itemsize: int64 positions of the extreme, as np.argmax/argmin */
static int ar_run_arg(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    const ar_val *x = &V[c[1]];
    int64_t out = c[2];
    int is_min = (int)c[3], axis = (int)c[4];
    npy_intp es = (npy_intp)c[6];
    ar_arg_fn fn = ar_arg_for((char)c[5], es, is_min);
    if (fn == NULL || x->nd < 0 || axis >= x->nd) return AR_FAIL;
    ar_val xs = *x;
    npy_intp size = ar_size(&xs);
    if (axis < 0) {
        if (size == 0) return AR_FAIL;
        if (ar_output(P, V, use_cache, out, 0, NULL) != AR_OK) return AR_PYERR;
        int64_t *z = (int64_t *)V[out].data;
        if (xs.nd == 0 || ar_is_c_contig(&xs, es)) {
            *z = xs.nd == 0 ? 0 : (int64_t)fn(xs.data, size, es);
            return AR_OK;
        }
        /* C order over rows of the last axis; each row's extreme against the best so far */
        npy_intp last = xs.dims[xs.nd - 1], ls = xs.strides[xs.nd - 1], pos[AR_MAXD] = {0};
        npy_intp rows = size / last, best_at = 0;
        const char *best = NULL, *row = xs.data;
        char pair[64];
        for (npy_intp r = 0; r < rows; r++) {
            npy_intp i = fn(row, last, ls);
            const char *cand = row + i * ls;
            if (best == NULL) {
                best = cand;
                best_at = r * last + i;
            } else {
                memcpy(pair, best, es);
                memcpy(pair + es, cand, es);
                if (fn(pair, 2, es) == 1) {
                    best = cand;
                    best_at = r * last + i;
                }
            }
            for (int d = xs.nd - 2; d >= 0; d--) {
                row += xs.strides[d];
                if (++pos[d] < xs.dims[d]) break;
                row -= xs.strides[d] * xs.dims[d];
                pos[d] = 0;
            }
        }
        *z = (int64_t)best_at;
        return AR_OK;
    }
    npy_intp n = xs.dims[axis], s = xs.strides[axis], odims[AR_MAXD], ost[AR_MAXD], pos[AR_MAXD] = {0};
    int ond = 0;
    for (int d = 0; d < xs.nd; d++)
        if (d != axis) {
            odims[ond] = xs.dims[d];
            ost[ond++] = xs.strides[d];
        }
    npy_intp nout = 1;
    for (int d = 0; d < ond; d++) nout *= odims[d];
    if (n == 0 && nout > 0) return AR_FAIL;
    if (ar_output(P, V, use_cache, out, ond, odims) != AR_OK) return AR_PYERR;
    int64_t *z = (int64_t *)V[out].data;
    const char *p = xs.data;
    for (npy_intp k = 0; k < nout; k++) {
        z[k] = (int64_t)fn(p, n, s);
        for (int d = ond - 1; d >= 0; d--) {
            p += ost[d];
            if (++pos[d] < odims[d]) break;
            p -= ost[d] * odims[d];
            pos[d] = 0;
        }
    }
    return AR_OK;
}

/* cumulative sum/product of one row: z[i] = acc = acc op x[i], acc carried in and out.  Floats keep
 * their type (NumPy's accumulate loop); integers and bools accumulate as int64/uint64 (wrapping). */
typedef struct {
    char in_kind, out_kind; /* 'f' (same type), 'i', 'u' (read as signed / unsigned, out 64-bit) */
    npy_intp in_es;
    int mul;
    double d;
    float f;
    uint64_t u;
} ar_cum;

static inline uint64_t ar_read_u64(const char *p, char kind, npy_intp es)
{
    switch (es) {
    case 1: return kind == 'i' ? (uint64_t)(int64_t) * (const int8_t *)p : *(const uint8_t *)p;
    case 2: return kind == 'i' ? (uint64_t)(int64_t) * (const int16_t *)p : *(const uint16_t *)p;
    case 4: return kind == 'i' ? (uint64_t)(int64_t) * (const int32_t *)p : *(const uint32_t *)p;
    default: return *(const uint64_t *)p;
    }
}

/* S_IDOT x y out xkind xes ykind yes zes: numpy.dot of integer arrays of any rank: products of x's
 * last axis with y's second-to-last (its only one when 1-d), summed in 64 bits (wrapping), stored
 * in the output's width (the same residue as NumPy's own wrapping loop).  Unequal summed lengths fail (the perform raises NumPy's error). */
static int ar_run_idot(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    const ar_val *x = &V[c[1]], *y = &V[c[2]];
    int64_t out = c[3];
    char xk = (char)c[4], yk = (char)c[6];
    npy_intp xes = (npy_intp)c[5], yes = (npy_intp)c[7], zes = (npy_intp)c[8];
    if (x->nd < 1 || y->nd < 1 || x->nd + y->nd - 2 > AR_MAXD) return AR_FAIL;
    int ya = y->nd >= 2 ? y->nd - 2 : 0;
    npy_intp n = x->dims[x->nd - 1], xsk = x->strides[x->nd - 1], ysk = y->strides[ya];
    if (y->dims[ya] != n) return AR_FAIL;
    npy_intp odims[AR_MAXD], xst[AR_MAXD], yst[AR_MAXD], pos[AR_MAXD] = {0}, nout = 1;
    int ond = 0;
    for (int d = 0; d < x->nd - 1; d++, ond++) {
        odims[ond] = x->dims[d];
        xst[ond] = x->strides[d];
        yst[ond] = 0;
    }
    for (int d = 0; d < y->nd; d++)
        if (d != ya) {
            odims[ond] = y->dims[d];
            xst[ond] = 0;
            yst[ond++] = y->strides[d];
        }
    for (int d = 0; d < ond; d++) nout *= odims[d];
    if (ar_output(P, V, use_cache, out, ond, odims) != AR_OK) return AR_PYERR;
    char *z = V[out].data;
    const char *px = x->data, *py = y->data;
    for (npy_intp k = 0; k < nout; k++, z += zes) {
        uint64_t acc = 0;
        for (npy_intp i = 0; i < n; i++)
            acc += ar_read_u64(px + i * xsk, xk, xes) * ar_read_u64(py + i * ysk, yk, yes);
        switch (zes) {
        case 1: *(uint8_t *)z = (uint8_t)acc; break;
        case 2: *(uint16_t *)z = (uint16_t)acc; break;
        case 4: *(uint32_t *)z = (uint32_t)acc; break;
        default: *(uint64_t *)z = acc;
        }
        for (int d = ond - 1; d >= 0; d--) {
            px += xst[d];
            py += yst[d];
            if (++pos[d] < odims[d]) break;
            px -= xst[d] * odims[d];
            py -= yst[d] * odims[d];
            pos[d] = 0;
        }
    }
    return AR_OK;
}

static void ar_cum_row(ar_cum *a, const char *x, npy_intp n, npy_intp xs, char *z, npy_intp zs)
{
    if (a->in_kind == 'f' && a->in_es == 8) {
        double acc = a->d;
        for (npy_intp i = 0; i < n; i++) {
            double v = *(const double *)(x + i * xs);
            acc = a->mul ? acc * v : acc + v;
            *(double *)(z + i * zs) = acc;
        }
        a->d = acc;
    } else if (a->in_kind == 'f') {
        float acc = a->f;
        for (npy_intp i = 0; i < n; i++) {
            float v = *(const float *)(x + i * xs);
            acc = a->mul ? acc * v : acc + v;
            *(float *)(z + i * zs) = acc;
        }
        a->f = acc;
    } else {
        uint64_t acc = a->u; /* two's complement: the same bits as int64 arithmetic */
        for (npy_intp i = 0; i < n; i++) {
            uint64_t v = ar_read_u64(x + i * xs, a->in_kind, a->in_es);
            acc = a->mul ? acc * v : acc + v;
            *(uint64_t *)(z + i * zs) = acc;
        }
        a->u = acc;
    }
}

static void ar_cum_reset(ar_cum *a)
{
    a->d = a->mul ? 1.0 : -0.0; /* -0.0 + x is x for every x, the sign of a zero included */
    a->f = a->mul ? 1.0f : -0.0f;
    a->u = a->mul ? 1 : 0;
}

/* S_CUM x out mul axis(-1: flattened) in_kind in_itemsize out_itemsize */
static int ar_run_cum(ar_prog *P, ar_val *V, const int64_t *c, int use_cache)
{
    const ar_val *x = &V[c[1]];
    int64_t out = c[2];
    int axis = (int)c[4];
    ar_cum a = {(char)c[5], (char)c[5], (npy_intp)c[6], (int)c[3], 0, 0, 0};
    npy_intp oes = (npy_intp)c[7];
    if (x->nd < 0 || axis >= x->nd) return AR_FAIL;
    ar_val xs = *x;
    npy_intp size = ar_size(&xs);
    ar_cum_reset(&a);
    if (axis < 0) {
        if (ar_output(P, V, use_cache, out, 1, &size) != AR_OK) return AR_PYERR;
        char *z = V[out].data;
        if (xs.nd == 0) {
            ar_cum_row(&a, xs.data, 1, 0, z, oes);
            return AR_OK;
        }
        if (size == 0) return AR_OK;
        npy_intp last = xs.dims[xs.nd - 1], ls = xs.strides[xs.nd - 1], pos[AR_MAXD] = {0};
        const char *row = xs.data;
        for (npy_intp r = 0; r < size / last; r++) {
            ar_cum_row(&a, row, last, ls, z + r * last * oes, oes);
            for (int d = xs.nd - 2; d >= 0; d--) {
                row += xs.strides[d];
                if (++pos[d] < xs.dims[d]) break;
                row -= xs.strides[d] * xs.dims[d];
                pos[d] = 0;
            }
        }
        return AR_OK;
    }
    if (ar_output(P, V, use_cache, out, xs.nd, xs.dims) != AR_OK) return AR_PYERR;
    npy_intp cs[AR_MAXD], odims[AR_MAXD], xst[AR_MAXD], zst[AR_MAXD], pos[AR_MAXD] = {0};
    ar_c_strides(xs.nd, xs.dims, oes, cs);
    int ond = 0;
    for (int d = 0; d < xs.nd; d++)
        if (d != axis) {
            odims[ond] = xs.dims[d];
            xst[ond] = xs.strides[d];
            zst[ond++] = cs[d];
        }
    if (size == 0) return AR_OK;
    npy_intp nrows = size / xs.dims[axis];
    const char *p = xs.data;
    char *z = V[out].data;
    for (npy_intp k = 0; k < nrows; k++) {
        ar_cum_reset(&a);
        ar_cum_row(&a, p, xs.dims[axis], xs.strides[axis], z, cs[axis]);
        for (int d = ond - 1; d >= 0; d--) {
            p += xst[d];
            z += zst[d];
            if (++pos[d] < odims[d]) break;
            p -= xst[d] * odims[d];
            z -= zst[d] * odims[d];
            pos[d] = 0;
        }
    }
    return AR_OK;
}

/* ------------------------------------------------------------- fallback */
static int ar_run_fallback(ar_prog *P, ar_val *V, const int64_t *c)
{
    PyObject *fn = PyTuple_GET_ITEM(P->objs, c[1]);
    int nin = (int)c[2], nout = (int)c[3];
    const int64_t *ins = c + 4, *outs = ins + nin;
    PyObject *small[16];
    PyObject **args = nin <= 16 ? small : PyMem_Malloc(nin * sizeof(PyObject *));
    if (args == NULL) {
        PyErr_NoMemory();
        return AR_PYERR;
    }
    int i;
    for (i = 0; i < nin; i++) {
        args[i] = ar_materialize(&V[ins[i]], (int)P->vtype[ins[i]]);
        if (args[i] == NULL) break;
    }
    PyObject *res = NULL;
    if (i == nin) res = PyObject_Vectorcall(fn, args, nin, NULL);
    for (int j = 0; j < i; j++) Py_DECREF(args[j]);
    if (args != small) PyMem_Free(args);
    if (res == NULL) return AR_PYERR;
    int rc = AR_OK;
    for (int j = 0; j < nout && rc == AR_OK; j++) {
        PyObject *o = nout == 1 ? res : (PyTuple_Check(res) && PyTuple_GET_SIZE(res) == nout ? PyTuple_GET_ITEM(res, j) : NULL);
        int64_t var = outs[j];
        if (o == NULL) {
            PyErr_SetString(PyExc_TypeError, "arignote c runtime: a fallback returned the wrong number of outputs");
            rc = AR_PYERR;
        } else if (P->vtype[var] < 0) {
            ar_set_object(&V[var], o);
        } else if (AR_GOOD(o, P->vtype[var], P->vnd[var])) {
            ar_set_array(&V[var], (PyArrayObject *)o);
        } else {
            PyErr_Format(PyExc_TypeError, "arignote c runtime: a fallback produced %R for an array of type %d and %d dims",
                         (PyObject *)Py_TYPE(o), (int)P->vtype[var], (int)P->vnd[var]);
            rc = AR_PYERR;
        }
    }
    Py_DECREF(res);
    return rc;
}

/* ------------------------------------------------------------------ scan */
/* A Scan node whose inner graph is itself a program of this runtime: the whole loop runs here,
 * one pass of the inner program's steps per iteration (an inner node without a kernel still
 * calls its Python perform, for that node only).  Layout (see backends/c/scan.py):
 *   S_SCAN, fallback, nin, nout, ins (n_steps, sequences, initial states, non-sequences), outs,
 *   inner thunk, nseq, nrec, nnit, as_while, nns,
 *   per sequence: ntaps, taps; per recurrent output: ntaps, taps, store; per nit_sot output: store.
 * Unusual cases (no steps, bad lengths, a step changing a shape) run the fallback: the NumPy
 * reference loop, which gives Theano's results and error messages. */
static int ar_run_steps(ar_prog *P, ar_val *V, int use_cache);
static int ar_run_fallback(ar_prog *P, ar_val *V, const int64_t *c);


typedef struct {
    PyArrayObject *buf;
    npy_intp slots, lead, keep, slotbytes, esize;
    int nd, typenum;
    npy_intp dims[AR_MAXD], strides[AR_MAXD];
} ar_ring;

/* copy a slot's value into contiguous memory */
static void ar_copy_out(char *dst, const ar_val *src, npy_intp esize)
{
    int nd = src->nd, contig = 1;
    npy_intp expect = esize, n = ar_size(src);
    for (int d = nd - 1; d >= 0; d--) {
        if (src->dims[d] != 1 && src->strides[d] != expect) {
            contig = 0;
            break;
        }
        expect *= src->dims[d];
    }
    if (contig) {
        memcpy(dst, src->data, n * esize);
        return;
    }
    npy_intp idx[AR_MAXD] = {0};
    for (npy_intp k = 0; k < n; k++) {
        const char *p = src->data;
        for (int d = 0; d < nd; d++) p += idx[d] * src->strides[d];
        memcpy(dst + k * esize, p, esize);
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < src->dims[d]) break;
            idx[d] = 0;
        }
    }
}

static int ar_ring_alloc(ar_ring *r, int nd, const npy_intp *dims, int typenum, npy_intp total)
{
    PyArray_Descr *descr = PyArray_DescrFromType(typenum);
    if (descr == NULL) return AR_PYERR;
    r->esize = PyDataType_ELSIZE(descr);
    Py_DECREF(descr);
    r->nd = nd;
    r->typenum = typenum;
    npy_intp sb = r->esize;
    for (int d = nd - 1; d >= 0; d--) {
        r->dims[d] = dims[d];
        r->strides[d] = sb;
        sb *= dims[d];
    }
    r->slotbytes = sb;
    npy_intp want = r->lead + 1 > r->keep ? r->lead + 1 : r->keep;
    r->slots = r->keep == 0 ? total : (total < want ? total : want);
    npy_intp bd[AR_MAXD + 1];
    bd[0] = r->slots > 0 ? r->slots : 1;
    memcpy(bd + 1, dims, nd * sizeof(npy_intp));
    r->buf = (PyArrayObject *)PyArray_EMPTY(nd + 1, bd, typenum, 0);
    return r->buf == NULL ? AR_PYERR : AR_OK;
}

static inline int ar_same_shape(const ar_val *v, const ar_ring *r)
{
    if (v->nd != r->nd) return 0;
    for (int d = 0; d < r->nd; d++)
        if (v->dims[d] != r->dims[d]) return 0;
    return 1;
}

static inline void ar_ring_slot(ar_val *d, ar_ring *r, npy_intp m)
{
    Py_INCREF(r->buf);
    Py_XSETREF(d->obj, (PyObject *)r->buf);
    d->data = PyArray_BYTES(r->buf) + (m % r->slots) * r->slotbytes;
    d->nd = r->nd;
    memcpy(d->dims, r->dims, r->nd * sizeof(npy_intp));
    memcpy(d->strides, r->strides, r->nd * sizeof(npy_intp));
}

/* the history entries first..count-1 of a ring, as a new array (or a view of the whole buffer) */
static PyObject *ar_ring_result(ar_ring *r, npy_intp count)
{
    npy_intp first = r->lead; /* never an initial tap: out[-1] after no step is out of range */
    if (r->keep > 0 && count - r->keep > first) first = count - r->keep;
    npy_intp len = count - first;
    npy_intp dims[AR_MAXD + 1];
    dims[0] = len;
    memcpy(dims + 1, r->dims, r->nd * sizeof(npy_intp));
    if (r->keep == 0) { /* every entry is in place: a view of the buffer */
        npy_intp st[AR_MAXD + 1];
        st[0] = r->slotbytes;
        memcpy(st + 1, r->strides, r->nd * sizeof(npy_intp));
        PyArray_Descr *descr = PyArray_DescrFromType(r->typenum);
        if (descr == NULL) return NULL;
        PyObject *a = PyArray_NewFromDescr(&PyArray_Type, descr, r->nd + 1, dims, st,
                                           PyArray_BYTES(r->buf) + first * r->slotbytes, NPY_ARRAY_WRITEABLE, NULL);
        if (a == NULL) return NULL;
        Py_INCREF(r->buf);
        if (PyArray_SetBaseObject((PyArrayObject *)a, (PyObject *)r->buf) < 0) {
            Py_DECREF(a);
            return NULL;
        }
        return a;
    }
    PyArrayObject *a = (PyArrayObject *)PyArray_EMPTY(r->nd + 1, dims, r->typenum, 0);
    if (a == NULL) return NULL;
    for (npy_intp m = first; m < count; m++)
        memcpy(PyArray_BYTES(a) + (m - first) * r->slotbytes, PyArray_BYTES(r->buf) + (m % r->slots) * r->slotbytes,
               r->slotbytes);
    return (PyObject *)a;
}

static int ar_run_scan(ar_prog *P, ar_val *V, const int64_t *c)
{
    int nin = (int)c[2], nout = (int)c[3];
    const int64_t *ins = c + 4, *outs = ins + nin, *q = outs + nout;
    PyObject *fn = PyTuple_GET_ITEM(P->objs, q[0]);
    ar_prog *Q = (ar_prog *)PyCapsule_GetPointer(PyCFunction_GET_SELF(fn), NULL);
    if (Q == NULL) return AR_PYERR;
    int nseq = (int)q[1], nrec = (int)q[2], nnit = (int)q[3], as_while = (int)q[4], nns = (int)q[5];
    const int64_t *seqv = ins + 1, *initv = seqv + nseq, *nsv = initv + nrec;
    const int64_t *p = q + 6;
    const int64_t *seq_taps[nseq + 1];
    int seq_nt[nseq + 1];
    for (int i = 0; i < nseq; i++) {
        seq_nt[i] = (int)p[0];
        seq_taps[i] = p + 1;
        p += 1 + p[0];
    }
    const int64_t *rec_taps[nrec + 1];
    int rec_nt[nrec + 1];
    ar_ring rings[nrec + nnit + 1];
    memset(rings, 0, sizeof(rings));
    for (int j = 0; j < nrec; j++) {
        rec_nt[j] = (int)p[0];
        rec_taps[j] = p + 1;
        rings[j].lead = -p[1];
        rings[j].keep = p[1 + p[0]];
        p += 2 + p[0];
    }
    for (int k = 0; k < nnit; k++) rings[nrec + k].keep = p[k];
    /* the number of steps */
    int64_t n;
    if (ar_read_int(&V[ins[0]], (int)P->vtype[ins[0]], &n) != AR_OK) return ar_run_fallback(P, V, c);
    int64_t nreq = n;
    for (int i = 0; i < nseq; i++) {
        const ar_val *s = &V[seqv[i]];
        int64_t avail = s->dims[0] - (seq_taps[i][seq_nt[i] - 1] - seq_taps[i][0]);
        if (avail < 0 || (nreq >= 0 && avail < nreq)) return ar_run_fallback(P, V, c);
        if (n < 0 || avail < n) n = avail;
    }
    if (n <= 0) return ar_run_fallback(P, V, c); /* no steps (or unknown): the reference shapes the outputs */
    for (int j = 0; j < nrec; j++) {
        const ar_val *x0 = &V[initv[j]];
        if (x0->nd < 1 || x0->dims[0] < rings[j].lead) return ar_run_fallback(P, V, c);
    }
    ar_val *QV;
    int inner_cache = !Q->busy;
    if (inner_cache) {
        QV = Q->vals;
        Q->busy = 1;
    } else {
        QV = PyMem_Calloc(Q->nvars > 0 ? Q->nvars : 1, sizeof(ar_val));
        if (QV == NULL) return (PyErr_NoMemory(), AR_PYERR);
    }
    int rc = AR_OK;
    for (int j = 0; j < nrec && rc == AR_OK; j++) {
        const ar_val *x0 = &V[initv[j]];
        rc = ar_ring_alloc(&rings[j], x0->nd - 1, x0->dims + 1, (int)P->vtype[initv[j]], rings[j].lead + n);
        for (npy_intp m = 0; rc == AR_OK && m < rings[j].lead; m++) {
            ar_val e = *x0;
            e.data = x0->data + m * x0->strides[0];
            e.nd = x0->nd - 1;
            memmove(e.dims, x0->dims + 1, e.nd * sizeof(npy_intp));
            memmove(e.strides, x0->strides + 1, e.nd * sizeof(npy_intp));
            ar_copy_out(PyArray_BYTES(rings[j].buf) + (m % rings[j].slots) * rings[j].slotbytes, &e, rings[j].esize);
        }
    }
    char *kept = PyMem_Calloc(Q->nvars > 0 ? Q->nvars : 1, 1);
    if (kept == NULL && rc == AR_OK) rc = (PyErr_NoMemory(), AR_PYERR);
    for (int i = 0; i < Q->nconst && rc == AR_OK; i++) {
        int64_t var = Q->consts[2 * i];
        PyObject *o = PyTuple_GET_ITEM(Q->objs, Q->consts[2 * i + 1]);
        kept[var] = 1;
        if (Q->vtype[var] < 0) ar_set_object(&QV[var], o);
        else ar_set_array(&QV[var], (PyArrayObject *)o);
    }
    /* the inner inputs are bound once (objects, shapes, strides); each step only moves their data
     * pointers: base + idx * step, idx wrapping at mod (ring slots) */
    int nq = Q->nin > 0 ? Q->nin : 1;
    char **bases = PyMem_Malloc(nq * sizeof(char *));
    npy_intp *steps = PyMem_Malloc(nq * sizeof(npy_intp)), *idx = PyMem_Malloc(nq * sizeof(npy_intp)),
             *mods = PyMem_Malloc(nq * sizeof(npy_intp));
    if ((bases == NULL || steps == NULL || idx == NULL || mods == NULL) && rc == AR_OK) rc = (PyErr_NoMemory(), AR_PYERR);
    int k = 0;
    for (int i = 0; i < nseq && rc == AR_OK; i++) {
        const ar_val *s = &V[seqv[i]];
        for (int a = 0; a < seq_nt[i]; a++, k++) {
            ar_val *d = &QV[Q->ins[k]];
            Py_INCREF(s->obj);
            Py_XSETREF(d->obj, s->obj);
            d->nd = s->nd - 1;
            memcpy(d->dims, s->dims + 1, d->nd * sizeof(npy_intp));
            memcpy(d->strides, s->strides + 1, d->nd * sizeof(npy_intp));
            bases[k] = s->data;
            steps[k] = s->strides[0];
            idx[k] = seq_taps[i][a] - seq_taps[i][0];
            mods[k] = NPY_MAX_INTP;
        }
    }
    for (int j = 0; j < nrec && rc == AR_OK; j++)
        for (int a = 0; a < rec_nt[j]; a++, k++) {
            ar_ring_slot(&QV[Q->ins[k]], &rings[j], 0);
            bases[k] = PyArray_BYTES(rings[j].buf);
            steps[k] = rings[j].slotbytes;
            idx[k] = (rings[j].lead + rec_taps[j][a]) % rings[j].slots;
            mods[k] = rings[j].slots;
        }
    for (int i = 0; i < nns && rc == AR_OK; i++, k++) {
        ar_val *d = &QV[Q->ins[k]];
        const ar_val *s = &V[nsv[i]];
        PyObject *old = d->obj;
        *d = *s;
        Py_XINCREF(d->obj);
        Py_XDECREF(old);
        bases[k] = s->data;
        steps[k] = 0;
        idx[k] = 0;
        mods[k] = NPY_MAX_INTP;
    }
    for (int i = 0; i < k; i++) kept[Q->ins[i]] = 1; /* inputs stay bound across steps */
    int64_t done = n;
    int fallback = 0;
    for (int64_t t = 0; t < n && rc == AR_OK; t++) {
        if ((t & 8191) == 8191 && PyErr_CheckSignals() < 0) { /* Ctrl-C stops a long loop */
            rc = AR_PYERR;
            break;
        }
        for (int i = 0; i < k; i++) {
            QV[Q->ins[i]].data = bases[i] + idx[i] * steps[i];
            if (++idx[i] == mods[i]) idx[i] = 0;
        }
        rc = ar_run_steps(Q, QV, inner_cache);
        if (rc != AR_OK) break;
        for (int j = 0; j < nrec + nnit; j++) {
            const ar_val *o = &QV[Q->outs[j]];
            ar_ring *r = &rings[j];
            if (o->nd < 0) {
                fallback = 1;
                break;
            }
            if (j >= nrec && r->buf == NULL) {
                rc = ar_ring_alloc(r, o->nd, o->dims, (int)Q->vtype[Q->outs[j]], n);
                if (rc != AR_OK) break;
            }
            if (!ar_same_shape(o, r)) {
                fallback = 1; /* the reference names the output and the shapes */
                break;
            }
            ar_copy_out(PyArray_BYTES(r->buf) + ((r->lead + t) % r->slots) * r->slotbytes, o, r->esize);
        }
        if (fallback || rc != AR_OK) break;
        if (as_while && *(const npy_bool *)QV[Q->outs[nrec + nnit]].data) done = t + 1;
        for (int v = 0; v < Q->nvars; v++) /* free the steps' buffers for reuse; constants and inputs stay bound */
            if (!kept[v]) Py_CLEAR(QV[v].obj);
        if (done != n) break;
    }
    for (int v = 0; v < Q->nvars; v++) Py_CLEAR(QV[v].obj);
    PyMem_Free(kept);
    PyMem_Free(bases);
    PyMem_Free(steps);
    PyMem_Free(idx);
    PyMem_Free(mods);
    if (inner_cache) Q->busy = 0;
    else PyMem_Free(QV);
    for (int j = 0; rc == AR_OK && !fallback && j < nrec + nnit; j++) {
        PyObject *res = ar_ring_result(&rings[j], rings[j].lead + done);
        if (res == NULL) {
            rc = AR_PYERR;
            break;
        }
        ar_set_array(&V[outs[j]], (PyArrayObject *)res);
        Py_DECREF(res);
    }
    for (int j = 0; j < nrec + nnit; j++) Py_XDECREF(rings[j].buf);
    if (fallback && rc == AR_OK) return ar_run_fallback(P, V, c);
    return rc;
}

/* ------------------------------------------------------------ the call */
static int ar_step_fail(ar_prog *P, ar_val *V, int si)
{
    /* collect the step's input objects and let the Python hook raise the reference error */
    const int64_t *r = P->code + P->ref_at[si];
    int nin = (int)r[0];
    const int64_t *ins = r + 1;
    PyObject *t = PyTuple_New(nin);
    if (t == NULL) return AR_PYERR;
    for (int i = 0; i < nin; i++) {
        PyObject *o;
        if (V[ins[i]].obj != NULL) {
            o = ar_materialize(&V[ins[i]], (int)P->vtype[ins[i]]);
        } else {
            Py_INCREF(Py_None);
            o = Py_None;
        }
        if (o == NULL) {
            Py_DECREF(t);
            return AR_PYERR;
        }
        PyTuple_SET_ITEM(t, i, o);
    }
    PyObject *res = PyObject_CallFunction(P->error_hook, "iO", si, t);
    Py_DECREF(t);
    if (res != NULL) {
        Py_DECREF(res);
        PyErr_Format(PyExc_RuntimeError, "arignote c runtime: step %d failed but its reference did not", si);
    }
    return AR_PYERR;
}

static int ar_load_input(ar_prog *P, ar_val *V, int i, PyObject *o)
{
    int64_t var = P->ins[i];
    int typenum = (int)P->vtype[var];
    if (typenum < 0) {
        ar_set_object(&V[var], o);
        return AR_OK;
    }
    if (AR_GOOD(o, typenum, P->vnd[var])) {
        ar_set_array(&V[var], (PyArrayObject *)o);
        return AR_OK;
    }
    PyObject *a = PyObject_CallFunction(P->convert_hook, "iO", i, o);
    if (a == NULL) return AR_PYERR;
    if (!AR_GOOD(a, typenum, P->vnd[var])) {
        Py_DECREF(a);
        PyErr_Format(PyExc_TypeError, "input %d could not be converted to its array type", i);
        return AR_PYERR;
    }
    ar_set_array(&V[var], (PyArrayObject *)a);
    Py_DECREF(a);
    return AR_OK;
}

static int ar_run_steps(ar_prog *P, ar_val *V, int use_cache)
{
    for (int si = 0; si < P->nsteps; si++) {
        const int64_t *c = P->code + P->step_at[si];
        int rc;
        switch (c[0]) {
        case S_LOOP: rc = ar_run_loop(P, V, c, use_cache); break;
        case S_REDUCE: rc = ar_run_reduce(P, V, c, use_cache); break;
        case S_DIMSHUFFLE: rc = ar_run_dimshuffle(V, c); break;
        case S_SUBTENSOR: rc = ar_run_subtensor(P, V, c); break;
        case S_SHAPE: rc = ar_run_shape(P, V, c, use_cache, -1); break;
        case S_SHAPE_I: rc = ar_run_shape(P, V, c, use_cache, (int)c[3]); break;
        case S_DOT: rc = ar_run_dot(P, V, c, use_cache); break;
        case S_FALLBACK: rc = ar_run_fallback(P, V, c); break;
        case S_SCAN: rc = ar_run_scan(P, V, c); break;
        case S_RESHAPE: rc = ar_run_reshape(P, V, c, use_cache); break;
        case S_ALLOC: rc = ar_run_alloc(P, V, c, use_cache); break;
        case S_ARG: rc = ar_run_arg(P, V, c, use_cache); break;
        case S_CUM: rc = ar_run_cum(P, V, c, use_cache); break;
        case S_JOIN: rc = ar_run_join(P, V, c, use_cache); break;
        case S_INCSUB: rc = ar_run_incsub(P, V, c, use_cache); break;
        case S_IDOT: rc = ar_run_idot(P, V, c, use_cache); break;
        case S_MASK: rc = ar_run_mask(P, V, c, use_cache); break;
        case S_MPUT: rc = ar_run_mput(P, V, c, use_cache); break;
        case S_GATHER: rc = ar_run_gather(P, V, c, use_cache); break;
        case S_SCATTER: rc = ar_run_scatter(P, V, c, use_cache); break;
        default:
            if (P->nat == NULL)
                PyErr_Format(PyExc_SystemError, "arignote c runtime: unknown step kind %lld", (long long)c[0]);
            return AR_PYERR;
        }
        if (rc == AR_FAIL) return P->nat != NULL ? AR_FAIL : ar_step_fail(P, V, si);
        if (rc != AR_OK) return rc;
    }
    return AR_OK;
}

static PyObject *ar_call(PyObject *self, PyObject *arg)
{
    ar_prog *P = (ar_prog *)PyCapsule_GetPointer(self, NULL);
    if (P == NULL) return NULL;
    if (!PyList_Check(arg) && !PyTuple_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "a compiled arignote thunk takes a list of input values");
        return NULL;
    }
    Py_ssize_t nargs = PySequence_Fast_GET_SIZE(arg);
    PyObject **items = PySequence_Fast_ITEMS(arg);
    if (nargs != P->nin) {
        PyErr_Format(PyExc_TypeError, "the compiled thunk takes %d inputs, got %zd", P->nin, nargs);
        return NULL;
    }
    ar_val *V;
    int use_cache = !P->busy;
    if (use_cache) {
        V = P->vals;
        P->busy = 1;
    } else {
        V = PyMem_Calloc(P->nvars > 0 ? P->nvars : 1, sizeof(ar_val));
        if (V == NULL) return PyErr_NoMemory();
    }
    PyObject *result = NULL;
    int rc = AR_OK;
    for (int i = 0; i < P->nin && rc == AR_OK; i++) rc = ar_load_input(P, V, i, items[i]);
    for (int i = 0; i < P->nconst && rc == AR_OK; i++) {
        int64_t var = P->consts[2 * i];
        PyObject *o = PyTuple_GET_ITEM(P->objs, P->consts[2 * i + 1]);
        if (P->vtype[var] < 0) ar_set_object(&V[var], o);
        else ar_set_array(&V[var], (PyArrayObject *)o);
    }
    for (int i = 0; i < P->nshared && rc == AR_OK; i++) {
        int64_t var = P->shared[2 * i];
        PyObject *cont = PyTuple_GET_ITEM(P->objs, P->shared[2 * i + 1]);
        PyObject *o = PySequence_GetItem(cont, 0);
        if (o == NULL) {
            rc = AR_PYERR;
            break;
        }
        if (P->vtype[var] < 0 || AR_GOOD(o, P->vtype[var], P->vnd[var])) {
            if (P->vtype[var] < 0) ar_set_object(&V[var], o);
            else ar_set_array(&V[var], (PyArrayObject *)o);
        } else {
            PyErr_SetString(PyExc_TypeError, "a shared variable holds a value of the wrong type");
            rc = AR_PYERR;
        }
        Py_DECREF(o);
    }
    if (rc == AR_OK) rc = ar_run_steps(P, V, use_cache);
    if (rc == AR_OK) {
        result = PyList_New(P->nout);
        for (int j = 0; result != NULL && j < P->nout; j++) {
            int64_t var = P->outs[j];
            PyObject *o = ar_materialize(&V[var], (int)P->vtype[var]);
            if (o == NULL) {
                Py_CLEAR(result);
                break;
            }
            PyList_SET_ITEM(result, j, o);
        }
    }
    for (int i = 0; i < P->nvars; i++) Py_CLEAR(V[i].obj);
    if (use_cache) P->busy = 0;
    else PyMem_Free(V);
    return result;
}

/* -------------------------------------------------------- construction */
static void ar_prog_release(ar_prog *P)
{
    if (P->cache)
        for (int i = 0; i < P->nvars; i++) Py_XDECREF(P->cache[i]);
    if (P->vals)
        for (int i = 0; i < P->nvars; i++) Py_XDECREF(P->vals[i].obj);
    PyMem_Free(P->cache);
    PyMem_Free(P->vals);
    Py_XDECREF(P->code_obj);
    Py_XDECREF(P->objs);
    Py_XDECREF(P->error_hook);
    Py_XDECREF(P->convert_hook);
    Py_XDECREF(P->extra);
    PyMem_Free(P);
}

static void ar_prog_free(PyObject *capsule)
{
    ar_prog *P = (ar_prog *)PyCapsule_GetPointer(capsule, NULL);
    if (P != NULL) ar_prog_release(P);
}

static PyMethodDef ar_call_def = {"arignote_thunk", (PyCFunction)ar_call, METH_O,
                                  "Run the compiled graph: thunk(list_of_inputs) -> list_of_outputs."};

/* A new program over code_obj (its header and tables read; vals and cache not yet allocated). */
static ar_prog *ar_parse(PyObject *code_obj)
{
    Py_ssize_t nbytes = PyBytes_GET_SIZE(code_obj);
    const int64_t *code = (const int64_t *)PyBytes_AS_STRING(code_obj);
    Py_ssize_t ncode = nbytes / 8;
    if (ncode < 8 || code[0] != AR_MAGIC) {
        PyErr_SetString(PyExc_ValueError, "arignote c runtime: not a program");
        return NULL;
    }
    ar_prog *P = PyMem_Calloc(1, sizeof(ar_prog));
    if (P == NULL) return (ar_prog *)PyErr_NoMemory();
    P->nvars = (int)code[1];
    P->nin = (int)code[2];
    P->nout = (int)code[3];
    P->nconst = (int)code[4];
    P->nshared = (int)code[5];
    P->nsteps = (int)code[6];
    const int64_t *p = code + 8;
    P->vtype = p; p += P->nvars;
    P->vnd = p; p += P->nvars;
    P->ins = p; p += P->nin;
    P->outs = p; p += P->nout;
    P->consts = p; p += 2 * P->nconst;
    P->shared = p; p += 2 * P->nshared;
    P->step_at = p; p += P->nsteps;
    P->ref_at = p; p += P->nsteps;
    if (p - code > ncode) {
        PyMem_Free(P);
        PyErr_SetString(PyExc_ValueError, "arignote c runtime: truncated program");
        return NULL;
    }
    P->code = code;
    Py_INCREF(code_obj); P->code_obj = code_obj;
    return P;
}

static PyObject *ar_make_runner(PyObject *mod, PyObject *args)
{
    PyObject *code_obj, *objs, *error_hook, *convert_hook;
    int reuse;
    if (!PyArg_ParseTuple(args, "O!O!OOp", &PyBytes_Type, &code_obj, &PyTuple_Type, &objs, &error_hook,
                          &convert_hook, &reuse))
        return NULL;
    ar_prog *P = ar_parse(code_obj);
    if (P == NULL) return NULL;
    P->reuse = reuse;
    Py_INCREF(objs); P->objs = objs;
    Py_INCREF(error_hook); P->error_hook = error_hook;
    Py_INCREF(convert_hook); P->convert_hook = convert_hook;
    int nv = P->nvars > 0 ? P->nvars : 1;
    P->vals = PyMem_Calloc(nv, sizeof(ar_val));
    P->cache = PyMem_Calloc(nv, sizeof(PyObject *));
    PyObject *cap = PyCapsule_New(P, NULL, ar_prog_free);
    if (P->vals == NULL || P->cache == NULL || cap == NULL) {
        if (cap == NULL) {
            PyMem_Free(P->vals);
            PyMem_Free(P->cache);
            Py_DECREF(P->code_obj); Py_DECREF(objs); Py_DECREF(error_hook); Py_DECREF(convert_hook);
            PyMem_Free(P);
        } else {
            Py_DECREF(cap);
        }
        return PyErr_NoMemory();
    }
    PyObject *fn = PyCFunction_NewEx(&ar_call_def, cap, NULL);
    Py_DECREF(cap);
    return fn;
}

/* -------------------------------------------------------- native entries */
/* A native entry runs a program's steps with the runners above over a scratch (an ar_prog of its
 * own, made by native_scratch for one thread), touching no Python object and never the GIL:
 *   int32_t entry(void *scratch, void *const *in_data, const int64_t *in_shapes,
 *                 void *const *out_data, const int64_t *out_shapes)
 * Inputs are the program's inputs then its shared inputs, C-contiguous; outputs are copied into
 * the caller's C-contiguous buffers after their shapes are checked.  Returns 0; 1 when a check
 * failed (a shape, an op NumPy would refuse: the caller re-runs the function for the error);
 * 2 when memory ran out. */
#define AR_NATIVE_CAPSULE "arignote.native_program"
#define AR_SCRATCH_CAPSULE "arignote.native_scratch"

static int ar_native_type(int t)
{
    switch (t) {
    case NPY_BOOL: case NPY_INT8: case NPY_UINT8: case NPY_INT16: case NPY_UINT16: case NPY_INT32:
    case NPY_UINT32: case NPY_INT64: case NPY_UINT64: case NPY_HALF: case NPY_FLOAT: case NPY_DOUBLE:
    case NPY_CFLOAT: case NPY_CDOUBLE: return 1;
    default: return 0;
    }
}

static void ar_template_free(PyObject *capsule)
{
    ar_prog *P = (ar_prog *)PyCapsule_GetPointer(capsule, AR_NATIVE_CAPSULE);
    if (P != NULL) ar_prog_release(P);
}

static int32_t ar_native_entry(void *scratch, void *const *in_data, const int64_t *in_shapes,
                               void *const *out_data, const int64_t *out_shapes)
{
    ar_prog *P = (ar_prog *)scratch;
    ar_native *N = P->nat;
    ar_val *V = P->vals;
    int at = 0;
    for (int i = 0; i < P->nin + P->nshared; i++) {
        int64_t var = i < P->nin ? P->ins[i] : P->shared[2 * (i - P->nin)];
        ar_val *v = &V[var];
        int nd = (int)P->vnd[var];
        for (int d = 0; d < nd; d++, at++) {
            int64_t n = in_shapes[at];
            if (n < 0 || (N->stat[at] >= 0 && N->stat[at] != n)) return 1;
            v->dims[d] = (npy_intp)n;
        }
        v->data = (char *)in_data[i];
        v->nd = nd;
        ar_c_strides(nd, v->dims, (npy_intp)N->esize[var], v->strides);
    }
    int rc = ar_run_steps(P, V, 1);
    if (rc != AR_OK) return rc == AR_FAIL ? 1 : 2;
    at = 0;
    for (int j = 0; j < P->nout; j++) {
        const ar_val *v = &V[P->outs[j]];
        npy_intp cs[AR_MAXD], es = (npy_intp)N->esize[P->outs[j]], n = 1;
        for (int d = 0; d < v->nd; d++, at++) {
            if (v->dims[d] != out_shapes[at]) return 1;
            n *= v->dims[d];
        }
        ar_c_strides(v->nd, v->dims, es, cs);
        if (n > 0) ar_walk2(v->nd, v->dims, (char *)out_data[j], cs, v->data, v->strides, es, ar_elem_copy);
    }
    return 0;
}

/* make_native(code, objs, esize, stat) -> template: a program for native entries.  esize: int64 item
   size per variable; stat: int64 static dims of the inputs, then the shared inputs (-1: unknown).
   ValueError naming the step when one cannot run without Python (a fallback node, a scan). */
static PyObject *ar_make_native(PyObject *mod, PyObject *args)
{
    PyObject *code_obj, *objs, *esize, *stat;
    if (!PyArg_ParseTuple(args, "O!O!O!O!", &PyBytes_Type, &code_obj, &PyTuple_Type, &objs, &PyBytes_Type, &esize,
                          &PyBytes_Type, &stat))
        return NULL;
    ar_prog *P = ar_parse(code_obj);
    if (P == NULL) return NULL;
    Py_INCREF(objs); P->objs = objs;
    P->extra = PyTuple_Pack(2, esize, stat);
    PyObject *cap = P->extra == NULL ? NULL : PyCapsule_New(P, AR_NATIVE_CAPSULE, ar_template_free);
    if (cap == NULL) {
        ar_prog_release(P);
        return NULL;
    }
    if (PyBytes_GET_SIZE(esize) != 8 * (Py_ssize_t)P->nvars) {
        PyErr_SetString(PyExc_ValueError, "make_native: one item size per variable");
        goto fail;
    }
    for (int si = 0; si < P->nsteps; si++) {
        int64_t kind = P->code[P->step_at[si]];
        if (kind == S_FALLBACK || kind == S_SCAN || kind < S_LOOP || kind > S_SCATTER) {
            PyErr_Format(PyExc_ValueError, "step %d (kind %lld) runs Python", si, (long long)kind);
            goto fail;
        }
        if (kind == S_DOT && !(ar_dgemm && ar_sgemm && ar_dgemv && ar_sgemv)) {
            PyErr_Format(PyExc_ValueError, "step %d needs BLAS, which is not set", si);
            goto fail;
        }
    }
    for (int v = 0; v < P->nvars; v++)
        if (P->vtype[v] >= 0 && !ar_native_type((int)P->vtype[v])) {
            PyErr_Format(PyExc_ValueError, "variable %d has NumPy type number %lld", v, (long long)P->vtype[v]);
            goto fail;
        }
    for (int i = 0; i < P->nconst; i++) {
        int64_t var = P->consts[2 * i];
        PyObject *o = PyTuple_GET_ITEM(objs, P->consts[2 * i + 1]);
        if (P->vtype[var] >= 0 && !AR_GOOD(o, P->vtype[var], P->vnd[var])) {
            PyErr_Format(PyExc_ValueError, "constant %d is not an aligned array of its type", i);
            goto fail;
        }
    }
    return cap;
fail:
    Py_DECREF(cap);
    return NULL;
}

static void ar_scratch_free(PyObject *capsule)
{
    ar_prog *P = (ar_prog *)PyCapsule_GetPointer(capsule, AR_SCRATCH_CAPSULE);
    if (P == NULL) return;
    if (P->nat) {
        for (int v = 0; v < P->nvars; v++) free(P->nat->buf[v]);
        free(P->nat->buf);
        free(P->nat->cap);
        Py_XDECREF(P->nat->owner);
        free(P->nat);
    }
    free(P->vals);
    free(P);
}

/* native_scratch(template) -> (capsule, address): one thread's scratch for the native entry */
static PyObject *ar_native_scratch(PyObject *mod, PyObject *tmpl)
{
    ar_prog *T = (ar_prog *)PyCapsule_GetPointer(tmpl, AR_NATIVE_CAPSULE);
    if (T == NULL) return NULL;
    int nv = T->nvars > 0 ? T->nvars : 1;
    ar_prog *P = malloc(sizeof(ar_prog));
    ar_native *N = calloc(1, sizeof(ar_native));
    ar_val *V = calloc(nv, sizeof(ar_val));
    char **buf = calloc(nv, sizeof(char *));
    npy_intp *capa = calloc(nv, sizeof(npy_intp));
    if (P == NULL || N == NULL || V == NULL || buf == NULL || capa == NULL) {
        free(P); free(N); free(V); free(buf); free(capa);
        return PyErr_NoMemory();
    }
    *P = *T;
    P->vals = V;
    P->cache = NULL;
    P->nat = N;
    N->buf = buf;
    N->cap = capa;
    N->esize = (const int64_t *)PyBytes_AS_STRING(PyTuple_GET_ITEM(T->extra, 0));
    N->stat = (const int64_t *)PyBytes_AS_STRING(PyTuple_GET_ITEM(T->extra, 1));
    Py_INCREF(tmpl);
    N->owner = tmpl;
    for (int v = 0; v < T->nvars; v++) V[v].nd = -1;
    for (int i = 0; i < T->nconst; i++) { /* constants are bound once: no step writes them */
        int64_t var = T->consts[2 * i];
        PyArrayObject *a = (PyArrayObject *)PyTuple_GET_ITEM(T->objs, T->consts[2 * i + 1]);
        if (T->vtype[var] < 0) continue;
        V[var].data = PyArray_BYTES(a);
        V[var].nd = PyArray_NDIM(a);
        memcpy(V[var].dims, PyArray_DIMS(a), V[var].nd * sizeof(npy_intp));
        memcpy(V[var].strides, PyArray_STRIDES(a), V[var].nd * sizeof(npy_intp));
    }
    PyObject *cap = PyCapsule_New(P, AR_SCRATCH_CAPSULE, ar_scratch_free);
    if (cap == NULL) {
        Py_DECREF(tmpl);
        free(P); free(N); free(V); free(buf); free(capa);
        return NULL;
    }
    return Py_BuildValue("(NN)", cap, PyLong_FromVoidPtr(P));
}

static PyObject *ar_native_entry_address(PyObject *mod, PyObject *noargs)
{
    return PyLong_FromVoidPtr((void *)ar_native_entry);
}

static void *ar_capsule_ptr(PyObject *cap)
{
    if (cap == Py_None) return NULL;
    if (!PyCapsule_CheckExact(cap)) {
        PyErr_SetString(PyExc_TypeError, "expected a PyCapsule or None");
        return NULL;
    }
    return PyCapsule_GetPointer(cap, PyCapsule_GetName(cap));
}

static PyObject *ar_set_blas(PyObject *mod, PyObject *args)
{
    PyObject *c[8] = {NULL};
    if (!PyArg_ParseTuple(args, "OOOO|OOOO", &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7])) return NULL;
    void *p[8] = {NULL};
    for (int i = 0; i < 8 && c[i] != NULL; i++) {
        p[i] = ar_capsule_ptr(c[i]);
        if (p[i] == NULL && PyErr_Occurred()) return NULL;
    }
    ar_dgemm = (ar_gemm_t)p[0];
    ar_sgemm = (ar_gemm_t)p[1];
    ar_dgemv = (ar_gemv_t)p[2];
    ar_sgemv = (ar_gemv_t)p[3];
    ar_zgemm = (ar_gemm_t)p[4];
    ar_cgemm = (ar_gemm_t)p[5];
    ar_zgemv = (ar_gemv_t)p[6];
    ar_cgemv = (ar_gemv_t)p[7];
    return PyBool_FromLong(ar_dgemm && ar_sgemm && ar_dgemv && ar_sgemv);
}

/* ------------------------------------------------------- kernel libraries */
static void ar_lib_free(PyObject *capsule)
{
    void *h = PyCapsule_GetPointer(capsule, "arignote.kernels");
    if (h != NULL) dlclose(h);
}

/* load_kernels(path, names) -> (handle, [addresses]): dlopen a kernel library and resolve its functions */
static PyObject *ar_load_kernels(PyObject *mod, PyObject *args)
{
    const char *path;
    PyObject *names;
    if (!PyArg_ParseTuple(args, "sO!", &path, &PyTuple_Type, &names)) return NULL;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        PyErr_Format(PyExc_ImportError, "cannot load the kernel library %s: %s", path, dlerror());
        return NULL;
    }
    PyObject *cap = PyCapsule_New(h, "arignote.kernels", ar_lib_free);
    if (cap == NULL) {
        dlclose(h);
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(names);
    PyObject *addrs = PyList_New(n);
    if (addrs == NULL) {
        Py_DECREF(cap);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *nm = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, i));
        void *f = nm ? dlsym(h, nm) : NULL;
        if (f == NULL) {
            if (!PyErr_Occurred()) PyErr_Format(PyExc_ImportError, "kernel %s missing from %s", nm, path);
            Py_DECREF(addrs);
            Py_DECREF(cap);
            return NULL;
        }
        PyList_SET_ITEM(addrs, i, PyLong_FromVoidPtr(f));
    }
    return Py_BuildValue("(NN)", cap, addrs);
}

static PyMethodDef ar_methods[] = {
    {"load_kernels", ar_load_kernels, METH_VARARGS, "load_kernels(path, names) -> (handle, addresses)"},
    {"make_runner", ar_make_runner, METH_VARARGS,
     "make_runner(code: bytes, objs: tuple, error_hook, convert_hook, reuse: bool) -> thunk"},
    {"make_native", ar_make_native, METH_VARARGS,
     "make_native(code: bytes, objs: tuple, esize: bytes, stat: bytes) -> template of a native entry"},
    {"native_scratch", ar_native_scratch, METH_O, "native_scratch(template) -> (capsule, address)"},
    {"native_entry_address", ar_native_entry_address, METH_NOARGS, "the native entry's function address"},
    {"set_blas", ar_set_blas, METH_VARARGS, "set_blas(dgemm, sgemm, dgemv, sgemv[, zgemm, cgemm, zgemv, cgemv] capsules) -> bool"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef ar_module = {PyModuleDef_HEAD_INIT, AR_STR(AR_MODNAME), "arignote C runtime", -1,
                                       ar_methods};

PyMODINIT_FUNC AR_CAT(PyInit_, AR_MODNAME)(void)
{
    import_array();
    PyObject *m = PyModule_Create(&ar_module);
    if (m == NULL) return NULL;
    PyModule_AddIntConstant(m, "MAXD", AR_MAXD);
    PyModule_AddIntConstant(m, "MAXOPS", AR_MAXOPS);
    return m;
}
