//! Candle times: epoch numbers in any unit and ISO 8601 text, to UTC milliseconds.
//!
//! A file's time unit is decided once, from its first row: a number's magnitude says whether
//! it counts seconds, milliseconds, microseconds or nanoseconds (or the caller says so), and
//! text must be ISO 8601. Every later row must be the same kind (see `mixed_time_units`).
//! Sub-millisecond digits of ISO times are dropped; epoch numbers are rounded to the nearest
//! millisecond, halves away from zero.

use super::Violation;

/// What a time column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeKind {
    Epoch(Unit),
    Iso,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    /// The unit named by the user: "s", "ms", "us", "ns" ("auto" is `None`).
    pub fn from_name(name: &str) -> Result<Option<Unit>, String> {
        match name {
            "auto" => Ok(None),
            "s" => Ok(Some(Unit::Seconds)),
            "ms" => Ok(Some(Unit::Millis)),
            "us" => Ok(Some(Unit::Micros)),
            "ns" => Ok(Some(Unit::Nanos)),
            _ => Err(format!(
                "time unit must be one of auto, s, ms, us, ns, got {name:?}"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Millis => "milliseconds",
            Unit::Micros => "microseconds",
            Unit::Nanos => "nanoseconds",
        }
    }

    /// The unit an epoch number of this magnitude is in. Seconds up to year 5138, then
    /// milliseconds (from March 1973), microseconds, nanoseconds.
    pub fn of_magnitude(value: f64) -> Unit {
        let m = value.abs();
        if m < 1e11 {
            Unit::Seconds
        } else if m < 1e14 {
            Unit::Millis
        } else if m < 1e17 {
            Unit::Micros
        } else {
            Unit::Nanos
        }
    }
}

/// An integer epoch value in `unit` as milliseconds (None when out of range).
pub fn int_to_ms(v: i64, unit: Unit) -> Option<i64> {
    match unit {
        Unit::Seconds => v.checked_mul(1000),
        Unit::Millis => Some(v),
        Unit::Micros => Some(div_round(v, 1_000)),
        Unit::Nanos => Some(div_round(v, 1_000_000)),
    }
}

/// A fractional epoch value in `unit` as milliseconds (None when not finite or out of range).
pub fn float_to_ms(v: f64, unit: Unit) -> Option<i64> {
    let ms = match unit {
        Unit::Seconds => v * 1000.0,
        Unit::Millis => v,
        Unit::Micros => v / 1_000.0,
        Unit::Nanos => v / 1_000_000.0,
    }
    .round();
    // 2^63 is exactly representable; anything at or beyond it does not fit an i64.
    if ms.is_finite() && ms.abs() < 2f64.powi(63) {
        Some(ms as i64)
    } else {
        None
    }
}

/// v / d rounded to nearest, halves away from zero (d > 0).
fn div_round(v: i64, d: i64) -> i64 {
    let q = v / d;
    let r = v % d;
    if 2 * r.abs() >= d {
        q + v.signum()
    } else {
        q
    }
}

/// Epoch integers (one column) as UTC ms; the unit is `unit` or the first value's magnitude.
/// Stops at the first value out of range or of another magnitude (row = 0-based index).
pub fn epoch_ints_to_ms(values: &[i64], unit: Option<Unit>) -> (Vec<i64>, Option<Violation>) {
    convert(values, unit, |&v| v as f64, |&v, u| int_to_ms(v, u))
}

/// Epoch numbers as floats (one column) as UTC ms, like `epoch_ints_to_ms`; NaN is `bad_time`.
pub fn epoch_floats_to_ms(values: &[f64], unit: Option<Unit>) -> (Vec<i64>, Option<Violation>) {
    convert(values, unit, |&v| v, |&v, u| float_to_ms(v, u))
}

fn convert<T: std::fmt::Display>(
    values: &[T],
    unit: Option<Unit>,
    magnitude: impl Fn(&T) -> f64,
    to_ms: impl Fn(&T, Unit) -> Option<i64>,
) -> (Vec<i64>, Option<Violation>) {
    let Some(first) = values.first() else {
        return (Vec::new(), None);
    };
    let expected = unit.unwrap_or_else(|| Unit::of_magnitude(magnitude(first)));
    let mut out = Vec::with_capacity(values.len());
    for (row, v) in values.iter().enumerate() {
        let m = magnitude(v);
        if unit.is_none() && m.is_finite() && Unit::of_magnitude(m) != expected {
            let detail = format!(
                "\"{v}\" looks like {} but the first row's time is in {}",
                Unit::of_magnitude(m).name(),
                expected.name()
            );
            return (
                out,
                Some(Violation::new(row, "time", "mixed_time_units", detail)),
            );
        }
        match to_ms(v, expected) {
            Some(ms) => out.push(ms),
            None => {
                let detail = format!(
                    "cannot read \"{v}\" as a time (epoch seconds, milliseconds or ISO 8601)"
                );
                return (out, Some(Violation::new(row, "time", "bad_time", detail)));
            }
        }
    }
    (out, None)
}

/// Time texts (epoch numbers or ISO 8601; None is a missing value) as UTC ms, with the rules
/// and messages of the CSV reader (row = 0-based index).
pub fn texts_to_ms(texts: &[Option<String>], unit: Option<Unit>) -> (Vec<i64>, Option<Violation>) {
    let mut out = Vec::with_capacity(texts.len());
    let mut kind = None;
    for (row, text) in texts.iter().enumerate() {
        let cell = text
            .as_deref()
            .map(|t| t.trim_matches(|c| c == ' ' || c == '\t' || c == '\r'))
            .unwrap_or("");
        if cell.is_empty() {
            return (
                out,
                Some(Violation::new(
                    row,
                    "time",
                    "missing_value",
                    "no value for time".into(),
                )),
            );
        }
        match super::csv::read_time(cell.as_bytes(), &mut kind, unit) {
            Ok(t) => out.push(t),
            Err((rule, detail)) => return (out, Some(Violation::new(row, "time", rule, detail))),
        }
    }
    (out, None)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A run of exactly `n` ASCII digits at `s[at..]` as a number.
fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = s.get(at..at + n)?;
    part.iter().try_fold(0i64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

/// ISO 8601 text as UTC milliseconds: `YYYY-MM-DD`, optionally followed by `T` or a space and
/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff` (any number of fraction digits), optionally followed
/// by `Z` or an offset `+HH:MM`, `+HHMM`, `+HH`. Without a zone the time is UTC.
pub fn parse_iso(s: &[u8]) -> Option<i64> {
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    let mut i = 10;
    if i < s.len() && (s[i] == b'T' || s[i] == b't' || s[i] == b' ') {
        let (h, mi) = (digits(s, i + 1, 2)?, digits(s, i + 4, 2)?);
        if *s.get(i + 3)? != b':' || h > 23 || mi > 59 {
            return None;
        }
        ms += (h * 60 + mi) * 60_000;
        i += 6;
        if s.get(i) == Some(&b':') {
            let sec = digits(s, i + 1, 2)?;
            if sec > 59 {
                return None;
            }
            ms += sec * 1000;
            i += 3;
            if s.get(i) == Some(&b'.') || s.get(i) == Some(&b',') {
                i += 1;
                let start = i;
                let mut frac_ms = 0;
                while i < s.len() && s[i].is_ascii_digit() {
                    if i - start < 3 {
                        frac_ms = frac_ms * 10 + i64::from(s[i] - b'0');
                    }
                    i += 1;
                }
                if i == start {
                    return None;
                }
                for _ in (i - start)..3 {
                    frac_ms *= 10;
                }
                ms += frac_ms;
            }
        }
    }
    match s.get(i) {
        None => Some(ms),
        Some(b'Z') | Some(b'z') if i + 1 == s.len() => Some(ms),
        Some(&sign @ (b'+' | b'-')) => {
            let rest = &s[i + 1..];
            let (h, mi) = match rest.len() {
                2 => (digits(rest, 0, 2)?, 0),
                4 => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                5 if rest[2] == b':' => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                _ => return None,
            };
            if h > 23 || mi > 59 {
                return None;
            }
            let offset = (h * 60 + mi) * 60_000;
            Some(if sign == b'+' {
                ms - offset
            } else {
                ms + offset
            })
        }
        _ => None,
    }
}

/// UTC milliseconds as ISO 8601 for messages: `2024-01-02T03:04:05Z` (with `.678` when needed).
pub fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, f) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    if f == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{f:03}Z")
    }
}

/// A duration in milliseconds in the largest unit that divides it: `5m`, `90m`, `1d`, `1500ms`.
pub fn format_duration(ms: i64) -> String {
    for (unit, size) in [
        ("w", 604_800_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if ms != 0 && ms % size == 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        let base = 1_700_000_000_000; // 2023-11-14T22:13:20Z
        assert_eq!(parse_iso(b"2023-11-14T22:13:20Z"), Some(base));
        assert_eq!(parse_iso(b"2023-11-14 22:13:20"), Some(base));
        assert_eq!(parse_iso(b"2023-11-14t22:13:20z"), Some(base));
        assert_eq!(parse_iso(b"2023-11-15T00:13:20+02:00"), Some(base));
        assert_eq!(parse_iso(b"2023-11-14T20:13:20-0200"), Some(base));
        assert_eq!(parse_iso(b"2023-11-15T00:13:20+02"), Some(base));
        assert_eq!(parse_iso(b"2023-11-14T22:13:20.5Z"), Some(base + 500));
        assert_eq!(
            parse_iso(b"2023-11-14T22:13:20.123456789"),
            Some(base + 123)
        );
        assert_eq!(parse_iso(b"2023-11-14T22:13"), Some(base - 20_000));
        assert_eq!(parse_iso(b"1970-01-01"), Some(0));
        assert_eq!(parse_iso(b"1969-12-31"), Some(-86_400_000));
        assert_eq!(parse_iso(b"2024-02-29"), Some(1_709_164_800_000));
    }

    #[test]
    fn iso_rejects() {
        for bad in [
            "",
            "2023",
            "2023-11",
            "2023-13-01",
            "2023-02-29",
            "2023-11-31",
            "2023-11-14T25:00",
            "2023-11-14T22:61",
            "2023-11-14T22:13:61",
            "2023-11-14T22:13:20.",
            "2023-11-14T",
            "2023/11/14",
            "2023-11-14T22:13:20+2",
            "2023-11-14T22:13:20 UTC",
            "2023-11-14Z1",
            "abcd-ef-gh",
            "1700000000",
        ] {
            assert_eq!(parse_iso(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_ms(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_ms(1_700_000_000_042), "2023-11-14T22:13:20.042Z");
        assert_eq!(format_ms(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn epoch_units() {
        assert_eq!(Unit::of_magnitude(1_700_000_000.0), Unit::Seconds);
        assert_eq!(Unit::of_magnitude(1_700_000_000_000.0), Unit::Millis);
        assert_eq!(Unit::of_magnitude(1.7e15), Unit::Micros);
        assert_eq!(Unit::of_magnitude(-1.7e18), Unit::Nanos);
        assert_eq!(
            int_to_ms(1_700_000_000, Unit::Seconds),
            Some(1_700_000_000_000)
        );
        assert_eq!(
            int_to_ms(1_700_000_000_000_500, Unit::Micros),
            Some(1_700_000_000_001)
        );
        assert_eq!(
            int_to_ms(1_700_000_000_000_499, Unit::Micros),
            Some(1_700_000_000_000)
        );
        assert_eq!(int_to_ms(-1_500, Unit::Micros), Some(-2));
        assert_eq!(
            int_to_ms(1_700_000_000_000_000_000, Unit::Nanos),
            Some(1_700_000_000_000)
        );
        assert_eq!(int_to_ms(i64::MAX, Unit::Seconds), None);
        assert_eq!(
            float_to_ms(1_700_000_000.5, Unit::Seconds),
            Some(1_700_000_000_500)
        );
        assert_eq!(
            float_to_ms(1_700_000_000.1234, Unit::Seconds),
            Some(1_700_000_000_123)
        );
        assert_eq!(float_to_ms(f64::NAN, Unit::Millis), None);
        assert_eq!(float_to_ms(1e300, Unit::Millis), None);
        assert_eq!(Unit::from_name("us"), Ok(Some(Unit::Micros)));
        assert!(Unit::from_name("minutes").is_err());
    }

    #[test]
    fn epoch_columns() {
        let (t, v) = epoch_ints_to_ms(&[1_700_000_000, 1_700_000_060], None);
        assert_eq!((t, v), (vec![1_700_000_000_000, 1_700_000_060_000], None));
        let (_, v) = epoch_ints_to_ms(&[1_700_000_000, 1_700_000_060_000], None);
        assert_eq!(v.map(|v| (v.row, v.rule)), Some((1, "mixed_time_units")));
        let (t, v) = epoch_floats_to_ms(&[1_700_000_000.25], Some(Unit::Seconds));
        assert_eq!((t, v), (vec![1_700_000_000_250], None));
        let (_, v) = epoch_floats_to_ms(&[1.7e12, f64::NAN], None);
        assert_eq!(v.map(|v| (v.row, v.rule)), Some((1, "bad_time")));
        let texts = [
            Some("2024-01-01".to_string()),
            Some(" 2024-01-02 ".to_string()),
            None,
        ];
        let (t, v) = texts_to_ms(&texts, None);
        assert_eq!(t, vec![1_704_067_200_000, 1_704_153_600_000]);
        assert_eq!(v.map(|v| (v.row, v.rule)), Some((2, "missing_value")));
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(300_000), "5m");
        assert_eq!(format_duration(5_400_000), "90m");
        assert_eq!(format_duration(86_400_000), "1d");
        assert_eq!(format_duration(1_500), "1500ms");
        assert_eq!(format_duration(-60_000), "-1m");
    }
}
