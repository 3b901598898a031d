//! BBANDS and STDDEV as TA-Lib defines them (with its default SMA): over the last `n` values,
//! `middle = sma`, `sd` the population standard deviation, `upper = middle + k_up * sd`,
//! `lower = middle - k_down * sd`; `stddev = k * sd`. The first `n - 1` outputs are NaN.
//!
//! The variance is `E[(x-c)^2] - E[x-c]^2` over sliding sums of `x - c`, with the shift `c`
//! re-chosen (the window's newest value) whenever the sums are re-anchored. Without the shift
//! (as in TA-Lib) both terms are of the order of price^2 and cancel catastrophically for
//! high-priced assets with small moves; TA-Lib then treats variances below 1e-8 as 0, which
//! also flattens the bands of any asset priced below ~1e-4. Here only a variance that rounds to
//! 0 or below gives 0, and a window of equal values exactly 0 (sliding sums would leave a
//! rounding residue there).

use super::rolling::{EqualRun, Ring, SlidingSum};
use super::{check, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch BBANDS of `x` into `upper`, `middle`, `lower`.
pub fn bbands(
    x: &[f64],
    n: i64,
    k_up: f64,
    k_down: f64,
    upper: &mut [f64],
    middle: &mut [f64],
    lower: &mut [f64],
) -> Result<(), KernelError> {
    let len = check("bbands", &[("x", x)], &[upper, middle, lower])?;
    let mut s = Bbands::checked(n, k_up, k_down, len)?;
    let n = s.spread.n;
    windowed(
        [x],
        [upper, middle, lower],
        n,
        BLOCK,
        &mut s,
        |s, bars, [u, m, l]| {
            for (j, i) in bars.enumerate() {
                let (v, old) = (x[i], x[i - n]);
                let window = || &x[i + 1 - n..=i];
                s.mean.push(v, Some(old), window);
                let variance = s.spread.slide(v, old, window);
                let flat = s.run.push(v) >= n;
                (u[j], m[j], l[j]) = s.bands(variance, flat);
            }
        },
    );
    Ok(())
}

/// Batch STDDEV of `x`: `k` times the population standard deviation of the last `n` values.
pub fn stddev(x: &[f64], n: i64, k: f64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("stddev", &[("x", x)], &[out])?;
    let mut s = Stddev::checked(n, k, len)?;
    let n = s.spread.n;
    windowed([x], [out], n, BLOCK, &mut s, |s, bars, [out]| {
        for (o, i) in out.iter_mut().zip(bars) {
            let variance = s.spread.slide(x[i], x[i - n], || &x[i + 1 - n..=i]);
            let flat = s.run.push(x[i]) >= n;
            *o = s.deviation(variance, flat);
        }
    });
    Ok(())
}

/// Streaming BBANDS: `update` returns `(upper, middle, lower)`.
#[derive(Debug, Clone)]
pub struct Bbands {
    k_up: f64,
    k_down: f64,
    ring: Ring,
    mean: SlidingSum, // the very sum SMA uses, so the middle band equals `sma` bit for bit
    spread: Spread,
    run: EqualRun,
}

impl Bbands {
    pub fn new(n: i64, k_up: f64, k_down: f64) -> Result<Self, KernelError> {
        Self::checked(n, k_up, k_down, usize::MAX)
    }

    fn checked(n: i64, k_up: f64, k_down: f64, len: usize) -> Result<Self, KernelError> {
        let n = params::period("bbands", "n", n, len)?;
        let k_up = params::at_least("bbands", "k_up", k_up, 0.0)?;
        let k_down = params::at_least("bbands", "k_down", k_down, 0.0)?;
        Ok(Bbands {
            k_up,
            k_down,
            ring: Ring::new(n),
            mean: SlidingSum::new(n),
            spread: Spread::new(n),
            run: EqualRun::new(),
        })
    }

    pub fn update(&mut self, x: f64) -> (f64, f64, f64) {
        self.next([x]).into()
    }

    #[inline(always)]
    fn bands(&self, variance: f64, flat: bool) -> (f64, f64, f64) {
        let middle = self.mean.sum / self.spread.n as f64;
        let sd = if flat { 0.0 } else { variance.sqrt() };
        (middle + self.k_up * sd, middle, middle - self.k_down * sd)
    }
}

impl Indicator<1, 3> for Bbands {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 3] {
        let old = self.ring.push(x);
        self.mean.push(x, old, || self.ring.storage());
        let flat = self.run.push(x) >= self.spread.n;
        let variance = match old {
            Some(old) => self.spread.slide(x, old, || self.ring.storage()),
            None if self.ring.is_full() => self.spread.anchor(self.ring.storage()),
            None => return [NAN; 3],
        };
        self.bands(variance, flat).into()
    }

    fn reset(&mut self) {
        self.ring.clear();
        self.mean.clear();
        self.run.clear();
    }
}

/// Streaming STDDEV.
#[derive(Debug, Clone)]
pub struct Stddev {
    k: f64,
    ring: Ring,
    spread: Spread,
    run: EqualRun,
}

impl Stddev {
    pub fn new(n: i64, k: f64) -> Result<Self, KernelError> {
        Self::checked(n, k, usize::MAX)
    }

    fn checked(n: i64, k: f64, len: usize) -> Result<Self, KernelError> {
        let n = params::period("stddev", "n", n, len)?;
        let k = params::at_least("stddev", "k", k, 0.0)?;
        Ok(Stddev {
            k,
            ring: Ring::new(n),
            spread: Spread::new(n),
            run: EqualRun::new(),
        })
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }

    #[inline(always)]
    fn deviation(&self, variance: f64, flat: bool) -> f64 {
        if flat {
            0.0
        } else {
            self.k * variance.sqrt()
        }
    }
}

impl Indicator<1, 1> for Stddev {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        let flat = self.run.push(x) >= self.spread.n;
        let variance = match self.ring.push(x) {
            Some(old) => self.spread.slide(x, old, || self.ring.storage()),
            None if self.ring.is_full() => self.spread.anchor(self.ring.storage()),
            None => return [NAN],
        };
        [self.deviation(variance, flat)]
    }

    fn reset(&mut self) {
        self.ring.clear();
        self.run.clear();
    }
}

/// The population variance of a full window from sums of `x - shift`, sliding in O(1) and
/// recomputed exactly (with a new shift) every `n` values since the window filled.
#[derive(Debug, Clone)]
struct Spread {
    n: usize,
    shift: f64,
    sum: f64,
    sum_sq: f64,
    until_anchor: usize,
}

impl Spread {
    fn new(n: usize) -> Self {
        Spread {
            n,
            shift: 0.0,
            sum: 0.0,
            sum_sq: 0.0,
            until_anchor: n,
        }
    }

    /// Slides by one value: `old` leaves and `x` enters. `window` gives the window's values,
    /// oldest first, and is only called when re-anchoring (when a full ring is in time order).
    #[inline(always)]
    fn slide<'a>(&mut self, x: f64, old: f64, window: impl FnOnce() -> &'a [f64]) -> f64 {
        let (d_new, d_old) = (x - self.shift, old - self.shift);
        self.sum += d_new - d_old;
        self.sum_sq += d_new * d_new - d_old * d_old;
        self.until_anchor -= 1;
        if self.until_anchor == 0 {
            return self.anchor(window());
        }
        self.variance()
    }

    /// Recomputes both sums from the window, shifted by its newest value.
    #[inline(always)]
    fn anchor(&mut self, window: &[f64]) -> f64 {
        (self.shift, self.sum, self.sum_sq) = shifted_sums(window);
        self.until_anchor = self.n;
        self.variance()
    }

    #[inline(always)]
    fn variance(&self) -> f64 {
        let n = self.n as f64;
        let mean = self.sum / n;
        let v = self.sum_sq / n - mean * mean;
        if v > 0.0 {
            v
        } else {
            0.0
        }
    }
}

/// The window's newest value and the sums of the values and of their squares shifted by it.
/// Out of line (it runs once per window) and pure, so the sliding sums stay in registers.
#[inline(never)]
fn shifted_sums(window: &[f64]) -> (f64, f64, f64) {
    let shift = window[window.len() - 1];
    let (mut sum, mut sum_sq) = ([0.0f64; 4], [0.0f64; 4]);
    for (i, &v) in window.iter().enumerate() {
        let d = v - shift;
        sum[i % 4] += d;
        sum_sq[i % 4] += d * d;
    }
    (
        shift,
        (sum[0] + sum[1]) + (sum[2] + sum[3]),
        (sum_sq[0] + sum_sq[1]) + (sum_sq[2] + sum_sq[3]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn bands_around_the_sma() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut o = [vec![0.0; 8], vec![0.0; 8], vec![0.0; 8]];
        let [u, m, l] = &mut o;
        bbands(&x, 8, 2.0, 1.0, u, m, l).unwrap();
        assert_eq!((u[7], m[7], l[7]), (9.0, 5.0, 3.0)); // mean 5, sd 2
        let mut sd = vec![0.0; 8];
        stddev(&x, 8, 1.5, &mut sd).unwrap();
        assert_eq!(sd[7], 3.0);
        assert_nan_prefix(&sd, 7);
    }

    #[test]
    fn middle_band_is_the_sma() {
        let (_, _, c, _) = bars(500, 8);
        let mut o = [vec![0.0; 500], vec![0.0; 500], vec![0.0; 500]];
        let [u, m, l] = &mut o;
        bbands(&c, 13, 2.0, 2.0, u, m, l).unwrap();
        assert_same(m, &batch1(crate::indicators::sma, &c, 13));
    }

    #[test]
    fn accurate_for_high_prices_with_small_moves() {
        // BTC-like prices, cents apart: the unshifted formula loses every digit here.
        let x: Vec<f64> = (0..5000)
            .map(|i| 65_000.0 + 0.01 * ((i * 7) % 13) as f64)
            .collect();
        let mut sd = vec![0.0; x.len()];
        stddev(&x, 20, 1.0, &mut sd).unwrap();
        for i in [19usize, 2500, 4999] {
            let w = &x[i - 19..=i];
            let mean = w.iter().sum::<f64>() / 20.0;
            let direct = (w.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 20.0).sqrt();
            assert!(
                ((sd[i] - direct) / direct).abs() < 1e-9,
                "{} vs {direct}",
                sd[i]
            );
        }
    }

    #[test]
    fn flat_window_has_no_width() {
        let mut sd = vec![0.0; 6];
        stddev(&[0.1, 0.1, 0.1, 0.1, 0.1, 0.1], 3, 1.0, &mut sd).unwrap();
        assert_same(&sd, &[NAN, NAN, 0.0, 0.0, 0.0, 0.0]);
        // A flat stretch long after the sums were shifted by another value.
        let mut x: Vec<f64> = (0..40).map(|i| 1000.0 + (i as f64).sqrt()).collect();
        x.extend([1234.567; 12]);
        let mut sd = vec![0.0; x.len()];
        stddev(&x, 5, 1.0, &mut sd).unwrap();
        assert!(sd[44..].iter().all(|&v| v == 0.0), "{:?}", &sd[40..]);
    }
}
