//! Summaries of a run's per-bar returns for the overfitting report of a sweep
//! (`cracktrader.optimize.overfitting`, whose `moments` and `block_sums` are their spec): each
//! trial summarizes its equity curve where it runs, so no million-bar column travels.
//!
//! Sums are exact (`Fsum`, Python's `math.fsum`), so the native build, the WASM build and the
//! Python reference give the same bits.

use crate::vectorized::fsum::Fsum;
use crate::KernelError;

/// `[n, mean, m2, m3, m4]` of the simple returns of `equity` (`e[i+1] / e[i] - 1`, 0 after a
/// bar worth 0): the count, mean and central moments divided by n; then, when there are at
/// least `blocks` returns, `(sum, sum of squares)` of each of the `blocks` equal blocks, oldest
/// first, after dropping the `n % blocks` oldest returns.
pub fn summaries(equity: &[f64], blocks: usize) -> Result<Vec<f64>, KernelError> {
    if blocks == 0 {
        return Err(KernelError::new("return summaries: blocks must be at least 1"));
    }
    let returns: Vec<f64> = equity.windows(2).map(|w| if w[0] != 0.0 { w[1] / w[0] - 1.0 } else { 0.0 }).collect();
    let n = returns.len();
    let mut out = Vec::with_capacity(5 + 2 * blocks);
    if n == 0 {
        out.extend([0.0; 5]);
    } else {
        let mean = exact(returns.iter().copied()) / n as f64;
        let (mut m2, mut m3, mut m4) = (Fsum::new(), Fsum::new(), Fsum::new());
        for &r in &returns {
            let dev = r - mean;
            let sq = dev * dev;
            m2.add(sq);
            m3.add(dev * sq);
            m4.add(sq * sq);
        }
        out.extend([n as f64, mean, m2.total() / n as f64, m3.total() / n as f64, m4.total() / n as f64]);
    }
    let size = n / blocks;
    if size > 0 {
        for part in returns[n - size * blocks..].chunks_exact(size) {
            out.push(exact(part.iter().copied()));
            out.push(exact(part.iter().map(|r| r * r)));
        }
    }
    Ok(out)
}

/// `[n, sum of r, sum of b, sum of b*b, sum of r*b]` over the simple returns r of `equity` and
/// b of `benchmark` (0 after a bar worth 0), the sums exact: what `stats.versus` needs for a
/// run's beta and alpha against buy-and-hold.
pub fn versus_sums(equity: &[f64], benchmark: &[f64]) -> Result<[f64; 5], KernelError> {
    if equity.len() != benchmark.len() {
        return Err(KernelError::new("versus sums: equity and benchmark must have the same length"));
    }
    let ret = |w: &[f64]| if w[0] != 0.0 { w[1] / w[0] - 1.0 } else { 0.0 };
    let mut sums = [Fsum::new(), Fsum::new(), Fsum::new(), Fsum::new()];
    for (e, b) in equity.windows(2).zip(benchmark.windows(2)) {
        let (r, b) = (ret(e), ret(b));
        sums[0].add(r);
        sums[1].add(b);
        sums[2].add(b * b);
        sums[3].add(r * b);
    }
    let [r, b, bb, rb] = sums.map(|s| s.total());
    Ok([equity.len().saturating_sub(1) as f64, r, b, bb, rb])
}

fn exact(values: impl Iterator<Item = f64>) -> f64 {
    let mut s = Fsum::new();
    values.for_each(|v| s.add(v));
    s.total()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_and_blocks_of_a_short_curve() {
        // returns 0.1, -0.5, 1.0, 0.0 (the bar after a 0 counts 0)
        let out = summaries(&[10.0, 11.0, 5.5, 11.0, 0.0, 3.0], 2).unwrap();
        let r = [0.1f64, -0.5, 1.0, -1.0, 0.0];
        let n = r.len() as f64;
        let mean = r.iter().sum::<f64>() / n;
        assert_eq!(out[0], 5.0);
        assert!((out[1] - mean).abs() < 1e-15);
        let m2 = r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        assert!((out[2] - m2).abs() < 1e-15);
        // 5 returns, 2 blocks of 2 after dropping the oldest one
        assert_eq!(out.len(), 9);
        assert_eq!(&out[5..], &[-0.5 + 1.0, 0.25 + 1.0, -1.0, 1.0]);
    }

    #[test]
    fn versus_sums_of_a_short_curve() {
        // run returns 0.1, -0.5, -1, then 0 (after a bar worth 0); benchmark 1, -0.5, 0.5, 0
        let out = versus_sums(&[10.0, 11.0, 5.5, 0.0, 3.0], &[1.0, 2.0, 1.0, 1.5, 1.5]).unwrap();
        let r0 = 11.0 / 10.0 - 1.0;
        assert_eq!(out, [4.0, r0 - 1.5, 1.0, 1.5, r0 - 0.25]); // two-term sums: one rounding, as exact
        assert_eq!(versus_sums(&[1.0], &[2.0]).unwrap(), [0.0; 5]);
        assert!(versus_sums(&[1.0, 2.0], &[1.0]).is_err());
    }

    #[test]
    fn too_few_returns_for_the_blocks_and_none_at_all() {
        assert_eq!(summaries(&[1.0, 2.0], 4).unwrap(), vec![1.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(summaries(&[1.0], 4).unwrap(), vec![0.0; 5]);
        assert_eq!(summaries(&[], 2).unwrap(), vec![0.0; 5]);
        assert!(summaries(&[1.0, 2.0], 0).is_err());
    }
}
