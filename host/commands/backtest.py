"""`cracktrader backtest strategy.py[:Class] --data FILE ...`: run a strategy file over candles,
print the statistics (and which engine ran it), optionally write the result JSON.

A strategy that raises is reported as one line naming its file and line
("strategy.py, line 12: ZeroDivisionError: division by zero", exit status 1); bad arguments or
data are one line too (exit status 2). A progress bar shows on long runs when stderr is a
terminal.
"""

import sys
from pathlib import Path

from . import CommandError

PROGRESS_FROM = 200_000  # bars: shorter runs finish before a bar would be worth drawing

PERCENT = {"total_return", "cagr", "volatility", "max_drawdown", "win_rate", "exposure", "benchmark_return", "alpha"}


def load_strategy(spec):
    """The Strategy class in "file.py" (its only one) or "file.py:Class". Errors in the file's
    code name the file as given and the line."""
    from cracktrader.strategy import from_source

    path, name = spec, None
    head, sep, tail = spec.rpartition(":")
    if sep and head and tail.isidentifier():
        path, name = head, tail
    try:
        source = Path(path).read_text()
    except FileNotFoundError:
        raise CommandError(f"{path}: no such strategy file") from None
    except OSError as e:
        raise CommandError(f"{path}: cannot read the strategy file ({e.strerror})") from None
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # as `python strategy.py` would: its own helper modules import
    try:
        return from_source(source, filename=path, name=name)
    except ValueError as e:
        raise CommandError(f"{e}" + (f" as {path}:ClassName" if "name the one" in str(e) else "")) from None


def parse_params(items):
    params = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--param {item!r}: expected NAME=VALUE")
        params[key.strip()] = value
    return params


def format_stats(stats):
    """The statistics as an aligned two-column table."""
    rows = []
    for key, value in stats.items():
        if key == "annualization":
            value = f"{value['periods_per_year']:,.0f} bars/year ({value['days_per_year']} days x {value['hours_per_day']} h)" \
                if value["periods_per_year"] else "n/a"
        elif value is None:
            value = "n/a"
        elif key in PERCENT:
            value = f"{100 * value:.2f}%"
        elif isinstance(value, float):
            value = f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"
        rows.append((key.replace("_", " "), str(value)))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def print_log(entries):
    """What the strategy printed, on stderr, each line with its bar's time (UTC)."""
    from time import gmtime, strftime

    for entry in entries:
        when = strftime("%Y-%m-%d %H:%M", gmtime(entry["time"] // 1000)) if entry["time"] is not None else "init"
        print(f"[{when}] {entry['text']}", file=sys.stderr)


class Progress:
    """A one-line progress bar on stderr, drawn only on a terminal and for long runs."""

    def __init__(self, stream):
        self.stream, self.drawn = stream, False

    def __call__(self, done, total):
        if total < PROGRESS_FROM or not self.stream.isatty():
            return
        filled = int(30 * done / total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * done // total:3d}% {done:,}/{total:,} bars")
        self.stream.flush()
        self.drawn = True

    def clear(self):
        if self.drawn:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()


def run(args):
    import cracktrader as ct

    try:
        strategy = load_strategy(args.strategy)
        data = [ct.load_data(path) for path in args.data]
        options = dict(cash=args.cash, commission=args.commission, slippage=args.slippage, params=parse_params(args.param),
                       fill=args.fill, intrabar=args.intrabar, leverage=args.leverage, sizing=args.sizing,
                       volume_limit=args.volume_limit, engine=args.engine)
        progress = Progress(sys.stderr)
        try:
            result = ct.backtest(strategy, data if len(data) > 1 else data[0], progress=progress, **options)
        finally:
            progress.clear()
    except ct.StrategyError as e:
        print_log(e.log)
        where = e.where()
        print(str(e).replace("\n", " ") + (f" (on {where})" if where else ""), file=sys.stderr)
        raise SystemExit(1) from None
    except (ValueError, TypeError, OSError) as e:
        raise CommandError(str(e).replace("\n", " ")) from None
    print_log(result.log)
    if args.json:
        text = result.to_json()
        if args.json == "-":
            sys.stdout.write(text + "\n")
            return
        Path(args.json).write_text(text)
    print(format_stats({**result.stats, "engine": engine_row(result, strategy)}))


def engine_row(result, strategy):
    """Which engine ran, and why not the kernel for a strategy declared as signals."""
    from cracktrader.vectorized import SignalStrategy

    if result.engine == "event" and issubclass(strategy, SignalStrategy):
        return f"event ({result.engine_reason})"
    return result.engine


def _sizing(text):
    text = text.strip()
    return text if text.endswith("%") else float(text)


def register(commands):
    p = commands.add_parser("backtest", help="run a strategy file over candles and print its statistics",
                            description="Run a strategy over candles: print its statistics, optionally write the result JSON.")
    p.add_argument("strategy", help="the strategy file, optionally with its class: strategy.py[:Class]")
    p.add_argument("--data", action="append", required=True, metavar="FILE",
                   help="candles (CSV or Parquet file, or a dataset id); repeat for several feeds")
    p.add_argument("--cash", type=float, default=10_000.0, help="starting cash (default: 10000)")
    p.add_argument("--commission", type=float, default=0.0, help="fee rate per fill, 0.001 = 0.1%% (default: 0)")
    p.add_argument("--slippage", default=0.0,
                   help="basis points (5 or 5bps) or a fraction of the bar's range (0.1range) (default: 0)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a strategy parameter; repeatable")
    p.add_argument("--fill", choices=("open", "close"), default="open",
                   help="market orders fill at the next bar's open (default) or the signal bar's close")
    p.add_argument("--intrabar", choices=("adverse", "favorable", "nearest"), default="adverse",
                   help="which extreme comes first when it matters within a bar (default: adverse)")
    p.add_argument("--leverage", type=float, default=1.0, help="margin leverage (default: 1, no borrowing)")
    p.add_argument("--sizing", type=_sizing, default="95%",
                   help="size of buy()/sell() without one: units, or N%% of equity (default: 95%%)")
    p.add_argument("--volume-limit", type=float, metavar="SHARE",
                   help="an order fills at most this share of each bar's volume (e.g. 0.1); the rest keeps working")
    p.add_argument("--engine", choices=("auto", "event", "vectorized"), default="auto",
                   help="auto (default): a ct.vectorized.SignalStrategy runs on the vectorized kernel when it "
                        "qualifies, anything else on the event engine, with the same result; event or vectorized "
                        "to choose")
    p.add_argument("--json", metavar="OUT", help="write the result JSON to OUT ('-' for stdout, instead of the table)")
    p.set_defaults(run=run)
