//! Technical indicators, named as TA-Lib's functions in lower case.
//!
//! Each indicator is a streaming state fed one bar at a time (for live trading) and a batch
//! function over float64 slices that runs that very state over the columns (`run`), so both
//! forms perform the same operations in the same order and agree to the last bit. Outputs are
//! as long as the inputs, NaN during warm-up; multi-output kernels fill one slice per output in
//! TA-Lib's output order.
//!
//! Non-finite input: a bar with a NaN or infinite input gives NaN and the indicator starts over
//! from the next bar, as if the series began there. So the output on a series with gaps is the
//! indicator of each finite stretch on its own. Windowed indicators (SMA, MAX, ...) thereby
//! recover as soon as the bad value has left the window; recursive ones (EMA, RSI, ATR, ...)
//! warm up again instead of staying NaN forever as TA-Lib's do.

mod extremes;
mod rolling;
mod smooth;

mod aroon;
mod bbands;
mod cci;
mod cross;
mod dema;
mod dmi;
mod donchian;
mod ema;
mod kama;
mod keltner;
mod linearreg;
mod macd;
mod mfi;
mod momentum;
mod obv;
mod rsi;
mod sar;
mod sma;
mod smma;
mod stoch;
mod trange;
mod trima;
mod trix;
mod ultosc;
mod vwap;
mod willr;
mod window;
mod wma;

pub use aroon::{aroon, aroonosc, Aroon, Aroonosc};
pub use bbands::{bbands, stddev, Bbands, Stddev};
pub use cci::{cci, Cci};
pub use cross::{crossover, crossunder, Crossover, Crossunder};
pub use dema::{dema, tema, Dema, Tema};
pub use dmi::{adx, adxr, minus_di, plus_di, Adx, Adxr, MinusDi, PlusDi};
pub use donchian::{donchian, Donchian};
pub use ema::{ema, Ema};
pub use kama::{kama, Kama};
pub use keltner::{keltner, Keltner};
pub use linearreg::{linearreg_slope, LinearregSlope};
pub use macd::{macd, Macd};
pub use mfi::{mfi, Mfi};
pub use momentum::{mom, roc, rocp, Mom, Roc, Rocp};
pub use obv::{obv, Obv};
pub use rsi::{rsi, Rsi};
pub use sar::{sar, Sar};
pub use sma::{sma, Sma};
pub use smma::{smma, Smma};
pub use stoch::{stoch, stochf, stochrsi, Stoch, Stochf, Stochrsi};
pub use trange::{atr, natr, trange, Atr, Natr, Trange};
pub use trima::{trima, Trima};
pub use trix::{trix, Trix};
pub use ultosc::{ultosc, Ultosc};
pub use vwap::{vwap, Vwap};
pub use willr::{willr, Willr};
pub use window::{max, min, sum, Max, Min, Sum};
pub use wma::{wma, Wma};

use crate::{params, KernelError};

pub(crate) const NAN: f64 = f64::NAN;

/// Checks that the named input columns share one length and every output has it too.
pub(crate) fn check(kernel: &str, inputs: &[(&str, &[f64])], outputs: &[&[f64]]) -> Result<usize, KernelError> {
    let lens: Vec<(&str, usize)> = inputs.iter().map(|(name, x)| (*name, x.len())).collect();
    let len = params::columns(kernel, &lens)?;
    for out in outputs {
        params::same_length(kernel, "an output", out.len(), len)?;
    }
    Ok(len)
}

/// Runs a streaming state's `step` over equally long columns: the batch form of every indicator.
#[inline(always)]
pub(crate) fn run<const I: usize, const O: usize>(
    inputs: [&[f64]; I],
    outputs: [&mut [f64]; O],
    mut step: impl FnMut([f64; I]) -> [f64; O],
) {
    let len = outputs[0].len();
    assert!(inputs.iter().all(|x| x.len() == len) && outputs.iter().all(|o| o.len() == len));
    let ins = inputs.map(|x| x.as_ptr());
    let outs = outputs.map(|o| o.as_mut_ptr());
    for i in 0..len {
        // SAFETY: every column was just checked to hold `len` values; outputs do not alias.
        let bar = ins.map(|p| unsafe { *p.add(i) });
        let values = step(bar);
        for k in 0..O {
            unsafe { *outs[k].add(i) = values[k] };
        }
    }
}

/// Batch driver for an indicator over one column whose state keeps a window of its last `n`
/// inputs. `update(state, x)` is the streaming step. `slide(state, i, x, old)` is the same step
/// once the window is full, with `old = x[i - n]`, the value leaving the window, read from the
/// slice instead of the state's ring (and the window itself available as `x[i + 1 - n..=i]`).
/// A bar goes to `slide` only when it and the `n` bars before it are finite, i.e. exactly when
/// `update` would find a full window, so both paths compute the same values.
#[inline(always)]
pub(crate) fn windowed<S, const O: usize>(
    x: &[f64],
    outputs: [&mut [f64]; O],
    n: usize,
    state: &mut S,
    update: impl Fn(&mut S, f64) -> [f64; O],
    slide: impl Fn(&mut S, usize, f64, f64) -> [f64; O],
) {
    let len = x.len();
    assert!(outputs.iter().all(|o| o.len() == len) && n >= 1);
    let outs = outputs.map(|o| o.as_mut_ptr());
    let write = |i: usize, values: [f64; O]| {
        for k in 0..O {
            // SAFETY: i < len, the length of every output (asserted above).
            unsafe { *outs[k].add(i) = values[k] };
        }
    };
    let mut i = 0;
    while i < len {
        // Warm-up, or restart after a non-finite value: the state's own ring until it is full.
        let mut finite_run = 0;
        while i < len && finite_run < n {
            write(i, update(state, x[i]));
            finite_run = if x[i].is_finite() { finite_run + 1 } else { 0 };
            i += 1;
        }
        // Steady state, until a non-finite value.
        while i < len {
            let v = x[i];
            if !v.is_finite() {
                break;
            }
            write(i, slide(state, i, v, x[i - n]));
            i += 1;
        }
    }
}

/// Whether `diff`, a difference of values of magnitude `scale` (e.g. `|a| + |b|`), is below the
/// noise of their representation: within 1e-14 of it, ~45 ulps, as TA-Lib's `TA_IS_ZERO_SCALED`.
/// Prices are decimals; two bars whose typical prices are equal in decimal can differ by an ulp
/// in binary, and no market moves by 1e-14 of its price. Used where an indicator decides on the
/// sign or the zeroness of such a difference.
#[inline(always)]
pub(crate) fn negligible(diff: f64, scale: f64) -> bool {
    diff.abs() <= 1e-14 * scale
}

/// Whether every input of a bar is finite.
#[inline(always)]
pub(crate) fn finite<const N: usize>(bar: [f64; N]) -> bool {
    bar.iter().fold(true, |all, v| all & v.is_finite())
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the kernels' own tests.


    pub type Kernel1 = fn(&[f64], i64, &mut [f64]) -> Result<(), crate::KernelError>;

    pub fn batch1(kernel: Kernel1, x: &[f64], n: i64) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        kernel(x, n, &mut out).unwrap();
        out
    }

    /// Equal bit for bit, NaN included.
    pub fn assert_same(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()), "index {i}: got {g}, want {w}\n{got:?}");
        }
    }

    /// Exactly the first `k` values are NaN.
    pub fn assert_nan_prefix(out: &[f64], k: usize) {
        assert!(out[..k].iter().all(|v| v.is_nan()), "{out:?}");
        assert!(out[k..].iter().all(|v| !v.is_nan()), "{out:?}");
    }

    /// A deterministic random walk of OHLCV bars (xorshift, no crates): (high, low, close, volume).
    pub fn bars(len: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut unit = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut h, mut l, mut c, mut v) = (vec![], vec![], vec![], vec![]);
        let mut price = 100.0;
        for _ in 0..len {
            price *= 1.0 + (unit() - 0.5) * 0.04;
            let close = price;
            h.push(close * (1.0 + unit() * 0.01));
            l.push(close * (1.0 - unit() * 0.01));
            c.push(close);
            v.push(1.0 + unit() * 100.0);
        }
        (h, l, c, v)
    }
}
