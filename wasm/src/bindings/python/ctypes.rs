//! Types written against the C API (lines.rs, position.rs): members at fixed offsets and slots
//! that are C functions, where a #[pyclass]'s trampolines would cost more than the work. The
//! spec's boilerplate, declared once here.

use std::ffi::{c_int, c_ulong, c_void, CStr};
use std::ptr;

use pyo3::ffi;
use pyo3::prelude::*;

/// A member of type `type_code` at `offset`.
pub fn member(name: &'static CStr, type_code: c_int, offset: usize, doc: &'static CStr) -> ffi::PyMemberDef {
    ffi::PyMemberDef { name: name.as_ptr(), type_code, offset: offset as ffi::Py_ssize_t, flags: 0, doc: doc.as_ptr() }
}

/// A slot: its id and its function (or table).
pub fn slot(slot: c_int, pfunc: *mut c_void) -> ffi::PyType_Slot {
    ffi::PyType_Slot { slot, pfunc }
}

/// A subclassable heap type `name` of `basicsize` bytes with `members` and `slots` (generic
/// new: zeroed members; the Python subclass's __init__ sets them). The spec and its tables
/// must outlive the type: leaked once, at import.
pub fn new_type<'py>(py: Python<'py>, name: &'static CStr, doc: &'static CStr, basicsize: usize, flags: c_ulong,
                     mut members: Vec<ffi::PyMemberDef>, mut slots: Vec<ffi::PyType_Slot>) -> PyResult<Bound<'py, PyAny>> {
    members.push(ffi::PyMemberDef::default());
    let members: &'static mut [ffi::PyMemberDef] = Box::leak(members.into_boxed_slice());
    slots.extend([
        slot(ffi::Py_tp_members, members.as_mut_ptr() as *mut c_void),
        slot(ffi::Py_tp_new, ffi::PyType_GenericNew as *mut c_void),
        slot(ffi::Py_tp_doc, doc.as_ptr() as *mut c_void),
        slot(0, ptr::null_mut()),
    ]);
    let slots: &'static mut [ffi::PyType_Slot] = Box::leak(slots.into_boxed_slice());
    let spec: &'static mut ffi::PyType_Spec = Box::leak(Box::new(ffi::PyType_Spec {
        name: name.as_ptr(),
        basicsize: basicsize as c_int,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE | flags) as _,
        slots: slots.as_mut_ptr(),
    }));
    // SAFETY: a valid spec whose tables live for the whole process; a new reference or NULL
    // with the error set.
    unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(spec)) }
}

/// tp_dealloc of a type without object members: free with the object's own tp_free (a
/// subclass's is the GC-aware one; its dict and GC are its own dealloc's, run before this one),
/// then release the reference the instance held on its type.
pub unsafe extern "C" fn dealloc_plain(obj: *mut ffi::PyObject) {
    // SAFETY: called by CPython on an instance of a heap type built by `new_type`.
    unsafe {
        free(obj);
    }
}

/// Frees `obj` with its type's tp_free and releases its type (the end of every tp_dealloc here).
pub unsafe fn free(obj: *mut ffi::PyObject) {
    // SAFETY: `obj` is an instance whose members are released already.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        let free: ffi::freefunc = std::mem::transmute(ffi::PyType_GetSlot(tp, ffi::Py_tp_free));
        free(obj as *mut c_void);
        ffi::Py_DECREF(tp as *mut ffi::PyObject);
    }
}
