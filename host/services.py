"""The background services a server runs beside its requests, in one registry: the pool of
code runs today, live sessions next. Each service reports its state in `GET /api/health`
and is stopped when the server stops (SIGTERM from systemd, Ctrl+C).

A service is any object with:
- `health()` -> a JSON-ready dict with at least "state" ("running", "stopping", "stopped",
  or "failed": a failed service makes the health check answer 503);
- `begin_stop()`: called at once when the signal arrives, from the signal handler: take no
  new work (quick, never blocks);
- `async stop()`: then finish cleanly (a live session: stop after its current step, close its
  journal); the server waits for it, up to [server] stop_timeout_seconds in all.

Services stop in the reverse order of registration.
"""

import asyncio
import logging

log = logging.getLogger("cracktrader.host")


class Services:
    def __init__(self):
        self._services = {}
        self.stopping = False

    def add(self, name, service):
        if name in self._services:
            raise ValueError(f"a service named {name!r} is already registered")
        self._services[name] = service
        return service

    def __getitem__(self, name):
        return self._services[name]

    def health(self):
        states = {name: service.health() for name, service in self._services.items()}
        failed = any(s.get("state") == "failed" for s in states.values())
        status = "stopping" if self.stopping else "failed" if failed else "ok"
        return status, states

    def begin_stop(self):
        self.stopping = True
        for service in reversed(self._services.values()):
            service.begin_stop()

    async def stop(self, timeout):
        self.begin_stop()
        for name, service in reversed(self._services.items()):
            try:
                await asyncio.wait_for(service.stop(), timeout)
                log.info("service stopped", extra={"fields": {"service": name}})
            except asyncio.TimeoutError:
                log.error("service did not stop in time", extra={"fields": {"service": name, "seconds": timeout}})
            except Exception:
                log.exception("service failed to stop", extra={"fields": {"service": name}})
