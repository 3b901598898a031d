//! OBV, on-balance volume, as TA-Lib defines it: starts at the first bar's volume, then adds
//! the volume of each bar that closes higher and subtracts that of each bar that closes lower.

use super::{check, run, Indicator, NAN};
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

/// The volume a bar adds: with its sign when the close moved, 0 when it did not. Plain
/// selects, which a pass over many bars vectorizes (see `greater_in_pass`).
#[inline(always)]
fn signed_volume(close: f64, prev: f64, volume: f64) -> f64 {
    let signed = if close < prev { -volume } else { volume };
    if close != prev {
        signed
    } else {
        0.0
    }
}

impl Indicator<2, 1> for Obv {
    #[inline(always)]
    fn step(&mut self, [close, volume]: [f64; 2]) -> [f64; 1] {
        let prev = std::mem::replace(&mut self.prev_close, close);
        if prev.is_nan() {
            self.obv = volume;
        } else {
            self.obv += signed_volume(close, prev, volume);
        }
        [self.obv]
    }

    fn reset(&mut self) {
        self.prev_close = NAN;
    }

    /// The signed volumes first (independent bars, in place), then their running sum on a
    /// local copy: the same additions in the same order as `step`.
    #[inline(always)]
    fn steps(&mut self, [close, volume]: [&[f64]; 2], [out]: [&mut [f64]; 1]) {
        let Some(&last) = close.last() else { return };
        let prev = std::mem::replace(&mut self.prev_close, last);
        let mut obv = self.obv;
        if prev.is_nan() {
            obv = volume[0];
        } else {
            obv += signed_volume(close[0], prev, volume[0]);
        }
        out[0] = obv;
        let len = close.len();
        let bars = close[1..].iter().zip(&close[..len - 1]).zip(&volume[1..]);
        for (o, ((&c, &p), &v)) in out[1..].iter_mut().zip(bars) {
            *o = signed_volume(c, p, v);
        }
        for o in &mut out[1..] {
            obv += *o;
            *o = obv;
        }
        self.obv = obv;
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
