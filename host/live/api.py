"""The live sessions' HTTP endpoints, all behind the API token (they trade and run code):

    GET  /api/live/accounts        the accounts sessions may use: name, exchange, sandbox, trading
    POST /api/live                 start a session (body: create.py) -> 201 {session}
    GET  /api/live                 {"sessions": [{id, name, account, config, worker, state}, ...]}
    GET  /api/live/{id}            the session: settings, worker, state snapshot (docs/live.md)
    GET  /api/live/{id}/bars       the bars it used, warm-up and live: {"time": [...], "open": [...], ...,
                                   "overlays": [{"name", "pane", "values"}]} (the strategy's indicators)
    POST /api/live/{id}/stop       it ends after its current step; orders stay as they are
    POST /api/live/{id}/kill       the kill switch: cancel all, flatten, halt (it keeps running)
    POST /api/live/{id}/resume     start it again and clear a halt
    WS   /api/live/{id}/events     its events as they happen (events.py)

Errors are the host's JSON shape: {"error", "field" | "kind", "line"} with 400 (a bad request),
401 (no or a wrong token), 404 (no such session), 413 (too large), 422 (the strategy's source).
"""

import json

from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from ..auth import require_token
from . import events
from .create import RequestError, session_config

MAX_BODY = 1_100_000


def _error(status, message, **info):
    return JSONResponse({"error": message, **info}, status_code=status)


def _sessions(request):
    return request.app.state.live


async def accounts(request):
    live = _sessions(request)
    return JSONResponse({"accounts": [a.public() for a in live.accounts.values()]})


async def create(request):
    live = _sessions(request)
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "the request is larger than 1 MB")
    try:
        data = json.loads(body)
    except ValueError as e:
        return _error(400, f"the body is not JSON: {e}")
    try:
        config, account, name = session_config(data, live.accounts, live.risk, poll=live.poll, cache=live.cache)
    except RequestError as e:
        return _error(e.status, str(e), **e.info)
    if live.stopping:
        return _error(503, "the server is stopping")
    sid = live.create(config, account, name)
    return JSONResponse(live.describe(sid), status_code=201)


async def list_sessions(request):
    live = _sessions(request)
    return JSONResponse({"sessions": [live.describe(sid, detail=False) for sid in live.sessions]})


def _one(handler):
    async def endpoint(request):
        live = _sessions(request)
        sid = request.path_params["id"]
        if sid not in live.sessions:
            return _error(404, f"no live session {sid}")
        return await handler(request, live, sid)

    endpoint.__name__ = handler.__name__
    return endpoint


@_one
async def show(request, live, sid):
    return JSONResponse(live.describe(sid))


@_one
async def bars(request, live, sid):
    from cracktrader.live import read_bars, read_events
    from cracktrader.live.chart import merge

    entry = live.sessions[sid]
    exists = entry.journal.exists()
    rows = read_bars(entry.journal) if exists else []
    names = ("time", "open", "high", "low", "close", "volume")
    out = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    lines = [e["data"] for e in read_events(entry.journal, kinds=["lines"])] if exists else []
    out["overlays"] = merge(lines, out["time"])
    return JSONResponse(out)


def _control(action):
    @_one
    async def endpoint(request, live, sid):
        getattr(live, action)(sid)
        return JSONResponse(live.describe(sid))

    endpoint.__name__ = action
    return endpoint


def routes():
    return [
        Route("/api/live/accounts", require_token(accounts)),
        Route("/api/live", require_token(list_sessions)),
        Route("/api/live", require_token(create), methods=["POST"]),
        Route("/api/live/{id}", require_token(show)),
        Route("/api/live/{id}/bars", require_token(bars)),
        Route("/api/live/{id}/stop", require_token(_control("stop_session")), methods=["POST"]),
        Route("/api/live/{id}/kill", require_token(_control("kill")), methods=["POST"]),
        Route("/api/live/{id}/resume", require_token(_control("resume")), methods=["POST"]),
        WebSocketRoute("/api/live/{id}/events", events.events),
    ]
