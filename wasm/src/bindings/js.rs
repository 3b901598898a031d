//! wasm-bindgen bindings for the browser. Columns are passed as pointers into this module's
//! memory: the caller allocates with `alloc_f64`, fills the region (from Pyodide:
//! `Float64Array.new(wasm_memory().buffer, ptr, len).assign(array_d)`), calls a kernel with
//! `(input_ptr, len, output_ptr, params..)`, reads the output and frees both. Integer parameters
//! arrive as JS numbers and are checked to be whole. Errors are thrown as JS `Error`s.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use crate::{indicators, params, KernelError};

fn js_error(e: KernelError) -> JsError {
    JsError::new(e.message())
}

/// This module's linear memory, for views over allocated columns. Views go stale (detached)
/// whenever the memory grows, i.e. after any allocation: make them after the last `alloc_f64`.
#[wasm_bindgen]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Allocates room for `len` float64 values and returns its address.
#[wasm_bindgen]
pub fn alloc_f64(len: usize) -> *mut f64 {
    let mut v = Vec::<f64>::with_capacity(len.max(1));
    let ptr = v.as_mut_ptr();
    std::mem::forget(v);
    ptr
}

/// Frees a region returned by `alloc_f64(len)`.
#[wasm_bindgen]
pub fn free_f64(ptr: *mut f64, len: usize) {
    // SAFETY: ptr came from alloc_f64 with the same len.
    unsafe { drop(Vec::from_raw_parts(ptr, 0, len.max(1))) }
}

/// Borrows `len` float64 values at `ptr` (null with len 0 is an empty column).
fn column<'a>(ptr: *const f64, len: usize) -> &'a [f64] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the caller passes a region from alloc_f64 holding at least len values.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

fn column_mut<'a>(ptr: *mut f64, len: usize) -> &'a mut [f64] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: as for `column`; outputs never alias inputs.
    unsafe { std::slice::from_raw_parts_mut(ptr, len) }
}

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
