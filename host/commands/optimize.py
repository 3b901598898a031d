"""`cracktrader optimize strategy.py --data FILE --space fast=5:50:5 ...` and `cracktrader
walkforward ...`: a parameter search (or a walk-forward) over candles, on all cores, a Dask
cluster (--dask ADDRESS) or one core (--jobs 1); results in --out DIR (report.html, PNG charts,
trials.csv, results.json). Ctrl+C keeps the finished trials; the same command resumes a search.
"""

import sys

from ..progress import Progress
from . import CommandError
from .backtest import _sizing, load_strategy, parse_params


def _search_options(args, strategy):
    from cracktrader.optimize.methods import constraint_from_text
    from cracktrader.optimize.space import parse

    defaults = dict(getattr(strategy, "params", None) or {})
    space = dict(parse(text, defaults) for text in args.space or ()) or None
    objective = args.objective if len(args.objective or []) > 1 else (args.objective or ["sharpe"])[0]
    return dict(space=space, objective=objective, method=args.method, max_trials=args.trials,
                constraint=constraint_from_text(args.constraint, list(defaults)),
                min_trades=args.min_trades, seed=args.seed, jobs=args.jobs, params=parse_params(args.param) or None,
                cash=args.cash, commission=args.commission, slippage=args.slippage, fill=args.fill,
                intrabar=args.intrabar, leverage=args.leverage, sizing=args.sizing)


def _executor(args):
    if not args.dask:
        return None
    try:
        from distributed import Client
    except ImportError:
        raise CommandError("--dask needs the distributed package: pip install distributed") from None
    try:
        return Client(args.dask, timeout=args.dask_timeout)
    except (OSError, TimeoutError) as e:
        raise CommandError(f"--dask {args.dask}: cannot reach the scheduler ({e})") from None


def _run(args, work):
    import cracktrader as ct

    client = None
    try:
        strategy = load_strategy(args.strategy)
        data = [ct.load_data(path) for path in args.data]
        options = _search_options(args, strategy)
        client = _executor(args)
        return work(ct, strategy, data if len(data) > 1 else data[0], options, client)
    except ct.StrategyError as e:
        print(str(e).replace("\n", " "), file=sys.stderr)
        raise SystemExit(1) from None
    except (ValueError, TypeError, OSError) as e:
        raise CommandError(str(e).replace("\n", " ")) from None
    finally:
        if client is not None:
            client.close()


def _progress(label):
    bar = Progress(label)

    def update(done, total, records):
        best = _best_note(records)
        bar.update(done, total, f"{done}/{total} trials{best}")

    return bar, update


def _best_note(records):
    ok = [r for r in records.values() if r["status"] == "ok" and r["objective"]]
    if not ok:
        return ""
    return f"  best so far {max(ok, key=lambda r: r['objective'][0])['objective'][0]:.4g}"


def run_optimize(args):
    def work(ct, strategy, data, options, client):
        bar, update = _progress("optimize")
        try:
            result = ct.optimize(strategy, data, executor=client, out=args.out, progress=update, batch=args.batch,
                                 **options)
        finally:
            bar.close()
        return result

    result = _run(args, work)
    print(summary(result))
    if args.out:
        print(f"\nreport: {args.out}/report.html")
    if result.interrupted:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        raise SystemExit(130)


def summary(result):
    """The search in a few lines: trials, the best (or the Pareto front), the overfitting report."""
    from cracktrader.optimize.report import overfitting_rows

    counts = {}
    for r in result.trials:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    lines = [f"{len(result.trials)} trials ({', '.join(f'{v} {k}' for k, v in sorted(counts.items()))}), "
             f"engine: {', '.join(result.engines) or 'none'}, executor: {result.executor}"]
    if result.best is not None:
        best = result.best
        lines.append(f"best: trial {best['trial']}  {' '.join(f'{k}={v}' for k, v in best['params'].items())}  "
                     f"{result.objective.names[0]}={best['objective'][0]:.6g}")
    elif result.objective.multi:
        lines.append(f"Pareto front ({', '.join(result.objective.describe())}):")
        for r in result.pareto:
            lines.append(f"  trial {r['trial']}  {' '.join(f'{k}={v}' for k, v in r['params'].items())}  "
                         + "  ".join(f"{n}={v:.6g}" for n, v in zip(result.objective.names, r["objective"])))
    else:
        reasons = [r["reason"] for r in result.trials if r.get("reason")]
        lines.append("no trial succeeded" + (f": {max(set(reasons), key=reasons.count)}" if reasons else ""))
    for label, value, note in overfitting_rows(result.overfitting):
        shown = "n/a" if value is None else (f"{value:.4g}" if isinstance(value, float) else str(value))
        lines.append(f"{label:<20} {shown:>10}  {note}")
    return "\n".join(lines)


def run_walkforward(args):
    def work(ct, strategy, data, options, client):
        bar = Progress("walk-forward")
        try:
            return ct.walk_forward(strategy, data, executor=client, out=args.out, train=args.train, test=args.test,
                                   gap=args.gap, anchored=args.anchored, batch=args.batch,
                                   progress=lambda k, n, done, total: bar.update(k * total + done, n * total,
                                                                                 f"fold {k + 1}/{n}"), **options)
        finally:
            bar.close()

    wf = _run(args, work)
    rows = wf.table()
    for row in rows:
        params = " ".join(f"{k}={row[k]}" for k in (wf.folds[row["fold"] - 1]["params"] or {}))
        oos = row.get("oos_total_return")
        lines = f"fold {row['fold']:>3}  {params or '(none: ' + str(row['reason']) + ')'}"
        if oos is not None:
            lines += f"  in-sample {row['is_total_return']:+.2%}  out-of-sample {oos:+.2%}"
        print(lines)
    s = wf.stats or {}
    ret, sharpe, eff = s.get("total_return"), s.get("sharpe"), wf.efficiency
    print(f"out of sample, stitched: return {'n/a' if ret is None else f'{ret:+.2%}'}, sharpe "
          f"{'n/a' if sharpe is None else f'{sharpe:.3g}'}, {s.get('trades', 0)} trades; "
          f"walk-forward efficiency {'n/a' if eff is None else f'{eff:.3g}'}")
    if args.out:
        print(f"report: {args.out}/report.html")
    if wf.interrupted:
        raise SystemExit(130)


def _common(p):
    p.add_argument("strategy", help="the strategy file, optionally with its class: strategy.py[:Class]")
    p.add_argument("--data", action="append", required=True, metavar="FILE",
                   help="candles (CSV or Parquet file, or a dataset id); repeat for several feeds")
    p.add_argument("--space", action="append", metavar="NAME=LO:HI[:STEP]|A,B,C",
                   help="a parameter's values: an inclusive range (5:50:5), an interval (0.5:3.0) or a list; "
                        "repeatable (default: the strategy's own space)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a fixed strategy parameter; repeatable")
    p.add_argument("--constraint", metavar="EXPR", help="points to run, as an expression of the parameters: 'fast < slow'")
    p.add_argument("--objective", action="append", metavar="STAT",
                   help="statistic to maximize (-STAT minimizes); repeat for a Pareto front (default: sharpe)")
    p.add_argument("--method", choices=("grid", "random", "tpe", "cmaes"), default="grid",
                   help="grid (every point), random, tpe or cmaes (Optuna) (default: grid)")
    p.add_argument("--trials", type=int, metavar="N", help="trials for random/tpe/cmaes (default 100); a grid's cap")
    p.add_argument("--min-trades", type=int, default=1, help="fewer trades: never best (default: 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of random/tpe/cmaes (default: 0)")
    p.add_argument("--batch", type=int, default=8, help="tpe/cmaes trials proposed at a time (default: 8)")
    p.add_argument("--jobs", type=int, metavar="N", help="local worker processes (default: all cores; 1: this process)")
    p.add_argument("--dask", metavar="ADDRESS", help="run the trials on a Dask cluster (tcp://host:8786)")
    p.add_argument("--dask-timeout", type=float, default=10.0, help=argparse_suppress())
    p.add_argument("--out", metavar="DIR", help="write report.html, charts, trials.csv, results.json here "
                                               "(a search resumes from its DIR)")
    p.add_argument("--cash", type=float, default=10_000.0, help="starting cash (default: 10000)")
    p.add_argument("--commission", type=float, default=0.0, help="fee rate per fill, 0.001 = 0.1%% (default: 0)")
    p.add_argument("--slippage", default=0.0, help="basis points (5) or a fraction of the bar's range (0.1range)")
    p.add_argument("--fill", choices=("open", "close"), default="open", help="market orders fill at the next open (default)")
    p.add_argument("--intrabar", choices=("adverse", "favorable", "nearest"), default="adverse",
                   help="which extreme comes first within a bar (default: adverse)")
    p.add_argument("--leverage", type=float, default=1.0, help="margin leverage (default: 1)")
    p.add_argument("--sizing", type=_sizing, default="95%", help="size without one: units or N%% of equity (default: 95%%)")


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def register(commands):
    p = commands.add_parser("optimize", help="search a strategy's parameters (grid, random, TPE, CMA-ES)",
                            description="Search a strategy's parameters over candles and report the best, the "
                                        "overfitting statistics and charts.")
    _common(p)
    p.set_defaults(run=run_optimize)
    w = commands.add_parser("walkforward", help="walk-forward analysis: optimize on train windows, test on the next",
                            description="Optimize on each train window, run the chosen parameters on the test window "
                                        "after it, and stitch the test windows into one out-of-sample equity curve.")
    _common(w)
    w.add_argument("--train", default="180d", help="train window (default: 180d)")
    w.add_argument("--test", default="30d", help="test window, also the step between folds (default: 30d)")
    w.add_argument("--gap", default="0", help="time left out between train and test (default: 0)")
    w.add_argument("--anchored", action="store_true", help="every train window starts at the first bar")
    w.set_defaults(run=run_walkforward)
