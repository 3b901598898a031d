"""The simulator's clock, which the test controls: `set(t)` jumps to a time (UTC ms); between
jumps it stands still (`rate=0`, the default: answers are exact) or runs at real speed
(`rate=1`: signed requests need a clock that moves, as ccxt stamps them from its own)."""

import threading
import time


class SimClock:
    def __init__(self, now, rate=0.0):
        self._lock = threading.Lock()
        self.rate = rate
        self._base, self._at = int(now), time.monotonic()
        self.listeners = []  # called with the new time after every set()

    def now(self):
        with self._lock:
            return self._base + int((time.monotonic() - self._at) * 1000 * self.rate)

    def set(self, t):
        with self._lock:
            self._base, self._at = int(t), time.monotonic()
        for listener in self.listeners:
            listener(int(t))

    def advance(self, ms):
        self.set(self.now() + ms)
