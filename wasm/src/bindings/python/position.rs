//! The base of `accounting.Position` on CPython: its size and its truth test in compiled code.
//! `not self.position` runs in most strategies' next() on every bar; a `__bool__` written in
//! Python costs a call into the interpreter each time (accounting.py keeps that version for
//! Pyodide).

use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// A position's signed size (> 0 long, < 0 short, 0 flat); falsy when flat.
#[pyclass(subclass, module = "cracktrader._native")]
pub struct PositionBase {
    #[pyo3(get, set)]
    size: f64,
}

#[pymethods]
impl PositionBase {
    /// Flat; the subclass's `__init__` sets the rest (its arguments are its own).
    #[new]
    #[pyo3(signature = (*_args))]
    fn new(_args: &Bound<'_, PyTuple>) -> Self {
        PositionBase { size: 0.0 }
    }

    fn __bool__(&self) -> bool {
        self.size != 0.0
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PositionBase>()
}
