//! OBV, on-balance volume, as TA-Lib defines it: starts at the first bar's volume, then adds
//! the volume of each bar that closes higher and subtracts that of each bar that closes lower.

use super::{check, choose, run, Indicator, NAN};
use crate::KernelError;

/// Batch OBV of `close` and `volume`.
pub fn obv(close: &[f64], volume: &[f64], out: &mut [f64]) -> Result<(), KernelError> {
    check("obv", &[("close", close), ("volume", volume)], &[out])?;
    run(&mut Obv::new()?, [close, volume], [out]);
    Ok(())
}

/// Streaming OBV.
#[derive(Debug, Clone)]
pub struct Obv {
    prev_close: f64, // NaN before the first bar
    obv: f64,
}

impl Obv {
    pub fn new() -> Result<Self, KernelError> {
        Ok(Obv {
            prev_close: NAN,
            obv: 0.0,
        })
    }

    pub fn update(&mut self, close: f64, volume: f64) -> f64 {
        self.next([close, volume])[0]
    }
}

impl Indicator<2, 1> for Obv {
    #[inline(always)]
    fn step(&mut self, [close, volume]: [f64; 2]) -> [f64; 1] {
        let prev = std::mem::replace(&mut self.prev_close, close);
        if prev.is_nan() {
            self.obv = volume;
        } else {
            // Selects rather than branches: the direction of a close is a coin flip.
            let signed = choose(close < prev, -volume, volume);
            self.obv += choose(close != prev, signed, 0.0);
        }
        [self.obv]
    }

    fn reset(&mut self) {
        self.prev_close = NAN;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn accumulates_signed_volume() {
        let mut out = [0.0; 5];
        obv(
            &[10.0, 11.0, 11.0, 9.0, f64::NAN],
            &[5.0, 2.0, 7.0, 4.0, 1.0],
            &mut out,
        )
        .unwrap();
        assert_same(&out, &[5.0, 7.0, 7.0, 3.0, NAN]);
    }
}
