//! KAMA, Kaufman's adaptive moving average, as TA-Lib defines it. Over the last `n` bars the
//! efficiency ratio `er = |x - x[n ago]| / sum(|x[i] - x[i-1]|)` (1 when that sum is 0 or not
//! above the net change) sets `sc = (er * (2/3 - 2/31) + 2/31)^2`, and
//! `kama = kama + sc * (x - kama)` (evaluated as `(1 - sc) * kama + sc * x`), starting from the
//! previous value. The first `n` outputs are
//! NaN. As in current TA-Lib, `n = 1` gives the input itself.

use super::rolling::{Ring, WindowSum};
use super::{check, run, Indicator, NAN};
use crate::{params, KernelError};

const SLOWEST: f64 = 2.0 / (30.0 + 1.0);
const SPAN: f64 = 2.0 / (2.0 + 1.0) - SLOWEST;

/// Batch KAMA of `x` with period `n`.
pub fn kama(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("kama", &[("x", x)], &[out])?;
    let mut s = Kama::build(params::period("kama", "n", n, len)?);
    run(&mut s, [x], [out]);
    Ok(())
}

/// Streaming KAMA.
#[derive(Debug, Clone)]
pub struct Kama {
    n: usize,
    prices: Ring, // the last n prices; a push evicts the one n bars before the new one
    moves: WindowSum, // |x[i] - x[i-1]| over the last n bars
    prev: f64,    // the previous price (NaN before the first)
    kama: f64,
    started: bool, // a flag, not a NaN test on `kama`: that would put an integer move on its chain
}

impl Kama {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("kama", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Kama {
            n,
            prices: Ring::new(n),
            moves: WindowSum::new(n),
            prev: NAN,
            kama: NAN,
            started: false,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Kama {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        if self.n == 1 {
            return [x];
        }
        let prev = std::mem::replace(&mut self.prev, x);
        let old = self.prices.push(x);
        if prev.is_nan() {
            return [NAN];
        }
        let volatility = self.moves.push((x - prev).abs());
        let (Some(old), Some(volatility)) = (old, volatility) else {
            return [NAN];
        };
        if !self.started {
            self.started = true;
            self.kama = prev;
        }
        let change = x - old;
        let er = if volatility <= change || volatility == 0.0 {
            1.0
        } else {
            (change / volatility).abs()
        };
        let sc = er * SPAN + SLOWEST;
        let sc = sc * sc;
        // kama + (x - kama) * sc, as (1 - sc) * kama + sc * x: one multiply shorter on the
        // chain from one bar's KAMA to the next.
        self.kama = (1.0 - sc) * self.kama + sc * x;
        [self.kama]
    }

    fn reset(&mut self) {
        self.prices.clear();
        self.moves.clear();
        self.prev = NAN;
        self.kama = NAN;
        self.started = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn follows_an_efficient_trend_fast() {
        let x: Vec<f64> = (0..30).map(|i| i as f64).collect();
        let out = batch1(kama, &x, 5);
        assert_nan_prefix(&out, 5);
        // er = 1 on a straight line: sc = (2/3)^2, starting from the previous price 4.
        let sc = (2.0 / 3.0f64) * (2.0 / 3.0);
        assert_eq!(out[5], (1.0 - sc) * 4.0 + sc * 5.0);
        assert_same(&batch1(kama, &x, 1), &x);
    }
}
