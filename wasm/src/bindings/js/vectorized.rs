//! Vectorized signal backtests for the browser. A `SignalSim` copies one market's columns
//! into its own memory once, with the run's settings; each column's signals come by pointer
//! with their types (0 float64, 1 uint8 or bool, 2 int8). `run` gives a `SignalRun` whose
//! equity, records (`vectorized_fields()` numbers each) and measures the caller copies out
//! before `free()`; `measure` gives one column's measures. A spec is `Spec::from_numbers`'s
//! seven numbers (a Float64Array).
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::orders::JsMarketRules;
use super::{column, js_error};
use crate::vectorized::{account, measure, measures, order, Commission, Market, Signals, Simulator, Slippage, Settings, Spec, REASONS};
use crate::KernelError;

#[wasm_bindgen]
pub struct SignalSim {
    time: Vec<i64>,
    prices: [Vec<f64>; 4],
    settings: Settings,
    equity: Vec<f64>,
    scratch: measures::Scratch,
}

#[wasm_bindgen]
pub struct SignalRun {
    equity: Vec<f64>,
    trades: Vec<f64>,
    orders: Vec<f64>,
    measures: Vec<f64>,
}

#[wasm_bindgen]
impl SignalRun {
    pub fn equity_ptr(&self) -> *const f64 {
        self.equity.as_ptr()
    }

    pub fn equity_len(&self) -> usize {
        self.equity.len()
    }

    pub fn trades_ptr(&self) -> *const f64 {
        self.trades.as_ptr()
    }

    pub fn trades_len(&self) -> usize {
        self.trades.len()
    }

    pub fn orders_ptr(&self) -> *const f64 {
        self.orders.as_ptr()
    }

    pub fn orders_len(&self) -> usize {
        self.orders.len()
    }

    /// The run's measures (none without bars).
    pub fn measures(&self) -> Vec<f64> {
        self.measures.clone()
    }
}

#[wasm_bindgen]
impl SignalSim {
    /// Columns by pointer (times as int64), each `len` values.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        time: *const i64,
        open: *const f64,
        high: *const f64,
        low: *const f64,
        close: *const f64,
        len: usize,
        cash: f64,
        maker: f64,
        taker: f64,
        fixed: f64,
        bps: f64,
        range: f64,
        at_close: bool,
        policy: f64,
        leverage: f64,
    ) -> Result<SignalSim, JsError> {
        let commission = Commission { maker, taker, fixed };
        let slippage = Slippage { bps, range };
        let settings = Settings::new(cash, commission, slippage, at_close, policy, leverage, None).map_err(js_error)?;
        let sim = SignalSim {
            time: bytes_of::<i64>(time as *const u8, len).to_vec(),
            prices: [open, high, low, close].map(|p| column(p, len).to_vec()),
            settings,
            equity: Vec::new(),
            scratch: measures::Scratch::default(),
        };
        let m = sim.market();
        Market::new(m.time, m.open, m.high, m.low, m.close).map_err(js_error)?;
        Ok(sim)
    }

    /// The market rules orders are validated by (a copy).
    pub fn set_rules(&mut self, rules: &JsMarketRules) {
        self.settings.rules = Some(rules.0.clone());
    }

    /// One column in full: its spec (7 numbers), its signals by pointer and type.
    pub fn run(
        &self,
        spec: &[f64],
        entries: *const u8,
        exits: *const u8,
        len: usize,
        kinds: &[u8],
    ) -> Result<SignalRun, JsError> {
        let (spec, entries, exits) = signal_column(spec, entries, exits, len, kinds)?;
        let mut equity = vec![0.0; self.time.len()];
        let mut sim = Simulator::new(self.market(), &self.settings).map_err(js_error)?;
        sim.run(&spec, entries, exits, &mut equity).map_err(js_error)?;
        let a = &sim.broker.account;
        let measures = match equity.is_empty() {
            true => vec![],
            false => measure(&self.time, &equity, &a.trades, a.open.as_ref(), &mut Default::default()).record().to_vec(),
        };
        Ok(SignalRun {
            trades: a.trades.iter().chain(a.open.as_ref()).flat_map(|t| t.record()).collect(),
            orders: sim.broker.orders.iter().flat_map(|o| o.record()).collect(),
            equity,
            measures,
        })
    }

    /// One column's measures (`vectorized_fields()[2]` numbers), arguments as `run`'s.
    pub fn measure(
        &mut self,
        spec: &[f64],
        entries: *const u8,
        exits: *const u8,
        len: usize,
        kinds: &[u8],
    ) -> Result<Vec<f64>, JsError> {
        let (spec, entries, exits) = signal_column(spec, entries, exits, len, kinds)?;
        let mut equity = std::mem::take(&mut self.equity);
        equity.resize(self.time.len(), 0.0);
        let mut scratch = std::mem::take(&mut self.scratch);
        let result = (|| -> Result<Vec<f64>, KernelError> {
            let market = self.market();
            let mut sim = Simulator::new(market, &self.settings)?;
            sim.run(&spec, entries, exits, &mut equity)?;
            if equity.is_empty() {
                return Err(KernelError::new("vectorized: no bars to measure"));
            }
            let a = &sim.broker.account;
            Ok(measure(market.time, &equity, &a.trades, a.open.as_ref(), &mut scratch).record().to_vec())
        })();
        self.equity = equity;
        self.scratch = scratch;
        result.map_err(js_error)
    }
}

impl SignalSim {
    fn market(&self) -> Market<'_> {
        let [open, high, low, close] = &self.prices;
        Market { time: &self.time, open, high, low, close }
    }
}

/// A column's spec and its two signal columns (`kinds`: entries', exits').
fn signal_column<'a>(spec: &[f64], entries: *const u8, exits: *const u8, len: usize, kinds: &[u8]) -> Result<(Spec, Signals<'a>, Signals<'a>), JsError> {
    let spec = Spec::from_numbers(spec).map_err(js_error)?;
    let [e, x] = kinds else { return Err(JsError::new("vectorized: kinds are two numbers")) };
    Ok((spec, signals(entries, len, *e)?, signals(exits, len, *x)?))
}

fn signals<'a>(ptr: *const u8, len: usize, kind: u8) -> Result<Signals<'a>, JsError> {
    match kind {
        0 => Ok(Signals::F64(column(ptr as *const f64, len))),
        1 => Ok(Signals::U8(bytes_of::<u8>(ptr, len))),
        2 => Ok(Signals::I8(bytes_of::<i8>(ptr, len))),
        _ => Err(JsError::new(&format!("vectorized: unknown signal type {kind}"))),
    }
}

/// `len` values of T at `ptr`, a region from `alloc_f64` (null with len 0 is empty).
fn bytes_of<'a, T>(ptr: *const u8, len: usize) -> &'a [T] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the caller passes a region from alloc_f64 (8-byte aligned) holding len values of T.
    unsafe { std::slice::from_raw_parts(ptr as *const T, len) }
}

/// The engine's rule names by reason code (0: none).
#[wasm_bindgen]
pub fn vectorized_reasons() -> Vec<String> {
    REASONS.iter().map(|s| s.to_string()).collect()
}

/// Numbers per record: orders, trades, measures.
#[wasm_bindgen]
pub fn vectorized_fields() -> Vec<f64> {
    vec![order::FIELDS as f64, account::FIELDS as f64, measures::FIELDS as f64]
}
