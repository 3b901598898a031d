//! Helpers for the kernels' own tests.

pub type Kernel1 = fn(&[f64], i64, &mut [f64]) -> Result<(), crate::KernelError>;

pub fn batch1(kernel: Kernel1, x: &[f64], n: i64) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    kernel(x, n, &mut out).unwrap();
    out
}

/// Equal bit for bit, NaN included.
pub fn assert_same(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
            "index {i}: got {g}, want {w}\n{got:?}"
        );
    }
}

/// Exactly the first `k` values are NaN.
pub fn assert_nan_prefix(out: &[f64], k: usize) {
    assert!(out[..k].iter().all(|v| v.is_nan()), "{out:?}");
    assert!(out[k..].iter().all(|v| !v.is_nan()), "{out:?}");
}

/// A deterministic random walk of OHLCV bars (xorshift, no crates): (high, low, close, volume).
pub fn bars(len: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut unit = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut h, mut l, mut c, mut v) = (vec![], vec![], vec![], vec![]);
    let mut price = 100.0;
    for _ in 0..len {
        price *= 1.0 + (unit() - 0.5) * 0.04;
        let close = price;
        h.push(close * (1.0 + unit() * 0.01));
        l.push(close * (1.0 - unit() * 0.01));
        c.push(close);
        v.push(1.0 + unit() * 100.0);
    }
    (h, l, c, v)
}
