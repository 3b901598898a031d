//! ULTOSC, Williams' ultimate oscillator, as TA-Lib defines it: with buying pressure
//! `bp = close - min(low, prev_close)` and the true range `tr`, and `avg_k = sum(bp) / sum(tr)`
//! over the last `n_k` bars (0 when that TR sum is 0),
//! `ultosc = 100 * (4 * avg_short + 2 * avg_middle + avg_long) / 7`, where the periods are
//! taken shortest first whatever their order (as TA-Lib sorts them). The first `max(n1, n2, n3)`
//! outputs are NaN.
//!
//! One ring per series serves the three windows; their six sums slide and are all recomputed
//! exactly every `max(n1, n2, n3)` bars (when the rings are in time order).

use super::rolling::{window_sum, Ring};
use super::trange::true_range;
use super::{check, lesser, run, Indicator, NAN};
use crate::{params, KernelError};

/// Batch ULTOSC with periods `n1`, `n2`, `n3`.
#[allow(clippy::too_many_arguments)]
pub fn ultosc(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n1: i64,
    n2: i64,
    n3: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "ultosc",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Ultosc::checked(n1, n2, n3, len)?;
    run(&mut s, [high, low, close], [out]);
    Ok(())
}

/// Streaming ULTOSC.
#[derive(Debug, Clone)]
pub struct Ultosc {
    periods: [usize; 3], // shortest first
    prev_close: f64,
    pressure: Ring,      // buying pressure of the last `periods[2]` bars
    range: Ring,         // true range of the last `periods[2]` bars
    sums: [[f64; 3]; 2], // [pressure, range] sums over each period
    seen: usize,
    until_anchor: usize,
}

impl Ultosc {
    pub fn new(n1: i64, n2: i64, n3: i64) -> Result<Self, KernelError> {
        Self::checked(n1, n2, n3, usize::MAX)
    }

    fn checked(n1: i64, n2: i64, n3: i64, len: usize) -> Result<Self, KernelError> {
        let mut periods = [
            params::period("ultosc", "n1", n1, len)?,
            params::period("ultosc", "n2", n2, len)?,
            params::period("ultosc", "n3", n3, len)?,
        ];
        periods.sort_unstable();
        let n = periods[2];
        Ok(Ultosc {
            periods,
            prev_close: NAN,
            pressure: Ring::new(n),
            range: Ring::new(n),
            sums: [[0.0; 3]; 2],
            seen: 0,
            until_anchor: n,
        })
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Ultosc {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        let prev = std::mem::replace(&mut self.prev_close, close);
        if prev.is_nan() {
            return [NAN];
        }
        let true_low = lesser(low, prev);
        let new = [close - true_low, true_range(high, low, prev)];
        let longest = self.periods[2];
        for (s, (ring, v)) in [&mut self.pressure, &mut self.range]
            .into_iter()
            .zip(new)
            .enumerate()
        {
            for (k, &p) in self.periods.iter().enumerate() {
                // The value leaving the window of p bars once this one enters.
                let old = if self.seen >= p { ring.ago(p - 1) } else { 0.0 };
                self.sums[s][k] += v - old;
            }
            ring.push(v);
        }
        self.seen += 1;
        self.until_anchor -= 1;
        if self.until_anchor == 0 {
            // Every `longest` bars the rings are in time order: recompute the sums exactly.
            self.until_anchor = longest;
            for (s, ring) in [&self.pressure, &self.range].into_iter().enumerate() {
                for (k, &p) in self.periods.iter().enumerate() {
                    self.sums[s][k] = window_sum(&ring.storage()[longest - p..]);
                }
            }
        }
        if self.seen < longest {
            return [NAN];
        }
        let mut total = 0.0;
        for (k, weight) in [4.0, 2.0, 1.0].into_iter().enumerate() {
            let (bp, tr) = (self.sums[0][k], self.sums[1][k]);
            total += weight * if tr != 0.0 { bp / tr } else { 0.0 };
        }
        [100.0 * (total / 7.0)]
    }

    fn reset(&mut self) {
        self.prev_close = NAN;
        self.pressure.clear();
        self.range.clear();
        self.sums = [[0.0; 3]; 2];
        self.seen = 0;
        self.until_anchor = self.periods[2];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn periods_in_any_order() {
        let (h, l, c, _) = bars(100, 7);
        let (mut a, mut b) = (vec![0.0; 100], vec![0.0; 100]);
        ultosc(&h, &l, &c, 7, 14, 28, &mut a).unwrap();
        ultosc(&h, &l, &c, 28, 7, 14, &mut b).unwrap();
        assert_same(&a, &b);
        assert_nan_prefix(&a, 28);
    }

    #[test]
    fn closing_at_the_high_every_bar_gives_100() {
        let h = [10.0, 11.0, 12.0, 13.0];
        let l = [9.0, 10.0, 11.0, 12.0];
        let mut out = [0.0; 4];
        ultosc(&h, &l, &h, 1, 2, 3, &mut out).unwrap();
        assert_same(&out, &[NAN, NAN, NAN, 100.0]);
    }
}
