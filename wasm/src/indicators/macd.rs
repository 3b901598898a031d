//! MACD as TA-Lib defines it: `macd = ema(x, fast) - ema(x, slow)`, `signal = ema(macd, signal)`,
//! `hist = macd - signal`. As in TA-Lib both EMAs start on the same bar: the fast one is seeded
//! with the SMA of the `fast` values ending where the slow one's seed ends, and all three outputs
//! begin on the same bar; the first `slow + signal - 2` outputs are NaN.
//! Unlike TA-Lib, which swaps them silently, `fast > slow` is an error.

use super::ema::{blocks_side_by_side, EmaOf};
use super::{check, run, Indicator, NAN};

/// The EMAs here, each in blocks lined up with the others' (see `smooth`).
type Chained = EmaOf<4>;
const B: usize = 4;
use crate::{params, KernelError};

/// Batch MACD of `x` into `macd`, `signal` and `hist`.
pub fn macd(
    x: &[f64],
    fast: i64,
    slow: i64,
    signal: i64,
    out_macd: &mut [f64],
    out_signal: &mut [f64],
    out_hist: &mut [f64],
) -> Result<(), KernelError> {
    let len = check("macd", &[("x", x)], &[out_macd, out_signal, out_hist])?;
    let mut s = Macd::checked(fast, slow, signal, len)?;
    run(&mut s, [x], [out_macd, out_signal, out_hist]);
    Ok(())
}

/// Streaming MACD: `update` returns `(macd, signal, hist)`.
#[derive(Debug, Clone)]
pub struct Macd {
    fast: Chained,
    slow: Chained,
    signal: Chained,
    skip: usize, // bars before the fast EMA starts
    seen: usize,
}

impl Macd {
    pub fn new(fast: i64, slow: i64, signal: i64) -> Result<Self, KernelError> {
        Self::checked(fast, slow, signal, usize::MAX)
    }

    fn checked(fast: i64, slow: i64, signal: i64, len: usize) -> Result<Self, KernelError> {
        let f = params::period("macd", "fast", fast, len)?;
        let s = params::period("macd", "slow", slow, len)?;
        let g = params::period("macd", "signal", signal, len)?;
        if f > s {
            return Err(KernelError::new(format!(
                "macd: fast={fast} must not be longer than slow={slow}"
            )));
        }
        Ok(Macd {
            fast: Chained::build(f),
            slow: Chained::build(s),
            signal: Chained::build(g),
            skip: s - f,
            seen: 0,
        })
    }

    pub fn update(&mut self, x: f64) -> (f64, f64, f64) {
        self.next([x]).into()
    }
}

impl Indicator<1, 3> for Macd {
    #[inline(always)]
    fn step(&mut self, [x]: [f64; 1]) -> [f64; 3] {
        let at = Some(self.seen);
        self.seen += 1;
        let slow = self.slow.push_at(x, at);
        if self.seen <= self.skip {
            return [NAN; 3];
        }
        let fast = self.fast.push_at(x, at);
        if slow.is_nan() {
            return [NAN; 3];
        }
        let m = fast - slow;
        let signal = self.signal.push_at(m, at);
        if signal.is_nan() {
            return [NAN; 3];
        }
        [m, signal, m - signal]
    }

    fn reset(&mut self) {
        self.fast.reset();
        self.slow.reset();
        self.signal.reset();
        self.seen = 0;
    }

    /// Once the three EMAs are seeded, a block of bars at a time through all three.
    #[inline(always)]
    fn steps(&mut self, [x]: [&[f64]; 1], [m, signal, hist]: [&mut [f64]; 3]) {
        let ready = |s: &Self| {
            [&s.slow, &s.fast, &s.signal]
                .iter()
                .all(|e| e.at_block_start())
        };
        let mut k = 0;
        while k < x.len() && !ready(self) {
            [m[k], signal[k], hist[k]] = self.step([x[k]]);
            k += 1;
        }
        let x = &x[k..];
        let (m, signal, hist) = (&mut m[k..], &mut signal[k..], &mut hist[k..]);
        let blocks = x.len() / B * B;
        // On local copies of the EMAs, which the compiler keeps in registers (the outputs
        // could alias `self` as far as it knows).
        let (mut slow_ema, mut fast_ema) = (self.slow.clone(), self.fast.clone());
        let mut signal_ema = self.signal.clone();
        let mut line = |x: [f64; B]| -> [f64; B] {
            let [slow, fast] = blocks_side_by_side(&mut slow_ema, &mut fast_ema, [x, x]);
            std::array::from_fn(|k| fast[k] - slow[k])
        };
        let mut emit = |t: usize, line: [f64; B], sig: [f64; B]| {
            for k in 0..B {
                (m[t + k], signal[t + k], hist[t + k]) = (line[k], sig[k], line[k] - sig[k]);
            }
        };
        // Skewed: the signal of the block before beside the lines of this one, so the two
        // chains in flight are independent (each EMA does the same operations in order).
        if blocks > 0 {
            let mut before = line(x[..B].try_into().unwrap());
            for t in (B..blocks).step_by(B) {
                let now = line(x[t..t + B].try_into().unwrap());
                emit(t - B, before, signal_ema.block(before));
                before = now;
            }
            emit(blocks - B, before, signal_ema.block(before));
        }
        (self.slow, self.fast, self.signal) = (slow_ema, fast_ema, signal_ema);
        self.seen += blocks;
        for t in blocks..x.len() {
            [m[t], signal[t], hist[t]] = self.step([x[t]]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    fn run3(x: &[f64], f: i64, s: i64, g: i64) -> [Vec<f64>; 3] {
        let mut o = [vec![0.0; x.len()], vec![0.0; x.len()], vec![0.0; x.len()]];
        let [a, b, c] = &mut o;
        macd(x, f, s, g, a, b, c).unwrap();
        o
    }

    #[test]
    fn lines_start_together_and_fast_ema_is_aligned() {
        let (_, _, c, _) = bars(80, 4);
        let [m, sig, h] = run3(&c, 3, 6, 4);
        for line in [&m, &sig, &h] {
            assert_nan_prefix(line, 8);
        }
        // At the slow seed's bar (5) the fast EMA is the SMA of c[3..=5]; the first output bar
        // is 8, three fast steps later.
        let k = 2.0 / 4.0;
        let mut fast = (c[3] + c[4] + c[5]) / 3.0;
        for v in &c[6..=8] {
            fast = (1.0 - k) * fast + k * v;
        }
        let slow_k = 2.0 / 7.0;
        let mut slow = c[..6].iter().sum::<f64>() / 6.0;
        for v in &c[6..=8] {
            slow = (1.0 - slow_k) * slow + slow_k * v;
        }
        assert!((m[8] - (fast - slow)).abs() < 1e-12);
        assert_eq!(h[8], m[8] - sig[8]);
    }

    #[test]
    fn rejects_fast_longer_than_slow() {
        assert_eq!(
            Macd::new(26, 12, 9).unwrap_err().message(),
            "macd: fast=26 must not be longer than slow=12"
        );
    }
}
