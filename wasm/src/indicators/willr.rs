//! WILLR, Williams' %R as TA-Lib defines it: over the last `n` bars,
//! `(highest high - close) / ((highest high - lowest low) / -100)`, 0 when that range is 0.
//! The first `n - 1` outputs are NaN.

use super::extremes::{channel, Highest, Lowest};
use super::{check, pieces, Indicator, Piece, NAN};
use crate::{params, KernelError};

#[inline(always)]
fn percent_r(close: f64, highest: f64, lowest: f64) -> f64 {
    let range = (highest - lowest) / -100.0;
    if range != 0.0 {
        (highest - close) / range
    } else {
        0.0
    }
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
    let n = params::period("willr", "n", n, len)?;
    pieces([high, low, close], |piece| match piece {
        Piece::Gap(i) => out[i] = NAN,
        Piece::Run(start, end) => {
            out[start..(start + n - 1).min(end)].fill(NAN);
            channel::<true, true>(&high[start..end], &low[start..end], n, |i, hi, lo| {
                out[start + i] = percent_r(close[start + i], hi, lo);
            });
        }
    });
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
        let n = params::period("willr", "n", n, usize::MAX)?;
        Ok(Willr {
            high: Highest::new(n),
            low: Lowest::new(n),
        })
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
        assert_same(&out, &[NAN, 1.0 / (-4.0 / 100.0), 3.0 / (-3.0 / 100.0)]);
    }
}
