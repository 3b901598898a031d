//! Decimal text to numbers, exactly as Rust's standard library reads them, but fast for the
//! plain decimals candle files are made of.
//!
//! `1234.5678` is read as the integer 12345678 divided by 10^4: when the integer has at most
//! 15 digits and the power is at most 10^22, both are exact doubles and one IEEE division
//! gives the correctly rounded result (Clinger's fast path), which is what `str::parse`
//! returns too. Everything else (exponents, long mantissas, `inf`, `nan`) goes to
//! `str::parse::<f64>`.

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A decimal number: `[+-]digits[.digits]`, `[+-].digits`, exponents, `inf`, `nan`.
#[inline]
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut fraction = 0usize;
    let mut i = 0;
    while i < body.len() {
        let d = body[i].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        digits += 1;
        i += 1;
    }
    if i < body.len() && body[i] == b'.' {
        i += 1;
        while i < body.len() {
            let d = body[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            digits += 1;
            fraction += 1;
            i += 1;
        }
    }
    if i == body.len() && digits > 0 && digits <= 15 {
        let v = mantissa as f64 / POW10[fraction];
        return Some(if neg { -v } else { v });
    }
    slow(s)
}

#[cold]
fn slow(s: &[u8]) -> Option<f64> {
    std::str::from_utf8(s).ok()?.parse::<f64>().ok()
}

/// An integer `[+-]digits` that fits an i64.
#[inline]
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for &b in body {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(d))?; // accumulate negatively: i64::MIN fits
    }
    if neg {
        Some(v)
    } else {
        v.checked_neg()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std_parse(s: &str) -> Option<f64> {
        s.parse::<f64>().ok()
    }

    #[test]
    fn agrees_with_std_bit_for_bit() {
        let cases = [
            "0",
            "1",
            "-1",
            "+1",
            "1.5",
            "100.25",
            "0.1",
            "0.3",
            "43250.10000000",
            "0.00162008",
            "123456789012345",
            "1234567890123456",
            "12345678901234567890",
            "1e5",
            "1.5E-7",
            ".5",
            "5.",
            "-0",
            "-0.0",
            "inf",
            "-inf",
            "NaN",
            "infinity",
            "0.000000000000000000000001",
            "9007199254740993",
            "1.7976931348623157e308",
            "1e400",
            "4.9e-324",
            "00000000000001.5",
        ];
        for s in cases {
            let (a, b) = (parse_f64(s.as_bytes()), std_parse(s));
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{s}");
        }
        // A sweep of short decimals: the fast path must equal std exactly.
        let mut x: u64 = 88172645463325252;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let int = x % 10_000_000;
            let frac = (x >> 32) % 100_000_000;
            let places = (x >> 60) as usize % 9;
            let s = if places == 0 {
                format!("{int}")
            } else {
                format!(
                    "{int}.{:0width$}",
                    frac % 10u64.pow(places as u32),
                    width = places
                )
            };
            assert_eq!(
                parse_f64(s.as_bytes()).map(f64::to_bits),
                std_parse(&s).map(f64::to_bits),
                "{s}"
            );
        }
    }

    #[test]
    fn rejects_what_std_rejects() {
        for s in [
            "", "-", "+", ".", "1.2.3", "1,5", "1_000", " 1", "1 ", "abc", "0x10", "1e", "--1",
        ] {
            assert_eq!(parse_f64(s.as_bytes()), None, "{s:?}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(parse_i64(b"1700000000000"), Some(1_700_000_000_000));
        assert_eq!(parse_i64(b"-42"), Some(-42));
        assert_eq!(parse_i64(b"+7"), Some(7));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        for s in ["", "-", "1.0", "1e3", " 1", "x"] {
            assert_eq!(parse_i64(s.as_bytes()), None, "{s:?}");
        }
    }
}
