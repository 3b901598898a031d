//! Vectorized signal backtests for Python: `SignalSim` keeps one market's columns (borrowed
//! from the caller's buffers on each call) and the run's settings; `run` simulates one column
//! of signals in full, `measure` many columns down to their statistics' measures. Records are
//! flat array('d'), `*_FIELDS` numbers each. The GIL is released while the kernel runs.

use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::columns::{value_error, Column, Output};
use super::ohlcv::I64Column;
use super::orders::PyMarketRules;
use crate::vectorized::{account, measure, measures, order, Commission, Market, Signals, Simulator, Slippage, Settings, Spec, REASONS};
use crate::KernelError;

#[pyclass(name = "SignalSim", module = "cracktrader.kernels", frozen)]
pub struct PySignalSim {
    columns: [Py<PyAny>; 5],
    settings: Settings,
}

/// The market's columns borrowed for one call.
struct Columns {
    time: I64Column,
    prices: [Column; 4],
}

impl Columns {
    fn market(&self) -> Result<Market<'_>, KernelError> {
        let [o, h, l, c] = &self.prices;
        let m = Market { time: self.time.as_slice(), open: o.as_slice(), high: h.as_slice(), low: l.as_slice(), close: c.as_slice() };
        let n = m.time.len();
        // Checked finite when the SignalSim was made; here only that nobody resized them.
        if [m.open, m.high, m.low, m.close].iter().any(|c| c.len() != n) {
            return Err(KernelError::new("vectorized: the market's columns changed length"));
        }
        Ok(m)
    }
}

impl PySignalSim {
    fn borrow(&self, py: Python<'_>) -> PyResult<Columns> {
        let names = ["open", "high", "low", "close"];
        let mut prices = Vec::with_capacity(4);
        for (name, col) in names.iter().zip(&self.columns[1..]) {
            prices.push(Column::new("SignalSim", name, col.bind(py))?);
        }
        Ok(Columns {
            time: I64Column::new("SignalSim", "time", self.columns[0].bind(py))?,
            prices: prices.try_into().unwrap_or_else(|_| unreachable!()),
        })
    }
}

#[pymethods]
impl PySignalSim {
    #[new]
    #[pyo3(signature = (time, open, high, low, close, *, cash, maker, taker, fixed, bps, range, at_close, policy,
        leverage, rules=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        time: Py<PyAny>,
        open: Py<PyAny>,
        high: Py<PyAny>,
        low: Py<PyAny>,
        close: Py<PyAny>,
        cash: f64,
        maker: f64,
        taker: f64,
        fixed: f64,
        bps: f64,
        range: f64,
        at_close: bool,
        policy: f64,
        leverage: f64,
        rules: Option<PyRef<'_, PyMarketRules>>,
    ) -> PyResult<Self> {
        let rules = rules.map(|r| r.0.clone());
        let commission = Commission { maker, taker, fixed };
        let slippage = Slippage { bps, range };
        let settings = Settings::new(cash, commission, slippage, at_close, policy, leverage, rules).map_err(value_error)?;
        let sim = PySignalSim { columns: [time, open, high, low, close], settings };
        let cols = sim.borrow(py)?;
        let m = cols.market().map_err(value_error)?;
        Market::new(m.time, m.open, m.high, m.low, m.close).map_err(value_error)?;
        Ok(sim)
    }

    /// One column in full: `(equity, trades, orders, measures)`, array('d') each (records of
    /// TRADE_FIELDS and ORDER_FIELDS numbers; MEASURE_FIELDS numbers, none without bars).
    fn run<'py>(
        &self,
        py: Python<'py>,
        spec: [f64; 7],
        entries: &Bound<'py, PyAny>,
        exits: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let spec = Spec::from_numbers(&spec).map_err(value_error)?;
        let (entries, exits) = (SignalBuffer::new("entries", entries)?, SignalBuffer::new("exits", exits)?);
        let cols = self.borrow(py)?;
        let market = cols.market().map_err(value_error)?;
        let mut equity = Output::new(py, market.len())?;
        let out = equity.as_mut_slice();
        let settings = &self.settings;
        let (trades, orders, measures) = py
            .detach(|| -> Result<_, KernelError> {
                let mut sim = Simulator::new(market, settings)?;
                run_column(&mut sim, &spec, &entries, &exits, out)?;
                let a = &sim.broker.account;
                let trades: Vec<f64> = a.trades.iter().chain(a.open.as_ref()).flat_map(|t| t.record()).collect();
                let orders: Vec<f64> = sim.broker.orders.iter().flat_map(|o| o.record()).collect();
                let measures = match out.is_empty() {
                    true => vec![],
                    false => measure(market.time, out, &a.trades, a.open.as_ref(), &mut Default::default()).record().to_vec(),
                };
                Ok((trades, orders, measures))
            })
            .map_err(value_error)?;
        let outputs = [equity.array, filled(py, &trades)?, filled(py, &orders)?, filled(py, &measures)?];
        PyTuple::new(py, outputs)
    }

    /// Many columns `[(spec, entries, exits), ...]` to their measures: array('d') of
    /// MEASURE_FIELDS numbers per column. One equity column is held at a time.
    fn measure<'py>(&self, py: Python<'py>, columns: Vec<([f64; 7], Bound<'py, PyAny>, Bound<'py, PyAny>)>) -> PyResult<Bound<'py, PyAny>> {
        let mut work = Vec::with_capacity(columns.len());
        for (spec, entries, exits) in &columns {
            work.push((Spec::from_numbers(spec).map_err(value_error)?, SignalBuffer::new("entries", entries)?, SignalBuffer::new("exits", exits)?));
        }
        let cols = self.borrow(py)?;
        let market = cols.market().map_err(value_error)?;
        let mut out = Output::new(py, work.len() * measures::FIELDS)?;
        let records = out.as_mut_slice();
        let settings = &self.settings;
        py.detach(|| -> Result<(), KernelError> {
            let mut sim = Simulator::new(market, settings)?;
            let mut equity = vec![0.0; market.len()];
            let mut scratch = measures::Scratch::default();
            for ((spec, entries, exits), record) in work.iter().zip(records.chunks_exact_mut(measures::FIELDS)) {
                run_column(&mut sim, spec, entries, exits, &mut equity)?;
                if equity.is_empty() {
                    return Err(KernelError::new("vectorized: no bars to measure"));
                }
                let a = &sim.broker.account;
                record.copy_from_slice(&measure(market.time, &equity, &a.trades, a.open.as_ref(), &mut scratch).record());
            }
            Ok(())
        })
        .map_err(value_error)?;
        Ok(out.array)
    }
}

/// A signal column: float64, or one byte per value (bool, uint8, int8), borrowed.
enum SignalBuffer {
    F64(Column),
    Bytes(PyUntypedBuffer, bool), // signed
}

impl SignalBuffer {
    fn new(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<SignalBuffer> {
        if let Ok(buf) = PyUntypedBuffer::get(obj) {
            let format = buf.format().to_str().unwrap_or("").trim_start_matches(['@', '=', '<', '>', '!']);
            if buf.dimensions() == 1 && buf.is_c_contiguous() && buf.item_size() == 1 {
                match format {
                    "?" | "B" => return Ok(SignalBuffer::Bytes(buf, false)),
                    "b" => return Ok(SignalBuffer::Bytes(buf, true)),
                    _ => {}
                }
            }
            if format != "d" {
                return Err(PyTypeError::new_err(format!(
                    "vectorized: {name} must hold float64, bool or int8 values, got a buffer of '{format}'"
                )));
            }
        }
        Column::new("vectorized", name, obj).map(SignalBuffer::F64)
    }

    fn view(&self) -> Signals<'_> {
        match self {
            SignalBuffer::F64(c) => Signals::F64(c.as_slice()),
            SignalBuffer::Bytes(buf, signed) => {
                let (n, ptr) = (buf.item_count(), buf.buf_ptr());
                if n == 0 {
                    return Signals::U8(&[]);
                }
                // SAFETY: a contiguous one-dimensional buffer of n one-byte items (checked in
                // `new`), exported while `buf` lives.
                unsafe {
                    if *signed {
                        Signals::I8(std::slice::from_raw_parts(ptr as *const i8, n))
                    } else {
                        Signals::U8(std::slice::from_raw_parts(ptr as *const u8, n))
                    }
                }
            }
        }
    }
}

/// Runs one column.
fn run_column(sim: &mut Simulator, spec: &Spec, entries: &SignalBuffer, exits: &SignalBuffer, equity: &mut [f64]) -> Result<(), KernelError> {
    sim.run(spec, entries.view(), exits.view(), equity)
}

/// A fresh array('d') holding `values`.
fn filled<'py>(py: Python<'py>, values: &[f64]) -> PyResult<Bound<'py, PyAny>> {
    let mut out = Output::new(py, values.len())?;
    out.as_mut_slice().copy_from_slice(values);
    Ok(out.array)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySignalSim>()?;
    m.add("VECTORIZED_REASONS", PyTuple::new(m.py(), REASONS)?)?;
    m.add("VECTORIZED_FIELDS", (order::FIELDS, account::FIELDS, measures::FIELDS))?;
    Ok(())
}
