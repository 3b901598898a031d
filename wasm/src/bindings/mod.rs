//! The two thin binding layers. Each converts arguments, calls a kernel, converts the error.

#[cfg(feature = "wasm")]
mod js;
#[cfg(feature = "python")]
mod python;
