//! TRIX as TA-Lib defines it: the 1-bar rate of change, in percent, of a triple EMA
//! (`ema(ema(ema(x)))`, each seeded with an SMA). The first `3(n-1) + 1` outputs are NaN.

use super::ema::EmaOf;
use super::{check, run, Indicator, NAN};

/// The EMAs chained here run side by side, so each one is the plain recursion.
type Chained = EmaOf<1>;
use crate::{params, KernelError};

/// Batch TRIX of `x` with period `n`.
pub fn trix(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("trix", &[("x", x)], &[out])?;
    let mut s = Trix::build(params::period("trix", "n", n, len)?);
    run(&mut s, [x], [out]);
    Ok(())
}

/// Streaming TRIX.
#[derive(Debug, Clone)]
pub struct Trix {
    e1: Chained,
    e2: Chained,
    e3: Chained,
    prev: f64, // the previous triple EMA, NaN before there is one
}

impl Trix {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("trix", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Trix {
            e1: Chained::build(n),
            e2: Chained::build(n),
            e3: Chained::build(n),
            prev: NAN,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Trix {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        let e1 = self.e1.push(x);
        if e1.is_nan() {
            return [NAN];
        }
        let e2 = self.e2.push(e1);
        if e2.is_nan() {
            return [NAN];
        }
        let e3 = self.e3.push(e2);
        let prev = std::mem::replace(&mut self.prev, e3);
        [if prev.is_nan() {
            NAN
        } else if prev != 0.0 {
            (e3 / prev - 1.0) * 100.0
        } else {
            0.0
        }]
    }

    fn reset(&mut self) {
        self.e1.reset();
        self.e2.reset();
        self.e3.reset();
        self.prev = NAN;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn warm_up_and_growth_rate() {
        let (_, _, c, _) = bars(60, 2);
        assert_nan_prefix(&batch1(trix, &c, 4), 10);
        // A geometric series grows by the same rate under any EMA: 1% per bar.
        let x: Vec<f64> = (0..40).map(|i| 100.0 * 1.01f64.powi(i)).collect();
        let out = batch1(trix, &x, 3);
        assert!((out[39] - 1.0).abs() < 1e-9, "{}", out[39]);
    }
}
