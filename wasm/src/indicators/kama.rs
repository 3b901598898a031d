//! KAMA, Kaufman's adaptive moving average, as TA-Lib defines it. Over the last `n` bars the
//! efficiency ratio `er = |x - x[n ago]| / sum(|x[i] - x[i-1]|)` (1 when that sum is 0 or not
//! above the net change) sets `sc = (er * (2/3 - 2/31) + 2/31)^2`, and
//! `kama = kama + sc * (x - kama)`, starting from the previous value. The first `n` outputs are
//! NaN. As in current TA-Lib, `n = 1` gives the input itself.

use super::rolling::{Ring, WindowSum};
use super::{check, run, NAN};
use crate::{params, KernelError};

const SLOWEST: f64 = 2.0 / (30.0 + 1.0);
const SPAN: f64 = 2.0 / (2.0 + 1.0) - SLOWEST;

/// Batch KAMA of `x` with period `n`.
pub fn kama(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("kama", &[("x", x)], &[out])?;
    let mut s = Kama::build(params::period("kama", "n", n, len)?);
    run([x], [out], |[v]| [s.update(v)]);
    Ok(())
}

/// Streaming KAMA.
#[derive(Debug, Clone)]
pub struct Kama {
    n: usize,
    prices: Ring,    // the last n prices; a push evicts the one n bars before the new one
    moves: WindowSum, // |x[i] - x[i-1]| over the last n bars
    prev: f64,      // the previous price (NaN before the first)
    kama: f64,
}

impl Kama {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("kama", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Kama { n, prices: Ring::new(n), moves: WindowSum::new(n), prev: NAN, kama: NAN }
    }

    #[inline(always)]
    pub fn update(&mut self, x: f64) -> f64 {
        if !x.is_finite() {
            self.prices.clear();
            self.moves.clear();
            self.prev = NAN;
            self.kama = NAN;
            return NAN;
        }
        if self.n == 1 {
            return x;
        }
        let prev = std::mem::replace(&mut self.prev, x);
        let old = self.prices.push(x);
        if prev.is_nan() {
            return NAN;
        }
        let volatility = self.moves.push((x - prev).abs());
        let (Some(old), Some(volatility)) = (old, volatility) else { return NAN };
        if self.kama.is_nan() {
            self.kama = prev;
        }
        let change = x - old;
        let er = if volatility <= change || volatility == 0.0 { 1.0 } else { (change / volatility).abs() };
        let sc = er * SPAN + SLOWEST;
        let sc = sc * sc;
        self.kama += (x - self.kama) * sc;
        self.kama
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
        assert_eq!(out[5], 4.0 + (5.0 - 4.0) * (2.0 / 3.0f64) * (2.0 / 3.0));
        assert_same(&batch1(kama, &x, 1), &x);
    }
}
