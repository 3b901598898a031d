//! Columns in and out of Python: inputs are any float64 buffer (array('d'), memoryview, numpy)
//! or a sequence of numbers; outputs are fresh array('d') objects.

use std::ffi::{c_char, c_void};

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString, PyTuple};
use pyo3::{ffi, IntoPyObjectExt};

use crate::KernelError;

pub fn value_error(e: KernelError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The buffer formats of a float64 in this machine's byte order.
const FLOAT64_FORMATS: [&str; 4] = ["d", "@d", "=d", if cfg!(target_endian = "little") { "<d" } else { ">d" }];

/// A float64 input column: borrowed from a buffer when the caller has one, copied otherwise.
pub enum Column {
    Buffer(PyBuffer<f64>),
    Owned(Vec<f64>),
}

impl Column {
    pub fn new(kernel: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        // Text and raw bytes are sequences too, but never meant as numbers.
        if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            return Err(type_error(kernel, name, obj));
        }
        match PyBuffer::<f64>::get(obj) {
            Ok(buf) if buf.dimensions() == 1 && buf.as_slice_ptr().is_some() => return Ok(Column::Buffer(buf)),
            Ok(_) => {} // float64 but strided or not 1-D: copied below if it is a sequence of numbers
            Err(_) => {
                // A buffer of other values (int, float32, ...) is refused rather than converted;
                // a float64 one PyO3 cannot borrow (unaligned, say) is copied below.
                if let Ok(view) = PyMemoryView::from(obj) {
                    let format: String = view.getattr("format")?.extract()?;
                    if !FLOAT64_FORMATS.contains(&format.as_str()) {
                        return Err(PyTypeError::new_err(format!(
                            "{kernel}: {name} must hold float64 values, got a buffer of '{format}'"
                        )));
                    }
                }
            }
        }
        obj.extract::<Vec<f64>>().map(Column::Owned).map_err(|_| type_error(kernel, name, obj))
    }

    pub fn as_slice(&self) -> &[f64] {
        match self {
            // SAFETY: checked C-contiguous and one-dimensional in `new`; the buffer stays
            // exported (so it cannot be resized) for as long as `self` lives.
            Column::Buffer(buf) => unsafe { buf.as_slice_ptr().unwrap().as_ref() },
            Column::Owned(v) => v,
        }
    }
}

fn type_error(kernel: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    let got = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!(
        "{kernel}: {name} must be a float64 buffer (array('d'), memoryview, numpy float64) \
         or a sequence of numbers, got {got}"
    ))
}

/// A fresh array('d') of `len` values for a kernel to fill.
pub struct Output<'py> {
    pub array: Bound<'py, PyAny>,
    data: *mut f64,
    len: usize,
}

impl<'py> Output<'py> {
    pub fn new(py: Python<'py>, len: usize) -> PyResult<Self> {
        static ARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let array_type = ARRAY.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("array")?.getattr("array")?.unbind())
        })?;
        if len == 0 {
            let array = array_type.bind(py).call1(("d",))?;
            return Ok(Output { array, data: std::ptr::null_mut(), len });
        }
        if adoptable_layout(py, array_type.bind(py))? {
            return adopt(py, array_type.bind(py), len);
        }
        // Fallback for interpreters whose array object we do not recognise: zeros by repetition.
        let array = array_type.bind(py).call1(("d", vec![0.0f64]))?.mul(len)?;
        let buf = PyBuffer::<f64>::get(&array)?;
        let data = buf.buf_ptr() as *mut f64;
        Ok(Output { array, data, len })
    }

    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: `data` holds `len` f64 owned by `array`, which nobody else has seen yet.
        unsafe { std::slice::from_raw_parts_mut(self.data, self.len) }
    }
}

/// Several outputs as one Python value: the array itself, or a tuple in the kernel's order.
pub fn into_py<'py>(py: Python<'py>, outputs: Vec<Output<'py>>) -> PyResult<Bound<'py, PyAny>> {
    let mut arrays: Vec<Bound<'py, PyAny>> = outputs.into_iter().map(|o| o.array).collect();
    if arrays.len() == 1 {
        return Ok(arrays.pop().unwrap());
    }
    PyTuple::new(py, arrays)?.into_bound_py_any(py)
}

// ---- Output allocation without touching memory -------------------------------------------
//
// `array('d', [0.0]) * n` writes every byte (and 4 KiB page faults on fresh memory cost more
// than an SMA over the same data). Instead an empty array('d') adopts a block from
// PyMem_Malloc, the allocator CPython's array frees with, advised to use huge pages like numpy
// does; the kernel then writes each value once. This relies on the layout of CPython's
// arrayobject (Modules/arraymodule.c, unchanged since Python 3.0), so the layout is checked once
// on a probe array and the plain path above is used when it does not match.

#[repr(C)]
struct ArrayObject {
    ob_base: ffi::PyVarObject,
    ob_item: *mut c_char,
    allocated: ffi::Py_ssize_t,
}

fn adoptable_layout(py: Python<'_>, array_type: &Bound<'_, PyAny>) -> PyResult<bool> {
    static MATCHES: PyOnceLock<bool> = PyOnceLock::new();
    MATCHES
        .get_or_try_init(py, || -> PyResult<bool> {
            let empty = array_type.call1(("d",))?;
            let probe = array_type.call1(("d", vec![1.5f64, 2.5, 3.5]))?;
            let buf = PyBuffer::<f64>::get(&probe)?;
            // SAFETY: both objects are live array('d') instances; we only read their headers.
            let ok = unsafe {
                let e = empty.as_ptr() as *const ArrayObject;
                let p = probe.as_ptr() as *const ArrayObject;
                (*e).ob_item.is_null()
                    && (*e).allocated == 0
                    && (*e).ob_base.ob_size == 0
                    && std::ptr::eq((*p).ob_item as *const c_void, buf.buf_ptr())
                    && (*p).ob_base.ob_size == 3
                    && (*p).allocated >= 3
            };
            drop(buf);
            Ok(ok)
        })
        .copied()
}

fn adopt<'py>(py: Python<'py>, array_type: &Bound<'py, PyAny>, len: usize) -> PyResult<Output<'py>> {
    let array = array_type.call1(("d",))?;
    let bytes = len.checked_mul(8).filter(|&b| b <= isize::MAX as usize).ok_or_else(|| PyMemoryError::new_err(()))?;
    // SAFETY: PyMem_Malloc needs the GIL (held); the block's ownership passes to the array,
    // whose deallocator releases it with PyMem_Free. The array is empty and unshared, so no
    // buffer export or reader sees the uninitialised values before the kernel writes them all.
    unsafe {
        let data = ffi::PyMem_Malloc(bytes) as *mut f64;
        if data.is_null() {
            return Err(PyMemoryError::new_err(()));
        }
        advise_huge_pages(data as *mut c_void, bytes);
        let raw = array.as_ptr() as *mut ArrayObject;
        (*raw).ob_item = data as *mut c_char;
        (*raw).allocated = len as ffi::Py_ssize_t;
        (*raw).ob_base.ob_size = len as ffi::Py_ssize_t;
        let _ = py;
        Ok(Output { array, data, len })
    }
}

#[cfg(target_os = "linux")]
unsafe fn advise_huge_pages(ptr: *mut c_void, bytes: usize) {
    extern "C" {
        fn madvise(addr: *mut c_void, len: usize, advice: std::ffi::c_int) -> std::ffi::c_int;
    }
    const MADV_HUGEPAGE: std::ffi::c_int = 14;
    const PAGE: usize = 4096;
    if bytes >= 1 << 22 {
        // Best effort, as numpy does: a refusal only costs speed.
        let offset = (PAGE - (ptr as usize) % PAGE) % PAGE;
        madvise((ptr as *mut u8).add(offset) as *mut c_void, bytes - offset, MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
unsafe fn advise_huge_pages(_ptr: *mut c_void, _bytes: usize) {}
