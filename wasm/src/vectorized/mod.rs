//! Vectorized signal backtests: entry and exit signals over one market's candles, one position
//! per column, simulated by the event engine's own rules — the same trades, fees and equity, to
//! the last bit, as `ct.backtest` gives for the equivalent `SignalStrategy`.
//!
//! The engine's rules are ported here, not reinvented: `matcher` is `cracktrader/fills.py`
//! (a bar as a price path, the intrabar policy), `broker` is the single-feed part of
//! `broker.py` (submission, market rules, at-close fills, reduce-only exits, trailing stops),
//! `account` is `accounting.py`, `costs` is `costs.py`, and `rules` is what
//! `cracktrader/vectorized/signals.py` does in `next()`. Every formula keeps the Python
//! operation order (no FMA), so native and WASM builds and the engine agree bit for bit.
//!
//! What a column is (the documented rules, see docs/vectorized.md): on each bar from `start`,
//! an exit signal closes an open position (and cancels its stops); an entry signal opens one
//! when flat, or, with `Direction::Both`, reverses a position on the other side (a close and
//! a new entry); an exit wins over an entry on the same bar, so a bar with both never opens
//! and closes at once. Orders are market orders filled at the next bar's open (or this bar's
//! close), sized at this bar's close; stop-loss and take-profit are bracket exits placed with
//! the entry at levels from this bar's close; a trailing stop is placed on the first bar the
//! position is seen open.
//!
//! `measures` reduces a run to what its statistics are made of (`stats.Measures`), so a sweep
//! over thousands of columns keeps one equity column at a time.

pub mod account;
mod broker;
pub mod costs;
pub mod fsum;
mod matcher;
pub mod measures;
pub mod order;
mod rules;

pub use account::Trade;
pub use costs::{Commission, Slippage};
pub use measures::{measure, Measures};
pub use order::{Order, REASONS};
pub use rules::{simulate, Outcome, Signals, Simulator};

use crate::orders::MarketRules;
use crate::{params, KernelError};

/// One market's candles (times in UTC ms), shared by every column simulated over them.
#[derive(Clone, Copy)]
pub struct Market<'a> {
    pub time: &'a [i64],
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
}

impl<'a> Market<'a> {
    /// Columns of one length with finite prices (the engine's feed check guarantees both).
    pub fn new(
        time: &'a [i64],
        open: &'a [f64],
        high: &'a [f64],
        low: &'a [f64],
        close: &'a [f64],
    ) -> Result<Market<'a>, KernelError> {
        let n = time.len();
        params::columns(
            "vectorized",
            &[("time", n), ("open", open.len()), ("high", high.len()), ("low", low.len()), ("close", close.len())],
        )?;
        for (name, col) in [("open", open), ("high", high), ("low", low), ("close", close)] {
            if let Some(k) = col.iter().position(|v| !v.is_finite()) {
                return Err(KernelError::new(format!("vectorized: {name} is {} at row {k}", col[k])));
            }
        }
        Ok(Market { time, open, high, low, close })
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
}

/// Which extreme of a bar comes first when it matters (`intrabar=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Adverse,
    Favorable,
    Nearest,
}

impl Policy {
    /// Codes 0, 1, 2 in the order of `fills.POLICIES`.
    pub fn from_code(code: f64) -> Result<Policy, KernelError> {
        match code as i64 {
            _ if code.fract() != 0.0 => Err(bad("policy", code)),
            0 => Ok(Policy::Adverse),
            1 => Ok(Policy::Favorable),
            2 => Ok(Policy::Nearest),
            _ => Err(bad("policy", code)),
        }
    }
}

/// Which positions entries open: long, short, or either by the signal's sign (`Both`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Long,
    Short,
    Both,
}

impl Direction {
    /// Codes 0 long, 1 short, 2 both.
    pub fn from_code(code: f64) -> Result<Direction, KernelError> {
        match code as i64 {
            _ if code.fract() != 0.0 => Err(bad("direction", code)),
            0 => Ok(Direction::Long),
            1 => Ok(Direction::Short),
            2 => Ok(Direction::Both),
            _ => Err(bad("direction", code)),
        }
    }
}

/// An entry's size, fixed when it is placed, at the bar's close: units, quote currency, or a
/// percent of the account's value. Any number is taken: one no exchange would accept gives a
/// rejected order, as in the engine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sizing {
    Units(f64),
    Cash(f64),
    Percent(f64),
}

impl Sizing {
    /// Codes 0 units, 1 cash, 2 percent.
    pub fn from_code(code: f64, value: f64) -> Result<Sizing, KernelError> {
        match code as i64 {
            _ if code.fract() != 0.0 => Err(bad("sizing", code)),
            0 => Ok(Sizing::Units(value)),
            1 => Ok(Sizing::Cash(value)),
            2 => Ok(Sizing::Percent(value)),
            _ => Err(bad("sizing", code)),
        }
    }
}

fn bad(name: &str, code: f64) -> KernelError {
    KernelError::new(format!("vectorized: unknown {name} code {code}"))
}

/// The run's settings, shared by every column: those of `ct.backtest`.
#[derive(Clone, Debug)]
pub struct Settings {
    pub cash: f64,
    pub commission: Commission,
    pub slippage: Slippage,
    /// `fill="close"`: market orders fill at their bar's close instead of the next open.
    pub at_close: bool,
    pub policy: Policy,
    pub leverage: f64,
    pub rules: Option<MarketRules>,
}

impl Settings {
    /// The settings from the bindings' numbers (policy by code), checked.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        cash: f64,
        commission: Commission,
        slippage: Slippage,
        at_close: bool,
        policy: f64,
        leverage: f64,
        rules: Option<MarketRules>,
    ) -> Result<Settings, KernelError> {
        let settings = Settings { cash, commission, slippage, at_close, policy: Policy::from_code(policy)?, leverage, rules };
        settings.check()?;
        Ok(settings)
    }

    pub fn check(&self) -> Result<(), KernelError> {
        let k = "vectorized";
        positive(k, "cash", self.cash)?;
        positive(k, "leverage", self.leverage)?;
        for (name, v) in [
            ("commission maker", self.commission.maker),
            ("commission taker", self.commission.taker),
            ("commission fixed", self.commission.fixed),
            ("slippage bps", self.slippage.bps),
            ("slippage range", self.slippage.range),
        ] {
            params::at_least(k, name, v, 0.0)?;
        }
        if self.slippage.bps != 0.0 && self.slippage.range != 0.0 {
            return Err(KernelError::new("vectorized: slippage: give bps or range, not both"));
        }
        Ok(())
    }
}

fn positive(kernel: &str, name: &str, v: f64) -> Result<(), KernelError> {
    if !(v > 0.0 && v.is_finite()) {
        return Err(KernelError::new(format!("{kernel}: {name} must be a positive number, got {v}")));
    }
    Ok(())
}

/// One column's trading rules: what a strategy's `Signals` declare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spec {
    pub direction: Direction,
    pub sizing: Sizing,
    /// Stop-loss, take-profit and trailing-stop distances as fractions of the price (0.02 = 2%).
    pub stop_loss: Option<f64>,
    pub take_profit: Option<f64>,
    pub trail_stop: Option<f64>,
    /// The first bar the rules run on (the strategy's warm-up); the bars before keep the cash.
    pub start: usize,
}

impl Spec {
    /// The spec from the bindings' numbers: `(direction, sizing, size, stop_loss, take_profit,
    /// trail_stop, start)`, codes as `from_code` reads them, NaN for no stop.
    pub fn from_numbers(s: &[f64]) -> Result<Spec, KernelError> {
        let &[direction, sizing, size, stop_loss, take_profit, trail_stop, start] = s else {
            return Err(KernelError::new(format!("vectorized: a spec is 7 numbers, got {}", s.len())));
        };
        let start = params::whole_number("vectorized", "start", start)?;
        if start < 0 {
            return Err(KernelError::new(format!("vectorized: start must be a bar index, got {start}")));
        }
        Ok(Spec {
            direction: Direction::from_code(direction)?,
            sizing: Sizing::from_code(sizing, size)?,
            stop_loss: optional(stop_loss),
            take_profit: optional(take_profit),
            trail_stop: optional(trail_stop),
            start: start as usize,
        })
    }

    pub fn check(&self) -> Result<(), KernelError> {
        for (name, v) in [("stop_loss", self.stop_loss), ("take_profit", self.take_profit), ("trail_stop", self.trail_stop)] {
            if let Some(v) = v {
                if !(v > 0.0 && v < 1.0) {
                    return Err(KernelError::new(format!(
                        "vectorized: {name} must be a fraction of the price between 0 and 1, got {v}"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// An optional fraction from the bindings: NaN means none.
fn optional(v: f64) -> Option<f64> {
    if v.is_nan() {
        None
    } else {
        Some(v)
    }
}
