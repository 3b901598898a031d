//! The streaming state every indicator is, and the batch drivers that run it over columns.
//!
//! A batch kernel runs its streaming state over the columns, so both forms perform the same
//! operations in the same order and agree to the last bit: bar by bar with `run`, or with a
//! faster loop doing the same arithmetic where reading the input slices allows it (`windowed`
//! for windows of the last `n` bars, `pieces` for whole finite stretches).
//!
//! Batch loops that carry state keep it in local copies, not in `self`: the compiler cannot
//! tell that the output slices do not alias `self`, and would store and reload the state on
//! every bar.

use std::ops::Range;

use super::float::{finite, NAN};
use crate::{params, KernelError};

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

/// Asks the CPU to bring the values after `bars` of each column into cache, as many as
/// `bars` holds: a batch kernel working in blocks reads each block's inputs in a burst after
/// a stretch of work in cache, where a loop reading its inputs steadily would have the
/// hardware prefetcher running ahead of it.
#[inline(always)]
pub(crate) fn prefetch_next<const I: usize>(columns: [&[f64]; I], bars: Range<usize>) {
    #[cfg(target_arch = "x86_64")]
    for x in columns {
        let ahead = &x[bars.end.min(x.len())..(2 * bars.end - bars.start).min(x.len())];
        for line in ahead.chunks(8) {
            // SAFETY: a prefetch of a valid address.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(line.as_ptr() as *const i8)
            };
        }
    }
    let _ = (columns, bars);
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
/// AVX2, by `columns_nonfinite_bits_avx2` (one pass, no reduction chain per column); one
/// column, or without AVX2, column by column with `all_finite` (inline: single-column kernels
/// check a block in a few cycles, where an out-of-line call per block shows).
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
            bits |= super::float::nonfinite_bits(v);
        }
    }
    bits
}

/// Whether every value is finite, or rather: whether their sum is. A NaN or an infinity makes
/// it non-finite; so does an overflowing sum of huge finite values, which only sends a clean
/// block down the checked path. One add per value, in sixteen lanes: eight vector adds whose
/// chains overlap, so the loop runs at the adder's throughput rather than its latency (fewer
/// lanes make it a chain of dependent adds, a visible share of a fast kernel such as MAX).
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
