//! Order validation for the browser. A verdict is six numbers, so Pyodide gets it in one
//! call: `[status, amount, price, value, limit, by_precision]` (status 0: valid; NaN for
//! absent numbers). `explain` turns a rejection back into its message.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::{column, column_mut, js_error};
use crate::orders::{self, MarketSpec, OrderType, Rejection, Rule, Side, RULE_NAMES};

#[wasm_bindgen(js_name = MarketRules)]
pub struct JsMarketRules(pub(super) orders::MarketRules);

#[wasm_bindgen(js_class = MarketRules)]
impl JsMarketRules {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        precision_mode: &str,
        amount_precision: Option<f64>,
        price_precision: Option<f64>,
        cost_precision: Option<f64>,
        amount_min: Option<f64>,
        amount_max: Option<f64>,
        price_min: Option<f64>,
        price_max: Option<f64>,
        cost_min: Option<f64>,
        cost_max: Option<f64>,
    ) -> Result<JsMarketRules, JsError> {
        let spec = MarketSpec {
            amount_precision,
            price_precision,
            cost_precision,
            amount_min,
            amount_max,
            price_min,
            price_max,
            cost_min,
            cost_max,
        };
        orders::MarketRules::new(precision_mode, spec).map(JsMarketRules).map_err(js_error)
    }

    /// Side and type by code (0 buy / 1 sell, 0 limit / 1 market; anything else is invalid).
    pub fn validate(&self, side: u8, order_type: u8, amount: f64, price: Option<f64>) -> Vec<f64> {
        let side = Side::from_code(side as f64);
        let order_type = OrderType::from_code(order_type as f64);
        verdict(self.0.validate(side, order_type, amount, price))
    }

    pub fn amount_to_precision(&self, amount: f64) -> Vec<f64> {
        verdict(self.0.amount_to_precision(amount).map(|a| (a, None)))
    }

    pub fn price_to_precision(&self, price: f64) -> Vec<f64> {
        verdict(self.0.price_to_precision(price).map(|p| (f64::NAN, Some(p))))
    }

    /// One number in a Float64Array: a plain JS number would reach Python as an int when
    /// whole (and lose the sign of -0.0).
    pub fn cost_to_precision(&self, cost: f64) -> Result<Vec<f64>, JsError> {
        self.0.cost_to_precision(cost).map(|c| vec![c]).map_err(js_error)
    }

    /// The message of a rejection given by its verdict; `got` is the repr of the side or type.
    pub fn explain(&self, status: u8, value: f64, limit: Option<f64>, by_precision: bool, got: &str) -> String {
        match Rule::from_code(status) {
            Some(rule) => self.0.explain(&Rejection { rule, value, limit, by_precision }, got),
            None => String::new(),
        }
    }

    /// Columns by pointer (see `alloc_f64`, `alloc_u8`); every column must have `len` values.
    #[allow(clippy::too_many_arguments)]
    pub fn validate_batch(
        &self,
        sides: *const f64,
        sides_len: usize,
        order_types: *const f64,
        order_types_len: usize,
        amounts: *const f64,
        amounts_len: usize,
        prices: *const f64,
        prices_len: usize,
        out_amounts: *mut f64,
        out_prices: *mut f64,
        status: *mut u8,
    ) -> Result<(), JsError> {
        let n = sides_len;
        // SAFETY: status is a region from alloc_u8 holding n bytes.
        let status = if n == 0 { &mut [][..] } else { unsafe { std::slice::from_raw_parts_mut(status, n) } };
        self.0
            .validate_batch(
                column(sides, n),
                column(order_types, order_types_len),
                column(amounts, amounts_len),
                column(prices, prices_len),
                column_mut(out_amounts, n),
                column_mut(out_prices, n),
                status,
            )
            .map_err(js_error)
    }

    pub fn describe(&self) -> String {
        self.0.describe()
    }
}

fn verdict(v: Result<(f64, Option<f64>), Rejection>) -> Vec<f64> {
    match v {
        Ok((amount, price)) => vec![0.0, amount, price.unwrap_or(f64::NAN), f64::NAN, f64::NAN, 0.0],
        Err(r) => vec![
            r.rule as u8 as f64,
            f64::NAN,
            f64::NAN,
            r.value,
            r.limit.unwrap_or(f64::NAN),
            r.by_precision as u8 as f64,
        ],
    }
}

/// The rule names by status code (0: "valid").
#[wasm_bindgen]
pub fn order_status() -> Vec<String> {
    RULE_NAMES.iter().map(|s| s.to_string()).collect()
}

/// Allocates room for `len` bytes (batch status codes) and returns its address.
#[wasm_bindgen]
pub fn alloc_u8(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let ptr = v.as_mut_ptr();
    std::mem::forget(v);
    ptr
}

/// Frees a region returned by `alloc_u8(len)`.
#[wasm_bindgen]
pub fn free_u8(ptr: *mut u8, len: usize) {
    // SAFETY: ptr came from alloc_u8 with the same len.
    unsafe { drop(Vec::from_raw_parts(ptr, 0, len.max(1))) }
}
