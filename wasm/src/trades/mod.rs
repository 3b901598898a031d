//! Candles from trades, built as the exchange builds its klines, in the browser and on the
//! server alike: a live session turns a trade stream into the bars its strategy sees, and they
//! must be the bars the exchange's kline endpoint serves afterwards.

pub mod candles;
pub mod exact;

pub use candles::{candles_from_trades, Bar, CandleBuilder, TradeCandles};
