//! The base of `accounting.Position` on CPython: its size and its truth test in compiled code.
//! `not self.position` runs in most strategies' next() on every bar, and the engine reads the
//! size on every bar for the equity; a `__bool__` written in Python costs a call into the
//! interpreter each time (accounting.py keeps that version for Pyodide).
//!
//! Written against the C API directly, not as a #[pyclass]: the size is a plain member (a
//! double at a fixed offset, read and written by CPython's own descriptor) and the truth test a
//! C function, where PyO3's getter, setter and __bool__ each pass through a trampoline (two to
//! four times the instructions).

use std::ffi::{c_int, c_void};
use std::mem::{offset_of, size_of};

use pyo3::ffi;
use pyo3::prelude::*;

use super::ctypes;

/// A position's signed size (> 0 long, < 0 short, 0 flat): falsy when flat.
#[repr(C)]
struct PositionBase {
    ob_base: ffi::PyObject,
    size: f64,
}

unsafe extern "C" fn truth(obj: *mut ffi::PyObject) -> c_int {
    // SAFETY: CPython calls nb_bool with an instance of the type (or of a subclass), whose
    // memory starts with PositionBase.
    unsafe { ((*(obj as *const PositionBase)).size != 0.0) as c_int }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let members = vec![ctypes::member(c"size", ffi::Py_T_DOUBLE, offset_of!(PositionBase, size),
                                      c"Signed size: > 0 long, < 0 short, 0 flat.")];
    // Flat when made (tp_alloc zeroes the size); the subclass's __init__ takes its arguments.
    let slots = vec![
        ctypes::slot(ffi::Py_nb_bool, truth as *mut c_void),
        ctypes::slot(ffi::Py_tp_dealloc, ctypes::dealloc_plain as *mut c_void),
    ];
    let tp = ctypes::new_type(m.py(), c"cracktrader._native.PositionBase", c"A position's size, falsy when flat.",
                              size_of::<PositionBase>(), 0, members, slots)?;
    m.add("PositionBase", tp)
}
