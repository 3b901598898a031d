//! ccxt's rounding on a grid of `step * 10^-places`, straight from a float's binary value.
//!
//! ccxt rounds the float's shortest decimal R, not the float itself. Printing R is most of the
//! cost of a validation, and is rarely needed: rounding to a grid only changes at grid points
//! and half-way points, so R and the float give the same answer unless one of those points
//! lies within the float's rounding interval (the numbers that read back as the float). When
//! one does and it has at most 15 significant digits, it *is* R: no other decimal that short
//! fits in an interval that narrow. Both cases are decided exactly in integers here; anything
//! else (huge, tiny, more than 22 places) returns None and goes through the printed digits.

use std::cmp::Ordering;
use std::sync::OnceLock;

use super::decimal::{Dec, Mode};

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `x` (finite, > 0) rounded as ccxt rounds its shortest decimal, on the grid of multiples of
/// `step * 10^-places`: the exact result and its float, or None when this path does not apply.
pub fn round(x: f64, step: u64, places: u32, mode: Mode) -> Option<(Dec, f64)> {
    let bits = x.to_bits();
    let biased = (bits >> 52) as i32 & 0x7ff;
    // Grid and half-way points near x are then below 5e13 * 10^-places: at most 15 digits.
    // Normal floats only; steps below 10^13 keep the integers below within 128 bits.
    if places > 22 || step >= 10_000_000_000_000 || biased == 0 || x * POW10[places as usize] >= 5e13 {
        return None;
    }
    let m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52); // x = m * 2^e2
    let e2 = biased - 1075;
    // In units of half a step: X = 2x * 10^places / step = n / d, everything times 4 so
    // that the rounding interval's half-widths are integers too.
    let five = 5u128.pow(places);
    let shift = e2 + 1 + places as i32;
    let (n, d) = if shift >= 0 {
        ((4 * m as u128 * five) << shift, 4 * step as u128)
    } else if shift >= -64 {
        (4 * m as u128 * five, (4 * step as u128) << -shift)
    } else {
        return None; // far below half a step: rare enough for the slow path
    };
    let (j0, r) = (n / d, n % d); // X lies in [j0, j0 + 1)
    // The float's rounding interval: half an ulp up, in these units 2 * 5^places, and down
    // (a quarter ulp above a power of two), ends included when the mantissa is even (IEEE).
    let up = 2 * five;
    let down = if m == 1 << 52 && biased > 1 { five } else { up };
    let within = |dist: u128, half: u128| dist < half || (dist == half && m.is_multiple_of(2));
    // R is the point j0 + 1 or j0 when the interval holds it, else strictly between the two.
    let (j, exact) = if within(d - r, up) { (j0 + 1, true) } else { (j0, within(r, down)) };
    let k = match mode {
        Mode::Floor => j >> 1,
        Mode::HalfUp => (j + 1) >> 1,
        Mode::HalfDown if exact => j >> 1,
        Mode::HalfDown => (j + 1) >> 1, // strictly inside: no tie
    };
    let coef = k as u64 * step; // <= 10^14, so the division below rounds correctly
    let value = coef as f64 / POW10[places as usize];
    Some((Dec::new(coef as u128, -(places as i32)), value))
}

/// The exponent of R's leading digit, `floor(log10(R))`, for a normal float `x` > 0 between
/// 1e-22 and 1e22. It is `x`'s own unless R is the power of ten just above `x` (the grid then
/// finds R exactly, whichever of the two is used).
pub fn leading_exponent(x: f64) -> Option<i32> {
    if !(1e-22..1e22).contains(&x) {
        return None;
    }
    // x is in [2^e, 2^(e+1)), so floor(log10(x)) is floor(e * log10(2)) or one more.
    let e = ((x.to_bits() >> 52) as i32 & 0x7ff) - 1023;
    let a = (e * 78_913) >> 18; // floor(e * log10(2)) for |e| < 2^10
    Some(a + (x >= powers_of_ten()[(a + 1 + 23) as usize]) as i32)
}

/// For -23 <= a <= 22, the smallest float at or above 10^a: `x >= table[a + 23]` exactly when
/// x >= 10^a.
fn powers_of_ten() -> &'static [f64; 46] {
    static TABLE: OnceLock<[f64; 46]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0.0; 46];
        for (i, t) in table.iter_mut().enumerate() {
            let a = i as i32 - 23;
            let mut v = 10f64.powi(a);
            while cmp_pow10(v, a) == Ordering::Less {
                v = f64::from_bits(v.to_bits() + 1);
            }
            while cmp_pow10(f64::from_bits(v.to_bits() - 1), a) != Ordering::Less {
                v = f64::from_bits(v.to_bits() - 1);
            }
            *t = v;
        }
        table
    })
}

/// `x` against `10^a` exactly, for -23 <= a <= 22.
fn cmp_pow10(x: f64, a: i32) -> Ordering {
    if a >= 0 {
        return x.partial_cmp(&POW10[a as usize]).unwrap_or(Ordering::Less);
    }
    // x * 10^-a = m * 5^-a * 2^(e2 - a) against 1, i.e. m * 5^-a against 2^(a - e2).
    let bits = x.to_bits();
    let m = ((bits & ((1u64 << 52) - 1)) | (1u64 << 52)) as u128;
    let e2 = ((bits >> 52) as i32 & 0x7ff) - 1075;
    match a - e2 {
        s if s < 0 => Ordering::Greater,
        s if s >= 127 => Ordering::Less,
        s => (m * 5u128.pow(a.unsigned_abs())).cmp(&(1u128 << s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::precision::{Precision, Rounding};

    /// The printed-digits path (what ccxt does) against `round_float`, which takes this
    /// path whenever it applies.
    fn check(x: f64, p: &Precision) -> bool {
        let mut applied = false;
        for rounding in [Rounding::Truncate, Rounding::Round] {
            let dec = Dec::from_f64(x);
            let Ok(v) = p.round(dec, rounding) else { continue };
            let want = if v == dec { x } else { v.to_f64() };
            let got = p.round_float(x, rounding).unwrap();
            assert_eq!((got.0, got.1.to_bits()), (v, want.to_bits()), "x={x:e} {p:?} {rounding:?}");
            applied |= p.uses_grid(x);
        }
        applied
    }

    fn next_up(x: f64) -> f64 {
        f64::from_bits(x.to_bits() + 1)
    }

    fn next_down(x: f64) -> f64 {
        f64::from_bits(x.to_bits() - 1)
    }

    fn xorshift(mut s: u64) -> impl FnMut() -> u64 {
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    #[test]
    fn agrees_with_the_printed_digits_on_and_around_grid_points() {
        let mut rnd = xorshift(0x2545_F491_4F6C_DD1D);
        let mut applied = 0;
        for _ in 0..1500 {
            // A grid `step * 10^-places`: decimal places, ticks, significant digits.
            let step = match rnd() % 10 {
                0 => rnd() % 10u64.pow(1 + (rnd() % 13) as u32) + 1, // any digits, up to 13
                i => [1, 1, 1, 5, 25, 2, 125, 3, 7][(i - 1) as usize] * 10u64.pow((rnd() % 3) as u32),
            };
            let places = (rnd() % 23) as u32;
            let unit = 10f64.powi(places as i32);
            let p = match rnd() % 4 {
                0 => Precision::significant_digits(1 + (rnd() % 17) as i32),
                1 => Precision::decimal_places(places as i32),
                _ => Precision::tick_size(step as f64 / unit),
            };
            for _ in 0..25 {
                let k = rnd() % 10u64.pow(1 + (rnd() % 12) as u32);
                let on = (k as f64 * step as f64) / unit;
                let half = ((2 * k + 1) as f64 * step as f64) / (2.0 * unit);
                let any = f64::from_bits(0x3C00_0000_0000_0000 + rnd() % 0x0730_0000_0000_0000); // 2^-63..2^52
                for x in [on, half, any, on * 1.000_000_1, half * 0.999_999_9] {
                    if x > 0.0 && x.is_finite() {
                        for y in [x, next_up(x), next_down(x), next_up(next_up(x)), next_down(next_down(x))] {
                            applied += check(y, &p) as usize;
                        }
                    }
                }
            }
        }
        assert!(applied > 60_000, "the fast path applied only {applied} times");
    }

    #[test]
    fn powers_of_two_ten_and_classic_cases() {
        let precisions = [
            Precision::decimal_places(2),
            Precision::tick_size(0.5),
            Precision::significant_digits(3),
            Precision::significant_digits(1),
        ];
        for x in [1.005, 0.125, 0.375, 2.675, 1.0, 0.5, 0.25, 1e-2, 4.35, 0.1 + 0.2, 1e11, 1024.0, 0.0078125, 25.0, 35.0] {
            for p in &precisions {
                check(x, p);
            }
        }
        for mut x in [1e-10, 1e-21, 3e-22] {
            while x < 1e13 {
                for y in [x, next_up(x), next_down(x)] {
                    for p in &precisions {
                        check(y, p);
                    }
                }
                x *= 2.0;
            }
        }
        for a in -22..22 {
            let ten = 10f64.powi(a);
            for y in [ten, next_up(ten), next_down(ten)] {
                for p in &precisions {
                    check(y, p);
                }
            }
        }
        let d2 = Mode::HalfUp;
        assert_eq!(round(1.005, 1, 2, d2).unwrap().1, 1.01); // R is 1.005, not the float below it
        assert_eq!(round(0.3, 1, 1, Mode::Floor).unwrap().1, 0.3);
        assert_eq!(round(25.0, 10, 0, Mode::HalfDown).unwrap().1, 20.0);
        assert_eq!(round(1e14, 1, 2, d2), None);
        assert_eq!(round(5e-324, 1, 2, d2), None);
        assert_eq!(round(1.0, 12_345_678_901_234_567, 17, d2), None); // a 17-digit step
    }

    #[test]
    fn leading_exponent_is_exact() {
        assert_eq!(leading_exponent(1.0), Some(0));
        assert_eq!(leading_exponent(next_down(1.0)), Some(-1));
        assert_eq!(leading_exponent(999.9999999999999), Some(2));
        assert_eq!(leading_exponent(1e-5), Some(-5)); // the float is above 10^-5
        assert_eq!(leading_exponent(1e-6), Some(-7)); // the float is below 10^-6 (R is 1e-06)
        assert_eq!(leading_exponent(1e22), None);
        let mut rnd = xorshift(7);
        for _ in 0..100_000 {
            let x = f64::from_bits(0x3B80_0000_0000_0000 + rnd() % 0x0940_0000_0000_0000); // ~1e-22..1e22
            if let Some(a) = leading_exponent(x) {
                assert_eq!(a, Dec::from_f64(x).adjusted() - (Dec::from_f64(x).coef == 1 && cmp_pow10(x, Dec::from_f64(x).adjusted()) == Ordering::Less) as i32, "{x:e}");
            }
        }
    }
}
