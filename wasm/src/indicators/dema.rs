//! DEMA and TEMA, double and triple exponential moving averages as TA-Lib defines them, from
//! EMAs of EMAs (each seeded with the SMA of its first `n` inputs):
//! `dema = 2 * e1 - e2` (the first `2(n-1)` outputs are NaN) and
//! `tema = 3 * e1 - 3 * e2 + e3` (the first `3(n-1)` are NaN), where `e2 = ema(e1)`, `e3 = ema(e2)`.

use super::ema::{chain3, EmaOf};
use super::{check, run, Indicator, NAN};
use crate::{params, KernelError};

/// The EMAs chained here, each in blocks lined up with the others' (see `smooth`).
type Chained = EmaOf<4>;
const B: usize = 4;

/// Batch DEMA of `x` with period `n`.
pub fn dema(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("dema", &[("x", x)], &[out])?;
    let mut s = Dema::build(params::period("dema", "n", n, len)?);
    run(&mut s, [x], [out]);
    Ok(())
}

/// Batch TEMA of `x` with period `n`.
pub fn tema(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("tema", &[("x", x)], &[out])?;
    let mut s = Tema::build(params::period("tema", "n", n, len)?);
    run(&mut s, [x], [out]);
    Ok(())
}

/// Streaming DEMA.
#[derive(Debug, Clone)]
pub struct Dema {
    e1: Chained,
    e2: Chained,
    bars: usize, // since the last restart: where the EMAs' blocks fall
}

impl Dema {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("dema", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Dema {
            e1: Chained::build(n),
            e2: Chained::build(n),
            bars: 0,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Dema {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        let at = Some(self.bars);
        self.bars += 1;
        let e1 = self.e1.push_at(x, at);
        if e1.is_nan() {
            return [NAN];
        }
        [2.0 * e1 - self.e2.push_at(e1, at)]
    }

    fn reset(&mut self) {
        self.e1.reset();
        self.e2.reset();
        self.bars = 0;
    }

    /// Once both EMAs are seeded, a block of bars at a time through both.
    #[inline(always)]
    fn steps(&mut self, [x]: [&[f64]; 1], [out]: [&mut [f64]; 1]) {
        let mut k = 0;
        while k < x.len() && !(self.e1.at_block_start() && self.e2.at_block_start()) {
            out[k] = self.step([x[k]])[0];
            k += 1;
        }
        // On local copies of the EMAs, which the compiler keeps in registers (the output
        // could alias `self` as far as it knows).
        let (mut e1s, mut e2s) = (self.e1.clone(), self.e2.clone());
        let (xs, x_rest) = x[k..].as_chunks::<B>();
        let (outs, out_rest) = out[k..].as_chunks_mut::<B>();
        let dema = |out: &mut [f64; B], e1: [f64; B], e2: [f64; B]| {
            for ((o, &e1), &e2) in out.iter_mut().zip(&e1).zip(&e2) {
                *o = 2.0 * e1 - e2;
            }
        };
        // Skewed as `chain3`: the second EMA of the block before beside the first of this one.
        if let Some((first, xs)) = xs.split_first() {
            let mut before = e1s.block(*first);
            for (i, &x) in xs.iter().enumerate() {
                let e1 = e1s.block(x);
                dema(&mut outs[i], before, e2s.block(before));
                before = e1;
            }
            dema(&mut outs[xs.len()], before, e2s.block(before));
        }
        (self.e1, self.e2) = (e1s, e2s);
        self.bars += outs.len() * B;
        for (o, &x) in out_rest.iter_mut().zip(x_rest) {
            *o = self.step([x])[0];
        }
    }
}

/// Streaming TEMA.
#[derive(Debug, Clone)]
pub struct Tema {
    e1: Chained,
    e2: Chained,
    e3: Chained,
    bars: usize, // since the last restart: where the EMAs' blocks fall
}

impl Tema {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("tema", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Tema {
            e1: Chained::build(n),
            e2: Chained::build(n),
            e3: Chained::build(n),
            bars: 0,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Tema {
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
        [3.0 * e1 - 3.0 * e2 + self.e3.push_at(e2, at)]
    }

    fn reset(&mut self) {
        self.e1.reset();
        self.e2.reset();
        self.e3.reset();
        self.bars = 0;
    }

    /// Once the three EMAs are seeded, a block of bars at a time through all three.
    #[inline(always)]
    fn steps(&mut self, [x]: [&[f64]; 1], [out]: [&mut [f64]; 1]) {
        let ready = |s: &Self| [&s.e1, &s.e2, &s.e3].iter().all(|e| e.at_block_start());
        let mut k = 0;
        while k < x.len() && !ready(self) {
            out[k] = self.step([x[k]])[0];
            k += 1;
        }
        // On local copies of the EMAs, as DEMA.
        let mut e = [self.e1.clone(), self.e2.clone(), self.e3.clone()];
        let (xs, x_rest) = x[k..].as_chunks::<B>();
        let (outs, out_rest) = out[k..].as_chunks_mut::<B>();
        chain3(&mut e, xs, |i, [e1, e2, e3]| {
            for (o, ((&e1, &e2), &e3)) in outs[i].iter_mut().zip(e1.iter().zip(&e2).zip(&e3)) {
                *o = 3.0 * e1 - 3.0 * e2 + e3;
            }
        });
        [self.e1, self.e2, self.e3] = e;
        self.bars += xs.len() * B;
        for (o, &x) in out_rest.iter_mut().zip(x_rest) {
            *o = self.step([x])[0];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn warm_up_lengths() {
        let (_, _, c, _) = bars(50, 1);
        assert_nan_prefix(&batch1(dema, &c, 5), 8);
        assert_nan_prefix(&batch1(tema, &c, 5), 12);
        // n = 1: every EMA is the input itself.
        assert_same(&batch1(tema, &c, 1), &c);
    }

    #[test]
    fn tracks_a_linear_trend_without_lag() {
        let x: Vec<f64> = (0..200).map(|i| 10.0 + 0.5 * i as f64).collect();
        let out = batch1(dema, &x, 10);
        assert!((out[199] - x[199]).abs() < 1e-6, "{}", out[199]);
    }
}
