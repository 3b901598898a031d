//! Indicator kernels for Python: the catalog (`indicators/catalog.rs`) expanded into a function
//! per batch kernel and a class per streaming state, and the catalog itself as JSON
//! (`indicator_catalog()`). The GIL is released while a kernel runs.

use pyo3::prelude::*;

use super::columns::{into_py, value_error, Column, Output};
use crate::indicators::{self, catalog::catalog};

/// `batch!(name(inputs..; params..) [outputs..])`: a function `name(inputs.., params..)` taking
/// float64 columns and returning one array('d') per output (a tuple when there are several).
macro_rules! batch {
    ($name:ident($($input:ident),+; $($param:ident: $ty:ty $(= $default:literal)?),*) [$($out:ident),+]) => {
        // The signature goes in the docstring, where CPython reads `__text_signature__`, because
        // PyO3's own shows defaults as `...`.
        #[doc = concat!(stringify!($name), "(", stringify!($($input),+ $(, $param $(= $default)?)*), ")\n--\n\n",
            "Batch ", stringify!($name), " over float64 columns; see docs/indicators.md.")]
        #[pyfunction]
        #[pyo3(signature = ($($input,)+ $($param $(= $default)?),*), text_signature = None)]
        #[allow(clippy::too_many_arguments)]
        fn $name<'py>(py: Python<'py>, $($input: &Bound<'py, PyAny>,)+ $($param: $ty),*) -> PyResult<Bound<'py, PyAny>> {
            $(let $input = Column::new(stringify!($name), stringify!($input), $input)?;)+
            let len = [$($input.as_slice().len()),+][0];
            let mut outputs = vec![$({ let _ = stringify!($out); Output::new(py, len)? }),+];
            {
                $(let $input = $input.as_slice();)+
                let mut slices = outputs.iter_mut().map(|o| o.as_mut_slice());
                $(let $out = slices.next().unwrap();)+
                py.detach(|| indicators::$name($($input,)+ $($param,)* $($out),+)).map_err(value_error)?;
            }
            into_py(py, outputs)
        }
    };
}

/// `stream!(State(params..) => update(inputs..) -> outputs..)`: a class `State(params..)` whose
/// `update(inputs..)` returns what the batch kernel gives at that bar (a tuple for several).
macro_rules! stream {
    ($state:ident($($params:tt)*) => update($($input:ident),+) -> $one:ident) => {
        stream!(@class $state($($params)*) => update($($input),+) -> f64);
    };
    ($state:ident($($params:tt)*) => update($($input:ident),+) -> $a:ident, $b:ident) => {
        stream!(@class $state($($params)*) => update($($input),+) -> (f64, f64));
    };
    ($state:ident($($params:tt)*) => update($($input:ident),+) -> $a:ident, $b:ident, $c:ident) => {
        stream!(@class $state($($params)*) => update($($input),+) -> (f64, f64, f64));
    };
    (@class $state:ident($($param:ident: $ty:ty $(= $default:literal)?),*) => update($($input:ident),+) -> $ret:ty) => {
        #[doc = concat!(stringify!($state), "(", stringify!($($param $(= $default)?),*), ")\n--\n\n",
            "Streaming form: update(", stringify!($($input),+), ") gives what the batch kernel gives at that bar.")]
        #[pyclass(module = "cracktrader.kernels")]
        struct $state(indicators::$state);

        #[pymethods]
        impl $state {
            #[new]
            #[pyo3(signature = ($($param $(= $default)?),*), text_signature = None)]
            fn new($($param: $ty),*) -> PyResult<Self> {
                indicators::$state::new($($param),*).map($state).map_err(value_error)
            }

            fn update(&mut self, $($input: f64),+) -> $ret {
                self.0.update($($input),+)
            }
        }
    };
}

/// The catalog's every line as a function and a class, and `register` adding them all.
macro_rules! bind {
    ($($name:ident $state:ident($($input:ident),+; $($param:ident: $ty:ident $(= $default:literal)?),*) -> $($out:ident),+;)*) => {
        $(
            positional!(batch!($name($($input),+; $($param: $ty $(= $default)?),*)) -> $($out),+);
            stream!($state($($param: $ty $(= $default)?),*) => update($($input),+) -> $($out),+);
        )*

        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(
                m.add_function(wrap_pyfunction!($name, m)?)?;
                m.add_class::<$state>()?;
            )*
            m.add_function(wrap_pyfunction!(indicator_catalog, m)?)
        }
    };
}
catalog!(bind);

/// The indicator catalog as JSON (see `indicators::catalog::catalog_json`).
#[pyfunction]
fn indicator_catalog() -> String {
    indicators::catalog::catalog_json()
}
