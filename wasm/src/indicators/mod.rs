//! Technical indicators, named as TA-Lib's functions in lower case; `catalog` lists them all.
//!
//! Each indicator is a streaming state fed one bar at a time (for live trading) and a batch
//! function over float64 slices that runs that very state over the columns (`drivers`), so both
//! forms agree to the last bit. Outputs are as long as the inputs, NaN during warm-up;
//! multi-output kernels fill one slice per output in TA-Lib's output order.
//!
//! Non-finite input: a bar with a NaN or infinite input gives NaN and the indicator starts over
//! from the next bar, as if the series began there. So the output on a series with gaps is the
//! indicator of each finite stretch on its own. Windowed indicators (SMA, MAX, ...) thereby
//! recover as soon as the bad value has left the window; recursive ones (EMA, RSI, ATR, ...)
//! warm up again instead of staying NaN forever as TA-Lib's do.

// The machinery every kernel uses: float helpers (first: they define `with_avx2!`), drivers.
#[macro_use]
mod float;
mod drivers;
pub mod catalog;
#[cfg(test)]
pub(crate) mod testing;

pub(crate) use drivers::{
    check, pieces, prefetch_next, run, step_each, windowed, Indicator, Piece, BLOCK,
};
pub(crate) use float::{
    choose, divide2, greater, greater_in_pass, lesser, lesser_in_pass, negligible, nonfinite_bits, sqrt2, NAN,
};

// Building blocks shared by several kernels.
mod extremes;
mod lanes;
mod rolling;
mod smooth;

mod aroon;
mod bbands;
mod cci;
mod cross;
mod dema;
mod dmi;
mod donchian;
mod ema;
mod kama;
mod keltner;
mod linearreg;
mod macd;
mod mfi;
mod momentum;
mod obv;
mod rsi;
mod sar;
mod sma;
mod smma;
mod stoch;
mod trange;
mod trima;
mod trix;
mod ultosc;
mod vwap;
mod willr;
mod window;
mod wma;

pub use aroon::{aroon, aroonosc, Aroon, Aroonosc};
pub use bbands::{bbands, stddev, Bbands, Stddev};
pub use cci::{cci, Cci};
pub use cross::{crossover, crossunder, Crossover, Crossunder};
pub use dema::{dema, tema, Dema, Tema};
pub use dmi::{adx, adxr, minus_di, plus_di, Adx, Adxr, MinusDi, PlusDi};
pub use donchian::{donchian, Donchian};
pub use ema::{ema, Ema};
pub use kama::{kama, Kama};
pub use keltner::{keltner, Keltner};
pub use linearreg::{linearreg_slope, LinearregSlope};
pub use macd::{macd, Macd};
pub use mfi::{mfi, Mfi};
pub use momentum::{mom, roc, rocp, Mom, Roc, Rocp};
pub use obv::{obv, Obv};
pub use rsi::{rsi, Rsi};
pub use sar::{sar, Sar};
pub use sma::{sma, Sma};
pub use smma::{smma, Smma};
pub use stoch::{stoch, stochf, stochrsi, Stoch, Stochf, Stochrsi};
pub use trange::{atr, natr, trange, Atr, Natr, Trange};
pub use trima::{trima, Trima};
pub use trix::{trix, Trix};
pub use ultosc::{ultosc, Ultosc};
pub use vwap::{vwap, Vwap};
pub use willr::{willr, Willr};
pub use window::{max, min, sum, Max, Min, Sum};
pub use wma::{wma, Wma};
