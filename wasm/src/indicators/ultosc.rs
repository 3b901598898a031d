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
use super::{check, divide2, lesser_in_pass, windowed, Indicator, BLOCK, NAN};
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
    let (periods, longest) = (s.periods, s.periods[2]);
    // Once `longest + 1` bars are in: the buying pressure and true range of the block's bars
    // and of the `longest` before them (time order, in place of the rings), then the six
    // sliding sums, then the oscillator: its divisions vectorize.
    let mut series = [vec![0.0; BLOCK + longest], vec![0.0; BLOCK + longest]];
    windowed(
        [high, low, close],
        [out],
        longest + 1,
        BLOCK,
        &mut s,
        |s, bars, [out]| {
            let (start, len) = (bars.start, bars.len());
            let [pressure, range] = &mut series;
            let (pressure, range) = (&mut pressure[..len + longest], &mut range[..len + longest]);
            let span = start - longest..bars.end;
            let bars_hlc = high[span.clone()].iter().zip(&low[span.clone()]);
            let prev = &close[span.start - 1..];
            for (((p, r), (&h, &l)), (&c, &pc)) in pressure
                .iter_mut()
                .zip(&mut *range)
                .zip(bars_hlc)
                .zip(close[span].iter().zip(prev))
            {
                (*p, *r) = (close_pressure(c, l, pc), true_range(h, l, pc));
            }
            // A copy of the sums, period by period as (pressure, range) pairs: three vectors whose
            // chains stay in registers. Between anchors two bars at a time, so the divisions of
            // both go out together and overlap with the chains.
            let mut acc: [[f64; 2]; 3] = std::array::from_fn(|k| [s.sums[0][k], s.sums[1][k]]);
            let slide = |acc: &mut [[f64; 2]; 3], i: usize| {
                for (sum, &p) in acc.iter_mut().zip(&periods) {
                    *sum = [
                        sum[0] + (pressure[i] - pressure[i - p]),
                        sum[1] + (range[i] - range[i - p]),
                    ];
                }
                *acc
            };
            let finish = |acc: [[f64; 2]; 3]| oscillator(acc.map(|s| s[0]), acc.map(|s| s[1]));
            let finish2 = |a: [[f64; 2]; 3], b: [[f64; 2]; 3]| {
                let (pressures, ranges) = (
                    [a, b].map(|s| s.map(|s| s[0])),
                    [a, b].map(|s| s.map(|s| s[1])),
                );
                oscillators(pressures, ranges)
            };
            let mut t = 0;
            while t < len {
                let end = t + (s.until_anchor - 1).min(len - t);
                s.until_anchor -= end - t;
                while t + 2 <= end {
                    let (a, b) = (
                        slide(&mut acc, longest + t),
                        slide(&mut acc, longest + t + 1),
                    );
                    [out[t], out[t + 1]] = finish2(a, b);
                    t += 2;
                }
                if t < end {
                    out[t] = finish(slide(&mut acc, longest + t));
                    t += 1;
                }
                if t < len {
                    // The anchor: every sum afresh from its window.
                    let i = longest + t;
                    for (sum, &p) in acc.iter_mut().zip(&periods) {
                        let window = i + 1 - p..=i;
                        *sum = [
                            window_sum(&pressure[window.clone()]),
                            window_sum(&range[window]),
                        ];
                    }
                    s.until_anchor = longest;
                    out[t] = finish(acc);
                    t += 1;
                }
            }
            s.sums = [0, 1].map(|side| acc.map(|sum| sum[side]));
        },
    );
    Ok(())
}

/// `oscillator` for two bars, each of its divisions done for both at once.
#[inline(always)]
fn oscillators(pressures: [[f64; 3]; 2], ranges: [[f64; 3]; 2]) -> [f64; 2] {
    let mut total = [0.0; 2];
    for (k, weight) in [4.0, 2.0, 1.0].into_iter().enumerate() {
        let average = divide2(
            [pressures[0][k], pressures[1][k]],
            [ranges[0][k], ranges[1][k]],
        );
        for l in 0..2 {
            total[l] += weight * if ranges[l][k] != 0.0 { average[l] } else { 0.0 };
        }
    }
    let [a, b] = divide2(total, [7.0; 2]);
    [100.0 * a, 100.0 * b]
}

/// Buying pressure: the close above the true low.
#[inline(always)]
fn close_pressure(close: f64, low: f64, prev_close: f64) -> f64 {
    close - lesser_in_pass(low, prev_close)
}

/// The oscillator from each period's sums of buying pressure and true range (shortest first);
/// the averages are computed whatever the range sums are, then selected, so loops vectorize.
#[inline(always)]
fn oscillator(pressures: [f64; 3], ranges: [f64; 3]) -> f64 {
    let mut total = 0.0;
    for (k, weight) in [4.0, 2.0, 1.0].into_iter().enumerate() {
        let (bp, tr) = (pressures[k], ranges[k]);
        let average = bp / tr;
        total += weight * if tr != 0.0 { average } else { 0.0 };
    }
    100.0 * (total / 7.0)
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
        let new = [
            close_pressure(close, low, prev),
            true_range(high, low, prev),
        ];
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
        [oscillator(self.sums[0], self.sums[1])]
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
