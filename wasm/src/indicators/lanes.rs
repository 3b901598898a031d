//! Two f64 lanes in one vector register: SSE2 on x86-64, simd128 on WASM, a plain pair
//! elsewhere. For loops whose lanes need shuffling, which the compiler vectorizes unreliably
//! by itself (the same source became clean vector code in one caller and a scalar mix in
//! another). Each lane is one IEEE operation, nothing is fused into an FMA: every target gives
//! the same bits as scalar code, and `Lanes` lets one formula serve both.

use std::ops::{Add, Div, Mul, Sub};

#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use core::arch::wasm32::*;

#[cfg(target_arch = "x86_64")]
type Repr = __m128d;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type Repr = v128;
#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
type Repr = [f64; 2];

/// An operation written for each target: SSE2 intrinsics, simd128 intrinsics, a plain pair.
macro_rules! per_target {
    ($sse2:expr, $simd128:expr, $plain:expr $(,)?) => {{
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the intrinsics are SSE2's, which every x86-64 CPU has.
        return unsafe { $sse2 };
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return $simd128;
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        return $plain;
    }};
}

/// `[lane 0, lane 1]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct F64x2(Repr);

impl F64x2 {
    #[inline(always)]
    pub fn new(a: f64, b: f64) -> Self {
        per_target!(F64x2(_mm_set_pd(b, a)), F64x2(f64x2(a, b)), F64x2([a, b]))
    }

    #[inline(always)]
    pub fn splat(v: f64) -> Self {
        Self::new(v, v)
    }

    #[inline(always)]
    pub fn to_array(self) -> [f64; 2] {
        let v = self.0;
        per_target!(
            [_mm_cvtsd_f64(v), _mm_cvtsd_f64(_mm_unpackhi_pd(v, v))],
            [f64x2_extract_lane::<0>(v), f64x2_extract_lane::<1>(v)],
            v,
        )
    }

    /// `[self[1], next[0]]`: the pair one lane further along a series.
    #[inline(always)]
    pub fn shift(self, next: Self) -> Self {
        let (a, b) = (self.0, next.0);
        per_target!(
            F64x2(_mm_shuffle_pd::<0b01>(a, b)),
            F64x2(i64x2_shuffle::<1, 2>(a, b)),
            F64x2([a[1], b[0]]),
        )
    }

    /// `[a[0], b[0]]` and `[a[1], b[1]]`: two pairs regrouped by lane.
    #[inline(always)]
    pub fn transpose(a: Self, b: Self) -> [Self; 2] {
        let (a, b) = (a.0, b.0);
        per_target!(
            [F64x2(_mm_unpacklo_pd(a, b)), F64x2(_mm_unpackhi_pd(a, b))],
            [
                F64x2(i64x2_shuffle::<0, 2>(a, b)),
                F64x2(i64x2_shuffle::<1, 3>(a, b))
            ],
            [F64x2([a[0], b[0]]), F64x2([a[1], b[1]])],
        )
    }

    /// `a` in the lanes where `self <= other` or `self` is 0, `b` in the others.
    #[inline(always)]
    pub fn where_at_most_or_zero(self, other: Self, a: Self, b: Self) -> Self {
        let (v, o, a, b) = (self.0, other.0, a.0, b.0);
        per_target!(
            {
                let mask = _mm_or_pd(_mm_cmple_pd(v, o), _mm_cmpeq_pd(v, _mm_setzero_pd()));
                F64x2(_mm_or_pd(_mm_and_pd(mask, a), _mm_andnot_pd(mask, b)))
            },
            F64x2(v128_bitselect(
                a,
                b,
                v128_or(f64x2_le(v, o), f64x2_eq(v, f64x2_splat(0.0)))
            )),
            F64x2(std::array::from_fn(|k| if v[k] <= o[k] || v[k] == 0.0 {
                a[k]
            } else {
                b[k]
            })),
        )
    }

    /// Each lane of `self` where that lane of `test` is not 0, else 0 (+0.0).
    #[inline(always)]
    pub fn where_nonzero(self, test: Self) -> Self {
        let (v, t) = (self.0, test.0);
        per_target!(
            F64x2(_mm_and_pd(_mm_cmpneq_pd(t, _mm_setzero_pd()), v)),
            F64x2(v128_and(f64x2_ne(t, f64x2_splat(0.0)), v)),
            F64x2([
                if t[0] != 0.0 { v[0] } else { 0.0 },
                if t[1] != 0.0 { v[1] } else { 0.0 }
            ]),
        )
    }
}

/// `impl $op for F64x2`: the scalar operation `$sym` in each lane.
macro_rules! lanewise {
    ($op:ident, $method:ident, $sse2:ident, $simd128:ident, $sym:tt) => {
        impl $op for F64x2 {
            type Output = Self;

            #[inline(always)]
            fn $method(self, o: Self) -> Self {
                let (a, b) = (self.0, o.0);
                per_target!(
                    F64x2($sse2(a, b)),
                    F64x2($simd128(a, b)),
                    F64x2([a[0] $sym b[0], a[1] $sym b[1]]),
                )
            }
        }
    };
}

lanewise!(Add, add, _mm_add_pd, f64x2_add, +);
lanewise!(Sub, sub, _mm_sub_pd, f64x2_sub, -);
lanewise!(Mul, mul, _mm_mul_pd, f64x2_mul, *);
lanewise!(Div, div, _mm_div_pd, f64x2_div, /);

/// What scalars and lanes share, so that one formula serves both: IEEE add, subtract and
/// multiply, `abs`, and `greater`.
pub(crate) trait Lanes:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    fn abs(self) -> Self;
    /// `if self > other { self } else { other }`, as `greater_in_pass`.
    fn greater(self, other: Self) -> Self;
}

impl Lanes for f64 {
    #[inline(always)]
    fn abs(self) -> Self {
        f64::abs(self)
    }

    #[inline(always)]
    fn greater(self, other: Self) -> Self {
        super::greater_in_pass(self, other)
    }
}

impl Lanes for F64x2 {
    /// The sign bits cleared, as `f64::abs`.
    #[inline(always)]
    fn abs(self) -> Self {
        let v = self.0;
        per_target!(
            F64x2(_mm_andnot_pd(_mm_set1_pd(-0.0), v)),
            F64x2(f64x2_abs(v)),
            F64x2([v[0].abs(), v[1].abs()]),
        )
    }

    #[inline(always)]
    fn greater(self, other: Self) -> Self {
        let (a, b) = (self.0, other.0);
        per_target!(
            F64x2(_mm_max_pd(a, b)), // `a > b ? a : b`, by definition
            F64x2(f64x2_pmax(b, a)), // `b < a ? a : b`
            F64x2([a[0].greater(b[0]), a[1].greater(b[1])]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_are_the_scalar_operations() {
        let (a, b) = (F64x2::new(1.5, -2.0), F64x2::new(-0.0, 3.0));
        assert_eq!((a + b).to_array(), [1.5, 1.0]);
        assert_eq!((a - b).to_array(), [1.5, -5.0]);
        assert_eq!((a * b).to_array(), [-0.0, -6.0]);
        assert_eq!(a.abs().to_array(), [1.5, 2.0]);
        assert_eq!(a.greater(b).to_array(), [1.5, 3.0]);
        assert_eq!(a.shift(b).to_array(), [-2.0, -0.0]);
        assert_eq!(F64x2::splat(4.0).to_array(), [4.0, 4.0]);
        let [lo, hi] = F64x2::transpose(a, b);
        assert_eq!((lo.to_array(), hi.to_array()), ([1.5, -0.0], [-2.0, 3.0]));
        let (one, two) = (F64x2::splat(1.0), F64x2::splat(2.0));
        let picked = F64x2::new(0.0, 3.0).where_at_most_or_zero(F64x2::new(-1.0, 3.0), one, two);
        assert_eq!(picked.to_array(), [1.0, 1.0]); // zero; at most
        let picked =
            F64x2::new(2.0, f64::NAN).where_at_most_or_zero(F64x2::new(1.0, 5.0), one, two);
        assert_eq!(picked.to_array(), [2.0, 2.0]); // above; NaN compares false
        let zeroed = a.where_nonzero(F64x2::new(0.0, f64::NAN)).to_array();
        assert_eq!((zeroed[0].to_bits(), zeroed[1]), (0.0f64.to_bits(), -2.0));
        // Either value NaN: the second, as `greater_in_pass`.
        let nan = F64x2::new(f64::NAN, 1.0)
            .greater(F64x2::new(2.0, f64::NAN))
            .to_array();
        assert!(nan[0] == 2.0 && nan[1].is_nan());
    }
}
