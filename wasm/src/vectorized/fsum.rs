//! Exact sums: the correctly rounded sum of floats, as Python's `math.fsum` gives it (the
//! statistics use it, so the kernel's measures are the same bits as `stats.measure`'s).
//!
//! Every finite float is an integer times 2^-1074, so the sum is kept exactly as an integer in
//! 32-bit digits (held in i64, which absorb 2^30 additions before carrying): adding a value
//! adds its 53-bit mantissa, shifted, to three digits — no branch on the data, unlike
//! Shewchuk's partials, which CPython uses. The total is rounded once, half to even: any
//! correctly rounded sum is the same number, so it equals `math.fsum` whenever that does not
//! overflow. Non-finite values give NaN or the infinity (Python raises for -inf + inf).

/// Digits of 32 bits from 2^-1074 up: a float's mantissa lands at most at bit 2045 + 84, and
/// the top digits leave room for carries.
const DIGITS: usize = 68;
const CARRY_EVERY: u32 = 1 << 30;

#[derive(Clone, Debug)]
pub struct Fsum {
    digits: [i64; DIGITS],
    pending: u32,
    special: f64,
}

impl Default for Fsum {
    fn default() -> Fsum {
        Fsum { digits: [0; DIGITS], pending: 0, special: 0.0 }
    }
}

impl Fsum {
    pub fn new() -> Fsum {
        Fsum::default()
    }

    pub fn clear(&mut self) {
        *self = Fsum::default();
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as usize;
        let fraction = bits & ((1 << 52) - 1);
        // x = mantissa * 2^(pos - 1074); subnormals (and zeros) have biased exponent 0.
        let (mantissa, pos) = if biased == 0 { (fraction, 0) } else { (fraction | (1 << 52), biased - 1) };
        // The mantissa shifted into place spans three digits; 64-bit operations only (WASM has
        // no 128-bit ones): the bits shifted out of the low word are mantissa >> (64 - shift).
        let shift = (pos % 32) as u32;
        let low = mantissa << shift;
        let high = (mantissa >> 1) >> (63 - shift);
        // Negated without a branch when x < 0 (the signs of returns are unpredictable).
        let sign = -((bits >> 63) as i64);
        let signed = |part: u64| (part as i64 ^ sign) - sign;
        let d = &mut self.digits[pos / 32..pos / 32 + 3];
        d[0] += signed(low & 0xffff_ffff);
        d[1] += signed(low >> 32);
        d[2] += signed(high);
        self.pending += 1;
        if self.pending == CARRY_EVERY {
            carry(&mut self.digits);
            self.pending = 0;
        }
    }

    /// The sum, correctly rounded (half to even).
    pub fn total(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let mut d = self.digits;
        carry(&mut d);
        let negative = d[DIGITS - 1] < 0;
        if negative {
            d.iter_mut().for_each(|x| *x = -*x);
            carry(&mut d);
        }
        let Some(h) = d.iter().rposition(|&x| x != 0) else { return 0.0 };
        let digit = |k: usize| if k < DIGITS { d[k] as u128 } else { 0 };
        let below = |k: usize| d[..k].iter().any(|&x| x != 0);
        // The top three digits as one window; its lowest bit is bit `base` of the sum.
        let (window, base, sticky) = if h >= 2 {
            ((digit(h) << 64) | (digit(h - 1) << 32) | digit(h - 2), 32 * h as i64 - 64, below(h - 2))
        } else {
            ((digit(1) << 32) | digit(0), 0, false)
        };
        let width = 128 - window.leading_zeros() as i64;
        let magnitude = if width <= 53 {
            // Exact, and below 2^-1021 (base is 0 here): as bits, the integer itself is that
            // subnormal, or the normal number of biased exponent 1.
            window as u64
        } else {
            let drop = width - 53;
            let mut q = (window >> drop) as u64;
            let rest = window & ((1u128 << drop) - 1);
            let half = 1u128 << (drop - 1);
            if rest > half || (rest == half && (sticky || q & 1 == 1)) {
                q += 1;
            }
            let mut exponent = base + drop + 1; // q * 2^(base + drop - 1074), q in [2^52, 2^53]
            if q == 1 << 53 {
                q >>= 1;
                exponent += 1;
            }
            if exponent >= 2047 {
                0x7ff << 52 // overflow: infinity (Python raises OverflowError)
            } else {
                ((exponent as u64) << 52) | (q - (1 << 52))
            }
        };
        f64::from_bits(magnitude | ((negative as u64) << 63))
    }
}

/// Carries so every digit but the top one is in [0, 2^32); the top digit holds the sign.
fn carry(d: &mut [i64; DIGITS]) {
    for k in 0..DIGITS - 1 {
        let c = d[k] >> 32;
        d[k] -= c << 32;
        d[k + 1] += c;
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

    /// CPython's math_fsum (Shewchuk's partials, half-even at the end), as the oracle.
    fn msum(values: &[f64]) -> f64 {
        let mut p: Vec<f64> = Vec::new();
        for &v in values {
            let mut x = v;
            let mut i = 0;
            for j in 0..p.len() {
                let mut y = p[j];
                if x.abs() < y.abs() {
                    std::mem::swap(&mut x, &mut y);
                }
                let hi = x + y;
                let lo = y - (hi - x);
                if lo != 0.0 {
                    p[i] = lo;
                    i += 1;
                }
                x = hi;
            }
            p.truncate(i);
            if x != 0.0 {
                p.push(x);
            }
        }
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let (mut hi, mut lo) = (p[n], 0.0);
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }

    #[test]
    fn sums_exactly() {
        assert_eq!(fsum([0.1; 10]), 1.0);
        assert_eq!(fsum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]), 1e-100);
        assert_eq!(fsum([1e-16, 1.0, 1e16]), 10000000000000002.0); // half-even across partials
        assert_eq!(fsum([]).to_bits(), 0.0f64.to_bits());
        assert_eq!(fsum([-0.0]).to_bits(), 0.0f64.to_bits()); // as Python: -0.0 is not kept
        assert_eq!(fsum([1.0, -1.0]).to_bits(), 0.0f64.to_bits());
        assert_eq!(fsum([2.0f64.powi(53), 1.0, 1.0]), 2.0f64.powi(53) + 2.0);
        assert_eq!(fsum([2.0f64.powi(53), 1.0]), 2.0f64.powi(53)); // a tie rounds to even
        assert_eq!(fsum([2.0f64.powi(53), 1.0, 1e-300]), 2.0f64.powi(53) + 2.0); // just past the tie
        assert_eq!(fsum([-2.5e-320, 5e-324]), -2.5e-320 + 5e-324); // subnormals
        assert_eq!(fsum([f64::MAX, -f64::MAX, 3.5]), 3.5);
        assert_eq!(fsum([-1e308, -1e308]), f64::NEG_INFINITY);
    }

    #[test]
    fn non_finite_values() {
        assert_eq!(fsum([1.0, f64::INFINITY]), f64::INFINITY);
        assert!(fsum([f64::NAN, 1.0]).is_nan());
    }

    #[test]
    fn agrees_with_cpythons_algorithm() {
        let mut s: u64 = 7;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s
        };
        for case in 0..300 {
            let len = 1 + (next() % 200) as usize;
            let values: Vec<f64> = (0..len)
                .map(|_| {
                    let r = next();
                    let mantissa = (r >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                    let spread = [4, 60, 600, 2000][case % 4];
                    mantissa * 2f64.powi((next() % spread) as i32 - spread as i32 / 2)
                })
                .collect();
            assert_eq!(fsum(values.iter().copied()).to_bits(), msum(&values).to_bits(), "case {case}: {values:?}");
        }
    }
}
