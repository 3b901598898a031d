//! What a run's statistics are made of, as `stats.measure` computes it (same fields, same
//! bits): per-bar returns' mean, sample deviation and downside deviation; the deepest drawdown
//! and the longest time under a peak; the closed trades' P&L figures; fees and exposure.
//! Sums are exact (`fsum`), as Python's are; `stats.summarize` turns these into statistics.

use super::account::Trade;
use super::fsum::Fsum;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measures {
    pub bars: usize,
    pub start: i64,
    pub end: i64,
    pub final_value: f64,
    pub curve: Curve,
    pub trades: usize,
    pub wins: usize,
    pub losses: usize,
    pub win_sum: f64,
    pub loss_sum: f64,
    pub pnl_mean: f64,
    pub pnl_std: f64,
    pub best: f64,
    pub worst: f64,
    pub open_trades: usize,
    pub fees: f64,
    pub exposed_bars: usize,
}

/// Numbers in a measures record, in the order of `stats.Measures`' fields.
pub const FIELDS: usize = 22;

impl Measures {
    pub fn record(&self) -> [f64; FIELDS] {
        [
            self.bars as f64,
            self.start as f64,
            self.end as f64,
            self.final_value,
            self.curve.return_mean,
            self.curve.return_std,
            self.curve.downside,
            self.curve.max_drawdown,
            self.curve.drawdown_ms as f64,
            self.curve.drawdown_bars as f64,
            self.trades as f64,
            self.wins as f64,
            self.losses as f64,
            self.win_sum,
            self.loss_sum,
            self.pnl_mean,
            self.pnl_std,
            self.best,
            self.worst,
            self.open_trades as f64,
            self.fees,
            self.exposed_bars as f64,
        ]
    }
}

/// Scratch space for `measure`, reused across columns.
#[derive(Default)]
pub struct Scratch {
    sum: Fsum,
    losses: Fsum,
    returns: Vec<f64>,
    spans: Vec<(usize, usize)>,
}

/// The measures of a run of at least one bar: its times, equity, closed trades (in closing
/// order) and open trade.
pub fn measure(time: &[i64], equity: &[f64], trades: &[Trade], open: Option<&Trade>, scratch: &mut Scratch) -> Measures {
    let n = equity.len();
    let curve = curve(time, equity, scratch);
    let s = &mut scratch.sum;
    let pnls = || trades.iter().map(Trade::pnl);
    s.clear();
    pnls().for_each(|p| s.add(p));
    let (pnl_mean, pnl_std) = mean_std(pnls, trades.len(), s.total(), s);
    let sum_of = |s: &mut Fsum, keep: fn(f64) -> bool| {
        s.clear();
        pnls().filter(|&p| keep(p)).for_each(|p| s.add(p));
        s.total()
    };
    let win_sum = sum_of(s, |p| p > 0.0);
    let loss_sum = sum_of(s, |p| p < 0.0);
    let (mut best, mut worst) = (f64::NAN, f64::NAN);
    for (k, p) in pnls().enumerate() {
        if k == 0 || p > best {
            best = p;
        }
        if k == 0 || p < worst {
            worst = p;
        }
    }
    s.clear();
    trades.iter().chain(open).for_each(|t| s.add(t.commission));
    let fees = s.total();
    Measures {
        bars: n,
        start: time[0],
        end: time[n - 1],
        final_value: equity[n - 1],
        curve,
        trades: trades.len(),
        wins: pnls().filter(|&p| p > 0.0).count(),
        losses: pnls().filter(|&p| p < 0.0).count(),
        win_sum,
        loss_sum,
        pnl_mean,
        pnl_std,
        best,
        worst,
        open_trades: open.is_some() as usize,
        fees,
        exposed_bars: exposed_bars(trades, open, n, &mut scratch.spans),
    }
}

/// The equity curve's part of the measures (what the event engine's `stats.measure` asks the
/// kernel for: the rest is a few sums over the trades). NaN where `stats` has None (fewer than
/// one or two returns).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curve {
    pub return_mean: f64,
    pub return_std: f64,
    pub downside: f64,
    pub max_drawdown: f64,
    pub drawdown_ms: i64,
    pub drawdown_bars: usize,
}

/// The curve measures of at least one bar (times and equity of the same length).
pub fn curve(time: &[i64], equity: &[f64], scratch: &mut Scratch) -> Curve {
    let (return_mean, return_std, downside) = returns(equity, scratch);
    let (max_drawdown, drawdown_ms, drawdown_bars) = drawdown(time, equity);
    Curve { return_mean, return_std, downside, max_drawdown, drawdown_ms, drawdown_bars }
}

/// Simple returns of the equity curve (0 after a zero value), as `stats.curve` defines them.
#[inline(always)]
fn simple_return(before: f64, after: f64) -> f64 {
    if before != 0.0 {
        after / before - 1.0
    } else {
        0.0
    }
}

/// The returns' mean, sample standard deviation and downside deviation (NaN where undefined):
/// one pass for the returns, their sum and their squared losses, one for the deviations.
fn returns(equity: &[f64], scratch: &mut Scratch) -> (f64, f64, f64) {
    let m = equity.len().saturating_sub(1);
    if m == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let Scratch { sum, losses, returns, .. } = scratch;
    returns.clear();
    sum.clear();
    losses.clear();
    for w in equity.windows(2) {
        let r = simple_return(w[0], w[1]);
        returns.push(r);
        sum.add(r);
        losses.add(if 0.0 > r { r * r } else { 0.0 }); // adding zero changes nothing: no branch
    }
    let (mean, std) = mean_std(|| returns.iter().copied(), m, sum.total(), sum);
    (mean, std, (losses.total() / m as f64).sqrt())
}

/// Mean and sample standard deviation of `count` values of exact sum `total` (NaN below one,
/// two values), as `stats._mean_std`; `s` is scratch.
fn mean_std<I: Iterator<Item = f64>>(values: impl Fn() -> I, count: usize, total: f64, s: &mut Fsum) -> (f64, f64) {
    if count == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = total / count as f64;
    if count < 2 {
        return (mean, f64::NAN);
    }
    s.clear();
    values().for_each(|x| {
        let d = x - mean;
        s.add(d * d)
    });
    (mean, (s.total() / (count - 1) as f64).sqrt())
}

/// The deepest fall from a peak (a fraction of the peak), and the longest time from a peak to
/// regaining it (or to the end), in ms and bars: `stats.drawdown`.
fn drawdown(time: &[i64], equity: &[f64]) -> (f64, i64, usize) {
    let n = equity.len();
    let positive = equity[0] > 0.0; // peaks only rise: all positive
    let mut peak = equity[0];
    let mut least = f64::NAN; // the lowest value / peak
    let mut worst = 0.0f64; // else: the largest 1 - value / peak over positive peaks
    let mut high = 0; // the last bar at a peak
    let mut longest = (0i64, 0usize);
    for (k, &v) in equity.iter().enumerate() {
        if v > peak {
            peak = v;
        }
        if positive {
            let r = v / peak;
            if k == 0 || r < least {
                least = r;
            }
        } else {
            let fall = if peak > 0.0 { 1.0 - v / peak } else { 0.0 };
            if k == 0 || fall > worst {
                worst = fall;
            }
        }
        if v >= peak {
            let span = (time[k] - time[high], k - high);
            if span.1 > 1 && span > longest {
                longest = span;
            }
            high = k;
        }
    }
    if high != n - 1 {
        let span = (time[n - 1] - time[high], n - 1 - high);
        if span > longest {
            longest = span;
        }
    }
    (if positive { 1.0 - least } else { worst }, longest.0, longest.1)
}

/// Bars that ended with a position open: the union of the trades' [entry, exit) spans.
fn exposed_bars(trades: &[Trade], open: Option<&Trade>, bars: usize, spans: &mut Vec<(usize, usize)>) -> usize {
    spans.clear();
    spans.extend(trades.iter().chain(open).map(|t| (t.entry_step, if t.open { bars } else { t.exit_step })));
    spans.sort_unstable();
    let (mut covered, mut end) = (0, 0);
    for &(a, b) in spans.iter() {
        let a = a.max(end);
        if b > a {
            covered += b - a;
            end = b;
        }
    }
    covered
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn trade(pnl: f64, entry: usize, exit: usize) -> Trade {
        Trade {
            long: true,
            entry_order: 1,
            exit_order: 2,
            size: 1.0,
            entry_step: entry,
            entry_price: 1.0,
            exit_step: exit,
            exit_price: 1.0,
            exit_size: 1.0,
            gross: pnl + 1.0,
            commission: 1.0,
            open: false,
        }
    }

    #[test]
    fn a_small_run_as_stats_computes_it() {
        // The hand-computed run of tests/test_engine_stats.py.
        let time = [0, DAY, 2 * DAY, 3 * DAY];
        let equity = [100.0, 110.0, 99.0, 121.0];
        let trades = [trade(10.0, 0, 1), trade(-5.0, 1, 2), trade(20.0, 2, 3), trade(-2.5, 3, 3)];
        let m = measure(&time, &equity, &trades, None, &mut Scratch::default());
        let r = [110.0 / 100.0 - 1.0, 99.0 / 110.0 - 1.0, 121.0 / 99.0 - 1.0];
        assert!((m.curve.return_mean - (r[0] + r[1] + r[2]) / 3.0).abs() < 1e-15);
        assert_eq!(m.curve.downside, (r[1] * r[1] / 3.0).sqrt());
        assert!((m.curve.max_drawdown - 0.1).abs() < 1e-15);
        assert_eq!((m.curve.drawdown_ms, m.curve.drawdown_bars), (2 * DAY, 2));
        assert_eq!((m.trades, m.wins, m.losses, m.win_sum, m.loss_sum), (4, 2, 2, 30.0, -7.5));
        assert_eq!((m.pnl_mean, m.best, m.worst, m.fees), (5.625, 20.0, -5.0, 4.0));
        assert_eq!(m.exposed_bars, 3);
    }

    #[test]
    fn under_water_at_the_end_and_undefined_values() {
        let (worst, ms, bars) = drawdown(&[0, 10, 20, 30, 40], &[5.0, 8.0, 4.0, 6.0, 7.0]);
        assert_eq!((worst, ms, bars), (0.5, 30, 3));
        let m = measure(&[0], &[100.0], &[], None, &mut Scratch::default());
        assert!(m.curve.return_mean.is_nan() && m.curve.return_std.is_nan() && m.curve.downside.is_nan());
        assert!(m.pnl_mean.is_nan() && m.best.is_nan());
        assert_eq!((m.curve.max_drawdown, m.curve.drawdown_ms, m.curve.drawdown_bars, m.exposed_bars), (0.0, 0, 0, 0));
    }

    #[test]
    fn open_trades_count_to_the_end() {
        let mut open = trade(0.0, 2, 0);
        open.open = true;
        let m = measure(&[0, 1, 2, 3], &[1.0; 4], &[trade(1.0, 0, 1)], Some(&open), &mut Scratch::default());
        assert_eq!((m.open_trades, m.exposed_bars, m.fees), (1, 3, 2.0));
    }
}
