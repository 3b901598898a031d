//! Exact non-negative decimals, the way ccxt sees numbers.
//!
//! ccxt turns a float into its shortest round-trip decimal (Python's `str(x)`), rounds that in
//! decimal and hands back a string, which Python reads as the nearest float. [`Dec`] does the
//! same without strings: `coef * 10^exp`, built from the shortest digits of a float, rounded
//! at a power of ten, compared exactly, and read back correctly rounded.

use std::cmp::Ordering;
use std::fmt::Write;

/// `coef * 10^exp`, with no trailing zeros in `coef` (zero is `0 * 10^0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dec {
    pub coef: u128,
    pub exp: i32,
}

/// How `round_at` picks between the two neighbouring multiples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Floor,
    /// Ties go up (away from zero).
    HalfUp,
    /// Ties go down (toward zero).
    HalfDown,
}

const POW10: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// 10^k for 0 <= k <= 38, None beyond (it does not fit in u128).
pub fn pow10(k: i64) -> Option<u128> {
    if (0..39).contains(&k) {
        Some(POW10[k as usize])
    } else {
        None
    }
}

/// `a / b` and `a % b`, in u64 when both fit: u128 division is a slow library call.
pub fn div_rem(a: u128, b: u128) -> (u128, u128) {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => ((a / b) as u128, (a % b) as u128),
        _ => (a / b, a % b),
    }
}

/// Number of decimal digits of `c` (1 for zero).
pub fn digits(c: u128) -> i32 {
    match u64::try_from(c) {
        Ok(small) => small.checked_ilog10().unwrap_or(0) as i32 + 1,
        Err(_) => c.ilog10() as i32 + 1,
    }
}

impl Dec {
    pub const ZERO: Dec = Dec { coef: 0, exp: 0 };

    pub fn new(coef: u128, exp: i32) -> Dec {
        if coef == 0 {
            return Dec::ZERO;
        }
        // u64 arithmetic where it fits: u128 division is a slow library call.
        if let Ok(mut c) = u64::try_from(coef) {
            let mut e = exp;
            while c % 10 == 0 {
                c /= 10;
                e += 1;
            }
            return Dec { coef: c as u128, exp: e };
        }
        let (mut coef, mut exp) = (coef, exp);
        while coef % 10 == 0 {
            coef /= 10;
            exp += 1;
        }
        Dec { coef, exp }
    }

    /// The shortest decimal that reads back as `|x|` (Python's `repr`, ccxt's
    /// `number_to_string`). `x` must be finite.
    pub fn from_f64(x: f64) -> Dec {
        debug_assert!(x.is_finite());
        if x == 0.0 {
            return Dec::ZERO;
        }
        // Ryu prints the shortest round-trip digits: "0.1", "123.0", "1.2345e-7", "1e16".
        let mut buf = ryu::Buffer::new();
        let s = buf.format_finite(x.abs()).as_bytes();
        let e_at = s.iter().position(|&b| b == b'e').unwrap_or(s.len());
        // At most 17 significant digits: a u64. Zeros are held back until a non-zero digit
        // follows, so trailing zeros never enter the coefficient.
        let (mut coef, mut zeros, mut frac, mut seen_dot) = (0u64, 0u32, 0i32, false);
        for &b in &s[..e_at] {
            if b == b'.' {
                seen_dot = true;
                continue;
            }
            frac += seen_dot as i32;
            if b == b'0' {
                zeros += 1;
            } else {
                coef = coef * 10u64.pow(zeros + 1) + (b - b'0') as u64;
                zeros = 0;
            }
        }
        let mut e: i32 = 0;
        let mut negative = false;
        for &b in s.get(e_at + 1..).unwrap_or_default() {
            match b {
                b'-' => negative = true,
                d => e = e * 10 + (d - b'0') as i32,
            }
        }
        Dec { coef: coef as u128, exp: if negative { -e } else { e } - frac + zeros as i32 }
    }

    pub fn is_zero(&self) -> bool {
        self.coef == 0
    }

    /// Exponent of the leading digit: `floor(log10(self))` for non-zero values.
    pub fn adjusted(&self) -> i32 {
        digits(self.coef) - 1 + self.exp
    }

    /// The nearest float (correctly rounded, as Python's `float(str)`); +inf beyond range.
    pub fn to_f64(&self) -> f64 {
        const EXACT: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        // Both operands exact: one IEEE operation rounds correctly (Clinger's fast path).
        if self.coef < (1u128 << 53) && (-22..=22).contains(&self.exp) {
            let c = self.coef as f64;
            return if self.exp >= 0 {
                c * EXACT[self.exp as usize]
            } else {
                c / EXACT[(-self.exp) as usize]
            };
        }
        let mut buf = StackStr::<64>::new();
        let _ = write!(buf, "{}e{}", self.coef, self.exp);
        buf.as_str().parse().unwrap_or(f64::NAN)
    }

    /// The multiple of `10^at` chosen by `mode`.
    pub fn round_at(&self, at: i32, mode: Mode) -> Dec {
        if self.is_zero() || self.exp >= at {
            return *self;
        }
        let drop = at as i64 - self.exp as i64;
        let n = digits(self.coef) as i64;
        // Below a tenth of the unit, or (beyond 38 digits) below 2^128 / 10^39 of it: under
        // half of it, whatever the mode.
        let Some(unit) = pow10(drop).filter(|_| drop <= n) else { return Dec::ZERO };
        let (q, r) = div_rem(self.coef, unit);
        let up = match mode {
            Mode::Floor => false,
            Mode::HalfUp => 2 * r >= unit,
            Mode::HalfDown => 2 * r > unit,
        };
        Dec::new(q + up as u128, at)
    }

    /// Exact comparison.
    pub fn cmp_dec(&self, other: &Dec) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => cmp_parts(self.coef, self.exp as i64, other.coef, other.exp as i64),
        }
    }

    /// Exact comparison of `a * b` with `c`, as ccxt's `Precise.string_mul` then
    /// `string_lt` / `string_gt` would decide it.
    pub fn cmp_product(a: &Dec, b: &Dec, c: &Dec) -> Ordering {
        if a.is_zero() || b.is_zero() {
            return Dec::ZERO.cmp_dec(c);
        }
        if c.is_zero() {
            return Ordering::Greater;
        }
        let pe = a.exp as i64 + b.exp as i64;
        if let Some(product) = a.coef.checked_mul(b.coef) {
            return cmp_parts(product, pe, c.coef, c.exp as i64);
        }
        // a*b lies in [10^(aa+ab), 10^(aa+ab+2)).
        let low = a.adjusted() as i64 + b.adjusted() as i64;
        let lc = c.adjusted() as i64;
        if low > lc {
            return Ordering::Greater;
        }
        if low + 1 < lc {
            return Ordering::Less;
        }
        let at = pe.min(c.exp as i64);
        // Magnitudes are within a factor 100, so both aligned values stay below ~10^80.
        let left = U256::mul(a.coef, b.coef).mul_pow10((pe - at) as u32);
        let right = U256::from(c.coef).mul_pow10((c.exp as i64 - at) as u32);
        left.cmp(&right)
    }
}

/// Compares `ac * 10^ae` with `bc * 10^be` (both coefficients non-zero, trailing zeros
/// allowed): by leading exponent first, then digit by digit.
fn cmp_parts(ac: u128, ae: i64, bc: u128, be: i64) -> Ordering {
    let (da, db) = (digits(ac) as i64, digits(bc) as i64);
    let by_magnitude = (da + ae).cmp(&(db + be));
    if by_magnitude != Ordering::Equal {
        return by_magnitude;
    }
    // Same leading exponent: scale the shorter coefficient to the longer one's length.
    let scaled = |long: u128, short: u128, k: i64| match pow10(k).and_then(|p| short.checked_mul(p)) {
        Some(s) => long.cmp(&s),
        None => U256::from(long).cmp(&U256::from(short).mul_pow10(k as u32)),
    };
    if da >= db {
        scaled(ac, bc, da - db)
    } else {
        scaled(bc, ac, db - da).reverse()
    }
}

/// A 256-bit unsigned integer, only as wide as exact comparisons of products need.
/// Limbs are most significant first, so the derived ordering is numeric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct U256([u64; 4]);

impl U256 {
    fn from(v: u128) -> U256 {
        U256([0, 0, (v >> 64) as u64, v as u64])
    }

    fn mul(a: u128, b: u128) -> U256 {
        let (a1, a0) = ((a >> 64) as u64, a as u64);
        let (b1, b0) = ((b >> 64) as u64, b as u64);
        let mut out = U256::from(a0 as u128 * b0 as u128);
        out.add_shifted(a0 as u128 * b1 as u128, 1);
        out.add_shifted(a1 as u128 * b0 as u128, 1);
        out.add_shifted(a1 as u128 * b1 as u128, 2);
        out
    }

    /// self += v * 2^(64*limbs). Callers never exceed 256 bits.
    fn add_shifted(&mut self, v: u128, limbs: usize) {
        let mut carry = 0u128;
        // From the limb v starts at up to the most significant one.
        for (i, limb) in self.0[..4 - limbs].iter_mut().rev().enumerate() {
            let add = match i {
                0 => v as u64,
                1 => (v >> 64) as u64,
                _ => 0,
            };
            let sum = *limb as u128 + add as u128 + carry;
            *limb = sum as u64;
            carry = sum >> 64;
        }
    }

    /// self * 10^k, saturating at the maximum (only compared, never printed).
    fn mul_pow10(mut self, mut k: u32) -> U256 {
        while k > 0 {
            let step = k.min(19);
            let m = 10u64.pow(step) as u128;
            let mut carry = 0u128;
            for limb in self.0.iter_mut().rev() {
                let v = *limb as u128 * m + carry;
                *limb = v as u64;
                carry = v >> 64;
            }
            if carry != 0 {
                return U256([u64::MAX; 4]);
            }
            k -= step;
        }
        self
    }
}

/// A float as Python's `repr` writes it: "0.1", "100.0", "1e-05", "1.5e+16", "nan", "-inf".
pub fn py_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}inf");
    }
    let d = Dec::from_f64(x);
    if d.is_zero() {
        return format!("{sign}0.0");
    }
    let digits = d.coef.to_string();
    let adj = d.adjusted();
    // repr switches to exponent notation below 1e-4 and from 1e16 on.
    if !(-4..16).contains(&adj) {
        let (head, tail) = digits.split_at(1);
        let dot = if tail.is_empty() { "" } else { "." };
        let esign = if adj < 0 { '-' } else { '+' };
        return format!("{sign}{head}{dot}{tail}e{esign}{:02}", adj.abs());
    }
    if d.exp >= 0 {
        format!("{sign}{digits}{}.0", "0".repeat(d.exp as usize))
    } else if adj >= 0 {
        let (int, frac) = digits.split_at((adj + 1) as usize);
        format!("{sign}{int}.{frac}")
    } else {
        format!("{sign}0.{}{digits}", "0".repeat((-adj - 1) as usize))
    }
}

/// A fixed-size, allocation-free `fmt::Write` target for formatting numbers.
struct StackStr<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackStr<N> {
    fn new() -> Self {
        StackStr { buf: [0; N], len: 0 }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

impl<const N: usize> Write for StackStr<N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > N {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let coef: u128 = format!("{int}{frac}").parse().unwrap();
        Dec::new(coef, exp.parse::<i32>().unwrap() - frac.len() as i32)
    }

    #[test]
    fn floats_become_their_shortest_decimal() {
        assert_eq!(Dec::from_f64(0.1), d("0.1"));
        assert_eq!(Dec::from_f64(100.0), Dec { coef: 1, exp: 2 });
        assert_eq!(Dec::from_f64(0.30000000000000004), d("0.30000000000000004"));
        assert_eq!(Dec::from_f64(1.5e-7), d("15e-8"));
        assert_eq!(Dec::from_f64(1e300), Dec { coef: 1, exp: 300 });
        assert_eq!(Dec::from_f64(5e-324), Dec { coef: 5, exp: -324 });
        assert_eq!(Dec::from_f64(f64::MAX), d("1.7976931348623157e308"));
        assert_eq!(Dec::from_f64(0.0), Dec::ZERO);
    }

    #[test]
    fn reads_back_correctly_rounded() {
        for x in [0.1, 0.3, 123.456, 1e-300, 5e-324, f64::MAX, 9007199254740993.0, 1.7e-5, 2.5e22] {
            assert_eq!(Dec::from_f64(x).to_f64(), x);
        }
        assert_eq!(d("1e400").to_f64(), f64::INFINITY);
        assert_eq!(d("123456789012345678901234567e-10").to_f64(), 12345678901234567.8901234567);
    }

    #[test]
    fn rounds_at_a_power_of_ten() {
        let x = d("1.2345");
        assert_eq!(x.round_at(-2, Mode::Floor), d("1.23"));
        assert_eq!(x.round_at(-3, Mode::HalfUp), d("1.235"));
        assert_eq!(d("1.2355").round_at(-3, Mode::HalfDown), d("1.235"));
        assert_eq!(d("1.2356").round_at(-3, Mode::HalfDown), d("1.236"));
        assert_eq!(d("0.5").round_at(0, Mode::HalfUp), d("1"));
        assert_eq!(d("0.5").round_at(0, Mode::HalfDown), Dec::ZERO);
        assert_eq!(d("0.05").round_at(0, Mode::HalfUp), Dec::ZERO);
        assert_eq!(d("99.96").round_at(-1, Mode::HalfUp), d("100"));
        assert_eq!(d("12345").round_at(2, Mode::Floor), d("12300"));
        assert_eq!(d("7").round_at(-5, Mode::HalfUp), d("7"));
    }

    #[test]
    fn compares_exactly() {
        assert_eq!(d("0.1").cmp_dec(&d("0.10")), Ordering::Equal);
        assert_eq!(d("0.1").cmp_dec(&d("0.100000000000000000000000000001")), Ordering::Less);
        assert_eq!(d("2").cmp_dec(&d("19")), Ordering::Less);
        assert_eq!(Dec::ZERO.cmp_dec(&d("1e-300")), Ordering::Less);
        let (a, b) = (d("0.07"), d("100"));
        assert_eq!(Dec::cmp_product(&a, &b, &d("7")), Ordering::Equal);
        assert_eq!(Dec::cmp_product(&a, &b, &d("7.000000000000001")), Ordering::Less);
        // (10^27 + 1)^2 = 10^54 + 2*10^27 + 1 needs more than 128 bits.
        let big = d("1000000000000000000000000001");
        assert_eq!(Dec::cmp_product(&big, &big, &d("1e54")), Ordering::Greater);
        assert_eq!(Dec::cmp_product(&big, &big, &d("1000000000000000000000000002e27")), Ordering::Greater);
        assert_eq!(Dec::cmp_product(&big, &big, &d("1000000000000000000000000003e27")), Ordering::Less);
    }

    #[test]
    fn repr_like_python() {
        let cases = [
            (0.1, "0.1"), (100.0, "100.0"), (1e-5, "1e-05"), (0.0001, "0.0001"), (1.5e16, "1.5e+16"),
            (9999999999999998.0, "9999999999999998.0"), (1e16, "1e+16"), (123.456, "123.456"),
            (-2.5, "-2.5"), (0.0, "0.0"), (-0.0, "-0.0"), (f64::NAN, "nan"), (f64::NEG_INFINITY, "-inf"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (5e-324, "5e-324"), (0.00012, "0.00012"),
        ];
        for (x, want) in cases {
            assert_eq!(py_repr(x), want);
        }
    }
}
