"""The native entry of a segment of lowered steps: a METH_O builtin, and what it is built from.

``entry(list)`` reads its inputs from the list (checking that each is an
ndarray of the expected dtype, rank and static shape), allocates results
(NumPy arrays for what Python sees, reused from the previous call when
nobody holds them; ``malloc`` or stack memory for temporaries), runs the
steps (steps.py) and returns the outputs.

Two forms: *direct* (the list holds the graph's inputs; a new list of its
outputs is returned) and *storage* (the list holds every variable of the
program; the segment writes its exports into it and returns None).  Any
check that fails (wrong input, shapes that do not broadcast, an op that
NumPy would refuse) jumps to the *slow path*: the native code frees what it
made and calls a Python function that runs the same nodes with their NumPy
``perform``, which raises the reference's exact error (or computes the
result).  So errors never depend on the backend.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llvmlite import ir

from . import capi, runtime
from .irtypes import I1, I8, I8P, I32, I64, I64P, const, declare

STACK_LIMIT = 256  # bytes: temporaries of static size up to this live on the stack
BIG_ENTRY = 4000  # instructions: a bigger entry is compiled without optimisation (see EntryBuilder.finish)
PyObj = I8P


@dataclass
class NVal:
    """A variable's array inside the entry: data pointer, shape and strides as IR values."""

    dtype: str
    data: ir.Value
    shape: list
    strides: list
    obj: ir.Value | None = None  # PyObject* when Python can see it
    base: object = None  # for views: the variable whose object owns the memory


class RuntimeTable:
    """Process-specific pointers the code reads from one global array (no addresses in the code,
    so object code can be cached): ``keys`` are stable descriptions, resolved after loading."""

    def __init__(self, module, name):
        self.module, self.name = module, name
        self.keys: dict = {}
        self.gv = None

    def slot(self, key):
        if key not in self.keys:
            self.keys[key] = len(self.keys)
        return self.keys[key]

    def load(self, builder, key):
        idx = self.slot(key)
        return builder.load(builder.gep(self._global(), [const(I64, 0), const(I64, idx)]))

    def _global(self):
        if self.gv is None:
            self.gv = ir.GlobalVariable(self.module, ir.ArrayType(I8P, 0), self.name)
        return self.gv

    def finish(self):
        """Give the global its final size (call once all slots are known)."""
        g = self._global()
        g.value_type = ir.ArrayType(I8P, max(len(self.keys), 1))
        g.initializer = ir.Constant(g.value_type, None)

    def layout(self):
        """The slot keys in order (JSON-able: strings and lists)."""
        return [list(k) if isinstance(k, tuple) else k for k in sorted(self.keys, key=self.keys.get)]


def fill_table(compiled, name, values):
    """Write ``values`` (addresses) into the runtime table ``name`` of loaded code."""
    import ctypes

    addr = compiled.global_address(name)
    arr = (ctypes.c_void_p * max(len(values), 1)).from_address(addr)
    for i, v in enumerate(values):
        arr[i] = v


# ------------------------------------------------------------ the builder
class EntryBuilder:
    """Builds the IR of one segment's entry function."""

    repeats_sites = False  # True where the IR built may run more than once per call (a loop's body)
    #: ``PyObject *entry(PyObject *self, PyObject *list)``; native.py's builder overrides it
    signature = ir.FunctionType(PyObj, [PyObj, PyObj])

    def __init__(self, module, target, name, program, segment, index, slow_key, kernels=None):
        self.module, self.target, self.name = module, target, name
        self.kernels = {} if kernels is None else kernels  # shared by the entries of one module
        self.ctx = target.kernel_ctx
        self.program, self.seg, self.index = program, segment, index
        self.rt = RuntimeTable(module, f"{name}.rt")
        self.fn = ir.Function(module, self.signature, name)
        self.fn.attributes.add("nounwind")
        for a in self.ctx.attributes:
            set.add(self.fn.attributes, a)
        self.entry = self.fn.append_basic_block("entry")
        body = self.fn.append_basic_block("body")
        self.b = ir.IRBuilder(body)
        self.slow = self.fn.append_basic_block("slow")
        self.vals: dict = {}
        self.obj_cells: list = []  # per owned PyObject* slot: its keep cell's byte offset, or -1
        self._objs = self._keep_base = self._dims = self._strides = None  # made on first use
        self._rt_values: dict = {}
        self.mem_slots: list = []  # (alloca, capacity alloca, keep-global, capacity global)
        self.caches: list = []  # kinds ('obj', 'mem', 'cap') of the cells kept between calls
        self.err = self._alloca(I32, const(I32, 0))
        self.kernel_count = 0
        self.slow_key = slow_key
        self.arg = self.fn.args[1]
        self._setup_rt()

    # ------------------------------------------------------------- plumbing
    def _alloca(self, ty, init=None, count=None):
        with self.b.goto_block(self.entry):
            p = self.b.alloca(ty, size=None if count is None else const(I64, count))
            if init is not None:
                self.b.store(init, p)
        return p

    def _setup_rt(self):
        for key in ("ndarray", "list", "new", "setbase", "walk", "fill", "alloc", "keep_objects", "release",
                    "none", "slow", "keep"):
            self.rt.slot(key)

    def pyfn(self, name, ret, args, var_arg=False):
        fn = declare(self.module, name, ret, args, var_arg=var_arg)
        return fn

    def incref(self, obj):
        self.b.call(self.pyfn("Py_IncRef", ir.VoidType(), [PyObj]), [obj])

    def decref(self, obj):
        self.b.call(self.pyfn("Py_DecRef", ir.VoidType(), [PyObj]), [obj])

    def go_slow_if(self, cond):
        with self.b.if_then(cond, likely=False):
            self.b.branch(self.slow)

    def field(self, ptr, offset, ty):
        b = self.b
        p = b.gep(ptr, [const(I64, offset)])
        return b.load(b.bitcast(p, ty.as_pointer()))

    # ---------------------------------------------------------- inputs
    def read_input(self, var, list_index):
        """Unpack list item ``list_index`` as an ndarray of ``var``'s type (or take the slow path)."""
        b = self.b
        get = self.pyfn("PyList_GetItem", PyObj, [PyObj, I64])
        return self.check_array(var, b.call(get, [self.arg, const(I64, list_index)]))

    def check_array(self, var, obj):
        """``obj`` unpacked as an ndarray of ``var``'s type (or the slow path)."""
        b = self.b
        t = var.type
        nd = t.ndim
        ok = b.icmp_unsigned("==", self.field(obj, capi.OB_TYPE, I8P), self.rt.load(b, "ndarray"))
        self.go_slow_if(b.not_(ok))
        ok = b.icmp_signed("==", self.field(obj, capi.AR_ND, I32), const(I32, nd))
        descr = self.field(obj, capi.AR_DESCR, I8P)
        tn = self.field(descr, capi.DESCR_TYPE_NUM, I32)
        tn_ok = const(I1, 0)
        for num in type_nums(t.dtype):
            tn_ok = b.or_(tn_ok, b.icmp_signed("==", tn, const(I32, num)))
        bo = self.field(descr, capi.DESCR_BYTEORDER, I8)
        ok = b.and_(ok, b.and_(tn_ok, b.icmp_unsigned("!=", bo, const(I8, ord(">")))))
        self.go_slow_if(b.not_(ok))
        return self._unpack(var, obj, static_check=True)

    def _unpack(self, var, obj, static_check):
        b = self.b
        nd = var.type.ndim
        data = self.field(obj, capi.AR_DATA, I8P)
        dims = self.field(obj, capi.AR_DIMS, I64P)
        strd = self.field(obj, capi.AR_STRIDES, I64P)
        shape = [b.load(b.gep(dims, [const(I64, d)])) for d in range(nd)]
        strides = [b.load(b.gep(strd, [const(I64, d)])) for d in range(nd)]
        if static_check:
            bad = const(I1, 0)
            for d, s in enumerate(var.type.shape):
                if s is not None:
                    bad = b.or_(bad, b.icmp_signed("!=", shape[d], const(I64, s)))
            if any(s is not None for s in var.type.shape):
                self.go_slow_if(bad)
        return NVal(var.type.dtype, data, shape, strides, obj=obj)

    def read_constant(self, var, value):
        obj = self.rt.load(self.b, ("const", self.index[var]))
        data = self.field(obj, capi.AR_DATA, I8P)
        return NVal(var.type.dtype, data, [const(I64, s) for s in value.shape],
                    [const(I64, s) for s in value.strides], obj=obj)

    # ------------------------------------------------------ allocation
    def allocate(self, var, shape, kind, fortran=None):
        """A new array for ``var`` of runtime ``shape``: C-contiguous, or Fortran-contiguous where the
        i1 ``fortran`` is true (NumPy's 'K' order for a transposed input)."""
        b = self.b
        dt = var.type.dtype
        isz = np.dtype(dt).itemsize
        nz = [b.select(b.icmp_signed("==", s, const(I64, 0)), const(I64, 1), s) for s in shape]
        strides = [None] * len(shape)
        acc = const(I64, isz)
        for d in reversed(range(len(shape))):
            strides[d] = acc
            acc = b.mul(acc, nz[d])
        if fortran is not None and len(shape) > 1:
            f_acc = const(I64, isz)
            for d in range(len(shape)):
                strides[d] = b.select(fortran, f_acc, strides[d])
                f_acc = b.mul(f_acc, nz[d])
        if kind == "obj":
            return self._allocate_obj(dt, shape, strides, fortran)
        if kind == "stack":
            n = int(np.prod(var.type.shape, dtype=np.int64)) * isz
            buf = self._alloca(ir.ArrayType(I8, max(n, 1)))
            buf.align = 64
            return NVal(dt, b.bitcast(buf, I8P), list(shape), strides)
        return NVal(dt, self._allocate_mem(acc), list(shape), strides)

    def _cache_global(self, ty, kind):
        """A pointer to a cell that keeps a buffer between calls: the cells live in an array owned
        by the Python side (``keep`` in the runtime table), which frees what they hold with the function."""
        self.caches.append(kind)
        with self.b.goto_block(self.entry):  # dominates every use, the slow path's included
            base = self.keep_base()
            return self.b.bitcast(self.b.gep(base, [const(I64, 8 * (len(self.caches) - 1))]), ty.as_pointer())

    def keep_base(self):
        """i8* to the cells kept between calls."""
        return self.rt.load(self.b, "keep")

    def _entry_value(self, make):
        """A value computed once in the entry block (it dominates every use, the slow path's too)."""
        with self.b.goto_block(self.entry):
            return make(self.b)

    def _rt_value(self, key, ty=None):
        """Runtime-table entry ``key`` (as ``ty``), loaded once in the entry block: per-output code
        stays a few instructions in an entry with thousands of outputs."""
        got = self._rt_values.get((key, ty))
        if got is None:
            got = self._rt_values[(key, ty)] = self._entry_value(
                lambda eb: eb.bitcast(self.rt.load(eb, key), ty) if ty is not None else self.rt.load(eb, key))
        return got

    def _obj_slot(self, cell):
        """A new slot for an owned PyObject* (NULL until set; released on return), kept between calls
        in the keep cell at byte offset ``cell`` (or not, for -1): a pointer to it."""
        if self._objs is None:
            self._objs = self._alloca(PyObj, count=1)  # its real length is set by finish()
        self.obj_cells.append(cell)
        return self.b.gep(self._objs, [const(I64, len(self.obj_cells) - 1)])

    def _allocate_obj(self, dt, shape, strides, fortran):
        """A NumPy array: last call's one when nobody else holds it and it fits, else a new one."""
        b = self.b
        if self._dims is None:  # the shape and strides of the array being allocated, one at a time
            self._dims, self._strides = (self._alloca(I64, count=64) for _ in range(2))
            self._keep_base = self._entry_value(lambda eb: self.keep_base())
        self.caches.append("obj")
        cell = 8 * (len(self.caches) - 1)
        slot = self._obj_slot(cell)
        for d, (n, st) in enumerate(zip(shape, strides)):
            b.store(n, b.gep(self._dims, [const(I64, d)]))
            b.store(st, b.gep(self._strides, [const(I64, d)]))
        flags = const(I32, 0) if fortran is None else b.select(fortran, const(I32, 2), const(I32, 0))
        alloc = self._rt_value("alloc", runtime.ALLOC_TYPE.as_pointer())
        new = self._rt_value("new", runtime.NEW_TYPE.as_pointer())
        cellp = b.bitcast(b.gep(self._keep_base, [const(I64, cell)]), PyObj.as_pointer())
        null = ir.Constant(PyObj, None)

        def make():
            arr = b.call(alloc, [cellp, self._rt_value(("descr", dt)), const(I32, len(shape)), self._dims,
                                 self._strides, flags, self._rt_value("ndarray"), new])
            b.store(arr, slot)
            self.go_slow_if(b.icmp_unsigned("==", arr, null))

        if self.repeats_sites:  # a site run again (a loop) keeps the array it made the first time
            with b.if_then(b.icmp_unsigned("==", b.load(slot), null)):
                make()
        else:
            make()
        arr = b.load(slot)
        return NVal(dt, self.field(arr, capi.AR_DATA, I8P), list(shape), strides, obj=arr)

    def _allocate_mem(self, nbytes):
        """Scratch memory of ``nbytes``: last call's block when big enough, else a new one."""
        b = self.b
        null = ir.Constant(I8P, None)
        gp, gc = self._cache_global(I8P, "mem"), self._cache_global(I64, "cap")
        slot, cap = self._alloca(I8P, null), self._alloca(I64, const(I64, 0))
        self.mem_slots.append((slot, cap, gp, gc))
        mem, have = b.load(gp), b.load(gc)
        b.store(null, gp)
        b.store(mem, slot)
        b.store(have, cap)
        with b.if_then(b.or_(b.icmp_unsigned("==", mem, null), b.icmp_signed("<", have, nbytes))):
            b.call(self.pyfn("free", ir.VoidType(), [I8P]), [mem])
            b.store(null, slot)
            new = b.call(self.pyfn("malloc", I8P, [I64]), [nbytes])
            self.go_slow_if(b.icmp_unsigned("==", new, null))
            b.store(new, slot)
            b.store(nbytes, cap)
        return b.load(slot)

    def descr(self, dtype):
        return self.rt.load(self.b, ("descr", dtype))

    def make_view_object(self, val, base_val):
        """A NumPy view (own shape/strides over ``base_val``'s memory) whose base is base_val's object."""
        b = self.b
        nd = len(val.shape)
        dims = self._alloca(I64, count=max(nd, 1))
        strd = self._alloca(I64, count=max(nd, 1))
        for d in range(nd):
            b.store(val.shape[d], b.gep(dims, [const(I64, d)]))
            b.store(val.strides[d], b.gep(strd, [const(I64, d)]))
        descr = self.descr(val.dtype)
        self.incref(descr)
        flags = b.and_(self.field(base_val.obj, capi.AR_FLAGS, I32), const(I32, capi.NPY_ARRAY_WRITEABLE))
        new_t = ir.FunctionType(PyObj, [I8P, I8P, I32, I64P, I64P, I8P, I32, PyObj])
        newfn = b.bitcast(self.rt.load(b, "new"), new_t.as_pointer())
        null = ir.Constant(I8P, None)
        arr = b.call(newfn, [self.rt.load(b, "ndarray"), descr, const(I32, nd), dims, strd, val.data, flags, null])
        slot = self._obj_slot(-1)
        self.go_slow_if(b.icmp_unsigned("==", arr, null))
        b.store(arr, slot)
        self.incref(base_val.obj)
        setbase_t = ir.FunctionType(I32, [PyObj, PyObj])
        rc = b.call(b.bitcast(self.rt.load(b, "setbase"), setbase_t.as_pointer()), [arr, base_val.obj])
        self.go_slow_if(b.icmp_signed("!=", rc, const(I32, 0)))
        return arr

    # ------------------------------------------------------------- kernels
    def kernel_call(self, kfn, shape, operands, strides_of):
        """Call kernel ``kfn`` over ``shape`` with operand NVals; ``strides_of(k)`` their strides."""
        b = self.b
        nd = len(shape)
        nops = len(operands)
        shp = self._alloca(I64, count=max(nd, 1))
        data = self._alloca(I8P, count=nops)
        strd = self._alloca(I64, count=max(nops * nd, 1))
        for d, s in enumerate(shape):
            b.store(s, b.gep(shp, [const(I64, d)]))
        for k, v in enumerate(operands):
            b.store(v.data, b.gep(data, [const(I64, k)]))
            for d, s in enumerate(strides_of(k)):
                b.store(s, b.gep(strd, [const(I64, k * nd + d)]))
        walk = b.bitcast(self.rt.load(b, "walk"), runtime.WALK_TYPE.as_pointer())
        b.call(walk, [const(I64, nd), shp, const(I64, nops), data, strd, kfn, self.err])

    def bytes_constant(self, data):
        """An i8* to a private constant holding ``data``."""
        ty = ir.ArrayType(I8, len(data))
        gv = ir.GlobalVariable(self.module, ty, self.module.get_unique_name(f"{self.name}.k"))
        gv.global_constant = True
        gv.linkage = "private"
        gv.initializer = ir.Constant(ty, bytearray(data))
        return self.b.bitcast(gv, I8P)

    def check_err(self):
        self.go_slow_if(self.b.icmp_signed("!=", self.b.load(self.err), const(I32, 0)))

    def shared_kernel(self, key, build):
        """The module's kernel for ``key`` (``build()`` makes it the first time): steps that differ
        only in their operands call one function with different pointers."""
        if key not in self.kernels:
            self.kernels[key] = build()
        return self.kernels[key]

    def kernel_name(self, what):
        self.kernel_count += 1
        return f"{self.name}.{what}{self.kernel_count}"

    # ---------------------------------------------------------------- steps
    def obj_of(self, var):
        """A PyObject* for ``var`` (creating a view object for views)."""
        v = self.vals[var]
        if v.obj is None:
            base = self.vals[v.base]
            v.obj = self.make_view_object(v, base)
        return v.obj

    def finish_direct(self, outputs):
        b = self.b
        objs = [self.obj_of(v) for v in outputs]
        lst = b.call(self.pyfn("PyList_New", PyObj, [I64]), [const(I64, len(outputs))])
        self.go_slow_if(b.icmp_unsigned("==", lst, ir.Constant(PyObj, None)))
        setitem = self.pyfn("PyList_SetItem", I32, [PyObj, I64, PyObj])
        for i, obj in enumerate(objs):
            self.incref(obj)
            b.call(setitem, [lst, const(I64, i), obj])
        self._keep_objects()
        self._cleanup()
        b.ret(lst)

    def finish_storage(self, exports, index):
        b = self.b
        setitem = self.pyfn("PyList_SetItem", I32, [PyObj, I64, PyObj])
        objs = [self.obj_of(v) for v in exports]
        for v, obj in zip(exports, objs):
            self.incref(obj)
            b.call(setitem, [self.arg, const(I64, index[v]), obj])
        self._keep_objects()
        self._cleanup()
        none = self.rt.load(b, "none")
        self.incref(none)
        b.ret(none)

    def _keep_objects(self):
        """Success: each new array also goes to its keep cell (for reuse by the next call)."""
        if self._keep_base is None:  # no array of this entry is kept
            return
        b = self.b
        cells = self.bytes_constant(np.asarray(self.obj_cells, dtype=np.int64).tobytes())
        keep = b.bitcast(self.rt.load(b, "keep_objects"), runtime.KEEP_TYPE.as_pointer())
        b.call(keep, [const(I64, len(self.obj_cells)), self._objs, b.bitcast(cells, I64P), self._keep_base])

    def _cleanup(self):
        """Drop this call's references; scratch memory goes back to its keep cell (or is freed)."""
        b = self.b
        if self._objs is not None:
            release = b.bitcast(self.rt.load(b, "release"), runtime.RELEASE_TYPE.as_pointer())
            b.call(release, [const(I64, len(self.obj_cells)), self._objs])
        free = self.pyfn("free", ir.VoidType(), [I8P])
        for slot, cap, gp, gc in self.mem_slots:
            mem = b.load(slot)
            with b.if_else(b.icmp_unsigned("==", b.load(gp), ir.Constant(I8P, None))) as (keep, drop):
                with keep:
                    b.store(mem, gp)
                    b.store(b.load(cap), gc)
                with drop:
                    b.call(free, [mem])

    def close_entry_block(self):
        """End the entry block (its allocas, the object slots set to NULL) with the jump to the body."""
        with self.b.goto_block(self.entry):
            if self._objs is not None:  # every slot starts NULL
                n = max(len(self.obj_cells), 1)
                self._objs.operands = [const(I64, n)]
                memset = self.module.declare_intrinsic("llvm.memset", [I8P, I64])
                self.b.call(memset, [self.b.bitcast(self._objs, I8P), const(I8, 0), const(I64, 8 * n), const(I1, 0)])
            self.b.branch(self.fn.basic_blocks[1])

    def finish(self):
        """Terminate the entry block and emit the slow path."""
        self.close_entry_block()
        self.b.position_at_end(self.slow)
        self._cleanup()
        # a failed CPython call (an output's allocation: MemoryError) left its error set: raise it
        # here, as the c backend does; Python must never run with an exception pending
        err = self.b.call(self.pyfn("PyErr_Occurred", PyObj, []), [])
        with self.b.if_then(self.b.icmp_unsigned("!=", err, ir.Constant(PyObj, None)), likely=False):
            self.b.ret(ir.Constant(PyObj, None))
        call = self.pyfn("PyObject_CallFunctionObjArgs", PyObj, [PyObj], var_arg=True)
        res = self.b.call(call, [self.rt.load(self.b, self.slow_key), self.arg, ir.Constant(PyObj, None)])
        self.b.ret(res)
        self.rt.finish()
        size = sum(len(bb.instructions) for bb in self.fn.blocks)
        if size > BIG_ENTRY:  # LLVM's optimisers and register allocator grow faster than linearly here
            self.fn.attributes.add("optnone")
            self.fn.attributes.add("noinline")


_TYPE_NUMS: dict = {}


def type_nums(dtype):
    """Every NumPy type number whose arrays have dtype ``dtype`` (int64 is both 'l' and 'q' on Linux)."""
    if dtype not in _TYPE_NUMS:
        want = np.dtype(dtype)
        nums = {want.num}
        for c in "?bBhHiIlLqQefdFD":
            d = np.dtype(c)
            if d == want:
                nums.add(d.num)
        _TYPE_NUMS[dtype] = tuple(sorted(nums))
    return _TYPE_NUMS[dtype]
