//! Shared machinery for rolling-window sums.
//!
//! A running sum (`sum += new - old`) is fast but drifts: rounding errors pile up over
//! millions of bars and dominate once prices fall by orders of magnitude. So every `n` bars the
//! sum is re-anchored on an exact re-summation of the window, which bounds the error to that of
//! summing one window directly. The re-summation has four independent accumulators, so it runs
//! alongside the sliding loop's dependency chain almost for free.
//!
//! Non-finite values (NaN, +-inf) are not added; they are counted as `missing` instead, so a
//! window holding one can be reported as NaN and recovers once it has slid out.

/// Sum of the finite values of `window` and the number of non-finite ones.
pub fn window_sum(window: &[f64]) -> (f64, usize) {
    let mut acc = [0.0f64; 4];
    let mut missing = 0usize;
    let mut chunks = window.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            let v = c[k];
            let finite = v.is_finite();
            acc[k] += if finite { v } else { 0.0 };
            missing += usize::from(!finite);
        }
    }
    for (k, &v) in chunks.remainder().iter().enumerate() {
        let finite = v.is_finite();
        acc[k] += if finite { v } else { 0.0 };
        missing += usize::from(!finite);
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3]), missing)
}

/// A window sum that slides one value at a time and re-anchors itself every `n` values.
/// Batch kernels and streaming states both drive it, in the same order, so they agree bit for bit.
#[derive(Debug, Clone)]
pub struct SlidingSum {
    n: usize,
    until_anchor: usize,
    pub sum: f64,
    pub missing: usize,
}

impl SlidingSum {
    pub fn new(n: usize) -> Self {
        SlidingSum { n, until_anchor: n, sum: 0.0, missing: 0 }
    }

    /// Takes the next value; `old` is the value leaving the window (None while it fills).
    /// `window` gives the `n` latest values, oldest first, and is only called every `n` values.
    #[inline(always)]
    pub fn push<'a>(&mut self, new: f64, old: Option<f64>, window: impl FnOnce() -> &'a [f64]) {
        if let Some(old) = old {
            match (new.is_finite(), old.is_finite()) {
                (true, true) => self.sum += new - old,
                (true, false) => {
                    self.sum += new;
                    self.missing -= 1;
                }
                (false, true) => {
                    self.sum -= old;
                    self.missing += 1;
                }
                (false, false) => {}
            }
        }
        self.until_anchor -= 1;
        if self.until_anchor == 0 {
            (self.sum, self.missing) = window_sum(window());
            self.until_anchor = self.n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_finite_values_and_counts_the_rest() {
        assert_eq!(window_sum(&[]), (0.0, 0));
        assert_eq!(window_sum(&[1.0, 2.0, 3.0, 4.0, 5.0]), (15.0, 0));
        assert_eq!(window_sum(&[1.0, f64::NAN, 3.0, f64::NEG_INFINITY, 5.0, 6.0]), (15.0, 2));
    }
}
