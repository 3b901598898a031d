//! The rules every candle series must satisfy before it is used or stored, checked in one pass.
//!
//! Per row, in this order: the time against the previous row (`unsorted`, `duplicate_time`,
//! `inconsistent_timeframe`: the step must be a whole number of timeframes, so gaps are fine),
//! each value in column order (`nan`, `infinite`), then `high_below_open_close`,
//! `low_above_open_close` and `negative_volume`. The first violating row is reported.

use super::time::{format_duration, format_ms};
use super::{Ohlcv, Violation};
use crate::KernelError;

pub const FIELDS: [&str; 5] = ["open", "high", "low", "close", "volume"];

/// The first row that breaks a rule, or None. `timeframe_ms` 0 skips the timeframe rule.
pub fn validate(c: &Ohlcv, timeframe_ms: i64) -> Result<Option<Violation>, KernelError> {
    c.check_lengths("validate")?;
    if timeframe_ms < 0 {
        return Err(KernelError::new(format!(
            "validate: timeframe_ms must be >= 0, got {timeframe_ms}"
        )));
    }
    Ok(
        in_halves(c.time.len(), |rows| first_violation(c, timeframe_ms, rows))
            .into_iter()
            .flatten()
            .next(),
    ) // the first half's violation is the earlier row
}

/// Rows per half below which one thread does the whole scan. A scan reads every column once
/// and is bound by memory bandwidth, which two cores share better than one.
const HALF_MIN: usize = 1 << 20;

/// `f` over the first and the second half of `0..n`, on two threads for long series (native
/// build; the WASM build has one thread): results in order.
fn in_halves<T: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    if cfg!(target_arch = "wasm32") || n < 2 * HALF_MIN {
        return vec![f(0..n)];
    }
    let mid = n / 2;
    std::thread::scope(|s| {
        let later = s.spawn(|| f(mid..n));
        vec![f(0..mid), later.join().unwrap()]
    })
}

fn first_violation(
    c: &Ohlcv,
    timeframe_ms: i64,
    rows: std::ops::Range<usize>,
) -> Option<Violation> {
    let values = [c.open, c.high, c.low, c.close, c.volume];
    for row in rows {
        if row > 0 {
            let (prev, t) = (c.time[row - 1], c.time[row]);
            // Fast path: one bar later (no division), or any later time without a timeframe.
            let next_bar = t > prev && (timeframe_ms == 0 || t.wrapping_sub(prev) == timeframe_ms);
            if !next_bar {
                if let Some(v) = check_step(row, prev, t, timeframe_ms) {
                    return Some(v);
                }
            }
        }
        // Fast path: one branch for the common all-good row.
        let (o, h, l, cl, vol) = (
            c.open[row],
            c.high[row],
            c.low[row],
            c.close[row],
            c.volume[row],
        );
        if o.is_finite()
            && h.is_finite()
            && l.is_finite()
            && cl.is_finite()
            && vol.is_finite()
            && h >= o
            && h >= cl
            && l <= o
            && l <= cl
            && vol >= 0.0
        {
            continue;
        }
        return Some(check_values(row, values.map(|col| col[row])));
    }
    None
}

fn check_step(row: usize, prev: i64, t: i64, timeframe_ms: i64) -> Option<Violation> {
    let (rule, detail) = if t < prev {
        (
            "unsorted",
            format!(
                "time {} is before the previous row's {}",
                format_ms(t),
                format_ms(prev)
            ),
        )
    } else if t == prev {
        (
            "duplicate_time",
            format!("time {} repeats the previous row's", format_ms(t)),
        )
    } else if timeframe_ms > 0 && (t - prev) % timeframe_ms != 0 {
        (
            "inconsistent_timeframe",
            format!(
                "time {} is {} after the previous row's, not a whole number of {} bars",
                format_ms(t),
                format_duration(t - prev),
                format_duration(timeframe_ms)
            ),
        )
    } else {
        return None;
    };
    Some(Violation::new(row, "time", rule, detail))
}

/// The violation of a row known to break a value rule.
#[cold]
fn check_values(row: usize, v: [f64; 5]) -> Violation {
    for (name, x) in FIELDS.iter().zip(v) {
        if x.is_nan() {
            return Violation::new(row, name, "nan", format!("{name} is NaN"));
        }
        if x.is_infinite() {
            return Violation::new(row, name, "infinite", format!("{name} is {x}"));
        }
    }
    let [o, h, l, c, vol] = v;
    if h < o || h < c {
        return Violation::new(
            row,
            "high",
            "high_below_open_close",
            format!("high {h} is below max(open {o}, close {c})"),
        );
    }
    if l > o || l > c {
        return Violation::new(
            row,
            "low",
            "low_above_open_close",
            format!("low {l} is above min(open {o}, close {c})"),
        );
    }
    Violation::new(
        row,
        "volume",
        "negative_volume",
        format!("volume {vol} is negative"),
    )
}

/// The most common step between consecutive times (ties: the smallest), or None when there
/// are fewer than two rows or no positive step.
pub fn infer_timeframe(time: &[i64]) -> Option<i64> {
    let steps = || {
        time.windows(2)
            .map(|w| w[1].wrapping_sub(w[0]))
            .filter(|&d| d > 0)
    };
    // The usual case, one pass without branches: the first step is the majority.
    let first = steps().next()?;
    let counts = in_halves(time.len().saturating_sub(1), |steps| {
        let (mut same, mut total) = (0usize, 0usize);
        for i in steps {
            let d = time[i + 1].wrapping_sub(time[i]);
            same += usize::from(d == first); // first > 0
            total += usize::from(d > 0);
        }
        (same, total)
    });
    let (same, total) = counts.iter().fold((0, 0), |(s, t), &(a, b)| (s + a, t + b));
    if same * 2 > total {
        return Some(first);
    }
    // Boyer-Moore majority vote, then one pass to confirm it: no allocation when one step
    // has a strict majority; a hash count only when none has.
    let (mut candidate, mut votes, mut total) = (0i64, 0usize, 0usize);
    for d in steps() {
        total += 1;
        if votes == 0 {
            candidate = d;
        }
        votes = if d == candidate { votes + 1 } else { votes - 1 };
    }
    if total == 0 {
        return None;
    }
    if steps().filter(|&d| d == candidate).count() * 2 > total {
        return Some(candidate);
    }
    let mut counts = std::collections::HashMap::new();
    for d in steps() {
        *counts.entry(d).or_insert(0usize) += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(d, _)| d)
}

/// The missing stretches of a series with `timeframe_ms` bars: `(start, end)` pairs in ms,
/// start inclusive, end exclusive, wherever two consecutive times are more than one bar apart.
pub fn gaps(time: &[i64], timeframe_ms: i64) -> Result<Vec<(i64, i64)>, KernelError> {
    if timeframe_ms < 1 {
        return Err(KernelError::new(format!(
            "gaps: timeframe_ms must be >= 1, got {timeframe_ms}"
        )));
    }
    Ok(time
        .windows(2)
        .filter(|w| w[1] - w[0] > timeframe_ms)
        .map(|w| (w[0] + timeframe_ms, w[1]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ohlcv::Owned;

    fn series(rows: &[(i64, f64, f64, f64, f64, f64)]) -> Owned {
        let mut c = Owned::default();
        for &(t, o, h, l, cl, v) in rows {
            c.push(t, [o, h, l, cl, v]);
        }
        c
    }

    fn first(
        rows: &[(i64, f64, f64, f64, f64, f64)],
        tf: i64,
    ) -> Option<(usize, &'static str, &'static str)> {
        let c = series(rows);
        validate(&c.view(), tf)
            .unwrap()
            .map(|v| (v.row, v.field, v.rule))
    }

    const OK: (i64, f64, f64, f64, f64, f64) = (0, 10.0, 12.0, 9.0, 11.0, 5.0);

    fn at(t: i64) -> (i64, f64, f64, f64, f64, f64) {
        (t, OK.1, OK.2, OK.3, OK.4, OK.5)
    }

    #[test]
    fn long_series_are_checked_in_halves_with_the_same_answers() {
        let n = 2 * HALF_MIN + 11;
        let mut c = Owned::default();
        for i in 0..n as i64 {
            c.push(i * 60, [OK.1, OK.2, OK.3, OK.4, OK.5]);
        }
        assert_eq!(validate(&c.view(), 60).unwrap(), None);
        assert_eq!(infer_timeframe(&c.time), Some(60));
        let mid = n / 2;
        // At the seam (the step into the second half's first row), in each half, in both.
        for bad in [
            vec![mid],
            vec![3],
            vec![n - 1],
            vec![mid + 5, 7],
            vec![mid - 1, n - 2],
        ] {
            let mut d = c.clone();
            for &row in &bad {
                d.time[row] += 1;
            }
            let got = validate(&d.view(), 60).unwrap().map(|v| (v.row, v.rule));
            assert_eq!(
                got,
                Some((*bad.iter().min().unwrap(), "inconsistent_timeframe")),
                "{bad:?}"
            );
        }
        let mut d = c.clone();
        d.low[mid + 1] = 100.0;
        assert_eq!(
            validate(&d.view(), 60).unwrap().map(|v| (v.row, v.rule)),
            Some((mid + 1, "low_above_open_close"))
        );
        // The majority counted over both halves: 120 s steps in most of the second half.
        let mut d = c.clone();
        for (i, t) in d.time.iter_mut().enumerate().skip(mid / 2) {
            *t = (mid / 2) as i64 * 60 + (i - mid / 2) as i64 * 120;
        }
        assert_eq!(infer_timeframe(&d.time), Some(120));
    }

    #[test]
    fn good_series_passes() {
        assert_eq!(first(&[at(0), at(60), at(180)], 60), None);
        assert_eq!(first(&[], 60), None);
        assert_eq!(first(&[(0, 1.0, 1.0, 1.0, 1.0, 0.0)], 0), None); // flat bar, zero volume
    }

    #[test]
    fn each_rule() {
        assert_eq!(first(&[at(60), at(0)], 60), Some((1, "time", "unsorted")));
        assert_eq!(
            first(&[at(0), at(0)], 60),
            Some((1, "time", "duplicate_time"))
        );
        assert_eq!(
            first(&[at(0), at(90)], 60),
            Some((1, "time", "inconsistent_timeframe"))
        );
        assert_eq!(first(&[at(0), at(90)], 0), None);
        assert_eq!(
            first(&[(0, f64::NAN, 12.0, 9.0, 11.0, 5.0)], 0),
            Some((0, "open", "nan"))
        );
        assert_eq!(
            first(&[(0, 10.0, 12.0, 9.0, 11.0, f64::NAN)], 0),
            Some((0, "volume", "nan"))
        );
        assert_eq!(
            first(&[(0, 10.0, f64::INFINITY, 9.0, 11.0, 5.0)], 0),
            Some((0, "high", "infinite"))
        );
        assert_eq!(
            first(&[(0, 10.0, 10.5, 9.0, 11.0, 5.0)], 0),
            Some((0, "high", "high_below_open_close"))
        );
        assert_eq!(
            first(&[(0, 10.0, 12.0, 10.5, 10.2, 5.0)], 0),
            Some((0, "low", "low_above_open_close"))
        );
        assert_eq!(
            first(&[(0, 10.0, 12.0, 9.0, 11.0, -1.0)], 0),
            Some((0, "volume", "negative_volume"))
        );
    }

    #[test]
    fn reports_the_first_row_and_time_before_values() {
        let rows = [at(0), (60, 10.0, 12.0, 9.0, 11.0, -1.0), at(30)];
        assert_eq!(first(&rows, 60), Some((1, "volume", "negative_volume")));
        let rows = [at(0), (0, f64::NAN, 12.0, 9.0, 11.0, 5.0)];
        assert_eq!(first(&rows, 60), Some((1, "time", "duplicate_time")));
    }

    #[test]
    fn details_name_values() {
        let c = series(&[(1_700_000_000_000, 10.0, 10.5, 9.0, 11.0, 5.0)]);
        let v = validate(&c.view(), 0).unwrap().unwrap();
        assert_eq!(v.detail, "high 10.5 is below max(open 10, close 11)");
        let c = series(&[at(1_700_000_000_000), at(1_700_000_090_000)]);
        let v = validate(&c.view(), 60_000).unwrap().unwrap();
        assert_eq!(v.detail, "time 2023-11-14T22:14:50Z is 90s after the previous row's, not a whole number of 1m bars");
    }

    #[test]
    fn lengths_must_match() {
        let mut c = series(&[OK]);
        c.close.push(1.0);
        assert!(validate(&c.view(), 0).is_err());
        assert!(validate(&series(&[OK]).view(), -1).is_err());
    }

    #[test]
    fn timeframe_is_the_most_common_step() {
        assert_eq!(infer_timeframe(&[]), None);
        assert_eq!(infer_timeframe(&[5]), None);
        assert_eq!(infer_timeframe(&[0, 60, 120, 300, 360]), Some(60));
        // No majority: the most frequent step, the smallest on ties.
        assert_eq!(infer_timeframe(&[0, 60, 180, 300, 360, 540]), Some(60));
        assert_eq!(infer_timeframe(&[0, 120, 180, 300, 360]), Some(60));
        assert_eq!(infer_timeframe(&[0, 30, 90, 150, 210, 240, 360]), Some(60));
        assert_eq!(
            infer_timeframe(&[0, 86_400, 3 * 86_400, 4 * 86_400]),
            Some(86_400)
        );
        assert_eq!(infer_timeframe(&[10, 5, 0]), None);
    }

    #[test]
    fn gaps_between_bars() {
        assert_eq!(
            gaps(&[0, 60, 180, 240, 600], 60).unwrap(),
            vec![(120, 180), (300, 600)]
        );
        assert_eq!(gaps(&[], 60).unwrap(), vec![]);
        assert!(gaps(&[0], 0).is_err());
    }
}
