//! Exchange order validation: a market's rules (ccxt's precision modes and limits) and an order
//! in; the normalized order, rounded exactly as ccxt rounds it, or the first rule it breaks.

pub mod decimal;
pub mod grid;
pub mod precision;
pub mod rules;
pub mod validate;

pub use rules::{MarketRules, MarketSpec, PrecisionMode};
pub use validate::{OrderType, Rejection, Rule, Side, RULE_NAMES};
