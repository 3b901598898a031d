//! The two thin binding layers, `python` (PyO3) and `js` (wasm-bindgen), a file per concept in
//! each: convert the arguments, call the kernel, convert the error.
//!
//! Indicators are bound by expanding the catalog (`indicators/catalog.rs`): nothing to add here
//! for a new one. Another kernel module gets a file in each layer: `python/<concept>.rs` with a
//! `register(m)` called from `python/mod.rs`, and `js/<concept>.rs` of `#[wasm_bindgen]` items,
//! declared in `js/mod.rs`.

/// `positional!(mac!(args..) -> outputs..)` is `mac!(args.. [out0, ..])`, one name per output
/// by position: the catalog's output names may repeat a parameter's (MACD's `signal`).
macro_rules! positional {
    ($mac:ident!($($args:tt)*) -> $a:ident) => { $mac!($($args)* [out0]); };
    ($mac:ident!($($args:tt)*) -> $a:ident, $b:ident) => { $mac!($($args)* [out0, out1]); };
    ($mac:ident!($($args:tt)*) -> $a:ident, $b:ident, $c:ident) => { $mac!($($args)* [out0, out1, out2]); };
}

#[cfg(feature = "wasm")]
mod js;
#[cfg(feature = "python")]
mod python;
