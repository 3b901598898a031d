//! TRIMA, triangular moving average as TA-Lib defines it: the SMA of an SMA, with periods
//! `(n+1)/2` and `(n+1)/2` for odd `n`, `n/2` and `n/2 + 1` for even `n`, i.e. weights rising
//! linearly to the middle of the window and falling again. The first `n - 1` outputs are NaN.
//!
//! Computed as a window sum of window sums, divided once by the product of both periods.

use super::rolling::{nested_into, WindowSum};
use super::{check, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch TRIMA of `x` with period `n`.
pub fn trima(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("trima", &[("x", x)], &[out])?;
    let n = params::period("trima", "n", n, len)?;
    let mut s = Trima::build(n);
    // Once n bars are in, the inner window's leaving value comes from the slice; the outer
    // window slides over inner sums, which only the state's ring holds before the block.
    let block = BLOCK.max(4 * n);
    let mut scratch = vec![0.0; n + block];
    windowed([x], [out], n, block, &mut s, |s, bars, [out]| {
        let divider = s.divider;
        nested_into(
            &mut s.inner,
            &mut s.outer,
            x,
            bars,
            out,
            &mut scratch,
            |total| average(total, divider),
        );
    });
    Ok(())
}

#[inline(always)]
fn average(total: f64, divider: f64) -> f64 {
    total / divider
}

/// Streaming TRIMA.
#[derive(Debug, Clone)]
pub struct Trima {
    inner: WindowSum,
    outer: WindowSum,
    divider: f64,
}

impl Trima {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("trima", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        let (first, second) = if n % 2 == 1 {
            (n.div_ceil(2), n.div_ceil(2))
        } else {
            (n / 2, n / 2 + 1)
        };
        Trima {
            inner: WindowSum::new(first),
            outer: WindowSum::new(second),
            divider: (first * second) as f64,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Trima {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        [match self.inner.push(x).and_then(|s| self.outer.push(s)) {
            Some(total) => average(total, self.divider),
            None => NAN,
        }]
    }

    fn reset(&mut self) {
        self.inner.clear();
        self.outer.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn triangular_weights() {
        let x = [1.0, 2.0, 4.0, 8.0, 16.0];
        // n = 5: weights 1 2 3 2 1 over 9.
        assert_same(
            &batch1(trima, &x, 5),
            &[NAN, NAN, NAN, NAN, (1.0 + 4.0 + 12.0 + 16.0 + 16.0) / 9.0],
        );
        // n = 4: weights 1 2 2 1 over 6.
        let out = batch1(trima, &x, 4);
        assert_same(
            &out[3..],
            &[
                (1.0 + 4.0 + 8.0 + 8.0) / 6.0,
                (2.0 + 8.0 + 16.0 + 16.0) / 6.0,
            ],
        );
    }
}
