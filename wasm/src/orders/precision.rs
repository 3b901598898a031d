//! ccxt's `decimal_to_precision` for positive numbers, exactly.
//!
//! ccxt rounds the float's shortest decimal in Python's `decimal` with 28 significant digits:
//! amounts truncate (`amount_to_precision`), prices round half up (`price_to_precision`).
//! Where that arithmetic runs out of digits ccxt raises `InvalidOperation`; [`Precision::round`]
//! reports those cases as [`OutOfRange`] with the bound, and so does a result beyond float range
//! (ccxt would hand back "inf"). Everything else gives ccxt's number to the last digit.
//!
//! Quirks mirrored on purpose:
//! - precision above 26 (decimal places or significant digits) counts as 26 (28 - 2);
//! - SIGNIFICANT_DIGITS rounding ties go up when the last kept digit is at or right of the
//!   decimal point (`quantize`), but down when it is left of it (ccxt picks `min` of two
//!   equally distant candidates, the lower one first).

use super::decimal::{digits, div_rem, Dec, Mode};
use super::grid;

/// Digits ccxt's decimal context holds (Python's default `decimal` precision).
const CONTEXT_DIGITS: i32 = 28;
/// ccxt caps DECIMAL_PLACES and SIGNIFICANT_DIGITS precision at `context.prec - 2`.
const MAX_PRECISION: i32 = CONTEXT_DIGITS - 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// `amount_to_precision`, `cost_to_precision`.
    Truncate,
    /// `price_to_precision`: half up.
    Round,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Precision {
    /// Digits after the decimal point (negative: round to tens, hundreds...).
    DecimalPlaces(i32),
    SignificantDigits(i32),
    /// A multiple of `tick`; `places` is the number of decimals the tick has.
    TickSize { tick: Dec, places: i32, value: f64 },
}

/// The number cannot be rounded by ccxt; `max` is the bound it reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutOfRange {
    pub max: f64,
}

impl Precision {
    pub fn decimal_places(places: i32) -> Precision {
        Precision::DecimalPlaces(places.min(MAX_PRECISION))
    }

    pub fn significant_digits(digits: i32) -> Precision {
        Precision::SignificantDigits(digits.min(MAX_PRECISION))
    }

    /// A tick size given as a float (ccxt reads it through `str()` as well).
    pub fn tick_size(tick: f64) -> Precision {
        let dec = Dec::from_f64(tick);
        Precision::TickSize { tick: dec, places: (-dec.exp).max(0), value: tick }
    }

    /// The float `x` (> 0) rounded as ccxt does: the exact decimal (possibly zero) and the
    /// float it reads back as (`x` itself when rounding leaves it as it is).
    pub fn round_float(&self, x: f64, rounding: Rounding) -> Result<(Dec, f64), OutOfRange> {
        if let Some((step, places, mode)) = self.grid(x, rounding) {
            if let Some(rounded) = grid::round(x, step, places, mode) {
                return Ok(rounded);
            }
        }
        let dec = Dec::from_f64(x);
        let v = self.round(dec, rounding)?;
        Ok(if v == dec { (dec, x) } else { (v, v.to_f64()) })
    }

    /// Whether `round_float` rounds `x` without printing its digits (for tests).
    pub fn uses_grid(&self, x: f64) -> bool {
        self.grid(x, Rounding::Truncate).is_some_and(|(step, places, mode)| grid::round(x, step, places, mode).is_some())
    }

    /// The grid `step * 10^-places` that rounding `x` keeps multiples of, and how it rounds.
    fn grid(&self, x: f64, rounding: Rounding) -> Option<(u64, u32, Mode)> {
        let mode = if rounding == Rounding::Round { Mode::HalfUp } else { Mode::Floor };
        // Keep the digits down to 10^at.
        let (at, mode) = match *self {
            Precision::DecimalPlaces(p) => (-p, mode),
            Precision::TickSize { tick, places, .. } => {
                let scale = super::decimal::pow10((tick.exp as i64).max(0))?;
                return Some((u64::try_from(tick.coef.checked_mul(scale)?).ok()?, places as u32, mode));
            }
            Precision::SignificantDigits(n) => {
                let at = grid::leading_exponent(x)? - n + 1;
                (at, if at > 0 && mode == Mode::HalfUp { Mode::HalfDown } else { mode })
            }
        };
        if at <= 0 {
            Some((1, at.unsigned_abs(), mode))
        } else {
            Some((10u64.checked_pow(at as u32)?, 0, mode))
        }
    }

    /// `x` (> 0, from a float) rounded as ccxt does, as an exact decimal (possibly zero).
    pub fn round(&self, x: Dec, rounding: Rounding) -> Result<Dec, OutOfRange> {
        let v = match *self {
            Precision::DecimalPlaces(places) => {
                let mode = if rounding == Rounding::Round { Mode::HalfUp } else { Mode::Floor };
                let v = x.round_at(-places, mode);
                // Rounding to places >= 0 quantizes (28 digits at most); truncating slices the
                // string (no limit); truncating at tens or more takes a remainder (28 digits).
                if (rounding == Rounding::Round || places < 0) && too_many_digits(&v, places) {
                    return Err(out_of_range(places));
                }
                v
            }
            Precision::SignificantDigits(n) => {
                let at = x.adjusted() - n + 1;
                let mode = match rounding {
                    Rounding::Truncate => Mode::Floor,
                    Rounding::Round if at <= 0 => Mode::HalfUp,
                    Rounding::Round => Mode::HalfDown,
                };
                x.round_at(at, mode)
            }
            Precision::TickSize { tick, places, .. } => round_to_tick(x, tick, places, rounding)?,
        };
        if v.to_f64().is_infinite() {
            return Err(OutOfRange { max: f64::MAX });
        }
        Ok(v)
    }

    /// The precision in words, for messages.
    pub fn describe(&self) -> String {
        match *self {
            Precision::DecimalPlaces(p) => format!("{p} decimal places"),
            Precision::SignificantDigits(n) => format!("{n} significant digits"),
            Precision::TickSize { value, .. } => format!("tick size {}", super::decimal::py_repr(value)),
        }
    }
}

/// More than 28 digits from the leading one down to the last kept decimal place.
fn too_many_digits(v: &Dec, places: i32) -> bool {
    !v.is_zero() && v.adjusted() as i64 + places as i64 + 1 > CONTEXT_DIGITS as i64
}

fn out_of_range(places: i32) -> OutOfRange {
    OutOfRange { max: Dec { coef: 1, exp: CONTEXT_DIGITS - places }.to_f64() }
}

/// ccxt's TICK_SIZE branch: `missing = x % tick`, then `x - missing` (+ `tick` when rounding
/// and `missing >= tick / 2`), then quantized to the tick's decimal places. Ticks have at most
/// 26 places (checked by the rules), so that final quantize is exact.
fn round_to_tick(x: Dec, tick: Dec, places: i32, rounding: Rounding) -> Result<Dec, OutOfRange> {
    // x = X * 10^at and tick = T * 10^at, both integers.
    let at = x.exp.min(tick.exp);
    let scale = |d: &Dec| super::decimal::pow10(d.exp as i64 - at as i64).and_then(|p| d.coef.checked_mul(p));
    let multiples = match (scale(&x), scale(&tick)) {
        (Some(xs), Some(ts)) => {
            let (q, r) = div_rem(xs, ts);
            q + (rounding == Rounding::Round && r >= ts - r) as u128
        }
        // The tick dwarfs x: nothing, and x is nowhere near half a tick.
        (Some(_), None) => 0,
        // x dwarfs the tick: far beyond what 28 digits hold.
        (None, _) => return Err(out_of_range(places)),
    };
    // The quantized result needs digits(multiples * tick * 10^places) <= 28.
    let fits = multiples
        .checked_mul(tick.coef)
        .filter(|&k| digits(k) as i64 + (tick.exp as i64 + places as i64) <= CONTEXT_DIGITS as i64);
    fits.map(|k| Dec::new(k, tick.exp)).ok_or(out_of_range(places))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(x: f64, p: Precision, r: Rounding) -> Result<f64, f64> {
        p.round(Dec::from_f64(x), r).map(|d| d.to_f64()).map_err(|e| e.max)
    }
    use Rounding::{Round, Truncate};

    // Expected values below were produced by ccxt's decimal_to_precision (Python).
    #[test]
    fn decimal_places() {
        let p = Precision::decimal_places;
        assert_eq!(round(1.23456789, p(4), Truncate), Ok(1.2345));
        assert_eq!(round(1.23456789, p(4), Round), Ok(1.2346));
        assert_eq!(round(1.005, p(2), Round), Ok(1.01)); // the decimal 1.005, not the float below it
        assert_eq!(round(0.3, p(1), Truncate), Ok(0.3));
        assert_eq!(round(12345.0, p(-2), Round), Ok(12300.0));
        assert_eq!(round(12350.0, p(-2), Round), Ok(12400.0));
        assert_eq!(round(12350.0, p(-2), Truncate), Ok(12300.0));
        assert_eq!(round(1e300, p(8), Truncate), Ok(1e300));
        assert_eq!(round(9999999999.999998, p(18), Round), Ok(9999999999.999998));
        assert_eq!(round(1e10, p(18), Round), Err(1e10));
        assert_eq!(round(1e20, p(8), Round), Err(1e20));
        assert_eq!(round(100.0, p(30), Round), Err(100.0)); // 30 counts as 26
        assert_eq!(round(1e30, p(-2), Truncate), Err(1e30));
        assert_eq!(round(9.99e29, p(-2), Truncate), Ok(9.99e29));
    }

    #[test]
    fn significant_digits() {
        let p = Precision::significant_digits;
        assert_eq!(round(123.456, p(4), Truncate), Ok(123.4));
        assert_eq!(round(0.00123456, p(3), Round), Ok(0.00123));
        assert_eq!(round(25.0, p(1), Round), Ok(20.0)); // tie left of the point: down
        assert_eq!(round(35.0, p(1), Round), Ok(30.0));
        assert_eq!(round(2.5, p(1), Round), Ok(3.0)); // tie at the point: up
        assert_eq!(round(0.25, p(1), Round), Ok(0.3));
        assert_eq!(round(999.6, p(3), Round), Ok(1000.0));
        assert_eq!(round(1.7976931348623157e308, p(1), Round), Err(f64::MAX)); // ccxt: "inf"
    }

    #[test]
    fn tick_size() {
        let t = Precision::tick_size;
        assert_eq!(round(0.125, t(0.25), Round), Ok(0.25));
        assert_eq!(round(0.375, t(0.25), Round), Ok(0.5));
        assert_eq!(round(0.3, t(0.1), Truncate), Ok(0.3));
        assert_eq!(round(7.3, t(2.5), Truncate), Ok(5.0));
        assert_eq!(round(7.5, t(2.5), Round), Ok(7.5));
        assert_eq!(round(1.23456e-3, t(2.5e-5), Round), Ok(1.225e-3));
        assert_eq!(round(1234.0, t(100.0), Round), Ok(1200.0));
        assert_eq!(round(0.004, t(0.01), Round), Ok(0.0));
        assert_eq!(round(0.005, t(0.01), Round), Ok(0.01));
        assert_eq!(round(1e-300, t(0.01), Round), Ok(0.0));
        assert_eq!(round(9.99e25, t(0.01), Truncate), Ok(9.99e25));
        assert_eq!(round(1e26, t(0.01), Truncate), Err(1e26));
        assert_eq!(round(1e300, t(0.01), Truncate), Err(1e26));
    }
}
