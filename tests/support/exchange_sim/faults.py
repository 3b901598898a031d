"""Faults a test injects: an HTTP error (429/418 with Retry-After, 5xx, a Binance error body such
as -1007 or -1021), a delay (latency, or longer than the client's timeout), or a response held
until the test releases it; each for a number of matching requests, optionally after letting
some through. `stage="after"` lets the request through to the exchange first (an order is
placed) and then replaces its response: the outcome the client sees is not what happened."""

import asyncio
import threading
import time
from dataclasses import dataclass, field

from starlette.responses import JSONResponse, PlainTextResponse


@dataclass
class Fault:
    status: int | None = 500  # None: answer normally (after the delay)
    retry_after: float | None = None  # seconds, sent as the Retry-After header
    delay: float = 0.0  # seconds before answering: a timeout when longer than the client's
    path: str = "/api/v3/klines"
    method: str | None = None  # None: any
    times: int = 1  # how many requests it hits
    after: int = 0  # requests to its path to let through first
    stage: str = "before"  # "after": the exchange handles the request, then the fault answers
    body: dict | None = None  # a JSON error body, e.g. {"code": -1007, "msg": "..."}
    hold: threading.Event | None = None  # answer only once set (the test releases it)
    hits: list = field(default_factory=list)  # one entry per request it hit


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            for f in self._faults:
                if f.hold is not None:
                    f.hold.set()
            self._faults.clear()

    def take(self, path, method):
        """The fault hitting this request, if any: the first one done letting requests
        through (each fault counts every request to its path and method)."""
        hit = None
        with self._lock:
            for f in self._faults:
                if f.path != path or (f.method is not None and f.method != method) or f.times <= 0:
                    continue
                if f.after > 0:
                    f.after -= 1
                elif hit is None:
                    f.times -= 1
                    hit = f
            if hit is not None:
                hit.hits.append(True)
        return hit


def error_response(status, retry_after=None, body=None):
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if body is not None:
        return JSONResponse(body, status_code=status, headers=headers)
    if status == 429:
        body = {"code": -1003, "msg": "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute."}
        return JSONResponse(body, status_code=429, headers=headers)
    if status == 418:
        return JSONResponse({"code": -1003, "msg": "Way too many requests; IP(127.0.0.1) banned."}, status_code=418, headers=headers)
    return PlainTextResponse(f"<html><body><h1>{status} Server Error</h1></body></html>", status_code=status, headers=headers)


class FaultMiddleware:
    """ASGI middleware applying the app's faults around its routes, and logging every request
    (path, method, query, form body, whether it carried an API key, the fault applied, when)."""

    def __init__(self, app, faults, log):
        self.app, self.faults, self.log = app, faults, log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        fault = self.faults.take(scope["path"], scope["method"])
        headers = dict(scope.get("headers") or [])
        entry = {"path": scope["path"], "method": scope["method"], "query": scope.get("query_string", b"").decode(),
                 "body": body.decode(errors="replace"), "keyed": b"x-mbx-apikey" in headers, "fault": fault,
                 "at": time.monotonic()}
        self.log.append(entry)

        async def replay():
            return {"type": "http.request", "body": body, "more_body": False}

        if fault is None:
            return await self.app(scope, replay, send)
        if fault.stage == "after":
            answer = []

            async def keep(message):
                answer.append(message)

            await self.app(scope, replay, keep)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        while fault.hold is not None and not fault.hold.is_set():
            await asyncio.sleep(0.01)
        if fault.status is not None:
            return await error_response(fault.status, fault.retry_after, fault.body)(scope, receive, send)
        if fault.stage == "after":
            for message in answer:
                await send(message)
            return
        await self.app(scope, replay, send)
