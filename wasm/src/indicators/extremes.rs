//! The highest (or lowest) value of a sliding window and how many bars ago it came, for MAX,
//! MIN, WILLR, STOCH, AROON and Donchian channels.
//!
//! Streaming states keep the extreme until it leaves the window and only then scan the window
//! again, like TA-Lib: O(1) per bar on market data. Ties go to the latest bar (what AROON needs).
//! Batch kernels use `channel` instead, branch-free. Both give the same values: an extreme is
//! one of the inputs, exactly, and is handed out with a zero made positive (`v + 0.0`), so
//! which of 0 and -0 the algorithm met first cannot matter.

use super::choose;
use super::rolling::Ring;

#[derive(Debug, Clone)]
pub struct Extreme<const HIGHEST: bool> {
    n: usize,
    ring: Ring,
    best: f64,
    age: usize,
}

pub type Highest = Extreme<true>;
pub type Lowest = Extreme<false>;

impl<const HIGHEST: bool> Extreme<HIGHEST> {
    const WORST: f64 = if HIGHEST {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };

    pub fn new(n: usize) -> Self {
        Extreme {
            n,
            ring: Ring::new(n),
            best: Self::WORST,
            age: 0,
        }
    }

    #[inline(always)]
    fn at_least_as_good(v: f64, best: f64) -> bool {
        if HIGHEST {
            v >= best
        } else {
            v <= best
        }
    }

    /// Streaming: adds `v`; the window is full (and `value` meaningful) once `is_full`.
    #[inline(always)]
    pub fn push(&mut self, v: f64) {
        self.ring.push(v);
        let ring = &self.ring;
        Self::advance(&mut self.best, &mut self.age, self.n, v, || {
            ring.in_time_order()
        });
    }

    #[inline(always)]
    fn advance<'a>(
        best: &mut f64,
        age: &mut usize,
        n: usize,
        v: f64,
        window: impl FnOnce() -> (&'a [f64], &'a [f64]),
    ) {
        *age += 1;
        if Self::at_least_as_good(v, *best) {
            *best = v;
            *age = 0;
        } else if *age >= n {
            (*best, *age) = Self::scan(window());
        }
    }

    /// The extreme of the window (oldest first, as two slices) and its age, the latest of ties.
    #[inline(never)]
    fn scan((older, newer): (&[f64], &[f64])) -> (f64, usize) {
        // First the value, in four independent selects (no data-dependent branch), ...
        let mut acc = [Self::WORST; 4];
        for part in [older, newer] {
            let mut chunks = part.chunks_exact(4);
            for c in &mut chunks {
                for k in 0..4 {
                    acc[k] = Self::pick(c[k], acc[k]);
                }
            }
            for &v in chunks.remainder() {
                acc[0] = Self::pick(v, acc[0]);
            }
        }
        let best = Self::pick(Self::pick(acc[0], acc[1]), Self::pick(acc[2], acc[3]));
        // ... then where it is, searching back from the newest value.
        let age = newer
            .iter()
            .rev()
            .chain(older.iter().rev())
            .position(|&v| v == best)
            .unwrap_or(0);
        (best, age)
    }

    /// The better of two values: a strict comparison's select, which x86 does in one
    /// `maxsd`/`minsd` and every target does the same way. (Ties cannot matter: equal values
    /// have equal bits once zeros are made positive.)
    #[inline(always)]
    fn pick(v: f64, best: f64) -> f64 {
        if HIGHEST {
            super::greater(v, best)
        } else {
            super::lesser(v, best)
        }
    }

    #[inline(always)]
    pub fn is_full(&self) -> bool {
        self.ring.is_full()
    }

    /// The window's length.
    pub fn len(&self) -> usize {
        self.n
    }

    /// The extreme of the values seen in the window (0, not -0, when it is zero).
    #[inline(always)]
    pub fn value(&self) -> f64 {
        self.best + 0.0
    }

    /// How many bars ago the extreme came (0 = the latest bar).
    #[inline(always)]
    pub fn age(&self) -> usize {
        self.age
    }

    pub fn reset(&mut self) {
        self.ring.clear();
        self.best = Self::WORST;
        self.age = 0;
    }
}

/// Batch: calls `f(i, highest, lowest)` for every bar `i` from the `n`-th on of a stretch of
/// finite bars, with the highest of `high` and the lowest of `low` over the last `n` bars (only
/// what `HIGH` and `LOW` ask for; the other is NaN).
///
/// van Herk / Gil-Werman: in blocks of `n` bars, the window ending at bar `i` is the tail of
/// the previous block (its suffix extremes) and the head of the current one (a running prefix
/// extreme), so every bar costs a few selects and no branch on the data.
#[inline(always)]
pub(crate) fn channel<const HIGH: bool, const LOW: bool>(
    high: &[f64],
    low: &[f64],
    n: usize,
    mut f: impl FnMut(usize, f64, f64),
) {
    let len = high.len().min(low.len());
    // Suffix extremes of the previous block's highs and lows.
    let (mut high_tail, mut low_tail) = (vec![0.0; n], vec![0.0; n]);
    let mut start = 0;
    while start < len {
        let end = (start + n).min(len);
        let (hs, ls) = (&high[start..end], &low[start..end]);
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        for (j, (&h, &l)) in hs.iter().zip(ls).enumerate() {
            if HIGH {
                hi = Highest::pick(h, hi);
            }
            if LOW {
                lo = Lowest::pick(l, lo);
            }
            let i = start + j;
            if i + 1 < n {
                continue; // the first window is not full yet
            }
            // The window is bars i+1-n ..= i: its part in the previous block starts at j + 1.
            let (h, l) = if j + 1 < n {
                (
                    Highest::pick(high_tail[j + 1], hi),
                    Lowest::pick(low_tail[j + 1], lo),
                )
            } else {
                (hi, lo)
            };
            f(
                i,
                if HIGH { h + 0.0 } else { f64::NAN },
                if LOW { l + 0.0 } else { f64::NAN },
            );
        }
        // This block's suffix extremes, for the windows reaching back into it.
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        let tails = high_tail.iter_mut().zip(low_tail.iter_mut());
        for ((ht, lt), (&h, &l)) in tails.zip(hs.iter().zip(ls)).rev() {
            if HIGH {
                hi = Highest::pick(h, hi);
                *ht = hi;
            }
            if LOW {
                lo = Lowest::pick(l, lo);
                *lt = lo;
            }
        }
        start = end;
    }
}

/// The longest window taken by doubling; longer ones go through `channel`.
pub(crate) const DOUBLING_MAX: usize = 128;

/// How many window ends a batch kernel should hand `extremes_into` at once: enough that the
/// `n - 1` values before them, which it reads too, are a small share of the work.
pub(crate) fn extremes_block(n: usize) -> usize {
    if n <= DOUBLING_MAX {
        512
    } else {
        n.max(512)
    }
}

/// Batch: `out[j]` = the highest (lowest) of the window of `n` finite values ending at
/// `x[j + n - 1]`, zero made positive (`x` holds `out.len() + n - 1` values). Short windows go
/// by doubling (`sliding`), long ones through `channel`; either way the values are the same,
/// since an extreme is one of the inputs whatever the order they are compared in. `spans` is
/// scratch space, kept by the caller across calls.
#[inline(always)]
pub(crate) fn extremes_into<const HIGHEST: bool>(
    x: &[f64],
    n: usize,
    out: &mut [f64],
    spans: &mut Vec<f64>,
) {
    assert!(n >= 1 && x.len() + 1 == out.len() + n);
    if n <= DOUBLING_MAX {
        spans.resize(2 * x.len() + 2 * PAGE, 0.0);
        with_avx2!(
            sliding_avx2::<HIGHEST>,
            sliding::<HIGHEST>,
            (x, n, out, spans)
        );
    } else if HIGHEST {
        channel::<true, false>(x, x, n, |i, hi, _| out[i + 1 - n] = hi);
    } else {
        channel::<false, true>(x, x, n, |i, _, lo| out[i + 1 - n] = lo);
    }
}

/// `sliding` compiled for AVX2: the same selects, four values to a vector instead of two
/// (SSE2, all a generic x86-64 build may assume). A select's result is one of its inputs, so
/// the values are the same whatever the vector width.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sliding_avx2<const HIGHEST: bool>(x: &[f64], n: usize, out: &mut [f64], spans: &mut [f64]) {
    sliding::<HIGHEST>(x, n, out, spans);
}

/// `out[j]` = the highest (lowest) of `x[j..j + n]`, zero made positive, for every window of
/// `x`. By doubling, twice in a pass: a pass takes the extremes of spans of 4 values (four
/// of `x`), the next of 16, ... until a window is covered by at most `MOST_SPANS` spans of
/// `s`, which the last pass takes (the last of them ending where the window ends). Every pass
/// is independent per value, so it vectorizes, with no chain from one bar to the next. These
/// passes wait on their stores: a window of 20 takes two passes (spans of 4, then 5 of them)
/// where plain doubling took five.
#[inline(always)]
fn sliding<const HIGHEST: bool>(x: &[f64], n: usize, out: &mut [f64], spans: &mut [f64]) {
    let len = x.len();
    assert!(n >= 1 && len + 1 - n == out.len() && spans.len() >= 2 * len + 2 * PAGE);
    let passes = std::iter::successors(Some(1), |&s| (n.div_ceil(s) > MOST_SPANS).then_some(4 * s))
        .count()
        - 1;
    let (a_at, b_at) = scratch_offsets(x, out, spans, passes % 2 == 1);
    let (a, rest) = spans[a_at..].split_at_mut(len);
    let b = &mut rest[b_at - a_at - len..][..len];
    // The spans of `s` values, in `x` itself (s = 1), then alternately in `a` and `b`.
    let mut s = 1;
    for pass in 0..passes {
        let (src, dst): (&[f64], &mut [f64]) = match pass {
            0 => (x, &mut *a),
            _ if pass % 2 == 1 => (&*a, &mut *b),
            _ => (&*b, &mut *a),
        };
        picks::<HIGHEST, false, 4>(&mut dst[..len + 1 - 4 * s], src, [0, s, 2 * s, 3 * s]);
        s *= 4;
    }
    let src: &[f64] = match passes {
        0 => x,
        _ if passes % 2 == 1 => a,
        _ => b,
    };
    // Each window: its spans of `s` from its start, the last one ending at its end.
    match n.div_ceil(s) {
        0..=2 => last_pass::<HIGHEST, 2>(out, src, s, n),
        3 => last_pass::<HIGHEST, 3>(out, src, s, n),
        4 => last_pass::<HIGHEST, 4>(out, src, s, n),
        5 => last_pass::<HIGHEST, 5>(out, src, s, n),
        6 => last_pass::<HIGHEST, 6>(out, src, s, n),
        7 => last_pass::<HIGHEST, 7>(out, src, s, n),
        _ => last_pass::<HIGHEST, MOST_SPANS>(out, src, s, n),
    }
}

/// The most spans `sliding`'s last pass takes for a window.
const MOST_SPANS: usize = 8;

/// `out[j]` = the best of the `K` spans of `s` covering the window of `n` from `src[j]`,
/// zero made positive.
#[inline(always)]
fn last_pass<const HIGHEST: bool, const K: usize>(
    out: &mut [f64],
    src: &[f64],
    s: usize,
    n: usize,
) {
    picks::<HIGHEST, true, K>(out, src, std::array::from_fn(|k| (k * s).min(n - s)));
}

/// Values in a 4 KiB page.
const PAGE: usize = 512;

/// Where `sliding`'s two scratch halves start in `spans` (`2 * len + 2 * PAGE` values), so
/// that no pass stores a value less than 2 KiB (mod 4 KiB) below one it loads soon after: a
/// CPU matches loads to pending stores on the low 12 address bits first, and such a load
/// waits for a store it does not depend on (4K aliasing). `b` sits 2 KiB from `a` (both ways
/// of the ping-pong at once), `a` 2 to 4 KiB above `x`, chosen so the last pass's source is
/// also 2 to 4 KiB below `out`. Placement only: the values are the same anywhere.
fn scratch_offsets(x: &[f64], out: &[f64], spans: &[f64], last_in_a: bool) -> (usize, usize) {
    let residue = |p: *const f64| (p as usize / 8) % PAGE; // in values, within a page
    let (rx, ro, rs) = (
        residue(x.as_ptr()),
        residue(out.as_ptr()),
        residue(spans.as_ptr()),
    );
    let half = PAGE / 2;
    // `out` relative to `x` and the last pass's source (`a` or, 2 KiB above it, `b`).
    let u = (ro + 2 * PAGE - rx - if last_in_a { 0 } else { half }) % PAGE;
    let t = u.saturating_sub(PAGE / 4).min(half - 1);
    let ra = (rx + half + t) % PAGE;
    let a_at = (ra + PAGE - rs) % PAGE;
    let b_from = a_at + x.len(); // b's first possible start, after `a`
    let b_at = b_from + ((ra + half) % PAGE + 2 * PAGE - (rs + b_from) % PAGE) % PAGE;
    (a_at, b_at)
}

/// `dst[j]` = the best of `src[j + at[k]]` over `k` (`+ 0.0` if `POSITIVE_ZERO`). On WASM two
/// to a vector: the compiler leaves `pick`'s one-lane selects scalar there.
#[inline(always)]
fn picks<const HIGHEST: bool, const POSITIVE_ZERO: bool, const K: usize>(
    dst: &mut [f64],
    src: &[f64],
    at: [usize; K],
) {
    let len = dst.len();
    let columns = at.map(|at| &src[at..at + len]);
    #[allow(unused_mut)]
    let mut j = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        while j + 2 <= len {
            // SAFETY: j + 2 <= len, each column's length; v128 loads and stores may be unaligned.
            unsafe {
                let load = |c: &[f64]| v128_load(c.as_ptr().add(j) as *const v128);
                let mut r = load(columns[0]);
                for c in &columns[1..] {
                    // `pick(v, r)`: `v > r ? v : r` is pmax(r, v); `v < r ? v : r` is pmin(r, v).
                    r = if HIGHEST {
                        f64x2_pmax(r, load(c))
                    } else {
                        f64x2_pmin(r, load(c))
                    };
                }
                if POSITIVE_ZERO {
                    r = f64x2_add(r, f64x2_splat(0.0));
                }
                v128_store(dst.as_mut_ptr().add(j) as *mut v128, r);
            }
            j += 2;
        }
    }
    let pick = Extreme::<HIGHEST>::pick;
    for (i, d) in dst.iter_mut().enumerate().skip(j) {
        let mut r = columns[0][i];
        for c in &columns[1..] {
            r = pick(c[i], r);
        }
        *d = if POSITIVE_ZERO { r + 0.0 } else { r };
    }
}

/// Batch: `ages[j]` = how many values before the last of the window `x[j..j + n]` its highest
/// (lowest) value comes, the latest of ties, as `Extreme::age` tells (`n <= DOUBLING_MAX`;
/// `spans` is scratch space). By doubling, as `sliding`, carrying each span's best value and
/// where it is, the later one winning ties.
#[inline(always)]
pub(crate) fn ages_into<const HIGHEST: bool>(
    x: &[f64],
    n: usize,
    ages: &mut [f64],
    spans: &mut Vec<f64>,
) {
    let len = x.len();
    assert!((1..=DOUBLING_MAX).contains(&n) && len + 1 == ages.len() + n);
    spans.resize(4 * len + 4 * PAGE, 0.0);
    // The four columns a quarter of a page apart (mod 4 KiB), so that no pass loads a value
    // shortly after storing one 4K-aliased with it (see `scratch_offsets`).
    let residue = (spans.as_ptr() as usize / 8) % PAGE;
    let mut end = 0;
    let [a_at, ai_at, b_at, bi_at] = [0, 1, 2, 3].map(|quarter| {
        let at = end + (quarter * PAGE / 4 + 2 * PAGE - residue - end % PAGE) % PAGE;
        end = at + len;
        at
    });
    let (rest, bi) = spans[..bi_at + len].split_at_mut(bi_at);
    let (rest, b) = rest[..b_at + len].split_at_mut(b_at);
    let (rest, ai) = rest[..ai_at + len].split_at_mut(ai_at);
    let (a, ai, b, bi) = (
        &mut rest[a_at..a_at + len],
        &mut ai[..],
        &mut b[..],
        &mut bi[..],
    );
    a.copy_from_slice(x);
    for (j, i) in ai.iter_mut().enumerate() {
        *i = j as f64;
    }
    // Spans of s values in (a, ai) or (b, bi) by turns, then each window from two spans,
    // into the other pair.
    let mut s = 1;
    let mut in_a = true;
    loop {
        let (shift, count) = if 2 * s <= n {
            (s, len + 1 - 2 * s)
        } else {
            (n - s, ages.len())
        };
        if in_a {
            with_avx2!(
                latest_best_avx2::<HIGHEST>,
                latest_best::<HIGHEST>,
                (a, ai, shift, &mut b[..count], &mut bi[..count])
            );
        } else {
            with_avx2!(
                latest_best_avx2::<HIGHEST>,
                latest_best::<HIGHEST>,
                (b, bi, shift, &mut a[..count], &mut ai[..count])
            );
        }
        in_a = !in_a;
        if 2 * s > n {
            break;
        }
        s *= 2;
    }
    let at = if in_a {
        &ai[..ages.len()]
    } else {
        &bi[..ages.len()]
    };
    let mut last = (n - 1) as f64; // the index of the window's last value
    for (age, &at) in ages.iter_mut().zip(at) {
        *age = last - at;
        last += 1.0;
    }
}

/// `latest_best` compiled for AVX2: the same selects, four to a vector instead of two.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn latest_best_avx2<const HIGHEST: bool>(
    values: &[f64],
    at: &[f64],
    shift: usize,
    best: &mut [f64],
    best_at: &mut [f64],
) {
    latest_best_inline::<HIGHEST>(values, at, shift, best, best_at);
}

/// One doubling pass over spans (their best values and where they are): `dst[j]` = the
/// better of spans `j` and `j + shift`, the later one winning ties. Out of line, where the
/// compiler sees four separate slices and vectorizes the loop.
#[inline(never)]
fn latest_best<const HIGHEST: bool>(
    values: &[f64],
    at: &[f64],
    shift: usize,
    best: &mut [f64],
    best_at: &mut [f64],
) {
    latest_best_inline::<HIGHEST>(values, at, shift, best, best_at);
}

/// `latest_best`'s loop, for it and for its AVX2 copy.
#[inline(always)]
fn latest_best_inline<const HIGHEST: bool>(
    values: &[f64],
    at: &[f64],
    shift: usize,
    best: &mut [f64],
    best_at: &mut [f64],
) {
    let len = best.len();
    assert!(best_at.len() == len && values.len() >= len + shift && at.len() >= len + shift);
    #[allow(unused_mut)]
    let mut j = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // Two to a vector, as `picks`.
        use core::arch::wasm32::*;
        while j + 2 <= len {
            // SAFETY: j + 2 <= len, and the inputs hold len + shift values.
            unsafe {
                let load = |s: &[f64], i: usize| v128_load(s.as_ptr().add(i) as *const v128);
                let (p, q) = (load(values, j), load(values, j + shift));
                let later = if HIGHEST {
                    f64x2_ge(q, p)
                } else {
                    f64x2_le(q, p)
                };
                let (p_at, q_at) = (load(at, j), load(at, j + shift));
                v128_store(
                    best.as_mut_ptr().add(j) as *mut v128,
                    v128_bitselect(q, p, later),
                );
                v128_store(
                    best_at.as_mut_ptr().add(j) as *mut v128,
                    v128_bitselect(q_at, p_at, later),
                );
            }
            j += 2;
        }
    }
    let pairs = values[j..]
        .iter()
        .zip(&values[j + shift..])
        .zip(at[j..].iter().zip(&at[j + shift..]));
    for ((d, d_at), ((&p, &q), (&p_at, &q_at))) in
        best[j..].iter_mut().zip(best_at[j..].iter_mut()).zip(pairs)
    {
        let later = if HIGHEST { q >= p } else { q <= p };
        *d = choose(later, q, p);
        *d_at = choose(later, q_at, p_at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_agrees_with_the_streaming_extremes() {
        let (h, l, _, _) = crate::indicators::testing::bars(500, 3);
        for n in [1usize, 2, 3, 7, 20, 500] {
            let (mut hs, mut ls) = (Highest::new(n), Lowest::new(n));
            let mut streamed = vec![];
            for i in 0..500 {
                hs.push(h[i]);
                ls.push(l[i]);
                if hs.is_full() {
                    streamed.push((i, hs.value(), ls.value()));
                }
            }
            let mut batch = vec![];
            channel::<true, true>(&h, &l, n, |i, hi, lo| batch.push((i, hi, lo)));
            assert_eq!(batch, streamed, "n={n}");
        }
    }

    #[test]
    fn doubling_and_channel_agree_with_the_streaming_extremes() {
        let (h, l, _, _) = crate::indicators::testing::bars(3000, 5);
        let mut spans = vec![];
        for n in [1usize, 2, 3, 7, 20, 128, 129, 700, 3000] {
            let (mut hs, mut ls) = (Highest::new(n), Lowest::new(n));
            let (mut his, mut los) = (vec![], vec![]);
            for i in 0..3000 {
                hs.push(h[i]);
                ls.push(l[i]);
                if hs.is_full() {
                    his.push(hs.value());
                    los.push(ls.value());
                }
            }
            let (mut bh, mut bl) = (vec![0.0; his.len()], vec![0.0; los.len()]);
            extremes_into::<true>(&h, n, &mut bh, &mut spans);
            extremes_into::<false>(&l, n, &mut bl, &mut spans);
            assert_eq!((bh, bl), (his, los), "n={n}");
        }
    }

    #[test]
    fn doubling_gives_the_same_values_wherever_its_columns_sit_in_memory() {
        // The scratch halves are placed after the addresses of the input and the output:
        // every placement, and windows whose last pass reads either half, give the plain
        // maximum.
        let (h, _, _, _) = crate::indicators::testing::bars(1200, 4);
        let mut spans = vec![];
        for n in [1usize, 2, 3, 5, 6, 8, 9, 20, 64, 100] {
            let (len, count) = (600, 601 - n);
            let mut out = vec![0.0; count + PAGE];
            for (x_at, out_at) in (0..PAGE).step_by(7).zip((0..PAGE).rev().step_by(3)) {
                let got = &mut out[out_at..out_at + count];
                extremes_into::<true>(&h[x_at..x_at + len], n, got, &mut spans);
                let want: Vec<f64> = (0..count)
                    .map(|j| {
                        h[x_at + j..x_at + j + n]
                            .iter()
                            .fold(f64::NEG_INFINITY, |m, &v| m.max(v))
                    })
                    .collect();
                assert_eq!(got, &want[..], "n={n} x at {x_at}, out at {out_at}");
            }
        }
    }

    #[test]
    fn doubling_ages_agree_with_the_streaming_ones() {
        let (h, _, _, _) = crate::indicators::testing::bars(2000, 9);
        // Ties everywhere: prices on a coarse grid.
        let coarse: Vec<f64> = h.iter().map(|v| (v * 2.0).round()).collect();
        let mut spans = vec![];
        for x in [&h, &coarse] {
            for n in [1usize, 2, 3, 7, 15, 64, 128] {
                let (mut hs, mut ls) = (Highest::new(n), Lowest::new(n));
                let (mut want_h, mut want_l) = (vec![], vec![]);
                for &v in x.iter() {
                    hs.push(v);
                    ls.push(v);
                    if hs.is_full() {
                        want_h.push(hs.age() as f64);
                        want_l.push(ls.age() as f64);
                    }
                }
                let (mut got_h, mut got_l) = (vec![0.0; want_h.len()], vec![0.0; want_l.len()]);
                ages_into::<true>(x, n, &mut got_h, &mut spans);
                ages_into::<false>(x, n, &mut got_l, &mut spans);
                assert_eq!((got_h, got_l), (want_h, want_l), "n={n}");
            }
        }
    }

    #[test]
    fn tracks_the_extreme_and_its_age() {
        let mut h = Highest::new(3);
        let mut l = Lowest::new(3);
        let mut seen = vec![];
        for v in [5.0, 1.0, 3.0, 3.0, 0.0, -1.0, 2.0] {
            h.push(v);
            l.push(v);
            seen.push((h.value(), h.age(), l.value(), l.age()));
        }
        assert_eq!(seen[2], (5.0, 2, 1.0, 1));
        assert_eq!(seen[3], (3.0, 0, 1.0, 2)); // 5 left; the tie between two 3s goes to the latest
        assert_eq!(seen[4], (3.0, 1, 0.0, 0));
        assert_eq!(seen[5], (3.0, 2, -1.0, 0));
        assert_eq!(seen[6], (2.0, 0, -1.0, 1));
    }
}
