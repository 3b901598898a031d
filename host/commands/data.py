"""`cracktrader data`: the candle cache — fetch from exchanges, import files, list, verify,
remove, export. Times (--since, --until) are ISO 8601 (UTC unless a zone is given) or epoch
seconds/milliseconds; ranges include --since and exclude --until."""

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from . import CommandError


def parse_when(text):
    """UTC ms from an ISO date/time or epoch seconds/milliseconds."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        value = int(text)
        return value * 1000 if abs(value) < 10**11 else value
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"cannot read time {text!r}: use ISO 8601 (2024-01-31, 2024-01-31T12:00) or epoch milliseconds") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return int(stamp.timestamp() * 1000)


def iso(ms):
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def size(n):
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000


def _cache(args):
    from cracktrader.data import Cache

    return Cache(args.cache_dir)


def _errors():
    """The exceptions a data command reports as one line."""
    from cracktrader.data import DataError, FetchError

    return (DataError, FetchError, ValueError, OSError)


def _one_line(e):
    if isinstance(e, FileNotFoundError):
        return f"{e.filename}: no such file"
    if isinstance(e, OSError) and e.filename:
        return f"{e.filename}: {e.strerror}"
    return " ".join(str(e).split())


def run_fetch(args):
    from cracktrader.data import fetch

    from ..progress import Progress

    options = _ccxt_options(args.ccxt_options)
    bar = Progress(f"{args.exchange} {args.symbol} {args.timeframe}")
    try:
        report = fetch(args.exchange, args.symbol, args.timeframe,
                       since=parse_when(args.since) if args.since else None,
                       until=parse_when(args.until) if args.until else None,
                       cache=_cache(args), options=options, retries=args.retries,
                       progress=lambda done, total, rows: bar.update(done, total, f"{rows:,} bars"))
    except _errors() as e:
        raise CommandError(_one_line(e)) from None
    finally:
        bar.close()
    if report.up_to_date:
        print(f"{report.dataset}: already cached from {iso(report.since)} to {iso(report.until)}")
        return
    missing = sum(b - a for a, b in report.gaps)
    print(f"{report.dataset}: {report.rows:,} bars fetched from {iso(report.since)} to {iso(report.until)} "
          f"in {report.requests} requests ({report.retries} retried); "
          f"{len(report.gaps)} gaps at the exchange ({missing // _tf(args.timeframe):,} bars)"
          + (f"; {report.duplicates} repeated bars dropped" if report.duplicates else ""))


def _tf(timeframe):
    from cracktrader import timeframe_ms

    return timeframe_ms(timeframe)


def _ccxt_options(text):
    if not text:
        return None
    try:
        raw = Path(text[1:]).read_text() if text.startswith("@") else text
        options = json.loads(raw)
    except (OSError, ValueError) as e:
        raise CommandError(f"--ccxt-options: {_one_line(e)} (expected JSON or @file.json)") from None
    if not isinstance(options, dict):
        raise CommandError("--ccxt-options: expected a JSON object")
    return options


def run_import(args):
    from cracktrader.data import identify, import_file

    from ..progress import Progress

    path = Path(args.file)
    guessed = identify(path)
    exchange = args.exchange or guessed.get("exchange")
    symbol = args.symbol or guessed.get("symbol")
    timeframe = args.timeframe or guessed.get("timeframe")
    for name, value in (("exchange", exchange), ("symbol", symbol)):
        if not value:
            raise CommandError(f"{path}: cannot tell the {name} from the file name: pass --{name}")
    big = path.is_file() and path.stat().st_size > 50_000_000
    bar = Progress(f"import {path.name}", enabled=None if big else False)
    stages = {"reading": 0, "writing": 2}
    try:
        report = import_file(path, cache=_cache(args), exchange=exchange, symbol=symbol, timeframe=timeframe,
                             time_unit=args.time_unit, sort=args.sort, drop_duplicates=args.drop_duplicates,
                             progress=lambda stage: bar.update(stages[stage], 3, stage))
    except _errors() as e:
        raise CommandError(_one_line(e) + "; nothing was imported") from None
    finally:
        bar.close()
    for note in report.repairs:
        print(f"{path}: {note}")
    print(f"{report.dataset}: imported {report.rows:,} bars from {iso(report.first)} to {iso(report.last)}; "
          f"{report.gaps} gaps ({report.missing:,} bars missing in the file)")


def run_list(args):
    rows = _cache(args).datasets()
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    if not rows:
        print(f"the cache at {_cache(args).root} is empty")
        return
    table = [("DATASET", "EXCHANGE", "SYMBOL", "TF", "FIRST", "LAST", "ROWS", "GAPS", "SIZE")]
    for r in rows:
        table.append((r["id"], r["exchange"], r["symbol"], r["timeframe"], iso(r["first"]), iso(r["last"]),
                      f"{r['rows']:,}", f"{r['gaps']:,}", size(r["bytes"])))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    right = {6, 7, 8}
    for row in table:
        print("  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip())


def run_verify(args):
    from cracktrader.data import parse_dataset_id, verify

    cache = _cache(args)
    try:
        for ds_id in args.datasets:
            parse_dataset_id(ds_id)
        problems = verify(cache, args.datasets or None, fix=args.fix)
    except _errors() as e:
        raise CommandError(_one_line(e)) from None
    checked = args.datasets or cache.ids()
    for p in problems:
        where = f"{p.dataset}" + (f" {p.file}" if p.file else "")
        print(f"{where}: {p.problem} -> {p.fix}")
    if problems and not args.fix:
        raise CommandError(f"{len(problems)} problem(s) in {len(checked)} dataset(s); `cracktrader data verify --fix` repairs them")
    print(f"{len(checked)} dataset(s) checked" + (f", {len(problems)} problem(s) fixed" if problems else ", all good"))


def run_remove(args):
    from cracktrader.data import BadDatasetId

    cache = _cache(args)
    for ds_id in args.datasets:
        try:
            removed = cache.remove(ds_id)
        except BadDatasetId as e:
            raise CommandError(f"{e} (see `cracktrader data list`)") from None
        if not removed:
            raise CommandError(f"{ds_id}: not in the cache (see `cracktrader data list`)")
        print(f"{ds_id}: removed")


def run_export(args):
    from cracktrader.data import export

    try:
        rows = export(_cache(args), args.dataset, args.out, args.format,
                      since=parse_when(args.since) if args.since else None,
                      until=parse_when(args.until) if args.until else None, timeframe=args.timeframe)
    except _errors() as e:
        raise CommandError(_one_line(e)) from None
    print(f"{args.out}: {rows:,} bars")


def register(commands):
    p = commands.add_parser("data", help="the candle cache: fetch, import, list, verify, remove, export",
                            description=__doc__)
    sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    def action(name, help, run):
        a = sub.add_parser(name, help=help, description=help)
        a.add_argument("--cache-dir", help="cache directory (default: $CRACKTRADER_CACHE_DIR or the user cache)")
        a.set_defaults(run=run)
        return a

    a = action("fetch", "fetch candles from an exchange into the cache (only what is missing)", run_fetch)
    a.add_argument("exchange", metavar="EXCHANGE", help="ccxt exchange id, e.g. binance")
    a.add_argument("symbol", metavar="SYMBOL", help="market, e.g. BTC/USDT")
    a.add_argument("timeframe", metavar="TIMEFRAME", help="bar length, e.g. 1m, 1h, 1d")
    a.add_argument("--since", help="first bar (default: the end of what is cached)")
    a.add_argument("--until", help="end, exclusive (default: now)")
    a.add_argument("--retries", type=int, default=5, help="retries per request on network errors and HTTP 429 (default: 5)")
    a.add_argument("--ccxt-options", metavar="JSON", help="options for the ccxt exchange: JSON text or @file.json")

    a = action("import", "import a CSV or Parquet file into the cache (all or nothing)", run_import)
    a.add_argument("file", metavar="FILE")
    a.add_argument("--exchange", help="exchange id (default: from the file name)")
    a.add_argument("--symbol", help="market, e.g. BTC/USDT (default: from the file name)")
    a.add_argument("--timeframe", help="bar length, checked against the data (default: from the name or the data)")
    a.add_argument("--time-unit", default="auto", choices=["auto", "s", "ms", "us", "ns"],
                   help="unit of epoch-number times (default: from their magnitude)")
    a.add_argument("--sort", action="store_true", help="sort rows by time (reported)")
    a.add_argument("--drop-duplicates", action="store_true", help="drop rows identical to the previous one (reported)")

    a = action("list", "list cached datasets", run_list)
    a.add_argument("--json", action="store_true", help="machine-readable output")

    a = action("verify", "re-read cached files and check them (schema, order, checksums, rules)", run_verify)
    a.add_argument("datasets", nargs="*", metavar="DATASET", help="dataset ids (default: all)")
    a.add_argument("--fix", action="store_true", help="drop damaged files (fetch their range again) and stray files")

    a = action("remove", "remove datasets from the cache", run_remove)
    a.add_argument("datasets", nargs="+", metavar="DATASET", help="dataset id, e.g. binance.BTC-USDT.1h")

    a = action("export", "export a dataset to CSV, Parquet or an Arrow IPC file", run_export)
    a.add_argument("dataset", metavar="DATASET", help="dataset id, e.g. binance.BTC-USDT.1h")
    a.add_argument("out", metavar="OUT", help="output file (.csv, .parquet, .arrow)")
    a.add_argument("--format", choices=["csv", "parquet", "arrow"], help="default: from OUT's suffix")
    a.add_argument("--since", help="first bar")
    a.add_argument("--until", help="end, exclusive")
    a.add_argument("--timeframe", help="resample to this longer timeframe")
    p.set_defaults(run=lambda args: p.print_help(sys.stderr))
