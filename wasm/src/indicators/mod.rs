//! Technical indicators, named as TA-Lib's functions in lower case.
//!
//! Each indicator is a streaming state fed one bar at a time (for live trading) and a batch
//! function over float64 slices that runs that very state over the columns (`run`), so both
//! forms perform the same operations in the same order and agree to the last bit. Outputs are
//! as long as the inputs, NaN during warm-up; multi-output kernels fill one slice per output in
//! TA-Lib's output order.
//!
//! Non-finite input: a bar with a NaN or infinite input gives NaN and the indicator starts over
//! from the next bar, as if the series began there. So the output on a series with gaps is the
//! indicator of each finite stretch on its own. Windowed indicators (SMA, MAX, ...) thereby
//! recover as soon as the bad value has left the window; recursive ones (EMA, RSI, ATR, ...)
//! warm up again instead of staying NaN forever as TA-Lib's do.
//!
//! Speed notes. Batch loops that carry state keep it in local copies, not in `self`: the
//! compiler cannot tell that the output slices do not alias `self`, and would store and reload
//! the state on every bar. Passes over slices with no state (true ranges, extremes by doubling,
//! divisions and selects per bar) have an `_avx2` twin, compiled for AVX2 and chosen at run time
//! where the CPU has it: each lane does the same IEEE operations (nothing is fused into an FMA),
//! so the values are the same bits as the SSE2 and WASM builds give.
//!
//! On WASM, `greater`, `lesser` and `choose` are one-lane vector selects, because V8 compiles a
//! scalar float select into a branch; but the compiler does not vectorize a loop of them. So
//! passes over slices use plain selects (`greater_in_pass`, which vectorize into v128 selects)
//! or explicit v128 code (the extremes' doubling passes, MFI's flows), two values to a vector.

/// `$plain(args)`, or where the CPU has AVX2, `$avx2(args)`: the same function compiled with
/// `#[target_feature(enable = "avx2")]` (the same operations on four lanes instead of two).
macro_rules! with_avx2 {
    ($avx2:path, $plain:path, ($($arg:expr),* $(,)?)) => {{
        #[cfg(target_arch = "x86_64")]
        let value = if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: this CPU has AVX2, as just checked.
            unsafe { $avx2($($arg),*) }
        } else {
            $plain($($arg),*)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let value = $plain($($arg),*);
        value
    }};
}

mod extremes;
mod lanes;
mod rolling;
mod smooth;

mod aroon;
mod bbands;
mod cci;
mod cross;
mod dema;
mod dmi;
mod donchian;
mod ema;
mod kama;
mod keltner;
mod linearreg;
mod macd;
mod mfi;
mod momentum;
mod obv;
mod rsi;
mod sar;
mod sma;
mod smma;
mod stoch;
mod trange;
mod trima;
mod trix;
mod ultosc;
mod vwap;
mod willr;
mod window;
mod wma;

pub use aroon::{aroon, aroonosc, Aroon, Aroonosc};
pub use bbands::{bbands, stddev, Bbands, Stddev};
pub use cci::{cci, Cci};
pub use cross::{crossover, crossunder, Crossover, Crossunder};
pub use dema::{dema, tema, Dema, Tema};
pub use dmi::{adx, adxr, minus_di, plus_di, Adx, Adxr, MinusDi, PlusDi};
pub use donchian::{donchian, Donchian};
pub use ema::{ema, Ema};
pub use kama::{kama, Kama};
pub use keltner::{keltner, Keltner};
pub use linearreg::{linearreg_slope, LinearregSlope};
pub use macd::{macd, Macd};
pub use mfi::{mfi, Mfi};
pub use momentum::{mom, roc, rocp, Mom, Roc, Rocp};
pub use obv::{obv, Obv};
pub use rsi::{rsi, Rsi};
pub use sar::{sar, Sar};
pub use sma::{sma, Sma};
pub use smma::{smma, Smma};
pub use stoch::{stoch, stochf, stochrsi, Stoch, Stochf, Stochrsi};
pub use trange::{atr, natr, trange, Atr, Natr, Trange};
pub use trima::{trima, Trima};
pub use trix::{trix, Trix};
pub use ultosc::{ultosc, Ultosc};
pub use vwap::{vwap, Vwap};
pub use willr::{willr, Willr};
pub use window::{max, min, sum, Max, Min, Sum};
pub use wma::{wma, Wma};

use std::ops::Range;

use crate::{params, KernelError};

pub(crate) const NAN: f64 = f64::NAN;

/// A streaming indicator over bars of `I` inputs giving `O` outputs.
pub(crate) trait Indicator<const I: usize, const O: usize> {
    /// The outputs for the next bar, whose inputs are all finite.
    fn step(&mut self, bar: [f64; I]) -> [f64; O];

    /// Forgets everything seen: the next bar starts the series over.
    fn reset(&mut self);

    /// `step` over a stretch of bars whose inputs are all finite (equally long columns), for
    /// the batch drivers. Kernels override it with a loop doing the very same arithmetic in an
    /// order the compiler can pipeline or vectorize; the streaming tests hold them to `step`.
    #[inline(always)]
    fn steps(&mut self, inputs: [&[f64]; I], outputs: [&mut [f64]; O]) {
        step_each(self, inputs, outputs);
    }

    /// The streaming update: a bar with a non-finite input gives NaN and restarts.
    #[inline(always)]
    fn next(&mut self, bar: [f64; I]) -> [f64; O] {
        if finite(bar) {
            self.step(bar)
        } else {
            self.reset();
            [NAN; O]
        }
    }
}

/// Bars checked for non-finite values at once by the batch drivers.
pub(crate) const BLOCK: usize = 64;

/// Checks that the named input columns share one length and every output has it too.
pub(crate) fn check(
    kernel: &str,
    inputs: &[(&str, &[f64])],
    outputs: &[&[f64]],
) -> Result<usize, KernelError> {
    let lens: Vec<(&str, usize)> = inputs.iter().map(|(name, x)| (*name, x.len())).collect();
    let len = params::columns(kernel, &lens)?;
    for out in outputs {
        params::same_length(kernel, "an output", out.len(), len)?;
    }
    Ok(len)
}

/// `step` for every bar of equally long columns of finite inputs: the plain form of `steps`.
#[inline(always)]
pub(crate) fn step_each<S: Indicator<I, O> + ?Sized, const I: usize, const O: usize>(
    state: &mut S,
    inputs: [&[f64]; I],
    outputs: [&mut [f64]; O],
) {
    let len = outputs[0].len();
    assert!(inputs.iter().all(|x| x.len() == len) && outputs.iter().all(|o| o.len() == len));
    let ins = inputs.map(|x| x.as_ptr());
    let outs = outputs.map(|o| o.as_mut_ptr());
    for i in 0..len {
        // SAFETY: i < len, and every column holds `len` values; outputs do not alias.
        let values = state.step(ins.map(|p| unsafe { *p.add(i) }));
        for k in 0..O {
            unsafe { *outs[k].add(i) = values[k] };
        }
    }
}

/// The batch form of an indicator: its streaming state run over equally long columns. Blocks
/// whose inputs are all finite (the common case, checked in one vectorized pass while the
/// block is in cache) go through `steps`; the others bar by bar through `next`, which is
/// `step` after the check.
#[inline(always)]
pub(crate) fn run<S: Indicator<I, O>, const I: usize, const O: usize>(
    state: &mut S,
    inputs: [&[f64]; I],
    mut outputs: [&mut [f64]; O],
) {
    let len = outputs[0].len();
    assert!(inputs.iter().all(|x| x.len() == len) && outputs.iter().all(|o| o.len() == len));
    let mut start = 0;
    while start < len {
        let end = (start + BLOCK).min(len);
        let ins = inputs.map(|x| &x[start..end]);
        let outs = outputs.each_mut().map(|o| &mut o[start..end]);
        if all_finite_columns(ins) {
            state.steps(ins, outs);
        } else {
            for i in 0..end - start {
                let values = state.next(ins.map(|x| x[i]));
                for k in 0..O {
                    outs[k][i] = values[k];
                }
            }
        }
        start = end;
    }
}

/// Batch driver for an indicator whose state keeps a window of its last `n` bars.
/// `slide(state, bars, outputs)` does what the state's `step` does for each of `bars` (a
/// range of indices into the inputs) and writes their outputs, reading the values leaving the
/// window, and the window itself, from the inputs instead of the state's ring. A bar goes to
/// `slide` only when it and the `n - 1` bars before it are finite, i.e. exactly when `next`
/// would find a full window, so both paths compute the same values. Over a block of bars
/// (up to `block`) the kernel can run its chains of running sums first and its divisions
/// after, which vectorize.
#[inline(always)]
pub(crate) fn windowed<S: Indicator<I, O>, const I: usize, const O: usize>(
    inputs: [&[f64]; I],
    mut outputs: [&mut [f64]; O],
    n: usize,
    block: usize,
    state: &mut S,
    mut slide: impl FnMut(&mut S, Range<usize>, [&mut [f64]; O]),
) {
    let len = outputs[0].len();
    assert!(inputs.iter().all(|x| x.len() == len) && outputs.iter().all(|o| o.len() == len));
    assert!(n >= 1 && block >= 1);
    let finite_at = |i: usize| inputs.iter().all(|x| x[i].is_finite());
    let mut i = 0;
    while i < len {
        // Warm-up, or restart after a non-finite value: the state's own ring until it is full.
        let mut finite_run = 0;
        while i < len && finite_run < n {
            let values = state.next(inputs.map(|x| x[i]));
            for k in 0..O {
                outputs[k][i] = values[k];
            }
            finite_run = if finite_at(i) { finite_run + 1 } else { 0 };
            i += 1;
        }
        // Steady state, a block at a time, until a non-finite value.
        while i < len {
            let end = (i + block).min(len);
            let stop = if all_finite_columns(inputs.map(|x| &x[i..end])) {
                end
            } else {
                (i..end).find(|&j| !finite_at(j)).unwrap_or(end)
            };
            slide(state, i..stop, outputs.each_mut().map(|o| &mut o[i..stop]));
            i = stop;
            if stop < end {
                break;
            }
        }
    }
}

/// A piece of a batch: a stretch of bars whose inputs are all finite, or one bar that is not.
pub(crate) enum Piece {
    Run(usize, usize),
    Gap(usize),
}

/// Batch driver for kernels that process whole finite stretches at once (as the extremes'
/// `channel` does): calls `f` with each maximal stretch of finite bars and each other bar.
#[inline(always)]
pub(crate) fn pieces<const I: usize>(inputs: [&[f64]; I], mut f: impl FnMut(Piece)) {
    let len = inputs[0].len();
    let finite_at = |i: usize| inputs.iter().all(|x| x[i].is_finite());
    let mut i = 0;
    while i < len {
        if !finite_at(i) {
            f(Piece::Gap(i));
            i += 1;
            continue;
        }
        let start = i;
        loop {
            let end = (i + BLOCK).min(len);
            if all_finite_columns(inputs.map(|x| &x[i..end])) {
                i = end;
            } else {
                while finite_at(i) {
                    i += 1;
                }
            }
            if i == len || !finite_at(i) {
                break;
            }
        }
        f(Piece::Run(start, i));
    }
}

/// Whether every value of the columns is finite. Several columns at once, where the CPU has
/// AVX2, by `columns_nonfinite_bits_avx2` (one pass, no reduction chain per column: ATR ~8% faster,
/// CCI ~9%); one column, or without AVX2, column by column with `all_finite` (inline, which
/// single-column kernels need: an out-of-line call per block cost SMA 8%).
#[inline(always)]
fn all_finite_columns<const I: usize>(columns: [&[f64]; I]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if I > 1 && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: this CPU has AVX2, as just checked.
        return unsafe { columns_nonfinite_bits_avx2(columns) } == 0;
    }
    columns.iter().all(|x| all_finite(x))
}

/// `nonfinite_bits` OR-ed over every value of the columns, compiled for AVX2. An OR of
/// integers, which the compiler reorders freely into vectors and lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn columns_nonfinite_bits_avx2<const I: usize>(columns: [&[f64]; I]) -> u64 {
    let mut bits = 0u64;
    for x in columns {
        for &v in x {
            bits |= nonfinite_bits(v);
        }
    }
    bits
}

/// The bits of `v - v`: none for a finite `v` (+0.0), a NaN's for a NaN or an infinity. OR-ed
/// over many values, 0 exactly when all are finite, with no chain of adds to reduce.
#[inline(always)]
#[allow(clippy::eq_op)] // `v - v` is the point: 0 or NaN
pub(crate) fn nonfinite_bits(v: f64) -> u64 {
    (v - v).to_bits()
}

/// Whether every value is finite, or rather: whether their sum is. A NaN or an infinity makes
/// it non-finite; so does an overflowing sum of huge finite values, which only sends a clean
/// block down the checked path. One add per value, in sixteen lanes: eight vector adds whose
/// chains overlap, so the loop runs at the adder's throughput rather than its latency (with
/// four lanes, two chains, it took a quarter of a MAX's time).
#[inline(always)]
fn all_finite(x: &[f64]) -> bool {
    const LANES: usize = 16;
    let mut acc = [0.0f64; LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for k in 0..LANES {
            acc[k] += c[k];
        }
    }
    for &v in chunks.remainder() {
        acc[0] += v;
    }
    acc.iter().sum::<f64>().is_finite()
}

/// Whether `diff`, a difference of values of magnitude `scale` (e.g. `|a| + |b|`), is below the
/// noise of their representation: within 1e-14 of it, ~45 ulps, as TA-Lib's `TA_IS_ZERO_SCALED`.
/// Prices are decimals; two bars whose typical prices are equal in decimal can differ by an ulp
/// in binary, and no market moves by 1e-14 of its price. Used where an indicator decides on the
/// sign or the zeroness of such a difference.
#[inline(always)]
pub(crate) fn negligible(diff: f64, scale: f64) -> bool {
    diff.abs() <= 1e-14 * scale
}

/// Whether every input of a bar is finite (`v * 0` is NaN exactly for NaN and infinities).
#[inline(always)]
pub(crate) fn finite<const N: usize>(bar: [f64; N]) -> bool {
    bar.iter().fold(0.0, |acc, v| acc + v * 0.0) == 0.0
}

/// `a` if `a > b`, else `b`: a select, compiled without a branch and the same bits everywhere
/// (unlike `f64::max`, whose choice between 0 and -0 is unspecified).
#[inline(always)]
pub(crate) fn greater(a: f64, b: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        // pmax(b, a) is `b < a ? a : b`: one maxpd once compiled by V8.
        use core::arch::wasm32::{f64x2_extract_lane, f64x2_pmax, f64x2_splat};
        f64x2_extract_lane::<0>(f64x2_pmax(f64x2_splat(b), f64x2_splat(a)))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        choose(a > b, a, b)
    }
}

/// `greater` for passes the compiler vectorizes: a plain select, which becomes a vector
/// select there on every target, where `greater`'s one-lane WASM form keeps the pass scalar
/// (WASM TRANGE 1.68 -> 1.32 ms, ULTOSC 7.2 -> 6.0 at 1M). In scalar code, such as a chain
/// carried from bar to bar, V8 makes it a branch: use `greater` there. Same values.
#[inline(always)]
pub(crate) fn greater_in_pass(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

/// `lesser` for passes the compiler vectorizes, as `greater_in_pass`.
#[inline(always)]
pub(crate) fn lesser_in_pass(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

/// `a` if `a < b`, else `b`, as `greater`.
#[inline(always)]
pub(crate) fn lesser(a: f64, b: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        // pmin(b, a) is `a < b ? a : b`.
        use core::arch::wasm32::{f64x2_extract_lane, f64x2_pmin, f64x2_splat};
        f64x2_extract_lane::<0>(f64x2_pmin(f64x2_splat(b), f64x2_splat(a)))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        choose(a < b, a, b)
    }
}

/// `[a[0] / b[0], a[1] / b[1]]` in one vector division, which the compiler does not pair by
/// itself (its cost model for generic x86-64 sees no gain; the divider, the slowest unit,
/// does twice the work). Each lane is the IEEE division: the bits of two scalar divisions.
#[inline(always)]
pub(crate) fn divide2(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_div_pd, _mm_set_pd, _mm_storeu_pd};
        let mut q = [0.0; 2];
        // SAFETY: SSE2 is part of every x86-64 CPU; `q` holds the two values stored.
        unsafe {
            let q2 = _mm_div_pd(_mm_set_pd(a[1], a[0]), _mm_set_pd(b[1], b[0]));
            _mm_storeu_pd(q.as_mut_ptr(), q2);
        }
        q
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{f64x2, f64x2_div, f64x2_extract_lane};
        let q = f64x2_div(f64x2(a[0], a[1]), f64x2(b[0], b[1]));
        [f64x2_extract_lane::<0>(q), f64x2_extract_lane::<1>(q)]
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    {
        [a[0] / b[0], a[1] / b[1]]
    }
}

/// `[a[0].sqrt(), a[1].sqrt()]` in one vector operation, as `divide2` (square roots run on
/// the divider too). Each lane is the IEEE square root, exact to the last bit.
#[inline(always)]
pub(crate) fn sqrt2(a: [f64; 2]) -> [f64; 2] {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_set_pd, _mm_sqrt_pd, _mm_storeu_pd};
        let mut r = [0.0; 2];
        // SAFETY: SSE2 is part of every x86-64 CPU; `r` holds the two values stored.
        unsafe { _mm_storeu_pd(r.as_mut_ptr(), _mm_sqrt_pd(_mm_set_pd(a[1], a[0]))) };
        r
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{f64x2, f64x2_extract_lane, f64x2_sqrt};
        let r = f64x2_sqrt(f64x2(a[0], a[1]));
        [f64x2_extract_lane::<0>(r), f64x2_extract_lane::<1>(r)]
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    {
        [a[0].sqrt(), a[1].sqrt()]
    }
}

/// `if cond { a } else { b }` without a branch, for conditions that follow the data (which way a
/// price moved...), where a mispredicted branch costs more than computing both sides.
#[inline(always)]
pub(crate) fn choose(cond: bool, a: f64, b: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        // V8 compiles a scalar float `select` into a branch; a SIMD bitselect stays one.
        use core::arch::wasm32::{f64x2_extract_lane, f64x2_splat, i64x2_splat, v128_bitselect};
        let mask = i64x2_splat(-(cond as i64));
        f64x2_extract_lane::<0>(v128_bitselect(f64x2_splat(a), f64x2_splat(b), mask))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::hint::select_unpredictable(cond, a, b)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the kernels' own tests.

    pub type Kernel1 = fn(&[f64], i64, &mut [f64]) -> Result<(), crate::KernelError>;

    pub fn batch1(kernel: Kernel1, x: &[f64], n: i64) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        kernel(x, n, &mut out).unwrap();
        out
    }

    /// Equal bit for bit, NaN included.
    pub fn assert_same(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                "index {i}: got {g}, want {w}\n{got:?}"
            );
        }
    }

    /// Exactly the first `k` values are NaN.
    pub fn assert_nan_prefix(out: &[f64], k: usize) {
        assert!(out[..k].iter().all(|v| v.is_nan()), "{out:?}");
        assert!(out[k..].iter().all(|v| !v.is_nan()), "{out:?}");
    }

    /// A deterministic random walk of OHLCV bars (xorshift, no crates): (high, low, close, volume).
    pub fn bars(len: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut unit = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut h, mut l, mut c, mut v) = (vec![], vec![], vec![], vec![]);
        let mut price = 100.0;
        for _ in 0..len {
            price *= 1.0 + (unit() - 0.5) * 0.04;
            let close = price;
            h.push(close * (1.0 + unit() * 0.01));
            l.push(close * (1.0 - unit() * 0.01));
            c.push(close);
            v.push(1.0 + unit() * 100.0);
        }
        (h, l, c, v)
    }
}
