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

use super::ctypes;

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
        ffi::PyObject_GC_UnTrack(obj as *mut c_void);
        clear(obj);
        ctypes::free(obj);
    }
}

/// ClockBase: the cursor `i` (the current bar's index, -1 before the first) as an integer member.
fn clock_type(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let members = vec![ctypes::member(c"i", ffi::Py_T_PYSSIZET, offset_of!(ClockBase, i),
                                      c"The current bar's index in the arrays as kept (-1 before the first).")];
    let slots = vec![ctypes::slot(ffi::Py_tp_dealloc, ctypes::dealloc_plain as *mut c_void)];
    ctypes::new_type(py, c"cracktrader._native.ClockBase", c"A clock's cursor, read by LineBase.",
                     size_of::<ClockBase>(), 0, members, slots)
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
    let members = vec![
        ctypes::member(c"values", ffi::Py_T_OBJECT_EX, offset_of!(LineBase, values), c"The column: one value per bar."),
        ctypes::member(c"clock", ffi::Py_T_OBJECT_EX, offset_of!(LineBase, clock),
                       c"The feed whose cursor `i` is the current bar."),
    ];
    let slots = vec![
        ctypes::slot(ffi::Py_mp_subscript, subscript as *mut c_void),
        ctypes::slot(ffi::Py_tp_traverse, traverse as *mut c_void),
        ctypes::slot(ffi::Py_tp_clear, clear as *mut c_void),
        ctypes::slot(ffi::Py_tp_dealloc, dealloc as *mut c_void),
    ];
    let tp = ctypes::new_type(py, c"cracktrader._native.LineBase", c"A line's column and clock, read at an int index.",
                              size_of::<LineBase>(), ffi::Py_TPFLAGS_HAVE_GC, members, slots)?;
    m.add("LineBase", tp)
}
