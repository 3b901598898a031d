//! Resampling to a longer timeframe: each output bar aggregates the input bars whose open time
//! falls in its period — open of the first, highest high, lowest low, close of the last, sum of
//! the volumes (added in time order). Periods are aligned on the Unix epoch, except weeks,
//! which start on Monday 00:00 UTC as exchanges' weekly candles do. Periods without any input
//! bar are absent (a gap stays a gap); a period with some bars missing aggregates those present.

use super::time::format_duration;
use super::{Ohlcv, Owned};
use crate::KernelError;

const WEEK: i64 = 604_800_000;
/// 1970-01-01 was a Thursday: Mondays are 4 days after a multiple of 7 days.
const MONDAY: i64 = 4 * 86_400_000;

/// The start of the `target_ms` period holding time `t`.
#[inline]
pub fn period_start(t: i64, target_ms: i64) -> i64 {
    let offset = if target_ms % WEEK == 0 { MONDAY } else { 0 };
    (t - offset).div_euclid(target_ms) * target_ms + offset
}

pub fn resample(c: &Ohlcv, source_ms: i64, target_ms: i64) -> Result<Owned, KernelError> {
    c.check_lengths("resample")?;
    if source_ms < 1 || target_ms < 1 {
        return Err(KernelError::new(format!(
            "resample: timeframes must be >= 1 ms, got {source_ms} and {target_ms}"
        )));
    }
    if target_ms % source_ms != 0 {
        return Err(KernelError::new(format!(
            "resample: cannot build {} bars from {} bars ({} is not a whole number of {})",
            format_duration(target_ms),
            format_duration(source_ms),
            format_duration(target_ms),
            format_duration(source_ms)
        )));
    }
    let mut periods = 0;
    for i in 0..c.len() {
        if i > 0 && c.time[i] <= c.time[i - 1] {
            return Err(KernelError::new(format!(
                "resample: times must be strictly increasing (row {i} is not after row {})",
                i - 1
            )));
        }
        if i == 0 || period_start(c.time[i], target_ms) != period_start(c.time[i - 1], target_ms) {
            periods += 1;
        }
    }
    let mut out = Owned::default();
    for col in [
        &mut out.open,
        &mut out.high,
        &mut out.low,
        &mut out.close,
        &mut out.volume,
    ] {
        col.reserve_exact(periods);
    }
    out.time.reserve_exact(periods);
    let mut i = 0;
    while i < c.len() {
        let start = period_start(c.time[i], target_ms);
        let (open, mut high, mut low, mut volume) = (c.open[i], c.high[i], c.low[i], c.volume[i]);
        let mut j = i + 1;
        while j < c.len() && c.time[j] < start + target_ms {
            high = max_nan(high, c.high[j]);
            low = min_nan(low, c.low[j]);
            volume += c.volume[j];
            j += 1;
        }
        out.push(start, [open, high, low, c.close[j - 1], volume]);
        i = j;
    }
    Ok(out)
}

/// max and min that keep a NaN (f64::max would drop it and hide bad data).
#[inline]
fn max_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if b > a {
        b
    } else {
        a
    }
}

#[inline]
fn min_nan(a: f64, b: f64) -> f64 {
    -max_nan(-a, -b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(n: usize, skip: &[usize]) -> Owned {
        let mut c = Owned::default();
        for i in 0..n {
            if skip.contains(&i) {
                continue;
            }
            let base = 100.0 + (i as f64 * 0.37).sin() * 5.0;
            c.push(
                i as i64 * 60_000,
                [
                    base,
                    base + 1.0 + (i % 3) as f64,
                    base - 1.0 - (i % 5) as f64,
                    base + 0.5,
                    (i % 7) as f64,
                ],
            );
        }
        c
    }

    #[test]
    fn aggregates_exactly() {
        let c = minutes(12, &[]);
        let r = resample(&c.view(), 60_000, 300_000).unwrap();
        assert_eq!(r.time, vec![0, 300_000, 600_000]);
        for (k, range) in [(0..5), (5..10), (10..12)].into_iter().enumerate() {
            assert_eq!(r.open[k], c.open[range.start]);
            assert_eq!(r.close[k], c.close[range.end - 1]);
            assert_eq!(
                r.high[k],
                c.high[range.clone()]
                    .iter()
                    .cloned()
                    .fold(f64::MIN, f64::max)
            );
            assert_eq!(
                r.low[k],
                c.low[range.clone()]
                    .iter()
                    .cloned()
                    .fold(f64::MAX, f64::min)
            );
            let mut v = 0.0;
            for x in &c.volume[range] {
                v += x;
            }
            assert_eq!(r.volume[k], v);
        }
    }

    #[test]
    fn gaps_stay_gaps() {
        let c = minutes(15, &[5, 6, 7, 8, 9, 11]);
        let r = resample(&c.view(), 60_000, 300_000).unwrap();
        assert_eq!(r.time, vec![0, 600_000]);
        assert_eq!(r.open[1], c.open[5]); // row 5 of c is minute 10
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2024-01-01 was a Monday.
        let monday = 1_704_067_200_000;
        assert_eq!(period_start(monday + 3 * 86_400_000, WEEK), monday);
        assert_eq!(period_start(monday - 1, WEEK), monday - WEEK);
        assert_eq!(period_start(monday + 5 * 3_600_000, 86_400_000), monday);
        assert_eq!(period_start(-1, 3_600_000), -3_600_000);
    }

    #[test]
    fn nan_is_kept() {
        assert!(max_nan(1.0, f64::NAN).is_nan());
        assert!(max_nan(f64::NAN, 1.0).is_nan());
        assert!(min_nan(f64::NAN, 1.0).is_nan());
        assert_eq!(max_nan(1.0, 2.0), 2.0);
        assert_eq!(min_nan(1.0, 2.0), 1.0);
    }

    #[test]
    fn rejects_bad_arguments() {
        let c = minutes(3, &[]);
        assert!(resample(&c.view(), 60_000, 90_000).is_err());
        assert!(resample(&c.view(), 0, 60_000).is_err());
        let mut d = minutes(3, &[]);
        d.time[2] = 0;
        let e = resample(&d.view(), 60_000, 300_000).unwrap_err();
        assert_eq!(
            e.message(),
            "resample: times must be strictly increasing (row 2 is not after row 1)"
        );
        assert_eq!(
            resample(&minutes(0, &[]).view(), 60_000, 300_000).unwrap(),
            Owned::default()
        );
    }
}
