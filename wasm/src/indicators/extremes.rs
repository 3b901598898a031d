//! The highest (or lowest) value of a sliding window and how many bars ago it came, for MAX,
//! MIN, WILLR, STOCH, AROON and Donchian channels.
//!
//! Like TA-Lib, the extreme is kept until it leaves the window and only then found again by a
//! scan of the window: O(1) per bar on market data. Ties go to the latest bar (what AROON needs).

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
    const WORST: f64 = if HIGHEST { f64::NEG_INFINITY } else { f64::INFINITY };

    pub fn new(n: usize) -> Self {
        Extreme { n, ring: Ring::new(n), best: Self::WORST, age: 0 }
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
        Self::advance(&mut self.best, &mut self.age, self.n, v, || ring.in_time_order());
    }

    /// Batch: what `push` does once the window is full, scanning `window` (the last `n` values,
    /// oldest first) instead of the ring when the extreme leaves it.
    #[inline(always)]
    pub fn slide(&mut self, v: f64, window: &[f64]) {
        Self::advance(&mut self.best, &mut self.age, self.n, v, || (window, &[]));
    }

    #[inline(always)]
    fn advance<'a>(best: &mut f64, age: &mut usize, n: usize, v: f64, window: impl FnOnce() -> (&'a [f64], &'a [f64])) {
        *age += 1;
        if Self::at_least_as_good(v, *best) {
            *best = v;
            *age = 0;
        } else if *age >= n {
            (*best, *age) = Self::scan(window());
        }
    }

    #[cold]
    fn scan((older, newer): (&[f64], &[f64])) -> (f64, usize) {
        let (mut best, mut at) = (Self::WORST, 0);
        for (i, &v) in older.iter().chain(newer).enumerate() {
            if Self::at_least_as_good(v, best) {
                best = v;
                at = i;
            }
        }
        (best, older.len() + newer.len() - 1 - at)
    }

    #[inline(always)]
    pub fn is_full(&self) -> bool {
        self.ring.is_full()
    }

    /// The extreme of the values seen in the window.
    #[inline(always)]
    pub fn value(&self) -> f64 {
        self.best
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

#[cfg(test)]
mod tests {
    use super::*;

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
