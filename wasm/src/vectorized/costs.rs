//! Trading costs as `cracktrader/costs.py` charges them: commission per fill (maker rate for
//! limit fills, taker for market and stop fills, plus a fixed fee) and slippage (taker fills
//! move against the order by basis points or a fraction of the bar's range, never beyond it).

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Commission {
    pub maker: f64,
    pub taker: f64,
    pub fixed: f64,
}

impl Commission {
    #[inline]
    pub fn fee(&self, size: f64, price: f64, maker: bool) -> f64 {
        // size * rate * price + fixed, in this order (Commission.fee)
        size * (if maker { self.maker } else { self.taker }) * price + self.fixed
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slippage {
    pub bps: f64,
    pub range: f64,
}

impl Slippage {
    pub fn is_set(&self) -> bool {
        self.bps != 0.0 || self.range != 0.0
    }

    /// The fill price after slippage, capped at the bar's high (buys) or low (sells).
    #[inline]
    pub fn apply(&self, price: f64, buy: bool, high: f64, low: f64) -> f64 {
        let step = if self.bps != 0.0 { price * (self.bps / 10_000.0) } else { (high - low) * self.range };
        if buy {
            let p = price + step;
            if high < p {
                high
            } else {
                p
            }
        } else {
            let p = price - step;
            if low > p {
                low
            } else {
                p
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_is_size_rate_price_plus_fixed() {
        let c = Commission { maker: 0.0002, taker: 0.001, fixed: 0.5 };
        assert_eq!(c.fee(2.0, 100.0, false), 2.0 * 0.001 * 100.0 + 0.5);
        assert_eq!(c.fee(2.0, 100.0, true), 2.0 * 0.0002 * 100.0 + 0.5);
    }

    #[test]
    fn slippage_moves_against_the_order_within_the_bar() {
        let bps = Slippage { bps: 10.0, range: 0.0 };
        assert_eq!(bps.apply(100.0, true, 101.0, 99.0), 100.0 + 100.0 * (10.0 / 10_000.0));
        assert_eq!(bps.apply(100.0, false, 101.0, 99.0), 100.0 - 100.0 * (10.0 / 10_000.0));
        assert_eq!(bps.apply(100.0, true, 100.05, 99.0), 100.05); // capped at the high
        let range = Slippage { bps: 0.0, range: 0.5 };
        assert_eq!(range.apply(100.0, false, 101.0, 99.5), 99.5); // 0.75 down, capped at the low
        assert!(!Slippage { bps: 0.0, range: 0.0 }.is_set());
    }
}
