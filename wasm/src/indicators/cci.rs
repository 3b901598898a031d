//! CCI, Lambert's commodity channel index, as TA-Lib defines it: with typical price
//! `tp = (high + low + close) / 3` and, over the last `n` bars, its mean `m` and mean absolute
//! deviation `d`, `cci = (tp - m) / (0.015 * d)`, 0 when either factor is 0. The first `n - 1`
//! outputs are NaN. Like TA-Lib, the mean is summed afresh over the window on every bar (the
//! deviation needs a pass over it anyway), here in time order, so the batch reads each window
//! straight from its typical prices and works on many bars at once. Both factors count as 0
//! within 1e-14 of the prices' magnitude (see `negligible`): a window of equal typical prices
//! gives 0, not the +-66.7 or +-133 that an ulp of difference between them and their rounded
//! mean would make.

use super::rolling::{window_sum, Ring};
use super::{check, negligible, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch CCI with period `n`.
pub fn cci(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "cci",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Cci::build(params::period("cci", "n", n, len)?);
    let n = s.n;
    let nf = n as f64;
    // A block at a time: the typical prices of its windows, then every window's mean, then
    // every window's deviation, then the indexes. The bars do not wait for one another.
    let mut tp = vec![0.0; BLOCK + n - 1];
    let (mut mean, mut deviation) = ([0.0; BLOCK], [0.0; BLOCK]);
    windowed(
        [high, low, close],
        [out],
        n,
        BLOCK,
        &mut s,
        |_, bars, [out]| {
            let len = bars.len();
            let span = bars.start + 1 - n..bars.end;
            let tp = &mut tp[..len + n - 1];
            let prices = high[span.clone()]
                .iter()
                .zip(&low[span.clone()])
                .zip(&close[span]);
            for (t, ((&h, &l), &c)) in tp.iter_mut().zip(prices) {
                *t = typical(h, l, c);
            }
            let (mean, deviation) = (&mut mean[..len], &mut deviation[..len]);
            in_pairs(tp, n, mean, |w, _| w);
            for m in mean.iter_mut() {
                *m /= nf;
            }
            let mean: &[f64] = mean;
            in_pairs(tp, n, deviation, |w, l| (w - mean[l]).abs());
            let bars = tp[n - 1..].iter().zip(mean).zip(&*deviation);
            for (o, ((&tp, &mean), &deviation)) in out.iter_mut().zip(bars) {
                *o = index(tp, mean, deviation, nf);
            }
        },
    );
    Ok(())
}

/// Streaming CCI.
#[derive(Debug, Clone)]
pub struct Cci {
    n: usize,
    ring: Ring,
    window: Vec<f64>, // the ring's values in time order, to sum as the batch does
}

impl Cci {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("cci", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Cci {
            n,
            ring: Ring::new(n),
            window: Vec::with_capacity(n),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

#[inline(always)]
fn typical(high: f64, low: f64, close: f64) -> f64 {
    (high + low + close) / 3.0
}

/// The index from the bar's typical price, the window's mean and its sum of absolute
/// deviations: computed whatever the factors are, then selected, so a loop of them vectorizes.
#[inline(always)]
fn index(tp: f64, mean: f64, deviation: f64, n: f64) -> f64 {
    let distance = tp - mean;
    let cci = distance / (0.015 * (deviation / n));
    if negligible(distance, tp.abs() + mean.abs()) || negligible(deviation, 2.0 * n * mean.abs()) {
        0.0
    } else {
        cci
    }
}

impl Indicator<3, 1> for Cci {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        let tp = typical(high, low, close);
        self.ring.push(tp);
        if !self.ring.is_full() {
            return [NAN];
        }
        let (older, newer) = self.ring.in_time_order();
        self.window.clear();
        self.window.extend_from_slice(older);
        self.window.extend_from_slice(newer);
        let n = self.n as f64;
        let mean = window_sum(&self.window) / n;
        [index(tp, mean, deviations(&self.window, mean), n)]
    }

    fn reset(&mut self) {
        self.ring.clear();
    }
}

/// `out[j]` = the sum of `term(v, j)` over the window `x[j..j + n]`, in four interleaved
/// accumulators (as `window_sum`, as `deviations`), two neighbouring windows at a time: one
/// vector per accumulator holds both windows' partial sums, without per-window set-up.
#[inline(always)]
fn in_pairs(x: &[f64], n: usize, out: &mut [f64], term: impl Fn(f64, usize) -> f64) {
    let len = out.len();
    assert!(x.len() + 1 == len + n);
    let mut j = 0;
    while j + 2 <= len {
        let (w0, w1) = (&x[j..j + n], &x[j + 1..j + 1 + n]);
        let mut acc = [[0.0f64; 2]; 4];
        let (mut c0, mut c1) = (w0.chunks_exact(4), w1.chunks_exact(4));
        for (a, b) in (&mut c0).zip(&mut c1) {
            for k in 0..4 {
                acc[k] = [acc[k][0] + term(a[k], j), acc[k][1] + term(b[k], j + 1)];
            }
        }
        for (k, (&a, &b)) in c0.remainder().iter().zip(c1.remainder()).enumerate() {
            acc[k] = [acc[k][0] + term(a, j), acc[k][1] + term(b, j + 1)];
        }
        for l in 0..2 {
            out[j + l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
        }
        j += 2;
    }
    if j < len {
        let mut acc = [0.0f64; 4];
        let mut chunks = x[j..j + n].chunks_exact(4);
        for c in &mut chunks {
            for k in 0..4 {
                acc[k] += term(c[k], j);
            }
        }
        for (k, &v) in chunks.remainder().iter().enumerate() {
            acc[k] += term(v, j);
        }
        out[j] = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
}

/// The sum of `|v - mean|` over the window, in four interleaved accumulators.
#[inline(always)]
fn deviations(window: &[f64], mean: f64) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut chunks = window.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            acc[k] += (c[k] - mean).abs();
        }
    }
    for (k, &v) in chunks.remainder().iter().enumerate() {
        acc[k] += (v - mean).abs();
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn distance_in_mean_deviations() {
        let h = [3.0, 6.0, 9.0];
        let l = [3.0, 6.0, 9.0];
        let c = [3.0, 6.0, 9.0];
        let mut out = [0.0; 3];
        cci(&h, &l, &c, 3, &mut out).unwrap();
        // tp 3 6 9: mean 6, mean deviation 2: (9 - 6) / (0.015 * 2) = 100.
        assert_same(&out, &[NAN, NAN, 3.0 / (0.015 * (6.0 / 3.0))]);
        let flat = [0.1; 5];
        let mut out = [0.0; 5];
        cci(&flat, &flat, &flat, 3, &mut out).unwrap();
        assert_same(&out, &[NAN, NAN, 0.0, 0.0, 0.0]);
    }
}
