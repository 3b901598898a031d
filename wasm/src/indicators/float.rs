//! Float helpers for the kernels: finiteness checks, selects and paired divisions that give
//! the same bits on every target (x86-64 with or without AVX2, WASM), and the run-time AVX2
//! dispatch.
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
        let value = if $crate::indicators::float::avx2() {
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

/// Whether `with_avx2!` takes its AVX2 path: where the CPU has AVX2, unless a test asks for
/// the plain path (`PLAIN`) to hold both to the same bits.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn avx2() -> bool {
    #[cfg(test)]
    if PLAIN.with(|plain| plain.get()) {
        return false;
    }
    std::arch::is_x86_feature_detected!("avx2")
}

#[cfg(all(test, target_arch = "x86_64"))]
thread_local!(static PLAIN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });

pub(crate) const NAN: f64 = f64::NAN;

/// The bits of `v - v`: none for a finite `v` (+0.0), a NaN's for a NaN or an infinity. OR-ed
/// over many values, 0 exactly when all are finite, with no chain of adds to reduce.
#[inline(always)]
#[allow(clippy::eq_op)] // `v - v` is the point: 0 or NaN
pub(crate) fn nonfinite_bits(v: f64) -> u64 {
    (v - v).to_bits()
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
/// (true ranges, ULTOSC's true lows). In scalar code, such as a chain
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

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::PLAIN;
    use crate::indicators::testing::{assert_same, bars};
    use crate::indicators::*;

    /// Every output of the kernels with an AVX2 path, for one series and period.
    fn outputs(h: &[f64], l: &[f64], c: &[f64], n: i64) -> Vec<Vec<f64>> {
        let len = c.len();
        let mut o: [Vec<f64>; 11] = std::array::from_fn(|_| vec![0.0; len]);
        let [a, b, d, e, f, g, m, p, q, r, v] = o.each_mut().map(|o| &mut o[..]);
        kama(c, n, a).unwrap();
        max(h, n, b).unwrap();
        min(l, n, d).unwrap();
        aroon(h, l, n, e, f).unwrap();
        aroonosc(h, l, n, g).unwrap();
        willr(h, l, c, n, m).unwrap();
        mom(c, n, p).unwrap();
        trix(c, n, q).unwrap();
        rocp(c, n, r).unwrap();
        roc(c, n, v).unwrap();
        o.into()
    }

    #[test]
    fn the_avx2_and_plain_paths_give_the_same_bits() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let (mut h, mut l, mut c, _) = bars(3000, 21);
        for i in [5usize, 6, 700, 1500, 1501, 2990] {
            (h[i], l[i], c[i]) = (f64::NAN, f64::NAN, f64::INFINITY);
        }
        // Ties and flat stretches: prices on a coarse grid.
        let coarse = |x: &[f64]| x.iter().map(|v| (v * 2.0).round()).collect::<Vec<_>>();
        let (hc, lc, cc) = (coarse(&h), coarse(&l), coarse(&c));
        for (h, l, c) in [(&h, &l, &c), (&hc, &lc, &cc)] {
            for n in [1, 2, 3, 4, 5, 10, 20, 30, 64, 127, 128, 200] {
                let wide = outputs(h, l, c, n);
                PLAIN.with(|plain| plain.set(true));
                let plain = outputs(h, l, c, n);
                PLAIN.with(|plain| plain.set(false));
                for (w, p) in wide.iter().zip(&plain) {
                    assert_same(w, p);
                }
            }
        }
    }
}
