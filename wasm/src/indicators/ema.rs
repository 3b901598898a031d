//! EMA, exponential moving average, as TA-Lib defines it: seeded with the SMA of the first `n`
//! values (so the first `n - 1` outputs are NaN), then `ema = (1 - k) * ema + k * x` with
//! `k = 2 / (n + 1)` (evaluated in blocks of four bars, see `smooth`, in the EMA kernel and in
//! those chaining several, like DEMA, TEMA, TRIX, MACD and Keltner).

use super::smooth::Smoother;
use super::{check, run, Indicator, NAN};
use crate::{params, KernelError};

/// Batch EMA of `x` with period `n` into `out`.
pub fn ema(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("ema", &[("x", x)], &[out])?;
    let mut s = Ema::build(params::period("ema", "n", n, len)?);
    run(&mut s, [x], [out]);
    Ok(())
}

/// Streaming EMA: `update` returns what `ema` gives at that bar.
pub type Ema = EmaOf<4>;

/// An EMA whose recursion runs in blocks of `B` bars (see `smooth`).
#[derive(Debug, Clone)]
pub struct EmaOf<const B: usize> {
    n: usize,
    seen: usize,
    seed: f64, // running sum of the first `n` values
    smooth: Smoother<1, B>,
}

impl<const B: usize> EmaOf<B> {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("ema", "n", n, usize::MAX)?))
    }

    pub(crate) fn build(n: usize) -> Self {
        EmaOf {
            n,
            seen: 0,
            seed: 0.0,
            smooth: Smoother::ema(n),
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }

    /// Whether the seed is in: from then on `push` is the smoothing alone.
    #[inline(always)]
    pub(crate) fn is_seeded(&self) -> bool {
        self.seen >= self.n
    }

    /// The EMA after the finite value `x` (NaN during warm-up).
    #[inline(always)]
    pub(crate) fn push(&mut self, x: f64) -> f64 {
        self.push_at(x, None)
    }

    /// `push` for an EMA chained with others, `x` coming at the series' bar `position`: its
    /// blocks then line up with theirs (see `smooth`).
    #[inline(always)]
    pub(crate) fn push_at(&mut self, x: f64, position: Option<usize>) -> f64 {
        if self.seen < self.n {
            self.seen += 1;
            self.seed += x;
            if self.seen < self.n {
                return NAN;
            }
            let sma = self.seed / self.n as f64;
            self.smooth.start_at([sma], position.map_or(0, |p| p + 1));
            return sma;
        }
        self.smooth.step([x])[0]
    }

    /// Whether a whole block of the recursion starts at the next bar (once seeded).
    #[inline(always)]
    pub(crate) fn at_block_start(&self) -> bool {
        self.is_seeded() && self.smooth.at_block_start()
    }

    /// `push` for the inputs of a whole block (see `Smoother::block`).
    #[inline(always)]
    pub(crate) fn block(&mut self, x: [f64; B]) -> [f64; B] {
        self.smooth.block(x)
    }
}

/// `block` of two EMAs, `e` of `x[0]` and `f` of `x[1]` (see `smooth::blocks_side_by_side`).
#[inline(always)]
pub(crate) fn blocks_side_by_side<const B: usize>(
    e: &mut EmaOf<B>,
    f: &mut EmaOf<B>,
    x: [[f64; B]; 2],
) -> [[f64; B]; 2] {
    super::smooth::blocks_side_by_side(&mut e.smooth, &mut f.smooth, x)
}

/// Three chained EMAs (`e[1]` of `e[0]`, `e[2]` of `e[1]`) over whole blocks `x`, each at a
/// block start: `emit(i, [e1, e2, e3])` with the three EMAs of block `i`. Skewed, the first of
/// block `i` beside the second of block `i - 1` and the third of block `i - 2`: the three
/// chains in flight at once are then independent of one another (one after the other, each
/// waited for the one before). Each EMA does the same operations in the same order.
#[inline(always)]
pub(crate) fn chain3<const B: usize>(
    e: &mut [EmaOf<B>; 3],
    x: &[[f64; B]],
    mut emit: impl FnMut(usize, [[f64; B]; 3]),
) {
    let len = x.len();
    if len < 2 {
        for (i, &x) in x.iter().enumerate() {
            let e1 = e[0].block(x);
            let e2 = e[1].block(e1);
            emit(i, [e1, e2, e[2].block(e2)]);
        }
        return;
    }
    let [mut e1s, mut e2s, mut e3s] = e.clone();
    // e1 of the last two blocks (older first), e2 of the last one.
    let mut e1_0 = e1s.block(x[0]);
    let mut e1_1 = e1s.block(x[1]);
    let mut e2_0 = e2s.block(e1_0);
    for i in 2..len {
        let [e1, e2] = blocks_side_by_side(&mut e1s, &mut e2s, [x[i], e1_1]);
        let e3 = e3s.block(e2_0);
        emit(i - 2, [e1_0, e2_0, e3]);
        (e1_0, e1_1, e2_0) = (e1_1, e1, e2);
    }
    let e2_1 = e2s.block(e1_1);
    emit(len - 2, [e1_0, e2_0, e3s.block(e2_0)]);
    emit(len - 1, [e1_1, e2_1, e3s.block(e2_1)]);
    *e = [e1s, e2s, e3s];
}

impl<const B: usize> Indicator<1, 1> for EmaOf<B> {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        [self.push(x)]
    }

    fn reset(&mut self) {
        self.seen = 0;
        self.seed = 0.0;
    }

    #[inline(always)]
    fn steps(&mut self, [x]: [&[f64]; 1], [out]: [&mut [f64]; 1]) {
        let mut t = 0;
        while t < x.len() && self.seen < self.n {
            out[t] = self.push(x[t]);
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
    fn seeds_with_the_sma_then_smooths() {
        let out = batch1(ema, &[1.0, 2.0, 3.0, 4.0, 10.0], 3);
        assert_nan_prefix(&out, 2);
        assert_eq!(out[2], 2.0);
        assert_eq!(out[3], 3.0); // 0.5 * 2 + 0.5 * 4
        assert_eq!(out[4], 6.5);
        assert_eq!(batch1(ema, &[3.0, 5.0], 1), vec![3.0, 5.0]);
    }

    #[test]
    fn restarts_after_a_non_finite_value() {
        let out = batch1(ema, &[1.0, 2.0, f64::NAN, 4.0, 6.0, 8.0], 2);
        assert_same(
            &out,
            &[
                NAN,
                1.5,
                NAN,
                NAN,
                5.0,
                (1.0 - 2.0 / 3.0) * 5.0 + (2.0 / 3.0) * 8.0,
            ],
        );
    }
}
