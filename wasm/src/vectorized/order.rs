//! Orders as the engine records them (`cracktrader/orders.py`): what was asked, what became of
//! it and why. Ids count from 1 in placement order, so an order's id is its index + 1.

use crate::orders::RULE_NAMES;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Market = 0,
    Limit = 1,
    Stop = 2,
    Trailing = 3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Accepted = 0,
    Waiting = 1,
    Filled = 2,
    Canceled = 3,
    Rejected = 4,
}

/// Why an order was canceled or rejected: the market rules' codes (`orders::Rule`, 1-15), then
/// the broker's own.
pub const MARGIN: u8 = 16;
pub const NOTHING_TO_REDUCE: u8 = 17;
pub const PARENT_NOT_FILLED: u8 = 18;
pub const OCO: u8 = 19;
pub const POSITION_CLOSED: u8 = 20;
pub const CANCELED: u8 = 21;

/// Reason codes -> the engine's rule names (0: none).
pub const REASONS: [&str; 22] = {
    let mut names = [""; 22];
    let mut k = 1;
    while k < RULE_NAMES.len() {
        names[k] = RULE_NAMES[k];
        k += 1;
    }
    names[MARGIN as usize] = "insufficient_margin";
    names[NOTHING_TO_REDUCE as usize] = "nothing_to_reduce";
    names[PARENT_NOT_FILLED as usize] = "parent_not_filled";
    names[OCO as usize] = "oco";
    names[POSITION_CLOSED as usize] = "position_closed";
    names[CANCELED as usize] = "canceled";
    names
};

/// No order (parents, children, the culprit of a rejection).
pub const NONE: u32 = 0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Order {
    pub id: u32,
    /// The bar it was placed on.
    pub created: usize,
    pub buy: bool,
    pub kind: Kind,
    /// Units, as normalized by the market rules when it was accepted.
    pub size: f64,
    /// Prices: the limit (take-profit), the stop (stop-loss), the trailing percent; NaN if none.
    pub limit: f64,
    pub stop: f64,
    pub trail_percent: f64,
    pub reduce_only: bool,
    pub at_close: bool,
    pub parent: u32,
    pub children: [u32; 2],
    pub oco: u32,
    pub status: Status,
    pub reason: u8,
    /// A rejection at placement: the order of the bracket whose check failed. A margin
    /// rejection: `a` the margin needed, `b` the account's value after the fill.
    pub culprit: u32,
    pub a: f64,
    pub b: f64,
    pub filled: f64,
    pub price: f64,
    pub fee: f64,
    /// The bar it filled on (usize::MAX if it did not).
    pub step: usize,
    pub trail_stop: f64,
    pub trail_extreme: f64,
}

impl Order {
    pub fn new(id: u32, created: usize, buy: bool, kind: Kind, size: f64) -> Order {
        Order {
            id,
            created,
            buy,
            kind,
            size,
            limit: f64::NAN,
            stop: f64::NAN,
            trail_percent: f64::NAN,
            reduce_only: false,
            at_close: false,
            parent: NONE,
            children: [NONE; 2],
            oco: NONE,
            status: Status::Accepted,
            reason: 0,
            culprit: NONE,
            a: f64::NAN,
            b: f64::NAN,
            filled: 0.0,
            price: f64::NAN,
            fee: 0.0,
            step: usize::MAX,
            trail_stop: f64::NAN,
            trail_extreme: f64::NAN,
        }
    }

    pub fn alive(&self) -> bool {
        matches!(self.status, Status::Accepted | Status::Waiting)
    }

    /// The record handed to the bindings, `FIELDS` numbers (NaN for none).
    pub fn record(&self) -> [f64; FIELDS] {
        let id = |x: u32| if x == NONE { f64::NAN } else { x as f64 };
        let step = |s: usize| if s == usize::MAX { f64::NAN } else { s as f64 };
        [
            self.id as f64,
            self.created as f64,
            if self.buy { 0.0 } else { 1.0 },
            self.kind as u8 as f64,
            self.size,
            self.limit,
            self.stop,
            self.trail_percent,
            self.reduce_only as u8 as f64,
            self.at_close as u8 as f64,
            id(self.parent),
            id(self.oco),
            self.status as u8 as f64,
            self.reason as f64,
            id(self.culprit),
            self.a,
            self.b,
            self.filled,
            self.price,
            self.fee,
            step(self.step),
            self.trail_stop,
            self.trail_extreme,
        ]
    }
}

/// Numbers in an order's record: id, created (bar), side (0 buy, 1 sell), kind (0 market,
/// 1 limit, 2 stop, 3 trailing), size, limit, stop, trail_percent, reduce_only, at_close,
/// parent, oco, status (0 accepted, 1 waiting, 2 filled, 3 canceled, 4 rejected), reason,
/// culprit, a, b, filled, price, fee, step (bar filled), trail_stop, trail_extreme.
pub const FIELDS: usize = 23;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names_follow_the_rule_codes() {
        assert_eq!(REASONS[0], "");
        assert_eq!(REASONS[crate::orders::Rule::CostBelowMin as usize], "cost_below_min");
        assert_eq!(REASONS[MARGIN as usize], "insufficient_margin");
        assert_eq!(REASONS[CANCELED as usize], "canceled");
        assert!(REASONS[1..].iter().all(|r| !r.is_empty()));
    }

    #[test]
    fn records_have_their_fields() {
        let o = Order::new(3, 7, false, Kind::Stop, 1.5);
        let r = o.record();
        assert_eq!(r.len(), FIELDS);
        assert_eq!((r[0], r[1], r[2], r[3], r[4]), (3.0, 7.0, 1.0, 2.0, 1.5));
        assert!(r[10].is_nan() && r[20].is_nan());
    }
}
