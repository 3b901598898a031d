"""Faults a test injects: an HTTP error (429 with Retry-After, 5xx...), a delay longer than
the client's timeout, or both; each for a number of matching requests, optionally after
letting some through."""

import asyncio
import threading
from dataclasses import dataclass

from starlette.responses import JSONResponse, PlainTextResponse


@dataclass
class Fault:
    status: int | None = 500  # None: answer normally (after the delay)
    retry_after: float | None = None  # seconds, sent as the Retry-After header
    delay: float = 0.0  # seconds before answering: a timeout when longer than the client's
    path: str = "/api/v3/klines"
    times: int = 1  # how many requests it hits
    after: int = 0  # requests to its path to let through first


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
            self._faults.clear()

    def take(self, path):
        """The fault hitting this request, if any: the first one done letting requests
        through (each fault counts every request to its path)."""
        hit = None
        with self._lock:
            for f in self._faults:
                if f.path != path or f.times <= 0:
                    continue
                if f.after > 0:
                    f.after -= 1
                elif hit is None:
                    f.times -= 1
                    hit = f
        return hit


def error_response(status, retry_after=None):
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if status == 429:
        body = {"code": -1003, "msg": "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute."}
        return JSONResponse(body, status_code=429, headers=headers)
    if status == 418:
        return JSONResponse({"code": -1003, "msg": "Way too many requests; IP(127.0.0.1) banned."}, status_code=418, headers=headers)
    return PlainTextResponse(f"<html><body><h1>{status} Server Error</h1></body></html>", status_code=status, headers=headers)


class FaultMiddleware:
    """ASGI middleware applying the app's faults before its routes."""

    def __init__(self, app, faults, log):
        self.app, self.faults, self.log = app, faults, log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        fault = self.faults.take(scope["path"])
        entry = {"path": scope["path"], "query": scope.get("query_string", b"").decode(), "fault": fault}
        self.log.append(entry)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                return await error_response(fault.status, fault.retry_after)(scope, receive, send)
        await self.app(scope, receive, send)
