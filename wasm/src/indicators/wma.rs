//! WMA, weighted moving average as TA-Lib defines it: weights 1..=n from the oldest to the
//! newest of the last `n` values, divided by n(n+1)/2. The first `n - 1` outputs are NaN.
//!
//! The weighted sum slides in O(1) (`w += n * x - sum`, as TA-Lib does) and, like every sliding
//! sum here, is recomputed exactly every `n` bars so it does not drift.

use super::rolling::{chain_into, window_sum, Ring};
use super::{check, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch WMA of `x` with period `n`.
pub fn wma(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("wma", &[("x", x)], &[out])?;
    let n = params::period("wma", "n", n, len)?;
    let mut s = Wma::build(n);
    windowed([x], [out], n, BLOCK, &mut s, |s, bars, [out]| {
        let (start, end) = (bars.start, bars.end);
        let window = |j: usize| &x[start + j + 1 - n..=start + j];
        let divider = s.divider;
        let finish = |weighted| average(weighted, divider);
        s.sums
            .slide_into(&x[bars], &x[start - n..end - n], window, out, finish);
    });
    Ok(())
}

#[inline(always)]
fn average(weighted: f64, divider: f64) -> f64 {
    weighted / divider
}

/// Streaming WMA.
#[derive(Debug, Clone)]
pub struct Wma {
    divider: f64,
    ring: Ring,
    sums: WeightedSums,
}

impl Wma {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("wma", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Wma {
            divider: (n * (n + 1) / 2) as f64,
            ring: Ring::new(n),
            sums: WeightedSums::new(n),
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Wma {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        let weighted = match self.ring.push(x) {
            Some(old) => self.sums.slide(x, old, || self.ring.storage()),
            None if self.ring.is_full() => self.sums.anchor(self.ring.storage()),
            None => return [NAN],
        };
        [average(weighted, self.divider)]
    }

    fn reset(&mut self) {
        self.ring.clear();
    }
}

/// The sum and the 1..=n weighted sum of a full window, sliding in O(1) and recomputed exactly
/// every `n` bars since the window first filled (when a ring is in time order).
#[derive(Debug, Clone)]
pub(crate) struct WeightedSums {
    n: usize,
    until_anchor: usize,
    pub sum: f64,
    pub weighted: f64,
}

impl WeightedSums {
    pub fn new(n: usize) -> Self {
        WeightedSums {
            n,
            until_anchor: n,
            sum: 0.0,
            weighted: 0.0,
        }
    }

    /// Computes both sums afresh from the window (oldest first); returns the weighted sum.
    #[inline(always)]
    pub fn anchor(&mut self, window: &[f64]) -> f64 {
        (self.sum, self.weighted) = exact_sums(window);
        self.until_anchor = self.n;
        self.weighted
    }

    /// Slides the window by one value (`old` leaves, `x` enters); returns the weighted sum.
    #[inline(always)]
    pub fn slide<'a>(&mut self, x: f64, old: f64, window: impl FnOnce() -> &'a [f64]) -> f64 {
        self.weighted += self.n as f64 * x - self.sum;
        self.sum += x - old;
        self.until_anchor -= 1;
        if self.until_anchor == 0 {
            return self.anchor(window());
        }
        self.weighted
    }

    /// `slide` for each value of `new`, with `old` the values leaving, writing
    /// `finish(weighted sum)` into `out`; `window(j)` is the window after `new[j]`. Between
    /// anchors, one chain without a branch (see `chain_into`).
    #[inline(always)]
    pub fn slide_into<'a>(
        &mut self,
        new: &[f64],
        old: &[f64],
        window: impl Fn(usize) -> &'a [f64],
        out: &mut [f64],
        finish: impl Fn(f64) -> f64,
    ) {
        let len = out.len();
        assert!(new.len() == len && old.len() == len);
        let n = self.n as f64;
        let mut j = 0;
        while j < len {
            let plain = (self.until_anchor - 1).min(len - j);
            // The anchor ending this stretch, if it does, is summed first: it depends on the
            // window only, so it runs alongside the sliding chain instead of after it.
            let anchor = (j + plain < len).then(|| exact_sums(window(j + plain)));
            let (new, old) = (&new[j..j + plain], &old[j..j + plain]);
            let (mut sum, mut w) = (self.sum, self.weighted);
            chain_into(
                &mut out[j..j + plain],
                |t| {
                    w += n * new[t] - sum;
                    // `sum += x - old`, written as a subtraction (the same bits) so the compiler
                    // does not pack both chains into one vector, lengthening them with shuffles.
                    sum -= old[t] - new[t];
                    w
                },
                |_, w| finish(w),
            );
            (self.sum, self.weighted) = (sum, w);
            self.until_anchor -= plain;
            j += plain;
            if let Some(sums) = anchor {
                (self.sum, self.weighted) = sums;
                self.until_anchor = self.n;
                out[j] = finish(self.weighted);
                j += 1;
            }
        }
    }
}

/// A window's sum and 1..=n weighted sum, each in four interleaved accumulators: a short
/// dependency chain, which the sliding chain does not wait for. Out of line (it runs once per
/// window) and pure, so the sliding sums stay in registers.
#[inline(never)]
fn exact_sums(window: &[f64]) -> (f64, f64) {
    // Accumulator k takes the values at i = k, k + 4, ..., weighted i + 1 (exact in f64).
    let (mut acc, mut weight) = ([0.0f64; 4], [1.0, 2.0, 3.0, 4.0]);
    let mut chunks = window.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            acc[k] += weight[k] * c[k];
            weight[k] += 4.0;
        }
    }
    for (k, &v) in chunks.remainder().iter().enumerate() {
        acc[k] += weight[k] * v;
    }
    (window_sum(window), (acc[0] + acc[1]) + (acc[2] + acc[3]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn weights_the_newest_most() {
        let out = batch1(wma, &[1.0, 2.0, 3.0, 4.0, 6.0], 3);
        assert_same(&out, &[NAN, NAN, 14.0 / 6.0, 20.0 / 6.0, 29.0 / 6.0]);
        assert_same(&batch1(wma, &[2.0, 5.0], 1), &[2.0, 5.0]);
    }

    #[test]
    fn stays_exact_over_long_series() {
        let (_, _, c, _) = bars(20_000, 3);
        let n = 9;
        let out = batch1(wma, &c, n as i64);
        for i in [8usize, 1000, 19_999] {
            let direct: f64 = (0..n)
                .map(|j| (j + 1) as f64 * c[i + 1 - n + j])
                .sum::<f64>()
                / 45.0;
            assert!(((out[i] - direct) / direct).abs() < 1e-13);
        }
    }
}
