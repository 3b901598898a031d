//! Crossings of two series (not in TA-Lib), as freqtrade's qtpylib defines them: `crossover`
//! is 1 on a bar where `a > b` after `a <= b` on the bar before, else 0; `crossunder` is 1 where
//! `a < b` after `a >= b`. The first output is NaN (no bar before it).

use super::{check, run, Indicator, NAN};
use crate::KernelError;

/// Batch CROSSOVER of `a` above `b`.
pub fn crossover(a: &[f64], b: &[f64], out: &mut [f64]) -> Result<(), KernelError> {
    check("crossover", &[("a", a), ("b", b)], &[out])?;
    run(&mut Crossover::new()?, [a, b], [out]);
    Ok(())
}

/// Batch CROSSUNDER of `a` below `b`.
pub fn crossunder(a: &[f64], b: &[f64], out: &mut [f64]) -> Result<(), KernelError> {
    check("crossunder", &[("a", a), ("b", b)], &[out])?;
    run(&mut Crossunder::new()?, [a, b], [out]);
    Ok(())
}

/// Streaming crossing detector; `ABOVE` tells crossover from crossunder.
#[derive(Debug, Clone)]
pub struct Crossing<const ABOVE: bool> {
    prev: (f64, f64), // NaN before the first bar
}

pub type Crossover = Crossing<true>;
pub type Crossunder = Crossing<false>;

impl<const ABOVE: bool> Crossing<ABOVE> {
    pub fn new() -> Result<Self, KernelError> {
        Ok(Crossing { prev: (NAN, NAN) })
    }

    pub fn update(&mut self, a: f64, b: f64) -> f64 {
        self.next([a, b])[0]
    }
}

impl<const ABOVE: bool> Indicator<2, 1> for Crossing<ABOVE> {
    #[inline(always)]
    fn step(&mut self, [a, b]: [f64; 2]) -> [f64; 1] {
        let (pa, pb) = std::mem::replace(&mut self.prev, (a, b));
        if pa.is_nan() {
            return [NAN];
        }
        let crossed = if ABOVE {
            (pa <= pb) & (a > b)
        } else {
            (pa >= pb) & (a < b)
        };
        [if crossed { 1.0 } else { 0.0 }]
    }

    fn reset(&mut self) {
        self.prev = (NAN, NAN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn marks_the_bar_of_the_crossing() {
        let a = [1.0, 2.0, 3.0, 3.0, 2.0, 4.0];
        let b = [2.0, 2.0, 2.0, 3.0, 3.0, 3.0];
        let (mut over, mut under) = ([0.0; 6], [0.0; 6]);
        crossover(&a, &b, &mut over).unwrap();
        crossunder(&a, &b, &mut under).unwrap();
        assert_same(&over, &[NAN, 0.0, 1.0, 0.0, 0.0, 1.0]);
        assert_same(&under, &[NAN, 0.0, 0.0, 0.0, 1.0, 0.0]);
    }
}
