//! TRANGE, ATR and NATR as TA-Lib defines them.
//!
//! The true range is the greatest of `high - low`, `|high - prev_close|` and
//! `|low - prev_close|` (the first bar has none: NaN). ATR seeds with the mean of the first `n`
//! true ranges and then smooths Wilder's way, `atr = ((n-1) * atr + tr) / n`; its first `n`
//! outputs are NaN. `natr = 100 * atr / close` (0 where close is 0, as in TA-Lib).

use super::smooth::Smoother;
use super::{check, finite, run, NAN};
use crate::{params, KernelError};

/// The true range of a bar, given the previous close.
#[inline(always)]
pub(crate) fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    let mut range = high - low;
    let up = (prev_close - high).abs();
    if up > range {
        range = up;
    }
    let down = (prev_close - low).abs();
    if down > range {
        range = down;
    }
    range
}

/// Batch TRANGE.
pub fn trange(high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) -> Result<(), KernelError> {
    check("trange", &[("high", high), ("low", low), ("close", close)], &[out])?;
    let mut s = Trange::new()?;
    run([high, low, close], [out], |[h, l, c]| [s.update(h, l, c)]);
    Ok(())
}

/// Streaming TRANGE.
#[derive(Debug, Clone)]
pub struct Trange {
    prev_close: f64, // NaN before the first bar
}

impl Trange {
    pub fn new() -> Result<Self, KernelError> {
        Ok(Trange { prev_close: NAN })
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        if !finite([high, low, close]) {
            self.prev_close = NAN;
            return NAN;
        }
        let prev = std::mem::replace(&mut self.prev_close, close);
        if prev.is_nan() {
            NAN
        } else {
            true_range(high, low, prev)
        }
    }
}

/// Batch ATR with period `n`.
pub fn atr(high: &[f64], low: &[f64], close: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("atr", &[("high", high), ("low", low), ("close", close)], &[out])?;
    let mut s = Atr::build(params::period("atr", "n", n, len)?);
    run([high, low, close], [out], |[h, l, c]| [s.update(h, l, c)]);
    Ok(())
}

/// Batch NATR with period `n`.
pub fn natr(high: &[f64], low: &[f64], close: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("natr", &[("high", high), ("low", low), ("close", close)], &[out])?;
    let mut s = Natr(Atr::build(params::period("natr", "n", n, len)?));
    run([high, low, close], [out], |[h, l, c]| [s.update(h, l, c)]);
    Ok(())
}

/// Streaming ATR.
#[derive(Debug, Clone)]
pub struct Atr {
    n: usize,
    ranges: usize, // true ranges seen since the last restart
    prev_close: f64,
    seed: f64,
    smooth: Smoother,
}

impl Atr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("atr", "n", n, usize::MAX)?))
    }

    pub(crate) fn build(n: usize) -> Self {
        Atr { n, ranges: 0, prev_close: NAN, seed: 0.0, smooth: Smoother::wilder(n) }
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        if !finite([high, low, close]) {
            self.ranges = 0;
            self.prev_close = NAN;
            self.seed = 0.0;
            return NAN;
        }
        let prev = std::mem::replace(&mut self.prev_close, close);
        if prev.is_nan() {
            return NAN;
        }
        let tr = true_range(high, low, prev);
        if self.ranges < self.n {
            self.ranges += 1;
            self.seed += tr;
            if self.ranges < self.n {
                return NAN;
            }
            let mean = self.seed / self.n as f64;
            self.smooth.start(mean);
            return mean;
        }
        self.smooth.step(tr)
    }
}

/// Streaming NATR.
#[derive(Debug, Clone)]
pub struct Natr(Atr);

impl Natr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Natr(Atr::build(params::period("natr", "n", n, usize::MAX)?)))
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        let atr = self.0.update(high, low, close);
        if atr.is_nan() {
            NAN
        } else if close != 0.0 {
            (atr / close) * 100.0
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn true_range_reaches_for_the_previous_close() {
        assert_eq!(true_range(10.0, 8.0, 9.0), 2.0);
        assert_eq!(true_range(10.0, 8.0, 13.0), 5.0);
        assert_eq!(true_range(10.0, 8.0, 5.0), 5.0);
    }

    #[test]
    fn atr_seeds_with_the_mean_true_range() {
        let (h, l, c) = ([10.0, 11.0, 12.0, 11.0], [9.0, 10.0, 10.0, 8.0], [9.5, 10.5, 11.0, 8.5]);
        let mut out = [0.0; 4];
        atr(&h, &l, &c, 2, &mut out).unwrap();
        assert_same(&out[..2], &[NAN, NAN]);
        assert_eq!(out[2], (1.5 + 2.0) / 2.0);
        assert_eq!(out[3], 0.5 * 1.75 + 0.5 * 3.0);
        trange(&h, &l, &c, &mut out).unwrap();
        assert_same(&out, &[NAN, 1.5, 2.0, 3.0]);
    }
}
