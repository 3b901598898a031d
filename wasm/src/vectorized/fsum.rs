//! Exact sums: the correctly rounded sum of floats, as Python's `math.fsum` gives it (the
//! statistics use it, so the kernel's measures are the same bits as `stats.measure`'s).
//!
//! Shewchuk's algorithm as CPython's `math_fsum` runs it: non-overlapping partials hold the
//! exact running sum; the total rounds them half-even. Any correctly rounded sum is the same
//! number, so only the rounding at the end has to follow CPython exactly. Non-finite values
//! give NaN or the infinity (Python raises for -inf + inf; the measures never see either).

#[derive(Clone, Debug, Default)]
pub struct Fsum {
    partials: Vec<f64>,
    special: f64,
}

impl Fsum {
    pub fn new() -> Fsum {
        Fsum::default()
    }

    pub fn clear(&mut self) {
        self.partials.clear();
        self.special = 0.0;
    }

    #[inline]
    pub fn add(&mut self, value: f64) {
        let mut x = value;
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                self.special += value;
                self.partials.clear();
            } else {
                self.partials.push(x);
            }
        }
    }

    pub fn total(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Half-even rounding across partials (sum([1e-16, 1, 1e16]) rounds up to ...02).
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

/// The exact sum of `values`, correctly rounded.
pub fn fsum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut s = Fsum::new();
    for v in values {
        s.add(v);
    }
    s.total()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_exactly() {
        assert_eq!(fsum([0.1; 10]), 1.0);
        assert_eq!(fsum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]), 1e-100);
        assert_eq!(fsum([1e-16, 1.0, 1e16]), 10000000000000002.0); // half-even across partials
        assert_eq!(fsum([]), 0.0);
        assert_eq!(fsum([-0.0]).to_bits(), 0.0f64.to_bits()); // as Python: -0.0 is not kept
        assert_eq!(fsum([2.0f64.powi(53), 1.0, 1.0]), 2.0f64.powi(53) + 2.0);
    }

    #[test]
    fn non_finite_values() {
        assert_eq!(fsum([1.0, f64::INFINITY]), f64::INFINITY);
        assert!(fsum([f64::NAN, 1.0]).is_nan());
    }

    #[test]
    fn agrees_with_a_long_exact_sum() {
        // Integers scaled by a power of two: every partial sum is exact in f64.
        let values: Vec<f64> = (0..10_000).map(|k| ((k * 7919 % 10_007) as f64 - 5003.0) / 1024.0).collect();
        let exact = values.iter().sum::<f64>();
        assert_eq!(fsum(values.iter().copied()), exact);
    }
}
