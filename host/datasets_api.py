"""`GET /api/datasets` and `GET /api/datasets/{id}/candles`: the cache, for the browser.

Candles go out as an Arrow IPC stream (time int64 UTC ms, open/high/low/close/volume float64),
streamed batch by batch so a long range never sits in memory whole. `since`/`until` are UTC
milliseconds (until exclusive); `timeframe` resamples to a longer timeframe.
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
    except (BadDatasetId, ValueError) as e:
        return _error(400, str(e))
    if since is not None and until is not None and since >= until:
        return _error(400, f"empty range: since ({since}) must be before until ({until})")
    manifest = cache.manifest(ds_id)
    if manifest is None:
        return _error(404, f"no dataset {ds_id} in the cache")
    try:
        if timeframe is None or timeframe == manifest.timeframe:
            return StreamingResponse(iter_ipc_stream(cache, ds_id, since, until), media_type=IPC_MEDIA_TYPE)
        if timeframe_ms(timeframe) < timeframe_ms(manifest.timeframe):
            return _error(400, f"cannot resample {manifest.timeframe} candles to the shorter {timeframe}")
        if manifest.rows > MAX_RESAMPLED_ROWS and since is None and until is None:
            return _error(413, f"{ds_id} has {manifest.rows} rows: give since/until to resample at most {MAX_RESAMPLED_ROWS}")
        bars = load_data(ds_id, since=since, until=until, resample=timeframe, cache=cache.root)
    except DataError as e:
        return _error(422, str(e))
    return Response(candles_ipc_stream(bars, ds_id), media_type=IPC_MEDIA_TYPE)
