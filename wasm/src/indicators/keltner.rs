//! Keltner channel (not in TA-Lib), in its common modern form: `middle = ema(close, n)`,
//! `upper/lower = middle +- k * atr(high, low, close, atr_n)`, with TA-Lib's EMA and ATR.
//! The first `max(n - 1, atr_n)` outputs are NaN.

use super::ema::Ema;
use super::trange::Atr;
use super::{check, run, Indicator, NAN};
use crate::{params, KernelError};

/// Batch Keltner channel into `upper`, `middle`, `lower`.
#[allow(clippy::too_many_arguments)]
pub fn keltner(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    k: f64,
    atr_n: i64,
    upper: &mut [f64],
    middle: &mut [f64],
    lower: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "keltner",
        &[("high", high), ("low", low), ("close", close)],
        &[upper, middle, lower],
    )?;
    let mut s = Keltner::checked(n, k, atr_n, len)?;
    run(&mut s, [high, low, close], [upper, middle, lower]);
    Ok(())
}

/// Streaming Keltner channel: `update(high, low, close)` returns `(upper, middle, lower)`.
#[derive(Debug, Clone)]
pub struct Keltner {
    k: f64,
    ema: Ema, // the EMA kernel's very recursion: the middle band is `ema` bit for bit
    atr: Atr,
}

impl Keltner {
    pub fn new(n: i64, k: f64, atr_n: i64) -> Result<Self, KernelError> {
        Self::checked(n, k, atr_n, usize::MAX)
    }

    fn checked(n: i64, k: f64, atr_n: i64, len: usize) -> Result<Self, KernelError> {
        let n = params::period("keltner", "n", n, len)?;
        let k = params::at_least("keltner", "k", k, 0.0)?;
        let atr_n = params::period("keltner", "atr_n", atr_n, len)?;
        Ok(Keltner {
            k,
            ema: Ema::build(n),
            atr: Atr::build(atr_n),
        })
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> (f64, f64, f64) {
        self.next([high, low, close]).into()
    }
}

impl Indicator<3, 3> for Keltner {
    #[inline(always)]
    fn step(&mut self, bar: [f64; 3]) -> [f64; 3] {
        let middle = self.ema.push(bar[2]);
        let [atr] = self.atr.step(bar);
        if middle.is_nan() || atr.is_nan() {
            return [NAN; 3];
        }
        let band = self.k * atr;
        [middle + band, middle, middle - band]
    }

    fn reset(&mut self) {
        self.ema.reset();
        self.atr.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn ema_plus_minus_atr() {
        let (h, l, c, _) = bars(60, 9);
        let mut o = [vec![0.0; 60], vec![0.0; 60], vec![0.0; 60]];
        let [u, m, lo] = &mut o;
        keltner(&h, &l, &c, 20, 2.0, 10, u, m, lo).unwrap();
        assert_nan_prefix(m, 19);
        let e = batch1(crate::indicators::ema, &c, 20);
        let mut a = vec![0.0; 60];
        crate::indicators::atr(&h, &l, &c, 10, &mut a).unwrap();
        for i in 19..60 {
            assert_eq!(
                (u[i], m[i], lo[i]),
                (e[i] + 2.0 * a[i], e[i], e[i] - 2.0 * a[i])
            ); // bit for bit
        }
    }
}
