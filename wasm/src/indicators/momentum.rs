//! Change over `n` bars, as TA-Lib's MOM, ROC and ROCP (the first `n` outputs are NaN):
//! `mom = x - x[n ago]`, `roc = (x / x[n ago] - 1) * 100`, `rocp = (x - x[n ago]) / x[n ago]`.
//! Like TA-Lib, ROC and ROCP are 0 where the value `n` bars ago is 0.

use super::rolling::Ring;
use super::{check, nonfinite_bits, windowed, Indicator, BLOCK, NAN};
use crate::{params, KernelError};

const MOM: u8 = 0;
const ROC: u8 = 1;
const ROCP: u8 = 2;

/// Streaming MOM / ROC / ROCP: one type, told apart by `KIND`.
#[derive(Debug, Clone)]
pub struct Change<const KIND: u8> {
    ring: Ring, // the last n values; a push evicts the value n bars before the new one
}

pub type Mom = Change<MOM>;
pub type Roc = Change<ROC>;
pub type Rocp = Change<ROCP>;

/// Batch MOM over `n` bars.
pub fn mom(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    Mom::batch(x, n, out)
}

/// Batch ROC over `n` bars, in percent.
pub fn roc(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    Roc::batch(x, n, out)
}

/// Batch ROCP over `n` bars, as a fraction.
pub fn rocp(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    Rocp::batch(x, n, out)
}

impl<const KIND: u8> Change<KIND> {
    const NAME: &'static str = ["mom", "roc", "rocp"][KIND as usize];

    /// The change from `old` to `x`, computed whatever `old` is and then selected, so a loop
    /// of them vectorizes.
    #[inline(always)]
    fn of(x: f64, old: f64) -> f64 {
        let change = match KIND {
            MOM => return x - old,
            ROC => (x / old - 1.0) * 100.0,
            _ => (x - old) / old,
        };
        if old != 0.0 {
            change
        } else {
            0.0
        }
    }

    fn batch(x: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
        let len = check(Self::NAME, &[("x", x)], &[out])?;
        let n = params::period(Self::NAME, "n", n, len)?;
        // Finite data, the common case, in one plain pass that checks as it goes (a subtract
        // per bar in the loop that computes, where the general driver's checks are a pass of
        // their own over each block).
        let done = Self::finite_prefix(x, n, out);
        if done == len {
            return Ok(());
        }
        // From the first chunk with a non-finite value on, the general driver. A fresh state
        // fills its window over the n bars before (finite, their outputs already right: kept).
        let from = done.saturating_sub(n);
        let kept = out[from..done].to_vec();
        let (x, out) = (&x[from..], &mut out[from..]);
        let mut s = Self::build(n);
        // The window holds the current value and the n before it: n + 1 bars.
        windowed([x], [&mut *out], n + 1, BLOCK, &mut s, |_, bars, [out]| {
            let (new, old) = (&x[bars.clone()], &x[bars.start - n..bars.end - n]);
            for ((o, &v), &old) in out.iter_mut().zip(new).zip(old) {
                *o = Self::of(v, old);
            }
        });
        out[..kept.len()].copy_from_slice(&kept);
        Ok(())
    }

    /// `out[t] = of(new[t], old[t])`; returns `nonfinite_bits` OR-ed over `new` (0 exactly
    /// when every value is finite).
    #[inline(always)]
    fn changes(new: &[f64], old: &[f64], out: &mut [f64]) -> u64 {
        let mut bits = 0u64;
        for (o, (&v, &old)) in out.iter_mut().zip(new.iter().zip(old)) {
            *o = Self::of(v, old);
            bits |= nonfinite_bits(v);
        }
        bits
    }

    /// `changes` compiled for AVX2: four bars to a vector instead of two, the same values.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn changes_avx2(new: &[f64], old: &[f64], out: &mut [f64]) -> u64 {
        Self::changes(new, old, out)
    }

    /// The outputs of the series' longest prefix of finite chunks; returns where it ends (the
    /// bars before it are all finite, and their outputs final).
    fn finite_prefix(x: &[f64], n: usize, out: &mut [f64]) -> usize {
        const CHUNK: usize = 4096;
        let len = x.len();
        out[..n.min(len)].fill(NAN);
        if x[..n.min(len)].iter().any(|v| !v.is_finite()) {
            return 0;
        }
        let mut i = n.min(len);
        while i < len {
            let end = (i + CHUNK).min(len);
            let (new, old) = (&x[i..end], &x[i - n..end - n]);
            let bits = with_avx2!(
                Self::changes_avx2,
                Self::changes,
                (new, old, &mut out[i..end])
            );
            if bits != 0 {
                return i;
            }
            i = end;
        }
        len
    }

    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period(Self::NAME, "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Change { ring: Ring::new(n) }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        self.next([x])[0]
    }
}

impl<const KIND: u8> Indicator<1, 1> for Change<KIND> {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 1] {
        [match self.ring.push(x) {
            Some(old) => Self::of(x, old),
            None => NAN,
        }]
    }

    fn reset(&mut self) {
        self.ring.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn changes_over_n_bars() {
        let x = [10.0, 11.0, 12.0, 9.0, 0.0, 5.0];
        assert_same(&batch1(mom, &x, 2), &[NAN, NAN, 2.0, -2.0, -12.0, -4.0]);
        assert_same(
            &batch1(rocp, &x, 2),
            &[NAN, NAN, 0.2, -2.0 / 11.0, -1.0, -4.0 / 9.0],
        );
        let r = batch1(roc, &x, 3);
        assert_same(
            &r,
            &[
                NAN,
                NAN,
                NAN,
                (9.0 / 10.0 - 1.0) * 100.0,
                -100.0,
                (5.0 / 12.0 - 1.0) * 100.0,
            ],
        );
        assert_eq!(batch1(roc, &[0.0, 5.0], 1)[1], 0.0);
    }

    #[test]
    fn gaps_anywhere_restart_as_in_the_stream() {
        // Non-finite values in the first chunk, at a chunk's edge, and deep into the series.
        let (h, _, _, _) = bars(10_000, 4);
        for bad in [
            [0usize, 9_000],
            [2, 5_000],
            [4_095, 4_099],
            [4_101, 9_999],
            [8_200, 8_201],
        ] {
            let mut x = h.clone();
            x[bad[0]] = f64::NAN;
            x[bad[1]] = f64::INFINITY;
            for n in [1i64, 3, 10, 300] {
                let mut s = Mom::new(n).unwrap();
                let streamed: Vec<f64> = x.iter().map(|&v| s.update(v)).collect();
                assert_same(&batch1(mom, &x, n), &streamed);
                let mut s = Rocp::new(n).unwrap();
                let streamed: Vec<f64> = x.iter().map(|&v| s.update(v)).collect();
                assert_same(&batch1(rocp, &x, n), &streamed);
            }
        }
    }

    #[test]
    fn stream_matches_batch_across_gaps() {
        let x = [1.0, 2.0, f64::NAN, 4.0, 8.0, 16.0, f64::INFINITY, 3.0, 6.0];
        let mut s = Roc::new(1).unwrap();
        let streamed: Vec<f64> = x.iter().map(|&v| s.update(v)).collect();
        assert_same(&streamed, &batch1(roc, &x, 1));
        assert_same(
            &streamed,
            &[NAN, 100.0, NAN, NAN, 100.0, 100.0, NAN, NAN, 100.0],
        );
    }
}
