//! A run's per-bar returns (`crate::returns`, the curve part of `vectorized::measures`): the
//! statistics' sums over the equity curve, and the overfitting report's summaries.

use pyo3::prelude::*;

use super::columns::{value_error, Column, Output};
use super::ohlcv::I64Column;
use crate::returns;
use crate::vectorized::measures;

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

/// `curve_measures(time, equity)` -> `(return mean, return std, downside, max drawdown,
/// drawdown ms, drawdown bars)` of at least one bar (NaN where `stats` has None).
#[pyfunction]
fn curve_measures(time: &Bound<'_, PyAny>, equity: &Bound<'_, PyAny>) -> PyResult<(f64, f64, f64, f64, i64, usize)> {
    let time = I64Column::new("curve_measures", "time", time)?;
    let equity = Column::new("curve_measures", "equity", equity)?;
    let (time, equity) = (time.as_slice(), equity.as_slice());
    if equity.is_empty() || time.len() != equity.len() {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "curve_measures: time and equity must have the same length, at least one bar",
        ));
    }
    let c = measures::curve(time, equity, &mut measures::Scratch::default());
    Ok((c.return_mean, c.return_std, c.downside, c.max_drawdown, c.drawdown_ms, c.drawdown_bars))
}

/// `versus_sums(equity, benchmark)` -> `(n, sum r, sum b, sum b*b, sum r*b)` of the simple
/// returns, exact sums.
#[pyfunction]
fn versus_sums(equity: &Bound<'_, PyAny>, benchmark: &Bound<'_, PyAny>) -> PyResult<(f64, f64, f64, f64, f64)> {
    let equity = Column::new("versus_sums", "equity", equity)?;
    let benchmark = Column::new("versus_sums", "benchmark", benchmark)?;
    let [n, r, b, bb, rb] = returns::versus_sums(equity.as_slice(), benchmark.as_slice()).map_err(value_error)?;
    Ok((n, r, b, bb, rb))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(return_summaries, m)?)?;
    m.add_function(wrap_pyfunction!(curve_measures, m)?)?;
    m.add_function(wrap_pyfunction!(versus_sums, m)?)
}
