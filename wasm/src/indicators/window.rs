//! Window aggregates as TA-Lib's MAX, MIN and SUM: the highest, lowest and sum of the last `n`
//! values (the first `n - 1` outputs are NaN).

use super::extremes::{extremes_block, extremes_into, Extreme, Highest, Lowest};
use super::rolling::WindowSum;
use super::{check, prefetch_next, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch MAX: the highest of the last `n` values of `x`.
pub fn max(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    extreme::<true>("max", x, n, out)
}

/// Batch MIN: the lowest of the last `n` values of `x`.
pub fn min(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    extreme::<false>("min", x, n, out)
}

fn extreme<const HIGHEST: bool>(
    kernel: &str,
    x: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(kernel, &[("x", x)], &[out])?;
    let n = params::period(kernel, "n", n, len)?;
    let mut s = Windowed(Extreme::<HIGHEST>::new(n));
    let mut spans = vec![];
    windowed(
        [x],
        [out],
        n,
        extremes_block(n),
        &mut s,
        |_, bars, [out]| {
            prefetch_next([x], bars.clone());
            extremes_into::<HIGHEST>(&x[bars.start + 1 - n..bars.end], n, out, &mut spans)
        },
    );
    Ok(())
}

/// Streaming MAX / MIN over the last `n` values.
#[derive(Debug, Clone)]
pub struct Windowed<E>(E);

pub type Max = Windowed<Highest>;
pub type Min = Windowed<Lowest>;

impl<const HIGHEST: bool> Windowed<Extreme<HIGHEST>> {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        let kernel = if HIGHEST { "max" } else { "min" };
        Ok(Windowed(Extreme::new(params::period(
            kernel,
            "n",
            n,
            usize::MAX,
        )?)))
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl<const HIGHEST: bool> Indicator<1, 1> for Windowed<Extreme<HIGHEST>> {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        self.0.push(x);
        [if self.0.is_full() {
            self.0.value()
        } else {
            NAN
        }]
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// Batch SUM: the sum of the last `n` values of `x`.
pub fn sum(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("sum", &[("x", x)], &[out])?;
    let n = params::period("sum", "n", n, len)?;
    let mut s = Sum::build(n);
    windowed([x], [out], n, BLOCK, &mut s, |s, bars, [out]| {
        s.0.slide_into(x, bars, out, |_, sum| sum)
    });
    Ok(())
}

/// Streaming SUM over the last `n` values.
#[derive(Debug, Clone)]
pub struct Sum(WindowSum);

impl Sum {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("sum", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Sum(WindowSum::new(n))
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl Indicator<1, 1> for Sum {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        [self.0.push(x).unwrap_or(NAN)]
    }

    fn reset(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn max_min_sum() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        assert_same(
            &batch1(max, &x, 3),
            &[NAN, NAN, 4.0, 4.0, 5.0, 9.0, 9.0, 9.0],
        );
        assert_same(
            &batch1(min, &x, 3),
            &[NAN, NAN, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0],
        );
        assert_same(
            &batch1(sum, &x, 2),
            &[NAN, 4.0, 5.0, 5.0, 6.0, 14.0, 11.0, 8.0],
        );
    }

    #[test]
    fn restart_after_nan() {
        let x = [3.0, f64::NAN, 4.0, 1.0, 5.0];
        assert_same(&batch1(max, &x, 2), &[NAN, NAN, NAN, 4.0, 5.0]);
        let mut s = Max::new(2).unwrap();
        let streamed: Vec<f64> = x.iter().map(|&v| s.update(v)).collect();
        assert_same(&streamed, &batch1(max, &x, 2));
    }

    #[test]
    fn zeros_of_either_sign_give_the_same_bits_in_both_forms() {
        let x = [0.0, -0.0, -0.0, 0.0, -1.0, -0.0];
        for n in 1..=3 {
            let mut s = Max::new(n).unwrap();
            let streamed: Vec<f64> = x.iter().map(|&v| s.update(v)).collect();
            assert_same(&streamed, &batch1(max, &x, n));
        }
    }
}
