//! Indicator kernels for Python: a function per batch kernel, a class per streaming state.
//! The GIL is released while a kernel runs.

use pyo3::prelude::*;

use super::columns::{value_error, Column, Output};
use crate::indicators;

#[pyfunction]
fn sma<'py>(py: Python<'py>, x: &Bound<'py, PyAny>, n: i64) -> PyResult<Bound<'py, PyAny>> {
    let x = Column::new("sma", "x", x)?;
    let mut out = Output::new(py, x.as_slice().len())?;
    let (xs, os) = (x.as_slice(), out.as_mut_slice());
    py.detach(|| indicators::sma(xs, n, os)).map_err(value_error)?;
    Ok(out.array)
}

/// Streaming SMA: `Sma(n).update(value)` gives what `sma` gives at that bar.
#[pyclass(name = "Sma", module = "cracktrader.kernels")]
struct PySma(indicators::Sma);

#[pymethods]
impl PySma {
    #[new]
    fn new(n: i64) -> PyResult<Self> {
        indicators::Sma::new(n).map(PySma).map_err(value_error)
    }

    fn update(&mut self, value: f64) -> f64 {
        self.0.update(value)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sma, m)?)?;
    m.add_class::<PySma>()?;
    Ok(())
}
