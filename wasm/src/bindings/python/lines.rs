//! The base of `lines.Line` on CPython: `line[ago]` for an int `ago` in compiled code.
//! Strategies read their lines on every bar (`self.fast[0] > self.slow[0]`); a `__getitem__`
//! written in Python is a frame of the interpreter per read (~840 instructions against ~250
//! here). Any other key, and every read that is an error, goes to the Python method
//! `Line._read` (lines.py), which Pyodide, without this extension, uses for every read.
//!
//! Written against the C API (as position.rs, for the same reason): `values` and `clock` are
//! plain object members, the subscript a C function. `ClockBase`, the base of `feed.Feed`,
//! holds the cursor `i` as a plain integer member the subscript reads directly (a Feed's `i` in
//! its instance dict costs a dictionary lookup per read).

use std::ffi::{c_int, c_void};
use std::mem::{offset_of, size_of};
use std::ptr;
use std::sync::OnceLock;

use pyo3::ffi;
use pyo3::prelude::*;

#[repr(C)]
struct LineBase {
    ob_base: ffi::PyObject,
    values: *mut ffi::PyObject,
    clock: *mut ffi::PyObject,
}

#[repr(C)]
struct ClockBase {
    ob_base: ffi::PyObject,
    i: ffi::Py_ssize_t,
}

/// Made once at import (under the GIL): the interned names `i` and `_read`, and ClockBase.
struct Names {
    i: usize,
    read: usize,
    clock: usize,
}

static NAMES: OnceLock<Names> = OnceLock::new();

/// `values[clock.i + ago]` when `ago` and `clock.i` are ints, `ago <= 0` and the sum `>= 0`,
/// as Line._read computes it; anything else through `_read` (its errors, its messages).
unsafe extern "C" fn subscript(obj: *mut ffi::PyObject, key: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: called by CPython with the GIL held, `obj` an instance of the type (or of a
    // subclass: its memory starts with LineBase), `key` a valid object.
    unsafe {
        let line = &*(obj as *const LineBase);
        let names = NAMES.get().expect("registered at import");
        if let Some(i) = index(line, key, names.i as *mut ffi::PyObject, names.clock as *mut ffi::PyObject) {
            return ffi::PySequence_GetItem(line.values, i);
        }
        ffi::PyObject_CallMethodObjArgs(obj, names.read as *mut ffi::PyObject, key, ptr::null_mut::<ffi::PyObject>())
    }
}

/// The index read, or None for `_read` to handle (no error left set): the same checks as
/// `_read`'s, and `values` a sequence (an array, a list) for PySequence_GetItem.
unsafe fn index(line: &LineBase, key: *mut ffi::PyObject, name_i: *mut ffi::PyObject, clock_type: *mut ffi::PyObject)
    -> Option<ffi::Py_ssize_t>
{
    // SAFETY: as in `subscript`.
    unsafe {
        if line.values.is_null() || line.clock.is_null() || ffi::PyLong_CheckExact(key) == 0
            || ffi::PySequence_Check(line.values) == 0
        {
            return None;
        }
        let ago = exact_int(key)?;
        if ago > 0 {
            return None;
        }
        let at = if ffi::PyType_IsSubtype(ffi::Py_TYPE(line.clock), clock_type as *mut ffi::PyTypeObject) != 0 {
            (*(line.clock as *const ClockBase)).i
        } else {
            // Another clock: its attribute `i`, when an int.
            let cursor = ffi::PyObject_GetAttr(line.clock, name_i);
            if cursor.is_null() {
                ffi::PyErr_Clear();
                return None;
            }
            let at = if ffi::PyLong_CheckExact(cursor) != 0 { exact_int(cursor) } else { None };
            ffi::Py_DECREF(cursor);
            at?
        };
        let i = at.checked_add(ago)?;
        (i >= 0).then_some(i)
    }
}

unsafe fn exact_int(x: *mut ffi::PyObject) -> Option<ffi::Py_ssize_t> {
    // SAFETY: `x` is an exact int; an overflow sets an error, cleared here.
    unsafe {
        let v = ffi::PyLong_AsSsize_t(x);
        if v == -1 && !ffi::PyErr_Occurred().is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        Some(v)
    }
}

unsafe extern "C" fn traverse(obj: *mut ffi::PyObject, visit: ffi::visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a heap type's traverse visits its type and its object members.
    unsafe {
        let line = &*(obj as *const LineBase);
        for member in [ffi::Py_TYPE(obj) as *mut ffi::PyObject, line.values, line.clock] {
            if !member.is_null() {
                let r = visit(member, arg);
                if r != 0 {
                    return r;
                }
            }
        }
        0
    }
}

unsafe extern "C" fn clear(obj: *mut ffi::PyObject) -> c_int {
    // SAFETY: drops the members' references, leaving NULL (an unset member).
    unsafe {
        let line = &mut *(obj as *mut LineBase);
        for member in [&mut line.values, &mut line.clock] {
            let old = std::mem::replace(member, ptr::null_mut());
            if !old.is_null() {
                ffi::Py_DECREF(old);
            }
        }
        0
    }
}

unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: a GC heap type's tp_dealloc: untrack, clear, free with the object's own tp_free,
    // then release the reference the instance held on its type.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        ffi::PyObject_GC_UnTrack(obj as *mut c_void);
        clear(obj);
        let free: ffi::freefunc = std::mem::transmute(ffi::PyType_GetSlot(tp, ffi::Py_tp_free));
        free(obj as *mut c_void);
        ffi::Py_DECREF(tp as *mut ffi::PyObject);
    }
}

fn member(name: &'static std::ffi::CStr, offset: usize, doc: &'static std::ffi::CStr) -> ffi::PyMemberDef {
    ffi::PyMemberDef {
        name: name.as_ptr(),
        type_code: ffi::Py_T_OBJECT_EX,
        offset: offset as ffi::Py_ssize_t,
        flags: 0,
        doc: doc.as_ptr(),
    }
}

/// ClockBase: the cursor `i` (the current bar's index, -1 before the first) as an integer member.
fn clock_type(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let members: &'static mut [ffi::PyMemberDef] = Box::leak(Box::new([
        ffi::PyMemberDef {
            name: c"i".as_ptr(),
            type_code: ffi::Py_T_PYSSIZET,
            offset: offset_of!(ClockBase, i) as ffi::Py_ssize_t,
            flags: 0,
            doc: c"The current bar's index in the arrays as kept (-1 before the first).".as_ptr(),
        },
        ffi::PyMemberDef::default(),
    ]));
    let slots: &'static mut [ffi::PyType_Slot] = Box::leak(Box::new([
        ffi::PyType_Slot { slot: ffi::Py_tp_members, pfunc: members.as_mut_ptr() as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_new, pfunc: ffi::PyType_GenericNew as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_dealloc, pfunc: clock_dealloc as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_doc, pfunc: c"A clock's cursor, read by LineBase.".as_ptr() as *mut c_void },
        ffi::PyType_Slot { slot: 0, pfunc: ptr::null_mut() },
    ]));
    let spec: &'static mut ffi::PyType_Spec = Box::leak(Box::new(ffi::PyType_Spec {
        name: c"cracktrader._native.ClockBase".as_ptr(),
        basicsize: size_of::<ClockBase>() as c_int,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE) as _,
        slots: slots.as_mut_ptr(),
    }));
    // SAFETY: a valid spec whose tables live for the whole process.
    unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(spec)) }
}

unsafe extern "C" fn clock_dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: as position.rs's dealloc (no object members here; a subclass's dict and GC are
    // its own dealloc's, run before this one).
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        let free: ffi::freefunc = std::mem::transmute(ffi::PyType_GetSlot(tp, ffi::Py_tp_free));
        free(obj as *mut c_void);
        ffi::Py_DECREF(tp as *mut ffi::PyObject);
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    // SAFETY: interned strings live for the whole process (one reference kept here).
    let (i, read) = unsafe {
        (ffi::PyUnicode_InternFromString(c"i".as_ptr()), ffi::PyUnicode_InternFromString(c"_read".as_ptr()))
    };
    if i.is_null() || read.is_null() {
        return Err(PyErr::fetch(py));
    }
    let clock = clock_type(py)?;
    m.add("ClockBase", clock.clone())?;
    // (the module keeps the type alive: the pointer stays valid)
    let _ = NAMES.set(Names { i: i as usize, read: read as usize, clock: clock.as_ptr() as usize });
    // The spec and its tables must outlive the type: leaked once, at import.
    let members: &'static mut [ffi::PyMemberDef] = Box::leak(Box::new([
        member(c"values", offset_of!(LineBase, values), c"The column: one value per bar."),
        member(c"clock", offset_of!(LineBase, clock), c"The feed whose cursor `i` is the current bar."),
        ffi::PyMemberDef::default(),
    ]));
    let slots: &'static mut [ffi::PyType_Slot] = Box::leak(Box::new([
        ffi::PyType_Slot { slot: ffi::Py_mp_subscript, pfunc: subscript as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_members, pfunc: members.as_mut_ptr() as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_new, pfunc: ffi::PyType_GenericNew as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_traverse, pfunc: traverse as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_clear, pfunc: clear as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_dealloc, pfunc: dealloc as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_doc, pfunc: c"A line's column and clock, read at an int index.".as_ptr() as *mut c_void },
        ffi::PyType_Slot { slot: 0, pfunc: ptr::null_mut() },
    ]));
    let spec: &'static mut ffi::PyType_Spec = Box::leak(Box::new(ffi::PyType_Spec {
        name: c"cracktrader._native.LineBase".as_ptr(),
        basicsize: size_of::<LineBase>() as c_int,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE | ffi::Py_TPFLAGS_HAVE_GC) as _,
        slots: slots.as_mut_ptr(),
    }));
    // SAFETY: a valid spec whose tables live for the whole process.
    let tp = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(spec)) }?;
    m.add("LineBase", tp)
}
