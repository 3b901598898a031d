//! wasm-bindgen bindings for the browser. Columns are passed as pointers into this module's
//! memory: the caller allocates with `alloc_f64`, fills the region (from Pyodide:
//! `Float64Array.new(wasm_memory().buffer, ptr, len).assign(array_d)`), calls a kernel with
//! `(input_ptr, len, output_ptr, params..)`, reads the output and frees both. Integer parameters
//! arrive as JS numbers and are checked to be whole. Errors are thrown as JS `Error`s.

use wasm_bindgen::prelude::*;

use crate::KernelError;

mod indicators;
mod ohlcv;
mod orders;
mod returns;
mod trades;
mod vectorized;

pub(crate) fn js_error(e: KernelError) -> JsError {
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
pub(crate) fn column<'a>(ptr: *const f64, len: usize) -> &'a [f64] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the caller passes a region from alloc_f64 holding at least len values.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

pub(crate) fn column_mut<'a>(ptr: *mut f64, len: usize) -> &'a mut [f64] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: as for `column`; outputs never alias inputs.
    unsafe { std::slice::from_raw_parts_mut(ptr, len) }
}
