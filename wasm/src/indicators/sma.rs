//! Simple moving average: the arithmetic mean of the last `n` values.
//!
//! Warm-up follows TA-Lib: the first `n - 1` outputs are NaN. A window that holds a NaN or an
//! infinity gives NaN, and the average recovers once that value has left the window (TA-Lib's
//! running sum would stay NaN for the rest of the series). The window sum slides and re-anchors
//! every `n` values (see `rolling`), so it does not drift over long series.
//!
//! The streaming [`Sma`] performs the very same operations in the same order, so both forms
//! agree to the last bit.

use super::rolling::SlidingSum;
use crate::params;
use crate::KernelError;

/// Batch SMA of `x` with window `n` into `out` (same length as `x`).
pub fn sma(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    params::same_length("sma", "out", out.len(), x.len())?;
    let n = params::period("sma", "n", n, x.len())?;
    let mut sum = SlidingSum::new(n);
    for i in 0..x.len() {
        let old = if i >= n { Some(x[i - n]) } else { None };
        sum.push(x[i], old, || &x[i + 1 - n..=i]);
        out[i] = if i + 1 >= n { average(&sum, n) } else { f64::NAN };
    }
    Ok(())
}

/// Streaming SMA: feed one value at a time; `update` returns what `sma` gives at that index.
#[derive(Debug, Clone)]
pub struct Sma {
    n: usize,
    window: Vec<f64>,
    seen: usize,
    sum: SlidingSum,
}

impl Sma {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        let n = params::period("sma", "n", n, usize::MAX)?;
        Ok(Sma { n, window: Vec::with_capacity(n), seen: 0, sum: SlidingSum::new(n) })
    }

    pub fn update(&mut self, value: f64) -> f64 {
        let n = self.n;
        let slot = self.seen % n;
        let old = if self.seen >= n {
            Some(std::mem::replace(&mut self.window[slot], value))
        } else {
            self.window.push(value);
            None
        };
        self.seen += 1;
        // Re-anchoring happens when seen % n == 0, exactly when the ring is in time order.
        let window = &self.window;
        self.sum.push(value, old, || window);
        if self.seen >= n {
            average(&self.sum, n)
        } else {
            f64::NAN
        }
    }
}

#[inline(always)]
fn average(sum: &SlidingSum, n: usize) -> f64 {
    if sum.missing == 0 {
        sum.sum / n as f64
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(x: &[f64], n: i64) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        sma(x, n, &mut out).unwrap();
        out
    }

    fn same_bits(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits())
    }

    #[test]
    fn averages_with_warm_up() {
        let out = batch(&[1.0, 2.0, 3.0, 4.0, 5.0], 3);
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(&out[2..], &[2.0, 3.0, 4.0]);
    }

    #[test]
    fn n_of_one_is_identity_and_n_of_len_is_one_mean() {
        let x = [3.5, -1.25, 8.0];
        assert_eq!(batch(&x, 1), x.to_vec());
        let out = batch(&x, 3);
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(out[2], (3.5 - 1.25 + 8.0) / 3.0);
    }

    #[test]
    fn nan_poisons_only_its_windows() {
        let out = batch(&[1.0, f64::NAN, 3.0, 4.0, 5.0, 6.0], 2);
        let nan: Vec<bool> = out.iter().map(|v| v.is_nan()).collect();
        assert_eq!(nan, [true, true, true, false, false, false]);
        assert_eq!(&out[3..], &[3.5, 4.5, 5.5]);
        let inf = batch(&[1.0, f64::INFINITY, 3.0, 5.0], 2);
        assert!(inf[1].is_nan() && inf[2].is_nan());
        assert_eq!(inf[3], 4.0);
    }

    #[test]
    fn does_not_drift_when_prices_collapse() {
        // From 1e6 down to ~1e-6 over 100k bars: a plain running sum keeps an absolute error
        // of the old magnitudes and ends up wrong by orders of magnitude.
        let x: Vec<f64> = (0..100_000).map(|i| 1e6 * 0.99972_f64.powi(i) * (1.0 + 0.01 * ((i % 7) as f64))).collect();
        let n = 30;
        let out = batch(&x, n as i64);
        for i in [99_999usize, 77_777, 50_001] {
            let direct: f64 = x[i + 1 - n..=i].iter().sum::<f64>() / n as f64;
            assert!(((out[i] - direct) / direct).abs() < 1e-12, "i={i} {} vs {direct}", out[i]);
        }
    }

    #[test]
    fn rejects_bad_arguments() {
        let mut out = [0.0; 3];
        assert!(sma(&[1.0, 2.0, 3.0], 0, &mut out).is_err());
        assert!(sma(&[1.0, 2.0, 3.0], 4, &mut out).is_err());
        assert!(sma(&[1.0, 2.0, 3.0], -1, &mut out).is_err());
        assert!(sma(&[], 1, &mut []).is_err());
        let mut short = [0.0; 2];
        assert!(sma(&[1.0, 2.0, 3.0], 2, &mut short).is_err());
        assert!(Sma::new(0).is_err());
    }

    #[test]
    fn streaming_is_bit_identical_to_batch() {
        // A small deterministic generator (xorshift) so the test needs no crates.
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for _ in 0..300 {
            let len = 1 + (rnd() % 500) as usize;
            let x: Vec<f64> = (0..len)
                .map(|_| match rnd() % 50 {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    _ => 100.0 + (rnd() % 1_000_000) as f64 / 997.0,
                })
                .collect();
            let n = 1 + (rnd() % len as u64) as i64;
            let mut state = Sma::new(n).unwrap();
            let streamed: Vec<f64> = x.iter().map(|&v| state.update(v)).collect();
            assert!(same_bits(&batch(&x, n), &streamed), "n={n} x={x:?}");
        }
    }
}
