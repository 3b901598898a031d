"""The ccxt exchange a session talks to, the exchange's clock, and the rules for its faults.

`make_exchange`: ccxt's class with the session's `exchange_config` (each `urls` section given
replaces ccxt's whole section: a sandbox or proxy set never leaves one pointing elsewhere),
the rate limiter always on, verbose logging always off (it would print signed requests), the
sandbox switched on with `--sandbox`, and for Binance spot markets only, without the signed
wallet and margin calls ccxt makes while loading markets (a session needs neither).

`Caller` applies item 7 of the live issue to every call:
- 429/418 (ccxt DDoSProtection): wait the Retry-After (or a backoff), and slow the rate
  limiter down (twice the delay between requests, recovering 5% per good answer); a wait
  longer than `max_wait` (a ban: Binance's 418 lasts minutes to days) is not slept through:
  until it ends no request leaves (reads are `Unreachable`, orders `Rejected` with the rule
  `rate_limited`), as a request during a ban lengthens it;
- Binance -1021 (InvalidNonce): re-sync the clock with the exchange's, then retry;
- network errors, timeouts, 5xx: back off with jitter, then retry (reads); a request that may
  have been executed (placing an order) is never retried: it is an unknown outcome (`Unknown`)
  that the session looks up by client order id;
- a rejection (InsufficientFunds, InvalidOrder, BadRequest...) is `Rejected` with its rule.
Reads that keep failing raise `Unreachable`; the session logs it and tries again later.
"""

import collections
import copy
import random
import time
from urllib.parse import urlsplit

from .config import LiveError

MAX_WAIT = 60.0  # seconds: the longest wait slept through inside one call


class Unknown(Exception):
    """The request may or may not have been executed."""


class Rejected(Exception):
    def __init__(self, rule, reason):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


class Unreachable(Exception):
    """The exchange did not answer after the retries."""


def make_exchange(config, keys=None, pro=False):
    """The ccxt exchange; with `pro`, ccxt.pro's (WebSocket streams, asyncio) with the same settings."""
    import ccxt

    if config.exchange not in ccxt.exchanges:
        raise LiveError(f"unknown exchange {config.exchange!r} (ccxt has: {', '.join(ccxt.exchanges[:8])}, ...)")
    settings = copy.deepcopy(config.exchange_config)
    urls = settings.pop("urls", None) or {}
    settings.update(keys or {})
    settings["enableRateLimit"] = True
    settings["verbose"] = False
    if config.exchange == "binance" and ":" not in config.symbol:  # spot: no signed wallet or margin calls at start
        options = settings.setdefault("options", {})
        options.setdefault("fetchMarkets", {"types": ["spot"]})
        options.setdefault("fetchCurrencies", False)
        options.setdefault("fetchMargins", False)
    if pro:
        import ccxt.pro
    client = getattr(ccxt.pro if pro else ccxt, config.exchange)(settings)
    for section, value in urls.items():
        client.urls[section] = copy.deepcopy(value)
    if config.sandbox:
        try:
            client.set_sandbox_mode(True)
        except ccxt.NotSupported:
            raise LiveError(f"{config.exchange} has no sandbox in ccxt: give its test network's URLs in the exchange "
                            "config's urls.api instead of --sandbox") from None
    return client


def endpoints(client):
    """The hosts the exchange's API URLs point at, sorted (recorded in the journal)."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, str) and "://" in value:
            found.add(urlsplit(value).netloc)

    walk(client.urls.get("api"))
    return sorted(found)


class Clock:
    """The exchange's time as the session sees it: the local clock less a measured offset,
    measured at start, every hour, when the exchange says the clock is off (-1021), and with
    mode "exchange" at every poll (a simulator's clock jumps)."""

    RESYNC = 3600.0  # seconds

    def __init__(self, client, mode="local"):
        self.client, self.mode = client, mode
        self.offset, self.synced = 0, None

    def due(self):
        return self.mode == "exchange" or self.synced is None or time.monotonic() - self.synced >= self.RESYNC

    def now(self):
        return int(time.time() * 1000) - self.offset

    def sync(self):
        """Measures the offset (the exchange's time at the middle of the request)."""
        self.synced = time.monotonic()
        if self.client is None or not self.client.has.get("fetchTime"):
            return
        before = time.time() * 1000
        server = self.client.fetch_time()
        after = time.time() * 1000
        self.offset = int((before + after) / 2 - server)
        self.client.options["timeDifference"] = self.offset  # ccxt stamps signed requests with it


class Caller:
    def __init__(self, client, clock, log, sleep=time.sleep, attempts=5, backoff=0.5, redact=str):
        self.client, self.clock, self.log, self.sleep, self.redact = client, clock, log, sleep, redact
        self.attempts, self.backoff = attempts, backoff
        self.max_wait = MAX_WAIT
        self.blocked_until = 0.0  # time.monotonic() until which the exchange asked not to be called
        self.base_rate = client.rateLimit
        self.waits = collections.deque(maxlen=1000)  # (reason, seconds) of the recent waits, for tests and status

    def read(self, fn, *args, **kwargs):
        """Calls a read (idempotent): retried through faults; Unreachable when they last."""
        import ccxt

        last = None
        for attempt in range(self.attempts):
            if self.blocked():
                raise Unreachable(self.blocked())
            try:
                out = fn(*args, **kwargs)
                self._recover()
                return out
            except (ccxt.DDoSProtection, ccxt.RateLimitExceeded) as e:
                last = e
                self._rate_limited(e, attempt)
            except ccxt.InvalidNonce as e:
                last = e
                self._resync(e)
            except ccxt.OperationFailed as e:  # timeouts, 5xx, refused connections, -1006/-1007
                last = e
                self._wait("network", self._jitter(attempt), e)
            except ccxt.OrderNotFound:
                raise
            except ccxt.ExchangeError as e:  # keys refused, no such market...: nothing to retry
                raise LiveError(self.redact(f"{self.client.id}: {type(e).__name__}: {_short(e)}")) from None
        raise Unreachable(self.redact(f"{type(last).__name__}: {_short(last)}"))

    def send(self, fn, *args, **kwargs):
        """Calls a request that changes something (an order): retried only where the exchange
        says it did not execute it (429/418, -1021); Unknown where it may have."""
        import ccxt

        for attempt in range(self.attempts):
            if self.blocked():
                raise Rejected("rate_limited", self.blocked())
            try:
                out = fn(*args, **kwargs)
                self._recover()
                return out
            except (ccxt.DDoSProtection, ccxt.RateLimitExceeded) as e:  # refused before execution: wait, again
                self._rate_limited(e, attempt)
            except ccxt.InvalidNonce as e:  # the timestamp is checked before execution
                self._resync(e)
            except ccxt.OrderNotFound:
                raise
            except ccxt.InsufficientFunds as e:
                raise Rejected("insufficient_balance", _short(e)) from None
            except ccxt.InvalidOrder as e:
                if "Duplicate order" in str(e):  # it exists: look it up
                    raise Unknown(_short(e)) from None
                raise Rejected("exchange_rejected", _short(e)) from None
            except ccxt.AuthenticationError as e:
                raise Rejected("authentication", _short(e)) from None
            except ccxt.BadRequest as e:
                raise Rejected("exchange_rejected", _short(e)) from None
            except (ccxt.NetworkError, ccxt.OperationFailed) as e:  # timeouts, 5xx, -1006, -1007
                raise Unknown(f"{type(e).__name__}: {_short(e)}") from None
            except ccxt.ExchangeError as e:
                raise Unknown(f"{type(e).__name__}: {_short(e)}") from None
        raise Unknown(f"still refused after {self.attempts} tries")

    # --- the waits -----------------------------------------------------------------------------
    def blocked(self):
        """Why no request may leave now (the exchange's Retry-After has not passed), or None."""
        left = self.blocked_until - time.monotonic()
        return f"the exchange asked not to be called for {left:.0f} s more (HTTP 418/429 Retry-After)" if left > 0 else None

    def _rate_limited(self, error, attempt):
        self.client.rateLimit = min(max(self.client.rateLimit, 1) * 2, 10_000)
        seconds = retry_after(self.client)
        seconds = seconds if seconds is not None else max(1.0, self._jitter(attempt))
        self.blocked_until = time.monotonic() + seconds
        if seconds > self.max_wait:  # a ban: the session goes on (commands, status) without calling
            self.waits.append(("rate_limit", seconds))
            self.log(f"rate_limit: {type(error).__name__}: {_short(error)}; no requests for {seconds:.0f} s")
            return
        self._wait("rate_limit", seconds, error)

    def _resync(self, error):
        self.log(f"the exchange says the clock is off ({_short(error)}): re-syncing")
        try:
            self.clock.sync()
        except Exception as e:  # noqa: BLE001 - the next attempt says what is wrong
            self.log(f"clock re-sync failed: {type(e).__name__}: {_short(e)}")
        self.waits.append(("clock", 0.0))

    def _recover(self):
        if self.client.rateLimit > self.base_rate:
            self.client.rateLimit = max(self.base_rate, self.client.rateLimit * 0.95)

    def _jitter(self, attempt):
        return min(self.backoff * 2 ** attempt * random.uniform(0.5, 1.5), MAX_WAIT)

    def _wait(self, reason, seconds, error):
        seconds = min(max(seconds, 0.0), self.max_wait)
        self.waits.append((reason, seconds))
        self.log(f"{reason}: {type(error).__name__}: {_short(error)}; waiting {seconds:.1f} s")
        self.sleep(seconds)


def retry_after(client):
    """The last answer's Retry-After, in seconds, or None."""
    headers = getattr(client, "last_response_headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _short(error):
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:299] + "…"
