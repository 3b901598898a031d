//! Candle-series kernels for the browser. Inputs are pointers into this module's memory
//! (times as int64, values as float64, CSV text as bytes, all allocated with `alloc_f64`);
//! results that vary in length come back as a `Table` whose columns the caller copies out
//! (`time_ptr`, `value_ptr`, `rows`) before calling `free()`.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use wasm_bindgen::prelude::*;

use super::{column, js_error};
use crate::ohlcv::{self, time::Unit, CsvSpec, Ohlcv, Owned, Violation};
use crate::params;

/// A broken rule: `row` (a 0-based row, or a file line for `ohlcv_parse_csv`), `field`,
/// `rule`, `detail`.
#[wasm_bindgen(getter_with_clone)]
pub struct JsViolation {
    pub row: f64,
    pub field: String,
    pub rule: String,
    pub detail: String,
}

fn js_violation(v: Option<Violation>) -> Option<JsViolation> {
    v.map(|v| JsViolation {
        row: v.row as f64,
        field: v.field.into(),
        rule: v.rule.into(),
        detail: v.detail,
    })
}

/// Columns computed by a kernel, with the CSV reader's violation and line map.
#[wasm_bindgen]
pub struct Table {
    columns: Owned,
    violation: Option<Violation>,
    lines: Vec<f64>,
}

#[wasm_bindgen]
impl Table {
    pub fn rows(&self) -> usize {
        self.columns.len()
    }

    pub fn time_ptr(&self) -> *const i64 {
        self.columns.time.as_ptr()
    }

    /// Column `i` of open, high, low, close, volume.
    pub fn value_ptr(&self, i: usize) -> *const f64 {
        [
            &self.columns.open,
            &self.columns.high,
            &self.columns.low,
            &self.columns.close,
            &self.columns.volume,
        ][i.min(4)]
        .as_ptr()
    }

    pub fn violation(&self) -> Option<JsViolation> {
        js_violation(self.violation.clone())
    }

    /// `[row, line, row, line, ...]`: see `ohlcv::csv::Parsed::lines`.
    pub fn lines(&self) -> Vec<f64> {
        self.lines.clone()
    }
}

pub(super) fn times<'a>(ptr: *const i64, len: usize) -> &'a [i64] {
    // Same memory contract as `column`: int64 values are 8 bytes like float64.
    let floats = column(ptr as *const f64, len);
    // SAFETY: same region and length, i64 and f64 have the same size and alignment.
    unsafe { std::slice::from_raw_parts(floats.as_ptr() as *const i64, len) }
}

fn unit(name: &str) -> Result<Option<Unit>, JsError> {
    Unit::from_name(name).map_err(|e| JsError::new(&e))
}

#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ohlcv_parse_csv(
    data: *const u8,
    len: usize,
    delimiter: &str,
    f_time: usize,
    f_open: usize,
    f_high: usize,
    f_low: usize,
    f_close: usize,
    f_volume: usize,
    first_line: usize,
    unit_name: &str,
) -> Result<Table, JsError> {
    let body: &[u8] = if len == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(data, len) }
    };
    let delimiter = match delimiter.as_bytes() {
        [d] => *d,
        _ => {
            return Err(JsError::new(&format!(
                "parse_csv: delimiter must be one ASCII character, got {delimiter:?}"
            )))
        }
    };
    let spec = CsvSpec {
        delimiter,
        fields: [f_time, f_open, f_high, f_low, f_close, f_volume],
        first_line,
        unit: unit(unit_name)?,
        threads: 1,
    };
    let parsed = ohlcv::parse_csv(body, &spec).map_err(js_error)?;
    let lines = parsed
        .lines
        .iter()
        .flat_map(|&(r, l)| [r as f64, l as f64])
        .collect();
    Ok(Table {
        columns: parsed.columns,
        violation: parsed.violation,
        lines,
    })
}

#[allow(clippy::too_many_arguments)]
fn view<'a>(
    time: *const i64,
    open: *const f64,
    high: *const f64,
    low: *const f64,
    close: *const f64,
    volume: *const f64,
    len: usize,
) -> Ohlcv<'a> {
    Ohlcv {
        time: times(time, len),
        open: column(open, len),
        high: column(high, len),
        low: column(low, len),
        close: column(close, len),
        volume: column(volume, len),
    }
}

#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ohlcv_validate(
    time: *const i64,
    open: *const f64,
    high: *const f64,
    low: *const f64,
    close: *const f64,
    volume: *const f64,
    len: usize,
    timeframe_ms: f64,
) -> Result<Option<JsViolation>, JsError> {
    let tf = params::whole_number("validate", "timeframe_ms", timeframe_ms).map_err(js_error)?;
    let v =
        ohlcv::validate(&view(time, open, high, low, close, volume, len), tf).map_err(js_error)?;
    Ok(js_violation(v))
}

#[wasm_bindgen]
pub fn ohlcv_infer_timeframe(time: *const i64, len: usize) -> Option<f64> {
    ohlcv::infer_timeframe(times(time, len)).map(|t| t as f64)
}

/// `[start, end, start, end, ...]`
#[wasm_bindgen]
pub fn ohlcv_gaps(time: *const i64, len: usize, timeframe_ms: f64) -> Result<Vec<f64>, JsError> {
    let tf = params::whole_number("gaps", "timeframe_ms", timeframe_ms).map_err(js_error)?;
    let gaps = ohlcv::gaps(times(time, len), tf).map_err(js_error)?;
    Ok(gaps
        .into_iter()
        .flat_map(|(a, b)| [a as f64, b as f64])
        .collect())
}

#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ohlcv_resample(
    time: *const i64,
    open: *const f64,
    high: *const f64,
    low: *const f64,
    close: *const f64,
    volume: *const f64,
    len: usize,
    source_ms: f64,
    target_ms: f64,
) -> Result<Table, JsError> {
    let source = params::whole_number("resample", "source_ms", source_ms).map_err(js_error)?;
    let target = params::whole_number("resample", "target_ms", target_ms).map_err(js_error)?;
    let columns = ohlcv::resample(
        &view(time, open, high, low, close, volume, len),
        source,
        target,
    )
    .map_err(js_error)?;
    Ok(Table {
        columns,
        violation: None,
        lines: Vec::new(),
    })
}
