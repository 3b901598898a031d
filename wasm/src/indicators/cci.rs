//! CCI, Lambert's commodity channel index, as TA-Lib defines it: with typical price
//! `tp = (high + low + close) / 3` and, over the last `n` bars, its mean `m` and mean absolute
//! deviation `d`, `cci = (tp - m) / (0.015 * d)`, 0 when either factor is 0. The first `n - 1`
//! outputs are NaN. A window of equal typical prices gives exactly 0 (TA-Lib can return +-66.7
//! there, from rounding in its mean).

use super::rolling::{Ring, SlidingSum};
use super::{check, finite, run, NAN};
use crate::{params, KernelError};

/// Batch CCI with period `n`.
pub fn cci(high: &[f64], low: &[f64], close: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("cci", &[("high", high), ("low", low), ("close", close)], &[out])?;
    let mut s = Cci::build(params::period("cci", "n", n, len)?);
    run([high, low, close], [out], |[h, l, c]| [s.update(h, l, c)]);
    Ok(())
}

/// Streaming CCI.
#[derive(Debug, Clone)]
pub struct Cci {
    n: f64,
    ring: Ring,
    sum: SlidingSum,
}

impl Cci {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("cci", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Cci { n: n as f64, ring: Ring::new(n), sum: SlidingSum::new(n) }
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        if !finite([high, low, close]) {
            self.ring.clear();
            self.sum.clear();
            return NAN;
        }
        let tp = (high + low + close) / 3.0;
        let old = self.ring.push(tp);
        self.sum.push(tp, old, || self.ring.storage());
        if !self.ring.is_full() {
            return NAN;
        }
        let mean = self.sum.sum / self.n;
        let (deviation, flat) = deviation(self.ring.storage(), mean);
        let distance = tp - mean;
        if flat || distance == 0.0 || deviation == 0.0 {
            0.0
        } else {
            distance / (0.015 * (deviation / self.n))
        }
    }
}

/// The sum of `|v - mean|` over the window, and whether all its values are equal.
#[inline(always)]
fn deviation(window: &[f64], mean: f64) -> (f64, bool) {
    let (mut acc, mut lo, mut hi) = ([0.0f64; 4], [f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let mut chunks = window.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            acc[k] += (c[k] - mean).abs();
            lo[k] = lo[k].min(c[k]);
            hi[k] = hi[k].max(c[k]);
        }
    }
    for (k, &v) in chunks.remainder().iter().enumerate() {
        acc[k] += (v - mean).abs();
        lo[k] = lo[k].min(v);
        hi[k] = hi[k].max(v);
    }
    let lo = lo[0].min(lo[1]).min(lo[2].min(lo[3]));
    let hi = hi[0].max(hi[1]).max(hi[2].max(hi[3]));
    ((acc[0] + acc[1]) + (acc[2] + acc[3]), lo == hi)
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
