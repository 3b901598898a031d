//! ULTOSC, Williams' ultimate oscillator, as TA-Lib defines it: with buying pressure
//! `bp = close - min(low, prev_close)` and the true range `tr`, and `avg_k = sum(bp) / sum(tr)`
//! over the last `n_k` bars (0 when that TR sum is 0),
//! `ultosc = 100 * (4 * avg_short + 2 * avg_middle + avg_long) / 7`, where the periods are
//! taken shortest first whatever their order (as TA-Lib sorts them). The first `max(n1, n2, n3)`
//! outputs are NaN.

use super::rolling::WindowSum;
use super::trange::true_range;
use super::{check, finite, run, NAN};
use crate::{params, KernelError};

/// Batch ULTOSC with periods `n1`, `n2`, `n3`.
#[allow(clippy::too_many_arguments)]
pub fn ultosc(high: &[f64], low: &[f64], close: &[f64], n1: i64, n2: i64, n3: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("ultosc", &[("high", high), ("low", low), ("close", close)], &[out])?;
    let mut s = Ultosc::checked(n1, n2, n3, len)?;
    run([high, low, close], [out], |[h, l, c]| [s.update(h, l, c)]);
    Ok(())
}

/// Streaming ULTOSC.
#[derive(Debug, Clone)]
pub struct Ultosc {
    prev_close: f64,
    // (buying pressure, true range) sums for the short, middle and long periods
    sums: [(WindowSum, WindowSum); 3],
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
        Ok(Ultosc { prev_close: NAN, sums: periods.map(|n| (WindowSum::new(n), WindowSum::new(n))) })
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        if !finite([high, low, close]) {
            self.prev_close = NAN;
            for (bp, tr) in &mut self.sums {
                bp.clear();
                tr.clear();
            }
            return NAN;
        }
        let prev = std::mem::replace(&mut self.prev_close, close);
        if prev.is_nan() {
            return NAN;
        }
        let true_low = if low < prev { low } else { prev };
        let pressure = close - true_low;
        let range = true_range(high, low, prev);
        let mut averages = [NAN; 3];
        for (avg, (bp, tr)) in averages.iter_mut().zip(&mut self.sums) {
            if let (Some(bp), Some(tr)) = (bp.push(pressure), tr.push(range)) {
                *avg = if tr != 0.0 { bp / tr } else { 0.0 };
            }
        }
        let [short, middle, long] = averages;
        if long.is_nan() {
            return NAN;
        }
        100.0 * ((4.0 * short + 2.0 * middle + long) / 7.0)
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
