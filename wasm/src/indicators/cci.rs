//! CCI, Lambert's commodity channel index, as TA-Lib defines it: with typical price
//! `tp = (high + low + close) / 3` and, over the last `n` bars, its mean `m` and mean absolute
//! deviation `d`, `cci = (tp - m) / (0.015 * d)`, 0 when either factor is 0. The first `n - 1`
//! outputs are NaN. Like TA-Lib, the mean is summed afresh over the window on every bar (the
//! deviation needs a pass over it anyway). Both factors count as 0 within 1e-14 of the prices'
//! magnitude (see `negligible`): a window of equal typical prices gives 0, not the +-66.7 or
//! +-133 that an ulp of difference between them and their rounded mean would make.

use super::rolling::{window_sum, Ring};
use super::{check, negligible, run, Indicator, NAN};
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
    run(&mut s, [high, low, close], [out]);
    Ok(())
}

/// Streaming CCI.
#[derive(Debug, Clone)]
pub struct Cci {
    n: usize,
    ring: Ring,
}

impl Cci {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("cci", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Cci {
            n,
            ring: Ring::new(n),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Cci {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        let tp = (high + low + close) / 3.0;
        self.ring.push(tp);
        if !self.ring.is_full() {
            return [NAN];
        }
        let window = self.ring.storage();
        let n = self.n as f64;
        let mean = window_sum(window) / n;
        let deviation = deviation(window, mean);
        let distance = tp - mean;
        [
            if negligible(distance, tp.abs() + mean.abs())
                || negligible(deviation, 2.0 * n * mean.abs())
            {
                0.0
            } else {
                distance / (0.015 * (deviation / n))
            },
        ]
    }

    fn reset(&mut self) {
        self.ring.clear();
    }
}

/// The sum of `|v - mean|` over the window, in four interleaved accumulators.
#[inline(always)]
fn deviation(window: &[f64], mean: f64) -> f64 {
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
