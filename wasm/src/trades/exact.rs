//! Exact decimal sums of floats, as an exchange sums the decimal quantities it was sent.
//!
//! An exchange's volume is the decimal sum of its trades' quantities, printed as a decimal and
//! read back by ccxt as the nearest float. Adding the floats instead can land one float off
//! (0.1 + 0.2 is 0.30000000000000004, the exchange says 0.3). So each float is read as its
//! shortest decimal (what the exchange sent, for numbers of up to 15 significant digits),
//! summed exactly in a `u128` coefficient, and rounded to a float once, when read.

use crate::orders::decimal::{pow10, Dec};

/// A running sum `coef * 10^exp`. Exact while the coefficient fits 38 digits (any exchange's
/// quantities and prices); beyond that, the finest digits are rounded (half up) to make room.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecimalSum {
    coef: u128,
    exp: i32,
}

impl DecimalSum {
    pub const ZERO: DecimalSum = DecimalSum { coef: 0, exp: 0 };

    pub fn add(&mut self, d: Dec) {
        if d.coef == 0 {
            return;
        }
        if self.coef == 0 {
            *self = DecimalSum {
                coef: d.coef,
                exp: d.exp,
            };
            return;
        }
        let mut at = self.exp.min(d.exp);
        loop {
            let sum = scaled(self.coef, self.exp, at)
                .zip(scaled(d.coef, d.exp, at))
                .and_then(|(a, b)| a.checked_add(b));
            if let Some(coef) = sum {
                *self = DecimalSum { coef, exp: at };
                return;
            }
            at += 1;
        }
    }

    /// The sum as the nearest float.
    pub fn value(&self) -> f64 {
        Dec::new(self.coef, self.exp).to_f64()
    }
}

/// `coef * 10^exp` as a coefficient of `10^at` (rounded half up when `at > exp`), or None if
/// it does not fit.
fn scaled(coef: u128, exp: i32, at: i32) -> Option<u128> {
    if exp >= at {
        return pow10((exp - at) as i64).and_then(|p| coef.checked_mul(p));
    }
    let r = Dec { coef, exp }.round_at(at, crate::orders::decimal::Mode::HalfUp);
    if r.coef == 0 {
        return Some(0);
    }
    pow10((r.exp - at) as i64).and_then(|p| r.coef.checked_mul(p))
}

/// The exact product of two decimals: coefficients of at most 17 digits (a float's shortest
/// form) multiply to at most 34, which a `u128` holds.
pub fn product(a: Dec, b: Dec) -> Dec {
    Dec {
        coef: a.coef * b.coef,
        exp: a.exp + b.exp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(xs: &[f64]) -> f64 {
        let mut s = DecimalSum::ZERO;
        for &x in xs {
            s.add(Dec::from_f64(x));
        }
        s.value()
    }

    #[test]
    fn sums_the_decimals_not_the_floats() {
        assert_eq!(0.1 + 0.2, 0.30000000000000004);
        assert_eq!(sum(&[0.1, 0.2]), 0.3);
        assert_eq!(sum(&[0.001; 1000]), 1.0);
        assert_eq!(sum(&[1e-8, 12345.6789, 0.00000001]), 12345.67890002);
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[0.0, 2.5]), 2.5);
    }

    #[test]
    fn products_are_exact() {
        let p = product(Dec::from_f64(43210.99), Dec::from_f64(0.00123));
        assert_eq!(p.to_f64(), 53.1495177);
        let mut s = DecimalSum::ZERO;
        s.add(p);
        s.add(product(Dec::from_f64(0.1), Dec::from_f64(3.0)));
        assert_eq!(s.value(), 53.4495177);
    }

    #[test]
    fn rounds_only_beyond_38_digits() {
        let mut s = DecimalSum::ZERO;
        s.add(Dec::from_f64(1e30));
        s.add(Dec::from_f64(1e-20)); // 51 digits apart: the small one rounds away
        assert_eq!(s.value(), 1e30);
        s.add(Dec::from_f64(1e30));
        assert_eq!(s.value(), 2e30);
        let mut t = DecimalSum::ZERO;
        t.add(Dec::from_f64(1e-20));
        t.add(Dec::from_f64(0.5e-20));
        assert_eq!(t.value(), 1.5e-20);
    }
}
