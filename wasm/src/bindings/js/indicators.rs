//! Indicator kernels for the browser: the catalog (`indicators/catalog.rs`) expanded as for the
//! Python layer, and the catalog itself as JSON (`indicator_catalog()`). A batch kernel takes
//! `(input_ptr.., len, output_ptr.., params..)` with every column `len` values long (the Pyodide
//! adapter checks input lengths first); integer parameters arrive as JS numbers and must be
//! whole. A streaming class's `update` returns a number, or a Float64Array for several outputs.
//! Defaults live in the Pyodide adapter, which reads them from the catalog.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::{column, column_mut, js_error};
use crate::indicators::{self, catalog::catalog};
use crate::params;

/// A parameter as the kernel takes it: integers are checked to be whole numbers.
macro_rules! param {
    ($kernel:expr, $name:ident, i64) => {
        params::whole_number($kernel, stringify!($name), $name).map_err(js_error)?
    };
    ($kernel:expr, $name:ident, f64) => {
        $name
    };
}

/// `batch!(name(inputs..; params..) [outputs..])`: `name(input_ptr.., len, output_ptr.., params..)`.
macro_rules! batch {
    ($name:ident($($input:ident),+; $($param:ident: $ty:ident),*) [$($out:ident),+]) => {
        #[wasm_bindgen]
        #[allow(clippy::too_many_arguments)]
        pub fn $name($($input: *const f64,)+ len: usize, $($out: *mut f64,)+ $($param: f64),*) -> Result<(), JsError> {
            $(let $param = param!(stringify!($name), $param, $ty);)*
            indicators::$name($(column($input, len),)+ $($param,)* $(column_mut($out, len)),+).map_err(js_error)
        }
    };
}

/// Several outputs of one bar, as a Float64Array for JS.
trait Outputs {
    fn into_vec(self) -> Vec<f64>;
}

impl Outputs for (f64, f64) {
    fn into_vec(self) -> Vec<f64> {
        vec![self.0, self.1]
    }
}

impl Outputs for (f64, f64, f64) {
    fn into_vec(self) -> Vec<f64> {
        vec![self.0, self.1, self.2]
    }
}

/// `stream!(State(params..) => update(inputs..) -> outputs..)`: a class whose `update` gives a
/// number for one output, a Float64Array for several.
macro_rules! stream {
    ($state:ident($($param:ident: $ty:ident),*) => update($($input:ident),+) -> $one:ident) => {
        stream!(@class $state($($param: $ty),*));
        #[wasm_bindgen]
        impl $state {
            pub fn update(&mut self, $($input: f64),+) -> f64 {
                self.0.update($($input),+)
            }
        }
    };
    ($state:ident($($param:ident: $ty:ident),*) => update($($input:ident),+) -> $($many:ident),+) => {
        stream!(@class $state($($param: $ty),*));
        #[wasm_bindgen]
        impl $state {
            pub fn update(&mut self, $($input: f64),+) -> Vec<f64> {
                self.0.update($($input),+).into_vec()
            }
        }
    };
    (@class $state:ident($($param:ident: $ty:ident),*)) => {
        #[wasm_bindgen]
        pub struct $state(indicators::$state);

        #[wasm_bindgen]
        impl $state {
            #[wasm_bindgen(constructor)]
            pub fn new($($param: f64),*) -> Result<$state, JsError> {
                $(let $param = param!(stringify!($state), $param, $ty);)*
                indicators::$state::new($($param),*).map($state).map_err(js_error)
            }
        }
    };
}

/// The catalog's every line as a function and a class.
macro_rules! bind {
    ($($name:ident $state:ident($($input:ident),+; $($param:ident: $ty:ident $(= $default:literal)?),*) -> $($out:ident),+;)*) => {
        $(
            positional!(batch!($name($($input),+; $($param: $ty),*)) -> $($out),+);
            stream!($state($($param: $ty),*) => update($($input),+) -> $($out),+);
        )*
    };
}
catalog!(bind);

/// The indicator catalog as JSON (see `indicators::catalog::catalog_json`).
#[wasm_bindgen]
pub fn indicator_catalog() -> String {
    indicators::catalog::catalog_json()
}
