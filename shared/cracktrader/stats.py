"""Performance statistics: pure functions of the trades and the equity curve. `compute` is
`summarize(measure(...))`: the reductions over the curve and the trades, then the formulas.

Returns are fractions (0.12 = 12%), money is in the quote currency. Per-bar returns are the
equity's simple returns; annualized figures scale them by the bars in a year, following the
data: crypto trades 365 days a year, 24 hours a day, so a 5m series has 105,120 bars a year.
Volatility uses the sample standard deviation; the risk-free rate is 0. Undefined values (a
ratio over zero, too few trades) are None.
"""

import math
import operator
from collections import namedtuple
from itertools import repeat

from . import detmath

DAYS_PER_YEAR = 365
YEAR_MS = DAYS_PER_YEAR * 24 * 3_600_000


def _ratio(a, b):
    return a / b if b else None


def _mean_std(xs):
    """Mean and sample standard deviation (None below two values)."""
    n = len(xs)
    if n == 0:
        return None, None
    mean = math.fsum(xs) / n
    if n < 2:
        return mean, None
    dev = list(map(operator.sub, xs, repeat(mean)))
    return mean, math.sqrt(math.fsum(map(operator.mul, dev, dev)) / (n - 1))


def curve(times, equity):
    """(return mean, return std, downside, max drawdown, drawdown ms, drawdown bars) of an
    equity curve of at least one bar (`times` UTC ms): the per-bar simple returns (0 after a bar
    worth 0), their mean and sample standard deviation, the downside deviation sqrt(sum of the
    squared negative returns / count of returns); None where undefined; and `drawdown`. The
    kernel computes them in one pass, its sums exact (math.fsum's bits)."""
    from .kernels.returns import curve_measures

    mean, std, down, *fall = curve_measures(times, equity)
    return (*(None if math.isnan(x) else x for x in (mean, std, down)), *fall)


def drawdown(times, equity):
    """(max drawdown as a positive fraction of the peak, longest time under a peak in ms, in
    bars): from the bar of a peak to the bar that regains it, or to the end if none does; a
    peak at or below 0 counts no fall."""
    return curve(times, equity)[3:]


def exposed_bars(trades, bars, first_step=0):
    """Bars that ended with a position open: the union of [entry_step, exit_step), steps
    counted from `first_step` (the run's step of the first bar reported)."""
    spans = sorted((t.entry_step - first_step, t.exit_step - first_step if t.exit_step is not None and not t.is_open
                    else bars) for t in trades)
    covered, end = 0, 0
    for a, b in spans:
        a = max(a, end)
        if b > a:
            covered += b - a
            end = b
    return covered


Measures = namedtuple("Measures", (
    "bars", "start", "end", "final",  # bar count, first and last bar's time, last equity value
    "return_mean", "return_std", "downside",  # of the per-bar simple returns (None when undefined)
    "max_drawdown", "drawdown_ms", "drawdown_bars",
    "trades", "wins", "losses", "win_sum", "loss_sum",  # closed trades and their net pnl
    "pnl_mean", "pnl_std", "best", "worst",
    "open_trades", "fees", "exposed_bars",  # fees: of every trade, closed or open
))
Measures.__doc__ = """What the statistics are made of: sums, means and extremes over the equity curve and
the trades. `measure` computes them here; the vectorized kernel computes the same numbers (same
bits) for each column of a sweep, so one `summarize` gives both their statistics."""


def measure(trades, open_trades, times, equity, first_step=0):
    """The Measures of a run from its closed trades, open trades and equity curve (trades'
    steps counted from `first_step`)."""
    n = len(equity)
    mean, std, down, max_dd, dd_ms, dd_bars = curve(times, equity) if n else (None, None, None, 0.0, 0, 0)
    pnls = [t.pnl for t in trades]
    wins, losses = [p for p in pnls if p > 0], [p for p in pnls if p < 0]
    trade_mean, trade_std = _mean_std(pnls)
    return Measures(
        bars=n, start=times[0] if n else None, end=times[-1] if n else None, final=equity[-1] if n else None,
        return_mean=mean, return_std=std, downside=down, max_drawdown=max_dd, drawdown_ms=dd_ms, drawdown_bars=dd_bars,
        trades=len(pnls), wins=len(wins), losses=len(losses), win_sum=math.fsum(wins), loss_sum=math.fsum(losses),
        pnl_mean=trade_mean, pnl_std=trade_std, best=max(pnls) if pnls else None, worst=min(pnls) if pnls else None,
        open_trades=len(open_trades), fees=math.fsum(t.commission for t in (*trades, *open_trades)),
        exposed_bars=exposed_bars([*trades, *open_trades], n, first_step),
    )


def compute(trades, open_trades, times, equity, cash, bar_ms, benchmark=None, first_step=0):
    """The statistics of a run from its closed trades, open trades and equity curve
    (`times` UTC ms of each bar, `equity` the value at its close), starting from `cash`;
    `benchmark`: the price buy-and-hold follows at each bar's close (the first feed's close);
    trades' steps count from `first_step`."""
    m = measure(trades, open_trades, times, equity, first_step)
    return summarize(m, cash, bar_ms, versus(equity, benchmark, bar_ms))


def summarize(m, cash, bar_ms, against=None):
    """The statistics from a run's Measures, its starting `cash` and its bar length;
    `against`: its figures against the benchmark (`versus`; None when there is none)."""
    n = m.bars
    final = m.final if n else cash
    per_year = YEAR_MS / bar_ms if bar_ms else None
    span_ms = (m.end - m.start + bar_ms) if n and bar_ms else None
    years = span_ms / YEAR_MS if span_ms else None
    mean, std, down = m.return_mean, m.return_std, m.downside
    root = math.sqrt(per_year) if per_year else None
    total_return = final / cash - 1.0
    if years is None:
        cagr = None
    else:
        cagr = detmath.pow(final / cash, 1.0 / years) - 1.0 if final > 0 else -1.0
    max_dd = m.max_drawdown
    trade_mean, trade_std = m.pnl_mean, m.pnl_std
    return {
        "start": m.start,
        "end": m.end,
        "bars": n,
        "initial_cash": cash,
        "final_value": final,
        "total_return": total_return,
        "cagr": cagr,
        "volatility": std * root if std is not None and root else None,
        "sharpe": _ratio(mean, std) * root if std and root else None,
        "sortino": _ratio(mean, down) * root if down and root else None,
        "calmar": _ratio(cagr, max_dd) if cagr is not None and max_dd else None,
        "max_drawdown": max_dd,
        "max_drawdown_duration_ms": m.drawdown_ms,
        "max_drawdown_duration_bars": m.drawdown_bars,
        "trades": m.trades,
        "open_trades": m.open_trades,
        "win_rate": _ratio(m.wins, m.trades),
        "profit_factor": _ratio(m.win_sum, -m.loss_sum) if m.losses else None,
        "expectancy": trade_mean,  # = win rate x mean win + loss rate x mean loss
        "best_trade": m.best,
        "worst_trade": m.worst,
        "exposure": m.exposed_bars / n if n else None,
        "sqn": math.sqrt(m.trades) * trade_mean / trade_std if trade_std else None,
        "fees": m.fees,
        **(against or NO_BENCHMARK),
        "annualization": {
            "days_per_year": DAYS_PER_YEAR, "hours_per_day": 24, "bar_ms": bar_ms, "periods_per_year": per_year,
        },
    }


NO_BENCHMARK = {"benchmark_return": None, "alpha": None, "beta": None}


def versus(equity, benchmark, bar_ms):
    """Buy-and-hold of the benchmark price from the first bar's close to the last's, and the
    run against it: beta = cov(run, benchmark) / var(benchmark) of per-bar returns (sample),
    alpha = (mean run return - beta x mean benchmark return) x bars per year (Jensen's,
    risk-free rate 0); returns as in `curve`. Sums of products exactly rounded, by the kernel."""
    if not benchmark or len(benchmark) != len(equity):
        return NO_BENCHMARK
    per_year = YEAR_MS / bar_ms if bar_ms else None
    first, last = benchmark[0], benchmark[-1]
    n, beta, alpha = len(equity) - 1, None, None
    if n > 1:
        from .kernels.returns import versus_sums

        _, sum_r, sum_b, sum_bb, sum_rb = versus_sums(equity, benchmark)
        mean_r, mean_b = sum_r / n, sum_b / n
        var_b = sum_bb - n * mean_b * mean_b
        if var_b > 0:
            beta = (sum_rb - n * mean_r * mean_b) / var_b
            alpha = (mean_r - beta * mean_b) * per_year if per_year else None
    return {"benchmark_return": last / first - 1.0 if first else None, "alpha": alpha, "beta": beta}


def summary(trades, times, equity, cash):
    """What a performance summary shows beside the statistics: the long and the short trades
    apart, and the return of each calendar month (UTC) from the equity at the close of its
    last bar (the first month from `cash`)."""
    return {"long": _side([t for t in trades if t.side == "long"]),
            "short": _side([t for t in trades if t.side == "short"]),
            "monthly": monthly_returns(times, equity, cash)}


def _side(trades):
    pnls = [t.pnl for t in trades]
    wins, losing = [p for p in pnls if p > 0], [p for p in pnls if p < 0]
    return {
        "trades": len(pnls), "win_rate": _ratio(len(wins), len(pnls)), "pnl": math.fsum(pnls),
        "profit_factor": _ratio(math.fsum(wins), -math.fsum(losing)) if losing else None,
        "avg_pnl": math.fsum(pnls) / len(pnls) if pnls else None,
        "best": max(pnls) if pnls else None, "worst": min(pnls) if pnls else None,
    }


def monthly_returns(times, equity, cash):
    """[{"month": "YYYY-MM", "return"}] for each calendar month (UTC) with bars."""
    from bisect import bisect_left
    from calendar import timegm
    from time import gmtime

    out, start, i, n = [], cash, 0, len(times)
    while i < n:
        g = gmtime(times[i] // 1000)
        year, month = g.tm_year + g.tm_mon // 12, g.tm_mon % 12 + 1  # the next month
        j = bisect_left(times, timegm((year, month, 1, 0, 0, 0)) * 1000, i)
        end = equity[j - 1]
        out.append({"month": f"{g.tm_year:04d}-{g.tm_mon:02d}", "return": end / start - 1.0 if start else None})
        start, i = end, j
    return out
