//! Donchian channel (not in TA-Lib): over the last `n` bars, `upper` = the highest high,
//! `lower` = the lowest low, `middle = (upper + lower) / 2`. The first `n - 1` outputs are NaN.

use super::extremes::{channel, Highest, Lowest};
use super::{check, pieces, Indicator, Piece, NAN};
use crate::{params, KernelError};

/// Batch Donchian channel into `upper`, `middle`, `lower`.
pub fn donchian(
    high: &[f64],
    low: &[f64],
    n: i64,
    upper: &mut [f64],
    middle: &mut [f64],
    lower: &mut [f64],
) -> Result<(), KernelError> {
    let len = check(
        "donchian",
        &[("high", high), ("low", low)],
        &[upper, middle, lower],
    )?;
    let n = params::period("donchian", "n", n, len)?;
    pieces([high, low], |piece| match piece {
        Piece::Gap(i) => (upper[i], middle[i], lower[i]) = (NAN, NAN, NAN),
        Piece::Run(start, end) => {
            let warm = (start + n - 1).min(end);
            for out in [&mut *upper, &mut *middle, &mut *lower] {
                out[start..warm].fill(NAN);
            }
            channel::<true, true>(&high[start..end], &low[start..end], n, |i, hi, lo| {
                let i = start + i;
                (upper[i], middle[i], lower[i]) = (hi, (hi + lo) / 2.0, lo);
            });
        }
    });
    Ok(())
}

/// Streaming Donchian channel: `update(high, low)` returns `(upper, middle, lower)`.
#[derive(Debug, Clone)]
pub struct Donchian {
    high: Highest,
    low: Lowest,
}

impl Donchian {
    pub fn new(n: i64) -> Result<Self, KernelError> {
        let n = params::period("donchian", "n", n, usize::MAX)?;
        Ok(Donchian {
            high: Highest::new(n),
            low: Lowest::new(n),
        })
    }

    pub fn update(&mut self, high: f64, low: f64) -> (f64, f64, f64) {
        self.next([high, low]).into()
    }
}

impl Indicator<2, 3> for Donchian {
    #[inline(always)]
    fn step(&mut self, [high, low]: [f64; 2]) -> [f64; 3] {
        self.high.push(high);
        self.low.push(low);
        if !self.high.is_full() {
            return [NAN; 3];
        }
        let (upper, lower) = (self.high.value(), self.low.value());
        [upper, (upper + lower) / 2.0, lower]
    }

    fn reset(&mut self) {
        self.high.reset();
        self.low.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::testing::*;

    #[test]
    fn channel_of_extremes() {
        let (mut u, mut m, mut l) = ([0.0; 3], [0.0; 3], [0.0; 3]);
        donchian(
            &[10.0, 12.0, 11.0],
            &[8.0, 9.0, 10.0],
            2,
            &mut u,
            &mut m,
            &mut l,
        )
        .unwrap();
        assert_same(&u, &[NAN, 12.0, 12.0]);
        assert_same(&l, &[NAN, 8.0, 9.0]);
        assert_same(&m, &[NAN, 10.0, 10.5]);
    }
}
