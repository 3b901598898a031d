//! Summaries of a run's per-bar returns (`crate::returns`), for the overfitting report: the
//! equity by pointer (`alloc_f64`), the summaries as a Float64Array.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::{column, js_error};
use crate::returns;

#[wasm_bindgen]
pub fn return_summaries(equity: *const f64, len: usize, blocks: usize) -> Result<Vec<f64>, JsError> {
    returns::summaries(column(equity, len), blocks).map_err(js_error)
}
