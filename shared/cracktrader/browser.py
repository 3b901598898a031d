"""What the page's Web Worker calls on Pyodide: start-up self-check, candles from what the
page loaded (CSV bytes, Arrow or Parquet columns), inspecting and running strategy source.

Results cross to JavaScript as plain values and array('d') buffers (read without copying
element by element); errors come back as `{"error": {...}}` (see runner.describe_error), never
as a Python traceback.
"""

import hashlib
import json
import time
from array import array

from . import kernels, runner, synthetic
from .candles import COLUMNS, Candles
from .data.checks import check
from .data import select
from .data.files.csv_text import read_csv

_last = {}  # the latest run, for its result JSON on request


def self_check(n, seed, period):
    """SMA of a synthetic walk: proves the WASM kernels run, and how fast."""
    x = synthetic.random_walk(n, seed)
    t0 = time.perf_counter()
    y = kernels.sma(x, period)
    ms = (time.perf_counter() - t0) * 1000
    return kernels.backend, x, y, hashlib.sha256(y.tobytes()).hexdigest(), ms


def _guard(fn):
    def guarded(*args):
        try:
            return fn(*args)
        except Exception as e:  # the page shows it; nothing else should cross
            return {"error": json.dumps(runner.describe_error(e))}

    guarded.__name__ = fn.__name__
    return guarded


@_guard
def candles_from_csv(data, name):
    """Candles from the bytes of a CSV file (a JS Uint8Array), read and checked by the same
    kernel and rules as the server's import."""
    return {"candles": read_csv(data.to_bytes(), name)}


@_guard
def candles_from_columns(columns, name):
    """Candles from JS typed arrays {time, open, high, low, close, volume} (Arrow, Parquet,
    or the automation API), checked by the same rules as the server's import."""
    n = columns.time.length
    cols = {}
    for col in COLUMNS:
        source = getattr(columns, col)
        if source.length != n:
            raise ValueError(f"{name}: column {col} has {source.length} values, time has {n}")
        if col == "time" and source.constructor.name == "BigInt64Array":
            out = array("q", bytes(8 * n))
        else:
            out = array("d", bytes(8 * n))
        source.assign_to(out)
        cols[col] = out if col != "time" or out.typecode == "q" else array("q", map(int, out))
    candles = Candles(**cols)
    check(candles, name)
    return {"candles": candles}


@_guard
def describe(candles):
    """What the page shows of loaded candles: rows, first and last bar, timeframe."""
    n = len(candles)
    return {"info": json.dumps({"rows": n, "first": candles.time[0] if n else None, "last": candles.time[-1] if n else None,
                                "timeframe": candles.timeframe})}


@_guard
def inspect(source):
    return {"strategies": json.dumps(runner.inspect_source(source))}


@_guard
def select_candles(candles, view_json):
    """The part of the loaded candles a run uses: {"since", "until", "timeframe"} (see
    cracktrader.data.select), each optional."""
    return {"candles": select(candles, **_view(view_json))}


def _view(view_json):
    return runner.check_view(json.loads(view_json))


@_guard
def warmup(source, strategy, candles, settings_json, params_json):
    """The bars of history the strategy needs before `candles` (the host's cut of a dataset)."""
    need = runner.warmup_bars(source, candles, strategy=strategy, params=json.loads(params_json),
                              settings=json.loads(settings_json))
    return {"bars": need[0]}


@_guard
def run(source, strategy, candles, settings_json, params_json, want_json, progress, view_json="{}", history=None,
        intrabar=None):
    """Run over loaded `candles` cut to the view (history from before it for the warm-up), or,
    with `history` or `intrabar` given, over `candles` as they are (the host cut them)."""
    options = dict(strategy=strategy, params=json.loads(params_json), settings=json.loads(settings_json),
                   progress=progress, chunk=16_384)
    if history is None and intrabar is None:
        engine = runner.run_view(source, candles, _view(view_json), **options)
    else:
        engine = runner.run_source(source, candles, history=history, intrabar_data=intrabar, **options)
    result = engine.result()
    _last["result"] = result
    meta = {**result.to_dict(equity=False), "bars": len(result.times)}
    feed, first = engine.feeds[0], engine.begin()
    arrays = {"equity_time": array("d", result.times), "equity": result.equity,
              "time": array("d", feed.time.values[first:]),
              **{c: getattr(feed, c).values[first:] for c in COLUMNS[1:]}}
    benchmark = result.benchmark_equity()
    if benchmark is not None:
        arrays["benchmark"] = array("d", benchmark)
    return {"meta": json.dumps(meta, allow_nan=False), "arrays": arrays,
            "overlays": [[label, pane, values] for label, pane, values in runner.overlays(engine)],
            "json": result.to_json() if want_json else None}


@_guard
def last_json():
    if "result" not in _last:
        raise ValueError("no run yet")
    return {"json": _last["result"].to_json()}


# --- sweeps (the Optimize panel): each pool worker prepares the job once, then runs trials ---
@_guard
def sweep_plan(source, strategy, candles, request_json, view_json="{}"):
    """The coordinator: the points (and walk-forward windows) of the request (optimize.session)."""
    from .optimize import session

    return {"json": json.dumps(session.plan(source, strategy, select(candles, **_view(view_json)),
                                            json.loads(request_json)), allow_nan=False)}


@_guard
def sweep_prepare(source, strategy, candles, request_json, view_json="{}"):
    from .optimize import session

    return {"json": json.dumps(session.prepare(source, strategy, select(candles, **_view(view_json)),
                                               json.loads(request_json)))}


@_guard
def sweep_trials(tasks_json):
    from .optimize import session
    from .optimize.result import _clean

    return {"json": json.dumps(_clean(session.trials(json.loads(tasks_json))), allow_nan=False)}


@_guard
def sweep_result(records_json):
    from .optimize import session

    return {"json": json.dumps(session.result(json.loads(records_json)), allow_nan=False)}


@_guard
def sweep_fold(k, window_json, records_json):
    from .optimize import session
    from .optimize.result import _clean

    return {"json": json.dumps(_clean(session.fold(k, json.loads(window_json), json.loads(records_json))),
                               allow_nan=False)}


@_guard
def sweep_walk():
    from .optimize import session

    return {"json": json.dumps(session.walk(), allow_nan=False)}
