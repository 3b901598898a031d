//! BBANDS and STDDEV as TA-Lib defines them (with its default SMA): over the last `n` values,
//! `middle = sma`, `sd` the population standard deviation, `upper = middle + k_up * sd`,
//! `lower = middle - k_down * sd`; `stddev = k * sd`. The first `n - 1` outputs are NaN.
//!
//! The variance is `(n * S2 - S1^2) / n^2` (`E[(x-c)^2] - E[x-c]^2` with one division) over
//! sliding sums `S1`, `S2` of `x - c` and its square, with the shift `c` re-chosen (the window's newest value) whenever the sums are re-anchored. Without the shift
//! (as in TA-Lib) both terms are of the order of price^2 and cancel catastrophically for
//! high-priced assets with small moves; TA-Lib then treats variances below 1e-8 as 0, which
//! also flattens the bands of any asset priced below ~1e-4. Here only a variance that rounds to
//! 0 or below gives 0, and a window of equal values exactly 0 (sliding sums would leave a
//! rounding residue there).

use super::rolling::{window_sum, EqualRun, Ring, SlidingSum};
use super::{check, divide2, sqrt2, windowed, Indicator, BLOCK, NAN};
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
    let (n, k_up, k_down) = (s.spread.n, s.k_up, s.k_down);
    let nf = n as f64;
    let mut flat = [false; BLOCK];
    windowed(
        [x],
        [upper, middle, lower],
        n,
        BLOCK,
        &mut s,
        |s, bars, [u, m, l]| {
            let flat = &mut flat[..bars.len()];
            let any_flat = flats(&mut s.run, &x[bars.clone()], n, flat);
            slide(
                Some(&mut s.mean),
                &mut s.spread,
                x,
                bars,
                |t, count, sums| {
                    // Two bars at a time: each division and square root once for both.
                    let [m0, m1] = divide2(sums.map(|s| s[0]), [nf; 2]);
                    let [v0, v1] = variances(sums.map(|s| s[1]), sums.map(|s| s[2]), nf);
                    let [d0, d1] = sqrt2([v0, v1]);
                    for (j, (middle, sd)) in
                        [(m0, d0), (m1, d1)].into_iter().take(count).enumerate()
                    {
                        (u[t + j], m[t + j], l[t + j]) =
                            (middle + k_up * sd, middle, middle - k_down * sd);
                    }
                },
            );
            // Flat windows (rare) get their zero width after, off the loop above.
            if any_flat {
                for (t, _) in flat.iter().enumerate().filter(|(_, &f)| f) {
                    let (middle, sd) = (m[t], 0.0);
                    (u[t], l[t]) = (middle + k_up * sd, middle - k_down * sd);
                }
            }
        },
    );
    Ok(())
}

/// The sums of the bars `bars` of `x` (full windows) handed to `finish(t, count, sums)` two
/// bars at a time (`count` of them: the second of a lone bar repeats the first), each bar's
/// `[mean's sum, spread's sum, spread's sum of squares]` (the mean's sum, if no mean is given,
/// is 0). A stretch between anchors at a time (the anchors of both fall on the same bars),
/// each stretch one loop of up to three chains, the anchors summed ahead so they run
/// alongside, and the finishing of the pairs (divisions, square roots) alongside too.
#[inline(always)]
fn slide(
    mut mean: Option<&mut SlidingSum>,
    spread: &mut Spread,
    x: &[f64],
    bars: std::ops::Range<usize>,
    mut finish: impl FnMut(usize, usize, [[f64; 3]; 2]),
) {
    let n = spread.n;
    let (start, len) = (bars.start, bars.len());
    let (new, old) = (&x[bars.clone()], &x[start - n..start - n + len]);
    let window = |t: usize| &x[start + t + 1 - n..=start + t];
    let with_mean = mean.is_some();
    let mut t = 0;
    while t < len {
        if let Some(mean) = &mean {
            debug_assert_eq!(mean.until_anchor, spread.until_anchor);
        }
        let plain = (spread.until_anchor - 1).min(len - t);
        let anchor = (t + plain < len).then(|| {
            let w = window(t + plain);
            (with_mean.then(|| window_sum(w)), shifted_sums(w))
        });
        let shift = spread.shift;
        let mut sums = [
            mean.as_ref().map_or(0.0, |m| m.sum),
            spread.sum,
            spread.sum_sq,
        ];
        let mut add = |mean_change: f64, change: f64, sq_change: f64| {
            if with_mean {
                sums[0] += mean_change;
            }
            // `sums[1] += dn - dold`, written as a subtraction (the same bits) so the
            // compiler does not pack the chains into vectors, lengthening them with shuffles.
            sums[1] -= change;
            sums[2] += sq_change;
            sums
        };
        let end = t + plain;
        while t + 2 <= end {
            let (x2, o2) = ([new[t], new[t + 1]], [old[t], old[t + 1]]);
            let (change, sq_change) = changes2(x2, o2, shift);
            let mean_change = if with_mean {
                [x2[0] - o2[0], x2[1] - o2[1]]
            } else {
                [0.0; 2]
            };
            let pair = [
                add(mean_change[0], change[0], sq_change[0]),
                add(mean_change[1], change[1], sq_change[1]),
            ];
            finish(t, 2, pair);
            t += 2;
        }
        let single = (t < end).then(|| {
            let (dn, dold) = (new[t] - shift, old[t] - shift);
            add(new[t] - old[t], dold - dn, dn * dn - dold * dold)
        });
        if let Some(mean) = &mut mean {
            mean.sum = sums[0];
            mean.until_anchor -= plain;
        }
        (spread.sum, spread.sum_sq) = (sums[1], sums[2]);
        spread.until_anchor -= plain;
        let anchored = anchor.map(|(mean_sum, (shift, d, d2))| {
            (spread.shift, spread.sum, spread.sum_sq) = (shift, d, d2);
            spread.until_anchor = n;
            let mut sums = [0.0, d, d2];
            if let (Some(mean), Some(sum)) = (&mut mean, mean_sum) {
                (mean.sum, mean.until_anchor) = (sum, n);
                sums[0] = sum;
            }
            sums
        });
        // A stretch's odd last bar goes with the anchor's bar after it, as a pair.
        match (single, anchored) {
            (Some(a), Some(b)) => finish(t, 2, [a, b]),
            (Some(a), None) | (None, Some(a)) => finish(t, 1, [a; 2]),
            (None, None) => {}
        }
        t += usize::from(single.is_some()) + usize::from(anchored.is_some());
    }
}

/// For two bars entering (`new`) and leaving (`old`) the window, shifted by `shift`: the
/// changes `dold - dn` and `dn^2 - dold^2` of the sums, each as one vector operation (the
/// same IEEE operations as two scalar ones, so the same bits) where the compiler leaves them
/// scalar: the adders, busy with the sums' chains, are what bounds the loop.
#[inline(always)]
fn changes2(new: [f64; 2], old: [f64; 2], shift: f64) -> ([f64; 2], [f64; 2]) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::*;
        let (mut c, mut q) = ([0.0; 2], [0.0; 2]);
        // SAFETY: SSE2 is part of every x86-64 CPU; `c` and `q` hold the two values stored.
        unsafe {
            let s = _mm_set1_pd(shift);
            let dn = _mm_sub_pd(_mm_set_pd(new[1], new[0]), s);
            let dold = _mm_sub_pd(_mm_set_pd(old[1], old[0]), s);
            _mm_storeu_pd(c.as_mut_ptr(), _mm_sub_pd(dold, dn));
            let sq = _mm_sub_pd(_mm_mul_pd(dn, dn), _mm_mul_pd(dold, dold));
            _mm_storeu_pd(q.as_mut_ptr(), sq);
        }
        (c, q)
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let s = f64x2_splat(shift);
        let dn = f64x2_sub(f64x2(new[0], new[1]), s);
        let dold = f64x2_sub(f64x2(old[0], old[1]), s);
        let c = f64x2_sub(dold, dn);
        let q = f64x2_sub(f64x2_mul(dn, dn), f64x2_mul(dold, dold));
        let lanes = |v| [f64x2_extract_lane::<0>(v), f64x2_extract_lane::<1>(v)];
        (lanes(c), lanes(q))
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    {
        let dn = [new[0] - shift, new[1] - shift];
        let dold = [old[0] - shift, old[1] - shift];
        (
            [dold[0] - dn[0], dold[1] - dn[1]],
            [
                dn[0] * dn[0] - dold[0] * dold[0],
                dn[1] * dn[1] - dold[1] * dold[1],
            ],
        )
    }
}

/// `variance` for two bars, its division once for both.
#[inline(always)]
fn variances(sum: [f64; 2], sum_sq: [f64; 2], n: f64) -> [f64; 2] {
    let numerators = [0, 1].map(|k| n * sum_sq[k] - sum[k] * sum[k]);
    divide2(numerators, [n * n; 2]).map(|v| if v > 0.0 { v } else { 0.0 })
}

/// Whether each window ending at a bar of `values` is flat (as `EqualRun` tells), into
/// `flat`; returns whether any is (if none, `flat` is left as it was).
#[inline(always)]
fn flats(run: &mut EqualRun, values: &[f64], n: usize, flat: &mut [bool]) -> bool {
    if run.push_moving(values, n) {
        return false;
    }
    // A copy of the run, so it stays in registers.
    let mut copy = run.clone();
    let mut any = false;
    for (f, &v) in flat.iter_mut().zip(values) {
        *f = copy.push(v) >= n;
        any |= *f;
    }
    *run = copy;
    any
}

/// Batch STDDEV of `x`: `k` times the population standard deviation of the last `n` values.
pub fn stddev(x: &[f64], n: i64, k: f64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("stddev", &[("x", x)], &[out])?;
    let mut s = Stddev::checked(n, k, len)?;
    let (n, k) = (s.spread.n, s.k);
    let nf = n as f64;
    let mut flat = [false; BLOCK];
    windowed([x], [out], n, BLOCK, &mut s, |s, bars, [out]| {
        let flat = &mut flat[..bars.len()];
        let any_flat = flats(&mut s.run, &x[bars.clone()], n, flat);
        slide(None, &mut s.spread, x, bars, |t, count, sums| {
            let variance = variances(sums.map(|s| s[1]), sums.map(|s| s[2]), nf);
            let [d0, d1] = sqrt2(variance);
            for (j, sd) in [d0, d1].into_iter().take(count).enumerate() {
                out[t + j] = k * sd;
            }
        });
        // Flat windows (rare) get their zero after, off the loop above.
        if any_flat {
            for (o, _) in out.iter_mut().zip(&*flat).filter(|(_, &f)| f) {
                *o = 0.0;
            }
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
        let n = self.spread.n as f64;
        bands(self.mean.sum, n, self.k_up, self.k_down, variance, flat)
    }
}

/// The bands around the mean `sum / n`, `k` standard deviations away (0 for a flat window).
#[inline(always)]
fn bands(sum: f64, n: f64, k_up: f64, k_down: f64, variance: f64, flat: bool) -> (f64, f64, f64) {
    let middle = sum / n;
    let sd = if flat { 0.0 } else { variance.sqrt() };
    (middle + k_up * sd, middle, middle - k_down * sd)
}

/// `k` standard deviations (0 for a flat window).
#[inline(always)]
fn deviation(k: f64, variance: f64, flat: bool) -> f64 {
    if flat {
        0.0
    } else {
        k * variance.sqrt()
    }
}

/// The population variance of `n` values from the sums of the values and of their squares,
/// both shifted by the same value (0 if rounding makes it negative): `(n * sum_sq - sum^2) /
/// n^2`, one division (the slowest operation here) where `sum_sq / n - (sum / n)^2` takes two.
#[inline(always)]
fn variance(sum: f64, sum_sq: f64, n: f64) -> f64 {
    let v = (n * sum_sq - sum * sum) / (n * n);
    if v > 0.0 {
        v
    } else {
        0.0
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
        deviation(self.k, variance, flat)
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
        variance(self.sum, self.sum_sq, self.n as f64)
    }
}

/// The window's newest value and the sums of the values and of their squares shifted by it.
/// Out of line (it runs once per window) and pure, so the sliding sums stay in registers.
#[inline(never)]
fn shifted_sums(window: &[f64]) -> (f64, f64, f64) {
    let shift = window[window.len() - 1];
    let (mut sum, mut sum_sq) = ([0.0f64; 4], [0.0f64; 4]);
    let mut chunks = window.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            let d = c[k] - shift;
            sum[k] += d;
            sum_sq[k] += d * d;
        }
    }
    for (k, &v) in chunks.remainder().iter().enumerate() {
        let d = v - shift;
        sum[k] += d;
        sum_sq[k] += d * d;
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
