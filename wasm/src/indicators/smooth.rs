//! Exponential smoothing `p[i] = a * p[i-1] + b * x[i]`: the core of EMA (`a = 1 - k`, `b = k`)
//! and of Wilder's smoothing in SMMA, RSI, ATR and ADX (`a = (n-1)/n`, `b = 1/n`).
//!
//! Evaluated one bar after the other, each value waits for the previous one: a multiply and
//! an add of latency per bar bound the loop when the smoothing is all a kernel does. So a lone
//! recursion is evaluated in blocks of `B` bars from the block's starting value `p0`:
//!
//! ```text
//! c[0] = 0,  c[j] = a * c[j-1] + b * x[j],  p[j] = a^j * p0 + c[j]     (j = 1..=B)
//! ```
//!
//! which is the same recursion, regrouped: the `c` chains depend on the inputs only, and the
//! carried value advances once per block. `L` lanes with the same weights share one block
//! position. A recursion's first block starts where it starts, or, for recursions chained
//! into one another (DEMA, TEMA, TRIX, MACD), at the series' bar position (`start_at`), so
//! their blocks line up and a batch loop runs them block by block, skewed so that the blocks
//! in flight do not wait for one another (`ema::chain3`); two recursions whose blocks are
//! independent run side by side in lanes (`blocks_side_by_side`, RSI's `PairLanes`). DMI keeps
//! `B = 1`, the plain formula. Batch loops and streaming states go through these formulas in
//! the same order, so they agree to the last bit; blocks differ from the bar-by-bar form by
//! rounding only (a few ulps). ATR, whose inputs come four bars to a vector, evaluates its
//! recursion four bars apart instead (`Strided`).

use super::lanes::{F64x2, Lanes};

#[derive(Debug, Clone)]
pub struct Smoother<const L: usize, const B: usize> {
    a: f64,
    b: f64,
    pow: [f64; B], // a^1 ..= a^B
    p0: [f64; L],
    c: [f64; L],
    j: usize,    // steps into the current block
    left: usize, // steps until it ends (`B` at a block's start)
}

/// One recursion, in blocks of four bars.
pub type Lone = Smoother<1, 4>;

impl<const L: usize, const B: usize> Smoother<L, B> {
    pub fn new(a: f64, b: f64) -> Self {
        let mut pow = [a; B];
        for j in 1..B {
            pow[j] = pow[j - 1] * a;
        }
        Smoother {
            a,
            b,
            pow,
            p0: [0.0; L],
            c: [0.0; L],
            j: 0,
            left: B,
        }
    }

    /// EMA weights for period `n`: `k = 2 / (n + 1)` on the new value.
    pub fn ema(n: usize) -> Self {
        let k = 2.0 / (n as f64 + 1.0);
        Self::new(1.0 - k, k)
    }

    /// Wilder's weights for period `n`: `1 / n` on the new value.
    pub fn wilder(n: usize) -> Self {
        Self::new((n - 1) as f64 / n as f64, 1.0 / n as f64)
    }

    /// Starts from the values `p` (e.g. the SMA seeds), a block starting at the next bar.
    pub fn start(&mut self, p: [f64; L]) {
        self.start_at(p, 0);
    }

    /// Starts from the values `p`, the next bar being the series' bar `position`: blocks end
    /// at the bars whose position + 1 is a multiple of `B` (the first one may be shorter).
    pub fn start_at(&mut self, p: [f64; L], position: usize) {
        self.p0 = p;
        self.c = [0.0; L];
        self.j = 0;
        self.left = B - position % B;
    }

    /// The next smoothed values after inputs `x`.
    #[allow(clippy::needless_range_loop)] // lanes index three arrays in step
    #[inline(always)]
    pub fn step(&mut self, x: [f64; L]) -> [f64; L] {
        if B == 1 {
            for k in 0..L {
                self.p0[k] = self.a * self.p0[k] + self.b * x[k];
            }
            return self.p0;
        }
        let mut p = [0.0; L];
        for k in 0..L {
            self.c[k] = self.a * self.c[k] + self.b * x[k];
            p[k] = self.pow[self.j] * self.p0[k] + self.c[k];
        }
        self.j += 1;
        self.left -= 1;
        if self.left == 0 {
            (self.j, self.left) = (0, B);
            self.p0 = p;
            self.c = [0.0; L];
        }
        p
    }
}

impl<const L: usize, const B: usize> Smoother<L, B> {
    /// `step` for the inputs `input(t)` of bars `t` in `0..len`, handing each bar's smoothed
    /// values to `emit(t, p)`. Whole blocks are unrolled, so one block's chains overlap with
    /// the next, and so do the `emit`s (divisions... that vectorize across the block).
    // Lanes and block positions index several arrays in step: plain index loops read best.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    pub fn run(
        &mut self,
        len: usize,
        input: impl Fn(usize) -> [f64; L],
        mut emit: impl FnMut(usize, [f64; L]),
    ) {
        let mut t = 0;
        // Up to the end of the current block (all of it if B is 1: that form is plain).
        while t < len && (B == 1 || self.left != B) {
            emit(t, self.step(input(t)));
            t += 1;
        }
        // Two whole blocks at a time: the same operations as `step`, with `c` restarting from
        // 0 each block, so the `c` chains of both blocks run side by side in two lanes.
        while B > 1 && L == 1 && t + 2 * B <= len {
            let mut c = [[0.0; 2]; L];
            let mut cs = [[[0.0; 2]; L]; B];
            for k in 0..B {
                let x = [input(t + k), input(t + B + k)];
                for l in 0..L {
                    for h in 0..2 {
                        c[l][h] = self.a * c[l][h] + self.b * x[h][l];
                    }
                    cs[k][l] = c[l];
                }
            }
            for h in 0..2 {
                let mut p = [[0.0; L]; B];
                for k in 0..B {
                    for l in 0..L {
                        p[k][l] = self.pow[k] * self.p0[l] + cs[k][l][h];
                    }
                }
                for (k, &p) in p.iter().enumerate() {
                    emit(t + h * B + k, p);
                }
                self.p0 = p[B - 1];
            }
            t += 2 * B;
        }
        // Whole blocks: the same operations as `step`, with `c` restarting from 0 each time.
        while t + B <= len {
            let mut c = [0.0; L];
            let mut p = [[0.0; L]; B];
            for k in 0..B {
                let x = input(t + k);
                for l in 0..L {
                    c[l] = self.a * c[l] + self.b * x[l];
                    p[k][l] = self.pow[k] * self.p0[l] + c[l];
                }
            }
            for (k, &p) in p.iter().enumerate() {
                emit(t + k, p);
            }
            self.p0 = p[B - 1];
            t += B;
        }
        while t < len {
            emit(t, self.step(input(t)));
            t += 1;
        }
    }
}

impl<const L: usize, const B: usize> Smoother<L, B> {
    /// Whether a whole block starts at the next bar.
    #[inline(always)]
    pub fn at_block_start(&self) -> bool {
        self.left == B
    }
}

impl<const B: usize> Smoother<2, B> {
    /// The state in lanes, for a batch loop of whole blocks of both recursions side by side
    /// (at a block start); `set` puts it back.
    #[inline(always)]
    pub fn lanes(&self) -> PairLanes<B> {
        debug_assert!(self.at_block_start());
        PairLanes {
            a: F64x2::splat(self.a),
            b: F64x2::splat(self.b),
            pow: self.pow.map(F64x2::splat),
            p0: F64x2::new(self.p0[0], self.p0[1]),
        }
    }

    /// Puts back the state of `lanes`, a whole number of blocks later.
    #[inline(always)]
    pub fn set(&mut self, lanes: &PairLanes<B>) {
        self.p0 = lanes.p0.to_array();
    }
}

/// `Smoother<2, B>` at a block start, in lanes.
#[derive(Clone, Copy)]
pub struct PairLanes<const B: usize> {
    a: F64x2,
    b: F64x2,
    pow: [F64x2; B],
    p0: F64x2,
}

impl<const B: usize> PairLanes<B> {
    /// `step` for the `B` inputs of a whole block: the same operations, in lanes.
    #[inline(always)]
    pub fn block(&mut self, x: [F64x2; B]) -> [F64x2; B] {
        let mut c = F64x2::splat(0.0);
        let p: [F64x2; B] = std::array::from_fn(|k| {
            c = self.a * c + self.b * x[k];
            self.pow[k] * self.p0 + c
        });
        self.p0 = p[B - 1];
        p
    }
}

impl<const B: usize> Smoother<1, B> {
    /// `step` for the `B` inputs of a whole block: the same operations, for batch loops
    /// running several recursions block by block.
    #[inline(always)]
    pub fn block(&mut self, x: [f64; B]) -> [f64; B] {
        // The `c` chain first, then the block's values, which vectorize.
        let mut c = [0.0; B];
        let mut prev = 0.0;
        for k in 0..B {
            prev = self.a * prev + self.b * x[k];
            c[k] = prev;
        }
        let p0 = self.p0[0];
        let p: [f64; B] = std::array::from_fn(|k| self.pow[k] * p0 + c[k]);
        self.p0 = [p[B - 1]];
        p
    }
}

/// `block` of two recursions, each with its own weights and inputs (`s` of `x[0]`, `t` of
/// `x[1]`): the same operations, the two side by side in lanes.
#[inline(always)]
pub fn blocks_side_by_side<const B: usize>(
    s: &mut Smoother<1, B>,
    t: &mut Smoother<1, B>,
    x: [[f64; B]; 2],
) -> [[f64; B]; 2] {
    let (a, b) = (F64x2::new(s.a, t.a), F64x2::new(s.b, t.b));
    let p0 = F64x2::new(s.p0[0], t.p0[0]);
    let mut c = F64x2::splat(0.0);
    let p: [[f64; 2]; B] = std::array::from_fn(|k| {
        c = a * c + b * F64x2::new(x[0][k], x[1][k]);
        (F64x2::new(s.pow[k], t.pow[k]) * p0 + c).to_array()
    });
    (s.p0, t.p0) = ([p[B - 1][0]], [p[B - 1][1]]);
    [0, 1].map(|h| std::array::from_fn(|k| p[k][h]))
}

impl Lone {
    /// One lane: the next smoothed value after `x`.
    #[inline(always)]
    pub fn next(&mut self, x: f64) -> f64 {
        self.step([x])[0]
    }
}

/// The same recursion evaluated four bars apart, for kernels whose inputs come four at a time
/// (ATR's true ranges). With `y = b * x`,
///
/// ```text
/// u[t] = a * y[t-1] + y[t],   s[t] = a^2 * u[t-2] + u[t],   p[t] = a^4 * p[t-4] + s[t]
/// ```
///
/// (`s[t] = a^3 y[t-3] + a^2 y[t-2] + a y[t-1] + y[t]`: the recursion unrolled four bars).
/// Four consecutive bars depend on the values four bars back, not on one another, so `four`
/// computes them in two pairs of lanes: one multiply and one add of latency per four bars,
/// where the plain recursion has four. The three values after a start, which have no value
/// four bars back, use the plain formula `a * p[t-1] + y[t]`. `next` and `four` do the same
/// operations: the same bits, which differ from the plain recursion's by rounding (a few ulps).
#[derive(Debug, Clone)]
pub struct Strided {
    b: f64,
    pow: [f64; 3], // a, a^2, a^4
    y: f64,        // the last y
    u: [f64; 2],   // the last two u, oldest first
    p: [f64; 4],   // the last four values: bar t's in slot t % 4
    t: usize,      // the next bar
    plain: usize,  // values still to come from the plain formula
}

impl Strided {
    /// Wilder's weights for period `n`: `1 / n` on the new value.
    pub fn wilder(n: usize) -> Self {
        let a = (n - 1) as f64 / n as f64;
        let a2 = a * a;
        Strided {
            b: 1.0 / n as f64,
            pow: [a, a2, a2 * a2],
            y: 0.0,
            u: [0.0; 2],
            p: [0.0; 4],
            t: 0,
            plain: 3,
        }
    }

    /// Starts from the value `p`.
    pub fn start(&mut self, p: f64) {
        self.p[self.t.wrapping_sub(1) % 4] = p;
        self.plain = 3;
    }

    /// The next value after the input `x`.
    #[inline(always)]
    pub fn next(&mut self, x: f64) -> f64 {
        let now = self.t % 4;
        let y = self.b * x;
        let (u, p) = four_apart(self.pow, y, self.y, self.u[0], self.p[now]);
        let p = if self.plain > 0 {
            self.plain -= 1;
            self.pow[0] * self.p[self.t.wrapping_sub(1) % 4] + y
        } else {
            p
        };
        (self.y, self.u, self.p[now]) = (y, [self.u[1], u], p);
        self.t = self.t.wrapping_add(1);
        p
    }

    /// The state in lanes, for a batch loop of `four`s, once the plain values are done
    /// (`None` before); `set` puts it back.
    #[inline(always)]
    pub fn lanes(&self) -> Option<StridedLanes> {
        let p: [f64; 4] = std::array::from_fn(|k| self.p[(self.t + k) % 4]); // oldest first
        (self.plain == 0).then(|| StridedLanes {
            b: F64x2::splat(self.b),
            pow: self.pow.map(F64x2::splat),
            y: F64x2::new(0.0, self.y),
            u: F64x2::new(self.u[0], self.u[1]),
            p: pairs(p),
        })
    }

    /// Puts back the state of `lanes`, a whole number of fours later.
    #[inline(always)]
    pub fn set(&mut self, lanes: &StridedLanes) {
        let p = quad(lanes.p);
        for (k, p) in p.into_iter().enumerate() {
            self.p[(self.t + k) % 4] = p;
        }
        (self.y, self.u) = (lanes.y.to_array()[1], lanes.u.to_array());
    }
}

/// `Strided` past its plain values, in lanes.
#[derive(Clone, Copy)]
pub struct StridedLanes {
    b: F64x2,
    pow: [F64x2; 3],
    y: F64x2,      // the last two y (the first unused)
    u: F64x2,      // the last two u
    p: [F64x2; 2], // the last four values
}

impl StridedLanes {
    /// `next` for four inputs (two pairs) at once: the same operations, in lanes.
    #[inline(always)]
    pub fn four(&mut self, x: [F64x2; 2]) -> [F64x2; 2] {
        let y = x.map(|x| self.b * x);
        let (u0, p0) = four_apart(self.pow, y[0], self.y.shift(y[0]), self.u, self.p[0]);
        let (u1, p1) = four_apart(self.pow, y[1], y[0].shift(y[1]), u0, self.p[1]);
        (self.y, self.u, self.p) = (y[1], u1, [p0, p1]);
        [p0, p1]
    }
}

/// `(u[t], p[t])` from `y[t]`, `y[t-1]`, `u[t-2]` and `p[t-4]`, given `[a, a^2, a^4]`: in
/// scalars for `next`, in lanes for `four`.
#[inline(always)]
fn four_apart<F: Lanes>(
    [a, a2, a4]: [F; 3],
    y: F,
    y_before: F,
    u_2before: F,
    p_4before: F,
) -> (F, F) {
    let u = a * y_before + y;
    (u, a4 * p_4before + (a2 * u_2before + u))
}

/// Two pairs of lanes as four values.
#[inline(always)]
pub(crate) fn quad([lo, hi]: [F64x2; 2]) -> [f64; 4] {
    let ([a, b], [c, d]) = (lo.to_array(), hi.to_array());
    [a, b, c, d]
}

/// Four values as two pairs of lanes.
#[inline(always)]
pub(crate) fn pairs([a, b, c, d]: [f64; 4]) -> [F64x2; 2] {
    [F64x2::new(a, b), F64x2::new(c, d)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_bar_by_bar_recursion_to_a_few_ulps() {
        let (a, b) = (13.0 / 14.0, 1.0 / 14.0);
        let mut s = Lone::new(a, b);
        s.start([50.0]);
        let mut plain = Smoother::<1, 1>::new(a, b);
        plain.start([50.0]);
        for i in 0..10_000 {
            let x = 40.0 + (i % 17) as f64 * 1.25;
            let (got, want) = (s.next(x), plain.step([x])[0]);
            assert!(
                ((got - want) / want).abs() < 1e-14,
                "bar {i}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn first_step_is_the_plain_formula() {
        let mut s = Lone::ema(9);
        s.start([10.0]);
        assert_eq!(s.next(20.0), 0.8 * 10.0 + 0.2 * 20.0);
        let mut two = Smoother::<2, 4>::wilder(2);
        two.start([1.0, 2.0]);
        assert_eq!(two.step([3.0, 4.0]), [2.0, 3.0]);
    }

    #[test]
    fn four_bars_apart_is_next_four_times_and_the_recursion_to_a_few_ulps() {
        let (a, b) = (13.0 / 14.0, 1.0 / 14.0);
        let (mut one, mut four) = (Strided::wilder(14), Strided::wilder(14));
        one.start(50.0);
        four.start(50.0);
        let x = |i: usize| 40.0 + (i % 17) as f64 * 1.25;
        let mut plain = 50.0;
        for i in 0..3 {
            plain = a * plain + b * x(i);
            assert_eq!((one.next(x(i)), four.next(x(i))), (plain, plain));
        }
        let mut lanes = four.lanes().unwrap();
        for i in (3..4003).step_by(4) {
            let got = quad(lanes.four(pairs(std::array::from_fn(|k| x(i + k)))));
            for (k, got) in got.into_iter().enumerate() {
                let want = one.next(x(i + k));
                assert_eq!(got.to_bits(), want.to_bits(), "bar {}", i + k);
                plain = a * plain + b * x(i + k);
                assert!(
                    ((got - plain) / plain).abs() < 1e-14,
                    "bar {}: {got} vs {plain}",
                    i + k
                );
            }
        }
        four.set(&lanes);
        assert_eq!(four.next(7.0).to_bits(), one.next(7.0).to_bits());
    }
}
