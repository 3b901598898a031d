//! Candles from trades for the browser. The batch form takes pointers into this module's
//! memory (times as int64, prices and amounts as float64) and returns a `TradeBars` table whose
//! columns the caller copies out before `free()`. The streaming `CandleBuilder` returns bars
//! flat, eight numbers each: time, open, high, low, close, volume, quote volume, trades.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::{column, js_error};
use crate::params;
use crate::trades::{self, Bar, TradeCandles};

const KERNEL: &str = "candles_from_trades";

#[wasm_bindgen]
pub struct TradeBars(TradeCandles);

#[wasm_bindgen]
impl TradeBars {
    pub fn rows(&self) -> usize {
        self.0.len()
    }

    pub fn time_ptr(&self) -> *const i64 {
        self.0.time.as_ptr()
    }

    /// Column `i` of open, high, low, close, volume, quote volume.
    pub fn value_ptr(&self, i: usize) -> *const f64 {
        let c = &self.0;
        [
            &c.open,
            &c.high,
            &c.low,
            &c.close,
            &c.volume,
            &c.quote_volume,
        ][i.min(5)]
        .as_ptr()
    }

    pub fn trades_ptr(&self) -> *const i64 {
        self.0.trades.as_ptr()
    }
}

fn times<'a>(ptr: *const i64, len: usize) -> &'a [i64] {
    let floats = column(ptr as *const f64, len);
    // SAFETY: the same region; i64 and f64 have the same size and alignment.
    unsafe { std::slice::from_raw_parts(floats.as_ptr() as *const i64, len) }
}

fn time_arg(name: &str, v: f64) -> Result<i64, JsError> {
    params::whole_number(KERNEL, name, v).map_err(js_error)
}

#[wasm_bindgen]
pub fn candles_from_trades(
    time: *const i64,
    price: *const f64,
    amount: *const f64,
    len: usize,
    timeframe_ms: f64,
    now: Option<f64>,
) -> Result<TradeBars, JsError> {
    let tf = time_arg("timeframe_ms", timeframe_ms)?;
    let now = now.map(|n| time_arg("now", n)).transpose()?;
    trades::candles_from_trades(
        times(time, len),
        column(price, len),
        column(amount, len),
        tf,
        now,
    )
    .map(TradeBars)
    .map_err(js_error)
}

fn flat(bars: &[Bar]) -> Vec<f64> {
    bars.iter()
        .flat_map(|b| {
            [
                b.time as f64,
                b.open,
                b.high,
                b.low,
                b.close,
                b.volume,
                b.quote_volume,
                b.trades as f64,
            ]
        })
        .collect()
}

#[wasm_bindgen]
pub struct CandleBuilder(trades::CandleBuilder);

#[wasm_bindgen]
impl CandleBuilder {
    #[wasm_bindgen(constructor)]
    pub fn new(timeframe_ms: f64) -> Result<CandleBuilder, JsError> {
        let tf = time_arg("timeframe_ms", timeframe_ms)?;
        trades::CandleBuilder::new(tf)
            .map(CandleBuilder)
            .map_err(js_error)
    }

    /// The bars this trade closed, flat.
    pub fn update(&mut self, time: f64, price: f64, amount: f64) -> Result<Vec<f64>, JsError> {
        let mut closed = Vec::new();
        self.0
            .update(time_arg("time", time)?, price, amount, &mut closed)
            .map_err(js_error)?;
        Ok(flat(&closed))
    }

    /// The bars the clock closed, flat.
    pub fn advance(&mut self, now: f64) -> Result<Vec<f64>, JsError> {
        let mut closed = Vec::new();
        self.0.advance(time_arg("now", now)?, &mut closed);
        Ok(flat(&closed))
    }

    /// The bar forming, flat (empty before the first trade).
    pub fn forming(&self) -> Vec<f64> {
        flat(self.0.forming().as_slice())
    }

    pub fn reset(&mut self) {
        self.0.reset();
    }
}
