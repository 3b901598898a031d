//! ccxt's rounding on a grid of `step * 10^-places`, straight from a float's binary value.
//!
//! ccxt rounds the float's shortest decimal R, not the float itself. Printing R is most of the
//! cost of a validation, and is rarely needed: rounding down to the grid or half up only
//! changes at grid points and half-way points, so R and the float give the same answer unless
//! one of those points lies within the float's rounding interval (the numbers that read back
//! as the float). When one does and it has at most 15 significant digits, it *is* R: no other
//! decimal that short fits in an interval that narrow. Both cases are decided exactly in
//! integers here; anything else (huge, tiny, more than 22 places) returns None and goes
//! through the printed digits.

use super::decimal::Dec;
use super::precision::Rounding;

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `x` (finite, > 0) rounded as ccxt rounds its shortest decimal, on the grid of multiples of
/// `step * 10^-places`: the exact result and its float, or None when this path does not apply.
pub fn round(x: f64, step: u64, places: u32, rounding: Rounding) -> Option<(Dec, f64)> {
    let bits = x.to_bits();
    let biased = (bits >> 52) as i32 & 0x7ff;
    // Grid and half-way points near x are then below 5e13 * 10^-places: at most 15 digits.
    // Normal floats only; steps below 10^13 keep the integers below within 128 bits.
    if places > 22 || step >= 10_000_000_000_000 || biased == 0 || !(x * POW10[places as usize] < 5e13) {
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
    // R lies in [j0, j0 + 1) too, unless j0 + 1 is within the float's rounding interval: half
    // an ulp up, in these units 2 * 5^places, included when the mantissa is even (IEEE ties).
    let up = 2 * five;
    let j = if d - r < up || (d - r == up && m % 2 == 0) { j0 + 1 } else { j0 };
    let k = match rounding {
        Rounding::Truncate => j >> 1,
        Rounding::Round => (j + 1) >> 1, // half-way points go up
    };
    let coef = k as u64 * step; // < 10^14, so the division below rounds correctly
    let value = coef as f64 / POW10[places as usize];
    Some((Dec::new(coef as u128, -(places as i32)), value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::precision::Precision;

    /// The printed-digits path: what ccxt does.
    fn slow(x: f64, p: &Precision, rounding: Rounding) -> (Dec, f64) {
        let dec = Dec::from_f64(x);
        let v = p.round(dec, rounding).unwrap();
        (v, if v == dec { x } else { v.to_f64() })
    }

    fn check(x: f64, step: u64, places: u32, p: &Precision) {
        for rounding in [Rounding::Truncate, Rounding::Round] {
            if let Some((dec, value)) = round(x, step, places, rounding) {
                let (want_dec, want) = slow(x, p, rounding);
                assert_eq!((dec, value.to_bits()), (want_dec, want.to_bits()), "x={x:e} step={step} places={places} {rounding:?}");
            }
        }
    }

    fn next_up(x: f64) -> f64 {
        f64::from_bits(x.to_bits() + 1)
    }

    fn next_down(x: f64) -> f64 {
        f64::from_bits(x.to_bits() - 1)
    }

    #[test]
    fn agrees_with_the_printed_digits_on_and_around_grid_points() {
        let mut s: u64 = 0x2545_F491_4F6C_DD1D;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut applied = 0;
        for _ in 0..1500 {
            // A tick `step * 10^-places` (decimal places when step is 1).
            let step = match rnd() % 10 {
                0 => rnd() % 10u64.pow(1 + (rnd() % 13) as u32) + 1, // any digits, up to 13
                i => [1, 1, 1, 5, 25, 2, 125, 3, 7][(i - 1) as usize] * 10u64.pow((rnd() % 3) as u32),
            };
            let places = (rnd() % 23) as u32;
            let tick = step as f64 / 10f64.powi(places as i32);
            let p = if step == 1 { Precision::decimal_places(places as i32) } else { Precision::tick_size(tick) };
            if let Precision::TickSize { tick: t, .. } = p {
                if t != Dec::new(step as u128, -(places as i32)) {
                    continue; // the float tick's shortest decimal is another grid
                }
            }
            for _ in 0..25 {
                let k = rnd() % 10u64.pow(1 + (rnd() % 12) as u32);
                let on = (k as f64 * step as f64) / 10f64.powi(places as i32);
                let half = ((2 * k + 1) as f64 * step as f64) / (2.0 * 10f64.powi(places as i32));
                let any = f64::from_bits(0x3C00_0000_0000_0000 + rnd() % 0x0730_0000_0000_0000); // 2^-63..2^52
                for x in [on, half, any, on * 1.000_000_1, half * 0.999_999_9] {
                    if x > 0.0 && x.is_finite() {
                        for y in [x, next_up(x), next_down(x), next_up(next_up(x)), next_down(next_down(x))] {
                            check(y, step, places, &p);
                            applied += round(y, step, places, Rounding::Truncate).is_some() as usize;
                        }
                    }
                }
            }
        }
        assert!(applied > 60_000, "the fast path applied only {applied} times");
    }

    #[test]
    fn powers_of_two_and_classic_cases() {
        let p2 = Precision::decimal_places(2);
        for x in [1.005, 0.125, 0.375, 2.675, 1.0, 0.5, 0.25, 1e-2, 4.35, 0.1 + 0.2, 1e13 / 1e2, 1024.0, 0.0078125] {
            check(x, 1, 2, &p2);
        }
        let mut x = 1e-10;
        while x < 1e13 {
            for y in [x, next_up(x), next_down(x)] {
                check(y, 1, 2, &p2);
                check(y, 5, 1, &Precision::tick_size(0.5));
            }
            x *= 2.0;
        }
        assert_eq!(round(1.005, 1, 2, Rounding::Round).unwrap().1, 1.01); // R is 1.005, not the float
        assert_eq!(round(0.3, 1, 1, Rounding::Truncate).unwrap().1, 0.3);
        assert_eq!(round(1e14, 1, 2, Rounding::Round), None);
        assert_eq!(round(5e-324, 1, 2, Rounding::Round), None);
        assert_eq!(round(1.0, 12_345_678_901_234_567, 17, Rounding::Round), None); // 17-digit tick
    }
}
