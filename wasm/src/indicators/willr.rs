//! WILLR, Williams' %R as TA-Lib defines it: over the last `n` bars,
//! `(highest high - close) / ((highest high - lowest low) / -100)`, 0 when that range is 0.
//! The first `n - 1` outputs are NaN.

use super::extremes::{Highest, Lowest};
use super::{check, finite, run, NAN};
use crate::{params, KernelError};

/// Batch WILLR with period `n`.
pub fn willr(high: &[f64], low: &[f64], close: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("willr", &[("high", high), ("low", low), ("close", close)], &[out])?;
    let mut s = Willr::build(params::period("willr", "n", n, len)?);
    run([high, low, close], [out], |[h, l, c]| [s.update(h, l, c)]);
    Ok(())
}

/// Streaming WILLR.
#[derive(Debug, Clone)]
pub struct Willr {
    high: Highest,
    low: Lowest,
}

impl Willr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("willr", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Willr { high: Highest::new(n), low: Lowest::new(n) }
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        if !finite([high, low, close]) {
            self.high.reset();
            self.low.reset();
            return NAN;
        }
        self.high.push(high);
        self.low.push(low);
        if !self.high.is_full() {
            return NAN;
        }
        let highest = self.high.value();
        let range = (highest - self.low.value()) / -100.0;
        if range != 0.0 {
            (highest - close) / range
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
    fn percent_below_the_high() {
        let mut out = [0.0; 3];
        willr(&[10.0, 12.0, 11.0], &[8.0, 9.0, 10.0], &[9.0, 11.0, 9.0], 2, &mut out).unwrap();
        assert_same(&out, &[NAN, 1.0 / (-4.0 / 100.0), 3.0 / (-3.0 / 100.0)]);
    }
}
