//! SMA, simple moving average: the arithmetic mean of the last `n` values.
//!
//! Warm-up follows TA-Lib: the first `n - 1` outputs are NaN. The window sum slides and
//! re-anchors every `n` values (see `rolling`), so it does not drift over long series (TA-Lib's
//! running sum does).

use super::rolling::WindowSum;
use super::{check, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch SMA of `x` with window `n` into `out`.
pub fn sma(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("sma", &[("x", x)], &[out])?;
    let n = params::period("sma", "n", n, len)?;
    let mut s = Sma::build(n);
    windowed([x], [out], n, BLOCK, &mut s, |s, bars, [out]| {
        let n = s.n;
        s.window.slide_into(x, bars, out, |_, sum| mean(sum, n));
    });
    Ok(())
}

#[inline(always)]
fn mean(sum: f64, n: f64) -> f64 {
    sum / n
}

/// Streaming SMA: `update` returns what `sma` gives at that bar.
#[derive(Debug, Clone)]
pub struct Sma {
    n: f64,
    window: WindowSum,
}

impl Sma {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("sma", "n", n, usize::MAX)?))
    }

    pub(crate) fn build(n: usize) -> Self {
        Sma {
            n: n as f64,
            window: WindowSum::new(n),
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Sma {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        [match self.window.push(x) {
            Some(sum) => mean(sum, self.n),
            None => NAN,
        }]
    }

    fn reset(&mut self) {
        self.window.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn averages_with_warm_up() {
        let out = batch1(sma, &[1.0, 2.0, 3.0, 4.0, 5.0], 3);
        assert_nan_prefix(&out, 2);
        assert_eq!(&out[2..], &[2.0, 3.0, 4.0]);
        assert_eq!(batch1(sma, &[3.5, -1.25, 8.0], 1), vec![3.5, -1.25, 8.0]);
    }

    #[test]
    fn restarts_after_a_non_finite_value() {
        let out = batch1(
            sma,
            &[1.0, f64::NAN, 3.0, 4.0, 5.0, f64::INFINITY, 7.0, 8.0],
            2,
        );
        assert_same(&out, &[NAN, NAN, NAN, 3.5, 4.5, NAN, NAN, 7.5]);
    }

    #[test]
    fn rejects_bad_arguments() {
        let mut out = [0.0; 3];
        assert_eq!(
            sma(&[1.0, 2.0, 3.0], 0, &mut out).unwrap_err().message(),
            "sma: n must be >= 1, got 0"
        );
        assert!(sma(&[1.0, 2.0, 3.0], 4, &mut out).is_err());
        assert!(sma(&[], 1, &mut []).is_err());
        assert!(sma(&[1.0, 2.0, 3.0], 2, &mut [0.0; 2]).is_err());
        assert!(Sma::new(0).is_err());
    }
}
