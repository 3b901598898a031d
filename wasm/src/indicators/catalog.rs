//! The catalog: every indicator's signature, declared once.
//!
//! One line per indicator, `name State(inputs; params) -> outputs;`: the batch function `name`,
//! its streaming state `State`, its input columns, its parameters (`i64` or `f64`, with a
//! default where TA-Lib's is the common convention) and its outputs in order. The binding
//! layers expand the table into their functions and classes (`catalog!(their_macro)`), and
//! `CATALOG` is the same table as data, which both builds export as JSON for Python
//! (`cracktrader.kernels.catalog`: the Pyodide adapter, `FUNCTIONS` and `ct.ind` come from it).

/// Invokes `$then! { <the table> }`.
macro_rules! catalog {
    ($then:ident) => {
        $then! {
            // Moving averages
            sma Sma(x; n: i64) -> value;
            ema Ema(x; n: i64) -> value;
            wma Wma(x; n: i64) -> value;
            dema Dema(x; n: i64) -> value;
            tema Tema(x; n: i64) -> value;
            trima Trima(x; n: i64) -> value;
            kama Kama(x; n: i64) -> value;
            smma Smma(x; n: i64) -> value;
            // Oscillators and momentum
            trix Trix(x; n: i64) -> value;
            rsi Rsi(x; n: i64 = 14) -> value;
            macd Macd(x; fast: i64 = 12, slow: i64 = 26, signal: i64 = 9) -> macd, signal, hist;
            stoch Stoch(high, low, close; fastk_period: i64, slowk_period: i64, slowd_period: i64) -> slowk, slowd;
            stochf Stochf(high, low, close; fastk_period: i64, fastd_period: i64) -> fastk, fastd;
            stochrsi Stochrsi(x; n: i64, fastk_period: i64, fastd_period: i64) -> fastk, fastd;
            cci Cci(high, low, close; n: i64) -> value;
            willr Willr(high, low, close; n: i64 = 14) -> value;
            mom Mom(x; n: i64) -> value;
            roc Roc(x; n: i64) -> value;
            rocp Rocp(x; n: i64) -> value;
            ultosc Ultosc(high, low, close; n1: i64 = 7, n2: i64 = 14, n3: i64 = 28) -> value;
            aroon Aroon(high, low; n: i64 = 14) -> down, up;
            aroonosc Aroonosc(high, low; n: i64 = 14) -> value;
            // Trend strength
            adx Adx(high, low, close; n: i64 = 14) -> value;
            adxr Adxr(high, low, close; n: i64 = 14) -> value;
            plus_di PlusDi(high, low, close; n: i64 = 14) -> value;
            minus_di MinusDi(high, low, close; n: i64 = 14) -> value;
            sar Sar(high, low; acceleration: f64 = 0.02, maximum: f64 = 0.2) -> value;
            linearreg_slope LinearregSlope(x; n: i64) -> value;
            // Volatility and channels
            bbands Bbands(x; n: i64, k_up: f64 = 2.0, k_down: f64 = 2.0) -> upper, middle, lower;
            stddev Stddev(x; n: i64, k: f64 = 1.0) -> value;
            trange Trange(high, low, close;) -> value;
            atr Atr(high, low, close; n: i64 = 14) -> value;
            natr Natr(high, low, close; n: i64 = 14) -> value;
            donchian Donchian(high, low; n: i64) -> upper, middle, lower;
            keltner Keltner(high, low, close; n: i64, k: f64, atr_n: i64) -> upper, middle, lower;
            // Volume
            obv Obv(close, volume;) -> value;
            mfi Mfi(high, low, close, volume; n: i64 = 14) -> value;
            vwap Vwap(high, low, close, volume; n: i64) -> value;
            // Windows and crossings
            max Max(x; n: i64) -> value;
            min Min(x; n: i64) -> value;
            sum Sum(x; n: i64) -> value;
            crossover Crossover(a, b;) -> value;
            crossunder Crossunder(a, b;) -> value;
        }
    };
}
#[cfg(any(feature = "python", feature = "wasm"))] // for the binding layers
pub(crate) use catalog;

/// An indicator's signature, as the catalog declares it.
#[derive(Debug)]
pub struct Signature {
    /// The batch function.
    pub name: &'static str,
    /// Its streaming state (the Python class).
    pub stream: &'static str,
    pub inputs: &'static [&'static str],
    pub params: &'static [Param],
    pub outputs: &'static [&'static str],
}

/// A parameter: an integer (`i64`) or a real (`f64`), with or without a default (as the
/// table writes it: `14`, `2.0`).
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub integer: bool,
    pub default: Option<&'static str>,
}

macro_rules! signatures {
    ($($name:ident $state:ident($($input:ident),+; $($param:ident: $ty:ident $(= $default:literal)?),*) -> $($out:ident),+;)*) => {
        /// Every indicator, in the catalog's order.
        pub const CATALOG: &[Signature] = &[$(Signature {
            name: stringify!($name),
            stream: stringify!($state),
            inputs: &[$(stringify!($input)),+],
            params: &[$(Param {
                name: stringify!($param),
                integer: signatures!(@integer $ty),
                default: signatures!(@default $($default)?),
            }),*],
            outputs: &[$(stringify!($out)),+],
        }),*];
    };
    (@integer i64) => { true };
    (@integer f64) => { false };
    (@default) => { None };
    (@default $default:literal) => { Some(stringify!($default)) };
}
catalog!(signatures);

/// `CATALOG` as JSON, which both builds export: a list of `{"name", "stream", "inputs",
/// "params": [{"name", "type": "int" or "float", "default": number or null}], "outputs"}`.
pub fn catalog_json() -> String {
    fn strings(names: &[&str]) -> String {
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        format!("[{}]", quoted.join(", "))
    }
    let entries: Vec<String> = CATALOG
        .iter()
        .map(|s| {
            let params: Vec<String> = s
                .params
                .iter()
                .map(|p| {
                    let default = p.default.unwrap_or("null");
                    let kind = if p.integer { "int" } else { "float" };
                    format!("{{\"name\": \"{}\", \"type\": \"{kind}\", \"default\": {default}}}", p.name)
                })
                .collect();
            format!(
                "{{\"name\": \"{}\", \"stream\": \"{}\", \"inputs\": {}, \"params\": [{}], \"outputs\": {}}}",
                s.name,
                s.stream,
                strings(s.inputs),
                params.join(", "),
                strings(s.outputs)
            )
        })
        .collect();
    format!("[{}]", entries.join(",\n "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_states_are_the_names_in_camel_case() {
        for (i, s) in CATALOG.iter().enumerate() {
            assert!(CATALOG[..i].iter().all(|t| t.name != s.name), "{} twice", s.name);
            let camel: String = s
                .name
                .split('_')
                .map(|part| part[..1].to_uppercase() + &part[1..])
                .collect();
            assert_eq!(s.stream, camel);
        }
    }

    #[test]
    fn json_keeps_integer_and_real_defaults_apart() {
        let json = catalog_json();
        assert!(json.contains(r#"{"name": "n", "type": "int", "default": 14}"#));
        assert!(json.contains(r#"{"name": "k_up", "type": "float", "default": 2.0}"#));
        assert!(json.contains(r#"{"name": "acceleration", "type": "float", "default": 0.02}"#));
        assert!(json.contains(r#"{"name": "k", "type": "float", "default": null}"#));
        assert!(json.starts_with(r#"[{"name": "sma", "stream": "Sma", "inputs": ["x"], "params": [{"name": "n", "type": "int", "default": null}], "outputs": ["value"]}"#));
    }
}
