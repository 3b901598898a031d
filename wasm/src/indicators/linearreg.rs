//! LINEARREG_SLOPE as TA-Lib defines it: the slope of the least-squares line through the last
//! `n` values (per bar), `(n * sum(a * y) - sum(a) * sum(y)) / (sum(a)^2 - n * sum(a^2))` with
//! `a` the age of each value (0 for the newest). The first `n - 1` outputs are NaN; `n >= 2`.
//!
//! TA-Lib recomputes both sums over the window on every bar. Here they slide in O(1) and are
//! recomputed exactly every `n` bars, over `y - c` with `c` the newest value at that point, so
//! the difference of large products above stays accurate for high prices. A window of equal
//! values has a slope of exactly 0.

use super::rolling::{EqualRun, Ring};
use super::{check, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch LINEARREG_SLOPE of `x` over `n` bars.
pub fn linearreg_slope(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("linearreg_slope", &[("x", x)], &[out])?;
    let n = params::period_from("linearreg_slope", "n", n, 2, len)?;
    let mut s = LinearregSlope::build(n);
    windowed([x], [out], n, BLOCK, &mut s, |s, bars, [out]| {
        for (o, i) in out.iter_mut().zip(bars) {
            let slope = s.sums.slide(x[i], x[i - n], || &x[i + 1 - n..=i]);
            *o = s.flat_is_zero(x[i], slope);
        }
    });
    Ok(())
}

/// Streaming LINEARREG_SLOPE.
#[derive(Debug, Clone)]
pub struct LinearregSlope {
    ring: Ring,
    sums: AgeSums,
    run: EqualRun,
}

impl LinearregSlope {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period_from(
            "linearreg_slope",
            "n",
            n,
            2,
            usize::MAX,
        )?))
    }

    fn build(n: usize) -> Self {
        LinearregSlope {
            ring: Ring::new(n),
            sums: AgeSums::new(n),
            run: EqualRun::new(),
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }

    /// Records `x` in the run of equal values; a flat window's slope is 0.
    #[inline(always)]
    fn flat_is_zero(&mut self, x: f64, slope: f64) -> f64 {
        if self.run.push(x) >= self.sums.n && !slope.is_nan() {
            0.0
        } else {
            slope
        }
    }
}

impl Indicator<1, 1> for LinearregSlope {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        let slope = match self.ring.push(x) {
            Some(old) => self.sums.slide(x, old, || self.ring.storage()),
            None if self.ring.is_full() => self.sums.anchor(self.ring.storage()),
            None => NAN,
        };
        [self.flat_is_zero(x, slope)]
    }

    fn reset(&mut self) {
        self.ring.clear();
        self.run.clear();
    }
}

/// `sum(y - c)` and `sum(age * (y - c))` over a full window, and the slope they give.
#[derive(Debug, Clone)]
struct AgeSums {
    n: usize,
    sum_x: f64,
    divisor: f64,
    shift: f64,
    sum: f64,
    aged: f64,
    until_anchor: usize,
}

impl AgeSums {
    fn new(n: usize) -> Self {
        let nf = n as f64;
        let sum_x = nf * (nf - 1.0) * 0.5;
        let sum_x_sq = nf * (nf - 1.0) * (2.0 * nf - 1.0) / 6.0;
        AgeSums {
            n,
            sum_x,
            divisor: sum_x * sum_x - nf * sum_x_sq,
            shift: 0.0,
            sum: 0.0,
            aged: 0.0,
            until_anchor: n,
        }
    }

    /// Slides by one value (`old` leaves, every age grows by one, `x` enters at age 0).
    #[inline(always)]
    fn slide<'a>(&mut self, x: f64, old: f64, window: impl FnOnce() -> &'a [f64]) -> f64 {
        let d_old = old - self.shift;
        self.aged += self.sum - self.n as f64 * d_old;
        self.sum += (x - self.shift) - d_old;
        self.until_anchor -= 1;
        if self.until_anchor == 0 {
            return self.anchor(window());
        }
        self.slope()
    }

    /// Recomputes both sums from the window (oldest first), shifted by its newest value.
    #[inline(always)]
    fn anchor(&mut self, window: &[f64]) -> f64 {
        (self.shift, self.sum, self.aged) = aged_sums(window);
        self.until_anchor = self.n;
        self.slope()
    }

    #[inline(always)]
    fn slope(&self) -> f64 {
        (self.n as f64 * self.aged - self.sum_x * self.sum) / self.divisor
    }
}

/// The window's newest value `c`, `sum(y - c)` and `sum(age * (y - c))`. Out of line (it runs
/// once per window) and pure, so the sliding sums stay in registers.
#[inline(never)]
fn aged_sums(window: &[f64]) -> (f64, f64, f64) {
    let shift = window[window.len() - 1];
    let (mut sum, mut aged) = (0.0, 0.0);
    for (j, &v) in window.iter().enumerate() {
        let d = v - shift;
        sum += d;
        aged += (window.len() - 1 - j) as f64 * d;
    }
    (shift, sum, aged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn slope_of_a_line_and_of_noise() {
        let x: Vec<f64> = (0..50)
            .map(|i| 3.0 + 0.25 * i as f64 + if i % 2 == 0 { 0.1 } else { -0.1 })
            .collect();
        let out = batch1(linearreg_slope, &x, 6);
        assert_nan_prefix(&out, 5);
        // Over an even window the alternating noise tilts the fit by a fixed amount.
        let t: Vec<f64> = (0..6).map(|v| v as f64).collect();
        for i in [5usize, 20, 49] {
            let y = &x[i - 5..=i];
            let (tm, ym) = (2.5, y.iter().sum::<f64>() / 6.0);
            let direct: f64 = t
                .iter()
                .zip(y)
                .map(|(a, b)| (a - tm) * (b - ym))
                .sum::<f64>()
                / 17.5;
            assert!((out[i] - direct).abs() < 1e-12, "{} vs {direct}", out[i]);
        }
        assert!(LinearregSlope::new(1).is_err());
    }
}
