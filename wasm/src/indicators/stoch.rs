//! Stochastic oscillators as TA-Lib defines them, with SMA smoothing (TA-Lib's default MA type).
//!
//! Raw %K = `(close - lowest low) / ((highest high - lowest low) / 100)` over the last
//! `fastk_period` bars, 0 when that range is 0.
//! - STOCHF: `fastk` = raw %K, `fastd = sma(fastk, fastd_period)`.
//! - STOCH: `slowk = sma(raw %K, slowk_period)`, `slowd = sma(slowk, slowd_period)`.
//! - STOCHRSI: STOCHF applied to `rsi(x, n)` (as high, low and close).
//!
//! As in TA-Lib, every output starts on the bar where the last one does: the first
//! `fastk_period - 1 + fastd_period - 1` outputs of STOCHF are NaN, `fastk_period + slowk_period
//! + slowd_period - 3` of STOCH, and `n + fastk_period + fastd_period - 2` of STOCHRSI.

use super::extremes::{Highest, Lowest};
use super::rsi::Rsi;
use super::sma::Sma;
use super::{check, finite, run, NAN};
use crate::{params, KernelError};

/// Raw %K of `close` against the window's extremes of highs and lows.
#[derive(Debug, Clone)]
struct RawK {
    high: Highest,
    low: Lowest,
}

impl RawK {
    fn new(n: usize) -> Self {
        RawK { high: Highest::new(n), low: Lowest::new(n) }
    }

    fn reset(&mut self) {
        self.high.reset();
        self.low.reset();
    }

    #[inline(always)]
    fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.high.push(high);
        self.low.push(low);
        if !self.high.is_full() {
            return NAN;
        }
        let (highest, lowest) = (self.high.value(), self.low.value());
        let range = (highest - lowest) / 100.0;
        if range != 0.0 {
            (close - lowest) / range
        } else {
            0.0
        }
    }
}

/// Batch STOCH into `slowk` and `slowd`.
#[allow(clippy::too_many_arguments)]
pub fn stoch(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk_period: i64,
    slowk_period: i64,
    slowd_period: i64,
    slowk: &mut [f64],
    slowd: &mut [f64],
) -> Result<(), KernelError> {
    let len = check("stoch", &[("high", high), ("low", low), ("close", close)], &[slowk, slowd])?;
    let mut s = Stoch::checked(fastk_period, slowk_period, slowd_period, len)?;
    run([high, low, close], [slowk, slowd], |[h, l, c]| s.update(h, l, c).into());
    Ok(())
}

/// Streaming STOCH: `update(high, low, close)` returns `(slowk, slowd)`.
#[derive(Debug, Clone)]
pub struct Stoch {
    raw: RawK,
    slowk: Sma,
    slowd: Sma,
}

impl Stoch {
    pub fn new(fastk_period: i64, slowk_period: i64, slowd_period: i64) -> Result<Self, KernelError> {
        Self::checked(fastk_period, slowk_period, slowd_period, usize::MAX)
    }

    fn checked(fastk_period: i64, slowk_period: i64, slowd_period: i64, len: usize) -> Result<Self, KernelError> {
        Ok(Stoch {
            raw: RawK::new(params::period("stoch", "fastk_period", fastk_period, len)?),
            slowk: Sma::build(params::period("stoch", "slowk_period", slowk_period, len)?),
            slowd: Sma::build(params::period("stoch", "slowd_period", slowd_period, len)?),
        })
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> (f64, f64) {
        if !finite([high, low, close]) {
            self.raw.reset();
            self.slowk.update(NAN);
            self.slowd.update(NAN);
            return (NAN, NAN);
        }
        let k = self.raw.update(high, low, close);
        if k.is_nan() {
            return (NAN, NAN);
        }
        let slowk = self.slowk.update(k);
        if slowk.is_nan() {
            return (NAN, NAN);
        }
        let slowd = self.slowd.update(slowk);
        if slowd.is_nan() {
            return (NAN, NAN);
        }
        (slowk, slowd)
    }
}

/// Batch STOCHF into `fastk` and `fastd`.
#[allow(clippy::too_many_arguments)]
pub fn stochf(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk_period: i64,
    fastd_period: i64,
    fastk: &mut [f64],
    fastd: &mut [f64],
) -> Result<(), KernelError> {
    let len = check("stochf", &[("high", high), ("low", low), ("close", close)], &[fastk, fastd])?;
    let mut s = Stochf::checked("stochf", fastk_period, fastd_period, len)?;
    run([high, low, close], [fastk, fastd], |[h, l, c]| s.update(h, l, c).into());
    Ok(())
}

/// Streaming STOCHF: `update(high, low, close)` returns `(fastk, fastd)`.
#[derive(Debug, Clone)]
pub struct Stochf {
    raw: RawK,
    fastd: Sma,
}

impl Stochf {
    pub fn new(fastk_period: i64, fastd_period: i64) -> Result<Self, KernelError> {
        Self::checked("stochf", fastk_period, fastd_period, usize::MAX)
    }

    fn checked(kernel: &str, fastk_period: i64, fastd_period: i64, len: usize) -> Result<Self, KernelError> {
        Ok(Stochf {
            raw: RawK::new(params::period(kernel, "fastk_period", fastk_period, len)?),
            fastd: Sma::build(params::period(kernel, "fastd_period", fastd_period, len)?),
        })
    }

    fn reset(&mut self) {
        self.raw.reset();
        self.fastd.update(NAN);
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> (f64, f64) {
        if !finite([high, low, close]) {
            self.reset();
            return (NAN, NAN);
        }
        let k = self.raw.update(high, low, close);
        if k.is_nan() {
            return (NAN, NAN);
        }
        let d = self.fastd.update(k);
        if d.is_nan() {
            return (NAN, NAN);
        }
        (k, d)
    }
}

/// Batch STOCHRSI of `x` into `fastk` and `fastd`.
pub fn stochrsi(
    x: &[f64],
    n: i64,
    fastk_period: i64,
    fastd_period: i64,
    fastk: &mut [f64],
    fastd: &mut [f64],
) -> Result<(), KernelError> {
    let len = check("stochrsi", &[("x", x)], &[fastk, fastd])?;
    let mut s = Stochrsi::checked(n, fastk_period, fastd_period, len)?;
    run([x], [fastk, fastd], |[v]| s.update(v).into());
    Ok(())
}

/// Streaming STOCHRSI: `update(x)` returns `(fastk, fastd)`.
#[derive(Debug, Clone)]
pub struct Stochrsi {
    rsi: Rsi,
    stoch: Stochf,
}

impl Stochrsi {
    pub fn new(n: i64, fastk_period: i64, fastd_period: i64) -> Result<Self, KernelError> {
        Self::checked(n, fastk_period, fastd_period, usize::MAX)
    }

    fn checked(n: i64, fastk_period: i64, fastd_period: i64, len: usize) -> Result<Self, KernelError> {
        let rsi = Rsi::build(params::period("stochrsi", "n", n, len)?);
        Ok(Stochrsi { rsi, stoch: Stochf::checked("stochrsi", fastk_period, fastd_period, len)? })
    }

    #[inline(always)]
    pub fn update(&mut self, x: f64) -> (f64, f64) {
        if !x.is_finite() {
            self.rsi.reset();
            self.stoch.reset();
            return (NAN, NAN);
        }
        let r = self.rsi.update(x);
        if r.is_nan() {
            return (NAN, NAN);
        }
        self.stoch.update(r, r, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn fast_k_and_d() {
        let h = [10.0, 12.0, 11.0, 13.0];
        let l = [8.0, 9.0, 9.0, 10.0];
        let c = [9.0, 11.0, 10.0, 12.0];
        let (mut k, mut d) = ([0.0; 4], [0.0; 4]);
        stochf(&h, &l, &c, 2, 2, &mut k, &mut d).unwrap();
        assert_same(&k, &[NAN, NAN, 1.0 / (3.0 / 100.0), 3.0 / (4.0 / 100.0)]);
        assert_eq!(d[3], (k[2] + k[3]) / 2.0);
    }

    #[test]
    fn warm_up_lengths() {
        let (h, l, c, _) = bars(100, 5);
        let (mut k, mut d) = (vec![0.0; 100], vec![0.0; 100]);
        stoch(&h, &l, &c, 5, 3, 4, &mut k, &mut d).unwrap();
        assert_nan_prefix(&k, 9);
        assert_nan_prefix(&d, 9);
        stochrsi(&c, 6, 5, 3, &mut k, &mut d).unwrap();
        assert_nan_prefix(&k, 12);
    }
}
