//! Indicator kernels for the browser: `(input_ptr.., len, output_ptr.., params..)`.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::{column, column_mut, js_error};
use crate::{indicators, params};

#[wasm_bindgen]
pub fn sma(x: *const f64, len: usize, out: *mut f64, n: f64) -> Result<(), JsError> {
    let n = params::whole_number("sma", "n", n).map_err(js_error)?;
    indicators::sma(column(x, len), n, column_mut(out, len)).map_err(js_error)
}

/// Streaming SMA: `new Sma(n).update(value)` gives what `sma` gives at that bar.
#[wasm_bindgen(js_name = Sma)]
pub struct JsSma(indicators::Sma);

#[wasm_bindgen(js_class = Sma)]
impl JsSma {
    #[wasm_bindgen(constructor)]
    pub fn new(n: f64) -> Result<JsSma, JsError> {
        let n = params::whole_number("sma", "n", n).map_err(js_error)?;
        indicators::Sma::new(n).map(JsSma).map_err(js_error)
    }

    pub fn update(&mut self, value: f64) -> f64 {
        self.0.update(value)
    }
}
