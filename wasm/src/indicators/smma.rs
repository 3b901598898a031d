//! SMMA, Wilder's smoothed moving average (also called RMA): seeded with the SMA of the first
//! `n` values, then `smma = ((n - 1) * smma + x) / n`. It is the smoothing inside TA-Lib's RSI
//! and ATR; TA-Lib has no function for it. The first `n - 1` outputs are NaN.

use super::smooth::Lone;
use super::{check, run, Indicator, NAN};
use crate::{params, KernelError};

/// Batch SMMA of `x` with period `n`.
pub fn smma(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("smma", &[("x", x)], &[out])?;
    let mut s = Smma::build(params::period("smma", "n", n, len)?);
    run(&mut s, [x], [out]);
    Ok(())
}

/// Streaming SMMA.
#[derive(Debug, Clone)]
pub struct Smma {
    n: usize,
    seen: usize,
    seed: f64,
    smooth: Lone,
}

impl Smma {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("smma", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Smma {
            n,
            seen: 0,
            seed: 0.0,
            smooth: Lone::wilder(n),
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Smma {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        if self.seen < self.n {
            self.seen += 1;
            self.seed += x;
            if self.seen < self.n {
                return [NAN];
            }
            let sma = self.seed / self.n as f64;
            self.smooth.start([sma]);
            return [sma];
        }
        [self.smooth.next(x)]
    }

    fn reset(&mut self) {
        self.seen = 0;
        self.seed = 0.0;
    }

    #[inline(always)]
    fn steps(&mut self, [x]: [&[f64]; 1], [out]: [&mut [f64]; 1]) {
        let mut t = 0;
        while t < x.len() && self.seen < self.n {
            out[t] = self.step([x[t]])[0];
            t += 1;
        }
        let (x, out) = (&x[t..], &mut out[t..]);
        self.smooth.run(x.len(), |t| [x[t]], |t, [p]| out[t] = p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn seeds_then_smooths() {
        let out = batch1(smma, &[2.0, 4.0, 9.0, 3.0], 2);
        assert_same(
            &out,
            &[NAN, 3.0, 0.5 * 3.0 + 0.5 * 9.0, 0.5 * 6.0 + 0.5 * 3.0],
        );
    }
}
