//! Exponential smoothing `p[i] = a * p[i-1] + b * x[i]`: the core of EMA (`a = 1 - k`, `b = k`)
//! and of Wilder's smoothing in SMMA, RSI, ATR and ADX (`a = (n-1)/n`, `b = 1/n`).
//!
//! Evaluated one bar after the other, each value waits for the previous one: a multiply and
//! an add of latency per bar, which bounds the speed of the whole loop. So the recursion is
//! evaluated in blocks of `BLOCK` bars from the block's starting value `p0`:
//!
//! ```text
//! c[0] = 0,  c[j] = a * c[j-1] + b * x[j],  p[j] = a^j * p0 + c[j]     (j = 1..=BLOCK)
//! ```
//!
//! which is the same recursion, regrouped: the `c` chains depend on the inputs only and the
//! carried value advances once per block. Batch loops and streaming states both step through
//! this very formula, one bar at a time, so they agree to the last bit; the result differs from
//! the bar-by-bar form by rounding only (a few ulps).

const BLOCK: usize = 4;

#[derive(Debug, Clone)]
pub struct Smoother {
    a: f64,
    b: f64,
    pow: [f64; BLOCK], // a^1 ..= a^BLOCK
    p0: f64,
    c: f64,
    j: usize,
}

impl Smoother {
    pub fn new(a: f64, b: f64) -> Self {
        let mut pow = [a; BLOCK];
        for j in 1..BLOCK {
            pow[j] = pow[j - 1] * a;
        }
        Smoother { a, b, pow, p0: 0.0, c: 0.0, j: 0 }
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

    /// Starts from the value `p` (e.g. the SMA seed).
    pub fn start(&mut self, p: f64) {
        self.p0 = p;
        self.c = 0.0;
        self.j = 0;
    }

    /// The next smoothed value after input `x`.
    #[inline(always)]
    pub fn step(&mut self, x: f64) -> f64 {
        self.c = self.a * self.c + self.b * x;
        let p = self.pow[self.j] * self.p0 + self.c;
        self.j += 1;
        if self.j == BLOCK {
            self.j = 0;
            self.p0 = p;
            self.c = 0.0;
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_bar_by_bar_recursion_to_a_few_ulps() {
        let (a, b) = (13.0 / 14.0, 1.0 / 14.0);
        let mut s = Smoother::new(a, b);
        s.start(50.0);
        let mut plain = 50.0f64;
        for i in 0..10_000 {
            let x = 40.0 + (i % 17) as f64 * 1.25;
            plain = a * plain + b * x;
            let got = s.step(x);
            assert!(((got - plain) / plain).abs() < 1e-14, "bar {i}: {got} vs {plain}");
        }
    }

    #[test]
    fn first_step_is_the_plain_formula() {
        let mut s = Smoother::ema(9);
        s.start(10.0);
        assert_eq!(s.step(20.0), 0.8 * 10.0 + 0.2 * 20.0);
    }
}
