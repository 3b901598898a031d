//! TRANGE, ATR and NATR as TA-Lib defines them.
//!
//! The true range is the greatest of `high - low`, `|high - prev_close|` and
//! `|low - prev_close|` (the first bar has none: NaN). ATR seeds with the mean of the first `n`
//! true ranges and then smooths Wilder's way, `atr = ((n-1) * atr + tr) / n`; its first `n`
//! outputs are NaN. `natr = 100 * atr / close` (0 where close is 0, as in TA-Lib).
//! One difference: TA-Lib's NATR with `n = 1` returns the plain true range; here it is
//! normalized like any other period.

use std::cell::Cell;

use super::smooth::Lone;
use super::{check, greater_in_pass, run, Indicator, NAN};
use crate::{params, KernelError};

/// The true range of a bar, given the previous close.
#[inline(always)]
pub(crate) fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    let range = greater_in_pass((prev_close - high).abs(), high - low);
    greater_in_pass((prev_close - low).abs(), range)
}

/// Batch TRANGE.
pub fn trange(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    out: &mut [f64],
) -> Result<(), KernelError> {
    check(
        "trange",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    run(&mut Trange::new()?, [high, low, close], [out]);
    Ok(())
}

/// Streaming TRANGE.
#[derive(Debug, Clone)]
pub struct Trange {
    prev_close: f64, // NaN before the first bar
}

impl Trange {
    pub fn new() -> Result<Self, KernelError> {
        Ok(Trange { prev_close: NAN })
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Trange {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        let prev = std::mem::replace(&mut self.prev_close, close);
        [if prev.is_nan() {
            NAN
        } else {
            true_range(high, low, prev)
        }]
    }

    fn reset(&mut self) {
        self.prev_close = NAN;
    }

    #[inline(always)]
    fn steps(&mut self, [high, low, close]: [&[f64]; 3], [out]: [&mut [f64]; 1]) {
        let Some(&last) = close.last() else { return };
        let prev = std::mem::replace(&mut self.prev_close, last);
        out[0] = if prev.is_nan() {
            NAN
        } else {
            true_range(high[0], low[0], prev)
        };
        // From the second bar on the previous close is the slice's: independent bars.
        let (out, high, low) = (&mut out[1..], &high[1..], &low[1..]);
        with_avx2!(true_ranges_avx2, true_ranges, (out, high, low, close));
    }
}

/// The true range of each bar, given the close before it.
#[inline(always)]
fn true_ranges(out: &mut [f64], high: &[f64], low: &[f64], prev_close: &[f64]) {
    let bars = high.iter().zip(low).zip(prev_close);
    for (o, ((&h, &l), &prev)) in out.iter_mut().zip(bars) {
        *o = true_range(h, l, prev);
    }
}

/// `true_ranges` compiled for AVX2: four bars to a vector instead of two, the same values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn true_ranges_avx2(out: &mut [f64], high: &[f64], low: &[f64], prev_close: &[f64]) {
    true_ranges(out, high, low, prev_close);
}

/// Batch ATR with period `n`.
pub fn atr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "atr",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Atr::build(params::period("atr", "n", n, len)?);
    run(&mut s, [high, low, close], [out]);
    Ok(())
}

/// Batch NATR with period `n`.
pub fn natr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "natr",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Natr(Atr::build(params::period("natr", "n", n, len)?));
    run(&mut s, [high, low, close], [out]);
    Ok(())
}

/// Streaming ATR.
#[derive(Debug, Clone)]
pub struct Atr {
    n: usize,
    ranges: usize, // true ranges seen since the last restart
    prev_close: f64,
    seed: f64,
    smooth: Lone,
}

impl Atr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("atr", "n", n, usize::MAX)?))
    }

    pub(crate) fn build(n: usize) -> Self {
        Atr {
            n,
            ranges: 0,
            prev_close: NAN,
            seed: 0.0,
            smooth: Lone::wilder(n),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Atr {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        let prev = std::mem::replace(&mut self.prev_close, close);
        if self.ranges == self.n {
            return [self.smooth.next(true_range(high, low, prev))];
        }
        if prev.is_nan() {
            return [NAN];
        }
        self.ranges += 1;
        self.seed += true_range(high, low, prev);
        if self.ranges < self.n {
            return [NAN];
        }
        let mean = self.seed / self.n as f64;
        self.smooth.start([mean]);
        [mean]
    }

    fn reset(&mut self) {
        self.ranges = 0;
        self.prev_close = NAN;
        self.seed = 0.0;
    }

    #[inline(always)]
    fn steps(&mut self, [high, low, close]: [&[f64]; 3], [out]: [&mut [f64]; 1]) {
        let mut t = 0;
        while t < close.len() && self.ranges < self.n {
            out[t] = self.step([high[t], low[t], close[t]])[0];
            t += 1;
        }
        // Seeded: the true ranges (independent bars, in place), then their smoothing.
        let mut ranges = Trange {
            prev_close: self.prev_close,
        };
        let (high, low, close, out) = (&high[t..], &low[t..], &close[t..], &mut out[t..]);
        ranges.steps([high, low, close], [&mut *out]);
        if !close.is_empty() {
            self.prev_close = ranges.prev_close;
        }
        // Each bar's true range is read, then overwritten by its result.
        let ranges = Cell::from_mut(out).as_slice_of_cells();
        let tr = |t: usize| [ranges[t].get()];
        self.smooth
            .run(close.len(), tr, |t, [atr]| ranges[t].set(atr));
    }
}

/// Streaming NATR.
#[derive(Debug, Clone)]
pub struct Natr(Atr);

impl Natr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Natr(Atr::build(params::period(
            "natr",
            "n",
            n,
            usize::MAX,
        )?)))
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

/// ATR as a percentage of the close (0 where the close is 0).
#[inline(always)]
fn normalized(atr: f64, close: f64) -> f64 {
    let percent = (atr / close) * 100.0;
    if close != 0.0 {
        percent
    } else if atr.is_nan() {
        NAN
    } else {
        0.0
    }
}

/// Each ATR in `atrs` as a percentage of its close.
#[inline(always)]
fn normalize(atrs: &mut [f64], close: &[f64]) {
    for (atr, &close) in atrs.iter_mut().zip(close) {
        *atr = normalized(*atr, close);
    }
}

/// `normalize` compiled for AVX2: four bars to a vector instead of two, the same values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn normalize_avx2(atrs: &mut [f64], close: &[f64]) {
    normalize(atrs, close);
}

impl Indicator<3, 1> for Natr {
    #[inline(always)]
    fn step(&mut self, bar: [f64; 3]) -> [f64; 1] {
        let [atr] = self.0.step(bar);
        [normalized(atr, bar[2])]
    }

    fn reset(&mut self) {
        self.0.reset();
    }

    #[inline(always)]
    fn steps(&mut self, inputs: [&[f64]; 3], [out]: [&mut [f64]; 1]) {
        // The ATRs first, then their normalization in a pass of its own: its divisions queue
        // on the divider apart from the smoothing's chain, and overlap with the next block's.
        self.0.steps(inputs, [&mut *out]);
        with_avx2!(normalize_avx2, normalize, (out, inputs[2]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn true_range_reaches_for_the_previous_close() {
        assert_eq!(true_range(10.0, 8.0, 9.0), 2.0);
        assert_eq!(true_range(10.0, 8.0, 13.0), 5.0);
        assert_eq!(true_range(10.0, 8.0, 5.0), 5.0);
    }

    #[test]
    fn atr_seeds_with_the_mean_true_range() {
        let (h, l, c) = (
            [10.0, 11.0, 12.0, 11.0],
            [9.0, 10.0, 10.0, 8.0],
            [9.5, 10.5, 11.0, 8.5],
        );
        let mut out = [0.0; 4];
        atr(&h, &l, &c, 2, &mut out).unwrap();
        assert_same(&out[..2], &[NAN, NAN]);
        assert_eq!(out[2], (1.5 + 2.0) / 2.0);
        assert_eq!(out[3], 0.5 * 1.75 + 0.5 * 3.0);
        trange(&h, &l, &c, &mut out).unwrap();
        assert_same(&out, &[NAN, 1.5, 2.0, 3.0]);
    }
}
