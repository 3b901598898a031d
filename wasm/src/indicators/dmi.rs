//! Wilder's directional movement system as TA-Lib defines it: PLUS_DI, MINUS_DI, ADX, ADXR.
//!
//! From one bar to the next, `up = high - prev_high` and `down = prev_low - low`; +DM is `up`
//! when `up > 0` and `up > down`, -DM is `down` when `down > 0` and `down > up` (else 0), and TR
//! is the true range. Their `n`-bar sums start as plain sums of the first `n - 1` bars after the
//! first and are then Wilder-smoothed, `s = s - s / n + value` (here `s * (n-1)/n + value`).
//! - `plus_di = 100 * +DM / TR`, `minus_di = 100 * -DM / TR` (0 when TR is 0); first `n` NaN.
//! - `dx = 100 * |minus_di - plus_di| / (minus_di + plus_di)`; ADX is the mean of the first `n`
//!   DX values, then Wilder-smoothed; bars where DX is undefined (TR or the DI sum is 0) leave
//!   it unchanged. The first `2n - 1` outputs are NaN.
//! - `adxr = (adx + adx[n - 1 bars ago]) / 2`; the first `3n - 2` outputs are NaN.
//!
//! One difference: with `n = 1` TA-Lib returns +DM/TR and -DM/TR as fractions; here they are
//! in percent like every other period.

use super::rolling::Ring;
use super::smooth::Smoother;
use super::trange::true_range;
use super::{check, choose, run, step_each, Indicator, NAN};
use crate::{params, KernelError};

/// The smoothed +DM, -DM and TR of the bars since the last restart.
#[derive(Debug, Clone)]
struct Movement {
    n: usize,
    bars: usize,
    prev: [f64; 3], // high, low, close of the previous bar
    sums: [f64; 3],
    // +DM, -DM, TR: three recursions side by side, each the plain formula (see `smooth`).
    smooth: Smoother<3, 1>,
}

impl Movement {
    fn new(n: usize) -> Self {
        let a = (n - 1) as f64 / n as f64;
        Movement {
            n,
            bars: 0,
            prev: [NAN; 3],
            sums: [0.0; 3],
            smooth: Smoother::new(a, 1.0),
        }
    }

    fn reset(&mut self) {
        self.bars = 0;
        self.sums = [0.0; 3];
    }

    /// The smoothed [+DM, -DM, TR] once `n` bars followed the first, else None.
    #[inline(always)]
    fn update(&mut self, high: f64, low: f64, close: f64) -> Option<[f64; 3]> {
        let [prev_high, prev_low, prev_close] =
            std::mem::replace(&mut self.prev, [high, low, close]);
        self.bars += 1;
        if self.bars == 1 {
            return None;
        }
        let up = high - prev_high;
        let down = prev_low - low;
        // Selects rather than branches: which way a bar moved is a coin flip.
        let plus = choose((up > down) & (up > 0.0), up, 0.0);
        let minus = choose((down > up) & (down > 0.0), down, 0.0);
        let moves = [plus, minus, true_range(high, low, prev_close)];
        if self.bars <= self.n {
            for (sum, m) in self.sums.iter_mut().zip(moves) {
                *sum += m;
            }
            return None;
        }
        if self.bars == self.n + 1 {
            self.smooth.start(self.sums);
        }
        Some(self.smooth.step(moves))
    }
}

/// `100 * dm / tr`, 0 when the true range is 0.
#[inline(always)]
fn di(dm: f64, tr: f64) -> f64 {
    if tr != 0.0 {
        100.0 * (dm / tr)
    } else {
        0.0
    }
}

/// Batch PLUS_DI with period `n`.
pub fn plus_di(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "plus_di",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = PlusDi(Movement::new(params::period("plus_di", "n", n, len)?));
    run(&mut s, [high, low, close], [out]);
    Ok(())
}

/// Batch MINUS_DI with period `n`.
pub fn minus_di(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "minus_di",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = MinusDi(Movement::new(params::period("minus_di", "n", n, len)?));
    run(&mut s, [high, low, close], [out]);
    Ok(())
}

/// Streaming PLUS_DI.
#[derive(Debug, Clone)]
pub struct PlusDi(Movement);

/// Streaming MINUS_DI.
#[derive(Debug, Clone)]
pub struct MinusDi(Movement);

impl PlusDi {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(PlusDi(Movement::new(params::period(
            "plus_di",
            "n",
            n,
            usize::MAX,
        )?)))
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for PlusDi {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        [self
            .0
            .update(high, low, close)
            .map_or(NAN, |[plus, _, tr]| di(plus, tr))]
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

impl MinusDi {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(MinusDi(Movement::new(params::period(
            "minus_di",
            "n",
            n,
            usize::MAX,
        )?)))
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for MinusDi {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        [self
            .0
            .update(high, low, close)
            .map_or(NAN, |[_, minus, tr]| di(minus, tr))]
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// Batch ADX with period `n`.
pub fn adx(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "adx",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Adx::build(params::period("adx", "n", n, len)?);
    run(&mut s, [high, low, close], [out]);
    Ok(())
}

/// Streaming ADX.
#[derive(Debug, Clone)]
pub struct Adx {
    movement: Movement,
    dx_count: usize, // bars with a DI since the last restart
    dx_sum: f64,
    smooth: Smoother<1, 1>,
    adx: f64,
}

impl Adx {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("adx", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Adx {
            movement: Movement::new(n),
            dx_count: 0,
            dx_sum: 0.0,
            smooth: Smoother::wilder(n),
            adx: NAN,
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Adx {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        let Some([plus, minus, tr]) = self.movement.update(high, low, close) else {
            return [NAN];
        };
        let (plus, minus) = (di(plus, tr), di(minus, tr));
        let total = minus + plus;
        let dx = if total != 0.0 {
            Some(100.0 * ((minus - plus).abs() / total))
        } else {
            None
        };
        let n = self.movement.n;
        if self.dx_count >= n {
            // Steady state first, as a branch: a DX is almost always defined, and a select
            // here would put the divisions on the smoothing's chain from bar to bar.
            if let Some(dx) = dx {
                self.adx = self.smooth.step([dx])[0];
            }
            return [self.adx];
        }
        self.dx_count += 1;
        if let Some(dx) = dx {
            self.dx_sum += dx;
        }
        if self.dx_count < n {
            return [NAN];
        }
        self.adx = self.dx_sum / n as f64;
        self.smooth.start([self.adx]);
        [self.adx]
    }

    /// Once warmed up, the same operations as `step` on local copies of the state, which the
    /// compiler keeps in registers (the outputs could alias `self` as far as it knows).
    #[inline(always)]
    fn steps(&mut self, [high, low, close]: [&[f64]; 3], [out]: [&mut [f64]; 1]) {
        if self.dx_count < self.movement.n {
            return step_each(self, [high, low, close], [out]);
        }
        let mut movement = self.movement.clone();
        let (mut smooth, mut adx) = (self.smooth.clone(), self.adx);
        let bars = high.iter().zip(low).zip(close);
        for (o, ((&high, &low), &close)) in out.iter_mut().zip(bars) {
            // Warmed up: the movements are always there.
            if let Some([plus, minus, tr]) = movement.update(high, low, close) {
                let (plus, minus) = (di(plus, tr), di(minus, tr));
                let total = minus + plus;
                if total != 0.0 {
                    adx = smooth.step([100.0 * ((minus - plus).abs() / total)])[0];
                }
            }
            *o = adx;
        }
        (self.movement, self.smooth, self.adx) = (movement, smooth, adx);
    }

    fn reset(&mut self) {
        self.movement.reset();
        self.dx_count = 0;
        self.dx_sum = 0.0;
        self.adx = NAN;
    }
}

/// Batch ADXR with period `n`.
pub fn adxr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "adxr",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Adxr::build(params::period("adxr", "n", n, len)?);
    run(&mut s, [high, low, close], [out]);
    Ok(())
}

/// Streaming ADXR.
#[derive(Debug, Clone)]
pub struct Adxr {
    adx: Adx,
    history: Ring, // the last n ADX values
}

impl Adxr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("adxr", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Adxr {
            adx: Adx::build(n),
            history: Ring::new(n),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Adxr {
    #[inline(always)]
    fn step(&mut self, bar: [f64; 3]) -> [f64; 1] {
        let [adx] = self.adx.step(bar);
        if adx.is_nan() {
            return [NAN];
        }
        self.history.push(adx);
        if !self.history.is_full() {
            return [NAN];
        }
        [(adx + self.history.ago(self.history.len() - 1)) / 2.0]
    }

    fn reset(&mut self) {
        self.adx.reset();
        self.history.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    fn hlc(
        kernel: fn(&[f64], &[f64], &[f64], i64, &mut [f64]) -> Result<(), KernelError>,
        n: i64,
    ) -> Vec<f64> {
        let (h, l, c, _) = bars(200, 6);
        let mut out = vec![0.0; 200];
        kernel(&h, &l, &c, n, &mut out).unwrap();
        out
    }

    #[test]
    fn warm_up_lengths() {
        assert_nan_prefix(&hlc(plus_di, 14), 14);
        assert_nan_prefix(&hlc(minus_di, 14), 14);
        assert_nan_prefix(&hlc(adx, 14), 27);
        assert_nan_prefix(&hlc(adxr, 14), 40);
        assert_nan_prefix(&hlc(adx, 1), 1);
    }

    #[test]
    fn first_di_is_the_ratio_of_sums() {
        let h = [10.0, 11.0, 10.5, 12.0];
        let l = [9.0, 9.5, 9.0, 10.0];
        let c = [9.5, 10.5, 10.0, 11.5];
        let mut out = [0.0; 4];
        plus_di(&h, &l, &c, 2, &mut out).unwrap();
        // +DM: 1, 0, 1.5; TR: 1.5, 1.5, 2.0. Sum of the first, then s/2 + value.
        let (dm, tr) = (1.0 * 0.5 + 0.0, 1.5 * 0.5 + 1.5);
        assert_eq!(out[2], 100.0 * (dm / tr));
    }
}
