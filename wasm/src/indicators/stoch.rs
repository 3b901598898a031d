//! Stochastic oscillators as TA-Lib defines them, with SMA smoothing (TA-Lib's default MA type).
//!
//! Raw %K = `(close - lowest low) / ((highest high - lowest low) / 100)` over the last
//! `fastk_period` bars, 0 when that range is 0.
//! - STOCHF: `fastk` = raw %K, `fastd = sma(fastk, fastd_period)`.
//! - STOCH: `slowk = sma(raw %K, slowk_period)`, `slowd = sma(slowk, slowd_period)`.
//! - STOCHRSI: STOCHF applied to `rsi(x, n)` (as high, low and close).
//!
//! As in TA-Lib, every output starts on the bar where the last one does: the first
//! `fastk_period - 1 + fastd_period - 1` outputs of STOCHF are NaN, `fastk_period + slowk_period
//! + slowd_period - 3` of STOCH, and `n + fastk_period + fastd_period - 2` of STOCHRSI.
//!
//! Streaming states track the window's extremes bar by bar; batch kernels take them from
//! `channel` over each finite stretch and share the smoothing states.

use super::extremes::{channel, Highest, Lowest};
use super::rsi::Rsi;
use super::sma::Sma;
use super::{check, pieces, run, Indicator, Piece, NAN};
use crate::{params, KernelError};

/// Raw %K of `close` against the window's highest high and lowest low.
#[inline(always)]
fn raw_k(close: f64, highest: f64, lowest: f64) -> f64 {
    let range = (highest - lowest) / 100.0;
    if range != 0.0 {
        (close - lowest) / range
    } else {
        0.0
    }
}

/// The rolling extremes behind raw %K, for streaming.
#[derive(Debug, Clone)]
struct Extremes {
    high: Highest,
    low: Lowest,
}

impl Extremes {
    fn new(n: usize) -> Self {
        Extremes {
            high: Highest::new(n),
            low: Lowest::new(n),
        }
    }

    fn reset(&mut self) {
        self.high.reset();
        self.low.reset();
    }

    #[inline(always)]
    fn raw_k(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.high.push(high);
        self.low.push(low);
        if !self.high.is_full() {
            return NAN;
        }
        raw_k(close, self.high.value(), self.low.value())
    }
}

/// A stochastic's smoothing of raw %K into its two outputs.
trait Smoothing {
    fn smooth(&mut self, k: f64) -> [f64; 2];
    fn reset_smoothing(&mut self);
}

/// The batch form of a stochastic over high, low, close: raw %K from `channel` over each
/// finite stretch, then the state's smoothing.
fn batch<S: Smoothing>(
    s: &mut S,
    n: usize,
    high: &[f64],
    low: &[f64],
    close: &[f64],
    outs: [&mut [f64]; 2],
) {
    let [a, b] = outs;
    pieces([high, low, close], |piece| match piece {
        Piece::Gap(i) => {
            s.reset_smoothing();
            (a[i], b[i]) = (NAN, NAN);
        }
        Piece::Run(start, end) => {
            let warm = (start + n - 1).min(end);
            a[start..warm].fill(NAN);
            b[start..warm].fill(NAN);
            channel::<true, true>(&high[start..end], &low[start..end], n, |i, hi, lo| {
                let i = start + i;
                [a[i], b[i]] = s.smooth(raw_k(close[i], hi, lo));
            });
        }
    });
}

/// Batch STOCH into `slowk` and `slowd`.
#[allow(clippy::too_many_arguments)]
pub fn stoch(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk_period: i64,
    slowk_period: i64,
    slowd_period: i64,
    slowk: &mut [f64],
    slowd: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "stoch",
        &[("high", high), ("low", low), ("close", close)],
        &[slowk, slowd],
    )?;
    let mut s = Stoch::checked(fastk_period, slowk_period, slowd_period, len)?;
    let n = s.n;
    batch(&mut s, n, high, low, close, [slowk, slowd]);
    Ok(())
}

/// Streaming STOCH: `update(high, low, close)` returns `(slowk, slowd)`.
#[derive(Debug, Clone)]
pub struct Stoch {
    n: usize,
    extremes: Extremes,
    slowk: Sma,
    slowd: Sma,
}

impl Stoch {
    pub fn new(
        fastk_period: i64,
        slowk_period: i64,
        slowd_period: i64,
    ) -> Result<Self, KernelError> {
        Self::checked(fastk_period, slowk_period, slowd_period, usize::MAX)
    }

    fn checked(
        fastk_period: i64,
        slowk_period: i64,
        slowd_period: i64,
        len: usize,
    ) -> Result<Self, KernelError> {
        let n = params::period("stoch", "fastk_period", fastk_period, len)?;
        Ok(Stoch {
            n,
            extremes: Extremes::new(n),
            slowk: Sma::build(params::period("stoch", "slowk_period", slowk_period, len)?),
            slowd: Sma::build(params::period("stoch", "slowd_period", slowd_period, len)?),
        })
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> (f64, f64) {
        self.next([high, low, close]).into()
    }
}

impl Smoothing for Stoch {
    #[inline(always)]
    fn smooth(&mut self, k: f64) -> [f64; 2] {
        let [slowk] = self.slowk.step([k]);
        if slowk.is_nan() {
            return [NAN; 2];
        }
        let [slowd] = self.slowd.step([slowk]);
        if slowd.is_nan() {
            return [NAN; 2];
        }
        [slowk, slowd]
    }

    fn reset_smoothing(&mut self) {
        self.slowk.reset();
        self.slowd.reset();
    }
}

impl Indicator<3, 2> for Stoch {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 2] {
        let k = self.extremes.raw_k(high, low, close);
        if k.is_nan() {
            return [NAN; 2];
        }
        self.smooth(k)
    }

    fn reset(&mut self) {
        self.extremes.reset();
        self.reset_smoothing();
    }
}

/// Batch STOCHF into `fastk` and `fastd`.
#[allow(clippy::too_many_arguments)]
pub fn stochf(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk_period: i64,
    fastd_period: i64,
    fastk: &mut [f64],
    fastd: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "stochf",
        &[("high", high), ("low", low), ("close", close)],
        &[fastk, fastd],
    )?;
    let mut s = Stochf::checked("stochf", fastk_period, fastd_period, len)?;
    let n = s.n;
    batch(&mut s, n, high, low, close, [fastk, fastd]);
    Ok(())
}

/// Streaming STOCHF: `update(high, low, close)` returns `(fastk, fastd)`.
#[derive(Debug, Clone)]
pub struct Stochf {
    n: usize,
    extremes: Extremes,
    fastd: Sma,
}

impl Stochf {
    pub fn new(fastk_period: i64, fastd_period: i64) -> Result<Self, KernelError> {
        Self::checked("stochf", fastk_period, fastd_period, usize::MAX)
    }

    fn checked(
        kernel: &str,
        fastk_period: i64,
        fastd_period: i64,
        len: usize,
    ) -> Result<Self, KernelError> {
        let n = params::period(kernel, "fastk_period", fastk_period, len)?;
        Ok(Stochf {
            n,
            extremes: Extremes::new(n),
            fastd: Sma::build(params::period(kernel, "fastd_period", fastd_period, len)?),
        })
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> (f64, f64) {
        self.next([high, low, close]).into()
    }
}

impl Smoothing for Stochf {
    #[inline(always)]
    fn smooth(&mut self, k: f64) -> [f64; 2] {
        let [d] = self.fastd.step([k]);
        if d.is_nan() {
            return [NAN; 2];
        }
        [k, d]
    }

    fn reset_smoothing(&mut self) {
        self.fastd.reset();
    }
}

impl Indicator<3, 2> for Stochf {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 2] {
        let k = self.extremes.raw_k(high, low, close);
        if k.is_nan() {
            return [NAN; 2];
        }
        self.smooth(k)
    }

    fn reset(&mut self) {
        self.extremes.reset();
        self.reset_smoothing();
    }
}

/// Batch STOCHRSI of `x` into `fastk` and `fastd`: the RSI first, then STOCHF over it (its
/// warm-up NaN, like a gap, leaves the stochastic fresh, as the streaming state does).
pub fn stochrsi(
    x: &[f64],
    n: i64,
    fastk_period: i64,
    fastd_period: i64,
    fastk: &mut [f64],
    fastd: &mut [f64],
) -> Result<(), KernelError> {
    let len = check("stochrsi", &[("x", x)], &[fastk, fastd])?;
    let mut s = Stochrsi::checked(n, fastk_period, fastd_period, len)?;
    let mut rsi = vec![0.0; len];
    run(&mut s.rsi, [x], [&mut rsi]);
    let k = s.stoch.n;
    batch(&mut s.stoch, k, &rsi, &rsi, &rsi, [fastk, fastd]);
    Ok(())
}

/// Streaming STOCHRSI: `update(x)` returns `(fastk, fastd)`.
#[derive(Debug, Clone)]
pub struct Stochrsi {
    rsi: Rsi,
    stoch: Stochf,
}

impl Stochrsi {
    pub fn new(n: i64, fastk_period: i64, fastd_period: i64) -> Result<Self, KernelError> {
        Self::checked(n, fastk_period, fastd_period, usize::MAX)
    }

    fn checked(
        n: i64,
        fastk_period: i64,
        fastd_period: i64,
        len: usize,
    ) -> Result<Self, KernelError> {
        let rsi = Rsi::build(params::period("stochrsi", "n", n, len)?);
        Ok(Stochrsi {
            rsi,
            stoch: Stochf::checked("stochrsi", fastk_period, fastd_period, len)?,
        })
    }

    pub fn update(&mut self, x: f64) -> (f64, f64) {
        self.next([x]).into()
    }
}

impl Indicator<1, 2> for Stochrsi {
    #[inline(always)]
    fn step(&mut self, bar: [f64; 1]) -> [f64; 2] {
        let [r] = self.rsi.step(bar);
        if r.is_nan() {
            return [NAN; 2];
        }
        self.stoch.step([r, r, r])
    }

    fn reset(&mut self) {
        self.rsi.reset();
        self.stoch.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn fast_k_and_d() {
        let h = [10.0, 12.0, 11.0, 13.0];
        let l = [8.0, 9.0, 9.0, 10.0];
        let c = [9.0, 11.0, 10.0, 12.0];
        let (mut k, mut d) = ([0.0; 4], [0.0; 4]);
        stochf(&h, &l, &c, 2, 2, &mut k, &mut d).unwrap();
        assert_same(&k, &[NAN, NAN, 1.0 / (3.0 / 100.0), 3.0 / (4.0 / 100.0)]);
        assert_eq!(d[3], (k[2] + k[3]) / 2.0);
    }

    #[test]
    fn warm_up_lengths() {
        let (h, l, c, _) = bars(100, 5);
        let (mut k, mut d) = (vec![0.0; 100], vec![0.0; 100]);
        stoch(&h, &l, &c, 5, 3, 4, &mut k, &mut d).unwrap();
        assert_nan_prefix(&k, 9);
        assert_nan_prefix(&d, 9);
        stochrsi(&c, 6, 5, 3, &mut k, &mut d).unwrap();
        assert_nan_prefix(&k, 12);
    }

    #[test]
    fn streams_match_batches_across_gaps() {
        let (mut h, mut l, mut c, _) = bars(300, 8);
        for i in [17usize, 18, 90, 205] {
            h[i] = f64::NAN;
            c[i + 3] = f64::INFINITY;
        }
        l[40] = f64::NEG_INFINITY;
        let (mut k, mut d) = (vec![0.0; 300], vec![0.0; 300]);
        stoch(&h, &l, &c, 9, 3, 2, &mut k, &mut d).unwrap();
        let mut s = Stoch::new(9, 3, 2).unwrap();
        let rows: Vec<(f64, f64)> = (0..300).map(|i| s.update(h[i], l[i], c[i])).collect();
        assert_same(&rows.iter().map(|r| r.0).collect::<Vec<_>>(), &k);
        assert_same(&rows.iter().map(|r| r.1).collect::<Vec<_>>(), &d);
        stochrsi(&c, 7, 5, 3, &mut k, &mut d).unwrap();
        let mut s = Stochrsi::new(7, 5, 3).unwrap();
        let rows: Vec<(f64, f64)> = c.iter().map(|&v| s.update(v)).collect();
        assert_same(&rows.iter().map(|r| r.0).collect::<Vec<_>>(), &k);
    }
}
