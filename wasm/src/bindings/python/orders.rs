//! Order validation for Python: `MarketRules`, whose `validate` is the hot path (called
//! directly, no Python wrapper), and a batch form over columns. Rejections raise
//! `cracktrader.errors.OrderRejected`.

use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::types::{PyFloat, PyString, PyTuple};

use super::columns::{value_error, Column, Output};
use crate::orders::{self, MarketSpec, OrderType, Rejection, Rule, Side, RULE_NAMES};

#[pyclass(name = "MarketRules", module = "cracktrader.kernels", subclass, frozen)]
pub struct PyMarketRules(pub(super) orders::MarketRules);

#[pymethods]
impl PyMarketRules {
    #[new]
    #[pyo3(signature = (precision_mode, *, amount_precision=None, price_precision=None,
        cost_precision=None, amount_min=None, amount_max=None, price_min=None, price_max=None,
        cost_min=None, cost_max=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        precision_mode: &str,
        amount_precision: Option<f64>,
        price_precision: Option<f64>,
        cost_precision: Option<f64>,
        amount_min: Option<f64>,
        amount_max: Option<f64>,
        price_min: Option<f64>,
        price_max: Option<f64>,
        cost_min: Option<f64>,
        cost_max: Option<f64>,
    ) -> PyResult<Self> {
        let spec = MarketSpec {
            amount_precision,
            price_precision,
            cost_precision,
            amount_min,
            amount_max,
            price_min,
            price_max,
            cost_min,
            cost_max,
        };
        orders::MarketRules::new(precision_mode, spec).map(PyMarketRules).map_err(value_error)
    }

    /// The normalized `(amount, price)`, or raises `OrderRejected`.
    #[pyo3(signature = (side, order_type, amount, price=None))]
    fn validate(
        &self,
        side: &Bound<'_, PyAny>,
        order_type: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        price: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(f64, Option<f64>)> {
        let amount = real("validate", "amount", amount)?;
        let price = price.map(|p| real("validate", "price", p)).transpose()?;
        let parsed_side = text(side).and_then(Side::parse);
        let parsed_type = text(order_type).and_then(OrderType::parse);
        self.0.validate(parsed_side, parsed_type, amount, price).map_err(|r| {
            let got = if parsed_side.is_none() { side } else { order_type };
            self.rejected(side.py(), &r, Some(got))
        })
    }

    /// Columns in (side codes 0 buy / 1 sell, type codes 0 limit / 1 market, amounts, prices
    /// with NaN for none); `(amounts, prices, status)` out: array('d'), array('d'), array('B').
    fn validate_batch<'py>(
        &self,
        py: Python<'py>,
        sides: &Bound<'py, PyAny>,
        order_types: &Bound<'py, PyAny>,
        amounts: &Bound<'py, PyAny>,
        prices: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let name = "validate_batch";
        let sides = Column::new(name, "sides", sides)?;
        let types = Column::new(name, "order_types", order_types)?;
        let amounts = Column::new(name, "amounts", amounts)?;
        let prices = Column::new(name, "prices", prices)?;
        let n = sides.as_slice().len();
        let (mut out_a, mut out_p) = (Output::new(py, n)?, Output::new(py, n)?);
        let mut status = StatusOutput::new(py, n)?;
        let (s, t, a, p) = (sides.as_slice(), types.as_slice(), amounts.as_slice(), prices.as_slice());
        let (oa, op, os) = (out_a.as_mut_slice(), out_p.as_mut_slice(), status.as_mut_slice());
        py.detach(|| self.0.validate_batch(s, t, a, p, oa, op, os)).map_err(value_error)?;
        PyTuple::new(py, [out_a.array, out_p.array, status.array])
    }

    /// ccxt's `amount_to_precision` (amount > 0), or raises `OrderRejected`.
    fn amount_to_precision(&self, py: Python<'_>, amount: &Bound<'_, PyAny>) -> PyResult<f64> {
        let amount = real("amount_to_precision", "amount", amount)?;
        self.0.amount_to_precision(amount).map_err(|r| self.rejected(py, &r, None))
    }

    /// ccxt's `price_to_precision` (price > 0), or raises `OrderRejected`.
    fn price_to_precision(&self, py: Python<'_>, price: &Bound<'_, PyAny>) -> PyResult<f64> {
        let price = real("price_to_precision", "price", price)?;
        self.0.price_to_precision(price).map_err(|r| self.rejected(py, &r, None))
    }

    /// ccxt's `cost_to_precision`; ValueError for NaN, infinities and out-of-range costs.
    fn cost_to_precision(&self, cost: &Bound<'_, PyAny>) -> PyResult<f64> {
        let cost = real("cost_to_precision", "cost", cost)?;
        self.0.cost_to_precision(cost).map_err(value_error)
    }

    fn __repr__(&self) -> String {
        self.0.describe()
    }
}

impl PyMarketRules {
    /// `OrderRejected(rule, message, value, limit)`; for side and type, `value` is what was given.
    fn rejected(&self, py: Python<'_>, r: &Rejection, got: Option<&Bound<'_, PyAny>>) -> PyErr {
        static ORDER_REJECTED: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let build = || -> PyResult<PyErr> {
            let cls = ORDER_REJECTED.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
                Ok(py.import("cracktrader.errors")?.getattr("OrderRejected")?.unbind())
            })?;
            let (value, got_repr) = match (r.rule, got) {
                (Rule::InvalidSide | Rule::InvalidType, Some(obj)) => (obj.clone(), obj.repr()?.to_string()),
                (Rule::PriceRequired, _) => (py.None().into_bound(py), String::new()),
                _ => (r.value.into_pyobject(py)?.into_any(), String::new()),
            };
            let message = self.0.explain(r, &got_repr);
            let err = cls.bind(py).call1((r.rule.name(), message, value, r.limit))?;
            Ok(PyErr::from_value(err))
        };
        build().unwrap_or_else(|e| e)
    }
}

/// A number argument as a float (floats first: the hot path), or an error naming it.
fn real(method: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<f64> {
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(f.value());
    }
    obj.extract::<f64>().map_err(|e| {
        let got = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        if e.is_instance_of::<PyTypeError>(obj.py()) {
            PyTypeError::new_err(format!("{method}: {name} must be a real number, got {got}"))
        } else {
            PyValueError::new_err(format!("{method}: {name} must be a real number within float range, got {got}"))
        }
    })
}

/// The text of a str argument (anything else is no valid side or type).
fn text<'a>(obj: &'a Bound<'_, PyAny>) -> Option<&'a str> {
    obj.cast::<PyString>().ok().and_then(|s| s.to_str().ok())
}

/// A fresh array('B') of `len` zeros for the status codes, and its buffer.
struct StatusOutput<'py> {
    array: Bound<'py, PyAny>,
    buf: Option<PyBuffer<u8>>, // None when empty
}

impl<'py> StatusOutput<'py> {
    fn new(py: Python<'py>, len: usize) -> PyResult<Self> {
        static ZERO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let zero = ZERO.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("array")?.getattr("array")?.call1(("B", vec![0u8]))?.unbind())
        })?;
        let array = zero.bind(py).mul(len)?;
        let buf = if len == 0 { None } else { Some(PyBuffer::<u8>::get(&array)?) };
        Ok(StatusOutput { array, buf })
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: a fresh contiguous array('B') only we hold, exported for as long as we live.
        match &self.buf {
            Some(buf) => unsafe { buf.as_slice_ptr().unwrap().as_mut() },
            None => &mut [],
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMarketRules>()?;
    m.add("ORDER_STATUS", PyTuple::new(m.py(), RULE_NAMES)?)?;
    Ok(())
}
