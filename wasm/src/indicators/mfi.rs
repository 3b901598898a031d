//! MFI, money flow index, as TA-Lib defines it: with typical price `tp = (high + low + close)/3`
//! and money flow `tp * volume`, counted as positive when `tp` rose from the previous bar and
//! negative when it fell, `mfi = 100 * positive / (positive + negative)` over the last `n` bars.
//! The first `n` outputs are NaN. With no money flow at all MFI is 0 (TA-Lib also gives 0
//! whenever the total is below 1, e.g. for low volumes of cheap assets; here it does not).
//!
//! As in TA-Lib, a change of typical price within 1e-14 of its magnitude counts as no move
//! (see `negligible`), and a window without positive (negative) flow sums to exactly 0.

use super::rolling::WindowSum;
use super::{check, choose, greater, negligible, run, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

/// Batch MFI with period `n`.
pub fn mfi(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    n: i64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "mfi",
        &[
            ("high", high),
            ("low", low),
            ("close", close),
            ("volume", volume),
        ],
        &[out],
    )?;
    let mut s = Mfi::build(params::period("mfi", "n", n, len)?);
    run(&mut s, [high, low, close, volume], [out]);
    Ok(())
}

/// Streaming MFI.
#[derive(Debug, Clone)]
pub struct Mfi {
    n: usize,
    prev_tp: f64, // NaN before the first bar
    positive: WindowSum,
    negative: WindowSum,
    // Bars in a row without positive (negative) flow: once a window long, that sum is exactly
    // 0, where the sliding sum could hold a rounding residue.
    no_positive: usize,
    no_negative: usize,
}

impl Mfi {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("mfi", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Mfi {
            n,
            prev_tp: NAN,
            positive: WindowSum::new(n),
            negative: WindowSum::new(n),
            no_positive: 0,
            no_negative: 0,
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64, volume: f64) -> f64 {
        self.next([high, low, close, volume])[0]
    }
}

#[inline(always)]
fn typical(high: f64, low: f64, close: f64) -> f64 {
    (high + low + close) / 3.0
}

/// The money flow of a bar as (up, down): all on one side, as the typical price moved.
/// Selects, not branches: which way a price moves is as unpredictable as it gets.
#[inline(always)]
fn flows(tp: f64, prev: f64, volume: f64) -> (f64, f64) {
    let change = tp - prev;
    let flow = choose(negligible(change, tp.abs() + prev.abs()), 0.0, tp * volume);
    let fell = change < 0.0;
    (choose(fell, 0.0, flow), choose(fell, flow, 0.0))
}

/// The index from the window's sums of rising and falling money flow (exactly 0 when the
/// window has none of it).
#[inline(always)]
fn index(pos: f64, neg: f64, none_up: bool, none_down: bool) -> f64 {
    // A rounding residue of a sliding sum can be just below 0: it counts as 0.
    let pos = if none_up { 0.0 } else { greater(pos, 0.0) };
    let neg = if none_down { 0.0 } else { greater(neg, 0.0) };
    let total = pos + neg;
    let mfi = 100.0 * (pos / total);
    if total > 0.0 {
        mfi
    } else {
        0.0
    }
}

/// `flows` for each bar. On WASM two bars to a vector: the compiler leaves the one-lane
/// selects of `choose` scalar there.
#[inline(always)]
fn flows_into(tp: &[f64], prev: &[f64], volume: &[f64], up: &mut [f64], down: &mut [f64]) {
    let len = tp.len();
    assert!(prev.len() == len && volume.len() == len && up.len() == len && down.len() == len);
    #[allow(unused_mut)]
    let mut j = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        while j + 2 <= len {
            // SAFETY: j + 2 <= len, the length of every slice; v128 accesses may be unaligned.
            unsafe {
                let load = |s: &[f64]| v128_load(s.as_ptr().add(j) as *const v128);
                let (t, p, v) = (load(tp), load(prev), load(volume));
                let change = f64x2_sub(t, p);
                let scale = f64x2_add(f64x2_abs(t), f64x2_abs(p));
                // `negligible`, then `choose(.., 0.0, flow)` as a mask: +0.0 has no bit set.
                let still = f64x2_le(f64x2_abs(change), f64x2_mul(f64x2_splat(1e-14), scale));
                let flow = v128_andnot(f64x2_mul(t, v), still);
                let fell = f64x2_lt(change, f64x2_splat(0.0));
                v128_store(up.as_mut_ptr().add(j) as *mut v128, v128_andnot(flow, fell));
                v128_store(down.as_mut_ptr().add(j) as *mut v128, v128_and(flow, fell));
            }
            j += 2;
        }
    }
    for i in j..len {
        (up[i], down[i]) = flows(tp[i], prev[i], volume[i]);
    }
}

/// `index` for each bar, the flags `none_up`/`none_down` as 1.0 or 0.0. On WASM two bars to a
/// vector, as `flows_into`.
#[inline(always)]
fn indexes_into(pos: &[f64], neg: &[f64], none_up: &[f64], none_down: &[f64], out: &mut [f64]) {
    let len = out.len();
    assert!(pos.len() == len && neg.len() == len && none_up.len() == len && none_down.len() == len);
    #[allow(unused_mut)]
    let mut j = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let zero = f64x2_splat(0.0);
        while j + 2 <= len {
            // SAFETY: j + 2 <= len, the length of every slice; v128 accesses may be unaligned.
            unsafe {
                let load = |s: &[f64]| v128_load(s.as_ptr().add(j) as *const v128);
                // `greater(x, 0.0)` is pmax(0, x); a set flag clears the sum to +0.0.
                let p = v128_andnot(f64x2_pmax(zero, load(pos)), f64x2_ne(load(none_up), zero));
                let q = v128_andnot(f64x2_pmax(zero, load(neg)), f64x2_ne(load(none_down), zero));
                let total = f64x2_add(p, q);
                let mfi = f64x2_mul(f64x2_splat(100.0), f64x2_div(p, total));
                v128_store(out.as_mut_ptr().add(j) as *mut v128, v128_and(mfi, f64x2_gt(total, zero)));
            }
            j += 2;
        }
    }
    for i in j..len {
        out[i] = index(pos[i], neg[i], none_up[i] != 0.0, none_down[i] != 0.0);
    }
}

impl Indicator<4, 1> for Mfi {
    #[inline(always)]
    fn step(&mut self, [high, low, close, volume]: [f64; 4]) -> [f64; 1] {
        let tp = typical(high, low, close);
        let prev = std::mem::replace(&mut self.prev_tp, tp);
        if prev.is_nan() {
            return [NAN];
        }
        let (up, down) = flows(tp, prev, volume);
        self.no_positive = if up == 0.0 { self.no_positive + 1 } else { 0 };
        self.no_negative = if down == 0.0 { self.no_negative + 1 } else { 0 };
        let (none_up, none_down) = (self.no_positive >= self.n, self.no_negative >= self.n);
        [match (self.positive.push(up), self.negative.push(down)) {
            (Some(pos), Some(neg)) => index(pos, neg, none_up, none_down),
            _ => NAN,
        }]
    }

    /// Past the warm-up: the block's typical prices, flows, runs without flow, window sums
    /// and indexes, each a loop of its own; the divisions vectorize.
    #[inline(always)]
    fn steps(&mut self, [high, low, close, volume]: [&[f64]; 4], [out]: [&mut [f64]; 1]) {
        let len = out.len();
        let mut k = 0;
        while k < len && !self.positive.ring.is_full() {
            out[k] = self.step([high[k], low[k], close[k], volume[k]])[0];
            k += 1;
        }
        let m = len - k;
        if m == 0 {
            return;
        }
        assert!(m <= BLOCK);
        let (mut tp, mut up, mut down) = ([0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK]);
        let (mut pos, mut neg) = ([0.0; BLOCK], [0.0; BLOCK]);
        let prices = high[k..].iter().zip(&low[k..]).zip(&close[k..]);
        for (t, ((&h, &l), &c)) in tp[..m].iter_mut().zip(prices) {
            *t = typical(h, l, c);
        }
        let prev = std::mem::replace(&mut self.prev_tp, tp[m - 1]);
        (up[0], down[0]) = flows(tp[0], prev, volume[k]);
        flows_into(&tp[1..m], &tp[..m - 1], &volume[k + 1..len], &mut up[1..m], &mut down[1..m]);
        self.positive.push_into(&up[..m], &mut pos[..m], |s| s);
        self.negative.push_into(&down[..m], &mut neg[..m], |s| s);
        // The runs without flow, into the flags in place of the flows.
        for (u, d) in up[..m].iter_mut().zip(&mut down[..m]) {
            // `if flow == 0 { run + 1 } else { 0 }`, without a branch.
            self.no_positive = (self.no_positive + 1) * (*u == 0.0) as usize;
            self.no_negative = (self.no_negative + 1) * (*d == 0.0) as usize;
            *u = (self.no_positive >= self.n) as u8 as f64;
            *d = (self.no_negative >= self.n) as u8 as f64;
        }
        indexes_into(&pos[..m], &neg[..m], &up[..m], &down[..m], &mut out[k..]);
    }

    fn reset(&mut self) {
        self.prev_tp = NAN;
        self.positive.clear();
        self.negative.clear();
        self.no_positive = 0;
        self.no_negative = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn share_of_rising_money_flow() {
        let p = [10.0, 11.0, 10.0, 12.0];
        let v = [1.0, 2.0, 3.0, 1.0];
        let mut out = [0.0; 4];
        mfi(&p, &p, &p, &v, 2, &mut out).unwrap();
        assert_same(
            &out,
            &[NAN, NAN, 100.0 * (22.0 / 52.0), 100.0 * (12.0 / 42.0)],
        );
    }

    #[test]
    fn equal_typical_prices_are_no_move() {
        // Equal typical prices in decimal (3.2467 / 3) that (h + l + c) / 3 rounds an ulp apart.
        let (h, l, c) = (
            [1.0839, 1.0831, 1.0846],
            [1.0807, 1.0806, 1.0829],
            [1.0821, 1.083, 1.0841],
        );
        assert_ne!((h[0] + l[0] + c[0]) / 3.0, (h[1] + l[1] + c[1]) / 3.0);
        let mut out = [0.0; 3];
        mfi(&h, &l, &c, &[5.0, 5.0, 5.0], 1, &mut out).unwrap();
        assert_same(&out, &[NAN, 0.0, 100.0]);
    }

    #[test]
    fn one_sided_windows_are_exactly_0_or_100() {
        let up: Vec<f64> = (0..50).map(|i| 1.0 + 0.1 * i as f64).collect();
        let v = vec![3.7; 50];
        let mut out = vec![0.0; 50];
        mfi(&up, &up, &up, &v, 5, &mut out).unwrap();
        assert!(out[5..].iter().all(|&m| m == 100.0));
        let down: Vec<f64> = up.iter().rev().copied().collect();
        mfi(&down, &down, &down, &v, 5, &mut out).unwrap();
        assert!(out[5..].iter().all(|&m| m == 0.0));
    }
}
