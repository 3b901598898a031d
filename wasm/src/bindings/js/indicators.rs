//! Indicator kernels for the browser, declared by the same `batch!` / `stream!` lines as the
//! Python layer. A batch kernel takes `(input_ptr.., len, output_ptr.., params..)` with every
//! column `len` values long (the Pyodide adapter checks input lengths first); integer
//! parameters arrive as JS numbers and must be whole. A streaming class's `update` returns a
//! number, or a Float64Array for several outputs. Defaults live in the Pyodide adapter.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::{column, column_mut, js_error};
use crate::{indicators, params};

/// A parameter as the kernel takes it: integers are checked to be whole numbers.
macro_rules! param {
    ($kernel:expr, $name:ident, i64) => {
        params::whole_number($kernel, stringify!($name), $name).map_err(js_error)?
    };
    ($kernel:expr, $name:ident, f64) => {
        $name
    };
}

macro_rules! batch {
    ($name:ident($($input:ident),+; $($param:ident: $ty:ident $(= $default:literal)?),*) -> $($out:ident),+) => {
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

macro_rules! stream {
    ($state:ident($($param:ident: $ty:ident $(= $default:literal)?),*) => update($($input:ident),+) -> f64) => {
        stream!(@class $state($($param: $ty),*));
        #[wasm_bindgen]
        impl $state {
            pub fn update(&mut self, $($input: f64),+) -> f64 {
                self.0.update($($input),+)
            }
        }
    };
    ($state:ident($($param:ident: $ty:ident $(= $default:literal)?),*) => update($($input:ident),+) -> ($($ret:ty),+)) => {
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

// Moving averages
batch!(sma(x; n: i64) -> out);
batch!(ema(x; n: i64) -> out);
batch!(wma(x; n: i64) -> out);
batch!(dema(x; n: i64) -> out);
batch!(tema(x; n: i64) -> out);
batch!(trima(x; n: i64) -> out);
batch!(kama(x; n: i64) -> out);
batch!(smma(x; n: i64) -> out);
// Oscillators and momentum
batch!(trix(x; n: i64) -> out);
batch!(rsi(x; n: i64 = 14) -> out);
batch!(macd(x; fast: i64 = 12, slow: i64 = 26, signal: i64 = 9) -> out_macd, out_signal, out_hist);
batch!(stoch(high, low, close; fastk_period: i64, slowk_period: i64, slowd_period: i64) -> slowk, slowd);
batch!(stochf(high, low, close; fastk_period: i64, fastd_period: i64) -> fastk, fastd);
batch!(stochrsi(x; n: i64, fastk_period: i64, fastd_period: i64) -> fastk, fastd);
batch!(cci(high, low, close; n: i64) -> out);
batch!(willr(high, low, close; n: i64 = 14) -> out);
batch!(mom(x; n: i64) -> out);
batch!(roc(x; n: i64) -> out);
batch!(rocp(x; n: i64) -> out);
batch!(ultosc(high, low, close; n1: i64 = 7, n2: i64 = 14, n3: i64 = 28) -> out);
batch!(aroon(high, low; n: i64 = 14) -> down, up);
batch!(aroonosc(high, low; n: i64 = 14) -> out);
// Trend strength
batch!(adx(high, low, close; n: i64 = 14) -> out);
batch!(adxr(high, low, close; n: i64 = 14) -> out);
batch!(plus_di(high, low, close; n: i64 = 14) -> out);
batch!(minus_di(high, low, close; n: i64 = 14) -> out);
batch!(sar(high, low; acceleration: f64 = 0.02, maximum: f64 = 0.2) -> out);
batch!(linearreg_slope(x; n: i64) -> out);
// Volatility and channels
batch!(bbands(x; n: i64, k_up: f64 = 2.0, k_down: f64 = 2.0) -> upper, middle, lower);
batch!(stddev(x; n: i64, k: f64 = 1.0) -> out);
batch!(trange(high, low, close;) -> out);
batch!(atr(high, low, close; n: i64 = 14) -> out);
batch!(natr(high, low, close; n: i64 = 14) -> out);
batch!(donchian(high, low; n: i64) -> upper, middle, lower);
batch!(keltner(high, low, close; n: i64, k: f64, atr_n: i64) -> upper, middle, lower);
// Volume
batch!(obv(close, volume;) -> out);
batch!(mfi(high, low, close, volume; n: i64 = 14) -> out);
batch!(vwap(high, low, close, volume; n: i64) -> out);
// Windows and crossings
batch!(max(x; n: i64) -> out);
batch!(min(x; n: i64) -> out);
batch!(sum(x; n: i64) -> out);
batch!(crossover(a, b;) -> out);
batch!(crossunder(a, b;) -> out);

stream!(Sma(n: i64) => update(x) -> f64);
stream!(Ema(n: i64) => update(x) -> f64);
stream!(Wma(n: i64) => update(x) -> f64);
stream!(Dema(n: i64) => update(x) -> f64);
stream!(Tema(n: i64) => update(x) -> f64);
stream!(Trima(n: i64) => update(x) -> f64);
stream!(Kama(n: i64) => update(x) -> f64);
stream!(Smma(n: i64) => update(x) -> f64);
stream!(Trix(n: i64) => update(x) -> f64);
stream!(Rsi(n: i64 = 14) => update(x) -> f64);
stream!(Macd(fast: i64 = 12, slow: i64 = 26, signal: i64 = 9) => update(x) -> (f64, f64, f64));
stream!(Stoch(fastk_period: i64, slowk_period: i64, slowd_period: i64) => update(high, low, close) -> (f64, f64));
stream!(Stochf(fastk_period: i64, fastd_period: i64) => update(high, low, close) -> (f64, f64));
stream!(Stochrsi(n: i64, fastk_period: i64, fastd_period: i64) => update(x) -> (f64, f64));
stream!(Cci(n: i64) => update(high, low, close) -> f64);
stream!(Willr(n: i64 = 14) => update(high, low, close) -> f64);
stream!(Mom(n: i64) => update(x) -> f64);
stream!(Roc(n: i64) => update(x) -> f64);
stream!(Rocp(n: i64) => update(x) -> f64);
stream!(Ultosc(n1: i64 = 7, n2: i64 = 14, n3: i64 = 28) => update(high, low, close) -> f64);
stream!(Aroon(n: i64 = 14) => update(high, low) -> (f64, f64));
stream!(Aroonosc(n: i64 = 14) => update(high, low) -> f64);
stream!(Adx(n: i64 = 14) => update(high, low, close) -> f64);
stream!(Adxr(n: i64 = 14) => update(high, low, close) -> f64);
stream!(PlusDi(n: i64 = 14) => update(high, low, close) -> f64);
stream!(MinusDi(n: i64 = 14) => update(high, low, close) -> f64);
stream!(Sar(acceleration: f64 = 0.02, maximum: f64 = 0.2) => update(high, low) -> f64);
stream!(LinearregSlope(n: i64) => update(x) -> f64);
stream!(Bbands(n: i64, k_up: f64 = 2.0, k_down: f64 = 2.0) => update(x) -> (f64, f64, f64));
stream!(Stddev(n: i64, k: f64 = 1.0) => update(x) -> f64);
stream!(Trange() => update(high, low, close) -> f64);
stream!(Atr(n: i64 = 14) => update(high, low, close) -> f64);
stream!(Natr(n: i64 = 14) => update(high, low, close) -> f64);
stream!(Donchian(n: i64) => update(high, low) -> (f64, f64, f64));
stream!(Keltner(n: i64, k: f64, atr_n: i64) => update(high, low, close) -> (f64, f64, f64));
stream!(Obv() => update(close, volume) -> f64);
stream!(Mfi(n: i64 = 14) => update(high, low, close, volume) -> f64);
stream!(Vwap(n: i64) => update(high, low, close, volume) -> f64);
stream!(Max(n: i64) => update(x) -> f64);
stream!(Min(n: i64) => update(x) -> f64);
stream!(Sum(n: i64) => update(x) -> f64);
stream!(Crossover() => update(a, b) -> f64);
stream!(Crossunder() => update(a, b) -> f64);
