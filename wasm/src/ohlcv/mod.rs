//! Candle series (OHLCV): reading CSV text, the validity rules, and resampling.
//!
//! One implementation for both runtimes, so a file gives the same candles, and a bad file the
//! same error (row, field, rule), in the browser and on the server.

pub mod csv;
pub mod number;
pub mod resample;
pub mod time;
pub mod validate;

pub use csv::{parse_csv, CsvSpec, Parsed};
pub use resample::resample;
pub use validate::{gaps, infer_timeframe, validate};

use crate::KernelError;

/// Borrowed candle columns: times in UTC milliseconds and five float64 columns.
#[derive(Debug, Clone, Copy)]
pub struct Ohlcv<'a> {
    pub time: &'a [i64],
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
    pub volume: &'a [f64],
}

impl Ohlcv<'_> {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    pub fn check_lengths(&self, kernel: &str) -> Result<(), KernelError> {
        let n = self.time.len();
        for (name, col) in ["open", "high", "low", "close", "volume"].iter().zip([
            self.open,
            self.high,
            self.low,
            self.close,
            self.volume,
        ]) {
            if col.len() != n {
                return Err(KernelError::new(format!(
                    "{kernel}: {name} has {} values, time has {n}",
                    col.len()
                )));
            }
        }
        Ok(())
    }
}

/// Owned candle columns, what parsing and resampling produce.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Owned {
    pub time: Vec<i64>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<f64>,
}

impl Owned {
    /// `n` zeroed rows (freshly mapped zero pages: nothing is touched until written).
    pub fn zeroed(n: usize) -> Self {
        Owned {
            time: vec![0; n],
            open: vec![0.0; n],
            high: vec![0.0; n],
            low: vec![0.0; n],
            close: vec![0.0; n],
            volume: vec![0.0; n],
        }
    }

    pub fn with_capacity(n: usize) -> Self {
        let mut c = Owned::default();
        c.time.reserve(n);
        for col in c.values_mut() {
            col.reserve(n);
        }
        c
    }

    pub fn push(&mut self, time: i64, [o, h, l, c, v]: [f64; 5]) {
        self.time.push(time);
        self.open.push(o);
        self.high.push(h);
        self.low.push(l);
        self.close.push(c);
        self.volume.push(v);
    }

    pub fn truncate(&mut self, n: usize) {
        self.time.truncate(n);
        for col in self.values_mut() {
            col.truncate(n);
        }
    }

    pub fn shrink_to_fit(&mut self) {
        self.time.shrink_to_fit();
        for col in self.values_mut() {
            col.shrink_to_fit();
        }
    }

    pub fn values_mut(&mut self) -> [&mut Vec<f64>; 5] {
        [
            &mut self.open,
            &mut self.high,
            &mut self.low,
            &mut self.close,
            &mut self.volume,
        ]
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    pub fn view(&self) -> Ohlcv<'_> {
        Ohlcv {
            time: &self.time,
            open: &self.open,
            high: &self.high,
            low: &self.low,
            close: &self.close,
            volume: &self.volume,
        }
    }
}

/// A broken rule: where (`row`: a data row index, or a file line for the CSV reader), which
/// column, the rule's stable name, and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub row: usize,
    pub field: &'static str,
    pub rule: &'static str,
    pub detail: String,
}

impl Violation {
    pub fn new(row: usize, field: &'static str, rule: &'static str, detail: String) -> Self {
        Violation {
            row,
            field,
            rule,
            detail,
        }
    }
}
