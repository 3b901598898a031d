//! Validating an order against a market's rules: the normalized order, or the first rule it
//! breaks.
//!
//! Order of checks (the first failure wins):
//! 1. side, then order type;
//! 2. amount: finite and positive, truncated to the amount precision (`amount_above_max` if ccxt's
//!    arithmetic cannot hold it, `amount_rounds_to_zero` if nothing is left), then min, max;
//! 3. price: required for a limit order (a market order without one skips 3 and 4); finite
//!    and positive; for a limit order rounded half up to the price precision
//!    (`price_above_max`, `price_rounds_to_zero` as for amounts), then min, max. A market
//!    order's price is only a reference for the cost check: neither rounded nor held to the
//!    price limits;
//! 4. cost = normalized amount * price, exactly in decimal: min, then max.
//!
//! Limits compare the normalized decimals exactly, as ccxt's `Precise` does.

use std::cmp::Ordering;

use super::decimal::{py_repr, Dec};
use super::precision::{Precision, Rounding};
use super::rules::{Bounds, MarketRules};
use crate::{params, KernelError};

/// Every way an order can be rejected; the discriminant is the batch status code (0: valid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Rule {
    InvalidSide = 1,
    InvalidType,
    AmountNotFinite,
    AmountNotPositive,
    AmountRoundsToZero,
    AmountBelowMin,
    AmountAboveMax,
    PriceRequired,
    PriceNotFinite,
    PriceNotPositive,
    PriceRoundsToZero,
    PriceBelowMin,
    PriceAboveMax,
    CostBelowMin,
    CostAboveMax,
}

/// The rule names, indexed by status code (0 is a valid order).
pub const RULE_NAMES: [&str; 16] = [
    "valid",
    "invalid_side",
    "invalid_type",
    "amount_not_finite",
    "amount_not_positive",
    "amount_rounds_to_zero",
    "amount_below_min",
    "amount_above_max",
    "price_required",
    "price_not_finite",
    "price_not_positive",
    "price_rounds_to_zero",
    "price_below_min",
    "price_above_max",
    "cost_below_min",
    "cost_above_max",
];

impl Rule {
    const ALL: [Rule; 15] = [
        Rule::InvalidSide,
        Rule::InvalidType,
        Rule::AmountNotFinite,
        Rule::AmountNotPositive,
        Rule::AmountRoundsToZero,
        Rule::AmountBelowMin,
        Rule::AmountAboveMax,
        Rule::PriceRequired,
        Rule::PriceNotFinite,
        Rule::PriceNotPositive,
        Rule::PriceRoundsToZero,
        Rule::PriceBelowMin,
        Rule::PriceAboveMax,
        Rule::CostBelowMin,
        Rule::CostAboveMax,
    ];

    pub fn name(self) -> &'static str {
        RULE_NAMES[self as usize]
    }

    pub fn from_code(code: u8) -> Option<Rule> {
        Rule::ALL.get((code as usize).wrapping_sub(1)).copied()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "buy" => Some(Side::Buy),
            "sell" => Some(Side::Sell),
            _ => None,
        }
    }

    /// Batch code: 0 buy, 1 sell.
    pub fn from_code(code: f64) -> Option<Side> {
        if code == 0.0 {
            Some(Side::Buy)
        } else if code == 1.0 {
            Some(Side::Sell)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderType {
    Limit,
    Market,
}

impl OrderType {
    pub fn parse(s: &str) -> Option<OrderType> {
        match s {
            "limit" => Some(OrderType::Limit),
            "market" => Some(OrderType::Market),
            _ => None,
        }
    }

    /// Batch code: 0 limit, 1 market.
    pub fn from_code(code: f64) -> Option<OrderType> {
        if code == 0.0 {
            Some(OrderType::Limit)
        } else if code == 1.0 {
            Some(OrderType::Market)
        } else {
            None
        }
    }
}

/// Why an order was refused: the rule, the number that broke it and the limit it broke.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rejection {
    pub rule: Rule,
    /// The amount, price or cost concerned (NaN for side, type and a missing price).
    pub value: f64,
    pub limit: Option<f64>,
    /// The limit is how far ccxt's precision arithmetic reaches, not a market limit.
    pub by_precision: bool,
}

impl Rejection {
    fn new(rule: Rule, value: f64, limit: Option<f64>) -> Rejection {
        Rejection { rule, value, limit, by_precision: false }
    }
}

/// A normalized order: the amount and the price (None for a market order without one).
pub type Normalized = (f64, Option<f64>);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Amount,
    Price,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Amount => "amount",
            Field::Price => "price",
        }
    }

    /// not_finite, not_positive, rounds_to_zero, below_min, above_max.
    fn rules(self) -> [Rule; 5] {
        match self {
            Field::Amount => [
                Rule::AmountNotFinite,
                Rule::AmountNotPositive,
                Rule::AmountRoundsToZero,
                Rule::AmountBelowMin,
                Rule::AmountAboveMax,
            ],
            Field::Price => [
                Rule::PriceNotFinite,
                Rule::PriceNotPositive,
                Rule::PriceRoundsToZero,
                Rule::PriceBelowMin,
                Rule::PriceAboveMax,
            ],
        }
    }
}

impl MarketRules {
    /// The normalized `(amount, price)` or the first rule broken (see the module docs).
    pub fn validate(
        &self,
        side: Option<Side>,
        order_type: Option<OrderType>,
        amount: f64,
        price: Option<f64>,
    ) -> Result<Normalized, Rejection> {
        side.ok_or(Rejection::new(Rule::InvalidSide, f64::NAN, None))?;
        let order_type = order_type.ok_or(Rejection::new(Rule::InvalidType, f64::NAN, None))?;
        let amount = self.normalize(Field::Amount, amount)?;
        within(Field::Amount, &self.amount_limits, &amount)?;
        let Some(price) = price else {
            return match order_type {
                OrderType::Limit => Err(Rejection::new(Rule::PriceRequired, f64::NAN, None)),
                OrderType::Market => Ok((amount.value, None)),
            };
        };
        let price = match order_type {
            OrderType::Limit => {
                let price = self.normalize(Field::Price, price)?;
                within(Field::Price, &self.price_limits, &price)?;
                price
            }
            OrderType::Market => {
                check_finite_positive(Field::Price, price)?;
                Number { value: price, dec: None }
            }
        };
        let decs = || (amount.dec(), price.dec());
        // The exact product read as a float when it fits in 128 bits (it nearly always does).
        let cost = || {
            let (a, p) = decs();
            match a.coef.checked_mul(p.coef) {
                Some(c) => Dec::new(c, a.exp + p.exp).to_f64(),
                None => amount.value * price.value,
            }
        };
        if let Some(min) = self.cost_limits.min {
            if min.cmp_product(amount.value, price.value, decs) == Ordering::Less {
                return Err(Rejection::new(Rule::CostBelowMin, cost(), Some(min.value)));
            }
        }
        if let Some(max) = self.cost_limits.max {
            if max.cmp_product(amount.value, price.value, decs) == Ordering::Greater {
                return Err(Rejection::new(Rule::CostAboveMax, cost(), Some(max.value)));
            }
        }
        Ok((amount.value, Some(price.value)))
    }

    /// ccxt's `amount_to_precision` for one amount (> 0; no limits checked).
    pub fn amount_to_precision(&self, amount: f64) -> Result<f64, Rejection> {
        self.normalize(Field::Amount, amount).map(|n| n.value)
    }

    /// ccxt's `price_to_precision` for one price (> 0; no limits checked).
    pub fn price_to_precision(&self, price: f64) -> Result<f64, Rejection> {
        self.normalize(Field::Price, price).map(|n| n.value)
    }

    /// ccxt's `cost_to_precision`: truncated to the cost precision (the price precision when
    /// the market gives none). Zero and negative costs are fine, as in ccxt.
    pub fn cost_to_precision(&self, cost: f64) -> Result<f64, KernelError> {
        if !cost.is_finite() {
            return Err(KernelError::new(format!(
                "cost_to_precision: cost must be a finite number, got {}",
                py_repr(cost)
            )));
        }
        let Some(precision) = &self.cost else { return Ok(cost) };
        match precision.round(Dec::from_f64(cost), Rounding::Truncate) {
            Ok(v) if v.is_zero() => Ok(0.0),
            Ok(v) => Ok(v.to_f64().copysign(cost)),
            Err(e) => Err(KernelError::new(format!(
                "cost_to_precision: cost {} is too large for ccxt to round at {} (limit {})",
                py_repr(cost),
                precision.describe(),
                py_repr(e.max)
            ))),
        }
    }

    /// Finite, positive, rounded (truncated for amounts) and not zero.
    fn normalize(&self, field: Field, x: f64) -> Result<Number, Rejection> {
        check_finite_positive(field, x)?;
        let (precision, rounding) = match field {
            Field::Amount => (&self.amount, Rounding::Truncate),
            Field::Price => (&self.price, Rounding::Round),
        };
        let Some(precision) = precision else { return Ok(Number { value: x, dec: None }) };
        let [.., rounds_to_zero, _, above_max] = field.rules();
        match precision.round_float(x, rounding) {
            Err(e) => Err(Rejection { rule: above_max, value: x, limit: Some(e.max), by_precision: true }),
            Ok((v, _)) if v.is_zero() => Err(Rejection::new(rounds_to_zero, x, None)),
            Ok((v, value)) => Ok(Number { value, dec: Some(v) }),
        }
    }

    /// The message for a rejection: the rule, the numbers and the limit. `got` is the repr of
    /// the side or order type given, for those two rules.
    pub fn explain(&self, r: &Rejection, got: &str) -> String {
        let name = r.rule.name();
        let v = py_repr(r.value);
        let limit = py_repr(r.limit.unwrap_or(f64::NAN));
        let field = match r.rule {
            Rule::AmountRoundsToZero | Rule::AmountAboveMax => Some((Field::Amount, &self.amount)),
            Rule::PriceRoundsToZero | Rule::PriceAboveMax => Some((Field::Price, &self.price)),
            _ => None,
        };
        let (what, precision) = match field {
            Some((f, p)) => (f.name(), p.as_ref().map(Precision::describe).unwrap_or_default()),
            None => ("", String::new()),
        };
        let detail = match r.rule {
            Rule::InvalidSide => format!("side must be 'buy' or 'sell', got {got}"),
            Rule::InvalidType => format!("order type must be 'limit' or 'market', got {got}"),
            Rule::AmountNotFinite => format!("amount must be a finite number, got {v}"),
            Rule::PriceNotFinite => format!("price must be a finite number, got {v}"),
            Rule::AmountNotPositive => format!("amount must be above 0, got {v}"),
            Rule::PriceNotPositive => format!("price must be above 0, got {v}"),
            Rule::AmountRoundsToZero => format!("amount {v} truncates to 0 at {precision}"),
            Rule::PriceRoundsToZero => format!("price {v} rounds to 0 at {precision}"),
            Rule::AmountAboveMax | Rule::PriceAboveMax if r.by_precision => {
                format!("{what} {v} is too large for ccxt to round at {precision} (limit {limit})")
            }
            Rule::AmountBelowMin => format!("amount {v} is below the minimum {limit}"),
            Rule::AmountAboveMax => format!("amount {v} is above the maximum {limit}"),
            Rule::PriceBelowMin => format!("price {v} is below the minimum {limit}"),
            Rule::PriceAboveMax => format!("price {v} is above the maximum {limit}"),
            Rule::PriceRequired => "a limit order needs a price".to_string(),
            Rule::CostBelowMin => format!("cost {v} (amount * price) is below the minimum {limit}"),
            Rule::CostAboveMax => format!("cost {v} (amount * price) is above the maximum {limit}"),
        };
        format!("{name}: {detail}")
    }

    /// Validates columns of orders: side codes (0 buy, 1 sell), type codes (0 limit,
    /// 1 market), amounts and prices (NaN: no price). Writes the normalized amounts and prices
    /// (NaN where rejected or absent) and a status per order (0 valid, else the rule's code).
    #[allow(clippy::too_many_arguments)]
    pub fn validate_batch(
        &self,
        sides: &[f64],
        types: &[f64],
        amounts: &[f64],
        prices: &[f64],
        out_amounts: &mut [f64],
        out_prices: &mut [f64],
        status: &mut [u8],
    ) -> Result<(), KernelError> {
        let n = sides.len();
        let name = "validate_batch";
        params::same_length(name, "order_types", types.len(), n)?;
        params::same_length(name, "amounts", amounts.len(), n)?;
        params::same_length(name, "prices", prices.len(), n)?;
        params::same_length(name, "amounts out", out_amounts.len(), n)?;
        params::same_length(name, "prices out", out_prices.len(), n)?;
        params::same_length(name, "status out", status.len(), n)?;
        for i in 0..n {
            let price = if prices[i].is_nan() { None } else { Some(prices[i]) };
            let verdict = self.validate(Side::from_code(sides[i]), OrderType::from_code(types[i]), amounts[i], price);
            (out_amounts[i], out_prices[i], status[i]) = match verdict {
                Ok((a, p)) => (a, p.unwrap_or(f64::NAN), 0),
                Err(r) => (f64::NAN, f64::NAN, r.rule as u8),
            };
        }
        Ok(())
    }
}

/// The field's not_finite / not_positive rule, if `x` breaks it.
fn check_finite_positive(field: Field, x: f64) -> Result<(), Rejection> {
    let [not_finite, not_positive, ..] = field.rules();
    if !x.is_finite() {
        return Err(Rejection::new(not_finite, x, None));
    }
    if x <= 0.0 {
        return Err(Rejection::new(not_positive, x, None));
    }
    Ok(())
}

/// A normalized number: its float, and its exact decimal when rounding made it (else the
/// float's shortest decimal, printed only if an exact comparison needs it).
#[derive(Clone, Copy)]
struct Number {
    value: f64,
    dec: Option<Dec>,
}

impl Number {
    fn dec(&self) -> Dec {
        self.dec.unwrap_or_else(|| Dec::from_f64(self.value))
    }
}

fn within(field: Field, bounds: &Bounds, x: &Number) -> Result<(), Rejection> {
    let [.., below_min, above_max] = field.rules();
    if let Some(min) = bounds.min {
        if min.cmp(x.value, || x.dec()) == Ordering::Less {
            return Err(Rejection::new(below_min, x.value, Some(min.value)));
        }
    }
    if let Some(max) = bounds.max {
        if max.cmp(x.value, || x.dec()) == Ordering::Greater {
            return Err(Rejection::new(above_max, x.value, Some(max.value)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::rules::MarketSpec;

    fn btc_usdt() -> MarketRules {
        let spec = MarketSpec {
            amount_precision: Some(1e-5),
            price_precision: Some(0.01),
            amount_min: Some(1e-5),
            amount_max: Some(9000.0),
            price_min: Some(0.01),
            price_max: Some(1e6),
            cost_min: Some(5.0),
            ..Default::default()
        };
        MarketRules::new("TICK_SIZE", spec).unwrap()
    }

    fn rule(r: Result<Normalized, Rejection>) -> &'static str {
        r.map_or_else(|e| e.rule.name(), |_| "valid")
    }

    const BUY: Option<Side> = Some(Side::Buy);
    const LIMIT: Option<OrderType> = Some(OrderType::Limit);
    const MARKET: Option<OrderType> = Some(OrderType::Market);

    #[test]
    fn normalizes_a_valid_order() {
        let r = btc_usdt();
        assert_eq!(r.validate(BUY, LIMIT, 0.123456789, Some(43210.987)), Ok((0.12345, Some(43210.99))));
        assert_eq!(r.validate(Some(Side::Sell), MARKET, 0.5, None), Ok((0.5, None)));
        assert_eq!(r.validate(BUY, MARKET, 0.5, Some(43210.987)), Ok((0.5, Some(43210.987))));
    }

    #[test]
    fn names_the_first_rule_broken() {
        let r = btc_usdt();
        let nan = f64::NAN;
        assert_eq!(rule(r.validate(None, None, nan, None)), "invalid_side");
        assert_eq!(rule(r.validate(BUY, None, nan, None)), "invalid_type");
        assert_eq!(rule(r.validate(BUY, LIMIT, nan, None)), "amount_not_finite");
        assert_eq!(rule(r.validate(BUY, LIMIT, f64::NEG_INFINITY, None)), "amount_not_finite");
        assert_eq!(rule(r.validate(BUY, LIMIT, -0.0, None)), "amount_not_positive");
        assert_eq!(rule(r.validate(BUY, LIMIT, 9e-6, None)), "amount_rounds_to_zero");
        assert_eq!(rule(r.validate(BUY, LIMIT, 1e30, None)), "amount_above_max");
        assert_eq!(rule(r.validate(BUY, LIMIT, 9000.00001, None)), "amount_above_max");
        assert_eq!(rule(r.validate(BUY, LIMIT, 1.0, None)), "price_required");
        assert_eq!(rule(r.validate(BUY, LIMIT, 1.0, Some(nan))), "price_not_finite");
        assert_eq!(rule(r.validate(BUY, MARKET, 1.0, Some(0.0))), "price_not_positive");
        assert_eq!(rule(r.validate(BUY, LIMIT, 1.0, Some(0.004))), "price_rounds_to_zero");
        assert_eq!(rule(r.validate(BUY, LIMIT, 1.0, Some(1e6 + 0.01))), "price_above_max");
        assert_eq!(rule(r.validate(BUY, LIMIT, 0.001, Some(4999.99))), "cost_below_min");
        assert_eq!(rule(r.validate(BUY, LIMIT, 0.001, Some(5000.0))), "valid");
        // A market order's reference price is neither rounded nor held to the price limits.
        assert_eq!(rule(r.validate(BUY, MARKET, 1.0, Some(0.004))), "cost_below_min");
        assert_eq!(rule(r.validate(BUY, MARKET, 1e-3, Some(2e6))), "valid");
    }

    #[test]
    fn cost_is_exact_in_decimal() {
        // 0.07 * 100.0 is 7.000000000000001 in floats, exactly 7 in decimal.
        let spec = MarketSpec { cost_max: Some(7.0), ..Default::default() };
        let r = MarketRules::new("TICK_SIZE", spec).unwrap();
        assert_eq!(r.validate(BUY, LIMIT, 0.07, Some(100.0)), Ok((0.07, Some(100.0))));
        assert_eq!(rule(r.validate(BUY, LIMIT, 0.07, Some(100.00000000000001))), "cost_above_max");
    }

    #[test]
    fn explains_with_the_numbers() {
        let r = btc_usdt();
        let why = |res: Result<Normalized, Rejection>| r.explain(&res.unwrap_err(), "'x'");
        assert_eq!(why(r.validate(None, LIMIT, 1.0, None)), "invalid_side: side must be 'buy' or 'sell', got 'x'");
        assert_eq!(
            why(r.validate(BUY, LIMIT, 9e-6, None)),
            "amount_rounds_to_zero: amount 9e-06 truncates to 0 at tick size 1e-05"
        );
        assert_eq!(
            why(r.validate(BUY, LIMIT, 1e30, None)),
            "amount_above_max: amount 1e+30 is too large for ccxt to round at tick size 1e-05 (limit 1e+23)"
        );
        assert_eq!(
            why(r.validate(BUY, LIMIT, 0.001, Some(4999.99))),
            "cost_below_min: cost 4.99999 (amount * price) is below the minimum 5.0"
        );
        assert_eq!(why(r.validate(BUY, LIMIT, 0.5, None)), "price_required: a limit order needs a price");
    }

    #[test]
    fn batch_gives_what_single_calls_give() {
        let r = btc_usdt();
        let sides = [0.0, 1.0, 2.0, 0.0, 0.0, 1.0, 0.0];
        let types = [0.0, 1.0, 0.0, 5.0, 0.0, 0.0, 1.0];
        let amounts = [0.123456, 1.0, 1.0, 1.0, 1e-7, 0.001, 2.0];
        let prices = [43210.987, f64::NAN, 1.0, 1.0, 100.0, f64::NAN, 30000.0];
        let n = sides.len();
        let (mut a, mut p, mut s) = (vec![0.0; n], vec![0.0; n], vec![0u8; n]);
        r.validate_batch(&sides, &types, &amounts, &prices, &mut a, &mut p, &mut s).unwrap();
        for i in 0..n {
            let price = if prices[i].is_nan() { None } else { Some(prices[i]) };
            let single = r.validate(Side::from_code(sides[i]), OrderType::from_code(types[i]), amounts[i], price);
            match single {
                Ok((sa, sp)) => {
                    assert_eq!((s[i], a[i]), (0, sa));
                    assert_eq!(p[i].to_bits(), sp.unwrap_or(f64::NAN).to_bits());
                }
                Err(e) => assert!(s[i] == e.rule as u8 && a[i].is_nan() && p[i].is_nan()),
            }
        }
        assert_eq!(s, [0, 0, 1, 2, 5, 8, 0]);
        assert!(r.validate_batch(&sides, &types[..2], &amounts, &prices, &mut a, &mut p, &mut s).is_err());
    }

    #[test]
    fn rule_codes_round_trip() {
        for code in 1..=15u8 {
            assert_eq!(Rule::from_code(code).unwrap() as u8, code);
        }
        assert_eq!(Rule::from_code(0), None);
        assert_eq!(Rule::from_code(16), None);
    }

    #[test]
    fn to_precision_helpers() {
        let r = btc_usdt();
        assert_eq!(r.amount_to_precision(0.123456789), Ok(0.12345));
        assert_eq!(r.price_to_precision(0.015), Ok(0.02));
        assert_eq!(r.cost_to_precision(-1.239), Ok(-1.23));
        assert_eq!(r.cost_to_precision(0.001), Ok(0.0));
        assert!(r.cost_to_precision(f64::NAN).is_err());
    }
}
