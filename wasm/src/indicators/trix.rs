//! TRIX as TA-Lib defines it: the 1-bar rate of change, in percent, of a triple EMA
//! (`ema(ema(ema(x)))`, each seeded with an SMA). The first `3(n-1) + 1` outputs are NaN.

use super::ema::{chain3, EmaOf};
use super::{check, run, Indicator, NAN};

/// The EMAs chained here, each in blocks lined up with the others' (see `smooth`).
type Chained = EmaOf<4>;
const B: usize = 4;
use crate::{params, KernelError};

/// Batch TRIX of `x` with period `n`.
pub fn trix(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("trix", &[("x", x)], &[out])?;
    let mut s = Trix::build(params::period("trix", "n", n, len)?);
    run(&mut s, [x], [out]);
    Ok(())
}

/// The rate of change from `prev` to `e3`, in percent (0 from 0): computed whatever `prev`
/// is, then selected, so a loop of them vectorizes.
#[inline(always)]
fn rate(e3: f64, prev: f64) -> f64 {
    let r = (e3 / prev - 1.0) * 100.0;
    if prev != 0.0 {
        r
    } else {
        0.0
    }
}

/// Each triple EMA in `e3` replaced by its rate of change from the one before (`prev` before
/// the first).
#[inline(always)]
fn rates(e3: &mut [f64], mut prev: f64) {
    for v in e3 {
        let e3 = *v;
        *v = rate(e3, prev);
        prev = e3;
    }
}

/// `rates` compiled for AVX2: four bars to a vector instead of two, the same values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn rates_avx2(e3: &mut [f64], prev: f64) {
    rates(e3, prev);
}

/// Streaming TRIX.
#[derive(Debug, Clone)]
pub struct Trix {
    e1: Chained,
    e2: Chained,
    e3: Chained,
    prev: f64,   // the previous triple EMA, NaN before there is one
    bars: usize, // since the last restart: where the EMAs' blocks fall
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
            bars: 0,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Trix {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        let at = Some(self.bars);
        self.bars += 1;
        let e1 = self.e1.push_at(x, at);
        if e1.is_nan() {
            return [NAN];
        }
        let e2 = self.e2.push_at(e1, at);
        if e2.is_nan() {
            return [NAN];
        }
        let e3 = self.e3.push_at(e2, at);
        let prev = std::mem::replace(&mut self.prev, e3);
        [if prev.is_nan() { NAN } else { rate(e3, prev) }]
    }

    /// Once the three EMAs are seeded and the triple EMA has a previous value, a block of
    /// bars at a time through all three, then the rates (their divisions vectorize).
    #[inline(always)]
    fn steps(&mut self, [x]: [&[f64]; 1], [out]: [&mut [f64]; 1]) {
        let ready =
            |s: &Self| !s.prev.is_nan() && [&s.e1, &s.e2, &s.e3].iter().all(|e| e.at_block_start());
        let mut k = 0;
        while k < x.len() && !ready(self) {
            out[k] = self.step([x[k]])[0];
            k += 1;
        }
        // The triple EMAs of whole blocks first, then their rates in a pass of its own.
        let (whole, prev) = ((x.len() - k) / B * B, self.prev);
        // On local copies of the EMAs, which the compiler keeps in registers (the output
        // could alias `self` as far as it knows).
        let mut e = [self.e1.clone(), self.e2.clone(), self.e3.clone()];
        let (xs, x_rest) = x[k..].as_chunks::<B>();
        let (outs, out_rest) = out[k..].as_chunks_mut::<B>();
        let mut last = prev;
        chain3(&mut e, xs, |i, [_, _, e3]| {
            outs[i] = e3;
            last = e3[B - 1];
        });
        [self.e1, self.e2, self.e3] = e;
        (self.prev, self.bars) = (last, self.bars + whole);
        for (o, &x) in out_rest.iter_mut().zip(x_rest) {
            *o = self.step([x])[0];
        }
        let e3 = &mut out[k..k + whole];
        with_avx2!(rates_avx2, rates, (e3, prev));
    }

    fn reset(&mut self) {
        self.e1.reset();
        self.e2.reset();
        self.e3.reset();
        self.prev = NAN;
        self.bars = 0;
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
