//! WILLR, Williams' %R as TA-Lib defines it: over the last `n` bars,
//! `-100 * (highest high - close) / (highest high - lowest low)`, 0 when that range is 0.
//! (TA-Lib divides twice, by the range over -100; one division is half the work, within an
//! ulp or two of it.)
//! The first `n - 1` outputs are NaN.

use super::extremes::{extremes_block, extremes_into, Highest, Lowest};
use super::{check, windowed, Indicator, NAN};
use crate::{params, KernelError};

/// Computed whatever the range is, then selected, so a loop of them vectorizes.
#[inline(always)]
fn percent_r(close: f64, highest: f64, lowest: f64) -> f64 {
    let range = highest - lowest;
    let r = ((highest - close) * -100.0) / range;
    if range != 0.0 {
        r
    } else {
        0.0
    }
}

/// `percent_r` of each bar.
#[inline(always)]
fn percents_r(out: &mut [f64], close: &[f64], highest: &[f64], lowest: &[f64]) {
    for (o, ((&c, &hi), &lo)) in out.iter_mut().zip(close.iter().zip(highest).zip(lowest)) {
        *o = percent_r(c, hi, lo);
    }
}

/// `percents_r` compiled for AVX2: four bars to a vector instead of two, the same values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn percents_r_avx2(out: &mut [f64], close: &[f64], highest: &[f64], lowest: &[f64]) {
    percents_r(out, close, highest, lowest);
}

/// Batch WILLR with period `n`.
pub fn willr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "willr",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Willr::build(params::period("willr", "n", n, len)?);
    let n = s.high.len();
    let block = extremes_block(n);
    let (mut highest, mut lowest, mut spans) = (vec![0.0; block], vec![0.0; block], vec![]);
    windowed(
        [high, low, close],
        [out],
        n,
        block,
        &mut s,
        |_, bars, [out]| {
            let (hi, lo) = (&mut highest[..bars.len()], &mut lowest[..bars.len()]);
            let span = bars.start + 1 - n..bars.end;
            extremes_into::<true>(&high[span.clone()], n, hi, &mut spans);
            extremes_into::<false>(&low[span], n, lo, &mut spans);
            let close = &close[bars];
            with_avx2!(percents_r_avx2, percents_r, (out, close, hi, lo));
        },
    );
    Ok(())
}

/// Streaming WILLR.
#[derive(Debug, Clone)]
pub struct Willr {
    high: Highest,
    low: Lowest,
}

impl Willr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("willr", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Willr {
            high: Highest::new(n),
            low: Lowest::new(n),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Willr {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        self.high.push(high);
        self.low.push(low);
        if !self.high.is_full() {
            return [NAN];
        }
        [percent_r(close, self.high.value(), self.low.value())]
    }

    fn reset(&mut self) {
        self.high.reset();
        self.low.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn percent_below_the_high() {
        let mut out = [0.0; 3];
        willr(
            &[10.0, 12.0, 11.0],
            &[8.0, 9.0, 10.0],
            &[9.0, 11.0, 9.0],
            2,
            &mut out,
        )
        .unwrap();
        assert_same(&out, &[NAN, -100.0 / 4.0, -300.0 / 3.0]);
    }
}
