//! RSI, Wilder's relative strength index, as TA-Lib defines it: the first average gain and loss
//! are the means of the first `n` changes, later ones Wilder-smoothed
//! (`avg = ((n-1) * avg + change) / n`); `rsi = 100 * gain / (gain + loss)`, 0 when both are 0.
//! The first `n` outputs are NaN. (TA-Lib also gives 0 when `gain + loss` is merely below 1e-8;
//! here only an exact 0 does, so assets priced in tiny units keep a meaningful RSI.)
//!
//! An unchanged price scales both averages by the same factor, so RSI does not change: such a
//! bar repeats the previous RSI exactly rather than recomputing it with an ulp of rounding
//! noise, which STOCHRSI would otherwise blow up to 0 or 100 over a flat stretch.

use super::smooth::Smoother;
use super::{check, choose, greater, run, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch RSI of `x` with period `n`.
pub fn rsi(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("rsi", &[("x", x)], &[out])?;
    let mut s = Rsi::build(params::period("rsi", "n", n, len)?);
    run(&mut s, [x], [out]);
    Ok(())
}

/// Streaming RSI.
#[derive(Debug, Clone)]
pub struct Rsi {
    n: usize,
    changes: usize, // changes seen since the last restart
    prev: f64,      // the previous value, NaN before the first
    gain_sum: f64,
    loss_sum: f64,
    averages: Smoother<2, 4>, // gain, loss
    last: f64,
}

impl Rsi {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("rsi", "n", n, usize::MAX)?))
    }

    pub(crate) fn build(n: usize) -> Self {
        Rsi {
            n,
            changes: 0,
            prev: NAN,
            gain_sum: 0.0,
            loss_sum: 0.0,
            averages: Smoother::wilder(n),
            last: NAN,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Rsi {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        let prev = std::mem::replace(&mut self.prev, x);
        if prev.is_nan() {
            return [NAN];
        }
        let change = x - prev;
        let (up, down) = (greater(change, 0.0), greater(-change, 0.0));
        if self.changes < self.n {
            self.changes += 1;
            self.gain_sum += up;
            self.loss_sum += down;
            if self.changes < self.n {
                return [NAN];
            }
            let (gain, loss) = (self.gain_sum / self.n as f64, self.loss_sum / self.n as f64);
            self.averages.start([gain, loss]);
            self.last = strength(gain, loss);
            return [self.last];
        }
        let [gain, loss] = self.averages.step([up, down]);
        if change != 0.0 {
            self.last = strength(gain, loss);
        }
        [self.last]
    }

    fn reset(&mut self) {
        self.changes = 0;
        self.prev = NAN;
        self.gain_sum = 0.0;
        self.loss_sum = 0.0;
    }

    /// Past the warm-up: the block's changes, their smoothing (whole blocks unrolled, gain
    /// and loss side by side), the strengths (their divisions vectorize), then each bar's
    /// RSI, repeated where the price did not change.
    #[inline(always)]
    fn steps(&mut self, [x]: [&[f64]; 1], [out]: [&mut [f64]; 1]) {
        let len = out.len();
        let mut k = 0;
        while k < len && self.changes < self.n {
            out[k] = self.step([x[k]])[0];
            k += 1;
        }
        let m = len - k;
        if m == 0 {
            return;
        }
        assert!(m <= BLOCK);
        let (x, out) = (&x[k..], &mut out[k..]);
        let (mut change, mut gain, mut loss) = ([0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK]);
        let prev = std::mem::replace(&mut self.prev, x[m - 1]);
        change[0] = x[0] - prev;
        for (c, (&v, &p)) in change[1..m].iter_mut().zip(x[1..].iter().zip(x)) {
            *c = v - p;
        }
        let moves = |t: usize| [greater(change[t], 0.0), greater(-change[t], 0.0)];
        self.averages.run(m, moves, |t, [g, l]| (gain[t], loss[t]) = (g, l));
        with_avx2!(strengths_avx2, strengths, (out, &gain, &loss));
        let mut last = self.last;
        for (o, &c) in out.iter_mut().zip(&change[..m]) {
            last = choose(c != 0.0, *o, last);
            *o = last;
        }
        self.last = last;
    }
}

/// `out[t] = strength(gain[t], loss[t])` for each bar.
#[inline(always)]
fn strengths(out: &mut [f64], gain: &[f64], loss: &[f64]) {
    for (o, (&g, &l)) in out.iter_mut().zip(gain.iter().zip(loss)) {
        *o = strength(g, l);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn strengths_avx2(out: &mut [f64], gain: &[f64], loss: &[f64]) {
    strengths(out, gain, loss);
}

/// Computed whatever the total is, then selected, so a loop of them vectorizes.
#[inline(always)]
fn strength(gain: f64, loss: f64) -> f64 {
    let total = gain + loss;
    let rsi = 100.0 * (gain / total);
    if total != 0.0 {
        rsi
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn first_value_is_the_share_of_gains() {
        let out = batch1(rsi, &[10.0, 11.0, 10.5, 12.0, 12.0], 3);
        assert_same(&out[..3], &[NAN, NAN, NAN]);
        assert_eq!(out[3], 100.0 * (2.5 / 3.0) / (2.5 / 3.0 + 0.5 / 3.0));
        assert_same(&batch1(rsi, &[5.0, 5.0, 5.0], 2), &[NAN, NAN, 0.0]);
    }

    #[test]
    fn an_unchanged_price_repeats_the_rsi_exactly() {
        let x = [1.0, 1.3, 1.1, 1.7, 1.7, 1.7, 1.7, 1.7, 1.7, 1.2];
        let out = batch1(rsi, &x, 3);
        assert!(out[4..9].iter().all(|v| v.to_bits() == out[3].to_bits()));
        assert_ne!(out[9], out[3]);
    }
}
