//! Summaries of a run's per-bar returns (`crate::returns`), for the overfitting report.

use pyo3::prelude::*;

use super::columns::{value_error, Column, Output};
use crate::returns;

/// `return_summaries(equity, blocks)` -> array('d') `[n, mean, m2, m3, m4, (block sum, block
/// sum of squares) * blocks]` (no blocks when there are fewer returns than blocks). The GIL is
/// released while it runs.
#[pyfunction]
fn return_summaries<'py>(py: Python<'py>, equity: &Bound<'py, PyAny>, blocks: usize) -> PyResult<Bound<'py, PyAny>> {
    let equity = Column::new("return_summaries", "equity", equity)?;
    let values = equity.as_slice();
    let out = py.detach(|| returns::summaries(values, blocks)).map_err(value_error)?;
    let mut array = Output::new(py, out.len())?;
    array.as_mut_slice().copy_from_slice(&out);
    Ok(array.array)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(return_summaries, m)?)
}
