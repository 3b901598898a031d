"""`POST /api/backtests`: run strategy source on the server (token required).

Body (JSON, at most 1 MB): {"strategy": "<python source>", "strategy_class": null,
"dataset": "<id>", "since": ms, "until": ms, "timeframe": "4h", "cash", "commission", "slippage", "fill",
"intrabar", "intrabar_data", "leverage", "sizing", "volume_limit", "market_rules", "engine", "params": {...}}
("engine": "auto" by default, "event" or "vectorized", as ct.backtest's; the result's "engine" says which
ran). The run is the browser's (`cracktrader.runner`), with the warm-up history before `since` read from the
cache, as a code run (code_runs.py: its own process, memory, CPU and time limits, a bounded
queue). Answers {"result": <result JSON>, "bars", "seconds", "overlays": [{"name", "pane",
"values"}]} (the indicator lines the page draws) or an error {"error", "kind", "line" | "row",
"field", "rule" | "limit", "value"}.
"""

import json
import time

from starlette.responses import JSONResponse, Response

from cracktrader import runner
from cracktrader.candles import timeframe_ms

MAX_BODY = 1_000_000


def _error(status, message, **info):
    return JSONResponse({"error": message, **info}, status_code=status)


def _engine(request, static, cache_dir):
    """The run, as the browser's: the view of the dataset, its warm-up history, intrabar data."""
    from cracktrader.data import Cache, load_data, select

    view = runner.check_view({k: request.get(k) for k in runner.VIEW})
    source, dataset = request["strategy"], request["dataset"]
    options = dict(strategy=request.get("strategy_class"), params=request.get("params") or {},
                   settings=request["settings"])
    if dataset in static:  # a dataset shipped with the web build (the demo): an Arrow file
        return runner.run_view(source, load_data(static[dataset]), view, **options)

    def read(since, until):
        return load_data(dataset, since=since, until=until, cache=cache_dir)

    manifest = Cache(cache_dir).manifest(dataset)
    since, timeframe = view.get("since"), view.get("timeframe")
    raw = read(since, view.get("until"))
    data = select(raw, timeframe=timeframe)
    if not len(data):
        raise runner.empty_range(view, manifest.first, manifest.last, dataset)
    history = None
    if since is not None:
        need = runner.warmup_bars(source, data, **options)[0]
        history = runner.history_before(read, since, need, timeframe or data.timeframe, manifest.first)
    aggregated = timeframe and timeframe != raw.timeframe
    intrabar = raw if aggregated and options["settings"].get("intrabar_data") else None
    return runner.run_source(source, data, history=history, intrabar_data=intrabar, **options)


def _run(request, static, cache_dir):
    """In the run's process: load the data, run: ("ok", json, bars, overlays) or ("error", info)."""
    try:
        engine = _engine(request, static, cache_dir)
        result = engine.result()
        return ("ok", result.to_json(), len(result.times), json.dumps(runner.chart_overlays(engine)))
    except Exception as e:
        if isinstance(getattr(e, "error", e), MemoryError):  # the strategy's, or ours: the memory limit
            raise MemoryError from e
        return ("error", runner.describe_error(e))


def _parse(body):
    try:
        request = json.loads(body)
    except ValueError as e:
        raise ValueError(f"the body is not JSON: {e}") from None
    if not isinstance(request, dict):
        raise ValueError("the body must be a JSON object")
    if not isinstance(request.get("strategy"), str) or not request["strategy"].strip():
        raise ValueError("strategy: the Python source of the strategy is required")
    if not isinstance(request.get("dataset"), str):
        raise ValueError("dataset: a dataset id is required (GET /api/datasets lists them)")
    for key in ("since", "until"):
        if request.get(key) is not None and (isinstance(request[key], bool) or not isinstance(request[key], int)):
            raise ValueError(f"{key} must be a time in UTC milliseconds")
    if request.get("timeframe") is not None:
        if not isinstance(request["timeframe"], str):
            raise ValueError("timeframe must be a string like 1h")
        timeframe_ms(request["timeframe"])  # a clear error for "1x"
    if request.get("params") is not None and not isinstance(request["params"], dict):
        raise ValueError("params must be an object")
    known = {"strategy", "strategy_class", "dataset", "since", "until", "timeframe", "params", *runner.SETTINGS}
    unknown = sorted(set(request) - known)
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    request["settings"] = {k: request[k] for k in runner.SETTINGS if request.get(k) is not None}
    return request


async def create_backtest(request):
    app = request.app
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        return _error(413, f"the request is larger than {MAX_BODY} bytes")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, f"the request is larger than {MAX_BODY} bytes")
    try:
        job = _parse(body)
    except ValueError as e:
        return _error(400, str(e), kind="request")
    from cracktrader.data import is_dataset_id

    static, ds = app.state.static_datasets, job["dataset"]
    if ds not in static:
        if not is_dataset_id(ds):
            return _error(400, f"bad dataset id {ds!r}: expected exchange.SYMBOL.timeframe (GET /api/datasets lists them)", kind="request")
        if app.state.cache.manifest(ds) is None:
            return _error(404, f"no dataset {ds!r} (GET /api/datasets lists them)", kind="request")

    from .code_runs import Refused

    t0 = time.perf_counter()
    try:
        reply = await app.state.runs.run(_run, job, static, app.state.cache.root)
    except Refused as e:
        return JSONResponse(e.body, status_code=e.status, headers=e.headers)
    if reply[0] == "error":
        info = reply[1]
        return _error(422, info.pop("message"), **info)
    _, text, bars, overlays = reply
    # The result is already JSON: spliced in as it is, not parsed and written again (seconds
    # at a million bars).
    tail = json.dumps({"bars": bars, "seconds": time.perf_counter() - t0})
    return Response(f'{{"result": {text}, {tail[1:-1]}, "overlays": {overlays}}}', media_type="application/json")
