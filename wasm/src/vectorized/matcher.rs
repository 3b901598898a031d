//! Matching one bar's orders, as `cracktrader/fills.py` does (its docstring is the spec).
//!
//! A bar is a price path. At the open every order the open satisfies fills there, by priority
//! (order id); then the price moves through the bar's extremes to the close and each limit or
//! stop fills where the path first touches its level. A filled entry activates its bracket
//! exits at that point; one exit filling cancels the other. When the order of the extremes
//! changes what fills, the intrabar policy picks the path. A `Sim` holds the orders working on
//! the path and the account as they leave it; the broker commits the chosen run's events.

use super::account::{snap, DUST};
use super::costs::{Commission, Slippage};
use super::order::{Kind, Order, Status, MARGIN, NOTHING_TO_REDUCE, NONE, OCO, PARENT_NOT_FILLED};
use super::Policy;

const UP: i8 = 1;
const DOWN: i8 = -1;

/// An order as the matcher sees it: fires when the price is at or beyond `level` in `dir`
/// (UP: price >= level, DOWN: price <= level); a market order (dir 0) fires at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Working {
    pub id: u32,
    maker: bool,
    level: f64,
    dir: i8,
}

impl Working {
    pub fn of(o: &Order) -> Working {
        let (maker, level, dir) = match o.kind {
            Kind::Market => (false, 0.0, 0),
            Kind::Limit => (true, o.limit, if o.buy { DOWN } else { UP }),
            Kind::Stop => (false, o.stop, if o.buy { UP } else { DOWN }),
            Kind::Trailing => (false, o.trail_stop, if o.buy { UP } else { DOWN }),
        };
        Working { id: o.id, maker, level, dir }
    }

    #[inline]
    fn holds(&self, price: f64) -> bool {
        self.dir == 0 || if self.dir == UP { price >= self.level } else { price <= self.level }
    }

    /// Whether the bar's path from `open` through `low` and `high` can fill it.
    #[inline]
    pub fn may_fill(&self, open: f64, low: f64, high: f64) -> bool {
        self.holds(open) || self.touches(low, high)
    }

    #[inline]
    fn touches(&self, low: f64, high: f64) -> bool {
        if self.dir == UP {
            self.level <= high
        } else {
            self.level >= low
        }
    }
}

/// What happened to an order on the path. Two runs are the same when their events are equal
/// (fills.`_same`): numbers compared with `==`, orders by id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    Fill { id: u32, price: f64, size: f64, fee: f64 },
    /// `a` the margin needed, `b` the account's value after the fill.
    Reject { id: u32, reason: u8, a: f64, b: f64 },
    /// `by`: the order whose fill or refusal caused it.
    Cancel { id: u32, reason: u8, by: u32 },
}

/// What a bar's matching reads besides the orders on the path.
pub struct Ctx<'a> {
    pub orders: &'a [Order],
    pub commission: Commission,
    pub slippage: Slippage,
    pub leverage: f64,
    pub high: f64,
    pub low: f64,
}

impl Ctx<'_> {
    fn order(&self, id: u32) -> &Order {
        &self.orders[id as usize - 1]
    }
}

/// One run of the matcher along a path: the working orders by priority, the account's cash
/// and position, the events. Its buffers are reused from bar to bar.
#[derive(Clone, Debug, Default)]
pub struct Sim {
    pub active: Vec<Working>,
    pub events: Vec<Event>,
    pub cash: f64,
    pub size: f64,
    price: f64,
}

impl Sim {
    pub fn reset(&mut self, cash: f64, size: f64) {
        self.active.clear();
        self.events.clear();
        self.cash = cash;
        self.size = size;
        self.price = f64::NAN;
    }

    /// Adds an order in priority order (its id).
    pub fn add(&mut self, w: Working) {
        let at = self.active.partition_point(|x| x.id < w.id);
        self.active.insert(at, w);
    }

    fn copy_from(&mut self, other: &Sim) {
        self.active.clone_from(&other.active);
        self.events.clone_from(&other.events);
        self.cash = other.cash;
        self.size = other.size;
        self.price = other.price;
    }

    /// A gap to `price` (the open): everything it satisfies fills there, by priority.
    pub fn jump(&mut self, ctx: &Ctx, price: f64) {
        self.price = price;
        self.settle(ctx);
    }

    /// A continuous move to `to`: orders fill where the path first touches their level.
    fn move_to(&mut self, ctx: &Ctx, to: f64) {
        let mut pos = self.price;
        loop {
            let mut best: Option<(usize, f64)> = None;
            for (k, w) in self.active.iter().enumerate() {
                let d = if w.dir == UP && pos <= w.level && w.level <= to {
                    w.level - pos
                } else if w.dir == DOWN && to <= w.level && w.level <= pos {
                    pos - w.level
                } else {
                    continue;
                };
                if best.is_none_or(|(_, bd)| d < bd) {
                    best = Some((k, d));
                }
            }
            let Some((k, _)) = best else { break };
            pos = self.active[k].level;
            self.price = pos;
            self.fire(ctx, k);
            self.settle(ctx);
        }
        self.price = to;
    }

    fn can_touch(&self, low: f64, high: f64) -> bool {
        self.active.iter().any(|w| w.touches(low, high))
    }

    fn value(&self, close: f64) -> f64 {
        self.cash + self.size * close
    }

    /// Fires every working order the current price satisfies, by priority, until none.
    fn settle(&mut self, ctx: &Ctx) {
        while let Some(k) = self.active.iter().position(|w| w.holds(self.price)) {
            self.fire(ctx, k);
        }
    }

    fn fire(&mut self, ctx: &Ctx, k: usize) {
        let w = self.active.remove(k);
        let order = ctx.order(w.id);
        let mut price = self.price;
        if !w.maker && ctx.slippage.is_set() {
            price = ctx.slippage.apply(price, order.buy, ctx.high, ctx.low);
        }
        match self.fill(ctx, order, price, w.maker) {
            Err(refused) => {
                self.events.push(refused);
                for child in order.children.into_iter().filter(|&c| c != NONE) {
                    self.events.push(Event::Cancel { id: child, reason: PARENT_NOT_FILLED, by: order.id });
                }
            }
            Ok((size, fee)) => {
                self.events.push(Event::Fill { id: order.id, price, size, fee });
                if order.oco != NONE {
                    if let Some(j) = self.active.iter().position(|x| x.id == order.oco) {
                        self.active.remove(j);
                        self.events.push(Event::Cancel { id: order.oco, reason: OCO, by: order.id });
                    }
                }
                for child in order.children.into_iter().filter(|&c| c != NONE) {
                    let child = ctx.order(child);
                    if child.status == Status::Waiting {
                        self.add(Working::of(child));
                    }
                }
            }
        }
    }

    /// Decides a fill (reduce-only, margin) and books it in the sim (fills.Book.fill):
    /// the size and fee, or the refusal's event.
    fn fill(&mut self, ctx: &Ctx, order: &Order, price: f64, maker: bool) -> Result<(f64, f64), Event> {
        let buy = order.buy;
        let mut size = order.size;
        let held = self.size;
        if order.reduce_only {
            if held == 0.0 || (held > 0.0) == buy {
                return Err(Event::Cancel { id: order.id, reason: NOTHING_TO_REDUCE, by: NONE });
            }
            // More than is held, float noise aside: only what is.
            if size > held.abs() * (1.0 + DUST) {
                size = held.abs();
            }
        }
        let signed = if buy { size } else { -size };
        let fee = ctx.commission.fee(size, price, maker);
        let cash = self.cash - signed * price - fee;
        let new = snap(held, held + signed);
        if new.abs() > held.abs() || new * held < 0.0 {
            // The other feeds' margin and value are 0.0 here: one market per run.
            let margin = new.abs() * price / ctx.leverage + 0.0;
            let value = cash + new * price + 0.0;
            if margin > value + 1e-9 * margin {
                return Err(Event::Reject { id: order.id, reason: MARGIN, a: margin, b: value });
            }
        }
        self.cash = cash;
        self.size = new;
        Ok((size, fee))
    }
}

/// The bar's three runs: from the open, then both orders of the extremes. Reused per bar.
#[derive(Default)]
pub struct Paths {
    pub main: Sim,
    low_first: Sim,
    high_first: Sim,
}

/// A bar's OHLC.
#[derive(Clone, Copy)]
pub struct Bar {
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
}

impl Paths {
    /// Runs `main` (its orders, its account) over one bar; returns the chosen run.
    pub fn match_bar(&mut self, ctx: &Ctx, bar: Bar, policy: Policy) -> &Sim {
        let Bar { open: o, high: h, low: l, close: c } = bar;
        self.main.jump(ctx, o);
        if self.main.active.is_empty() || !self.main.can_touch(l, h) {
            return &self.main;
        }
        self.low_first.copy_from(&self.main);
        self.high_first.copy_from(&self.main);
        for to in [l, h, c] {
            self.low_first.move_to(ctx, to);
        }
        for to in [h, l, c] {
            self.high_first.move_to(ctx, to);
        }
        let (a, b) = (&self.low_first, &self.high_first);
        if a.events == b.events {
            return a;
        }
        let low_first = match policy {
            Policy::Nearest => o - l <= h - o,
            Policy::Favorable => a.value(c) >= b.value(c),
            Policy::Adverse => a.value(c) <= b.value(c),
        };
        if low_first {
            a
        } else {
            b
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FREE: Commission = Commission { maker: 0.0, taker: 0.0, fixed: 0.0 };
    const NO_SLIP: Slippage = Slippage { bps: 0.0, range: 0.0 };

    fn ctx(orders: &[Order], bar: Bar) -> Ctx<'_> {
        Ctx { orders, commission: FREE, slippage: NO_SLIP, leverage: 1.0, high: bar.high, low: bar.low }
    }

    /// A long of 1 unit with a bracket: stop-loss at `sl`, take-profit at `tp` (ids 1, 2).
    fn bracket(sl: f64, tp: f64) -> Vec<Order> {
        let mut stop = Order::new(1, 0, false, Kind::Stop, 1.0);
        stop.stop = sl;
        stop.reduce_only = true;
        stop.oco = 2;
        let mut take = Order::new(2, 0, false, Kind::Limit, 1.0);
        take.limit = tp;
        take.reduce_only = true;
        take.oco = 1;
        vec![stop, take]
    }

    fn run(orders: &[Order], bar: Bar, policy: Policy) -> Vec<Event> {
        let mut paths = Paths::default();
        paths.main.reset(0.0, 1.0);
        for o in orders {
            paths.main.add(Working::of(o));
        }
        paths.match_bar(&ctx(orders, bar), bar, policy).events.clone()
    }

    #[test]
    fn both_exits_inside_a_bar_follow_the_policy() {
        let orders = bracket(95.0, 105.0);
        let bar = Bar { open: 100.0, high: 106.0, low: 94.0, close: 100.0 };
        let sl = Event::Fill { id: 1, price: 95.0, size: 1.0, fee: 0.0 };
        let tp = Event::Fill { id: 2, price: 105.0, size: 1.0, fee: 0.0 };
        assert_eq!(run(&orders, bar, Policy::Adverse)[0], sl);
        assert_eq!(run(&orders, bar, Policy::Favorable)[0], tp);
        assert_eq!(run(&orders, bar, Policy::Adverse)[1], Event::Cancel { id: 2, reason: OCO, by: 1 });
        let near_high = Bar { open: 104.0, ..bar };
        assert_eq!(run(&orders, near_high, Policy::Nearest)[0], tp);
    }

    #[test]
    fn a_gap_through_a_stop_fills_at_the_open() {
        let orders = bracket(95.0, 105.0);
        let gap = Bar { open: 90.0, high: 92.0, low: 89.0, close: 91.0 };
        assert_eq!(run(&orders, gap, Policy::Adverse)[0], Event::Fill { id: 1, price: 90.0, size: 1.0, fee: 0.0 });
    }

    #[test]
    fn untouched_levels_fill_nothing() {
        let orders = bracket(95.0, 105.0);
        let bar = Bar { open: 100.0, high: 104.0, low: 96.0, close: 101.0 };
        assert!(run(&orders, bar, Policy::Adverse).is_empty());
    }

    #[test]
    fn an_entry_the_account_cannot_pay_is_rejected_with_its_children() {
        let mut entry = Order::new(1, 0, true, Kind::Market, 10.0);
        entry.children = [2, NONE];
        let mut stop = Order::new(2, 0, false, Kind::Stop, 10.0);
        stop.status = Status::Waiting;
        stop.stop = 90.0;
        let orders = [entry, stop];
        let bar = Bar { open: 100.0, high: 101.0, low: 99.0, close: 100.0 };
        let mut paths = Paths::default();
        paths.main.reset(500.0, 0.0);
        paths.main.add(Working::of(&orders[0]));
        let events = paths.match_bar(&ctx(&orders, bar), bar, Policy::Adverse).events.clone();
        assert!(matches!(events[0], Event::Reject { id: 1, reason: MARGIN, a, b } if a == 1000.0 && b == 500.0));
        assert_eq!(events[1], Event::Cancel { id: 2, reason: PARENT_NOT_FILLED, by: 1 });
    }
}
