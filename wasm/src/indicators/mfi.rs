//! MFI, money flow index, as TA-Lib defines it: with typical price `tp = (high + low + close)/3`
//! and money flow `tp * volume`, counted as positive when `tp` rose from the previous bar and
//! negative when it fell, `mfi = 100 * positive / (positive + negative)` over the last `n` bars.
//! The first `n` outputs are NaN. With no money flow at all MFI is 0 (TA-Lib also gives 0
//! whenever the total is below 1, e.g. for low volumes of cheap assets; here it does not).

use super::rolling::WindowSum;
use super::{check, finite, run, NAN};
use crate::{params, KernelError};

/// Batch MFI with period `n`.
pub fn mfi(high: &[f64], low: &[f64], close: &[f64], volume: &[f64], n: i64, out: &mut [f64]) -> Result<(), KernelError> {
    let len = check("mfi", &[("high", high), ("low", low), ("close", close), ("volume", volume)], &[out])?;
    let mut s = Mfi::build(params::period("mfi", "n", n, len)?);
    run([high, low, close, volume], [out], |[h, l, c, v]| [s.update(h, l, c, v)]);
    Ok(())
}

/// Streaming MFI.
#[derive(Debug, Clone)]
pub struct Mfi {
    prev_tp: f64, // NaN before the first bar
    positive: WindowSum,
    negative: WindowSum,
}

impl Mfi {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        Ok(Self::build(params::period("mfi", "n", n, usize::MAX)?))
    }

    fn build(n: usize) -> Self {
        Mfi { prev_tp: NAN, positive: WindowSum::new(n), negative: WindowSum::new(n) }
    }

    #[inline(always)]
    pub fn update(&mut self, high: f64, low: f64, close: f64, volume: f64) -> f64 {
        if !finite([high, low, close, volume]) {
            self.prev_tp = NAN;
            self.positive.clear();
            self.negative.clear();
            return NAN;
        }
        let tp = (high + low + close) / 3.0;
        let prev = std::mem::replace(&mut self.prev_tp, tp);
        if prev.is_nan() {
            return NAN;
        }
        let flow = tp * volume;
        let (up, down) = if tp > prev {
            (flow, 0.0)
        } else if tp < prev {
            (0.0, flow)
        } else {
            (0.0, 0.0)
        };
        match (self.positive.push(up), self.negative.push(down)) {
            (Some(pos), Some(neg)) => {
                let total = pos + neg;
                if total != 0.0 {
                    100.0 * (pos / total)
                } else {
                    0.0
                }
            }
            _ => NAN,
        }
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
        assert_same(&out, &[NAN, NAN, 100.0 * (22.0 / 52.0), 100.0 * (12.0 / 42.0)]);
    }
}
