//! AROON and AROONOSC as TA-Lib defines them: over the last `n + 1` bars, with the highest high
//! `h` bars ago and the lowest low `l` bars ago (ties go to the latest),
//! `aroonup = (100 / n) * (n - h)`, `aroondown = (100 / n) * (n - l)` (returned in TA-Lib's
//! order: down, up) and `aroonosc = (100 / n) * (l - h)`. The first `n` outputs are NaN.

use super::extremes::{ages_into, extremes_block, Highest, Lowest, DOUBLING_MAX};
use super::{check, run, windowed, Indicator, NAN};
use crate::{params, KernelError};

/// Batch AROON into `down` and `up`.
pub fn aroon(
    high: &[f64],
    low: &[f64],
    n: i64,
    down: &mut [f64],
    up: &mut [f64],
) -> Result<(), KernelError> {
    let len = check("aroon", &[("high", high), ("low", low)], &[down, up])?;
    let mut s = Aroon::build(params::period("aroon", "n", n, len)?);
    if s.n + 1 > DOUBLING_MAX {
        run(&mut s, [high, low], [down, up]);
        return Ok(());
    }
    let (n, factor) = (s.n as f64, s.factor);
    let window = s.n + 1;
    batch(
        &mut s,
        window,
        high,
        low,
        [down, up],
        |[down, up], [h, l]| {
            for ((d, u), (&h, &l)) in down.iter_mut().zip(up.iter_mut()).zip(h.iter().zip(l)) {
                (*d, *u) = (factor * (n - l), factor * (n - h));
            }
        },
    );
    Ok(())
}

/// Batch AROONOSC.
pub fn aroonosc(high: &[f64], low: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("aroonosc", &[("high", high), ("low", low)], &[out])?;
    let mut s = Aroonosc(Aroon::build(params::period("aroonosc", "n", n, len)?));
    if s.0.n + 1 > DOUBLING_MAX {
        run(&mut s, [high, low], [out]);
        return Ok(());
    }
    let factor = s.0.factor;
    let window = s.0.n + 1;
    batch(&mut s, window, high, low, [out], |[out], [h, l]| {
        for (o, (&h, &l)) in out.iter_mut().zip(h.iter().zip(l)) {
            *o = factor * (l - h);
        }
    });
    Ok(())
}

/// The batch form over windows of `n` bars (AROON's period + 1): the ages of each window's
/// highest high and lowest low by doubling (`ages_into`), a block at a time, then
/// `finish(outputs, ages)`.
#[inline(always)]
fn batch<S: Indicator<2, O>, const O: usize>(
    s: &mut S,
    n: usize,
    high: &[f64],
    low: &[f64],
    outputs: [&mut [f64]; O],
    finish: impl Fn([&mut [f64]; O], [&[f64]; 2]),
) {
    let block = extremes_block(n);
    let mut ages = [vec![0.0; block], vec![0.0; block]];
    let mut spans = vec![];
    windowed([high, low], outputs, n, block, s, |_, bars, outputs| {
        let span = bars.start + 1 - n..bars.end;
        let [h, l] = &mut ages;
        let (h, l) = (&mut h[..bars.len()], &mut l[..bars.len()]);
        ages_into::<true>(&high[span.clone()], n, h, &mut spans);
        ages_into::<false>(&low[span], n, l, &mut spans);
        finish(outputs, [h, l]);
    });
}

/// Streaming AROON: `update(high, low)` returns `(down, up)`.
#[derive(Debug, Clone)]
pub struct Aroon {
    n: usize,
    factor: f64,
    high: Highest,
    low: Lowest,
}

impl Aroon {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("aroon", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Aroon {
            n,
            factor: 100.0 / n as f64,
            high: Highest::new(n + 1),
            low: Lowest::new(n + 1),
        }
    }

    /// The ages of the highest high and lowest low once the window is full.
    #[inline(always)]
    fn ages(&mut self, high: f64, low: f64) -> Option<(usize, usize)> {
        self.high.push(high);
        self.low.push(low);
        self.high
            .is_full()
            .then(|| (self.high.age(), self.low.age()))
    }

    pub fn update(&mut self, high: f64, low: f64) -> (f64, f64) {
        self.next([high, low]).into()
    }
}

impl Indicator<2, 2> for Aroon {
    #[inline(always)]
    fn step(&mut self, [high, low]: [f64; 2]) -> [f64; 2] {
        match self.ages(high, low) {
            Some((h, l)) => [
                self.factor * (self.n - l) as f64,
                self.factor * (self.n - h) as f64,
            ],
            None => [NAN; 2],
        }
    }

    fn reset(&mut self) {
        self.high.reset();
        self.low.reset();
    }
}

/// Streaming AROONOSC.
#[derive(Debug, Clone)]
pub struct Aroonosc(Aroon);

impl Aroonosc {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Aroonosc(Aroon::build(params::period(
            "aroonosc",
            "n",
            n,
            usize::MAX,
        )?)))
    }

    pub fn update(&mut self, high: f64, low: f64) -> f64 {
        self.next([high, low])[0]
    }
}

impl Indicator<2, 1> for Aroonosc {
    #[inline(always)]
    fn step(&mut self, [high, low]: [f64; 2]) -> [f64; 1] {
        match self.0.ages(high, low) {
            Some((h, l)) => [self.0.factor * (l as f64 - h as f64)],
            None => [NAN],
        }
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn ages_of_the_extremes() {
        let h = [5.0, 7.0, 6.0, 7.0];
        let l = [4.0, 3.0, 5.0, 5.0];
        let (mut down, mut up) = ([0.0; 4], [0.0; 4]);
        aroon(&h, &l, 2, &mut down, &mut up).unwrap();
        assert_same(&up, &[NAN, NAN, 50.0, 100.0]); // 7 one bar ago; then the latest of two 7s
        assert_same(&down, &[NAN, NAN, 50.0, 0.0]);
        let mut osc = [0.0; 4];
        aroonosc(&h, &l, 2, &mut osc).unwrap();
        assert_same(&osc, &[NAN, NAN, 0.0, 100.0]);
    }
}
