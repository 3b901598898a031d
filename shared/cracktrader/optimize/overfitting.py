"""Is the best trial of a sweep luck? The statistics of the overfitting report, pure functions
of the trials' per-bar returns (summarized by `moments` and `block_sums`, which a trial computes
where it runs, so no worker ever ships a million-bar return column).

- PBO, the probability of backtest overfitting (Bailey, Borwein, López de Prado and Zhu, "The
  Probability of Backtest Overfitting", 2015), by combinatorially symmetric cross-validation.
- PSR, the probabilistic Sharpe ratio (Bailey and López de Prado, "The Sharpe Ratio Efficient
  Frontier", 2012).
- DSR, the deflated Sharpe ratio (Bailey and López de Prado, "The Deflated Sharpe Ratio", 2014).
- MinBTL, the minimum backtest length (Bailey, Borwein, López de Prado and Zhu, "Pseudo-
  Mathematics and Financial Charlatanism", 2014).

The conventions the papers leave open are chosen here, once (docs/optimize.md states them):
Sharpe ratios are per bar (not annualized) with the sample standard deviation (ddof 1); skewness
and kurtosis are the population moments m3 / m2^1.5 and m4 / m2^2, kurtosis raw (3 for a normal
distribution, not excess); the variance of the trials' Sharpe ratios is the sample variance;
CSCV drops the T mod S oldest rows so the S blocks are equal, picks the first trial among ties
in-sample and ranks ties out-of-sample by their average rank.
"""

import math
from itertools import combinations, repeat
from operator import add, mul, sub, truediv
from statistics import NormalDist

EULER_GAMMA = 0.5772156649015329
_NORMAL = NormalDist()
_TINY = 1e-300  # floor of a variance: 0/0 stays 0, a constant series ranks by its sign


# --- summaries of one return series (computed where the trial runs) ---------------------------
def moments(returns):
    """(n, mean, m2, m3, m4): the count, mean and central moments (population: divided by n)."""
    n = len(returns)
    if n == 0:
        return (0, 0.0, 0.0, 0.0, 0.0)
    mean = math.fsum(returns) / n
    dev = list(map(sub, returns, repeat(mean)))
    sq = list(map(mul, dev, dev))
    # fsum, not sum: sum() of floats adds plainly up to Python 3.11 and compensates from 3.12
    # (Pyodide's 3.14), so only an exact sum gives the browser and the server the same bits.
    return (n, mean, math.fsum(sq) / n, math.fsum(map(mul, dev, sq)) / n, math.fsum(map(mul, sq, sq)) / n)


def block_sums(returns, blocks):
    """[(sum, sum of squares)] of the `blocks` equal blocks of `returns`, oldest first, after
    dropping the len % blocks oldest values; None when there are fewer values than blocks."""
    n = len(returns)
    size = n // blocks
    if size == 0:
        return None
    start = n - size * blocks
    out = []
    for k in range(blocks):
        part = returns[start + k * size: start + (k + 1) * size]
        out.append((math.fsum(part), math.fsum(map(mul, part, part))))  # exact: see moments
    return out


def summaries(equity, blocks):
    """(moments, block_sums) of the per-bar returns of `equity`, by the kernel (one pass in
    compiled code, exact sums: the same bits as the two functions above)."""
    from ..kernels.returns import return_summaries

    out = return_summaries(equity, blocks)
    m = (int(out[0]), *out[1:5])
    pairs = list(zip(out[5::2], out[6::2]))
    return m, pairs or None


def shape(m):
    """(sharpe per bar, skewness, raw kurtosis, n) from `moments`; None where undefined."""
    n, mean, m2, m3, m4 = m
    if n < 2 or m2 <= 0:
        return None, None, None, n
    sample_std = math.sqrt(m2 * n / (n - 1))
    return mean / sample_std, m3 / m2 ** 1.5, m4 / (m2 * m2), n


# --- the papers' formulas --------------------------------------------------------------------
def psr(sharpe, n, skew, kurtosis, target=0.0):
    """Probability that the true Sharpe ratio exceeds `target`, given the observed per-bar
    `sharpe` over `n` returns with their skewness and raw kurtosis."""
    var = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe
    if n < 2 or var <= 0:
        return None
    return _NORMAL.cdf((sharpe - target) * math.sqrt(n - 1) / math.sqrt(var))


def expected_max(trials):
    """Expected maximum of `trials` independent standard normal draws (the papers' approximation)."""
    if trials < 2:
        return None
    inv = _NORMAL.inv_cdf
    return (1 - EULER_GAMMA) * inv(1 - 1 / trials) + EULER_GAMMA * inv(1 - 1 / (trials * math.e))


def dsr(sharpe, n, skew, kurtosis, sharpe_variance, trials):
    """The deflated Sharpe ratio: PSR against the Sharpe ratio the best of `trials` skill-less
    trials would show, given the variance of the trials' (per-bar) Sharpe ratios."""
    top = expected_max(trials)
    if top is None or sharpe_variance is None:
        return None
    return psr(sharpe, n, skew, kurtosis, math.sqrt(sharpe_variance) * top)


def min_btl(trials, annual_sharpe):
    """Minimum backtest length in years: below it, `trials` skill-less trials are expected to
    show an annualized Sharpe ratio of `annual_sharpe` at best."""
    top = expected_max(trials)
    if top is None or not annual_sharpe:
        return None
    return (top / annual_sharpe) ** 2


def pbo(blocks):
    """PBO by CSCV from each trial's `block_sums` (all with the same S blocks of equal size
    `size`, given as `blocks = (size, [per trial: [(sum, sum of squares)] * S])`).

    For every way to choose S/2 blocks as in-sample (the rest out-of-sample), the trial with the
    best in-sample Sharpe ratio is ranked among all trials out-of-sample; the logit of its
    relative rank w = rank / (N + 1) is <= 0 when it does no better than the median. PBO is the
    fraction of such splits. Returns {"pbo", "logits", "oos_loss", "splits"}."""
    size, sums = blocks
    trials, s = len(sums), len(sums[0]) if sums else 0
    if trials < 2 or s < 2 or s % 2:
        return None
    half, n = s // 2, size * (s // 2)
    total_s = [math.fsum(b[0] for b in t) for t in sums]
    total_q = [math.fsum(b[1] for b in t) for t in sums]
    # Sums over any subset of the first and of the last S/2 blocks, per trial: a split's
    # in-sample sum is one of each, added (the out-of-sample sum: the total minus it).
    first = _subset_sums([t[:half] for t in sums], half)
    last = _subset_sums([t[half:] for t in sums], half)
    logits, losses = [], 0
    # Each half of the blocks is in-sample in one split and out-of-sample in its complement:
    # the Sharpe ratios over a half serve both (the halves holding block 0, then their complements).
    outcomes = {}
    for chosen in combinations(range(s), half):
        if chosen[0] != 0:
            break
        a = sum(1 << k for k in chosen if k < half)
        b = sum(1 << (k - half) for k in chosen if k >= half)
        in_s, in_q = (list(map(add, x, y)) for x, y in zip(first[a], last[b]))
        one = _sharpes(in_s, in_q, n)
        other = _sharpes(list(map(sub, total_s, in_s)), list(map(sub, total_q, in_q)), n)
        outcomes[chosen] = _outcome(one, other, trials)
        outcomes[tuple(k for k in range(s) if k not in chosen)] = _outcome(other, one, trials)
    for chosen in combinations(range(s), half):  # in the order of the splits
        logit, oos = outcomes[chosen]
        logits.append(logit)
        losses += oos < 0
    splits = len(logits)
    return {"pbo": sum(1 for x in logits if x <= 0) / splits, "logits": logits, "oos_loss": losses / splits,
            "splits": splits}


def _outcome(in_sr, out_sr, trials):
    """(logit of the out-of-sample relative rank of the best in-sample trial, its OOS Sharpe)."""
    best = max(range(trials), key=in_sr.__getitem__)  # the first among ties
    value = out_sr[best]
    below = sum(map(value.__gt__, out_sr))
    equal = sum(map(value.__eq__, out_sr))
    w = (below + (equal + 1) / 2) / (trials + 1)
    return math.log(w / (1 - w)), value


def _subset_sums(parts, k):
    """{bitmask of blocks: ([sum per trial], [sum of squares per trial])} over k blocks."""
    zero = [0.0] * len(parts)
    out = {0: (zero, zero)}
    for mask in range(1, 1 << k):
        low = (mask & -mask).bit_length() - 1
        rest_s, rest_q = out[mask & (mask - 1)]
        out[mask] = ([x + p[low][0] for x, p in zip(rest_s, parts)], [x + p[low][1] for x, p in zip(rest_q, parts)])
    return out


def _sharpes(sums, squares, n):
    """Sharpe ratios over n values from their sums and sums of squares, up to the factor
    sqrt((n - 1) / n) they all share (ranks and signs are what CSCV uses): s / sqrt(n q - s^2).
    A flat series gives 0; a constant non-zero one a huge value of its sign."""
    spread = map(max, map(sub, map(mul, squares, repeat(n)), map(mul, sums, sums)), repeat(_TINY))
    return list(map(truediv, sums, map(math.sqrt, spread)))


def plateau(coords, scores, best):
    """How the best trial's neighbours do, from every trial's position in steps (`coords`) and
    `scores` (larger is better; None when not ok). Neighbours are the trials within one step of
    the best in every parameter. "score" is their mean percentile among the ok trials (1: as
    good as the best, 0.5: the median: a lone peak in a plain), "ratio" their mean score over
    the best's (when it is positive), "neighbours" how many there are."""
    here, top = coords[best], scores[best]
    near = [v for k, (c, v) in enumerate(zip(coords, scores))
            if k != best and v is not None and max(abs(x - y) for x, y in zip(c, here)) <= 1 + 1e-9]
    if not near or top is None:
        return {"score": None, "ratio": None, "neighbours": len(near)}
    ok = [v for v in scores if v is not None]

    def percentile(v):  # among the other ok trials, ties counting half
        below = sum(1 for x in ok if x < v)
        ties = sum(1 for x in ok if x == v) - 1
        return (below + ties / 2) / (len(ok) - 1)

    return {"score": math.fsum(map(percentile, near)) / len(near),
            "ratio": math.fsum(near) / len(near) / top if top > 0 else None, "neighbours": len(near)}


# --- the report of a sweep --------------------------------------------------------------------
def report(records, scores, coords, best):
    """The overfitting report of a sweep's trial `records` (with their return summaries),
    `scores` (objective, larger is better; None when not "ok"), `coords` (positions in steps)
    and the index of the `best` trial. Trials that ran count, whatever their status: they are
    the configurations the best was chosen among."""
    ran = [r for r in records if r.get("moments")]
    shapes = [shape(r["moments"]) for r in ran]
    sharpes = [s[0] for s in shapes if s[0] is not None]
    out = {"trials": len(ran), "psr": None, "dsr": None, "sharpe": None, "sharpe_variance": None,
           "skewness": None, "kurtosis": None, "min_btl_years": None, "years": None, "pbo": None,
           "plateau": None}
    if len(sharpes) >= 2:
        mean = math.fsum(sharpes) / len(sharpes)
        out["sharpe_variance"] = math.fsum((s - mean) ** 2 for s in sharpes) / (len(sharpes) - 1)
    if best is not None and records[best].get("moments"):
        sr, skew, kurt, n = shape(records[best]["moments"])
        per_year = records[best].get("per_year")
        out.update(sharpe=sr, skewness=skew, kurtosis=kurt, returns=n,
                   years=n / per_year if per_year else None)
        if sr is not None:
            out["psr"] = psr(sr, n, skew, kurt)
            out["dsr"] = dsr(sr, n, skew, kurt, out["sharpe_variance"], len(sharpes))
            if per_year:
                out["min_btl_years"] = min_btl(len(sharpes), sr * math.sqrt(per_year))
        out["plateau"] = plateau(coords, scores, best)
    blocked = [r["blocks"] for r in ran if r.get("blocks")]
    if len(blocked) >= 2 and len({r["moments"][0] for r in ran}) == 1:
        size = ran[0]["moments"][0] // len(blocked[0])
        result = pbo((size, blocked))
        if result is not None:
            out["pbo"] = result["pbo"]
            out["pbo_detail"] = {"blocks": len(blocked[0]), "splits": result["splits"], "oos_loss": result["oos_loss"],
                                 "logits": result["logits"]}
    return out
