//! TRANGE, ATR and NATR as TA-Lib defines them.
//!
//! The true range is the greatest of `high - low`, `|high - prev_close|` and
//! `|low - prev_close|` (the first bar has none: NaN). ATR seeds with the mean of the first `n`
//! true ranges and then smooths Wilder's way, `atr = ((n-1) * atr + tr) / n`; its first `n`
//! outputs are NaN. `natr = 100 * atr / close` (0 where close is 0, as in TA-Lib).
//! One difference: TA-Lib's NATR with `n = 1` returns the plain true range; here it is
//! normalized like any other period.

use super::lanes::{F64x2, Lanes};
use super::smooth::{pairs, quad, Strided};
use super::{check, run, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// The true range of a bar, given the previous close (of bars side by side, in lanes).
#[inline(always)]
pub(crate) fn true_range<F: Lanes>(high: F, low: F, prev_close: F) -> F {
    let range = (prev_close - high).abs().greater(high - low);
    (prev_close - low).abs().greater(range)
}

/// Batch TRANGE.
pub fn trange(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    out: &mut [f64],
) -> Result<(), KernelError> {
    check(
        "trange",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Trange::new()?;
    fast_blocks(&mut s, [high, low, close], out, Trange::fours);
    Ok(())
}

/// Streaming TRANGE.
#[derive(Debug, Clone)]
pub struct Trange {
    prev_close: f64, // NaN before the first bar
}

impl Trange {
    pub fn new() -> Result<Self, KernelError> {
        Ok(Trange { prev_close: NAN })
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Trange {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        let prev = std::mem::replace(&mut self.prev_close, close);
        [if prev.is_nan() {
            NAN
        } else {
            true_range(high, low, prev)
        }]
    }

    fn reset(&mut self) {
        self.prev_close = NAN;
    }
}

impl Trange {
    /// `fast_blocks`' fast path: the true ranges in fours, once there is a previous close.
    #[inline(always)]
    fn fours(&mut self, columns: [&[f64]; 3], out: &mut [f64]) -> bool {
        let last = Some(self.prev_close).filter(|p| !p.is_nan());
        let last = last.and_then(|prev| in_fours(prev, columns, out, |ranges, _| ranges));
        last.map(|last| self.prev_close = last).is_some()
    }
}

/// The batch form of TRANGE, ATR and NATR: `run` over blocks of `FAST_BLOCK` bars, except for
/// the blocks `fast` computes, which it does without checking the inputs first, and declines
/// (returning false, the state unchanged) where one was not finite or it cannot start (warm-up,
/// the series' last bars).
fn fast_blocks<S: Indicator<3, 1>>(
    state: &mut S,
    [high, low, close]: [&[f64]; 3],
    out: &mut [f64],
    fast: impl Fn(&mut S, [&[f64]; 3], &mut [f64]) -> bool,
) {
    for (i, out) in out.chunks_mut(FAST_BLOCK).enumerate() {
        let bars = i * FAST_BLOCK..i * FAST_BLOCK + out.len();
        let columns = [&high[bars.clone()], &low[bars.clone()], &close[bars]];
        if !fast(state, columns, out) {
            run(state, columns, [out]);
        }
    }
}

/// Bars `fast_blocks` hands to its fast path at a time.
const FAST_BLOCK: usize = 4 * BLOCK;

/// The bars of the columns in fours, each four's true ranges as two pairs of lanes, given the
/// close before the first bar, and `each(ranges, closes)` their outputs, written to `out`. Nothing
/// checks the inputs first: a non-finite high or low makes its true range non-finite, and a
/// NaN close, which can escape the true range (`greater` passes over it), the sum of the
/// closes; so if the sum of the outputs and closes is finite, so was every input and it
/// returns the last close. `None` otherwise, or if the bars are not whole fours.
#[inline(always)]
fn in_fours(
    prev_close: f64,
    [high, low, close]: [&[f64]; 3],
    out: &mut [f64],
    mut each: impl FnMut([F64x2; 2], [F64x2; 2]) -> [F64x2; 2],
) -> Option<f64> {
    let (out, rest) = out.as_chunks_mut::<4>();
    if out.is_empty() || !rest.is_empty() {
        return None;
    }
    let [high, low, close] = [high, low, close].map(|x| x.as_chunks::<4>().0);
    let mut closes_before = F64x2::new(NAN, prev_close);
    let mut sums = [F64x2::splat(0.0); 2]; // of the outputs and closes
    for (out, ((high, low), close)) in out.iter_mut().zip(high.iter().zip(low).zip(close)) {
        let [h, l, c] = [high, low, close].map(|x| pairs(*x));
        let prev = [closes_before.shift(c[0]), c[0].shift(c[1])];
        let outputs = each([0, 1].map(|k| true_range(h[k], l[k], prev[k])), c);
        *out = quad(outputs);
        sums = [0, 1].map(|k| sums[k] + (outputs[k] + c[k]));
        closes_before = c[1];
    }
    // A sum of terms is finite only if each is (a sum that overflows merely declines).
    let [a, b] = (sums[0] + sums[1]).to_array();
    (a + b).is_finite().then(|| closes_before.to_array()[1])
}

/// Batch ATR with period `n`.
pub fn atr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "atr",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Atr::build(params::period("atr", "n", n, len)?);
    fast_blocks(&mut s, [high, low, close], out, Atr::fours);
    Ok(())
}

/// Batch NATR with period `n`.
pub fn natr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "natr",
        &[("high", high), ("low", low), ("close", close)],
        &[out],
    )?;
    let mut s = Natr(Atr::build(params::period("natr", "n", n, len)?));
    fast_blocks(&mut s, [high, low, close], out, Natr::fours);
    Ok(())
}

/// Streaming ATR.
#[derive(Debug, Clone)]
pub struct Atr {
    n: usize,
    ranges: usize, // true ranges seen since the last restart
    prev_close: f64,
    seed: f64,
    smooth: Strided,
}

impl Atr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("atr", "n", n, usize::MAX)?))
    }

    pub(crate) fn build(n: usize) -> Self {
        Atr {
            n,
            ranges: 0,
            prev_close: NAN,
            seed: 0.0,
            smooth: Strided::wilder(n),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

impl Indicator<3, 1> for Atr {
    #[inline(always)]
    fn step(&mut self, [high, low, close]: [f64; 3]) -> [f64; 1] {
        let prev = std::mem::replace(&mut self.prev_close, close);
        if self.ranges == self.n {
            return [self.smooth.next(true_range(high, low, prev))];
        }
        if prev.is_nan() {
            return [NAN];
        }
        self.ranges += 1;
        self.seed += true_range(high, low, prev);
        if self.ranges < self.n {
            return [NAN];
        }
        let mean = self.seed / self.n as f64;
        self.smooth.start(mean);
        [mean]
    }

    fn reset(&mut self) {
        self.ranges = 0;
        self.prev_close = NAN;
        self.seed = 0.0;
    }
}

impl Atr {
    /// `fast_blocks`' fast path: the true ranges and their smoothing in fours, once the
    /// smoothing is four bars apart.
    #[inline(always)]
    fn fours(&mut self, columns: [&[f64]; 3], out: &mut [f64]) -> bool {
        self.smoothed(columns, out, |atr, _| atr)
    }

    /// `fours`, each ATR then given to `finish(atr, close)` in lanes.
    #[inline(always)]
    fn smoothed(
        &mut self,
        columns: [&[f64]; 3],
        out: &mut [f64],
        finish: impl Fn(F64x2, F64x2) -> F64x2,
    ) -> bool {
        let Some(mut smooth) = self.smooth.lanes().filter(|_| self.ranges == self.n) else {
            return false;
        };
        let each = |ranges, closes: [F64x2; 2]| {
            let atrs = smooth.four(ranges);
            [0, 1].map(|k| finish(atrs[k], closes[k]))
        };
        let Some(last) = in_fours(self.prev_close, columns, out, each) else {
            return false;
        };
        self.smooth.set(&smooth);
        self.prev_close = last;
        true
    }
}

/// Streaming NATR.
#[derive(Debug, Clone)]
pub struct Natr(Atr);

impl Natr {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Natr(Atr::build(params::period(
            "natr",
            "n",
            n,
            usize::MAX,
        )?)))
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> f64 {
        self.next([high, low, close])[0]
    }
}

/// ATR as a percentage of the close (0 where the close is 0).
#[inline(always)]
fn normalized(atr: f64, close: f64) -> f64 {
    let percent = (atr / close) * 100.0;
    if close != 0.0 {
        percent
    } else if atr.is_nan() {
        NAN
    } else {
        0.0
    }
}

impl Natr {
    /// `fast_blocks`' fast path: `Atr::fours`, normalized in lanes as `normalized` does. A
    /// close of 0 makes its value non-finite, so the block is declined and done bar by bar.
    #[inline(always)]
    fn fours(&mut self, columns: [&[f64]; 3], out: &mut [f64]) -> bool {
        let hundred = F64x2::splat(100.0);
        self.0
            .smoothed(columns, out, |atr, close| (atr / close) * hundred)
    }
}

impl Indicator<3, 1> for Natr {
    #[inline(always)]
    fn step(&mut self, bar: [f64; 3]) -> [f64; 1] {
        let [atr] = self.0.step(bar);
        [normalized(atr, bar[2])]
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
    fn true_range_reaches_for_the_previous_close() {
        assert_eq!(true_range(10.0, 8.0, 9.0), 2.0);
        assert_eq!(true_range(10.0, 8.0, 13.0), 5.0);
        assert_eq!(true_range(10.0, 8.0, 5.0), 5.0);
    }

    #[test]
    fn atr_seeds_with_the_mean_true_range() {
        let (h, l, c) = (
            [10.0, 11.0, 12.0, 11.0],
            [9.0, 10.0, 10.0, 8.0],
            [9.5, 10.5, 11.0, 8.5],
        );
        let mut out = [0.0; 4];
        atr(&h, &l, &c, 2, &mut out).unwrap();
        assert_same(&out[..2], &[NAN, NAN]);
        assert_eq!(out[2], (1.5 + 2.0) / 2.0);
        assert_eq!(out[3], 0.5 * 1.75 + 0.5 * 3.0);
        trange(&h, &l, &c, &mut out).unwrap();
        assert_same(&out, &[NAN, 1.5, 2.0, 3.0]);
    }

    /// Batch and streaming TRANGE, ATR and NATR, which must agree to the bit.
    fn assert_stream_is_batch(h: &[f64], l: &[f64], c: &[f64], n: i64) {
        let mut batch = vec![0.0; c.len()];
        let bars = |update: &mut dyn FnMut(f64, f64, f64) -> f64| -> Vec<f64> {
            (0..c.len()).map(|t| update(h[t], l[t], c[t])).collect()
        };
        trange(h, l, c, &mut batch).unwrap();
        let mut s = Trange::new().unwrap();
        assert_same(&batch, &bars(&mut |h, l, c| s.update(h, l, c)));
        atr(h, l, c, n, &mut batch).unwrap();
        let mut s = Atr::new(n).unwrap();
        assert_same(&batch, &bars(&mut |h, l, c| s.update(h, l, c)));
        natr(h, l, c, n, &mut batch).unwrap();
        let mut s = Natr::new(n).unwrap();
        assert_same(&batch, &bars(&mut |h, l, c| s.update(h, l, c)));
    }

    #[test]
    fn batch_is_the_stream_through_blocks_and_gaps() {
        let (h, l, c, _) = bars(1000, 7);
        for n in [1, 2, 5, 14, 60, 61, 200] {
            assert_stream_is_batch(&h, &l, &c, n);
            // A bad value in each column, inside a block, at a block's last bar (the close no
            // true range of that block reads) and first bar (768), and at the series' end.
            for (column, at) in [
                (0, 300),
                (1, 517),
                (2, 767),
                (2, 768),
                (0, 704),
                (2, 999),
                (1, 999),
            ] {
                for bad in [NAN, f64::INFINITY, f64::NEG_INFINITY] {
                    let mut cols = [h.clone(), l.clone(), c.clone()];
                    cols[column][at] = bad;
                    assert_stream_is_batch(&cols[0], &cols[1], &cols[2], n);
                }
            }
            // A close of 0 inside a block: NATR's 0 there (TA-Lib's rule), as bar by bar.
            let mut zero = c.clone();
            zero[300] = 0.0;
            assert_stream_is_batch(&h, &l, &zero, n);
        }
    }

    #[test]
    fn atr_is_the_plain_recursion_to_a_few_ulps() {
        let (h, l, c, _) = bars(5000, 3);
        let mut out = vec![0.0; c.len()];
        atr(&h, &l, &c, 14, &mut out).unwrap();
        let mut p = (1..=14)
            .map(|t| true_range(h[t], l[t], c[t - 1]))
            .sum::<f64>()
            / 14.0;
        assert_eq!(out[14], p);
        for t in 15..c.len() {
            p = (13.0 * p + true_range(h[t], l[t], c[t - 1])) / 14.0;
            assert!(
                (out[t] - p).abs() <= 1e-14 * p,
                "bar {t}: {} vs {p}",
                out[t]
            );
        }
    }
}
