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
use std::ptr;

use pyo3::ffi;
use pyo3::prelude::*;

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

unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: the pattern for a heap type's tp_dealloc: free with the object's own tp_free
    // (a subclass's is the GC-aware one), then release the reference its instance held.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        let free: ffi::freefunc = std::mem::transmute(ffi::PyType_GetSlot(tp, ffi::Py_tp_free));
        free(obj as *mut c_void);
        ffi::Py_DECREF(tp as *mut ffi::PyObject);
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // The spec and its tables must outlive the type: leaked once, at import.
    let members: &'static mut [ffi::PyMemberDef] = Box::leak(Box::new([
        ffi::PyMemberDef {
            name: c"size".as_ptr(),
            type_code: ffi::Py_T_DOUBLE,
            offset: offset_of!(PositionBase, size) as ffi::Py_ssize_t,
            flags: 0,
            doc: c"Signed size: > 0 long, < 0 short, 0 flat.".as_ptr(),
        },
        ffi::PyMemberDef::default(),
    ]));
    let slots: &'static mut [ffi::PyType_Slot] = Box::leak(Box::new([
        ffi::PyType_Slot { slot: ffi::Py_nb_bool, pfunc: truth as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_members, pfunc: members.as_mut_ptr() as *mut c_void },
        // Flat when made (tp_alloc zeroes the size); the subclass's __init__ takes its arguments.
        ffi::PyType_Slot { slot: ffi::Py_tp_new, pfunc: ffi::PyType_GenericNew as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_dealloc, pfunc: dealloc as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_doc, pfunc: c"A position's size, falsy when flat.".as_ptr() as *mut c_void },
        ffi::PyType_Slot { slot: 0, pfunc: ptr::null_mut() },
    ]));
    let spec: &'static mut ffi::PyType_Spec = Box::leak(Box::new(ffi::PyType_Spec {
        name: c"cracktrader._native.PositionBase".as_ptr(),
        basicsize: size_of::<PositionBase>() as c_int,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE) as _,
        slots: slots.as_mut_ptr(),
    }));
    let py = m.py();
    // SAFETY: a valid spec whose tables live for the whole process; a new reference or NULL
    // with the error set.
    let tp = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(spec)) }?;
    m.add("PositionBase", tp)
}
