//! Indicator kernels for Python: a function per batch kernel, a class per streaming state.
//! Each is declared by one line of `batch!` or `stream!`; the GIL is released while a kernel runs.

use pyo3::prelude::*;

use super::columns::{into_py, value_error, Column, Output};
use crate::indicators;

/// `batch!(name(inputs..; params..) -> outputs..)`: a function `name(inputs.., params..)` taking
/// float64 columns and returning one array('d') per output (a tuple when there are several).
macro_rules! batch {
    ($name:ident($($input:ident),+; $($param:ident: $ty:ty $(= $default:literal)?),*) -> $($out:ident),+) => {
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
            let mut outputs = vec![$({ let $out = (); let _ = $out; Output::new(py, len)? }),+];
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

/// `stream!(State(params..) => update(inputs..) -> Output)`: a class `State(params..)` whose
/// `update(inputs..)` returns what the batch kernel gives at that bar.
macro_rules! stream {
    ($state:ident($($param:ident: $ty:ty $(= $default:literal)?),*) => update($($input:ident),+) -> $($ret:tt)+) => {
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

            fn update(&mut self, $($input: f64),+) -> $($ret)+ {
                self.0.update($($input),+)
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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        (functions: $($f:ident),+; classes: $($c:ident),+) => {
            $(m.add_function(wrap_pyfunction!($f, m)?)?;)+
            $(m.add_class::<$c>()?;)+
        };
    }
    add!(
        functions: sma, ema, wma, dema, tema, trima, kama, smma, trix, rsi, macd, stoch, stochf,
            stochrsi, cci, willr, mom, roc, rocp, ultosc, aroon, aroonosc, adx, adxr, plus_di,
            minus_di, sar, linearreg_slope, bbands, stddev, trange, atr, natr, donchian, keltner,
            obv, mfi, vwap, max, min, sum, crossover, crossunder;
        classes: Sma, Ema, Wma, Dema, Tema, Trima, Kama, Smma, Trix, Rsi, Macd, Stoch, Stochf,
            Stochrsi, Cci, Willr, Mom, Roc, Rocp, Ultosc, Aroon, Aroonosc, Adx, Adxr, PlusDi,
            MinusDi, Sar, LinearregSlope, Bbands, Stddev, Trange, Atr, Natr, Donchian, Keltner,
            Obv, Mfi, Vwap, Max, Min, Sum, Crossover, Crossunder
    );
    Ok(())
}
