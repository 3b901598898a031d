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

/// The volume a bar adds: with its sign when the close moved, 0 when it did not.
#[inline(always)]
fn signed_volume(close: f64, prev: f64, volume: f64) -> f64 {
    // Selects rather than branches: the direction of a close is a coin flip.
    let signed = choose(close < prev, -volume, volume);
    choose(close != prev, signed, 0.0)
}

/// `signed_volume` for each bar, as plain selects, which vectorize (see `greater_in_pass`).
#[inline(always)]
fn signed_volumes(close: &[f64], prev: &[f64], volume: &[f64], out: &mut [f64]) {
    let bars = close.iter().zip(prev).zip(volume);
    for (o, ((&c, &p), &v)) in out.iter_mut().zip(bars) {
        let signed = if c < p { -v } else { v };
        *o = if c != p { signed } else { 0.0 };
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
        signed_volumes(&close[1..], &close[..len - 1], &volume[1..], &mut out[1..]);
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
