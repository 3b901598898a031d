//! Columns in and out of Python: inputs are any float64 buffer (array('d'), memoryview, numpy)
//! or a sequence of numbers; outputs are fresh array('d') objects.

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::KernelError;

pub fn value_error(e: KernelError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A float64 input column: borrowed from a buffer when the caller has one, copied otherwise.
pub enum Column {
    Buffer(PyBuffer<f64>),
    Owned(Vec<f64>),
}

impl Column {
    pub fn new(kernel: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(buf) = PyBuffer::<f64>::get(obj) {
            if buf.dimensions() == 1 && buf.as_slice_ptr().is_some() {
                return Ok(Column::Buffer(buf));
            }
        }
        // Text and raw bytes are sequences too, but never meant as numbers.
        if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            return Err(type_error(kernel, name, obj));
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

/// A fresh array('d') of `len` zeros, and its buffer for the kernel to write into.
pub struct Output<'py> {
    pub array: Bound<'py, PyAny>,
    buf: Option<PyBuffer<f64>>, // None when empty: an empty array has no aligned buffer
}

impl<'py> Output<'py> {
    pub fn new(py: Python<'py>, len: usize) -> PyResult<Self> {
        static ZERO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let zero = ZERO.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("array")?.getattr("array")?.call1(("d", vec![0.0f64]))?.unbind())
        })?;
        // array('d', [0.0]) * len: one allocation filled by memcpy, the cheapest way to get an
        // array('d') of a given length.
        let array = zero.bind(py).mul(len)?;
        let buf = if len == 0 { None } else { Some(PyBuffer::<f64>::get(&array)?) };
        Ok(Output { array, buf })
    }

    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        // SAFETY: we created this array; nobody else holds it yet, it is contiguous and writable.
        match &self.buf {
            Some(buf) => unsafe { buf.as_slice_ptr().unwrap().as_mut() },
            None => &mut [],
        }
    }
}

