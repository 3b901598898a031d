//! RSI, Wilder's relative strength index, as TA-Lib defines it: the first average gain and loss
//! are the means of the first `n` changes, later ones Wilder-smoothed
//! (`avg = ((n-1) * avg + change) / n`); `rsi = 100 * gain / (gain + loss)`, 0 when both are 0.
//! The first `n` outputs are NaN. (TA-Lib also gives 0 when `gain + loss` is merely below 1e-8;
//! here only an exact 0 does, so assets priced in tiny units keep a meaningful RSI.)
//!
//! An unchanged price scales both averages by the same factor, so RSI does not change: such a
//! bar repeats the previous RSI exactly rather than recomputing it with an ulp of rounding
//! noise, which STOCHRSI would otherwise blow up to 0 or 100 over a flat stretch.

use super::lanes::{F64x2, Lanes};
use super::smooth::{pairs, quad, Smoother};
use super::{check, choose, greater, run, Indicator, NAN};
use crate::{params, KernelError};

/// Batch RSI of `x` with period `n`.
pub fn rsi(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("rsi", &[("x", x)], &[out])?;
    let mut s = Rsi::build(params::period("rsi", "n", n, len)?);
    // Bar by bar to the first block of the smoothing, so that the blocks of four bars `steps`
    // runs line up with the driver's blocks (which are whole fours) and none is cut in two.
    let mut k = 0;
    while k < len && !s.at_block_start() {
        out[k] = s.next([x[k]])[0];
        k += 1;
    }
    run(&mut s, [&x[k..]], [&mut out[k..]]);
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

    /// Past the warm-up, with a block of the smoothing starting at the next bar.
    #[inline(always)]
    fn at_block_start(&self) -> bool {
        self.changes == self.n && self.averages.at_block_start()
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

    /// Past the warm-up, once the smoothing is at a block start: four bars at a time, their
    /// changes, the smoothing of gain and loss side by side in lanes, the strengths of two
    /// bars in one division, then each bar's RSI, repeated where the price did not change.
    #[inline(always)]
    fn steps(&mut self, [x]: [&[f64]; 1], [out]: [&mut [f64]; 1]) {
        let len = out.len();
        let mut k = 0;
        while k < len && !self.at_block_start() {
            out[k] = self.step([x[k]])[0];
            k += 1;
        }
        let (fours, rest) = x[k..].as_chunks::<4>();
        let (out_fours, out_rest) = out[k..].as_chunks_mut::<4>();
        // On local copies of the state, which the compiler keeps in registers (the output
        // could alias `self` as far as it knows).
        let mut averages = self.averages.lanes();
        let (mut before, mut last) = (F64x2::splat(self.prev), self.last);
        let (zero, hundred) = (F64x2::splat(0.0), F64x2::splat(100.0));
        for (x, out) in fours.iter().zip(out_fours.iter_mut()) {
            let x = pairs(*x);
            let change = [x[0] - before.shift(x[0]), x[1] - x[0].shift(x[1])];
            before = x[1];
            // greater(change, 0) and greater(-change, 0) (`0 - c` is `-c` once compared to 0)
            let [gains, losses] = [
                change.map(|c| c.greater(zero)),
                change.map(|c| (zero - c).greater(zero)),
            ];
            let moves = [0, 1].map(|h| F64x2::transpose(gains[h], losses[h]));
            let p = averages.block([moves[0][0], moves[0][1], moves[1][0], moves[1][1]]);
            // `strength` of each bar, two to a vector.
            let rsi = [0, 2].map(|h| {
                let [gain, loss] = F64x2::transpose(p[h], p[h + 1]);
                let total = gain + loss;
                (hundred * (gain / total)).where_nonzero(total)
            });
            let (rsi, change) = (quad(rsi), quad(change));
            for j in 0..4 {
                last = choose(change[j] != 0.0, rsi[j], last);
                out[j] = last;
            }
        }
        let prev = before.to_array()[1];
        self.averages.set(&averages);
        (self.prev, self.last) = (prev, last);
        for (o, &x) in out_rest.iter_mut().zip(rest) {
            *o = self.step([x])[0];
        }
    }
}

/// Computed whatever the total is, then selected: no branch on the data. `steps` does the
/// same operations two bars to a vector.
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
