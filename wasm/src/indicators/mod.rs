//! Technical indicators: each a plain function `fn(inputs.., params.., out) -> Result` over
//! float64 slices, output as long as the input with NaN during warm-up, plus a streaming state
//! fed one bar at a time whose outputs are bit-identical to the batch function.

pub mod rolling;
pub mod sma;

pub use sma::{sma, Sma};
