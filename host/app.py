"""The Starlette application: the JSON API under /api and the built web app at /."""

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route

import cracktrader

from .web_files import WebFiles


async def health(request):
    """"ok" with each service's state (see services.py); 503 while stopping or when one failed."""
    status, services = request.app.state.services.health()
    return JSONResponse({"status": status, "version": cracktrader.__version__, "services": services},
                        status_code=200 if status == "ok" else 503)


async def site(request):
    """What this host offers the page: server features on, plus the static build's datasets."""
    import json

    static = json.loads((request.app.state.web_dir / "site.json").read_text())
    return JSONResponse({**static, "server": True})


async def api_not_found(request):
    return JSONResponse({"error": f"no API endpoint {request.url.path}"}, status_code=404)


async def http_error(request, exc):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    return PlainTextResponse(exc.detail, status_code=exc.status_code)


def _static_datasets(web_dir):
    """Datasets shipped with the web build (the demo), by id: their files, for server runs."""
    import json

    site = json.loads((web_dir / "site.json").read_text())
    return {ds["id"]: web_dir / ds["url"] for ds in site.get("datasets", []) if "url" in ds}


LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


def create_app(web_dir, token=None, cache_dir=None, limits=None, allowed_hosts=None, stop_timeout=20,
               accounts=None, risk=None, live_dir=None, live_poll=1.0):
    """`limits`: code_runs.Limits for the code runs; `allowed_hosts`: the Host headers accepted
    (default: loopback names only, which stops a web page from reaching a local server through
    DNS rebinding). Background services (app.state.services) stop when the app shuts down,
    within `stop_timeout` seconds. Live sessions (host/live/): `accounts` (the config file's
    [accounts.NAME]: exchange, key_file, sandbox, exchange_config, clock), default `risk`
    limits, their folder `live_dir` and poll interval `live_poll` (seconds)."""
    import contextlib
    from pathlib import Path

    from cracktrader.data import Cache

    from . import backtests_api, datasets_api
    from .auth import require_token
    from .code_runs import CodeRuns, Limits
    from .live import api as live_api
    from .live.supervisor import LiveSessions
    from .services import Services

    web_dir = Path(web_dir)

    routes = [
        Route("/api/health", health),
        Route("/api/datasets", datasets_api.list_datasets),
        Route("/api/datasets/{id}/candles", datasets_api.candles),
        Route("/api/backtests", require_token(backtests_api.create_backtest), methods=["POST"]),
        *live_api.routes(),
        Route("/site.json", site),
        Route("/api/{rest:path}", api_not_found, methods=["GET", "POST", "PUT", "DELETE"]),
        Mount("/", WebFiles(directory=web_dir, html=True), name="web"),
    ]
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    hosts = list(allowed_hosts) if allowed_hosts else LOOPBACK_HOSTS
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]
    services = Services()
    live = LiveSessions(live_dir, accounts=accounts, risk=risk, poll=live_poll, cache=cache_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await live.open()
        yield
        await services.stop(stop_timeout)

    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error},
                    lifespan=lifespan)
    app.state.services = services
    app.state.accounts, app.state.risk = live.accounts, risk or {}
    app.state.runs = services.add("runs", CodeRuns(limits or Limits()))
    app.state.live = services.add("live", live)
    app.state.live_feeds = live.feeds
    app.state.web_dir = web_dir
    app.state.token = token
    app.state.cache = Cache(cache_dir)
    app.state.static_datasets = _static_datasets(web_dir)
    return app
