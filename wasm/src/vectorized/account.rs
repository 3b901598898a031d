//! The account of one market, as `cracktrader/accounting.py` books fills: cash, the position
//! (size and average price) and the trades, a trade being the position from flat to flat.
//! Fills that add average the entry price; fills that reduce realize P&L at the average; a fill
//! that reverses closes the trade and opens the next (its fee shared in proportion).

/// A position below this fraction of its size after a fill is float dust: flat (fills.DUST).
pub const DUST: f64 = 1e-9;

/// The position after a fill: float dust from partial exits counts as flat (fills.snap).
#[inline]
pub fn snap(old: f64, new: f64) -> f64 {
    if new != 0.0 && new.abs() <= DUST * old.abs() {
        0.0
    } else {
        new
    }
}

/// A size rid of float noise from adding parts: its 12 significant digits (fills.denoise,
/// `float(f"{size:.12g}")`; both conversions are correctly rounded, as Python's are).
pub fn denoise(size: f64) -> f64 {
    if !size.is_finite() {
        return size;
    }
    format!("{:.11e}", size).parse().unwrap_or(size)
}

#[inline]
fn average(price: f64, size: f64, add_price: f64, add_size: f64) -> f64 {
    let total = size + add_size;
    (price * size + add_price * add_size) / total
}

/// One position from open to flat; `gross - commission` is its P&L. Steps are bar indexes;
/// the orders are those of its first entry fill and its last exit fill (0: none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trade {
    pub long: bool,
    pub entry_order: u32,
    pub exit_order: u32,
    pub size: f64,
    pub entry_step: usize,
    pub entry_price: f64,
    pub exit_step: usize,
    pub exit_price: f64,
    pub exit_size: f64,
    pub gross: f64,
    pub commission: f64,
    pub open: bool,
}

impl Trade {
    fn new(long: bool, step: usize, order: u32) -> Trade {
        Trade {
            long,
            entry_order: order,
            exit_order: 0,
            size: 0.0,
            entry_step: step,
            entry_price: 0.0,
            exit_step: usize::MAX,
            exit_price: f64::NAN,
            exit_size: 0.0,
            gross: 0.0,
            commission: 0.0,
            open: true,
        }
    }

    pub fn pnl(&self) -> f64 {
        self.gross - self.commission
    }

    /// The record handed to the bindings (`FIELDS` numbers; exit step NaN while open).
    pub fn record(&self) -> [f64; FIELDS] {
        let exit = if self.exit_step == usize::MAX { f64::NAN } else { self.exit_step as f64 };
        [
            if self.long { 0.0 } else { 1.0 },
            self.size,
            self.entry_step as f64,
            self.entry_price,
            exit,
            self.exit_price,
            self.exit_size,
            self.gross,
            self.commission,
            self.open as u8 as f64,
            self.entry_order as f64,
            if self.exit_order == 0 { f64::NAN } else { self.exit_order as f64 },
        ]
    }
}

/// Numbers in a trade's record: side (0 long, 1 short), size, entry_step, entry_price,
/// exit_step, exit_price, exit_size, gross, commission, open, entry_order, exit_order.
pub const FIELDS: usize = 12;

#[derive(Clone, Debug)]
pub struct Account {
    pub cash: f64,
    pub size: f64,
    pub price: f64,
    pub fees: f64,
    pub open: Option<Trade>,
    /// Closed trades, in closing order.
    pub trades: Vec<Trade>,
}

impl Account {
    pub fn new(cash: f64) -> Account {
        Account { cash, size: 0.0, price: 0.0, fees: 0.0, open: None, trades: Vec::new() }
    }

    pub fn reset(&mut self, cash: f64) {
        let mut trades = std::mem::take(&mut self.trades);
        trades.clear();
        *self = Account { trades, ..Account::new(cash) };
    }

    /// Books a fill of order `order`, `size` units at `price` paying `fee` on bar `step`
    /// (Account.book).
    pub fn book(&mut self, order: u32, buy: bool, size: f64, price: f64, fee: f64, step: usize) {
        let signed = if buy { size } else { -size };
        self.cash = self.cash - signed * price - fee;
        self.fees += fee;
        let old = self.size;
        let new = snap(old, old + signed);
        if old == 0.0 || (old > 0.0) == buy {
            let trade = self.open.get_or_insert_with(|| Trade::new(buy, step, order));
            trade.entry_price = if trade.size == 0.0 { price } else { average(trade.entry_price, trade.size, price, size) };
            trade.size += size;
            trade.commission += fee;
            self.price = if old == 0.0 { price } else { average(self.price, old.abs(), price, size) };
            self.size = new;
            return;
        }
        let closing = if old.abs() < size { old.abs() } else { size };
        let trade = self.open.as_mut().expect("a position has its open trade");
        let realized = if old > 0.0 { closing * (price - self.price) } else { closing * (self.price - price) };
        trade.gross += realized;
        let share = if closing == size { fee } else { fee * (closing / size) };
        trade.commission += share;
        trade.exit_price = if trade.exit_size == 0.0 { price } else { average(trade.exit_price, trade.exit_size, price, closing) };
        trade.exit_size += closing;
        trade.exit_step = step;
        trade.exit_order = order;
        self.size = new;
        if new == 0.0 || (new > 0.0) != (old > 0.0) {
            trade.open = false;
            self.trades.push(*trade);
            self.open = None;
            self.price = 0.0;
        }
        if new != 0.0 && (new > 0.0) != (old > 0.0) {
            let mut trade = Trade::new(buy, step, order);
            trade.entry_price = price;
            self.price = price;
            trade.size = new.abs();
            trade.commission += fee - share;
            self.open = Some(trade);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denoise_keeps_12_significant_digits() {
        assert_eq!(denoise(0.7 - 0.4), 0.3); // 0.29999999999999993
        assert_eq!(denoise(0.19 + 0.01473), 0.20473);
        assert_eq!(denoise(1.234567890123456e-7), 1.23456789012e-7);
        assert_eq!(denoise(2.5), 2.5);
        assert!(denoise(f64::NAN).is_nan());
    }

    #[test]
    fn a_round_trip_realizes_pnl_net_of_fees() {
        let mut a = Account::new(1000.0);
        a.book(1, true, 2.0, 100.0, 0.2, 3);
        assert_eq!((a.cash, a.size, a.price), (1000.0 - 200.0 - 0.2, 2.0, 100.0));
        a.book(2, false, 2.0, 110.0, 0.22, 9);
        assert_eq!(a.size, 0.0);
        let t = a.trades[0];
        assert_eq!((t.long, t.entry_step, t.exit_step, t.gross), (true, 3, 9, 20.0));
        assert_eq!((t.entry_order, t.exit_order), (1, 2));
        assert_eq!(t.commission, 0.2 + 0.22);
        assert!(!t.open && a.open.is_none());
    }

    #[test]
    fn a_reversal_closes_and_opens_sharing_the_fee() {
        let mut a = Account::new(1000.0);
        a.book(1, true, 1.0, 100.0, 0.0, 0);
        a.book(2, false, 3.0, 90.0, 0.3, 1);
        assert_eq!(a.size, -2.0);
        assert_eq!(a.trades[0].commission, 0.3 * (1.0 / 3.0));
        let open = a.open.unwrap();
        assert_eq!((open.long, open.size, open.entry_price), (false, 2.0, 90.0));
        assert_eq!(open.commission, 0.3 - 0.3 * (1.0 / 3.0));
    }

    #[test]
    fn adding_averages_and_dust_is_flat() {
        let mut a = Account::new(1000.0);
        a.book(1, true, 1.0, 100.0, 0.0, 0);
        a.book(2, true, 1.0, 110.0, 0.0, 1);
        assert_eq!(a.price, 105.0);
        a.book(3, false, 2.0 - 1e-12, 120.0, 0.0, 2);
        assert_eq!(a.size, 0.0);
        assert_eq!(snap(1.0, 2e-9), 2e-9);
    }
}
