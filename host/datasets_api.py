"""`GET /api/datasets` and `GET /api/datasets/{id}/candles`: the cache, for the browser.

Candles go out as an Arrow IPC stream (time int64 UTC ms, open/high/low/close/volume float64),
streamed batch by batch so a long range never sits in memory whole. `since`/`until` are UTC
milliseconds (until exclusive); `timeframe` resamples to a longer timeframe; `last=N` keeps
the last N bars before `until` (at the timeframe), however far back they are: a run's warm-up.
"""

from starlette.responses import JSONResponse, Response, StreamingResponse

from cracktrader.candles import timeframe_ms
from cracktrader.data import BadDatasetId, DataError, load_data, parse_dataset_id

MAX_RESAMPLED_ROWS = 5_000_000


def _error(status, message):
    return JSONResponse({"error": message}, status_code=status)


def _time_param(request, name):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a time in UTC milliseconds, got {raw!r}") from None
    if not 0 <= value < 2**53:
        raise ValueError(f"{name} is out of range: {value}")
    return value


def _count_param(request, name):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 0 < int(raw) <= 1_000_000:
        raise ValueError(f"{name} must be a number of bars from 1 to 1,000,000, got {raw!r}")
    return int(raw)


async def list_datasets(request):
    return JSONResponse({"datasets": request.app.state.cache.datasets()})


async def candles(request):
    from cracktrader.data import IPC_MEDIA_TYPE, candles_ipc_stream, iter_ipc_stream

    cache = request.app.state.cache
    ds_id = request.path_params["id"]
    try:
        parse_dataset_id(ds_id)
        since, until = _time_param(request, "since"), _time_param(request, "until")
        timeframe = request.query_params.get("timeframe") or None
        if timeframe is not None:
            timeframe_ms(timeframe)
        last = _count_param(request, "last")
    except (BadDatasetId, ValueError) as e:
        return _error(400, str(e))
    if since is not None and until is not None and since >= until:
        return _error(400, f"empty range: since ({since}) must be before until ({until})")
    manifest = cache.manifest(ds_id)
    if manifest is None:
        return _error(404, f"no dataset {ds_id} in the cache")
    try:
        if last is not None:
            bars = _last_bars(cache, ds_id, manifest, until, last, timeframe or manifest.timeframe)
        elif timeframe is None or timeframe == manifest.timeframe:
            return StreamingResponse(iter_ipc_stream(cache, ds_id, since, until), media_type=IPC_MEDIA_TYPE)
        elif timeframe_ms(timeframe) < timeframe_ms(manifest.timeframe):
            return _error(400, f"cannot resample {manifest.timeframe} candles to the shorter {timeframe}")
        elif manifest.rows > MAX_RESAMPLED_ROWS and since is None and until is None:
            return _error(413, f"{ds_id} has {manifest.rows} rows: give since/until to resample at most {MAX_RESAMPLED_ROWS}")
        else:
            bars = load_data(ds_id, since=since, until=until, resample=timeframe, cache=cache.root)
    except DataError as e:
        return _error(422, str(e))
    except ValueError as e:
        return _error(400, str(e))
    return Response(candles_ipc_stream(bars, ds_id), media_type=IPC_MEDIA_TYPE)


def _last_bars(cache, ds_id, manifest, until, count, timeframe):
    from cracktrader.runner import history_before

    if timeframe_ms(timeframe) < timeframe_ms(manifest.timeframe):
        raise ValueError(f"cannot resample {manifest.timeframe} candles to the shorter {timeframe}")
    end = until if until is not None else manifest.last + 1
    return history_before(lambda a, b: load_data(ds_id, since=a, until=b, cache=cache.root), end, count, timeframe,
                          manifest.first)
