//! Shared machinery for windowed indicators: a ring of the last `n` values and a sliding sum.
//!
//! A running sum (`sum += new - old`) is fast but drifts: rounding errors pile up over
//! millions of bars and dominate once prices fall by orders of magnitude. So every `n` values
//! the sum is re-anchored on an exact re-summation of the window, which bounds the error to that
//! of summing one window directly. The re-summation has four independent accumulators, so it
//! runs alongside the sliding loop's dependency chain almost for free.
//!
//! Indicators restart after a non-finite input (see `mod.rs`), so the values held here are the
//! finite inputs since the last restart.

/// Sum of `window` in four interleaved accumulators (a fixed order: the same bits everywhere).
/// Kept out of line: it runs once per window, and inlined it would crowd the sliding loop.
#[inline(always)]
pub fn window_sum(window: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut chunks = window.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            acc[k] += c[k];
        }
    }
    for (k, &v) in chunks.remainder().iter().enumerate() {
        acc[k] += v;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// The last `n` values pushed; once full, each push overwrites the oldest value.
#[derive(Debug, Clone)]
pub struct Ring {
    // Allocated whole up front (zeroed, so the OS maps it lazily): growing it inside the
    // batch loop would let the state escape to memory and slow every bar down.
    buf: Box<[f64]>,
    len: usize,
    head: usize, // once full: index of the oldest value, where the next push goes
}

impl Ring {
    pub fn new(n: usize) -> Self {
        Ring {
            buf: vec![0.0; n].into_boxed_slice(),
            len: 0,
            head: 0,
        }
    }

    /// Adds `v`; returns the value it evicts once the ring is full.
    #[inline(always)]
    pub fn push(&mut self, v: f64) -> Option<f64> {
        let n = self.buf.len();
        if self.len < n {
            self.buf[self.len] = v;
            self.len += 1;
            return None;
        }
        let old = std::mem::replace(&mut self.buf[self.head], v);
        self.head += 1;
        if self.head == n {
            self.head = 0;
        }
        Some(old)
    }

    #[inline(always)]
    pub fn is_full(&self) -> bool {
        self.len == self.buf.len()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The stored values in storage order; time order whenever `head` is 0 (i.e. while filling
    /// and after every `n`-th push since the last clear).
    #[inline(always)]
    pub fn storage(&self) -> &[f64] {
        &self.buf[..self.len]
    }

    /// The stored values oldest first, as two slices.
    #[inline(always)]
    pub fn in_time_order(&self) -> (&[f64], &[f64]) {
        if self.is_full() {
            (&self.buf[self.head..], &self.buf[..self.head])
        } else {
            (&self.buf[..self.len], &[])
        }
    }

    /// The value pushed `age` pushes ago (0 = the latest); `age < len()`.
    #[inline(always)]
    pub fn ago(&self, age: usize) -> f64 {
        let newest = if self.head == 0 {
            self.len - 1
        } else {
            self.head - 1
        };
        let i = if newest >= age {
            newest - age
        } else {
            newest + self.len - age
        };
        self.buf[i]
    }

    /// The full ring after `pushes` more pushes, given its values then, oldest first.
    pub fn refill(&mut self, values: &[f64], pushes: usize) {
        let n = self.buf.len();
        assert!(self.is_full() && values.len() == n);
        self.head = (self.head + pushes) % n;
        let (older, newer) = values.split_at(n - self.head);
        self.buf[self.head..].copy_from_slice(older);
        self.buf[..self.head].copy_from_slice(newer);
    }

    /// Forgets every value.
    pub fn clear(&mut self) {
        self.len = 0;
        self.head = 0;
    }
}

/// How many of the latest values are equal to the latest one: a window of `n` values is flat
/// exactly when the run is at least `n` long, which sliding sums cannot tell (they leave a
/// rounding residue where the exact answer is 0).
#[derive(Debug, Clone)]
pub struct EqualRun {
    last: f64,
    len: usize,
}

impl EqualRun {
    pub fn new() -> Self {
        EqualRun {
            last: f64::NAN,
            len: 0,
        }
    }

    /// Adds `v`; returns the length of the run of values equal to it.
    #[inline(always)]
    pub fn push(&mut self, v: f64) -> usize {
        self.len = if v == self.last { self.len + 1 } else { 1 };
        self.last = v;
        self.len
    }

    /// `push` for each of `values` when none equals the one before it (nor the first the
    /// last seen), which a vectorized check tells at once: every run is then 1 long, shorter
    /// than any window of `n >= 2`. Returns false, changing nothing, otherwise.
    #[inline(always)]
    pub fn push_moving(&mut self, values: &[f64], n: usize) -> bool {
        let Some(&last) = values.last() else {
            return true;
        };
        let mut equal = values[0] == self.last;
        for (&a, &b) in values.iter().zip(&values[1..]) {
            equal |= a == b;
        }
        if equal || n < 2 {
            return false;
        }
        (self.last, self.len) = (last, 1);
        true
    }

    pub fn clear(&mut self) {
        self.last = f64::NAN;
        self.len = 0;
    }
}

/// The sum of a window that slides one value at a time, re-anchored every `n` values.
#[derive(Debug, Clone)]
pub struct SlidingSum {
    n: usize,
    pub(crate) until_anchor: usize, // values to push until the next anchor (the n-th: 0)
    pub sum: f64,
}

impl SlidingSum {
    pub fn new(n: usize) -> Self {
        SlidingSum {
            n,
            until_anchor: n,
            sum: 0.0,
        }
    }

    /// Takes the next value; `old` is the value leaving the window (None while it fills).
    /// `window` gives the window's `n` values and is only called every `n` values.
    #[inline(always)]
    pub fn push<'a>(&mut self, new: f64, old: Option<f64>, window: impl FnOnce() -> &'a [f64]) {
        match old {
            Some(old) => self.sum += new - old,
            None => self.sum += new,
        }
        self.until_anchor -= 1;
        if self.until_anchor == 0 {
            self.sum = window_sum(window());
            self.until_anchor = self.n;
        }
    }

    /// `push` for `len` values once the window is full, a stretch between anchors at a time:
    /// `stretch(j, count, sum, anchor)` slides the values `j..j + count` from `sum` (each
    /// `sum += new - old`) and returns the sum after them; if `anchor` is given, value
    /// `j + count` follows, and its sum is that exact sum of its window (`window(j + count)`),
    /// worked out before the stretch so it runs alongside the stretch's chain, not after it.
    #[inline(always)]
    pub fn stretches<'a>(
        &mut self,
        len: usize,
        window: impl Fn(usize) -> &'a [f64],
        mut stretch: impl FnMut(usize, usize, f64, Option<f64>) -> f64,
    ) {
        let mut j = 0;
        while j < len {
            let count = (self.until_anchor - 1).min(len - j);
            let anchor = (j + count < len).then(|| window_sum(window(j + count)));
            self.sum = stretch(j, count, self.sum, anchor);
            self.until_anchor -= count;
            j += count;
            if let Some(sum) = anchor {
                self.sum = sum;
                self.until_anchor = self.n;
                j += 1;
            }
        }
    }

    /// `push` for each value of `new` once the window is full, with `old` the values leaving
    /// it, writing `finish(j, sum)` into `out[j]`; `window(j)` is the window after `new[j]`.
    /// Between anchors the sums are one chain of adds without a branch (see `chain_into`).
    #[inline(always)]
    pub fn slide_into<'a>(
        &mut self,
        new: &[f64],
        old: &[f64],
        window: impl Fn(usize) -> &'a [f64],
        out: &mut [f64],
        mut finish: impl FnMut(usize, f64) -> f64,
    ) {
        let len = out.len();
        assert!(new.len() == len && old.len() == len);
        self.stretches(len, window, |j, count, mut sum, anchor| {
            let (new, old) = (&new[j..j + count], &old[j..j + count]);
            let step = |t: usize| {
                sum += new[t] - old[t];
                sum
            };
            chain_into(&mut out[j..j + count], step, |t, sum| finish(j + t, sum));
            if let Some(anchor) = anchor {
                out[j + count] = finish(j + count, anchor);
            }
            sum
        });
    }

    pub fn clear(&mut self) {
        self.until_anchor = self.n;
        self.sum = 0.0;
    }
}

/// A ring and its sliding sum: the window sum of the last `n` values.
#[derive(Debug, Clone)]
pub struct WindowSum {
    pub ring: Ring,
    sum: SlidingSum,
}

impl WindowSum {
    pub fn new(n: usize) -> Self {
        WindowSum {
            ring: Ring::new(n),
            sum: SlidingSum::new(n),
        }
    }

    /// Adds `v`; returns the sum of the last `n` values once there are `n`.
    #[inline(always)]
    pub fn push(&mut self, v: f64) -> Option<f64> {
        let old = self.ring.push(v);
        let ring = &self.ring;
        // Anchors fall on every n-th push since the last clear, when the ring is in time order.
        self.sum.push(v, old, || ring.storage());
        if ring.is_full() {
            Some(self.sum.sum)
        } else {
            None
        }
    }

    /// What `push` does once the ring is full, for the bars `bars` of `x`, without touching
    /// the ring (the values leaving the window and the window itself come from `x`), writing
    /// `finish(j, sum)` into `out[j]`.
    #[inline(always)]
    pub fn slide_into(
        &mut self,
        x: &[f64],
        bars: std::ops::Range<usize>,
        out: &mut [f64],
        finish: impl Fn(usize, f64) -> f64,
    ) {
        let n = self.ring.buf.len();
        let (start, end) = (bars.start, bars.end);
        let window = |j: usize| &x[start + j + 1 - n..=start + j];
        let (new, old) = (&x[start..end], &x[start - n..end - n]);
        self.sum.slide_into(new, old, window, out, finish);
    }

    /// The sliding sum, for batch loops that slide it themselves (see `SlidingSum::stretches`)
    /// without touching the ring.
    pub fn sliding(&mut self) -> &mut SlidingSum {
        &mut self.sum
    }

    /// `push` for each of `values`, writing `finish(sum)` (NaN while the ring fills) into
    /// `out`. With the ring full, a lap of the ring runs from one anchor to the next: its
    /// values leave in storage order, so a lap is one chain without a branch.
    #[inline(always)]
    pub fn push_into(&mut self, values: &[f64], out: &mut [f64], finish: impl Fn(f64) -> f64) {
        let len = out.len();
        assert!(values.len() == len);
        let n = self.ring.buf.len();
        let mut j = 0;
        while j < len {
            if !self.ring.is_full() || self.ring.head == n - 1 {
                // Filling, or the lap's last push, which anchors the sum.
                out[j] = self.push(values[j]).map_or(f64::NAN, &finish);
                j += 1;
                continue;
            }
            // Pushes up to, not including, the last slot of the ring.
            let head = self.ring.head;
            let plain = (n - 1 - head).min(len - j);
            let (slots, new) = (
                &mut self.ring.buf[head..head + plain],
                &values[j..j + plain],
            );
            let mut sum = self.sum.sum;
            chain_into(
                &mut out[j..j + plain],
                |t| {
                    sum += new[t] - std::mem::replace(&mut slots[t], new[t]);
                    sum
                },
                |_, sum| finish(sum),
            );
            self.sum.sum = sum;
            self.sum.until_anchor -= plain;
            self.ring.head += plain;
            j += plain;
        }
    }

    pub fn clear(&mut self) {
        self.ring.clear();
        self.sum.clear();
    }
}

/// The window sum of window sums, as TRIMA takes it: `inner` slides over the bars `bars` of
/// `x` (as its `slide_into`), `outer` takes each inner sum (as its `push_into`, its ring
/// full), and `out` gets `finish(outer sum)`. In two passes over the block, each a chain broken
/// only by its own anchors: the inner sums go into `scratch` after the outer ring's values
/// (oldest first), where the outer sum finds the values leaving its window and its anchors'
/// windows; the ring then takes the last of them.
#[inline(always)]
pub(crate) fn nested_into(
    inner: &mut WindowSum,
    outer: &mut WindowSum,
    x: &[f64],
    bars: std::ops::Range<usize>,
    out: &mut [f64],
    scratch: &mut [f64],
    finish: impl Fn(f64) -> f64,
) {
    let (n2, len) = (outer.ring.buf.len(), out.len());
    assert!(outer.ring.is_full() && bars.len() == len && scratch.len() >= n2 + len);
    let sums = &mut scratch[..n2 + len];
    let (older, newer) = outer.ring.in_time_order();
    sums[..older.len()].copy_from_slice(older);
    sums[older.len()..n2].copy_from_slice(newer);
    inner.slide_into(x, bars, &mut sums[n2..], |_, s| s);
    let sums = &*sums;
    let window = |j: usize| &sums[j + 1..=j + n2];
    let (new, old) = (&sums[n2..], &sums[..len]);
    outer
        .sum
        .slide_into(new, old, window, out, |_, s| finish(s));
    outer.ring.refill(&sums[len..], len);
}

/// `out[t] = finish(t, step(t))` for every `t`, where `step` advances a chain (a running sum...)
/// by one bar. Two bars at a time: their two `finish`es (divisions...) go out as one vector
/// operation and overlap with the chain instead of queueing behind it.
#[inline(always)]
pub(crate) fn chain_into<T>(
    out: &mut [f64],
    mut step: impl FnMut(usize) -> T,
    mut finish: impl FnMut(usize, T) -> f64,
) {
    let mut pairs = out.chunks_exact_mut(2);
    let mut t = 0;
    for pair in &mut pairs {
        let (a, b) = (step(t), step(t + 1));
        pair[0] = finish(t, a);
        pair[1] = finish(t + 1, b);
        t += 2;
    }
    if let [last] = pairs.into_remainder() {
        *last = finish(t, step(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_sum_is_a_plain_sum() {
        assert_eq!(window_sum(&[]), 0.0);
        assert_eq!(window_sum(&[1.0, 2.0, 3.0, 4.0, 5.0]), 15.0);
    }

    #[test]
    fn ring_evicts_the_oldest_and_knows_ages() {
        let mut r = Ring::new(3);
        assert_eq!((r.push(1.0), r.push(2.0), r.push(3.0)), (None, None, None));
        assert!(r.is_full());
        assert_eq!(r.push(4.0), Some(1.0));
        assert_eq!((r.ago(0), r.ago(1), r.ago(2)), (4.0, 3.0, 2.0));
        assert_eq!(r.push(5.0), Some(2.0));
        assert_eq!(r.push(6.0), Some(3.0));
        assert_eq!(r.storage(), &[4.0, 5.0, 6.0]); // time order after every n-th push
        let mut pushed = r.clone();
        for v in [7.0, 8.0, 9.0, 10.0] {
            pushed.push(v);
        }
        r.refill(&[8.0, 9.0, 10.0], 4);
        assert_eq!((r.storage(), r.ago(0)), (pushed.storage(), 10.0));
        r.clear();
        assert_eq!(r.len(), 0);
        assert_eq!(r.push(7.0), None);
        assert_eq!(r.ago(0), 7.0);
    }

    #[test]
    fn window_sum_slides_and_does_not_drift() {
        let mut w = WindowSum::new(2);
        assert_eq!(w.push(1.0), None);
        assert_eq!(w.push(2.0), Some(3.0));
        assert_eq!(w.push(5.0), Some(7.0));
        // Prices collapsing from 1e6 to ~1e-6: a plain running sum keeps errors of the old
        // magnitudes and ends up wrong by orders of magnitude.
        let x: Vec<f64> = (0..100_000)
            .map(|i| 1e6 * 0.99972_f64.powi(i) * (1.0 + 0.01 * ((i % 7) as f64)))
            .collect();
        let n = 30;
        let mut w = WindowSum::new(n);
        let sums: Vec<Option<f64>> = x.iter().map(|&v| w.push(v)).collect();
        for i in [99_999usize, 77_777, 50_001] {
            let direct: f64 = x[i + 1 - n..=i].iter().sum();
            let got = sums[i].unwrap();
            assert!(
                ((got - direct) / direct).abs() < 1e-12,
                "i={i} {got} vs {direct}"
            );
        }
    }
}
