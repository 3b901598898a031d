//! Candles from trades, equal to Binance's klines for the same trades.
//!
//! A bar holds the trades whose time falls in `[t, t + timeframe)`, `t` on the timeframe's grid
//! in UTC (aligned on the Unix epoch; weeks start on Monday 00:00, as `ohlcv::resample` aligns
//! them): open is its first trade's price, high and low the extremes, close the last price,
//! volume the sum of the amounts, quote volume the sum of price x amount (both exact decimal
//! sums, see `exact`), and the number of trades. From the first trade on every interval has a
//! bar: one without trades repeats the previous close, with zero volume and no trades, as the
//! exchange's klines do. Months, whose length varies, are not a timeframe here.
//!
//! [`CandleBuilder`] is the streaming form: fed trade by trade (and told when the clock moves,
//! so a bar closes without waiting for the next trade), it gives the bars that closed and the
//! one forming. [`candles_from_trades`] runs it over columns; its last bar is the forming one.

use std::ops::Deref;

use super::exact::{product, DecimalSum};
use crate::ohlcv::Owned;
use crate::ohlcv::resample::period_start;
use crate::orders::decimal::Dec;
use crate::KernelError;

const KERNEL: &str = "candles_from_trades";

/// One bar: open time (UTC ms), prices, base and quote volume, and how many trades it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub time: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
    pub quote_volume: f64,
    pub trades: i64,
}

/// Bars as columns, what the batch form returns: the candle columns (read through, as
/// `c.time`, `c.open`...), and for each bar its quote volume and number of trades.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TradeCandles {
    pub candles: Owned,
    pub quote_volume: Vec<f64>,
    pub trades: Vec<i64>,
}

impl Deref for TradeCandles {
    type Target = Owned;

    fn deref(&self) -> &Owned {
        &self.candles
    }
}

impl TradeCandles {
    fn with_capacity(n: usize) -> Self {
        TradeCandles {
            candles: Owned::with_capacity(n),
            quote_volume: Vec::with_capacity(n),
            trades: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, b: &Bar) {
        self.candles
            .push(b.time, [b.open, b.high, b.low, b.close, b.volume]);
        self.quote_volume.push(b.quote_volume);
        self.trades.push(b.trades);
    }
}

/// The bar being built: sums stay exact decimals until it is read.
#[derive(Debug, Clone, Copy)]
struct Forming {
    time: i64,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: DecimalSum,
    quote: DecimalSum,
    trades: i64,
}

impl Forming {
    fn empty(time: i64, price: f64) -> Self {
        Forming {
            time,
            open: price,
            high: price,
            low: price,
            close: price,
            volume: DecimalSum::ZERO,
            quote: DecimalSum::ZERO,
            trades: 0,
        }
    }

    fn bar(&self) -> Bar {
        Bar {
            time: self.time,
            open: self.open,
            high: self.high,
            low: self.low,
            close: self.close,
            volume: self.volume.value(),
            quote_volume: self.quote.value(),
            trades: self.trades,
        }
    }
}

/// Why a trade was refused; the batch form adds the row to the message.
enum Problem {
    Price(f64),
    Amount(f64),
    Earlier { time: i64, last: i64 },
    Closed { time: i64, bar: i64 },
}

impl Problem {
    fn error(&self, row: Option<usize>) -> KernelError {
        let at = row.map_or(String::new(), |r| format!(" at row {r}"));
        KernelError::new(match self {
            Problem::Price(p) => format!("{KERNEL}: the price{at} must be a finite number > 0, got {p}"),
            Problem::Amount(a) => format!("{KERNEL}: the amount{at} must be a finite number > 0, got {a}"),
            Problem::Earlier { time, last } => format!(
                "{KERNEL}: trades must be in time order: the trade{at} at {time} comes after one at {last}"
            ),
            Problem::Closed { time, bar } => format!(
                "{KERNEL}: the trade{at} at {time} falls in a bar that has closed (the bar forming opened at {bar})"
            ),
        })
    }
}

/// The streaming form: `update` with each trade in time order, `advance` as the clock moves.
#[derive(Debug, Clone)]
pub struct CandleBuilder {
    timeframe: i64,
    bar: Option<Forming>,
    last_trade: i64,
    // The previous trade's decimals: consecutive trades often share a price or an amount.
    price: (f64, Dec),
    amount: (f64, Dec),
}

impl CandleBuilder {
    pub fn new(timeframe_ms: i64) -> Result<Self, KernelError> {
        if timeframe_ms < 1 {
            return Err(KernelError::new(format!(
                "{KERNEL}: timeframe_ms must be >= 1, got {timeframe_ms}"
            )));
        }
        Ok(CandleBuilder {
            timeframe: timeframe_ms,
            bar: None,
            last_trade: i64::MIN,
            price: (0.0, Dec::ZERO),
            amount: (0.0, Dec::ZERO),
        })
    }

    /// Adds a trade at `time` (UTC ms); the bars it closes are appended to `closed`.
    pub fn update(
        &mut self,
        time: i64,
        price: f64,
        amount: f64,
        closed: &mut Vec<Bar>,
    ) -> Result<(), KernelError> {
        self.step(time, price, amount, closed)
            .map_err(|p| p.error(None))
    }

    fn step(
        &mut self,
        time: i64,
        price: f64,
        amount: f64,
        closed: &mut Vec<Bar>,
    ) -> Result<(), Problem> {
        if !(price.is_finite() && price > 0.0) {
            return Err(Problem::Price(price));
        }
        if !(amount.is_finite() && amount > 0.0) {
            return Err(Problem::Amount(amount));
        }
        if time < self.last_trade {
            return Err(Problem::Earlier {
                time,
                last: self.last_trade,
            });
        }
        self.advance(time, closed);
        let p = cached(&mut self.price, price);
        let a = cached(&mut self.amount, amount);
        match &mut self.bar {
            Some(bar) if time < bar.time => {
                return Err(Problem::Closed {
                    time,
                    bar: bar.time,
                })
            }
            Some(bar) => {
                if bar.trades == 0 {
                    // The first trade of a bar opened at the previous close: it opens the bar.
                    *bar = Forming::empty(bar.time, price);
                }
                bar.high = if price > bar.high { price } else { bar.high };
                bar.low = if price < bar.low { price } else { bar.low };
                bar.close = price;
                bar.volume.add(a);
                bar.quote.add(product(p, a));
                bar.trades += 1;
            }
            None => {
                let mut bar = Forming::empty(period_start(time, self.timeframe), price);
                bar.volume.add(a);
                bar.quote.add(product(p, a));
                bar.trades = 1;
                self.bar = Some(bar);
            }
        }
        self.last_trade = time;
        Ok(())
    }

    /// The clock reached `now` (UTC ms): every bar ending at or before it closes, those without
    /// trades included, and is appended to `closed`.
    pub fn advance(&mut self, now: i64, closed: &mut Vec<Bar>) {
        while let Some(bar) = self.bar {
            match bar.time.checked_add(self.timeframe) {
                Some(end) if end <= now => {
                    closed.push(bar.bar());
                    self.bar = Some(Forming::empty(end, bar.close));
                }
                _ => break,
            }
        }
    }

    /// The bar forming now (None before the first trade).
    pub fn forming(&self) -> Option<Bar> {
        self.bar.as_ref().map(Forming::bar)
    }

    pub fn reset(&mut self) {
        self.bar = None;
        self.last_trade = i64::MIN;
    }
}

fn cached(slot: &mut (f64, Dec), x: f64) -> Dec {
    if slot.0.to_bits() != x.to_bits() {
        *slot = (x, Dec::from_f64(x));
    }
    slot.1
}

/// Bars from trades given as columns (times in UTC ms, in order), up to the bar holding the
/// last trade — or, with `now`, up to the bar forming at `now` (the intervals after the last
/// trade get empty bars, as the exchange serves them). The last bar is the forming one.
pub fn candles_from_trades(
    time: &[i64],
    price: &[f64],
    amount: &[f64],
    timeframe_ms: i64,
    now: Option<i64>,
) -> Result<TradeCandles, KernelError> {
    let n = time.len();
    for (name, col) in [("price", price), ("amount", amount)] {
        if col.len() != n {
            return Err(KernelError::new(format!(
                "{KERNEL}: {name} has {} values, time has {n}",
                col.len()
            )));
        }
    }
    let mut builder = CandleBuilder::new(timeframe_ms)?;
    let estimate = match (time.first(), time.last()) {
        (Some(&a), Some(&b)) if b >= a => {
            let end = now.unwrap_or(b).max(b);
            ((end.saturating_sub(a) / timeframe_ms) as usize)
                .saturating_add(2)
                .min(n + 2)
        }
        _ => 0,
    };
    let mut out = TradeCandles::with_capacity(estimate);
    let mut closed = Vec::new();
    for i in 0..n {
        builder
            .step(time[i], price[i], amount[i], &mut closed)
            .map_err(|p| p.error(Some(i)))?;
        for b in closed.drain(..) {
            out.push(&b);
        }
    }
    if let Some(now) = now {
        builder.advance(now, &mut closed);
        for b in closed.drain(..) {
            out.push(&b);
        }
    }
    if let Some(b) = builder.forming() {
        out.push(&b);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn bars(t: &[i64], p: &[f64], a: &[f64], tf: i64, now: Option<i64>) -> TradeCandles {
        candles_from_trades(t, p, a, tf, now).unwrap()
    }

    #[test]
    fn aggregates_each_interval() {
        let t = [5_000, 20_000, 59_999, 60_000, 61_000];
        let p = [100.0, 101.5, 99.25, 100.5, 102.0];
        let a = [0.1, 0.2, 1.0, 2.0, 0.5];
        let c = bars(&t, &p, &a, MIN, None);
        assert_eq!(c.time, vec![0, MIN]);
        assert_eq!(c.open, vec![100.0, 100.5]);
        assert_eq!(c.high, vec![101.5, 102.0]);
        assert_eq!(c.low, vec![99.25, 100.5]);
        assert_eq!(c.close, vec![99.25, 102.0]);
        assert_eq!(c.volume, vec![1.3, 2.5]);
        assert_eq!(c.quote_volume, vec![10.0 + 20.3 + 99.25, 201.0 + 51.0]);
        assert_eq!(c.trades, vec![3, 2]);
    }

    #[test]
    fn volumes_are_decimal_sums() {
        let c = bars(&[0, 1], &[3.0, 3.0], &[0.1, 0.2], MIN, None);
        assert_eq!(c.volume, vec![0.3]); // not 0.30000000000000004
        assert_eq!(c.quote_volume, vec![0.9]);
    }

    #[test]
    fn empty_intervals_repeat_the_previous_close() {
        let c = bars(
            &[10, 3 * MIN + 5],
            &[7.5, 8.0],
            &[1.0, 2.0],
            MIN,
            Some(5 * MIN),
        );
        assert_eq!(c.time, vec![0, MIN, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN]);
        assert_eq!(c.open, vec![7.5, 7.5, 7.5, 8.0, 8.0, 8.0]);
        assert_eq!(c.high, vec![7.5, 7.5, 7.5, 8.0, 8.0, 8.0]);
        assert_eq!(c.volume, vec![1.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        assert_eq!(c.quote_volume, vec![7.5, 0.0, 0.0, 16.0, 0.0, 0.0]);
        assert_eq!(c.trades, vec![1, 0, 0, 1, 0, 0]);
        // No bars before the first trade, and none without trades at all.
        assert!(bars(&[], &[], &[], MIN, Some(10 * MIN)).is_empty());
        // `now` inside the last trade's bar adds nothing.
        assert_eq!(
            bars(&[10], &[1.0], &[1.0], MIN, Some(MIN - 1)).time,
            vec![0]
        );
    }

    #[test]
    fn bars_sit_on_the_utc_grid() {
        let monday = 1_704_067_200_000; // 2024-01-01
        let week = 7 * 86_400_000;
        let c = bars(
            &[monday + 3 * 86_400_000, monday + week + 1],
            &[1.0, 2.0],
            &[1.0, 1.0],
            week,
            None,
        );
        assert_eq!(c.time, vec![monday, monday + week]);
        let h = bars(&[monday + 90 * MIN], &[1.0], &[1.0], 60 * MIN, None);
        assert_eq!(h.time, vec![monday + 60 * MIN]);
        let s = bars(&[-1, 0], &[1.0, 2.0], &[1.0, 1.0], 1000, None);
        assert_eq!(s.time, vec![-1000, 0]);
    }

    /// A deterministic stream: trades in order with pauses that leave intervals empty.
    fn stream(n: usize, seed: u64) -> (Vec<i64>, Vec<f64>, Vec<f64>) {
        let mut s = seed;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let (mut t, mut p) = (1_700_000_000_000i64, 43_000.0f64);
        let (mut ts, mut ps, mut a) = (vec![], vec![], vec![]);
        for _ in 0..n {
            t += match next() % 10 {
                0 => (next() % 300_000) as i64,
                1..=3 => 0,
                _ => (next() % 2_000) as i64,
            };
            p = ((p + (next() % 201) as f64 / 100.0 - 1.0) * 100.0).round() / 100.0;
            ts.push(t);
            ps.push(p);
            a.push((next() % 100_000 + 1) as f64 / 1e5);
        }
        (ts, ps, a)
    }

    #[test]
    fn the_stream_gives_the_batch() {
        for (tf, seed) in [(MIN, 1), (1_000, 2), (15 * MIN, 3), (7 * 86_400_000, 4)] {
            let (t, p, a) = stream(5_000, seed);
            let now = t[t.len() - 1] + 3 * tf;
            let batch = bars(&t, &p, &a, tf, Some(now));
            let mut b = CandleBuilder::new(tf).unwrap();
            let (mut out, mut closed) = (TradeCandles::default(), vec![]);
            for i in 0..t.len() {
                if i % 7 == 0 {
                    b.advance(t[i], &mut closed); // the clock moves between trades
                }
                b.update(t[i], p[i], a[i], &mut closed).unwrap();
                let forming = b.forming().unwrap();
                assert!(forming.time <= t[i] && t[i] < forming.time + tf);
            }
            b.advance(now, &mut closed);
            closed.push(b.forming().unwrap());
            for bar in &closed {
                out.push(bar);
            }
            assert_eq!(out, batch);
            assert!(batch.trades.iter().sum::<i64>() == t.len() as i64);
        }
    }

    #[test]
    fn refuses_bad_trades() {
        let err = |t: &[i64], p: &[f64], a: &[f64]| {
            candles_from_trades(t, p, a, MIN, None)
                .unwrap_err()
                .message()
                .to_string()
        };
        assert_eq!(
            err(&[5, 4], &[1.0, 1.0], &[1.0, 1.0]),
            "candles_from_trades: trades must be in time order: the trade at row 1 at 4 comes after one at 5"
        );
        assert_eq!(
            err(&[5], &[f64::NAN], &[1.0]),
            "candles_from_trades: the price at row 0 must be a finite number > 0, got NaN"
        );
        assert_eq!(
            err(&[5, 6], &[1.0, 1.0], &[1.0, 0.0]),
            "candles_from_trades: the amount at row 1 must be a finite number > 0, got 0"
        );
        assert_eq!(
            err(&[5], &[1.0, 2.0], &[1.0]),
            "candles_from_trades: price has 2 values, time has 1"
        );
        assert!(CandleBuilder::new(0).is_err());
        let mut b = CandleBuilder::new(MIN).unwrap();
        let mut closed = vec![];
        b.update(10, 1.0, 1.0, &mut closed).unwrap();
        b.advance(2 * MIN, &mut closed);
        b.update(30, 1.0, 1.0, &mut closed).unwrap_err();
        assert_eq!(
            b.update(MIN + 5, 1.0, 1.0, &mut closed).unwrap_err().message(),
            "candles_from_trades: the trade at 60005 falls in a bar that has closed (the bar forming opened at 120000)"
        );
        b.reset();
        assert!(b.forming().is_none());
    }
}
