"""The API token: anything that can run code or trade requires `Authorization: Bearer <token>`."""

import hmac
import secrets

from starlette.responses import JSONResponse


def new_token():
    return secrets.token_urlsafe(24)


def authorized(request, token):
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def require_token(endpoint):
    """Wrap an endpoint so it answers 401 unless the request carries the app's token."""

    async def guarded(request):
        if not authorized(request, request.app.state.token):
            return JSONResponse({"error": "a valid API token is required (Authorization: Bearer <token>)"}, status_code=401)
        return await endpoint(request)

    guarded.__name__ = endpoint.__name__
    return guarded
