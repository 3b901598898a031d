//! KAMA, Kaufman's adaptive moving average, as TA-Lib defines it. Over the last `n` bars the
//! efficiency ratio `er = |x - x[n ago]| / sum(|x[i] - x[i-1]|)` (1 when that sum is 0 or not
//! above the net change) sets `sc = (er * (2/3 - 2/31) + 2/31)^2`, and
//! `kama = kama + sc * (x - kama)` (evaluated as `(1 - sc) * kama + sc * x`), starting from the
//! previous value. The first `n` outputs are NaN. As in current TA-Lib, `n = 1` gives the input
//! itself.

use super::rolling::{Ring, WindowSum};
use super::{check, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

const SLOWEST: f64 = 2.0 / (30.0 + 1.0);
const SPAN: f64 = 2.0 / (2.0 + 1.0) - SLOWEST;

/// Batch KAMA of `x` with period `n`.
pub fn kama(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("kama", &[("x", x)], &[out])?;
    let mut s = Kama::build(params::period("kama", "n", n, len)?);
    let n = s.n;
    // Once n + 1 bars are in: the moves of the block's bars and of the n before them, then
    // their sliding sum and the KAMA chain in one loop (the KAMA chain, a multiply and an add
    // per bar, is the longer one: the rest of the bar's work fits alongside).
    let mut moves = vec![0.0; BLOCK + n];
    windowed([x], [out], n + 1, BLOCK, &mut s, |s, bars, [out]| {
        if n == 1 {
            out.copy_from_slice(&x[bars]);
            return;
        }
        let (start, len) = (bars.start, bars.len());
        let moves = &mut moves[..len + n];
        for (m, (&v, &prev)) in moves
            .iter_mut()
            .zip(x[start - n..].iter().zip(&x[start - n - 1..]))
        {
            *m = (v - prev).abs();
        }
        let (new, old) = (&x[bars], &x[start - n..start - n + len]);
        let window = |t: usize| &moves[t + 1..=t + n];
        // A copy of the KAMA, so its chain stays in registers.
        let mut kama = s.kama;
        let step = |t: usize, volatility| {
            kama = recurse(kama, smoothing(new[t] - old[t], volatility), new[t]);
            kama
        };
        s.moves
            .sliding()
            .slide_into(&moves[n..], &moves[..len], window, out, step);
        s.kama = kama;
    });
    Ok(())
}

/// The smoothing constant for a net change over n bars and the sum of the moves in between.
#[inline(always)]
fn smoothing(change: f64, volatility: f64) -> f64 {
    // Every move in one direction (or none) is rare in a market: a branch that is never taken
    // costs less than selecting between both sides. The division comes first, so the
    // divisions of neighbouring bars can go out as one vector operation.
    let ratio = (change / volatility).abs();
    let er = if volatility <= change || volatility == 0.0 {
        fully_efficient()
    } else {
        ratio
    };
    let sc = er * SPAN + SLOWEST;
    sc * sc
}

#[cold]
#[inline(never)]
fn fully_efficient() -> f64 {
    1.0
}

/// The next KAMA, as `kama + (x - kama) * sc` but as `(1 - sc) * kama + sc * x`: one multiply
/// shorter on the chain from one bar's KAMA to the next.
#[inline(always)]
fn recurse(kama: f64, sc: f64, x: f64) -> f64 {
    (1.0 - sc) * kama + sc * x
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
        let sc = smoothing(x - old, volatility);
        self.kama = recurse(self.kama, sc, x);
        [self.kama]
    }

    fn reset(&mut self) {
        self.prices.clear();
        self.moves.clear();
        self.prev = NAN;
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
