//! A run's per-bar returns (`crate::returns`, the curve part of `vectorized::measures`): columns
//! by pointer (`alloc_f64`), results as a Float64Array.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::ohlcv::times;
use super::{column, js_error};
use crate::returns;
use crate::vectorized::measures;

#[wasm_bindgen]
pub fn return_summaries(equity: *const f64, len: usize, blocks: usize) -> Result<Vec<f64>, JsError> {
    returns::summaries(column(equity, len), blocks).map_err(js_error)
}

/// `[return mean, return std, downside, max drawdown, drawdown ms, drawdown bars]` of `len >= 1`
/// bars (NaN where `stats` has None).
#[wasm_bindgen]
pub fn curve_measures(time: *const i64, equity: *const f64, len: usize) -> Result<Vec<f64>, JsError> {
    if len == 0 {
        return Err(JsError::new("curve_measures: time and equity must have the same length, at least one bar"));
    }
    let c = measures::curve(times(time, len), column(equity, len), &mut measures::Scratch::default());
    Ok(vec![c.return_mean, c.return_std, c.downside, c.max_drawdown, c.drawdown_ms as f64, c.drawdown_bars as f64])
}

/// `[n, sum r, sum b, sum b*b, sum r*b]` of the simple returns of two columns of `len` values.
#[wasm_bindgen]
pub fn versus_sums(equity: *const f64, benchmark: *const f64, len: usize) -> Result<Vec<f64>, JsError> {
    returns::versus_sums(column(equity, len), column(benchmark, len)).map(|s| s.to_vec()).map_err(js_error)
}
