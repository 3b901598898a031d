//! KAMA, Kaufman's adaptive moving average, as TA-Lib defines it. Over the last `n` bars the
//! efficiency ratio `er = |x - x[n ago]| / sum(|x[i] - x[i-1]|)` (1 when that sum is 0 or not
//! above the net change) sets `sc = (er * (2/3 - 2/31) + 2/31)^2`, and
//! `kama = kama + sc * (x - kama)` (evaluated as `(1 - sc) * kama + sc * x`), starting from the
//! previous value. The first `n` outputs are NaN. As in current TA-Lib, `n = 1` gives the input
//! itself.

use std::ops::Range;

use super::lanes::{F64x2, Lanes};
use super::rolling::{Ring, WindowSum};
use super::{check, windowed, Indicator, NAN};
use crate::{params, KernelError};

const SLOWEST: f64 = 2.0 / (30.0 + 1.0);
const SPAN: f64 = 2.0 / (2.0 + 1.0) - SLOWEST;

/// Batch KAMA of `x` with period `n`.
pub fn kama(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("kama", &[("x", x)], &[out])?;
    let mut s = Kama::build(params::period("kama", "n", n, len)?);
    let mut moves = vec![0.0; KAMA_BLOCK + s.n];
    windowed([x], [out], s.n + 1, KAMA_BLOCK, &mut s, |s, bars, [out]| {
        with_avx2!(block_avx2, block::<false>, (x, bars, out, s, &mut moves))
    });
    Ok(())
}

/// Bars `block` takes at once: longer blocks spread its set-up (the moves, the anchors'
/// sums) over more bars; 512 keeps its scratch space and the block's values in L1.
const KAMA_BLOCK: usize = 512;

/// Bars whose smoothing constants `block` works out together.
const GROUP: usize = 4;

/// `block` compiled for AVX2 (not FMA): the same operations in VEX encodings (three operands,
/// fewer moves on the loop). Each is one IEEE operation, so the bits are the same.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn block_avx2(x: &[f64], bars: Range<usize>, out: &mut [f64], s: &mut Kama, moves: &mut [f64]) {
    block::<true>(x, bars, out, s, moves);
}

/// The KAMA of the bars `bars` of `x` into `out`, once n + 1 bars are in (`moves` is scratch
/// space for `KAMA_BLOCK + n` values). `AVX2` only tells the two compiled copies apart: each
/// gets closures of its own, which the compiler then inlines into it (one closure shared by
/// both copies stayed out of line, compiled for the plain target, and twice as slow).
#[inline(always)]
fn block<const AVX2: bool>(
    x: &[f64],
    bars: Range<usize>,
    out: &mut [f64],
    s: &mut Kama,
    moves: &mut [f64],
) {
    let n = s.n;
    if n == 1 {
        out.copy_from_slice(&x[bars]);
        return;
    }
    // The moves of the block's bars and of the n before them, then their sliding sum and the
    // KAMA chain in one loop (the KAMA chain, a multiply and an add per bar, is the longer
    // one: the rest of the bar's work fits alongside).
    let (start, len) = (bars.start, bars.len());
    let moves = &mut moves[..len + n];
    for (m, (&v, &prev)) in moves
        .iter_mut()
        .zip(x[start - n..].iter().zip(&x[start - n - 1..]))
    {
        *m = (v - prev).abs();
    }
    let (new, old) = (&x[bars], &x[start - n..start - n + len]);
    let (entering, leaving) = (&moves[n..], &moves[..len]);
    let window = |t: usize| &moves[t + 1..=t + n];
    // A copy of the KAMA, so its chain stays in registers.
    let mut kama = s.kama;
    let mut step = |t: usize, sc: f64| {
        kama = recurse(kama, sc, new[t]);
        out[t] = kama;
    };
    s.moves
        .sliding()
        .stretches(len, window, |j, count, mut sum, anchor| {
            let end = j + count;
            let mut t = j;
            // Four bars at a time: their sums, then their divisions and smoothing constants two
            // to a vector operation (a scalar division takes the divider ~5 cycles, a bar's whole
            // budget), then their steps of the chain.
            while t + GROUP <= end {
                let sums: [f64; GROUP] = std::array::from_fn(|k| {
                    sum += entering[t + k] - leaving[t + k];
                    sum
                });
                for k in (0..GROUP).step_by(2) {
                    let pair = |v: &[f64], i: usize| F64x2::new(v[i], v[i + 1]);
                    let sc = smoothing_pair(pair(new, t + k) - pair(old, t + k), pair(&sums, k));
                    let [a, b] = sc.to_array();
                    step(t + k, a);
                    step(t + k + 1, b);
                }
                t += GROUP;
            }
            while t < end {
                sum += entering[t] - leaving[t];
                step(t, smoothing(new[t] - old[t], sum));
                t += 1;
            }
            if let Some(sum) = anchor {
                step(end, smoothing(new[end] - old[end], sum));
            }
            sum
        });
    s.kama = kama;
}

/// The smoothing constant for a net change over n bars and the sum of the moves in between.
#[inline(always)]
fn smoothing(change: f64, volatility: f64) -> f64 {
    // Every move in one direction (or none) is rare in a market: a branch that is never taken
    // costs less than selecting between both sides.
    let ratio = (change / volatility).abs();
    let er = if volatility <= change || volatility == 0.0 {
        fully_efficient()
    } else {
        ratio
    };
    let sc = er * SPAN + SLOWEST;
    sc * sc
}

/// `smoothing` for two bars at once, the same operations in each lane.
#[inline(always)]
fn smoothing_pair(change: F64x2, volatility: F64x2) -> F64x2 {
    let ratio = (change / volatility).abs();
    let er = volatility.where_at_most_or_zero(change, F64x2::splat(1.0), ratio);
    let sc = er * F64x2::splat(SPAN) + F64x2::splat(SLOWEST);
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
