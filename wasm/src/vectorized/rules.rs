//! The signal rules, bar by bar: what `SignalStrategy.next()` does in
//! `cracktrader/vectorized/signals.py`, and the engine's loop around it (match the working
//! orders, run the rules, fill at-close orders, record the value at the close).

use super::account::Trade;
use super::broker::Broker;
use super::order::{Kind, Order, NONE};
use super::{Direction, Market, Settings, Sizing, Spec};
use crate::KernelError;

/// A signal column: float64 values (NaN is an error), or one byte per value (bool and uint8,
/// or int8 for signs).
#[derive(Clone, Copy, Debug)]
pub enum Signals<'a> {
    F64(&'a [f64]),
    U8(&'a [u8]),
    I8(&'a [i8]),
}

impl Signals<'_> {
    pub fn len(&self) -> usize {
        match self {
            Signals::F64(x) => x.len(),
            Signals::U8(x) => x.len(),
            Signals::I8(x) => x.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline(always)]
    fn at(&self, i: usize) -> f64 {
        match self {
            Signals::F64(x) => x[i],
            Signals::U8(x) => x[i] as f64,
            Signals::I8(x) => x[i] as f64,
        }
    }
}

/// A run's trades and orders (its equity went to the caller's slice).
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Closed trades in closing order, then the open one if any.
    pub trades: Vec<Trade>,
    pub open: Option<Trade>,
    pub orders: Vec<Order>,
}

/// Simulates one column of signals over `market`: the equity at each bar's close into
/// `equity`, the trades and orders into the outcome.
pub fn simulate(
    market: Market,
    settings: &Settings,
    spec: &Spec,
    entries: Signals,
    exits: Signals,
    equity: &mut [f64],
) -> Result<Outcome, KernelError> {
    let mut sim = Simulator::new(market, settings)?;
    sim.run(spec, entries, exits, equity)?;
    let b = &sim.broker;
    Ok(Outcome { trades: b.account.trades.clone(), open: b.account.open, orders: b.orders.clone() })
}

/// Runs columns one after another over one market, reusing its buffers.
pub struct Simulator<'a> {
    pub broker: Broker<'a>,
}

impl<'a> Simulator<'a> {
    pub fn new(market: Market<'a>, settings: &'a Settings) -> Result<Simulator<'a>, KernelError> {
        settings.check()?;
        Ok(Simulator { broker: Broker::new(market, settings) })
    }

    /// One column: afterwards `broker.account` holds its trades, `broker.orders` its orders.
    pub fn run(&mut self, spec: &Spec, entries: Signals, exits: Signals, equity: &mut [f64]) -> Result<(), KernelError> {
        spec.check()?;
        let n = self.broker.market.len();
        for (name, got) in [("entries", entries.len()), ("exits", exits.len()), ("equity", equity.len())] {
            if got != n {
                return Err(KernelError::new(format!("vectorized: {name} has {got} values, the market has {n} bars")));
            }
        }
        if spec.start > n {
            return Err(KernelError::new(format!("vectorized: start {} is past the last bar ({n} bars)", spec.start)));
        }
        self.broker.reset();
        let mut rules = Rules { spec, protect: [NONE; 3], trailed: false };
        let cash = self.broker.settings.cash;
        equity[..spec.start].fill(cash);
        let close = self.broker.market.close;
        for i in spec.start..n {
            let b = &mut self.broker;
            if b.has_pending() {
                b.match_bar(i);
            }
            let (entry, exit) = (entries.at(i), exits.at(i));
            if entry != 0.0 || exit != 0.0 || rules.wants_trailing(b) {
                rules.next(b, i, entry, exit)?; // (NaN != 0.0: checked there)
            }
            if b.has_at_close() {
                b.fill_at_close(i);
            }
            equity[i] = b.account.cash + b.account.size * close[i];
        }
        Ok(())
    }
}

/// The state `SignalStrategy` keeps: the position's stop orders, and whether its trailing
/// stop was placed.
struct Rules<'s> {
    spec: &'s Spec,
    protect: [u32; 3],
    trailed: bool,
}

impl Rules<'_> {
    /// A position without its trailing stop yet: it is placed on a bar without signals too.
    #[inline(always)]
    fn wants_trailing(&self, b: &Broker) -> bool {
        self.spec.trail_stop.is_some() && !self.trailed && b.account.size != 0.0
    }

    fn next(&mut self, b: &mut Broker, i: usize, entry: f64, exit: f64) -> Result<(), KernelError> {
        for (name, v) in [("entries", entry), ("exits", exit)] {
            if v.is_nan() {
                return Err(KernelError::new(format!(
                    "{name} is NaN at bar {i} (time {}): signals are numbers (0: none)",
                    b.market.time[i]
                )));
            }
        }
        let enter: i8 = match self.spec.direction {
            Direction::Long => (entry != 0.0) as i8,
            Direction::Short => -((entry != 0.0) as i8),
            Direction::Both => (entry > 0.0) as i8 - (entry < 0.0) as i8,
        };
        let held = b.account.size;
        if held != 0.0 {
            if exit != 0.0 {
                self.close(b, i);
            } else if enter != 0 && (enter > 0) != (held > 0.0) {
                self.close(b, i);
                self.enter(b, i, enter > 0);
            } else if let (Some(trail), false) = (self.spec.trail_stop, self.trailed) {
                self.trailed = true;
                let mut order = Order::new(b.next_id(), i, held < 0.0, Kind::Trailing, held.abs());
                order.trail_percent = trail * 100.0;
                order.reduce_only = true;
                self.protect[2] = b.submit(i, order, &[]);
            }
        } else if enter != 0 {
            self.enter(b, i, enter > 0);
        }
        Ok(())
    }

    /// Cancels the position's stops and closes it with a market order.
    fn close(&mut self, b: &mut Broker, i: usize) {
        for id in self.protect {
            if id != NONE && b.order(id).alive() {
                b.cancel(id);
            }
        }
        self.protect = [NONE; 3];
        let held = b.account.size;
        let mut order = Order::new(b.next_id(), i, held < 0.0, Kind::Market, held.abs());
        order.reduce_only = true;
        order.at_close = b.settings.at_close;
        b.submit(i, order, &[]);
    }

    /// A market entry sized at bar i's close, with its bracket exits.
    fn enter(&mut self, b: &mut Broker, i: usize, buy: bool) {
        let c = b.market.close[i];
        let units = match self.spec.sizing {
            Sizing::Units(u) => u,
            Sizing::Cash(cash) => cash / c,
            Sizing::Percent(p) => b.value(i) / c * (p / 100.0),
        };
        let id = b.next_id();
        let mut entry = Order::new(id, i, buy, Kind::Market, units);
        entry.at_close = b.settings.at_close;
        let mut exits = [Order::new(NONE, i, !buy, Kind::Stop, units); 2];
        let mut count = 0;
        if let Some(sl) = self.spec.stop_loss {
            let mut exit = Order::new(id + 1 + count as u32, i, !buy, Kind::Stop, units);
            exit.stop = if buy { c * (1.0 - sl) } else { c * (1.0 + sl) };
            exits[count] = exit;
            count += 1;
        }
        if let Some(tp) = self.spec.take_profit {
            let mut exit = Order::new(id + 1 + count as u32, i, !buy, Kind::Limit, units);
            exit.limit = if buy { c * (1.0 + tp) } else { c * (1.0 - tp) };
            exits[count] = exit;
            count += 1;
        }
        for exit in &mut exits[..count] {
            exit.reduce_only = true;
        }
        let id = b.submit(i, entry, &exits[..count]);
        let children = b.order(id).children;
        self.protect = [children[0], children[1], NONE];
        self.trailed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::costs::{Commission, Slippage};
    use super::super::order::Status;
    use super::super::Policy;
    use super::*;

    fn settings() -> Settings {
        Settings {
            cash: 1000.0,
            commission: Commission { maker: 0.0, taker: 0.001, fixed: 0.0 },
            slippage: Slippage { bps: 0.0, range: 0.0 },
            at_close: false,
            policy: Policy::Adverse,
            leverage: 1.0,
            rules: None,
        }
    }

    fn spec() -> Spec {
        Spec {
            direction: Direction::Long,
            sizing: Sizing::Units(1.0),
            stop_loss: None,
            take_profit: None,
            trail_stop: None,
            start: 0,
        }
    }

    struct Bars {
        time: Vec<i64>,
        open: Vec<f64>,
        high: Vec<f64>,
        low: Vec<f64>,
        close: Vec<f64>,
    }

    impl Bars {
        /// Bars from (open, high, low, close).
        fn new(rows: &[(f64, f64, f64, f64)]) -> Bars {
            Bars {
                time: (0..rows.len() as i64).map(|k| k * 60_000).collect(),
                open: rows.iter().map(|r| r.0).collect(),
                high: rows.iter().map(|r| r.1).collect(),
                low: rows.iter().map(|r| r.2).collect(),
                close: rows.iter().map(|r| r.3).collect(),
            }
        }

        fn market(&self) -> Market<'_> {
            Market::new(&self.time, &self.open, &self.high, &self.low, &self.close).unwrap()
        }
    }

    fn f(x: &[f64]) -> Signals<'_> {
        Signals::F64(x)
    }

    fn flat(n: usize, price: f64) -> Vec<(f64, f64, f64, f64)> {
        vec![(price, price + 1.0, price - 1.0, price); n]
    }

    #[test]
    fn entry_and_exit_fill_at_the_next_open() {
        let mut rows = flat(5, 100.0);
        rows[1].0 = 101.0;
        rows[3].0 = 110.0;
        let bars = Bars::new(&rows);
        let (entries, exits) = ([1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0]);
        let mut equity = [0.0; 5];
        let out = simulate(bars.market(), &settings(), &spec(), Signals::F64(&entries), Signals::F64(&exits), &mut equity).unwrap();
        let t = out.trades[0];
        assert_eq!((t.entry_step, t.entry_price, t.exit_step, t.exit_price), (1, 101.0, 3, 110.0));
        assert_eq!(t.commission, 1.0 * 0.001 * 101.0 + 1.0 * 0.001 * 110.0);
        assert_eq!(equity[0], 1000.0);
        assert_eq!(equity[1], 1000.0 - 101.0 - 0.101 + 100.0);
        assert_eq!(equity[4], 1000.0 + 9.0 - t.commission);
        assert_eq!(out.orders.len(), 2);
        assert!(out.open.is_none());
    }

    #[test]
    fn fill_at_close_and_exit_wins_over_entry() {
        let bars = Bars::new(&flat(4, 100.0));
        let s = Settings { at_close: true, ..settings() };
        let mut equity = [0.0; 4];
        let out = simulate(bars.market(), &s, &spec(), Signals::U8(&[1, 1, 1, 0]), Signals::U8(&[0, 1, 1, 0]), &mut equity).unwrap();
        // bar 0 enters at its close; bar 1 exits (the entry signal there is ignored); bar 2
        // is flat with both signals: it enters; bar 3 holds.
        assert_eq!(out.trades.len(), 1);
        assert_eq!((out.trades[0].entry_step, out.trades[0].exit_step), (0, 1));
        assert_eq!(out.open.unwrap().entry_step, 2);
    }

    #[test]
    fn stop_loss_inside_the_entry_bar() {
        let mut rows = flat(3, 100.0);
        rows[1] = (100.0, 100.5, 97.0, 99.0); // falls through the 2% stop at 98
        let bars = Bars::new(&rows);
        let sp = Spec { stop_loss: Some(0.02), take_profit: Some(0.05), ..spec() };
        let mut equity = [0.0; 3];
        let out = simulate(bars.market(), &settings(), &sp, f(&[1.0, 0.0, 0.0]), f(&[0.0; 3]), &mut equity).unwrap();
        let t = out.trades[0];
        assert_eq!((t.entry_step, t.exit_step, t.exit_price), (1, 1, 100.0 * (1.0 - 0.02)));
        assert_eq!(out.orders[1].status, Status::Filled);
        assert_eq!(out.orders[2].status, Status::Canceled); // the take-profit, by oco
    }

    #[test]
    fn both_directions_reverse_with_a_close_and_an_entry() {
        let bars = Bars::new(&flat(4, 100.0));
        let sp = Spec { direction: Direction::Both, ..spec() };
        let mut equity = [0.0; 4];
        let out = simulate(bars.market(), &settings(), &sp, Signals::I8(&[1, -1, 0, 0]), Signals::I8(&[0; 4]), &mut equity).unwrap();
        assert_eq!(out.trades.len(), 1);
        assert!(out.trades[0].long && !out.open.unwrap().long);
        assert_eq!(out.orders.len(), 3); // entry, close, entry
    }

    #[test]
    fn trailing_stop_ratchets_and_fills() {
        let rows = [
            (100.0, 101.0, 99.0, 100.0),
            (100.0, 101.0, 99.0, 100.0), // entry at the open
            (100.0, 101.0, 99.0, 100.0), // trailing stop placed: 10% under 100
            (100.0, 120.0, 99.0, 118.0), // ratchets to 120 * 0.9 = 108 at the close
            (115.0, 116.0, 107.0, 110.0), // touches 108
        ];
        let bars = Bars::new(&rows);
        let sp = Spec { trail_stop: Some(0.1), ..spec() };
        let mut equity = [0.0; 5];
        let out = simulate(bars.market(), &settings(), &sp, f(&[1.0, 0.0, 0.0, 0.0, 0.0]), f(&[0.0; 5]), &mut equity).unwrap();
        let t = out.trades[0];
        assert_eq!((t.exit_step, t.exit_price), (4, 120.0 - 120.0 * (10.0 / 100.0)));
    }

    #[test]
    fn an_entry_larger_than_the_account_is_rejected() {
        let bars = Bars::new(&flat(3, 100.0));
        let sp = Spec { sizing: Sizing::Units(20.0), ..spec() };
        let mut equity = [0.0; 3];
        let out = simulate(bars.market(), &settings(), &sp, f(&[1.0, 0.0, 0.0]), f(&[0.0; 3]), &mut equity).unwrap();
        assert!(out.trades.is_empty() && out.open.is_none());
        let o = out.orders[0];
        assert_eq!((o.status, super::super::REASONS[o.reason as usize]), (Status::Rejected, "insufficient_margin"));
        assert_eq!(equity, [1000.0; 3]);
    }

    #[test]
    fn bad_signals_are_errors() {
        let bars = Bars::new(&flat(3, 100.0));
        let mut equity = [0.0; 3];
        let err = simulate(bars.market(), &settings(), &spec(), f(&[0.0, f64::NAN, 0.0]), f(&[0.0; 3]), &mut equity);
        assert_eq!(err.unwrap_err().message(), "entries is NaN at bar 1 (time 60000): signals are numbers (0: none)");
        let short = simulate(bars.market(), &settings(), &spec(), f(&[0.0; 2]), f(&[0.0; 2]), &mut equity);
        assert_eq!(short.unwrap_err().message(), "vectorized: entries has 2 values, the market has 3 bars");
        let late = Spec { start: 2, ..spec() };
        let nan_in_warm_up = simulate(bars.market(), &settings(), &late, f(&[f64::NAN, 0.0, 0.0]), f(&[0.0; 3]), &mut equity);
        assert!(nan_in_warm_up.is_ok());
        assert_eq!(equity, [1000.0; 3]);
    }
}
