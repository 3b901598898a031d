//! CrackTrader's numeric kernels, written once as plain functions on slices.
//!
//! The same crate is compiled twice: with the `python` feature into the PyO3 extension
//! `cracktrader._native`, and with the `wasm` feature into a wasm-bindgen module for the
//! browser. Both binding layers are thin: they convert arguments, call the kernels below and
//! turn [`KernelError`] into a Python `ValueError` or a JS `Error`. Kernels never panic on
//! user input; every invalid argument is an error value.

pub mod checksum;
pub mod error;
pub mod indicators;
pub mod ohlcv;
pub mod orders;
pub mod params;
pub mod returns;
pub mod trades;
pub mod vectorized;

pub use error::KernelError;

#[cfg(any(feature = "python", feature = "wasm"))]
mod bindings;
