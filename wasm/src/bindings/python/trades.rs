//! Candles from trades for Python: the batch form over columns, and the streaming builder.
//!
//! A bar is the tuple `(time, open, high, low, close, volume, quote_volume, trades)`; the batch
//! form returns those eight columns as `Buffer`s (format 'q' for time and trades, 'd' else).

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::columns::{value_error, Column};
use super::ohlcv::{column_buffers, Data, I64Column, PyBuf};
use crate::trades::{self, Bar, TradeCandles};

type BarTuple = (i64, f64, f64, f64, f64, f64, f64, i64);

fn bar_tuple(b: &Bar) -> BarTuple {
    (
        b.time,
        b.open,
        b.high,
        b.low,
        b.close,
        b.volume,
        b.quote_volume,
        b.trades,
    )
}

/// Bars of `timeframe_ms` from trades in time order: a tuple of eight columns.
#[pyfunction]
#[pyo3(signature = (time, price, amount, timeframe_ms, now=None))]
fn candles_from_trades<'py>(
    py: Python<'py>,
    time: &Bound<'py, PyAny>,
    price: &Bound<'py, PyAny>,
    amount: &Bound<'py, PyAny>,
    timeframe_ms: i64,
    now: Option<i64>,
) -> PyResult<Bound<'py, PyTuple>> {
    let kernel = "candles_from_trades";
    let time = I64Column::new(kernel, "time", time)?;
    let (price, amount) = (
        Column::new(kernel, "price", price)?,
        Column::new(kernel, "amount", amount)?,
    );
    let (t, p, a) = (time.as_slice(), price.as_slice(), amount.as_slice());
    let c = py
        .detach(|| trades::candles_from_trades(t, p, a, timeframe_ms, now))
        .map_err(value_error)?;
    let TradeCandles {
        candles,
        quote_volume,
        trades,
    } = c;
    let mut items = column_buffers(py, candles)?;
    items.push(Bound::new(py, PyBuf::new(Data::F64(quote_volume)))?.into_any());
    items.push(Bound::new(py, PyBuf::new(Data::I64(trades)))?.into_any());
    PyTuple::new(py, items)
}

/// The streaming form: `update(time, price, amount)` returns the bars that trade closed,
/// `advance(now)` those the clock closed, `forming()` the bar forming (or None).
#[pyclass(name = "CandleBuilder", module = "cracktrader.kernels")]
struct PyCandleBuilder(trades::CandleBuilder);

#[pymethods]
impl PyCandleBuilder {
    #[new]
    fn new(timeframe_ms: i64) -> PyResult<Self> {
        trades::CandleBuilder::new(timeframe_ms)
            .map(PyCandleBuilder)
            .map_err(value_error)
    }

    fn update(&mut self, time: i64, price: f64, amount: f64) -> PyResult<Vec<BarTuple>> {
        let mut closed = Vec::new();
        self.0
            .update(time, price, amount, &mut closed)
            .map_err(value_error)?;
        Ok(closed.iter().map(bar_tuple).collect())
    }

    fn advance(&mut self, now: i64) -> Vec<BarTuple> {
        let mut closed = Vec::new();
        self.0.advance(now, &mut closed);
        closed.iter().map(bar_tuple).collect()
    }

    fn forming(&self) -> Option<BarTuple> {
        self.0.forming().as_ref().map(bar_tuple)
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCandleBuilder>()?;
    m.add_function(wrap_pyfunction!(candles_from_trades, m)?)?;
    Ok(())
}
