//! Candle-series kernels for Python: the CSV reader, the validity rules, resampling.
//!
//! Columns come back as `Buffer` objects: read-only buffers (format 'q' for times, 'd' for
//! values) that own the kernel's memory, so a million-row file is not copied again on the way
//! out — `array.frombytes`, `memoryview` and `pyarrow.py_buffer` all take them as they are.
//! Violations are `(row, field, rule, detail)` tuples; the GIL is released while kernels run.

use std::ffi::{c_char, c_int, c_void};

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::columns::{value_error, Column};
use crate::ohlcv::{self, time::Unit, CsvSpec, Ohlcv, Owned, Violation};

pub(super) enum Data {
    I64(Vec<i64>),
    F64(Vec<f64>),
}

/// A column owned by the kernels, exposed through the buffer protocol.
#[pyclass(name = "Buffer", module = "cracktrader.kernels", frozen)]
pub(super) struct PyBuf {
    data: Data,
    len: isize,
    nbytes: isize,
    itemsize: isize,
    one: isize,
}

impl PyBuf {
    pub(super) fn new(data: Data) -> Self {
        let len = match &data {
            Data::I64(v) => v.len(),
            Data::F64(v) => v.len(),
        } as isize;
        PyBuf {
            data,
            len,
            nbytes: len * 8,
            itemsize: 8,
            one: 1,
        }
    }
}

#[pymethods]
impl PyBuf {
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        if view.is_null() {
            return Err(PyBufferError::new_err("view is null"));
        }
        if flags & ffi::PyBUF_WRITABLE == ffi::PyBUF_WRITABLE {
            return Err(PyBufferError::new_err("kernel buffers are read-only"));
        }
        let this = slf.get();
        let (ptr, format): (*const c_void, &'static std::ffi::CStr) = match &this.data {
            Data::I64(v) => (v.as_ptr().cast(), c"q"),
            Data::F64(v) => (v.as_ptr().cast(), c"d"),
        };
        // SAFETY: `view` is a valid Py_buffer to fill; the pointers stay valid while `obj`
        // (a strong reference to this frozen object, which never changes its data) lives.
        unsafe {
            // Without a format request the consumer reads unsigned bytes (PEP 3118).
            let typed = flags & ffi::PyBUF_FORMAT == ffi::PyBUF_FORMAT;
            let (shape, itemsize) = if typed {
                (&this.len, &this.itemsize)
            } else {
                (&this.nbytes, &this.one)
            };
            (*view).buf = ptr as *mut c_void;
            (*view).len = this.nbytes;
            (*view).readonly = 1;
            (*view).itemsize = *itemsize;
            (*view).format = if typed {
                format.as_ptr() as *mut c_char
            } else {
                std::ptr::null_mut()
            };
            (*view).ndim = 1;
            (*view).shape = if flags & ffi::PyBUF_ND == ffi::PyBUF_ND {
                shape as *const isize as *mut isize
            } else {
                std::ptr::null_mut()
            };
            (*view).strides = if flags & ffi::PyBUF_STRIDES == ffi::PyBUF_STRIDES {
                itemsize as *const isize as *mut isize
            } else {
                std::ptr::null_mut()
            };
            (*view).suboffsets = std::ptr::null_mut();
            (*view).internal = std::ptr::null_mut();
            (*view).obj = slf.into_any().into_ptr();
        }
        Ok(())
    }

    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {}

    fn __len__(&self) -> usize {
        self.len as usize
    }
}

/// An int64 input column: borrowed from a buffer (array('q'), numpy int64) or copied.
pub(super) enum I64Column {
    Buffer(PyBuffer<i64>),
    Owned(Vec<i64>),
}

impl I64Column {
    pub(super) fn new(kernel: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(buf) = PyBuffer::<i64>::get(obj) {
            if buf.dimensions() == 1 && buf.as_slice_ptr().is_some() {
                return Ok(I64Column::Buffer(buf));
            }
        }
        obj.extract::<Vec<i64>>().map(I64Column::Owned).map_err(|_| {
            PyTypeError::new_err(format!("{kernel}: {name} must be an int64 buffer (array('q'), numpy int64) or a sequence of integers"))
        })
    }

    pub(super) fn as_slice(&self) -> &[i64] {
        match self {
            // SAFETY: checked one-dimensional and contiguous; the buffer stays exported while self lives.
            I64Column::Buffer(buf) => unsafe { buf.as_slice_ptr().unwrap().as_ref() },
            I64Column::Owned(v) => v,
        }
    }
}

fn columns<'py>(py: Python<'py>, c: Owned) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, column_buffers(py, c)?)
}

/// The six candle columns as `Buffer`s (time 'q', the others 'd').
pub(super) fn column_buffers(py: Python<'_>, c: Owned) -> PyResult<Vec<Bound<'_, PyAny>>> {
    let Owned {
        time,
        open,
        high,
        low,
        close,
        volume,
    } = c;
    let mut items = vec![Bound::new(py, PyBuf::new(Data::I64(time)))?.into_any()];
    for v in [open, high, low, close, volume] {
        items.push(Bound::new(py, PyBuf::new(Data::F64(v)))?.into_any());
    }
    Ok(items)
}

fn violation<'py>(py: Python<'py>, v: Option<Violation>) -> PyResult<Bound<'py, PyAny>> {
    match v {
        None => Ok(py.None().into_bound(py)),
        Some(v) => Ok((v.row, v.field, v.rule, v.detail)
            .into_pyobject(py)?
            .into_any()),
    }
}

fn unit(name: &str) -> PyResult<Option<Unit>> {
    Unit::from_name(name).map_err(PyValueError::new_err)
}

/// Reads a CSV body: `(columns, violation, lines)` (see `ohlcv::csv`).
#[pyfunction]
#[pyo3(signature = (data, delimiter, fields, first_line, unit_name="auto"))]
fn ohlcv_parse_csv<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    delimiter: char,
    fields: [usize; 6],
    first_line: usize,
    unit_name: &str,
) -> PyResult<Bound<'py, PyTuple>> {
    let buf = PyBuffer::<u8>::get(data).map_err(|_| {
        PyTypeError::new_err(
            "parse_csv: data must be bytes-like (bytes, mmap, memoryview of bytes)",
        )
    })?;
    if buf.dimensions() != 1 || buf.as_slice_ptr().is_none() {
        return Err(PyTypeError::new_err(
            "parse_csv: data must be a contiguous bytes-like object",
        ));
    }
    // SAFETY: contiguous, one-dimensional, and exported (so not resizable) while `buf` lives.
    let body: &[u8] = unsafe { buf.as_slice_ptr().unwrap().as_ref() };
    if !delimiter.is_ascii() {
        return Err(PyValueError::new_err(format!(
            "parse_csv: delimiter must be an ASCII character, got {delimiter:?}"
        )));
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    let spec = CsvSpec {
        delimiter: delimiter as u8,
        fields,
        first_line,
        unit: unit(unit_name)?,
        threads,
    };
    let parsed = py
        .detach(|| ohlcv::parse_csv(body, &spec))
        .map_err(value_error)?;
    let lines = PyList::new(py, parsed.lines)?;
    PyTuple::new(
        py,
        [
            columns(py, parsed.columns)?.into_any(),
            violation(py, parsed.violation)?,
            lines.into_any(),
        ],
    )
}

struct Inputs {
    time: I64Column,
    values: [Column; 5],
}

impl Inputs {
    fn new(
        kernel: &str,
        time: &Bound<'_, PyAny>,
        values: [&Bound<'_, PyAny>; 5],
    ) -> PyResult<Self> {
        let names = ["open", "high", "low", "close", "volume"];
        let mut cols = Vec::with_capacity(5);
        for (name, v) in names.iter().zip(values) {
            cols.push(Column::new(kernel, name, v)?);
        }
        let values: [Column; 5] = cols.try_into().unwrap_or_else(|_| unreachable!());
        Ok(Inputs {
            time: I64Column::new(kernel, "time", time)?,
            values,
        })
    }

    fn view(&self) -> Ohlcv<'_> {
        let [o, h, l, c, v] = &self.values;
        Ohlcv {
            time: self.time.as_slice(),
            open: o.as_slice(),
            high: h.as_slice(),
            low: l.as_slice(),
            close: c.as_slice(),
            volume: v.as_slice(),
        }
    }
}

/// The first row (0-based) that breaks a rule: `(row, field, rule, detail)`, or None.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn ohlcv_validate<'py>(
    py: Python<'py>,
    time: &Bound<'py, PyAny>,
    open: &Bound<'py, PyAny>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    timeframe_ms: i64,
) -> PyResult<Bound<'py, PyAny>> {
    let inputs = Inputs::new("validate", time, [open, high, low, close, volume])?;
    let view = inputs.view();
    let v = py
        .detach(|| ohlcv::validate(&view, timeframe_ms))
        .map_err(value_error)?;
    violation(py, v)
}

/// The most common step between times, or None.
#[pyfunction]
fn ohlcv_infer_timeframe(py: Python<'_>, time: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    let time = I64Column::new("infer_timeframe", "time", time)?;
    let t = time.as_slice();
    Ok(py.detach(|| ohlcv::infer_timeframe(t)))
}

/// `[(start, end), ...]`: the missing stretches between bars.
#[pyfunction]
fn ohlcv_gaps(
    py: Python<'_>,
    time: &Bound<'_, PyAny>,
    timeframe_ms: i64,
) -> PyResult<Vec<(i64, i64)>> {
    let time = I64Column::new("gaps", "time", time)?;
    let t = time.as_slice();
    py.detach(|| ohlcv::gaps(t, timeframe_ms))
        .map_err(value_error)
}

/// Bars of `target_ms` aggregated from bars of `source_ms`: a tuple of six columns.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn ohlcv_resample<'py>(
    py: Python<'py>,
    time: &Bound<'py, PyAny>,
    open: &Bound<'py, PyAny>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    source_ms: i64,
    target_ms: i64,
) -> PyResult<Bound<'py, PyTuple>> {
    let inputs = Inputs::new("resample", time, [open, high, low, close, volume])?;
    let view = inputs.view();
    let out = py
        .detach(|| ohlcv::resample(&view, source_ms, target_ms))
        .map_err(value_error)?;
    columns(py, out)
}

/// Epoch numbers (an int64 or float64 buffer) as UTC ms: `(time, violation)`, with the
/// unit decided as the CSV reader decides it (the violation's row is 0-based).
#[pyfunction]
#[pyo3(signature = (values, unit_name="auto"))]
fn ohlcv_epoch_to_ms<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    unit_name: &str,
) -> PyResult<Bound<'py, PyTuple>> {
    let unit = unit(unit_name)?;
    let ints = PyBuffer::<i64>::get(values)
        .ok()
        .filter(|b| b.dimensions() == 1 && b.as_slice_ptr().is_some());
    let (time, v) = if let Some(ints) = ints {
        // SAFETY: checked one-dimensional and contiguous; exported while `ints` lives.
        let s: &[i64] = unsafe { ints.as_slice_ptr().unwrap().as_ref() };
        py.detach(|| ohlcv::time::epoch_ints_to_ms(s, unit))
    } else {
        let floats = Column::new("epoch_to_ms", "values", values)?;
        let s = floats.as_slice();
        py.detach(|| ohlcv::time::epoch_floats_to_ms(s, unit))
    };
    PyTuple::new(
        py,
        [
            Bound::new(py, PyBuf::new(Data::I64(time)))?.into_any(),
            violation(py, v)?,
        ],
    )
}

/// Time texts (epoch numbers or ISO 8601, None for a missing cell) as UTC ms:
/// `(time, violation)` (the violation's row is 0-based).
#[pyfunction]
#[pyo3(signature = (texts, unit_name="auto"))]
fn ohlcv_parse_times<'py>(
    py: Python<'py>,
    texts: Vec<Option<String>>,
    unit_name: &str,
) -> PyResult<Bound<'py, PyTuple>> {
    let unit = unit(unit_name)?;
    let (time, v) = py.detach(|| ohlcv::time::texts_to_ms(&texts, unit));
    PyTuple::new(
        py,
        [
            Bound::new(py, PyBuf::new(Data::I64(time)))?.into_any(),
            violation(py, v)?,
        ],
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBuf>()?;
    m.add_function(wrap_pyfunction!(ohlcv_parse_csv, m)?)?;
    m.add_function(wrap_pyfunction!(ohlcv_validate, m)?)?;
    m.add_function(wrap_pyfunction!(ohlcv_infer_timeframe, m)?)?;
    m.add_function(wrap_pyfunction!(ohlcv_gaps, m)?)?;
    m.add_function(wrap_pyfunction!(ohlcv_resample, m)?)?;
    m.add_function(wrap_pyfunction!(ohlcv_epoch_to_ms, m)?)?;
    m.add_function(wrap_pyfunction!(ohlcv_parse_times, m)?)?;
    Ok(())
}
