//! A market's trading rules as ccxt describes them: a precision mode, the precision of amounts,
//! prices and costs, and min/max limits on each. Built once, checked on construction, then
//! used for every order.

use std::cmp::Ordering;

use super::decimal::{py_repr, Dec};
use super::precision::Precision;
use crate::KernelError;

/// ccxt's `precisionMode`, by the name of its constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrecisionMode {
    DecimalPlaces,
    SignificantDigits,
    TickSize,
}

impl PrecisionMode {
    pub fn parse(name: &str) -> Result<PrecisionMode, KernelError> {
        match name {
            "DECIMAL_PLACES" => Ok(PrecisionMode::DecimalPlaces),
            "SIGNIFICANT_DIGITS" => Ok(PrecisionMode::SignificantDigits),
            "TICK_SIZE" => Ok(PrecisionMode::TickSize),
            _ => Err(KernelError::new(format!(
                "MarketRules: precision_mode must be DECIMAL_PLACES, SIGNIFICANT_DIGITS or TICK_SIZE, got {name:?}"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PrecisionMode::DecimalPlaces => "DECIMAL_PLACES",
            PrecisionMode::SignificantDigits => "SIGNIFICANT_DIGITS",
            PrecisionMode::TickSize => "TICK_SIZE",
        }
    }
}

/// What a ccxt market dict says, as floats (None: not given).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MarketSpec {
    pub amount_precision: Option<f64>,
    pub price_precision: Option<f64>,
    /// None falls back to the price precision, as in ccxt's `cost_to_precision`.
    pub cost_precision: Option<f64>,
    pub amount_min: Option<f64>,
    pub amount_max: Option<f64>,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
    pub cost_min: Option<f64>,
    pub cost_max: Option<f64>,
}

/// A limit as the float given and the decimal ccxt compares with (`number_to_string`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    pub value: f64,
    pub dec: Dec,
    /// A float product of normal floats beyond these is surely beyond the limit.
    above: f64,
    below: f64,
}

impl Limit {
    fn new(value: f64) -> Limit {
        Limit { value, dec: Dec::from_f64(value), above: value * (1.0 + 4e-15), below: value * (1.0 - 4e-15) }
    }

    /// How a number compares with the limit, exactly in decimal; `dec` gives the number's decimal and
    /// is only asked for when the floats are equal: distinct floats stand for disjoint sets
    /// of decimals, so they order like any decimals they stand for.
    pub fn cmp(&self, x: f64, dec: impl FnOnce() -> Dec) -> Ordering {
        match x.partial_cmp(&self.value) {
            Some(Ordering::Equal) | None => dec().cmp_dec(&self.dec),
            Some(order) => order,
        }
    }

    /// How `a * b` compares with the limit, exactly in decimal; the floats decide when their product is
    /// clearly apart from it, else `decs` gives the two decimals.
    pub fn cmp_product(&self, a: f64, b: f64, decs: impl FnOnce() -> (Dec, Dec)) -> Ordering {
        // Normal floats are within 2^-53 of their decimals, so f is within ~3.3e-16 of a*b.
        let f = a * b;
        if a.is_normal() && b.is_normal() && f.is_normal() {
            if f > self.above {
                return Ordering::Greater;
            }
            if f < self.below {
                return Ordering::Less;
            }
        }
        let (a, b) = decs();
        Dec::cmp_product(&a, &b, &self.dec)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bounds {
    pub min: Option<Limit>,
    pub max: Option<Limit>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MarketRules {
    pub mode: PrecisionMode,
    /// None: the market gives no precision, values pass unrounded.
    pub amount: Option<Precision>,
    pub price: Option<Precision>,
    pub cost: Option<Precision>,
    pub amount_limits: Bounds,
    pub price_limits: Bounds,
    pub cost_limits: Bounds,
    spec: MarketSpec,
}

impl MarketRules {
    pub fn new(mode: &str, spec: MarketSpec) -> Result<MarketRules, KernelError> {
        let mode = PrecisionMode::parse(mode)?;
        let cost_precision = spec.cost_precision.or(spec.price_precision);
        Ok(MarketRules {
            mode,
            amount: precision(mode, "amount_precision", spec.amount_precision)?,
            price: precision(mode, "price_precision", spec.price_precision)?,
            cost: precision(mode, "cost_precision", cost_precision)?,
            amount_limits: bounds("amount", spec.amount_min, spec.amount_max)?,
            price_limits: bounds("price", spec.price_min, spec.price_max)?,
            cost_limits: bounds("cost", spec.cost_min, spec.cost_max)?,
            spec,
        })
    }

    /// `MarketRules('TICK_SIZE', amount_precision=0.001, ...)`, the given values only.
    pub fn describe(&self) -> String {
        let s = &self.spec;
        let fields = [
            ("amount_precision", s.amount_precision),
            ("price_precision", s.price_precision),
            ("cost_precision", s.cost_precision),
            ("amount_min", s.amount_min),
            ("amount_max", s.amount_max),
            ("price_min", s.price_min),
            ("price_max", s.price_max),
            ("cost_min", s.cost_min),
            ("cost_max", s.cost_max),
        ];
        let mut out = format!("MarketRules('{}'", self.mode.name());
        for (name, value) in fields {
            if let Some(v) = value {
                out += &format!(", {name}={}", py_repr(v));
            }
        }
        out + ")"
    }
}

fn precision(mode: PrecisionMode, name: &str, value: Option<f64>) -> Result<Option<Precision>, KernelError> {
    let Some(v) = value else { return Ok(None) };
    let bad = |what: &str| Err(KernelError::new(format!("MarketRules: {name} must be {what}, got {}", py_repr(v))));
    match mode {
        PrecisionMode::DecimalPlaces | PrecisionMode::SignificantDigits => {
            let whole = v.is_finite() && v.fract() == 0.0 && v.abs() <= 1e6;
            if mode == PrecisionMode::DecimalPlaces {
                if !whole {
                    return bad("a whole number of decimal places in DECIMAL_PLACES mode");
                }
                Ok(Some(Precision::decimal_places(v as i32)))
            } else {
                if !whole || v < 1.0 {
                    return bad("a whole number of significant digits >= 1 in SIGNIFICANT_DIGITS mode");
                }
                Ok(Some(Precision::significant_digits(v as i32)))
            }
        }
        PrecisionMode::TickSize => {
            if !(v.is_finite() && v > 0.0) {
                return bad("a tick size > 0 in TICK_SIZE mode");
            }
            let p = Precision::tick_size(v);
            if let Precision::TickSize { places, .. } = p {
                if places > 26 {
                    return bad("a tick size with at most 26 decimal places (ccxt quantizes to 26)");
                }
            }
            Ok(Some(p))
        }
    }
}

fn bounds(what: &str, min: Option<f64>, max: Option<f64>) -> Result<Bounds, KernelError> {
    let limit = |side: &str, value: Option<f64>| -> Result<Option<Limit>, KernelError> {
        match value {
            None => Ok(None),
            Some(v) if v.is_finite() && v >= 0.0 => Ok(Some(Limit::new(v))),
            Some(v) => Err(KernelError::new(format!(
                "MarketRules: {what}_{side} must be a finite number >= 0 or None, got {}",
                py_repr(v)
            ))),
        }
    };
    let b = Bounds { min: limit("min", min)?, max: limit("max", max)? };
    if let (Some(lo), Some(hi)) = (b.min, b.max) {
        if lo.value > hi.value {
            return Err(KernelError::new(format!(
                "MarketRules: {what}_min {} is above {what}_max {}",
                py_repr(lo.value),
                py_repr(hi.value)
            )));
        }
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> MarketSpec {
        MarketSpec { amount_precision: Some(0.001), price_precision: Some(0.01), ..Default::default() }
    }

    #[test]
    fn builds_and_describes() {
        let r = MarketRules::new("TICK_SIZE", MarketSpec { cost_min: Some(5.0), ..spec() }).unwrap();
        assert_eq!(r.cost, r.price, "cost precision falls back to price precision");
        assert_eq!(r.cost_limits.min.unwrap().dec, Dec { coef: 5, exp: 0 });
        assert_eq!(r.describe(), "MarketRules('TICK_SIZE', amount_precision=0.001, price_precision=0.01, cost_min=5.0)");
        let none = MarketRules::new("DECIMAL_PLACES", MarketSpec::default()).unwrap();
        assert_eq!((none.amount, none.price, none.cost), (None, None, None));
    }

    #[test]
    fn limits_compare_exactly_in_decimal() {
        use Ordering::*;
        let tenth = Limit::new(0.1);
        assert_eq!(tenth.cmp(0.1, || Dec::from_f64(0.1)), Equal);
        // The same float, a longer decimal: only the decimals can tell.
        assert_eq!(tenth.cmp(0.1, || Dec::new(100_000_000_000_000_000_001, -21)), Greater);
        assert_eq!(tenth.cmp(0.30000000000000004, || unreachable!("the floats decide")), Greater);
        let seven = Limit::new(7.0);
        // 0.07 * 100.0 is 7.000000000000001 in floats, exactly 7 in decimal.
        assert_eq!(seven.cmp_product(0.07, 100.0, || (Dec::from_f64(0.07), Dec::from_f64(100.0))), Equal);
        assert_eq!(seven.cmp_product(1.0, 8.0, || unreachable!("the floats decide")), Greater);
        assert_eq!(seven.cmp_product(1.0, 6.0, || unreachable!("the floats decide")), Less);
        // 5e-324 is 4.94e-324 as a float: the product of floats is 1% off, decimals are exact.
        let tiny = Limit::new(5e-24);
        assert_eq!(tiny.cmp_product(5e-324, 1e300, || (Dec::from_f64(5e-324), Dec::from_f64(1e300))), Equal);
    }

    #[test]
    fn rejects_bad_rules_naming_the_field() {
        let err = |mode: &str, s: MarketSpec| MarketRules::new(mode, s).unwrap_err().message().to_string();
        assert_eq!(
            err("TICK", spec()),
            "MarketRules: precision_mode must be DECIMAL_PLACES, SIGNIFICANT_DIGITS or TICK_SIZE, got \"TICK\""
        );
        assert_eq!(
            err("DECIMAL_PLACES", spec()),
            "MarketRules: amount_precision must be a whole number of decimal places in DECIMAL_PLACES mode, got 0.001"
        );
        let sig0 = MarketSpec { amount_precision: Some(0.0), ..Default::default() };
        assert!(err("SIGNIFICANT_DIGITS", sig0).contains("amount_precision must be a whole number of significant digits >= 1"));
        let neg_tick = MarketSpec { price_precision: Some(-0.5), ..Default::default() };
        assert_eq!(err("TICK_SIZE", neg_tick), "MarketRules: price_precision must be a tick size > 0 in TICK_SIZE mode, got -0.5");
        let tiny_tick = MarketSpec { price_precision: Some(1.5e-26), ..Default::default() };
        assert_eq!(
            err("TICK_SIZE", tiny_tick),
            "MarketRules: price_precision must be a tick size with at most 26 decimal places (ccxt quantizes to 26), got 1.5e-26"
        );
        let nan_min = MarketSpec { cost_min: Some(f64::NAN), ..spec() };
        assert_eq!(err("TICK_SIZE", nan_min), "MarketRules: cost_min must be a finite number >= 0 or None, got nan");
        let crossed = MarketSpec { amount_min: Some(10.0), amount_max: Some(5.0), ..spec() };
        assert_eq!(err("TICK_SIZE", crossed), "MarketRules: amount_min 10.0 is above amount_max 5.0");
        assert!(MarketRules::new("DECIMAL_PLACES", MarketSpec { amount_precision: Some(-2.0), ..Default::default() }).is_ok());
    }
}
