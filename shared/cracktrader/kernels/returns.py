"""Summaries of a run's per-bar returns for the overfitting report (wasm/src/returns.rs):
`return_summaries(equity, blocks)` -> array('d') [n, mean, m2, m3, m4, then (sum, sum of
squares) of each of `blocks` equal blocks, none when there are fewer returns than blocks], the
sums exact, so both builds give `optimize.overfitting.moments` and `block_sums`' bits."""

from ._backend import implementation

return_summaries = implementation("returns").return_summaries
