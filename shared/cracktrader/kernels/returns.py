"""A run's per-bar returns (wasm/src/returns.rs, and the curve part of the vectorized kernel's
measures), the sums exact, so both builds give the same bits as the pure-Python definitions
(`stats`' docstrings, and `optimize.overfitting.moments` and `block_sums`):

- `return_summaries(equity, blocks)` -> array('d') [n, mean, m2, m3, m4, then (sum, sum of
  squares) of each of `blocks` equal blocks, none when there are fewer returns than blocks];
- `curve_measures(time, equity)` -> (return mean, return std, downside, max drawdown, drawdown
  ms, drawdown bars) of at least one bar, NaN where `stats` has None;
- `versus_sums(equity, benchmark)` -> (n, sum r, sum b, sum b*b, sum r*b) of the two columns'
  simple returns.
"""

from ._backend import implementation

_kernels = implementation("returns")
return_summaries = _kernels.return_summaries
curve_measures = _kernels.curve_measures
versus_sums = _kernels.versus_sums
