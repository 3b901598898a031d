"""The Starlette application: the JSON API under /api and the built web app at /."""

import mimetypes

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import cracktrader

# Browsers insist on these types for ES modules and streaming WASM compilation; older
# mimetypes tables lack .mjs.
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")


async def health(request):
    return JSONResponse({"status": "ok", "version": cracktrader.__version__})


def create_app(web_dir):
    routes = [
        Route("/api/health", health),
        Mount("/", StaticFiles(directory=web_dir, html=True), name="web"),
    ]
    return Starlette(routes=routes)
