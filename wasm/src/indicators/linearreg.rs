//! LINEARREG_SLOPE as TA-Lib defines it: the slope of the least-squares line through the last
//! `n` values (per bar), `(n * sum(a * y) - sum(a) * sum(y)) / (sum(a)^2 - n * sum(a^2))` with
//! `a` the age of each value (0 for the newest). The first `n - 1` outputs are NaN; `n >= 2`.
//!
//! TA-Lib recomputes both sums over the window on every bar. Here they slide in O(1) and are
//! recomputed exactly every `4n` bars (when the window first fills, then whenever a ring of the
//! window is in time order again: an anchor costs as much as `n` bars of sliding, so not every
//! lap), over `y - c` with `c` the newest value at that point, so the difference of large
//! products above stays accurate for high prices. A window of equal values has a slope of
//! exactly 0.

use super::rolling::{EqualRun, Ring};
use super::{check, divide2, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch LINEARREG_SLOPE of `x` over `n` bars.
pub fn linearreg_slope(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("linearreg_slope", &[("x", x)], &[out])?;
    let n = params::period_from("linearreg_slope", "n", n, 2, len)?;
    let mut s = LinearregSlope::build(n);
    windowed([x], [out], n, BLOCK, &mut s, |s, bars, [out]| {
        let (start, end) = (bars.start, bars.end);
        let window = |j: usize| &x[start + j + 1 - n..=start + j];
        s.sums
            .slide_into(&x[bars.clone()], &x[start - n..end - n], window, out);
        if !s.run.push_moving(&x[bars.clone()], n) {
            // A copy of the run, so it stays in registers.
            let mut run = s.run.clone();
            for (o, &v) in out.iter_mut().zip(&x[bars]) {
                *o = flat_is_zero(&mut run, n, v, *o);
            }
            s.run = run;
        }
    });
    Ok(())
}

/// Records `x` in the run of equal values; a flat window's slope is 0.
#[inline(always)]
fn flat_is_zero(run: &mut EqualRun, n: usize, x: f64, slope: f64) -> f64 {
    if run.push(x) >= n && !slope.is_nan() {
        0.0
    } else {
        slope
    }
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
        flat_is_zero(&mut self.run, self.sums.n, x, slope)
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

/// Laps of the window between two exact recomputations of its sums.
const LAPS: usize = 4;

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
        self.until_anchor = LAPS * self.n;
        self.slope()
    }

    #[inline(always)]
    fn slope(&self) -> f64 {
        slope(self.n as f64, self.sum_x, self.divisor, self.sum, self.aged)
    }

    /// `slide` for each value of `new`, with `old` the values leaving, writing the slopes
    /// into `out`; `window(j)` is the window after `new[j]`. Between anchors one loop without
    /// a branch (the anchor summed ahead, alongside it) gives the sums, into `out` and
    /// `scratch`; the slopes follow in a loop of their own, whose divisions vectorize.
    #[inline(always)]
    fn slide_into<'a>(
        &mut self,
        new: &[f64],
        old: &[f64],
        window: impl Fn(usize) -> &'a [f64],
        out: &mut [f64],
    ) {
        let len = out.len();
        assert!(new.len() == len && old.len() == len);
        let (nf, sum_x, divisor) = (self.n as f64, self.sum_x, self.divisor);
        let mut j = 0;
        while j < len {
            let plain = (self.until_anchor - 1).min(len - j);
            let anchor = (j + plain < len).then(|| aged_sums(window(j + plain)));
            let (shift, mut sum, mut aged) = (self.shift, self.sum, self.aged);
            let (new, old) = (&new[j..j + plain], &old[j..j + plain]);
            // Two bars at a time, both slopes in one vector division. Each sum's updates are
            // written as an addition in one bar and as the equal subtraction in the other
            // (the same bits), so the compiler does not pack the chains into vectors,
            // lengthening them with shuffles.
            let mut t = 0;
            while t + 2 <= plain {
                let d_old = old[t] - shift;
                aged += sum - nf * d_old;
                sum -= d_old - (new[t] - shift);
                let (sum1, aged1) = (sum, aged);
                let d_old = old[t + 1] - shift;
                aged -= nf * d_old - sum;
                sum += (new[t + 1] - shift) - d_old;
                let [a, b] = divide2(
                    [
                        numerator(nf, sum_x, sum1, aged1),
                        numerator(nf, sum_x, sum, aged),
                    ],
                    [divisor; 2],
                );
                (out[j + t], out[j + t + 1]) = (a, b);
                t += 2;
            }
            if t < plain {
                let d_old = old[t] - shift;
                aged += sum - nf * d_old;
                sum -= d_old - (new[t] - shift);
                out[j + t] = slope(nf, sum_x, divisor, sum, aged);
            }
            (self.sum, self.aged) = (sum, aged);
            self.until_anchor -= plain;
            j += plain;
            if let Some(anchor) = anchor {
                (self.shift, self.sum, self.aged) = anchor;
                self.until_anchor = LAPS * self.n;
                out[j] = self.slope();
                j += 1;
            }
        }
    }
}

#[inline(always)]
fn slope(n: f64, sum_x: f64, divisor: f64, sum: f64, aged: f64) -> f64 {
    numerator(n, sum_x, sum, aged) / divisor
}

#[inline(always)]
fn numerator(n: f64, sum_x: f64, sum: f64, aged: f64) -> f64 {
    n * aged - sum_x * sum
}

/// The window's newest value `c`, `sum(y - c)` and `sum(age * (y - c))`, each in four
/// interleaved accumulators: short dependency chains, which the sliding sums do not wait for.
/// Out of line (it runs once per window) and pure, so the sliding sums stay in registers.
#[inline(never)]
fn aged_sums(window: &[f64]) -> (f64, f64, f64) {
    let shift = window[window.len() - 1];
    // Accumulator k takes the values at j = k, k + 4, ..., aged len - 1 - j (exact in f64).
    let oldest = (window.len() - 1) as f64;
    let (mut sum, mut aged) = ([0.0f64; 4], [0.0f64; 4]);
    let mut age = [oldest, oldest - 1.0, oldest - 2.0, oldest - 3.0];
    let mut chunks = window.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            let d = c[k] - shift;
            sum[k] += d;
            aged[k] += age[k] * d;
            age[k] -= 4.0;
        }
    }
    for (k, &v) in chunks.remainder().iter().enumerate() {
        let d = v - shift;
        sum[k] += d;
        aged[k] += age[k] * d;
    }
    let total = |a: [f64; 4]| (a[0] + a[1]) + (a[2] + a[3]);
    (shift, total(sum), total(aged))
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
