//! PyO3 bindings: the extension module `cracktrader._native`, one file per concept, each adding
//! its functions and classes to the module in its `register`.

use pyo3::prelude::*;

mod checksum;
mod columns;
mod ctypes;
mod indicators;
mod lines;
mod ohlcv;
mod orders;
mod position;
mod returns;
mod trades;
mod vectorized;

#[pymodule]
#[pyo3(name = "_native")]
fn native_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    indicators::register(m)?;
    lines::register(m)?;
    orders::register(m)?;
    position::register(m)?;
    ohlcv::register(m)?;
    checksum::register(m)?;
    returns::register(m)?;
    trades::register(m)?;
    vectorized::register(m)?;
    Ok(())
}
