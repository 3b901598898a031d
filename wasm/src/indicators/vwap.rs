//! Rolling VWAP (not in TA-Lib): the volume-weighted mean of the typical price
//! `(high + low + close) / 3` over the last `n` bars, `sum(tp * volume) / sum(volume)`; NaN
//! where the window traded no volume. The first `n - 1` outputs are NaN.

use super::rolling::WindowSum;
use super::{check, run, Indicator, NAN};
use crate::{params, KernelError};

/// Batch rolling VWAP over `n` bars.
pub fn vwap(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "vwap",
        &[
            ("high", high),
            ("low", low),
            ("close", close),
            ("volume", volume),
        ],
        &[out],
    )?;
    let mut s = Vwap::build(params::period("vwap", "n", n, len)?);
    run(&mut s, [high, low, close, volume], [out]);
    Ok(())
}

/// Streaming rolling VWAP.
#[derive(Debug, Clone)]
pub struct Vwap {
    value: WindowSum,
    volume: WindowSum,
}

impl Vwap {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("vwap", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Vwap {
            value: WindowSum::new(n),
            volume: WindowSum::new(n),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64, volume: f64) -> f64 {
        self.next([high, low, close, volume])[0]
    }
}

impl Indicator<4, 1> for Vwap {
    #[inline(always)]
    fn step(&mut self, [high, low, close, volume]: [f64; 4]) -> [f64; 1] {
        let tp = (high + low + close) / 3.0;
        [
            match (self.value.push(tp * volume), self.volume.push(volume)) {
                (Some(value), Some(volume)) if volume != 0.0 => value / volume,
                _ => NAN,
            },
        ]
    }

    fn reset(&mut self) {
        self.value.clear();
        self.volume.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn volume_weighted_typical_price() {
        let p = [10.0, 20.0, 30.0];
        let mut out = [0.0; 3];
        vwap(&p, &p, &p, &[1.0, 3.0, 0.0], 2, &mut out).unwrap();
        assert_same(&out, &[NAN, 70.0 / 4.0, 60.0 / 3.0]);
        vwap(&p, &p, &p, &[0.0, 0.0, 1.0], 2, &mut out).unwrap();
        assert_same(&out, &[NAN, NAN, 30.0]);
    }
}
