//! SAR, Wilder's parabolic stop and reverse, as TA-Lib defines it.
//!
//! The second bar starts the first trade: short if the low fell more than the high rose (the
//! -DM rule), long otherwise; the first SAR is the first bar's low (long) or high (short) and the
//! extreme point the second bar's high (long) or low (short). Each bar outputs the SAR computed
//! on the previous one, unless the bar crosses it: then the trade reverses, the SAR becomes the
//! extreme point and the extreme point the bar's low (now short) or high (now long). The next SAR
//! is `sar + af * (ep - sar)`, kept outside the last two bars' range; `af` starts at
//! `acceleration` and grows by it, up to `maximum`, with each new extreme point. The first
//! output is NaN. (TA-Lib silently lowers an acceleration above the maximum; here it is an error.)

use super::{check, choose, lesser, run, Indicator, NAN};
use crate::{params, KernelError};

/// Batch SAR.
pub fn sar(
    high: &[f64],
    low: &[f64],
    acceleration: f64,
    maximum: f64,
    out: &mut [f64],
) -> Result<(), KernelError> {
    check("sar", &[("high", high), ("low", low)], &[out])?;
    run(&mut Sar::new(acceleration, maximum)?, [high, low], [out]);
    Ok(())
}

/// Streaming SAR.
///
/// A short trade runs as a long one over negated prices: its high is `-low`, its low `-high`,
/// and its SAR and extreme point are kept negated too. Negation is exact, so every value is
/// the one the short-side formulas give, and the bar's work does not branch on the
/// direction (which flips, unpredictably, every few bars); only a reversal itself does.
#[derive(Debug, Clone)]
pub struct Sar {
    acceleration: f64,
    maximum: f64,
    bars: usize,
    long: bool,
    sar: f64, // in the trade's prices: negated while short
    ep: f64,  // likewise
    af: f64,
    prev: (f64, f64), // the previous bar's high and low
}

impl Sar {
    pub fn new(acceleration: f64, maximum: f64) -> Result<Self, KernelError> {
        let acceleration = params::at_least("sar", "acceleration", acceleration, 0.0)?;
        let maximum = params::at_least("sar", "maximum", maximum, 0.0)?;
        if acceleration > maximum {
            return Err(KernelError::new(format!(
                "sar: acceleration={acceleration} must not exceed maximum={maximum}"
            )));
        }
        Ok(Sar {
            acceleration,
            maximum,
            bars: 0,
            long: true,
            sar: 0.0,
            ep: 0.0,
            af: 0.0,
            prev: (NAN, NAN),
        })
    }

    pub fn update(&mut self, high: f64, low: f64) -> f64 {
        self.next([high, low])[0]
    }

    #[inline(always)]
    fn bar(&mut self, high: f64, low: f64) -> f64 {
        self.bars += 1;
        let (prev_high, prev_low) = std::mem::replace(&mut self.prev, (high, low));
        if self.bars == 1 {
            return NAN;
        }
        if self.bars == 2 {
            // The first trade's direction: short only if -DM between the first two bars is > 0.
            let (up, down) = (high - prev_high, prev_low - low);
            self.long = !(down > 0.0 && up < down);
            self.af = self.acceleration;
            // The first SAR is the first bar's low (long) or high (short), and the extreme
            // point this bar's high (long) or low (short): in the trade's prices, its low and
            // high.
            (self.sar, self.ep) = (self.trade(prev_high, prev_low).1, self.trade(high, low).0);
            // The first bar's range does not bound this bar's SAR: compare with itself.
            return self.step(high, low, high, low);
        }
        self.step(high, low, prev_high, prev_low)
    }

    /// A bar's high and low in the trade's prices.
    #[inline(always)]
    fn trade(&self, high: f64, low: f64) -> (f64, f64) {
        (choose(self.long, high, -low), choose(self.long, low, -high))
    }

    /// Outputs this bar's SAR (reversing if the bar crosses it) and prepares the next one.
    /// A reversal is rare: a branch. A new extreme point and the bounds on the SAR follow the
    /// prices bar by bar: selects, which cost less than mispredicted branches.
    #[inline(always)]
    fn step(&mut self, high: f64, low: f64, prev_high: f64, prev_low: f64) -> f64 {
        let (mut hi, mut lo) = self.trade(high, low);
        if lo <= self.sar {
            // Reverse: the SAR jumps to the extreme point, kept outside the last two bars;
            // the extreme point becomes the bar's high in the new trade's prices.
            self.long = !self.long;
            (hi, lo) = (-lo, -hi);
            let bound = lesser(self.trade(prev_high, prev_low).1, lo);
            self.sar = lesser(-self.ep, bound);
            self.af = self.acceleration;
            self.ep = hi;
        } else {
            let new_extreme = hi > self.ep;
            self.ep = choose(new_extreme, hi, self.ep);
            let af = self.af + self.acceleration;
            let af = choose(af > self.maximum, self.maximum, af);
            self.af = choose(new_extreme, af, self.af);
        }
        let out = choose(self.long, self.sar, -self.sar);
        // Kept below the last two lows (in the trade's prices): the bound is taken off the
        // chain from one SAR to the next, which then goes through one comparison, not two.
        let bound = lesser(self.trade(prev_high, prev_low).1, lo);
        self.sar += self.af * (self.ep - self.sar);
        self.sar = lesser(self.sar, bound);
        out
    }
}

impl Indicator<2, 1> for Sar {
    #[inline(always)]
    fn step(&mut self, [high, low]: [f64; 2]) -> [f64; 1] {
        [self.bar(high, low)]
    }

    fn reset(&mut self) {
        self.bars = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rising_market_trails_below_the_lows() {
        let h: Vec<f64> = (0..20).map(|i| 10.0 + i as f64).collect();
        let l: Vec<f64> = h.iter().map(|v| v - 1.0).collect();
        let mut out = vec![0.0; 20];
        sar(&h, &l, 0.02, 0.2, &mut out).unwrap();
        assert!(out[0].is_nan());
        assert_eq!(out[1], l[0]);
        for i in 1..20 {
            assert!(out[i] <= l[i] && out[i] <= l[i - 1], "bar {i}");
        }
        assert!(Sar::new(0.3, 0.2).is_err());
    }
}
