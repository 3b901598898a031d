//! The simulated broker of one market, as `cracktrader/broker.py` runs it: orders placed on
//! bar i are checked (sizes, prices, the market rules) and work from bar i+1, or fill at bar
//! i's close (`at_close`); each bar's working orders are matched (`matcher`) and the chosen
//! run's events booked; a flat position cancels the reduce-only exits; trailing stops ratchet
//! at each bar's close.

use super::account::{denoise, Account};
use super::matcher::{Bar, Ctx, Event, Paths, Working};
use super::order::{
    Kind, Order, Status, CANCELED, NONE, PARENT_NOT_FILLED, POSITION_CLOSED,
};
use super::{Market, Settings};
use crate::orders::{OrderType, Rule, Side};

pub struct Broker<'a> {
    pub market: Market<'a>,
    pub settings: &'a Settings,
    /// Every order of the run, by id (index + 1).
    pub orders: Vec<Order>,
    /// Working orders by id, and market orders to fill at this bar's close.
    pending: Vec<u32>,
    at_close: Vec<u32>,
    pub account: Account,
    paths: Paths,
    events: Vec<Event>,
}

impl<'a> Broker<'a> {
    pub fn new(market: Market<'a>, settings: &'a Settings) -> Broker<'a> {
        Broker {
            market,
            settings,
            orders: Vec::new(),
            pending: Vec::new(),
            at_close: Vec::new(),
            account: Account::new(settings.cash),
            paths: Paths::default(),
            events: Vec::new(),
        }
    }

    pub fn reset(&mut self) {
        self.orders.clear();
        self.pending.clear();
        self.at_close.clear();
        self.account.reset(self.settings.cash);
    }

    pub fn next_id(&self) -> u32 {
        self.orders.len() as u32 + 1
    }

    pub fn order(&self, id: u32) -> &Order {
        &self.orders[id as usize - 1]
    }

    fn order_mut(&mut self, id: u32) -> &mut Order {
        &mut self.orders[id as usize - 1]
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    pub fn has_at_close(&self) -> bool {
        !self.at_close.is_empty()
    }

    /// The account's value at bar i's close (Broker.value).
    pub fn value(&self, i: usize) -> f64 {
        let a = &self.account;
        if a.size != 0.0 {
            a.cash + a.size * self.market.close[i]
        } else {
            a.cash
        }
    }

    /// Places `order` with its bracket `exits` (numbered after it) on bar i; they work from
    /// the next bar. A failed check rejects the entry and cancels its exits.
    pub fn submit(&mut self, i: usize, order: Order, exits: &[Order]) -> u32 {
        let id = order.id;
        self.orders.push(order);
        let mut children = [NONE; 2];
        for (k, exit) in exits.iter().enumerate() {
            children[k] = exit.id;
            self.orders.push(Order { parent: id, status: Status::Waiting, ..*exit });
        }
        if exits.len() == 2 {
            self.order_mut(children[0]).oco = children[1];
            self.order_mut(children[1]).oco = children[0];
        }
        self.order_mut(id).children = children;
        let family = [id, children[0], children[1]];
        for &o in family.iter().filter(|&&o| o != NONE) {
            if let Some(reason) = self.check(o, i) {
                let entry = self.order_mut(id);
                entry.culprit = o;
                self.end(id, Status::Rejected, reason);
                return id;
            }
        }
        let close = self.market.close[i];
        for &o in family.iter().filter(|&&o| o != NONE) {
            let order = self.order_mut(o);
            if order.kind == Kind::Trailing {
                order.trail_extreme = close;
                order.trail_stop = trail_level(order, close);
            }
        }
        let order = self.order(id);
        if order.kind == Kind::Market && order.at_close {
            self.at_close.push(id);
        } else {
            self.add_pending(id);
        }
        id
    }

    /// The rule an order breaks (orders.problem, then the market rules, which also normalize
    /// its size and prices), or None (Broker._check).
    fn check(&mut self, id: u32, i: usize) -> Option<u8> {
        let close = self.market.close[i];
        let order = &mut self.orders[id as usize - 1];
        for v in [order.limit, order.stop, order.trail_percent].into_iter().filter(|&v| is_given(v)) {
            if !v.is_finite() {
                return Some(Rule::PriceNotFinite as u8);
            }
            if v <= 0.0 {
                return Some(Rule::PriceNotPositive as u8);
            }
        }
        if order.trail_percent >= 100.0 {
            return Some(Rule::PriceNotPositive as u8);
        }
        if !order.size.is_finite() {
            return Some(Rule::AmountNotFinite as u8);
        }
        if order.size <= 0.0 {
            return Some(Rule::AmountNotPositive as u8);
        }
        let rules = self.settings.rules.as_ref()?;
        order.size = denoise(order.size); // a position bought in parts: its sum, not a step less
        let side = Some(if order.buy { Side::Buy } else { Side::Sell });
        let limit = order.kind == Kind::Limit;
        let kind = if limit { OrderType::Limit } else { OrderType::Market };
        let reference = if limit {
            order.limit
        } else if is_given(order.stop) {
            order.stop
        } else {
            close
        };
        match rules.validate(side, Some(kind), order.size, Some(reference)) {
            Err(r) => return Some(r.rule as u8),
            Ok((size, price)) => {
                order.size = size;
                if limit {
                    order.limit = price.unwrap_or(order.limit);
                }
            }
        }
        if is_given(order.stop) {
            match rules.validate(side, Some(OrderType::Limit), order.size, Some(order.stop)) {
                Err(r) => return Some(r.rule as u8),
                Ok((_, price)) => order.stop = price.unwrap_or(order.stop),
            }
        }
        None
    }

    /// Cancels a working order (and its waiting exits); false if it had already ended.
    pub fn cancel(&mut self, id: u32) -> bool {
        if !self.order(id).alive() {
            return false;
        }
        self.end(id, Status::Canceled, CANCELED);
        true
    }

    fn end(&mut self, id: u32, status: Status, reason: u8) {
        if !self.order(id).alive() {
            return;
        }
        self.remove(id);
        let order = self.order_mut(id);
        order.status = status;
        order.reason = reason;
        let children = order.children;
        for child in children {
            if child != NONE && self.order(child).status == Status::Waiting {
                self.end(child, Status::Canceled, PARENT_NOT_FILLED);
            }
        }
    }

    fn remove(&mut self, id: u32) {
        if self.order(id).status != Status::Accepted {
            return;
        }
        if let Some(k) = self.pending.iter().position(|&x| x == id) {
            self.pending.remove(k);
        } else if let Some(k) = self.at_close.iter().position(|&x| x == id) {
            self.at_close.remove(k);
        }
    }

    fn add_pending(&mut self, id: u32) {
        let at = self.pending.partition_point(|&x| x < id);
        self.pending.insert(at, id);
    }

    fn ctx(&self, i: usize) -> Ctx<'_> {
        let s = self.settings;
        Ctx {
            orders: &self.orders,
            commission: s.commission,
            slippage: s.slippage,
            leverage: s.leverage,
            high: self.market.high[i],
            low: self.market.low[i],
        }
    }

    /// Matches the working orders against bar i and books what filled; then trailing stops
    /// still working ratchet with the bar's extreme (Broker.match).
    pub fn match_bar(&mut self, i: usize) {
        let m = self.market;
        let bar = Bar { open: m.open[i], high: m.high[i], low: m.low[i], close: m.close[i] };
        // Most bars of a trade reach none of its stops: then matching would find nothing.
        if self.pending.iter().any(|&id| Working::of(self.order(id)).may_fill(bar.open, bar.low, bar.high)) {
            self.match_orders(i, bar);
        }
        self.ratchet(bar);
    }

    fn match_orders(&mut self, i: usize, bar: Bar) {
        let mut paths = std::mem::take(&mut self.paths);
        let mut events = std::mem::take(&mut self.events);
        paths.main.reset(self.account.cash, self.account.size);
        for &id in &self.pending {
            paths.main.active.push(Working::of(self.order(id)));
        }
        events.clear();
        events.extend_from_slice(&paths.match_bar(&self.ctx(i), bar, self.settings.policy).events);
        self.commit(i, &events);
        self.paths = paths;
        self.events = events;
    }

    /// Trailing stops still working move to the bar's extreme (the high for sells).
    fn ratchet(&mut self, bar: Bar) {
        for k in 0..self.pending.len() {
            let order = &mut self.orders[self.pending[k] as usize - 1];
            if order.kind != Kind::Trailing {
                continue;
            }
            let old = order.trail_extreme;
            let extreme = if order.buy {
                if bar.low < old { bar.low } else { old }
            } else if bar.high > old {
                bar.high
            } else {
                old
            };
            if extreme != old {
                order.trail_extreme = extreme;
                order.trail_stop = trail_level(order, extreme);
            }
        }
    }

    /// Fills the market orders placed with `at_close` at bar i's close (Broker.fill_at_close).
    pub fn fill_at_close(&mut self, i: usize) {
        let ids = std::mem::take(&mut self.at_close);
        let mut paths = std::mem::take(&mut self.paths);
        let mut events = std::mem::take(&mut self.events);
        for &id in &ids {
            if !self.order(id).alive() {
                continue;
            }
            paths.main.reset(self.account.cash, self.account.size);
            paths.main.add(Working::of(self.order(id)));
            paths.main.jump(&self.ctx(i), self.market.close[i]);
            events.clear();
            events.extend_from_slice(&paths.main.events);
            self.commit(i, &events);
        }
        self.paths = paths;
        self.events = events;
        let mut ids = ids;
        ids.clear();
        self.at_close = ids; // committing adds nothing here: keep the buffer
    }

    /// Books a run's events on bar i (Broker._commit).
    fn commit(&mut self, i: usize, events: &[Event]) {
        for &event in events {
            match event {
                Event::Fill { id, price, size, fee } => {
                    self.remove(id);
                    let order = self.order_mut(id);
                    order.status = Status::Filled;
                    order.price = price;
                    order.filled = size;
                    order.fee = fee;
                    order.step = i;
                    let (buy, children) = (order.buy, order.children);
                    self.account.book(id, buy, size, price, fee, i);
                    for child in children {
                        if child != NONE && self.order(child).status == Status::Waiting {
                            self.order_mut(child).status = Status::Accepted;
                            self.add_pending(child);
                        }
                    }
                }
                Event::Reject { id, reason, a, b } => {
                    if self.order(id).alive() {
                        let order = self.order_mut(id);
                        order.a = a;
                        order.b = b;
                    }
                    self.end(id, Status::Rejected, reason);
                }
                Event::Cancel { id, reason, .. } => self.end(id, Status::Canceled, reason),
            }
        }
        if !events.is_empty() && self.account.size == 0.0 {
            let mut k = 0;
            while k < self.pending.len() {
                let id = self.pending[k];
                if self.order(id).reduce_only {
                    self.end(id, Status::Canceled, POSITION_CLOSED); // removes it from pending
                } else {
                    k += 1;
                }
            }
        }
    }
}

/// NaN stands for "not given" in order prices (the prices these rules give are finite).
fn is_given(v: f64) -> bool {
    !v.is_nan()
}

/// A trailing stop's level from the best price seen (orders.trail_level, by percent).
fn trail_level(order: &Order, extreme: f64) -> f64 {
    let step = extreme * (order.trail_percent / 100.0);
    if order.buy {
        extreme + step
    } else {
        extreme - step
    }
}
